"""Numbers written in the cells of a small map (the notes' 4×4), once they are big enough
on screen to read: the map panels' tiles and presentation mode's big map share this."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from playground.render.numbers import format_cell, map_scale

from . import theme

__all__ = ["VALUE_CELL_PX", "VALUE_MAX_CELLS", "few_cells", "shows_values", "paint_cell_values"]

# a cell must be this many screen pixels wide for its number, and the map this small
VALUE_CELL_PX = 30
VALUE_MAX_CELLS = 24 * 24


def few_cells(map_hw: tuple[int, int]) -> bool:
    """Whether a map of ``map_hw`` cells is small enough for its numbers (at any zoom)."""
    return map_hw[0] * map_hw[1] <= VALUE_MAX_CELLS


def shows_values(map_hw: tuple[int, int], cell_px: float) -> bool:
    """Whether a map of ``map_hw`` cells, each ``cell_px`` screen pixels wide, gets its numbers."""
    return few_cells(map_hw) and cell_px >= VALUE_CELL_PX


def paint_cell_values(painter: QtGui.QPainter, rect: QtCore.QRectF, values: np.ndarray, levels,
                      largest_pt: float = 10.0) -> None:
    """Write each cell's number of ``values`` (h, w) in its part of ``rect`` (screen pixels).

    The text is a fifth of a cell wide (at most ``largest_pt`` points); dark on the
    bright ends of the colour scale given by ``levels`` (low, high), light elsewhere.
    """
    h, w = values.shape
    step_x, step_y = rect.width() / w, rect.height() / h
    font = QtGui.QFont(painter.font())
    font.setPointSizeF(max(6.0, min(largest_pt, step_x / 5)))
    painter.setFont(font)
    low, high = levels
    strong_from = 0.6 * max(abs(float(low)), abs(float(high)))
    scale = map_scale(values)   # float32 noise reads 0 against the map's own size
    dark, light = QtGui.QColor("#111111"), QtGui.QColor(theme.TEXT)
    for row in range(h):
        for col in range(w):
            value = float(values[row, col])
            painter.setPen(dark if abs(value) > strong_from else light)
            cell = QtCore.QRectF(rect.left() + col * step_x, rect.top() + row * step_y, step_x, step_y)
            painter.drawText(cell, QtCore.Qt.AlignmentFlag.AlignCenter, format_cell(value, scale))
