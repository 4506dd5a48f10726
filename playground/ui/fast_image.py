"""An ImageItem whose picture is kept in the format Qt paints fastest.

pyqtgraph turns a uint8 map with a colour table into an 8-bit indexed QImage, and
an RGB picture into a 24-bit one. Qt's raster painter converts either to 32-bit
on every ``drawImage``, while the GUI thread holds Python's lock (PySide does not
release it around painting), so the frame worker waits too. Measured on a 2-core
Zen 3, drawing a 640×480 indexed picture at 1.3× took 3.3 ms, the same picture
converted once to RGB32 0.4 ms, the conversion itself 0.4 ms. The conversion is
done once per new picture here, not once per paint.
"""

from __future__ import annotations

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
        super().__init__(*args, **kwargs)
        self.setAutoDownsample(False)

    def render(self) -> None:
        super().render()
        qimage = getattr(self, "qimage", None)
        if qimage is not None and qimage.format() not in _FAST:
            self.qimage = qimage.convertToFormat(QtGui.QImage.Format.Format_RGB32)
