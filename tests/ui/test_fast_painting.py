"""What the GUI thread paints each frame is ready to paint: RGB32 pictures, label chips drawn once."""

from __future__ import annotations

import numpy as np
from PySide6 import QtGui

from playground.render.colormaps import DIVERGING, SEQUENTIAL, lut


def _rgb(image: QtGui.QImage, x: int, y: int) -> tuple[int, int, int]:
    colour = image.pixelColor(x, y)
    return colour.red(), colour.green(), colour.blue()


def test_an_indexed_map_is_converted_once_to_rgb32_with_its_colours(qtbot):
    from playground.ui.fast_image import FastImageItem

    item = FastImageItem()
    table = lut(DIVERGING)
    pixels = np.array([[0, 128, 255], [7, 200, 64]], np.uint8)
    item.setLookupTable(table)
    item.setImage(pixels, autoLevels=False, levels=(0, 255))
    item.render()
    assert item.qimage.format() == QtGui.QImage.Format.Format_RGB32
    assert item._colours is not None and len(item._colours) == 256   # the packed-table path, not pyqtgraph's
    for y in range(2):
        for x in range(3):
            assert _rgb(item.qimage, x, y) == tuple(int(v) for v in table[pixels[y, x]])


def test_the_input_picture_is_converted_too(qtbot):
    from playground.ui.fast_image import FastImageItem

    item = FastImageItem()
    rgb = np.zeros((4, 5, 3), np.uint8)
    rgb[1, 2] = (10, 200, 30)
    item.setImage(rgb, autoLevels=False, levels=(0, 255))
    item.render()
    assert item.qimage.format() == QtGui.QImage.Format.Format_RGB32
    assert _rgb(item.qimage, 2, 1) == (10, 200, 30)


def test_overview_pictures_keep_their_colours_and_aspect(qtbot):
    from playground.ui.network_overview import _TABLES, _CrispImage

    picture = _CrispImage()
    qtbot.addWidget(picture)
    picture.resize(200, 100)
    pixels = np.array([[0, 255, 40, 90]] * 2, np.uint8)   # 2 × 4: twice as wide as high
    picture.set_pixels(pixels, _TABLES[False])
    table = lut(SEQUENTIAL)
    assert _rgb(picture._image, 1, 0) == tuple(int(v) for v in table[255])
    rect = picture.image_rect()
    assert abs(rect.width() / rect.height() - 2.0) < 1e-6 and rect.width() == 200


def test_label_chips_are_drawn_once_per_text_and_width(qtbot):
    from playground.ui.map_panel import _TileLabels

    labels = _TileLabels()
    font = QtGui.QFont()
    first = labels._chip("vertical edge · R", 300, font)
    assert labels._chip("vertical edge · R", 300, font) is first   # reused, not laid out again
    narrow = labels._chip("vertical edge · R", 40, font)
    assert narrow is not first and narrow.width() < first.width()   # elided to the narrower tile
    assert first.width() >= QtGui.QFontMetrics(font).horizontalAdvance("vertical edge · R")


def test_label_chips_are_sharp_on_a_hidpi_screen(qtbot):
    from playground.ui.map_panel import _TileLabels

    labels = _TileLabels()
    font = QtGui.QFont()
    plain = labels._chip("Sobel x", 300, font, 1.0)
    sharp = labels._chip("Sobel x", 300, font, 2.0)
    assert sharp is not plain and sharp.devicePixelRatio() == 2.0
    assert (sharp.width(), sharp.height()) == (2 * plain.width(), 2 * plain.height())


def test_an_empty_overview_picture_paints_nothing_and_does_not_fail(qtbot):
    from playground.ui.network_overview import _TABLES, _CrispImage

    picture = _CrispImage()
    qtbot.addWidget(picture)
    picture.set_pixels(np.zeros((0, 0), np.uint8), _TABLES[True])
    assert picture.image_rect().isEmpty()
    picture.grab()   # paints without dividing by a zero size


