"""Weight cells a person types into or nudges with the wheel: one kernel channel as an
f×f grid (:class:`KernelGrid`), and the shared cell table the 1×1 mixing matrix uses too.

The grid is a view: it shows the values it is given (:meth:`KernelGrid.set_kernel`)
and reports what the person asked for (:attr:`WeightCells.cell_edited`); the owner
builds the new filter and hands the values back. Text that is not a usable weight
never leaves the grid: the cell keeps its value and :attr:`WeightCells.refused` says why.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.render.colormaps import DIVERGING, lut

__all__ = ["KernelGrid", "WeightCells", "tile_colours", "parse_weight", "format_weight", "cell_colours",
           "MAX_WEIGHT", "VALUE_ROLE"]

MAX_WEIGHT = 1e6
VALUE_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1
_FILL_ROLE = QtCore.Qt.ItemDataRole.UserRole + 2  # QColor of the tile
_INK_ROLE = QtCore.Qt.ItemDataRole.UserRole + 3   # QColor of the text

# Wheel steps: plain, with Shift (coarse), with Ctrl (fine).
WHEEL_STEP, WHEEL_STEP_COARSE, WHEEL_STEP_FINE = 0.1, 1.0, 0.01
_NOTCH = 120  # angleDelta units per wheel notch

_DIVERGING = lut(DIVERGING)  # the maps' colour table, so a cell looks like what it produces
_TEXT_LIGHT, _TEXT_DARK, _TEXT_ZERO = QtGui.QColor("#f2f2f2"), QtGui.QColor("#111111"), QtGui.QColor("#7d828a")
_CELL_EDGE = QtGui.QColor("#3a3d42")


def parse_weight(text: str) -> float:
    """A weight from what a person typed: ``0.5``, ``-1``, ``1e-3``, ``0,5`` or ``1/9``.

    Raises ValueError with a sentence for the person when the text is empty, not a
    number, NaN, infinite, or beyond ±1e6.
    """
    cleaned = str(text).strip().replace("−", "-").replace(",", ".").replace(" ", "")
    if not cleaned:
        raise ValueError("a weight cannot be empty: type a number such as 0.5, -1 or 1/9")
    try:
        if "/" in cleaned:
            numerator, denominator = cleaned.split("/", 1)
            value = float(numerator) / float(denominator)
        else:
            value = float(cleaned)
    except ZeroDivisionError:
        raise ValueError("a fraction cannot divide by 0: type a number such as 0.5, -1 or 1/9") from None
    except ValueError:
        raise ValueError(f"{str(text).strip()!r} is not a number: type a number such as 0.5, -1 or 1/9") from None
    if not math.isfinite(value):
        raise ValueError("weights must be finite numbers: NaN and infinity are refused")
    if abs(value) > MAX_WEIGHT:
        raise ValueError(f"{text.strip()} is too large: weights must lie within ±1e6")
    return value


def format_weight(value: float) -> str:
    """Short text for a cell: up to 3 decimals, trailing zeros trimmed, ≈0 for tiny values."""
    value = float(value)
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e4:
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"{mantissa.removesuffix('.0')}e{int(exponent)}"
    decimals = 3 if magnitude < 10 else 2 if magnitude < 100 else 1 if magnitude < 1000 else 0
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "≈0" if text in ("0", "-0") else text


def full_text(value: float) -> str:
    """The value as typed back into an editor: the shortest text that gives the same float32."""
    value = np.float32(value)
    if value != 0 and not 1e-4 <= abs(value) < 1e7:
        return np.format_float_scientific(value, unique=True, trim="-")
    return np.format_float_positional(value, unique=True, trim="-")


def cell_colours(value: float, scale: float) -> tuple[QtGui.QColor, QtGui.QColor]:
    """(background, text) for ``value`` on the diverging scale ±``scale``."""
    t = 0.5 + 0.5 * (value / scale if scale > 0 else 0.0)
    r, g, b = (int(v) for v in _DIVERGING[int(round(min(1.0, max(0.0, t)) * 255))])
    background = QtGui.QColor(r, g, b)
    if value == 0:
        return background, _TEXT_ZERO
    luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
    return background, _TEXT_DARK if luminance > 0.5 else _TEXT_LIGHT


def tile_colours(values, scale: float) -> np.ndarray:
    """The tiles' colours of :func:`cell_colours` for a whole array at once: (..., 3) uint8 RGB."""
    values = np.asarray(values, np.float64)
    t = 0.5 + 0.5 * (values / scale if scale > 0 else np.zeros_like(values))
    return _DIVERGING[np.rint(np.clip(t, 0.0, 1.0) * 255).astype(np.intp)]


def cell_size(f: int) -> int:
    """Pixels per cell: roomy for small kernels, tighter so an 11×11 one fits the ~380-pixel editor."""
    return 44 if f <= 7 else 38 if f <= 9 else 31


def _fitted_font(font: QtGui.QFont, text: str, width: int) -> QtGui.QFont:
    """``font``, made smaller (down to 6 pt) until ``text`` fits ``width`` pixels: "-0.009" in a small cell."""
    fitted = QtGui.QFont(font)
    size = fitted.pointSizeF()
    while size > 6 and QtGui.QFontMetrics(fitted).horizontalAdvance(text) > width:
        size -= 0.5
        fitted.setPointSizeF(size)
    return fitted


