"""Every layer's output as a small mosaic, one under the other: the picture moving through the network.

The frame loop draws the mosaics (:func:`playground.live.network_frame.overview`);
this widget only wraps them in an 8-bit indexed QImage and paints it scaled to fit.
Small maps are enlarged with crisp pixels (no smoothing: a 5×5 map shows its 25
cells). Clicking a layer selects it.

A plain painted image, not a pyqtgraph view: nothing here zooms or pans, and a
pyqtgraph ImageItem re-rendered each layer's mosaic through its levels and colour
table on every frame (about 2 ms of the GUI thread per layer on a 2-core laptop).
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.render.colormaps import DIVERGING, SEQUENTIAL, lut

from . import theme
from .elided_label import ElidedLabel
from .fast_image import indexed_to_rgb32

__all__ = ["NetworkOverview"]


def _colour_table(table: np.ndarray) -> list[int]:
    """A (256, 3) uint8 colour table as QImage's list of ARGB values."""
    return [QtGui.qRgb(int(r), int(g), int(b)) for r, g, b in table]


_TABLES = {signed: _colour_table(lut(DIVERGING if signed else SEQUENTIAL)) for signed in (False, True)}


class _CrispImage(QtWidgets.QWidget):
    """An 8-bit indexed picture drawn as large as fits, aspect kept, pixels crisp."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pixels: np.ndarray | None = None
        self._image: QtGui.QImage | None = None
        self.setMinimumSize(40, 40)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 (Qt's name)
        # what the pyqtgraph view it replaces asked for: the input column's splitter
        # shares its height between the input and the layers by these hints
        return QtCore.QSize(600, 480)

    def set_pixels(self, pixels: np.ndarray, table: list[int]) -> None:
        """Show ``pixels`` (h, w) uint8 colour indices through ``table`` (256 ARGB values)."""
        self.pixels = np.ascontiguousarray(pixels, np.uint8)
        # a converted copy: Qt paints RGB32 several times faster than an indexed image
        self._image = indexed_to_rgb32(self.pixels, table)
        self.update()

    def image_rect(self) -> QtCore.QRectF:
        """Where the picture lies in the widget (centred, aspect kept)."""
        if self._image is None or self._image.isNull():
            return QtCore.QRectF()
        w, h = self._image.width(), self._image.height()
        scale = min(self.width() / w, self.height() / h)
        return QtCore.QRectF((self.width() - w * scale) / 2, (self.height() - h * scale) / 2, w * scale, h * scale)

    def paintEvent(self, event) -> None:
        painter = QtGui.QPainter(self)
        painter.fillRect(self.rect(), QtGui.QColor(theme.WINDOW))
        if self._image is not None and not self._image.isNull():
            painter.drawImage(self.image_rect(), self._image)   # no SmoothPixmapTransform: crisp cells
        painter.end()


class _LayerView(QtWidgets.QFrame):
    """One layer: its title and its mosaic."""

    clicked = QtCore.Signal(int)

    def __init__(self, index: int, parent=None):
        super().__init__(parent)
        self.index = index
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.setSpacing(1)
        self.title = ElidedLabel()   # the strip shares the centre column: titles must not widen it
        self.picture = _CrispImage()
        layout.addWidget(self.title)
        layout.addWidget(self.picture, 1)

    def mousePressEvent(self, event) -> None:
        self.clicked.emit(self.index)
        super().mousePressEvent(event)

    def show_layer(self, entry, selected: bool) -> None:
        self.picture.set_pixels(entry.pixels, _TABLES[bool(entry.signed)])   # indices + colour table
        text = f"{'▶ ' if selected else ''}{entry.title}"
        if text != self.title.text():
            self.title.setText(text)
            self.title.setStyleSheet(f"color: {theme.WARNING if selected else theme.TEXT};"
                                     + (" font-weight: 600;" if selected else ""))
            self.title.setToolTip(f"Layer {entry.index + 1}'s output, one tile per filter (each on its own "
                                  "scale); click to show this layer in the big views")


class NetworkOverview(QtWidgets.QWidget):
    """Every layer's maps, small, top to bottom (under the input).

    Signals
    -------
    layer_clicked(int)
    """

    layer_clicked = QtCore.Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._row = QtWidgets.QVBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(4)
        self.views: list[_LayerView] = []

    def show_overview(self, entries, selected: int) -> None:
        """Show ``entries`` (LayerOverview, one per layer); hidden for a one-layer network."""
        if len(entries) != len(self.views):
            for view in self.views:
                self._row.removeWidget(view)
                view.deleteLater()
            self.views = []
            for entry in entries:
                view = _LayerView(entry.index, self)
                view.clicked.connect(self.layer_clicked)
                self._row.addWidget(view, 1)
                self.views.append(view)
        for view, entry in zip(self.views, entries, strict=True):
            view.show_layer(entry, entry.index == selected)
        self.setVisible(bool(entries))