def test_label_places_are_worked_out_once_per_zoom(qtbot):
    from PySide6 import QtCore

    from playground.ui.map_panel import _TileLabels

    labels = _TileLabels()
    labels.set_labels([(0.0, 0.0, "vertical edge"), (110.0, 0.0, "Sobel x")], 100.0, QtCore.QRectF(0, 0, 210, 100))
    image = QtGui.QImage(420, 200, QtGui.QImage.Format.Format_RGB32)

    def paint(scale: float):
        painter = QtGui.QPainter(image)
        painter.scale(scale, scale)
        labels.paint(painter, None)
        painter.end()
        return labels._plan

    first = paint(2.0)
    assert first is not None and len(first[2]) == 2
    assert first[2][1][0].x() == 2.0 * 110.0 + 2   # the second chip at its tile's corner, on screen
    assert paint(2.0) is first                      # the next frame reuses the places and chips
    zoomed = paint(1.5)
    assert zoomed is not first and zoomed[2][1][0].x() == 1.5 * 110.0 + 2
    labels.set_labels([(0.0, 0.0, "blur")], 100.0, QtCore.QRectF(0, 0, 100, 100))
    renamed = paint(1.5)
    assert renamed is not zoomed and len(renamed[2]) == 1   # new labels: laid out again


def test_the_colour_bar_repaints_only_when_its_numbers_change(qtbot, monkeypatch):
    from playground.ui.color_bar import ColorBar

    bar = ColorBar()
    qtbot.addWidget(bar)
    updates = []
    monkeypatch.setattr(bar, "update", lambda: updates.append(1))
    bar.set_levels(-0.5, 0.5, "Sobel x")
    assert len(updates) == 1 and "0.5" in bar.toolTip()
    bar.set_levels(-0.50001, 0.50001, "Sobel x")     # eased a hair: the same numbers on screen
    assert len(updates) == 1 and bar.high == 0.50001
    bar.set_levels(-0.6, 0.6, "Sobel x")
    bar.set_levels(0.0, 0.6, "Sobel x")              # after ReLU: 0 moves to the bottom
    bar.set_levels(0.0, 0.6, "blur")
    assert len(updates) == 4


def test_narrow_tile_labels_drop_the_map_size_then_keep_both_ends():
    """A tester could not tell the per-channel columns "Sob…" and "Sob…" apart."""
    from PySide6 import QtGui

    from playground.ui.map_panel import shortened_label

    metrics = QtGui.QFontMetrics(QtGui.QFont())
    assert shortened_label("Sobel x · 480×640", 1000, metrics) == "Sobel x · 480×640"
    name_only = metrics.horizontalAdvance("Sobel x") + 2
    assert shortened_label("Sobel x · 480×640", name_only, metrics) == "Sobel x"
    narrow = metrics.horizontalAdvance("Sobe") + 2
    x, y = (shortened_label(f"Sobel {axis} · 480×640", narrow, metrics) for axis in "xy")
    assert x != y and x.endswith("x") and y.endswith("y") and "…" in x
    # pooled and true-convolution titles too: the size goes, "flipped" stays
    assert shortened_label("Sobel x · pooled 240×320", name_only, metrics) == "Sobel x"
    flipped = metrics.horizontalAdvance("Sobel x · flipped") + 2
    assert shortened_label("Sobel x · 480×640 · flipped", flipped, metrics) == "Sobel x · flipped"
    x, y = (shortened_label(f"Sobel {axis} · 480×640 · flipped", flipped - 12, metrics) for axis in "xy")
    assert x != y and x.endswith("x · flipped") and y.endswith("y · flipped")
    # the per-channel grid's first column: the channel stays whole, the filter's name is shortened
    room = metrics.horizontalAdvance("R · Vertic") + 2
    label = shortened_label("R · Vertical edge", room, metrics)
    assert label.startswith("R · V") and label.endswith("e") and "…" in label
