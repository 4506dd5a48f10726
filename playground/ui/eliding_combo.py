"""A combo box that ends its shown item with "…" when the box is too narrow for it."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

__all__ = ["ElidingComboBox"]


class ElidingComboBox(QtWidgets.QComboBox):
    """A QComboBox whose closed box shortens the current item with "…" to fit.

    A narrow side panel (a 1280-pixel projector, a larger font) cut "same (output =
    input size)" to "same (output = input siz" with nothing to say that text was
    missing. The open list still shows every item whole.
    """

    def shown_text(self) -> str:
        """The current item's text elided to the closed box's text field (what a
        non-editable box paints; an editable one shows its line edit instead)."""
        option = QtWidgets.QStyleOptionComboBox()
        self.initStyleOption(option)
        field = self.style().subControlRect(QtWidgets.QStyle.ComplexControl.CC_ComboBox, option,
                                            QtWidgets.QStyle.SubControl.SC_ComboBoxEditField, self)
        # the style draws the label a pixel in from each side of the field, after any icon
        room = field.width() - 2 - (self.iconSize().width() + 4 if not option.currentIcon.isNull() else 0)
        return self.fontMetrics().elidedText(option.currentText, QtCore.Qt.TextElideMode.ElideRight, max(0, room))

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.isEditable():   # an editable box draws its line edit: nothing to shorten here
            super().paintEvent(event)
            return
        painter = QtWidgets.QStylePainter(self)
        option = QtWidgets.QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QtWidgets.QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text()
        painter.drawControl(QtWidgets.QStyle.ControlElement.CE_ComboBoxLabel, option)
