"""Every layer's output as a small mosaic, one under the other: the picture moving through the network.

The frame loop draws the mosaics (:func:`playground.live.network_frame.overview`);
this widget only swaps them into one reused ImageItem per layer. Small maps are
enlarged with crisp pixels (no smoothing: a 5×5 map shows its 25 cells). Clicking
a layer selects it.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from playground.render.colormaps import DIVERGING, SEQUENTIAL, lut

from . import theme
from .elided_label import ElidedLabel

__all__ = ["NetworkOverview"]


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
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setMinimumSize(40, 40)
        self.graphics.ci.setContentsMargins(0, 0, 0, 0)
        self.box = self.graphics.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.box.setMouseEnabled(False, False)
        self.box.setDefaultPadding(0.0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setAutoDownsample(False)
        self.box.addItem(self.image)
        layout.addWidget(self.title)
        layout.addWidget(self.graphics, 1)
        self._signed = None
        self._shape = None
        self.graphics.scene().sigMouseClicked.connect(lambda _event: self.clicked.emit(self.index))

    def mousePressEvent(self, event) -> None:
        self.clicked.emit(self.index)
        super().mousePressEvent(event)

    def show_layer(self, entry, selected: bool) -> None:
        if entry.signed != self._signed:
            self._signed = entry.signed
            self.image.setLookupTable(lut(DIVERGING if entry.signed else SEQUENTIAL))
        self.image.setImage(entry.pixels, autoLevels=False)   # indices + colour table, as the map panels
        if entry.pixels.shape != self._shape:
            self._shape = entry.pixels.shape
            self.box.setRange(xRange=(0, self._shape[1]), yRange=(0, self._shape[0]), padding=0.02)
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
