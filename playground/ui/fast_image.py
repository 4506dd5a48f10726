"""An ImageItem whose picture is kept in the format Qt paints fastest.

pyqtgraph turns a uint8 map with a colour table into an 8-bit indexed QImage, and
an RGB picture into a 24-bit one. Qt's raster painter converts either to 32-bit
on every ``drawImage``, while the GUI thread holds Python's lock (PySide does not
release it around painting), so the frame worker waits too. Measured on a 2-core
Zen 3, drawing a 640×480 indexed picture at 1.3× took 3.3 ms, the same picture
converted once to RGB32 0.4 ms, the conversion itself 0.4 ms. The conversion is
done once per new picture here, not once per paint.

For the common case, 8-bit colour indices through a 256-entry colour table, the
32-bit picture is made directly by one table look-up (the table packed as
0xffRRGGBB once per table), skipping pyqtgraph's per-frame colour-table list
and the conversion.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

__all__ = ["FastImageItem"]

_FAST = (QtGui.QImage.Format.Format_RGB32, QtGui.QImage.Format.Format_ARGB32_Premultiplied)


class FastImageItem(pg.ImageItem):
    """``pg.ImageItem`` (row-major) whose rendered QImage is converted to RGB32 once.

    Only opaque pictures are shown here (maps through a colour table, the input
    frame), so RGB32 loses nothing.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("axisOrder", "row-major")
        self._packed_source = self._packed = self._pixels32 = None   # see _render_indexed
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
        RGB32 picture by one look-up. False when the picture is anything else."""
        image, table, levels = self.image, self.lut, self.levels
        if not (isinstance(image, np.ndarray) and image.ndim == 2 and image.dtype == np.uint8 and image.size
                and isinstance(table, np.ndarray) and table.shape == (256, 3) and table.dtype == np.uint8):
            return False
        if levels is not None and tuple(np.ravel(levels)) != (0, 255):
            return False
        if self._packed_source is not table:
            rgb = table.astype(np.uint32)
            self._packed = (0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).astype(np.uint32)
            self._packed_source = table
        # (h, w) uint32, reused from frame to frame (render and paint both run on the GUI
        # thread, so the last picture is painted before this buffer is written again)
        pixels = self._pixels32
        if pixels is None or pixels.shape != image.shape:
            pixels = self._pixels32 = np.empty(image.shape, np.uint32)
        np.take(self._packed, image, out=pixels)
        h, w = image.shape
        self.qimage = QtGui.QImage(pixels.data, w, h, 4 * w, QtGui.QImage.Format.Format_RGB32)
        self._renderRequired = False
        self._unrenderable = False
        return True
