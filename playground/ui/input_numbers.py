"""Numbers written on the input picture's cells once they are big enough to read.

A typed matrix or the notes' 6×6 is a few cells shown hundreds of pixels wide:
each cell then carries its value as the first layer sees it (raw 10s and 0s, or
[0, 1]), written by the one cell rule (:func:`~playground.render.numbers.format_cell`).
One graphics item paints them over the input view, only for the cells in view:
zoomed in on a camera frame (mouse wheel), its pixels get their numbers too. It
draws nothing while cells are smaller than :data:`CELL_PX` on screen or more than
:data:`MAX_CELLS` cells are in view.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.render.numbers import format_cell, map_scale

from . import theme

__all__ = ["InputNumbers", "CELL_PX", "MAX_CELLS"]

CELL_PX = 20            # a cell this many screen pixels wide has room for "255" at 6 pt
MAX_CELLS = 64 * 64     # cells in view at most: more would not be readable anyway


class InputNumbers(QtWidgets.QGraphicsItem):
    """Paints the values of a small input over its picture (added to the input view's box)."""

    def __init__(self):
        super().__init__()
        self.values: np.ndarray | None = None     # (n_H, n_W, n_c) as the network sees it
        self.shown: np.ndarray | None = None      # uint8 RGB as drawn, for the text colour
        self._scale = 0.0
        self.setZValue(15)

    def set_input(self, values, shown) -> None:
        """The network's input and the picture drawn for it (same n_H × n_W); kept, not copied."""
        values = None if values is None else np.asarray(values)
        if values is not None and values.ndim != 3:
            values = None
        old_shape = None if self.values is None else self.values.shape
        if values is None and old_shape is None:
            return
        if (None if values is None else values.shape) != old_shape:
            self.prepareGeometryChange()
        self.values, self.shown = values, shown
        self._scale = 0.0 if values is None else -1.0   # computed when first painted
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        if self.values is None:
            return QtCore.QRectF()
        return QtCore.QRectF(0, 0, self.values.shape[1], self.values.shape[0])

    def texts(self, row: int, col: int) -> list[str]:
        """The lines written in cell (row, col): one per channel (up to 3)."""
        if self._scale < 0:   # noise is judged against the whole input's size
            self._scale = map_scale(self.values)
        return [format_cell(float(v), self._scale) for v in self.values[row, col, :3]]

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        values = self.values
        if values is None:
            return
        transform = painter.worldTransform()
        cell_px = transform.m11()
        n_c = min(3, values.shape[2])
        if cell_px < CELL_PX or cell_px < 14 * n_c:
            return   # too small to read (three channels need three lines)
        inverse, invertible = transform.inverted()
        if not invertible or widget is None:
            return
        seen = inverse.mapRect(QtCore.QRectF(widget.rect()))
        h, w = values.shape[:2]
        top, bottom = max(0, int(seen.top())), min(h, int(np.ceil(seen.bottom())))
        left, right = max(0, int(seen.left())), min(w, int(np.ceil(seen.right())))
        if bottom <= top or right <= left or (bottom - top) * (right - left) > MAX_CELLS:
            return
        # noise is judged against the numbers in view (the whole frame would cost a pass a frame)
        self._scale = map_scale(values[top:bottom, left:right])
        painter.save()
        painter.resetTransform()
        font = painter.font()
        font.setPointSizeF(max(6.0, min(11.0, cell_px / (4.5 * max(1, n_c - 0.5)))))
        painter.setFont(font)
        for row in range(top, bottom):
            for col in range(left, right):
                rect = transform.mapRect(QtCore.QRectF(col, row, 1, 1))
                bright = self.shown is not None and float(np.mean(self.shown[row, col])) > 140
                painter.setPen(QtGui.QColor("#111111" if bright else theme.TEXT))
                painter.drawText(rect, QtCore.Qt.AlignmentFlag.AlignCenter, "\n".join(self.texts(row, col)))
        painter.restore()
