"""Rough edges a teacher hit: disabled looks, elided labels, stale read-outs and maps, first-row titles."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from window_helpers import WAIT_MS, frame_where

pytest.importorskip("PySide6")

from PySide6 import QtCore, QtGui, QtWidgets  # noqa: E402

from playground.ui import theme  # noqa: E402
from playground.ui.elided_label import ElidedLabel  # noqa: E402

pytestmark = pytest.mark.qt


def _brightest(widget) -> int:
    image = widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB888)
    array = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return int(array[:, :image.width() * 3].max())


def test_a_disabled_button_looks_disabled(qtbot):
    palette = theme.dark_palette()
    buttons = []
    for enabled in (True, False):
        button = QtWidgets.QPushButton("Remove")
        button.setStyle(QtWidgets.QStyleFactory.create("Fusion"))
        button.setPalette(palette)
        button.setEnabled(enabled)
        qtbot.addWidget(button)
        button.resize(90, 28)
        buttons.append(button)
    enabled, disabled = (_brightest(button) for button in buttons)
    # the enabled label is near-white text; the disabled one clearly dimmer
    assert disabled < enabled - 60, (enabled, disabled)


def test_elided_label_keeps_the_whole_text_and_tooltip(qtbot):
    label = ElidedLabel("Input · webcam 0 · n_H × n_W × n_c = 720 × 1280 × 3")
    label.setToolTip("the picture the network sees")
    qtbot.addWidget(label)
    label.resize(120, 20)
    label.show()
    assert label.is_elided()
    assert label.shown_text().endswith("…")
    assert label.text().startswith("Input · webcam 0")
    assert label.text() in label.toolTip() and "the picture the network sees" in label.toolTip()
    assert label.minimumSizeHint().width() < 120
    label.resize(label.sizeHint().width() + 10, 20)
    assert not label.is_elided()
    assert label.toolTip() == "the picture the network sees"


def test_readouts_are_cleared_when_the_mouse_leaves(qtbot, window):
    panel = window.filters_panel
    panel.readout.setText("Vertical edge · 480×640   y 3, x 4   value 0.5")
    QtWidgets.QApplication.sendEvent(panel, QtCore.QEvent(QtCore.QEvent.Type.Leave))
    assert panel.readout.text().strip() == ""
    window.input_panel.readout.setText("y 1, x 2   R 0.1  G 0.2  B 0.3")
    QtWidgets.QApplication.sendEvent(window.input_panel, QtCore.QEvent(QtCore.QEvent.Type.Leave))
    assert window.input_panel.readout.text().strip() == ""


def test_a_readout_from_other_maps_is_cleared_when_the_maps_change(qtbot, window):
    win = window
    panel = win.filters_panel
    panel.readout.setText("Vertical edge · 480×640   y 3, x 4   value 0.5")
    layer = dataclasses.replace(win.snapshot.layer, padding="valid", stride=2)  # maps half the size
    win.layer_panel.set_settings(layer, win.snapshot.view)
    win.layer_panel.changed.emit(layer, win.snapshot.view)
    frame_where(qtbot, win, lambda r: r.error is None and r.snapshot.layer.stride == 2)
    qtbot.waitUntil(lambda: panel.readout.text().strip() == "", timeout=WAIT_MS)


def test_maps_are_cleared_when_the_kernel_no_longer_fits(qtbot, tmp_path, numpy_backend):
    cv2 = pytest.importorskip("cv2")
    from playground.engine.layer import LayerSettings
    from playground.live.snapshot import Snapshot
    from playground.sources import open_source
    from playground.ui.main_window import MainWindow

    path = tmp_path / "tiny.png"
    cv2.imwrite(str(path), np.arange(6 * 6 * 3, dtype=np.uint8).reshape(6, 6, 3) * 4)
    win = MainWindow(open_source(str(path)), Snapshot(layer=LayerSettings(padding="valid")))
    qtbot.addWidget(win)
    win.show()
    frame_where(qtbot, win, lambda r: r.error is None and "filters" in r.views)
    assert win.filters_panel.current is not None
    win.take_bank(win.snapshot.bank.resized(7))  # 7×7 on a 6×6 picture, no padding: no output
    qtbot.waitUntil(lambda: win._frame_error != "", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: win.filters_panel.current is None, timeout=WAIT_MS)
    assert "no maps" in win.filters_panel.readout.text()
    win.take_bank(win.snapshot.bank.resized(3))  # fits again: maps come back
    qtbot.waitUntil(lambda: win.filters_panel.current is not None, timeout=WAIT_MS)
    assert win.shutdown()


def test_first_row_titles_have_room_above_small_maps(qtbot, window):
    win = window
    frame = frame_where(qtbot, win, lambda r: r.error is None and "filters" in r.views)
    view = frame.views["filters"]
    (top, _bottom), _x = win.filters_panel.view.box.viewRange()
    assert top <= -view.layout.gap + 1e-6, "the band above the first row (where small maps' titles go) is cut off"


def test_the_cropped_weights_notice_ends_with_the_next_edit(qtbot, window):
    win = window
    win.editor.set_kernel_size(5)
    bank5 = win.snapshot.bank
    weights = bank5[0].weights.copy()
    weights[0, 0, :] = 1.0           # a weight outside the 3×3 centre
    win.take_bank(bank5.replace_filter(0, dataclasses.replace(bank5[0], weights=weights)))
    win.editor.set_kernel_size(3)
    assert "cropped" in win.message_bar.message and win.message_bar.isVisible()
    win.edit_actions.undo()          # back to 5×5: nothing is cropped any more
    assert not win.message_bar.isVisible()


def test_hover_readouts_write_rounding_noise_as_zero():
    from playground.ui.map_panel import readout_value

    assert readout_value(2.24e-08, (-1.5, 1.5)) == "0"
    assert readout_value(0.123456, (-1.5, 1.5)) == "0.1235"
    assert readout_value(30.0, (0.0, 30.0)) == "30"      # the notes' raw 30s, not 30.00
    assert readout_value(-1.25e-3, (-0.01, 0.01)) == "-0.00125"   # small maps keep small values


def test_the_big_map_readout_uses_the_same_rule(qtbot, window):
    win = window
    presentation = win.presentation
    presentation.enter()
    qtbot.waitUntil(lambda: presentation.big_map.current is not None, timeout=WAIT_MS)
    big = presentation.big_map
    view = big.current
    # hover the tile's middle: the read-out names the map cell and its value
    middle = big.box.mapViewToScene(QtCore.QPointF(view.layout.tile_w / 2, view.layout.tile_h / 2))
    big._hover(middle)
    h, w = view.values.shape[:2]
    text = big.readout.text()
    assert text.startswith(f"y {h // 2}, x {w // 2}") or text.startswith(f"y {h // 2 - 1}")
    assert "value" in text and "e-0" not in text
    presentation.leave()
