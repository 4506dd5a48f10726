"""A one-line label that shortens its text with "…" to the width it gets, the whole text in its tooltip."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

__all__ = ["ElidedLabel"]


class ElidedLabel(QtWidgets.QLabel):
    """A plain-text QLabel whose text never widens its panel.

    A long title ("Input · webcam 0 · n_H × n_W × n_c = 720 × 1280 × 3") otherwise sets
    the panel's minimum width and pushes its neighbours off a 1024-pixel screen. This
    label asks for the text's width but accepts any width down to a few characters;
    what does not fit is elided and the whole text becomes the tooltip.

    ``text()`` returns the whole text, not the elided one, so callers can compare it.

    Parameters
    ----------
    text : str
    parent : QWidget, optional
    mode : Qt.TextElideMode
        Where the "…" goes (default: at the end).
    """

    # fewest characters kept before the "…": "Input · De…" still says what the panel is
    MIN_CHARS = 6

    def __init__(self, text: str = "", parent=None, mode=QtCore.Qt.TextElideMode.ElideRight):
        super().__init__(parent)
        self._full = ""
        self._tip = ""
        self._mode = mode
        self.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        policy = self.sizePolicy()
        policy.setHorizontalPolicy(QtWidgets.QSizePolicy.Policy.Preferred)
        self.setSizePolicy(policy)
        self.setText(text)

    # --- text ---------------------------------------------------------------------------
    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        text = str(text)
        if text != self._full:
            self._full = text
            self.updateGeometry()
        self._refresh()

    def text(self) -> str:
        """The whole text (what is shown may be elided)."""
        return self._full

    def shown_text(self) -> str:
        """What is on screen now, "…" included."""
        return super().text()

    def is_elided(self) -> bool:
        return super().text() != self._full

    def setToolTip(self, tip: str) -> None:  # noqa: N802 (Qt's name)
        """A tooltip of the label's own; the whole text is added to it while elided."""
        self._tip = tip
        self._refresh()

    # --- size -----------------------------------------------------------------------------
    def sizeHint(self) -> QtCore.QSize:
        metrics = self.fontMetrics()
        margins = self.contentsMargins()
        width = metrics.horizontalAdvance(self._full) + margins.left() + margins.right() + 2
        return QtCore.QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QtCore.QSize:
        metrics = self.fontMetrics()
        margins = self.contentsMargins()
        width = metrics.horizontalAdvance(self._full[:self.MIN_CHARS] + "…") + margins.left() + margins.right()
        return QtCore.QSize(min(width, self.sizeHint().width()), super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._refresh()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:  # presentation fonts: elide anew
            self.updateGeometry()
            self._refresh()

    def _refresh(self) -> None:
        margins = self.contentsMargins()
        room = self.width() - margins.left() - margins.right()
        shown = self.fontMetrics().elidedText(self._full, self._mode, max(0, room))
        if shown != super().text():
            super().setText(shown)
        tip = self._tip
        if shown != self._full:
            tip = f"{self._full}\n{tip}" if tip else self._full
        if tip != super().toolTip():
            super().setToolTip(tip)