class _CellDelegate(QtWidgets.QStyledItemDelegate):
    """Paints a cell as a coloured tile and edits it with a line edit parsed on commit."""

    def __init__(self, grid: WeightCells):
        super().__init__(grid)
        self._grid = grid

    def createEditor(self, parent, option, index):
        editor = QtWidgets.QLineEdit(parent)
        editor.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        editor.setFrame(False)
        editor.setFont(option.font)
        return editor

    def setEditorData(self, editor, index):
        editor.setText(full_text(index.data(VALUE_ROLE) or 0.0))
        editor.selectAll()

    def setModelData(self, editor, model, index):
        # The grid never writes the model itself: its owner answers with set_kernel.
        self._grid.commit_text(index.row(), index.column(), editor.text())

    def paint(self, painter, option, index):
        painter.save()
        try:
            self._paint_cell(painter, option, index)
        finally:
            painter.restore()

    def _paint_cell(self, painter, option, index):
        rect = QtCore.QRect(option.rect).adjusted(1, 1, -1, -1)
        painter.fillRect(rect, index.data(_FILL_ROLE) or QtGui.QColor(_CELL_EDGE))
        painter.setPen(QtGui.QPen(_CELL_EDGE, 1))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.setPen(index.data(_INK_ROLE) or _TEXT_LIGHT)
        text = index.data(QtCore.Qt.ItemDataRole.DisplayRole) or ""
        painter.setFont(self._grid.cell_font or option.font)
        painter.drawText(rect, QtCore.Qt.AlignmentFlag.AlignCenter, text)
        centre = self._grid.centre
        if index.row() == centre and index.column() == centre:
            # the cell that lines up with the output pixel under "same" padding
            painter.setPen(QtCore.Qt.PenStyle.NoPen)
            painter.setBrush(QtGui.QColor(255, 255, 255, 150))
            corner = rect.topLeft() + QtCore.QPoint(2, 2)
            painter.drawPolygon(QtGui.QPolygon([corner, corner + QtCore.QPoint(7, 0), corner + QtCore.QPoint(0, 7)]))
        if option.state & QtWidgets.QStyle.StateFlag.State_Selected:
            focused = self._grid.hasFocus()
            colour = option.palette.color(QtGui.QPalette.ColorRole.Highlight) if focused else QtGui.QColor("#9aa0a6")
            painter.setPen(QtGui.QPen(colour, 2))
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -1, -1))


