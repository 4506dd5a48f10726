"""A small grid of numbers, drawn cell by cell: the inspector's windows, kernels and products.

One widget paints the whole grid (no widget per cell): each cell is coloured by
its value on a diverging scale and carries its number, written by the one cell
rule (:func:`~playground.render.numbers.format_cell`, noise reads 0). Cells can
be marked as padding (hatched, "0" in grey), highlighted (a pool's winner), or
left empty (NaN: not computed yet, in the sliding window).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.render.numbers import format_cell, map_scale

from . import theme

__all__ = ["NumberGrid", "value_colour"]

_NEGATIVE = QtGui.QColor(70, 140, 230)
_POSITIVE = QtGui.QColor(240, 150, 60)
_ZERO = QtGui.QColor(32, 34, 40)


def value_colour(value: float, scale: float) -> QtGui.QColor:
    """Blue for negative, orange for positive, dark for 0: the maps' diverging idea, simplified."""
    if not math.isfinite(value) or scale <= 0:
        return QtGui.QColor(_ZERO)
    t = min(1.0, abs(value) / scale)
    end = _POSITIVE if value > 0 else _NEGATIVE
    return QtGui.QColor(*(round(_ZERO.getRgb()[i] + (end.getRgb()[i] - _ZERO.getRgb()[i]) * t) for i in range(3)))


class NumberGrid(QtWidgets.QWidget):
    """A titled grid of numbers.

    Parameters
    ----------
    title : str
        Drawn above the grid (e.g. "window · R", "kernel", "products").
    cell_px : int
        Side of a cell on screen; numbers shrink to fit it.
    """

    def __init__(self, title: str = "", cell_px: int = 34, parent=None):
        super().__init__(parent)
        self.title = title
        self.cell_px = int(cell_px)
        self.values = np.zeros((0, 0), np.float32)
        self.padding: np.ndarray | None = None
        self.highlight: tuple[int, int] | None = None
        self.frame: tuple[int, int, int, int] | None = None   # (top, left, height, width) outlined
        self.taps: tuple = ()   # cells outlined one by one (a dilated kernel's taps)
        self.scale = 0.0
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Fixed, QtWidgets.QSizePolicy.Policy.Fixed)

    def set_values(self, values, *, padding=None, highlight=None, scale: float | None = None,
                   title: str | None = None, frame=None, taps=()) -> None:
        """Show ``values`` (2-D).

        Parameters
        ----------
        values : array (h, w)
            NaN cells are drawn empty.
        padding : bool array (h, w), optional
            True where a cell is a padding zero (hatched).
        highlight : (row, col), optional
            A cell drawn with a bright border (the max pool's winner, the current step).
        scale : float, optional
            Magnitude for colours and for reading noise as 0; default the values' own.
        title : str, optional
        frame : (top, left, height, width), optional
            A block outlined in white (the window on the padded input).
        taps : sequence of (row, col), optional
            Cells outlined one by one inside the frame (with dilation the kernel
            reads every d-th cell: the gaps are left unmarked).
        """
        self.values = np.asarray(values, dtype=np.float64)
        if self.values.ndim != 2:
            raise ValueError(f"a number grid shows 2-D values; got shape {self.values.shape}")
        self.padding = None if padding is None else np.asarray(padding, bool)
        self.highlight = highlight
        self.frame = frame
        self.taps = tuple(taps)
        self.scale = map_scale(self.values) if scale is None else float(scale)
        if title is not None:
            self.title = title
        self.updateGeometry()
        self.adjustSize()
        self.update()

    def _title_height(self) -> int:
        return self.fontMetrics().height() + 4 if self.title else 0

    def sizeHint(self) -> QtCore.QSize:
        h, w = self.values.shape if self.values.size else (1, 1)
        title_w = self.fontMetrics().horizontalAdvance(self.title) + 4 if self.title else 0
        return QtCore.QSize(max(w * self.cell_px + 1, title_w), h * self.cell_px + 1 + self._title_height())

    def minimumSizeHint(self) -> QtCore.QSize:
        return self.sizeHint()

    def cell_text(self, row: int, col: int) -> str:
        """The number written in cell (row, col) ("" for an empty cell)."""
        value = float(self.values[row, col])
        return "" if math.isnan(value) else format_cell(value, self.scale)

    def paintEvent(self, event) -> None:
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        top = self._title_height()
        if self.title:
            painter.setPen(QtGui.QColor(theme.MUTED))
            painter.drawText(QtCore.QRect(0, 0, self.width(), top), QtCore.Qt.AlignmentFlag.AlignLeft, self.title)
        if not self.values.size:
            return
        size = self.cell_px
        h, w = self.values.shape
        texts = [[self.cell_text(row, col) for col in range(w)] for row in range(h)]
        font = painter.font()
        font.setPointSizeF(max(6.0, min(10.0, size / 4.2)))
        # the longest number must fit a cell: shrink the font for "0.0235" rather than elide it
        widest = max((QtGui.QFontMetrics(font).horizontalAdvance(t) for line in texts for t in line), default=0)
        if widest > size - 3:
            font.setPointSizeF(max(6.0, font.pointSizeF() * (size - 3) / widest))
        painter.setFont(font)
        metrics = QtGui.QFontMetrics(font)
        grid_pen = QtGui.QPen(QtGui.QColor(theme.BORDER), 1)
        hatch = QtGui.QBrush(QtGui.QColor(90, 90, 100), QtCore.Qt.BrushStyle.BDiagPattern)
        for row in range(h):
            for col in range(w):
                rect = QtCore.QRect(col * size, top + row * size, size, size)
                value = float(self.values[row, col])
                on_padding = self.padding is not None and bool(self.padding[row, col])
                painter.fillRect(rect, value_colour(value, self.scale))
                if on_padding:
                    painter.fillRect(rect, hatch)
                painter.setPen(grid_pen)
                painter.drawRect(rect)
                text = texts[row][col]
                if text:
                    strong = self.scale > 0 and abs(value) > 0.6 * self.scale
                    painter.setPen(QtGui.QColor(theme.MUTED if on_padding else ("#111111" if strong else theme.TEXT)))
                    shown = metrics.elidedText(text, QtCore.Qt.TextElideMode.ElideRight, size - 2)
                    painter.drawText(rect, QtCore.Qt.AlignmentFlag.AlignCenter, shown)
        painter.setPen(QtGui.QPen(QtGui.QColor("white"), 1))
        for r, c in self.taps:
            painter.drawRect(QtCore.QRect(c * size + 2, top + r * size + 2, size - 4, size - 4))
        if self.frame is not None:
            r, c, fh, fw = self.frame
            painter.setPen(QtGui.QPen(QtGui.QColor("white"), 2))
            painter.drawRect(QtCore.QRect(c * size, top + r * size, fw * size, fh * size))
        if self.highlight is not None:
            r, c = self.highlight
            painter.setPen(QtGui.QPen(QtGui.QColor("#7CFC00"), 3))
            painter.drawRect(QtCore.QRect(c * size + 1, top + r * size + 1, size - 2, size - 2))
        painter.end()
