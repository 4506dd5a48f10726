"""An ImageItem whose picture is kept in the format Qt paints fastest.

pyqtgraph turns a uint8 map with a colour table into an 8-bit indexed QImage, and
an RGB picture into a 24-bit one. Qt's raster painter converts either to 32-bit
on every ``drawImage``, while the GUI thread holds Python's lock (PySide does not
release it around painting), so the frame worker waits too. Measured on a 2-core
Zen 3, drawing a 640×480 indexed picture at 1.3× took 3.3 ms, the same picture
converted once to RGB32 0.4 ms, the conversion itself 0.4 ms. The conversion is
done once per new picture here, not once per paint.

For the common case, 8-bit colour indices through a 256-entry colour table, the
32-bit picture is made by Qt's own indexed → RGB32 conversion, with the table
packed as 0xffRRGGBB once per table: that skips pyqtgraph's per-frame colour-table
list, and took 0.29 ms for a 900×400 mosaic where a NumPy table look-up
(``np.take``) took 0.62 ms (2-core Zen 3).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

__all__ = ["FastImageItem", "indexed_to_rgb32"]

_FAST = (QtGui.QImage.Format.Format_RGB32, QtGui.QImage.Format.Format_ARGB32_Premultiplied)


def indexed_to_rgb32(pixels: np.ndarray, colours: list[int]) -> QtGui.QImage:
    """(h, w) uint8 colour indices through ``colours`` (256 0xAARRGGBB values) as an RGB32
    picture that owns its memory (the indices may be rewritten once this returns)."""
    rows = np.ascontiguousarray(pixels, np.uint8)   # held until the conversion has read it
    h, w = rows.shape
    indexed = QtGui.QImage(rows.data, w, h, rows.strides[0], QtGui.QImage.Format.Format_Indexed8)
    indexed.setColorTable(colours)
    return indexed.convertToFormat(QtGui.QImage.Format.Format_RGB32)


class FastImageItem(pg.ImageItem):
    """``pg.ImageItem`` (row-major) whose rendered QImage is converted to RGB32 once.

    Only opaque pictures are shown here (maps through a colour table, the input
    frame), so RGB32 loses nothing.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("axisOrder", "row-major")
        self._packed_source = self._colours = None   # see _render_indexed
        super().__init__(*args, **kwargs)
        self.setAutoDownsample(False)

    def render(self) -> None:
        if self._render_indexed():
            return
        super().render()
        qimage = getattr(self, "qimage", None)
        if qimage is not None and qimage.format() not in _FAST:
            self.qimage = qimage.convertToFormat(QtGui.QImage.Format.Format_RGB32)

    def _render_indexed(self) -> bool:
        """uint8 indices (h, w) through a (256, 3) uint8 table, levels none or 0–255: the
        RGB32 picture by Qt's conversion. False when the picture is anything else."""
        image, table, levels = self.image, self.lut, self.levels
        if not (isinstance(image, np.ndarray) and image.ndim == 2 and image.dtype == np.uint8 and image.size
                and isinstance(table, np.ndarray) and table.shape == (256, 3) and table.dtype == np.uint8):
            return False
        if levels is not None and tuple(np.ravel(levels)) != (0, 255):
            return False
        if self._packed_source is not table:
            rgb = table.astype(np.uint32)
            packed = 0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
            self._colours = [int(value) for value in packed]
            self._packed_source = table
        self.qimage = indexed_to_rgb32(image, self._colours)
        self._renderRequired = False
        self._unrenderable = False
        return True