class WeightCells(QtWidgets.QTableWidget):
    """A table of weight cells, coloured by value on the maps' diverging scale.

    The shared behaviour of the f×f kernel grid and the 1×1 mixing matrix: type a
    number to replace a cell (Enter, Tab or clicking elsewhere commits; Esc
    cancels); arrows move; Delete sets 0; the wheel nudges by 0.1 (Shift 1, Ctrl
    0.01). Subclasses decide the shape, the headers and what a cell is called.

    Signals
    -------
    cell_edited(row, col, value)
        The person set a cell to a new, valid value (not yet shown: the owner
        answers with the new values).
    refused(message)
        What the person typed is not a weight; the cell kept its value.
    """

    cell_edited = QtCore.Signal(int, int, float)
    refused = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._values = np.zeros((0, 0))
        self._scale = 0.0                  # the |w| of the strongest colour now shown
        self._widths = np.zeros((0, 0), int)  # each cell's text width, to fit one font to the widest
        self._wheel_rest = 0
        self.centre = -1  # the cell marked as the output pixel's (none unless a subclass says)
        self.cell_font: QtGui.QFont | None = None  # one size for every cell, so the numbers compare
        self.setItemDelegate(_CellDelegate(self))
        self.setShowGrid(False)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        triggers = QtWidgets.QAbstractItemView.EditTrigger
        self.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed)

    def values(self) -> np.ndarray:
        """The values shown, float64."""
        return self._values.copy()

    def _show_values(self, values: np.ndarray, relabel: bool = False) -> None:
        """Fill the existing rows × columns with ``values``; colours scaled by the largest |w|.

        Only cells whose value changed get new text (all get new colours when the
        scale moved): a 64 × 64 mixing matrix stays quick to edit one cell at a
        time. ``relabel`` redoes every cell (the names in the tooltips changed).
        """
        new = np.array(values, np.float64)
        scale = float(np.abs(new).max(initial=0.0))
        full = relabel or new.shape != self._values.shape
        changed = np.ones(new.shape, bool) if full else new != self._values
        recolour = full or scale != self._scale
        self._values, self._scale = new, scale
        if full:
            self._widths = np.zeros(new.shape, int)
        metrics = QtGui.QFontMetrics(self.font())
        for row, col in np.argwhere(np.ones(new.shape, bool) if recolour else changed):
            value = float(new[row, col])
            item = self.item(row, col)
            if item is None:
                item = QtWidgets.QTableWidgetItem()
                item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
                self.setItem(row, col, item)
            if changed[row, col]:
                text = format_weight(value)
                item.setData(VALUE_ROLE, value)
                item.setText(text)
                item.setToolTip(self._cell_tip(row, col, value))
                self._widths[row, col] = metrics.horizontalAdvance(text)
            background, text_colour = cell_colours(value, scale)
            item.setData(_FILL_ROLE, background)
            item.setData(_INK_ROLE, text_colour)
        if changed.any():
            widest = np.unravel_index(int(np.argmax(self._widths)), new.shape) if new.size else None
            text = format_weight(new[widest]) if widest is not None else ""
            self.cell_font = _fitted_font(self.font(), text, self.horizontalHeader().defaultSectionSize() - 6)

    def _where(self, row: int, col: int) -> str:
        """What a cell is called in a tooltip or a refusal."""
        return f"Row {row + 1}, column {col + 1}"

    def _cell_tip(self, row: int, col: int, value: float) -> str:
        return (f"{self._where(row, col)}: {full_text(value)}\nType a number (or 1/9) and press Enter; "
                "wheel ±0.1, Shift+wheel ±1, Ctrl+wheel ±0.01; Delete sets 0")

    # --- what the person does ------------------------------------------------------
    def commit_text(self, row: int, col: int, text: str) -> None:
        """Take typed ``text`` for a cell: emit :attr:`cell_edited` or :attr:`refused`."""
        old = float(self._values[row, col])
        try:
            value = parse_weight(text)
        except ValueError as exc:
            self.refused.emit(f"{self._where(row, col)}: {exc}; the cell keeps {format_weight(old)}")
            return
        self._commit_value(row, col, value)

    def _commit_value(self, row: int, col: int, value: float) -> None:
        if np.float32(value) != np.float32(self._values[row, col]):
            self.cell_edited.emit(row, col, float(value))

    def nudge(self, row: int, col: int, steps: float) -> None:
        """Add ``steps`` to a cell (what the wheel does), kept within ±1e6."""
        value = round(float(self._values[row, col]) + steps, 6)
        self._commit_value(row, col, min(MAX_WEIGHT, max(-MAX_WEIGHT, value)))

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        editing = self.state() == QtWidgets.QAbstractItemView.State.EditingState
        index = self.currentIndex()
        if not editing and index.isValid() and event.modifiers() in (
            QtCore.Qt.KeyboardModifier.NoModifier, QtCore.Qt.KeyboardModifier.KeypadModifier
        ):
            key = event.key()
            if key in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter):
                self.edit(index)
                return
            if key in (QtCore.Qt.Key.Key_Delete, QtCore.Qt.Key.Key_Backspace):
                self._commit_value(index.row(), index.column(), 0.0)
                return
        super().keyPressEvent(event)

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if not index.isValid():
            event.ignore()
            return
        event.accept()
        # Shift turns the wheel sideways on some platforms: take whichever axis moved.
        delta = event.angleDelta().y() or event.angleDelta().x()
        self._wheel_rest += delta
        notches = int(self._wheel_rest / _NOTCH)  # trackpads send small deltas: add them up
        if not notches:
            return
        self._wheel_rest -= notches * _NOTCH
        modifiers = event.modifiers()
        if modifiers & QtCore.Qt.KeyboardModifier.ShiftModifier:
            step = WHEEL_STEP_COARSE
        elif modifiers & QtCore.Qt.KeyboardModifier.ControlModifier:
            step = WHEEL_STEP_FINE
        else:
            step = WHEEL_STEP
        self.setCurrentIndex(index)
        self.nudge(index.row(), index.column(), notches * step)


class KernelGrid(WeightCells):
    """An f×f grid of weight cells: one kernel channel.

    See :class:`WeightCells` for what the person can do and the signals.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.centre = 0
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.hide()
            header.setMinimumSectionSize(8)
            header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Fixed, QtWidgets.QSizePolicy.Policy.Fixed)
        self.set_kernel(np.zeros((3, 3)))
        self.setCurrentCell(0, 0)

    def set_kernel(self, kernel) -> None:
        """Show the (f, f) ``kernel``; colours are scaled by its largest |w|."""
        values = np.asarray(kernel, np.float64)
        if values.ndim != 2 or values.shape[0] != values.shape[1]:
            raise ValueError(f"the grid shows an f×f kernel; got shape {values.shape}")
        f = values.shape[0]
        if f != self.rowCount():
            self._resize_grid(f)
        self._show_values(values)

    def _resize_grid(self, f: int) -> None:
        self.setRowCount(f)
        self.setColumnCount(f)
        self.centre = (f - 1) // 2
        size = cell_size(f)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setDefaultSectionSize(size)
        font = QtGui.QFont(self.font())
        if f > 7:
            font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        self.setFont(font)
        side = f * size + 2 * self.frameWidth()
        self.setFixedSize(side, side)
        row, col = min(max(self.currentRow(), 0), f - 1), min(max(self.currentColumn(), 0), f - 1)
        self.setCurrentCell(row, col)

    def _where(self, row: int, col: int) -> str:
        where = f"Row {row + 1}, column {col + 1}"
        return where + " (centre: lines up with the output pixel)" if row == col == self.centre else where
