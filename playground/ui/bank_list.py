"""The bank as a list: one row per filter with its on/off box, name and a thumbnail,
under a title with the filter count and above the add/duplicate/remove/move buttons.

Like the grid, the list is a view: it reports what the person asked for (rename,
toggle, move, remove) and its owner answers with :meth:`BankPanel.set_bank`.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.kernels import MAX_FILTERS, FilterBank

from .kernel_grid import tile_colours

__all__ = ["BankPanel", "BankList", "kernel_icon"]

_ICON_SIDE = 22


def kernel_icon(weights: np.ndarray, scale: float | None = None, side: int = _ICON_SIDE) -> QtGui.QIcon:
    """A small picture of a kernel in the grid's colours.

    An f×f×n_c kernel is drawn as the mean over its channels; a 1×1×n_c one (a
    row of the mixing matrix) as n_c stripes, one per channel, since its mean
    would be a single colour. ``scale`` is the |w| that gets the strongest colour
    (default: the kernel's own largest), so slices drawn with one scale compare
    by brightness; ``side`` is the icon's size in pixels.
    """
    kernel = np.asarray(weights, np.float64)
    if kernel.ndim == 3 and kernel.shape[0] == 1:
        kernel = kernel[0]                          # (1, n_c): one stripe per channel
    elif kernel.ndim == 3:
        kernel = kernel.mean(axis=2)
    rows, cols = kernel.shape
    if scale is None:
        scale = float(np.abs(kernel).max(initial=0.0))
    rgb = np.ascontiguousarray(tile_colours(kernel, scale))  # one table look-up, not a pixel at a time
    image = QtGui.QImage(rgb.tobytes(), cols, rows, 3 * cols, QtGui.QImage.Format.Format_RGB888).copy()
    longest = max(rows, cols)
    side = side - side % longest if longest <= side else longest  # whole pixels per cell
    pixmap = QtGui.QPixmap.fromImage(image.scaled(side, side, QtCore.Qt.AspectRatioMode.IgnoreAspectRatio,
                                                  QtCore.Qt.TransformationMode.FastTransformation))
    return QtGui.QIcon(pixmap)


class _OutlinedCheckDelegate(QtWidgets.QStyledItemDelegate):
    """Draws a visible outline round each row's check box (Fusion's is invisible on a dark base)."""

    def paint(self, painter, option, index):
        super().paint(painter, option, index)
        opt = QtWidgets.QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QtWidgets.QApplication.style()
        rect = style.subElementRect(QtWidgets.QStyle.SubElement.SE_ItemViewItemCheckIndicator, opt, widget)
        painter.save()
        painter.setPen(QtGui.QPen(opt.palette.color(QtGui.QPalette.ColorRole.PlaceholderText), 1))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QtCore.QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 2, 2)
        painter.restore()


class BankList(QtWidgets.QListWidget):
    """The filters of a bank, in order; the current row is the selected filter.

    Double-click or F2 renames, the box enables, Delete removes, Ctrl+Up/Down (or
    dragging) reorders.

    Signals
    -------
    renamed(index, text)
        The person typed a new name (not checked: the owner validates it).
    toggled(index, enabled)
    moved(index, to)
        A row was dragged from ``index`` to position ``to``.
    remove_requested()
    move_requested(delta)
        Ctrl+Up (−1) or Ctrl+Down (+1) on the current row.
    """

    renamed = QtCore.Signal(int, str)
    toggled = QtCore.Signal(int, bool)
    moved = QtCore.Signal(int, int)
    remove_requested = QtCore.Signal()
    move_requested = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._bank: FilterBank | None = None
        self._shown: list = []  # the Filter each row shows: filters are immutable, so `is` means unchanged
        self.setIconSize(QtCore.QSize(_ICON_SIDE, _ICON_SIDE))
        self.setItemDelegate(_OutlinedCheckDelegate(self))
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        triggers = QtWidgets.QAbstractItemView.EditTrigger
        self.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed)
        self.setDragDropMode(QtWidgets.QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(QtCore.Qt.DropAction.MoveAction)
        self.setUniformItemSizes(True)
        self.setSpacing(1)
        self.itemChanged.connect(self._on_item_changed)
        self.model().rowsMoved.connect(self._on_rows_moved)

    def set_bank(self, bank: FilterBank, current: int) -> None:
        """Show ``bank`` with row ``current`` selected; rows are updated in place."""
        self._bank = bank
        blocked = self.blockSignals(True)
        try:
            while self.count() > len(bank):
                self.takeItem(self.count() - 1)
            del self._shown[len(bank):]
            for index, item_filter in enumerate(bank.filters):
                item = self.item(index)
                if item is None:
                    item = QtWidgets.QListWidgetItem()
                    flags = item.flags() | QtCore.Qt.ItemFlag.ItemIsEditable | QtCore.Qt.ItemFlag.ItemIsUserCheckable
                    # drops land between rows (a move), never onto a row (which would overwrite it)
                    item.setFlags(flags & ~QtCore.Qt.ItemFlag.ItemIsDropEnabled)
                    self.addItem(item)
                    self._shown.append(None)
                if self._shown[index] is not item_filter or item.text() != item_filter.name:
                    self._show_filter(item, item_filter)
                    self._shown[index] = item_filter
            self.setCurrentRow(current)
        finally:
            self.blockSignals(blocked)

    def _show_filter(self, item: QtWidgets.QListWidgetItem, item_filter) -> None:
        item.setText(item_filter.name)
        state = QtCore.Qt.CheckState.Checked if item_filter.enabled else QtCore.Qt.CheckState.Unchecked
        item.setCheckState(state)
        item.setIcon(kernel_icon(item_filter.weights))
        font = self.font()
        font.setItalic(not item_filter.enabled)
        item.setFont(font)
        disabled = self.palette().color(QtGui.QPalette.ColorGroup.Disabled, QtGui.QPalette.ColorRole.Text)
        item.setForeground(self.palette().text() if item_filter.enabled else QtGui.QBrush(disabled))
        f, n_c = item_filter.size, item_filter.channels
        item.setToolTip(
            f"{item_filter.name}: {f}×{f}×{n_c} weights, bias {item_filter.bias:g}"
            f"{'' if item_filter.enabled else ' (off: its map is not computed)'}\n"
            "Tick to compute its map · double-click or F2 renames · drag or Ctrl+↑/↓ reorders · Delete removes"
        )

    def _on_item_changed(self, item: QtWidgets.QListWidgetItem) -> None:
        if self._bank is None:
            return
        index = self.row(item)
        if not 0 <= index < len(self._bank):
            return
        current = self._bank[index]
        enabled = item.checkState() == QtCore.Qt.CheckState.Checked
        if item.text() != current.name:
            self.renamed.emit(index, item.text())
        elif enabled != current.enabled:
            self.toggled.emit(index, enabled)

    def _on_rows_moved(self, _parent, start: int, _end: int, _destination, row: int) -> None:
        # Qt gives the row *before which* the item lands, counted before it left.
        to = row - 1 if row > start else row
        if to != start:
            self.moved.emit(start, to)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers()
        if self.state() != QtWidgets.QAbstractItemView.State.EditingState:
            if key in (QtCore.Qt.Key.Key_Delete, QtCore.Qt.Key.Key_Backspace) and not modifiers:
                self.remove_requested.emit()
                return
            if modifiers == QtCore.Qt.KeyboardModifier.ControlModifier and key in (
                QtCore.Qt.Key.Key_Up, QtCore.Qt.Key.Key_Down
            ):
                self.move_requested.emit(-1 if key == QtCore.Qt.Key.Key_Up else 1)
                return
        super().keyPressEvent(event)


class BankPanel(QtWidgets.QWidget):
    """:class:`BankList` with its title, "K = n of 32" and the buttons that edit the bank.

    ``header`` is the title row's layout, for the owner to add controls to.

    Signals
    -------
    add_requested(), duplicate_requested(), remove_requested()
    move_requested(delta)
        −1 up, +1 down.
    """

    add_requested = QtCore.Signal()
    duplicate_requested = QtCore.Signal()
    remove_requested = QtCore.Signal()
    move_requested = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.header = QtWidgets.QHBoxLayout()
        self.title = QtWidgets.QLabel("Filter bank", objectName="bankTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.count = QtWidgets.QLabel(objectName="filterCount")
        self.count.setToolTip(f"K filters in the bank (1 to {MAX_FILTERS}); each one makes a feature map")
        self.header.addWidget(self.title)
        self.header.addSpacing(8)
        self.header.addWidget(self.count)
        self.header.addStretch(1)
        layout.addLayout(self.header)

        self.list = BankList(self)
        self.list.setObjectName("bankList")
        self.list.setMinimumHeight(120)
        self.list.remove_requested.connect(self.remove_requested)
        self.list.move_requested.connect(self.move_requested)
        layout.addWidget(self.list, 1)

        row = QtWidgets.QHBoxLayout()
        row.setSpacing(4)
        self._tips: dict[QtWidgets.QToolButton, str] = {}
        self.add = self._button(row, "addFilter", "Add", "Add an identity filter at the end (Insert or Ctrl+N)",
                                self.add_requested.emit)
        self.duplicate = self._button(row, "duplicateFilter", "Duplicate", "Copy the selected filter (Ctrl+D)",
                                      self.duplicate_requested.emit)
        self.remove = self._button(row, "removeFilter", "Remove", "Remove the selected filter (Delete in the list)",
                                   self.remove_requested.emit)
        self.up = self._button(row, "moveFilterUp", "▲", "Move the selected filter up (Ctrl+Up in the list)",
                               lambda: self.move_requested.emit(-1))
        self.down = self._button(row, "moveFilterDown", "▼", "Move the selected filter down (Ctrl+Down in the list)",
                                 lambda: self.move_requested.emit(1))
        row.addStretch(1)
        layout.addLayout(row)

    def _button(self, row: QtWidgets.QHBoxLayout, name: str, text: str, tip: str, slot) -> QtWidgets.QToolButton:
        button = QtWidgets.QToolButton(self, objectName=name, text=text, toolTip=tip)
        button.clicked.connect(slot)
        self._tips[button] = tip
        row.addWidget(button)
        return button

    def set_title(self, layer_title: str | None) -> None:
        """Name the layer the bank belongs to ("CONV2 · filter bank"); None for a lone bank."""
        self.title.setText(f"{layer_title} · filter bank" if layer_title else "Filter bank")

    def set_bank(self, bank: FilterBank, current: int) -> None:
        """Show ``bank`` with row ``current`` selected; buttons that cannot act are disabled."""
        self.list.set_bank(bank, current)
        enabled = len(bank.active)
        self.count.setText(f"K = {len(bank)} of {MAX_FILTERS}" + ("" if enabled == len(bank) else f" · {enabled} on"))
        full, single = len(bank) >= MAX_FILTERS, len(bank) <= 1
        for button, usable, why in ((self.add, not full, "the bank is full"),
                                    (self.duplicate, not full, "the bank is full"),
                                    (self.remove, not single, "the last filter cannot go"),
                                    (self.up, current > 0, "already first"),
                                    (self.down, current < len(bank) - 1, "already last")):
            button.setEnabled(usable)
            button.setToolTip(self._tips[button] if usable else f"{self._tips[button]} — {why}")
