"""One feature map, large: the selected filter's tile, for presentation mode.

The worker already drew every filter's tile into the view's 8-bit mosaic; this
panel shows one tile of it (a slice, no copy of the rest, no rescaling), so the
GUI thread does no more work per frame than the normal mosaic view.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from playground.live.processor import MapView
from playground.render.colormaps import DIVERGING, SEQUENTIAL, lut

from . import theme
from .cell_values import few_cells, paint_cell_values, shows_values
from .color_bar import ColorBar
from .elided_label import ElidedLabel
from .fast_image import FastImageItem
from .map_panel import readout_value

__all__ = ["BigMapPanel", "tile_index"]


def tile_index(view: MapView, bank_index: int) -> int:
    """The tile of filter ``bank_index`` in ``view`` (the first tile when it is not shown)."""
    try:
        return view.filters.index(bank_index)
    except ValueError:
        return 0


class _CellValues(QtWidgets.QGraphicsItem):
    """The shown tile's numbers, over it, when its cells are large enough to read them in."""

    def __init__(self):
        super().__init__()
        self._values: np.ndarray | None = None
        self._levels = (0.0, 1.0)
        self._rect = QtCore.QRectF()
        self.setZValue(10)

    def set_map(self, values: np.ndarray | None, levels, tile_hw: tuple[int, int]) -> None:
        """The map's values (h, w) drawn as a tile of ``tile_hw`` pixels; None: no numbers."""
        rect = QtCore.QRectF(0, 0, tile_hw[1], tile_hw[0]) if values is not None else QtCore.QRectF()
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self._values, self._levels = values, levels
        self.update()

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 (Qt's name)
        return self._rect

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        if self._values is None:
            return
        transform = painter.worldTransform()
        rect = transform.mapRect(self._rect)
        if not shows_values(self._values.shape, rect.width() / self._values.shape[1]):
            return
        painter.save()
        painter.resetTransform()
        # large enough to read from the back of a classroom
        paint_cell_values(painter, rect, self._values, self._levels, largest_pt=28.0)
        painter.restore()


class BigMapPanel(QtWidgets.QFrame):
    """The selected filter's map, as large as the panel allows, with its colour bar and a read-out."""

    # the title is this many times the window's font: read from the back of a classroom
    TITLE_SCALE = 1.5

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.setToolTip("The selected filter's feature map (Page Up / Page Down: previous / next filter)")
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.setSpacing(2)
        self.title = ElidedLabel("Feature map")   # bold and larger: set by _scale_title
        outer.addWidget(self.title)
        body = QtWidgets.QHBoxLayout()
        self.view = pg.GraphicsLayoutWidget()
        self.view.ci.setContentsMargins(0, 0, 0, 0)
        self.box = self.view.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.box.setMouseEnabled(False, False)  # a projected map stays put
        self.image = FastImageItem()   # converted to RGB32 once, not on every paint
        self.box.addItem(self.image)
        self.values = _CellValues()
        self.box.addItem(self.values)
        self.colour_bar = ColorBar()
        body.addWidget(self.view, 1)
        body.addWidget(self.colour_bar)
        outer.addLayout(body, 1)
        self.readout = ElidedLabel(" ")
        self.readout.setStyleSheet(f"color: {theme.MUTED};")
        outer.addWidget(self.readout)
        self.current: MapView | None = None
        self.index = 0
        self._signed: bool | None = None
        self._tile_shape = None
        self.view.scene().sigMouseMoved.connect(self._hover)
        self._scale_title()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:
            self._scale_title()

    def _scale_title(self) -> None:
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * self.TITLE_SCALE)
        font.setBold(True)
        self.title.setFont(font)

    def tile_pixels(self) -> np.ndarray | None:
        """The colour-table indices on screen now, (tile_h, tile_w) uint8; None when cleared."""
        return self.image.image

    def show_filter(self, view: MapView, bank_index: int) -> None:
        """Show filter ``bank_index``'s tile of ``view`` (the per-filter view of a frame)."""
        self.current = view
        self.index = index = tile_index(view, bank_index)
        layout = view.layout
        top, left = layout.origin(index)
        tile = view.pixels[top:top + layout.tile_h, left:left + layout.tile_w]
        if view.signed != self._signed:
            self._signed = view.signed
            table = lut(DIVERGING if view.signed else SEQUENTIAL)
            self.image.setLookupTable(table)
            self.colour_bar.set_table(table)
        self.image.setImage(tile, autoLevels=False)
        if tile.shape != self._tile_shape:
            self._tile_shape = tile.shape
            self.box.setRange(xRange=(0, tile.shape[1]), yRange=(0, tile.shape[0]), padding=0.01)
        title = view.titles[index]
        if title != self.title.text():
            self.title.setText(title)
        low, high = view.levels[index]
        self.colour_bar.set_levels(float(low), float(high), title.split(" · ")[0])
        # a small map's numbers (the shape first: a large map's values may not be computed yet)
        small = few_cells(view.values.shape[:2])
        self.values.set_map(np.asarray(view.tile(index)) if small else None, (low, high), tile.shape)

    def clear(self, message: str = "") -> None:
        """No map (settings that leave no output, or no per-filter view): say why instead."""
        self.current = None
        self._tile_shape = None
        self.image.clear()
        self.values.set_map(None, (0.0, 1.0), (0, 0))
        self.title.setText(message or "Feature map")
        self.readout.setText(" ")

    @QtCore.Slot(object)
    def _hover(self, pos) -> None:
        view = self.current
        if view is None:
            return
        point = self.box.mapSceneToView(pos)
        layout = view.layout
        h, w = view.values.shape[:2]
        # the tile may be drawn smaller than the map: scale back to map pixels
        row, col = int(point.y() * h / layout.tile_h), int(point.x() * w / layout.tile_w)
        if 0 <= point.y() < layout.tile_h and 0 <= point.x() < layout.tile_w:
            value = view.value_at(self.index, min(row, h - 1), min(col, w - 1))
            self.readout.setText(f"y {min(row, h - 1)}, x {min(col, w - 1)}   "
                                 f"value {readout_value(value, view.levels[self.index])}")
        else:
            self.readout.setText(" ")

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().leaveEvent(event)
        self.readout.setText(" ")  # a value from under the mouse, not from a later frame
