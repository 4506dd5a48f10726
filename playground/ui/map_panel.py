"""A view of many feature maps: one mosaic image, tile titles, a colour bar, hover read-out.

The worker hands over a finished 8-bit mosaic; this widget only swaps it into a
reused ImageItem whose colour table and levels are fixed, so a frame costs one
image upload, not one widget per map.
"""

from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from playground.live.processor import MapView
from playground.render.colormaps import DIVERGING, SEQUENTIAL, lut
from playground.render.numbers import format_cell

from . import theme
from .cell_values import paint_cell_values, shows_values
from .color_bar import ColorBar
from .elided_label import ElidedLabel
from .fast_image import FastImageItem

__all__ = ["MapPanel", "ImagePanel", "readout_value"]


def readout_value(value: float, levels) -> str:
    """A hovered value against its map's levels: float32 noise ("2.24e-08" of a 0) reads 0."""
    low, high = levels
    return format_cell(value, max(abs(float(low)), abs(float(high))), digits=4)


class _MosaicBox(pg.GraphicsLayoutWidget):
    """A ViewBox with a y-down, aspect-locked image; no pan/zoom surprises by default."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.ci.setContentsMargins(0, 0, 0, 0)
        self.box = self.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.box.setMouseEnabled(True, True)  # wheel zooms, drag pans; double-click fits again
        self.box.setDefaultPadding(0.01)
        self.image = FastImageItem()   # converted to RGB32 once, not on every paint
        self.box.addItem(self.image)


_MAP_SIZE = re.compile(r"^(pooled )?\d+×\d+$")   # a title's size part, as the processor writes it


def shortened_label(text: str, width: int, metrics: QtGui.QFontMetrics) -> str:
    """A tile label that fits ``width`` pixels.

    Whole if it fits; else without its map size ("Sobel x · 480×640" → "Sobel x",
    "… · pooled 240×320", also before " · flipped"); else its longest part (the name)
    elided in the middle, the other parts whole while there is room ("R · Ve…ge"). The
    middle keeps both ends: "Sob…x" and "Sob…y" stay apart, where cutting the end gave
    "Sob…" twice.
    """
    if metrics.horizontalAdvance(text) <= width:
        return text
    middle = QtCore.Qt.TextElideMode.ElideMiddle
    parts = [part for part in text.split(" · ") if not _MAP_SIZE.match(part)] or [text]
    text = " · ".join(parts)
    if metrics.horizontalAdvance(text) <= width:
        return text
    if len(parts) > 1:
        longest = max(range(len(parts)), key=lambda index: len(parts[index]))
        room = width - metrics.horizontalAdvance(text) + metrics.horizontalAdvance(parts[longest])
        if room >= metrics.horizontalAdvance("n…n"):   # a letter each side of the "…"
            parts[longest] = metrics.elidedText(parts[longest], middle, room)
            return " · ".join(parts)
    return metrics.elidedText(text, middle, width)


class _TileLabels(QtWidgets.QGraphicsItem):
    """Every tile's label chip in one item: one paint call a frame instead of one per tile.

    Chips are drawn at a fixed on-screen size in each tile's top-left corner and
    elided to the tile's on-screen width.
    """

    def __init__(self):
        super().__init__()
        self._labels: list[tuple[float, float, str]] = []
        self._tile_w = 1.0
        self._gap = 0.0
        self._rect = QtCore.QRectF()
        self._view: MapView | None = None
        self._chips: dict[tuple, QtGui.QImage] = {}   # see _chip
        self._plan = None   # (key, borders, placed chips) for the last zoom: see paint
        self._labels_version = 0
        self.setZValue(10)

    def set_view(self, view: MapView | None) -> None:
        """The maps whose tile borders (and, for small maps, values) are drawn."""
        self._view = view
        self.update()

    def set_labels(self, labels: list[tuple[float, float, str]], tile_w: float, rect: QtCore.QRectF,
                   gap: float = 0.0) -> None:
        self.prepareGeometryChange()
        self._labels, self._tile_w, self._rect, self._gap = labels, tile_w, rect, gap
        self._labels_version += 1
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        return self._rect

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        if not self._labels:
            return
        transform = painter.worldTransform()
        width = transform.m11() * self._tile_w - 6
        if width < 14:
            return  # tiles too small for any text
        # a point under the window's font: larger with Ctrl + (presentation), 8 pt at 9 pt
        font = QtGui.QFont(widget.font()) if widget is not None else painter.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        ratio = painter.device().devicePixelRatioF()
        layout = self._view.layout if self._view is not None else None
        key = (transform.m11(), transform.m22(), transform.dx(), transform.dy(), ratio, font.key(),
               self._labels_version, layout)
        if self._plan is None or self._plan[0] != key:
            self._plan = (key, self._borders(transform), self._placed_chips(transform, int(width), font, ratio))
        _, borders, chips = self._plan
        painter.save()
        painter.resetTransform()
        if borders:
            painter.setPen(QtGui.QPen(QtGui.QColor(theme.BORDER), 1))
            painter.drawRects(borders)
        self._paint_values(painter, transform)
        for point, chip in chips:
            painter.drawImage(point, chip)
        painter.restore()

    def _placed_chips(self, transform: QtGui.QTransform, width: int, font: QtGui.QFont,
                      ratio: float) -> list[tuple[QtCore.QPointF, QtGui.QImage]]:
        """Each label's chip and where it goes on screen, for one zoom: laid out once
        and reused while the zoom, the labels and the font stay (a frame then costs
        one image copy per label, not its layout)."""
        chip_h = QtGui.QFontMetrics(font).height() + 2
        gap_px = transform.m11() * self._gap
        placed = []
        for x, y, text in self._labels:
            point = transform.map(QtCore.QPointF(x, y))
            chip = self._chip(text, width, font, ratio)
            # above the tile when the gap has room (small maps zoomed in), else in its corner
            top = point.y() - chip_h - 1 if gap_px >= chip_h + 2 else point.y() + 2
            placed.append((QtCore.QPointF(point.x() + 2, top), chip))
        return placed

    def _borders(self, transform: QtGui.QTransform) -> list[QtCore.QRectF]:
        """Every tile's outline on screen, for one zoom."""
        view = self._view
        if view is None:
            return []
        layout = view.layout
        borders = []
        for index in range(len(view.cells)):
            y, x = layout.origin(index)
            rect = transform.mapRect(QtCore.QRectF(x, y, layout.tile_w, layout.tile_h))
            borders.append(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
        return borders

    def _chip(self, text: str, width: int, font: QtGui.QFont, ratio: float = 1.0) -> QtGui.QImage:
        """A label chip (dark box, text elided to ``width``), drawn once and reused.

        Laying text out is the costly part of painting a frame's 40 labels (about
        5 ms a frame on a 2-core laptop, with Python's lock held): the labels stay
        the same from frame to frame, so each is drawn once per text, width, font and
        device pixel ratio (``ratio``: 2 on a HiDPI screen, so the text stays sharp).
        """
        key = (text, width, font.key(), ratio)
        chip = self._chips.get(key)
        if chip is None:
            if len(self._chips) > 512:   # names edited, widths changed: forget the old ones
                self._chips.clear()
            metrics = QtGui.QFontMetrics(font)
            shown = shortened_label(text, width, metrics)
            size = QtCore.QSizeF(metrics.horizontalAdvance(shown) + 6, metrics.height() + 2)
            chip = QtGui.QImage(round(size.width() * ratio), round(size.height() * ratio),
                                QtGui.QImage.Format.Format_ARGB32_Premultiplied)
            chip.setDevicePixelRatio(ratio)
            chip.fill(QtGui.QColor(0, 0, 0, 160))
            chip_painter = QtGui.QPainter(chip)
            chip_painter.setFont(font)
            chip_painter.setPen(QtGui.QColor(theme.TEXT))
            chip_painter.drawText(QtCore.QRectF(QtCore.QPointF(0, 0), size), QtCore.Qt.AlignmentFlag.AlignCenter,
                                  shown)
            chip_painter.end()
            self._chips[key] = chip
        return chip

    def _paint_values(self, painter: QtGui.QPainter, transform: QtGui.QTransform) -> None:
        """Small maps (the notes' 4×4) zoomed in: each cell's number written in it."""
        view = self._view
        if view is None:
            return
        layout = view.layout
        h, w = view.values.shape[:2]
        if not shows_values((h, w), transform.m11() * layout.tile_w / w):
            return
        for index in range(len(view.cells)):
            y, x = layout.origin(index)
            rect = transform.mapRect(QtCore.QRectF(x, y, layout.tile_w, layout.tile_h))
            paint_cell_values(painter, rect, view.tile(index), view.levels[index])


class ImagePanel(QtWidgets.QFrame):
    """The input frame, with a title and a hover read-out of its RGB values."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        self.title = ElidedLabel(title)  # a long title must not widen the panel
        self.title.setStyleSheet("font-weight: 600;")
        self.readout = QtWidgets.QLabel(" ")
        self.readout.setStyleSheet(f"color: {theme.MUTED};")
        self.view = _MosaicBox()
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.readout)
        self._rgb: np.ndarray | None = None
        self._shape = None
        self.view.scene().sigMouseMoved.connect(self._hover)
        self.view.scene().sigMouseClicked.connect(self._click)

    def set_image(self, rgb: np.ndarray, caption: str = "") -> None:
        """Show ``rgb`` (H, W, 3) uint8."""
        self._rgb = rgb
        # uint8 with no levels: pyqtgraph hands the bytes to Qt without rescaling them
        self.view.image.setImage(rgb, autoLevels=False)
        if rgb.shape != self._shape:
            self._shape = rgb.shape
            self.fit()
            self.readout.setText(" ")  # a value of the previous source's picture
        if caption:
            self.title.setText(caption)

    def fit(self) -> None:
        """Show the whole picture. Only the picture counts: the overlays drawn over it (the
        input's numbers, the inspector's outlines) still have the previous picture's size
        when a new source's first frame arrives, and a 6×6 matrix after the 640×480 demo
        was a dot in the corner."""
        self.view.box.autoRange(items=[self.view.image], padding=0.01)

    @QtCore.Slot(object)
    def _click(self, event) -> None:
        if event.double():
            self.fit()   # as on the maps: double-click fits again after zooming

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().leaveEvent(event)
        self.readout.setText(" ")  # else it stays, goes stale and into screenshots

    @QtCore.Slot(object)
    def _hover(self, pos) -> None:
        if self._rgb is None:
            return
        point = self.view.box.mapSceneToView(pos)
        row, col = int(point.y()), int(point.x())
        h, w = self._rgb.shape[:2]
        if 0 <= row < h and 0 <= col < w:
            r, g, b = (int(v) for v in self._rgb[row, col])
            self.readout.setText(f"y {row}, x {col}   R {r / 255:.3f}  G {g / 255:.3f}  B {b / 255:.3f}")
        else:
            self.readout.setText(" ")


class MapPanel(QtWidgets.QFrame):
    """One view (per filter, per channel or pooled) of the current frame's maps.

    Signals
    -------
    tile_clicked(int)
        The bank index of the filter whose tile was clicked.
    cell_clicked(str, int, int, int)
        The view key, the tile and the cell's (row, col) in the full-size map.
    """

    tile_clicked = QtCore.Signal(int)
    cell_clicked = QtCore.Signal(str, int, int, int)

    def __init__(self, title: str, tooltip: str = "", parent=None):
        super().__init__(parent)
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.setToolTip(tooltip)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.setSpacing(2)
        self.title = ElidedLabel(title)  # a long title must not widen the panel
        self.title.setStyleSheet("font-weight: 600;")
        outer.addWidget(self.title)
        body = QtWidgets.QHBoxLayout()
        body.setSpacing(4)
        self.view = _MosaicBox()
        self.colour_bar = ColorBar()
        body.addWidget(self.view, 1)
        body.addWidget(self.colour_bar)
        outer.addLayout(body, 1)
        self.readout = QtWidgets.QLabel(" ")
        self.readout.setStyleSheet(f"color: {theme.MUTED};")
        self.readout.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.readout)
        self.current: MapView | None = None
        self._layout = None
        self._titles: tuple = ()
        self._labels = _TileLabels()
        self.view.box.addItem(self._labels)
        self._signed: bool | None = None
        self._selected_filter = 0
        self._hover_tile: int | None = None
        scene = self.view.scene()
        scene.sigMouseMoved.connect(self._hover)
        scene.sigMouseClicked.connect(self._click)

    # --- per frame ------------------------------------------------------------------------
    def show_view(self, view: MapView) -> None:
        """Display ``view``: swap the mosaic; titles and colours change only when they must."""
        self.current = view
        image = self.view.image
        if view.signed != self._signed:
            self._signed = view.signed
            table = lut(DIVERGING if view.signed else SEQUENTIAL)
            image.setLookupTable(table)
            self.colour_bar.set_table(table)
        image.setImage(view.pixels, autoLevels=False)  # indices + colour table, no rescaling
        self._labels.set_view(view)
        if view.layout != self._layout:
            self._layout = view.layout
            self._fit()
            self._titles = ()
            self.readout.setText(" ")  # a value of maps no longer shown
        labels = view.labels or view.titles
        if labels != self._titles:
            self._titles = labels
            self._place_titles(view)
        self._update_colour_bar()

    def set_selected_filter(self, index: int) -> None:
        """Which filter's levels the colour bar shows when the mouse is not over a tile."""
        self._selected_filter = index
        self._update_colour_bar()

    def clear(self, message: str = "") -> None:
        self.current = None
        self.view.image.clear()
        self._labels.set_labels([], 1.0, QtCore.QRectF())
        self._labels.set_view(None)
        self._titles = ()
        self._layout = None
        self.readout.setText(message or " ")

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().leaveEvent(event)
        self.readout.setText(" ")  # else it stays, goes stale and into "maps only" screenshots

    # --- helpers ----------------------------------------------------------------------------
    def _fit(self) -> None:
        """The whole mosaic in view, with the gap above the first row: small maps' titles sit there."""
        height, width = self._layout.shape
        self.view.box.setRange(xRange=(0, width), yRange=(-self._layout.gap, height), padding=0.01)

    def _place_titles(self, view: MapView) -> None:
        labels = []
        for index, text in enumerate(view.labels or view.titles):
            if text:
                y, x = view.layout.origin(index)
                labels.append((float(x), float(y), text))
        height, width = view.layout.shape
        gap = float(view.layout.gap)
        # the item's area includes the band above the first row, where small maps' labels go
        self._labels.set_labels(labels, float(view.layout.tile_w),
                                QtCore.QRectF(0, -max(gap, 1.0), width, height + max(gap, 1.0)), gap)

    def _tile_for_filter(self, view: MapView, bank_index: int) -> int:
        try:
            return view.filters.index(bank_index)
        except ValueError:
            return 0

    def _update_colour_bar(self) -> None:
        view = self.current
        if view is None:
            return
        tile = self._hover_tile if self._hover_tile is not None else self._tile_for_filter(view, self._selected_filter)
        tile = min(tile, len(view.titles) - 1)
        low, high = view.levels[tile]
        self.colour_bar.set_levels(float(low), float(high), view.titles[tile].split(" · ")[0])

    def cell_at(self, scene_pos):
        """(tile, row, col) in full-size map coordinates under a scene position, or None."""
        return self._tile_under(scene_pos)

    def _tile_under(self, pos):
        view = self.current
        if view is None:
            return None
        point = self.view.box.mapSceneToView(pos)
        hit = view.layout.tile_at(point.y(), point.x())
        if hit is None:
            return None
        index = hit[0]
        top, left = view.layout.origin(index)
        h, w = view.values.shape[:2]
        # tiles may be drawn smaller than the map: scale the position inside the tile
        # (fractional, so every map pixel can be reached) back to map pixels
        row = min(h - 1, int((point.y() - top) * h / view.layout.tile_h))
        col = min(w - 1, int((point.x() - left) * w / view.layout.tile_w))
        return index, row, col

    @QtCore.Slot(object)
    def _hover(self, pos) -> None:
        hit = self._tile_under(pos)
        if hit is None:
            if self._hover_tile is not None:
                self._hover_tile = None
                self._update_colour_bar()
            self.readout.setText(" ")
            return
        index, row, col = hit
        view = self.current
        value = view.value_at(index, row, col)
        value_text = readout_value(value, view.levels[index])
        self.readout.setText(f"{view.titles[index]}   y {row}, x {col}   value {value_text}")
        if index != self._hover_tile:
            self._hover_tile = index
            self._update_colour_bar()

    @QtCore.Slot(object)
    def _click(self, event) -> None:
        if event.double() and self._layout is not None:
            self._fit()
            return
        hit = self._tile_under(event.scenePos())
        if hit is not None and self.current is not None:
            self.tile_clicked.emit(self.current.filters[hit[0]])
            self.cell_clicked.emit(self.current.key, *hit)
