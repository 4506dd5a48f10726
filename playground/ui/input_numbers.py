"""Numbers written on the input picture's cells once they are big enough to read.

A typed matrix or the notes' 6×6 is a few cells shown hundreds of pixels wide:
each cell then carries its value as the first layer sees it (raw 10s and 0s, or
[0, 1]), written by the one cell rule (:func:`~playground.render.numbers.format_cell`).
One graphics item paints them all over the input view; it draws nothing while
cells are smaller than :data:`CELL_PX` on screen or the picture is large.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.render.numbers import format_cell, map_scale

from . import theme

__all__ = ["InputNumbers", "CELL_PX", "MAX_CELLS"]

CELL_PX = 20            # a cell this many screen pixels wide has room for "255" at 6 pt
MAX_CELLS = 64 * 64     # larger pictures are photos: their numbers are read in the inspector


class InputNumbers(QtWidgets.QGraphicsItem):
    """Paints the values of a small input over its picture (added to the input view's box)."""

    def __init__(self):
        super().__init__()
        self.values: np.ndarray | None = None     # (n_H, n_W, n_c) as the network sees it
        self.shown: np.ndarray | None = None      # uint8 RGB as drawn, for the text colour
        self._scale = 0.0
        self.setZValue(15)

    def set_input(self, values, shown) -> None:
        """The network's input and the picture drawn for it (same n_H × n_W)."""
        values = None if values is None else np.asarray(values)
        if values is not None and (values.ndim != 3 or values.shape[0] * values.shape[1] > MAX_CELLS):
            values = None
        if values is None and self.values is None:
            return
        if values is not None and self.values is not None and values.shape == self.values.shape \
                and np.array_equal(values, self.values):
            return   # a still picture: nothing to repaint
        self.prepareGeometryChange()
        self.values = None if values is None else values.copy()
        self.shown = shown
        self._scale = map_scale(values) if values is not None else 0.0
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        if self.values is None:
            return QtCore.QRectF()
        return QtCore.QRectF(0, 0, self.values.shape[1], self.values.shape[0])

    def texts(self, row: int, col: int) -> list[str]:
        """The lines written in cell (row, col): one per channel (up to 3)."""
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
        painter.save()
        painter.resetTransform()
        font = painter.font()
        font.setPointSizeF(max(6.0, min(11.0, cell_px / (4.5 * max(1, n_c - 0.5)))))
        painter.setFont(font)
        h, w = values.shape[:2]
        for row in range(h):
            for col in range(w):
                rect = transform.mapRect(QtCore.QRectF(col, row, 1, 1))
                bright = self.shown is not None and float(np.mean(self.shown[row, col])) > 140
                painter.setPen(QtGui.QColor("#111111" if bright else theme.TEXT))
                painter.drawText(rect, QtCore.Qt.AlignmentFlag.AlignCenter, "\n".join(self.texts(row, col)))
        painter.restore()
