"""The live window: frames flow from the demo through the engine to the views; edits,
layer settings and sources change what is shown; bad input gives a message and
the window keeps running; the worker threads stop when it closes.

Checks are on the data the views were given (the rendered frame), never on sleeps.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")

import cv2
from PySide6 import QtCore, QtGui
from window_helpers import WAIT_MS, frame_where  # noqa: E402

from playground.engine import conv2d
from playground.kernels import preset_weights

pytestmark = pytest.mark.qt



def first_frame(qtbot, win):
    if win.last_frame is None or not win.last_frame.views:
        with qtbot.waitSignal(win.frame_displayed, timeout=WAIT_MS):
            pass
    return win.last_frame




def expected_maps(frame, bank, **layer):
    return np.asarray(conv2d(frame, bank.weights(), bank.biases(), **layer))


def test_starts_on_the_demo_and_shows_every_filter_and_channel(window):
    result = window.last_frame
    assert "Demo" in window.source_label.text()
    bank = window.snapshot.bank
    filters = result.views["filters"]
    channels = result.views["channels"]
    assert len(filters.cells) == len(bank.active) == 8
    assert len(channels.cells) == 8 * 3
    np.testing.assert_allclose(filters.values, expected_maps(result.frame, bank, padding="same"), atol=1e-4)
    # the per-channel slices sum (plus bias) to the per-filter map
    np.testing.assert_allclose(channels.values.sum(axis=2) + bank.biases(), filters.values, atol=1e-4)
    assert window.filters_panel.current is filters
    assert np.array_equal(window.filters_panel.view.image.image, filters.pixels)
    assert "FPS" in window.fps_label.text() or window.fps_label.text() == "paused"
    assert "NumPy" in window.backend_label.text()


def test_choosing_a_preset_changes_the_maps(qtbot, window):
    editor = window.editor
    editor.set_selected(0)
    before = window.last_frame.views["filters"].tile(0).copy()
    combo = editor._presets
    combo.activated.emit(combo.findText("Sobel y"))  # what a click on the list entry sends
    result = frame_where(qtbot, window, lambda r: r.snapshot.bank[0].name.startswith("Sobel y") and r.views)
    after = result.views["filters"].tile(0)
    sobel_y = preset_weights("Sobel y", 3)[..., None]
    np.testing.assert_allclose(after, np.asarray(conv2d(result.frame, sobel_y, padding="same"))[..., 0], atol=1e-4)
    assert not np.allclose(after, before)


def held_frame_index(qtbot, window) -> int:
    """Pause, and wait until the last captured frame is the one on screen."""
    window.pause_action.setChecked(True)
    qtbot.waitUntil(lambda: window.last_frame.index == window.runner.captured, timeout=WAIT_MS)
    return window.last_frame.index


def test_editing_one_cell_changes_the_displayed_map(qtbot, window):
    index = held_frame_index(qtbot, window)  # one held frame: the change must come from the edit alone
    editor = window.editor
    editor.set_selected(2)
    editor.set_weight(0, 0, 7.5)
    result = frame_where(qtbot, window, lambda r: float(r.snapshot.bank[2].weights[0, 0, 0]) == 7.5)
    assert result.index == index, "the edit should redraw the held frame, not wait for a new one"
    bank = result.snapshot.bank
    assert float(bank[2].weights[0, 0, 1]) == 7.5  # linked: every channel
    column = bank.active.index(2)
    expected = expected_maps(result.frame, bank, padding="same")[..., column]
    np.testing.assert_allclose(result.views["filters"].tile(column), expected, atol=1e-4)


def test_stride_and_pooling_change_shapes_and_the_arithmetic(qtbot, window):
    panel = window.layer_panel
    panel.stride.setValue(2)
    result = frame_where(qtbot, window, lambda r: r.snapshot.layer.stride == 2 and r.views)
    h, w = result.frame.shape[:2]
    # "same" with stride 2 keeps the size, as in the notes: p = (n·s − n + f − s)/2
    assert result.views["filters"].values.shape[:2] == (h, w)
    assert f"= {h}" in window.arithmetic.text.text()
    # p = (n·s − n + f − s)/2 = 240.5 for n = 480: split 240 top, 241 bottom
    top = (h * 2 - h + 3 - 2) // 2
    assert f"top {top}, bottom {top + 1}" in window.layer_panel.padding_split.text()
    assert "uneven" in window.layer_panel.padding_split.text()
    panel.padding_mode.setCurrentIndex(panel.padding_mode.findData("valid"))
    result = frame_where(qtbot, window, lambda r: r.snapshot.layer.padding == "valid" and r.views)
    assert result.views["filters"].values.shape[:2] == ((h - 3) // 2 + 1, (w - 3) // 2 + 1)
    assert "2·0" in window.arithmetic.text.text()
    panel.pool_mode.setCurrentIndex(panel.pool_mode.findData("max"))
    result = frame_where(qtbot, window, lambda r: r.snapshot.layer.pool is not None and r.views)
    maps = result.views["filters"].values
    pooled = result.views["pooled"].values
    assert pooled.shape[:2] == (maps.shape[0] // 2, maps.shape[1] // 2)
    np.testing.assert_allclose(pooled[0, 0], maps[:2, :2].max(axis=(0, 1)), atol=1e-6)
    assert window.pooled_panel.isVisibleTo(window)


def test_relu_switches_to_a_sequential_colour_scale(qtbot, window):
    panel = window.layer_panel
    panel.activation.setCurrentIndex(panel.activation.findData("relu"))
    result = frame_where(qtbot, window, lambda r: r.snapshot.layer.activation == "relu" and r.views)
    view = result.views["filters"]
    assert not view.signed
    assert view.values.min() >= 0
    assert (view.levels[:, 0] == 0).all()


def test_a_file_that_is_not_an_image_gives_a_message_and_the_app_lives(qtbot, window, tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("this is not a picture")
    window.open_source_async(str(bad))
    qtbot.waitUntil(lambda: window.message_bar.isVisible() and "notes.png" in window.message_bar.text.text(),
                    timeout=WAIT_MS)
    assert "Demo" in window.source_label.text()
    count = window.displayed
    qtbot.waitUntil(lambda: window.displayed > count + 2, timeout=WAIT_MS)  # still running


def test_switching_to_an_image_file(qtbot, window, tmp_path):
    picture = np.zeros((60, 80, 3), np.uint8)
    picture[:, 40:] = (0, 0, 255)  # BGR: the right half red
    path = tmp_path / "half.png"
    cv2.imwrite(str(path), picture)
    window.open_source_async(str(path))
    result = frame_where(qtbot, window, lambda r: r.frame.shape == (60, 80, 3))
    assert "half.png" in window.source_label.text()
    assert window.settings.value("source/last") == str(path), "the last source is remembered"
    np.testing.assert_allclose(result.frame[0, 79], [1.0, 0.0, 0.0])
    assert result.views["filters"].values.shape[:2] == (60, 80)


def test_a_kernel_larger_than_the_frame_is_reported_and_the_last_maps_stay(qtbot, window, tmp_path):
    path = tmp_path / "tiny.png"
    cv2.imwrite(str(path), np.full((6, 6, 3), 200, np.uint8))
    window.open_source_async(str(path))
    frame_where(qtbot, window, lambda r: r.frame.shape == (6, 6, 3) and r.views)
    panel = window.layer_panel
    panel.padding_mode.setCurrentIndex(panel.padding_mode.findData("valid"))
    frame_where(qtbot, window, lambda r: r.snapshot.layer.padding == "valid" and r.views)
    window.editor.set_kernel_size(9)
    qtbot.waitUntil(lambda: "larger than the padded" in window.message_bar.text.text(), timeout=WAIT_MS)
    assert window.last_frame.views, "the previous maps must stay on screen"
    # what stays is one consistent frame: its maps were made from its input with its settings
    kept = window.last_frame
    assert kept.snapshot.bank.size == 3
    assert kept.frame.shape[:2] == (6, 6)
    assert kept.views["filters"].values.shape[:2] == (4, 4)  # valid, f = 3: 6 − 3 + 1
    assert window.editor.bank().size == 9, "nothing the user edited is lost"
    window.editor.set_kernel_size(3)
    frame_where(qtbot, window, lambda r: r.snapshot.bank.size == 3 and r.views)
    # the condition has ended: its message goes away
    qtbot.waitUntil(lambda: not window.message_bar.isVisible(), timeout=WAIT_MS)


def test_hovering_a_map_reads_out_its_value(window):
    panel = window.filters_panel
    view = panel.current
    y, x = view.layout.origin(1)
    h, w = view.values.shape[:2]
    row, col = 21, 41
    # the middle of that map pixel inside the tile: a pixel's edge would round either way
    # through the view's transform
    inside = ((col + 0.5) * view.layout.tile_w / w, (row + 0.5) * view.layout.tile_h / h)
    scene = panel.view.box.mapViewToScene(QtCore.QPointF(x + inside[0], y + inside[1]))
    panel._hover(scene)
    text = panel.readout.text()
    assert f"y {row}, x {col}" in text
    from playground.ui.map_panel import readout_value

    assert f"value {readout_value(view.value_at(1, row, col), view.levels[1])}" in text
    assert view.titles[1] in text


def test_clicking_a_map_selects_its_filter(qtbot, window):
    with qtbot.waitSignal(window.editor.selection_changed, timeout=2000):
        window.filters_panel.tile_clicked.emit(3)
    assert window.editor.selected() == 3


def test_step_shows_one_new_frame_then_holds(qtbot, window):
    held = held_frame_index(qtbot, window)
    window.step_action.trigger()
    # Wait on the state we mean, not on "the next signal": a layout change can redraw the
    # held frame and send frame_displayed with the old index.
    qtbot.waitUntil(lambda: window.last_frame.index > held, timeout=WAIT_MS)
    assert window.last_frame.index == held + 1 == window.runner.captured
    assert window.runner.paused
    qtbot.wait(400)  # watch for a while: nothing more is captured or shown while paused
    assert window.runner.captured == held + 1
    assert window.last_frame.index == held + 1


def test_a_slow_open_never_replaces_a_later_choice(qtbot, window, monkeypatch, tmp_path):
    import threading

    from playground.ui import main_window as module

    release = threading.Event()
    slow_sources = []
    real_open = module.open_source

    def open_source(spec, **kwargs):
        if spec == "slow":
            release.wait(10)
            source = real_open("demo", **kwargs)
            slow_sources.append(source)
            return source
        return real_open(spec, **kwargs)

    monkeypatch.setattr(module, "open_source", open_source)
    path = tmp_path / "later.png"
    cv2.imwrite(str(path), np.full((30, 40, 3), 50, np.uint8))
    window.open_source_async("slow")
    window.open_source_async(str(path))
    frame_where(qtbot, window, lambda r: r.frame.shape == (30, 40, 3))
    release.set()
    qtbot.waitUntil(lambda: bool(slow_sources) and slow_sources[0].closed, timeout=WAIT_MS)
    assert "later.png" in window.source_label.text()
    assert window.settings.value("source/last") == str(path)


def test_maps_are_drawn_at_a_new_fit_when_settings_shrink_them(qtbot, window):
    def filters_scale():
        return dict((key, scale) for key, scale, _ in window.snapshot.view.fits).get("filters")

    qtbot.waitUntil(lambda: filters_scale() is not None, timeout=WAIT_MS)
    before = filters_scale()
    panel = window.layer_panel
    panel.padding_mode.setCurrentIndex(panel.padding_mode.findData("valid"))
    panel.stride.setValue(4)
    frame_where(qtbot, window, lambda r: r.snapshot.layer.stride == 4 and r.views)
    # maps 4× smaller each way: tiles must be drawn at a larger fraction to fill the panel
    qtbot.waitUntil(lambda: filters_scale() > before, timeout=WAIT_MS)


def test_the_fixed_level_steps_below_one_without_an_error(qtbot, window):
    panel = window.layer_panel
    panel.level_mode.setCurrentIndex(panel.level_mode.findData("fixed"))
    panel.fixed.setValue(1.0)
    panel.fixed.stepDown()
    layer, view = panel.settings()
    assert 0 < view.levels.fixed < 1.0
    assert not window.message_bar.isVisible() or "fixed level" not in window.message_bar.text.text()


def test_undo_redo_and_reset_of_the_bank(qtbot, window):
    editor = window.editor
    original = editor.bank()
    editor.set_kernel_size(1)          # crops every kernel to its centre: a destructive edit
    editor.set_kernel_size(3)
    assert editor.bank() != original
    edits = window.edit_actions
    edits.undo_action.trigger()
    edits.undo_action.trigger()
    assert editor.bank() == original and window.snapshot.bank == original
    frame_where(qtbot, window, lambda r: r.snapshot.bank == original and r.views)
    edits.redo_action.trigger()
    assert editor.bank().size == 1 and window.snapshot.bank.size == 1
    editor.apply_preset("Laplacian")
    assert not edits.redo_action.isEnabled()  # a new edit drops the redo branch
    edits.reset_action.trigger()
    from playground.kernels import starter_bank
    assert window.snapshot.bank == starter_bank()
    edits.undo_action.trigger()
    assert window.snapshot.bank.size == 3 and window.snapshot.bank != starter_bank()


def test_typing_a_leading_dot_into_the_grid_is_not_a_shortcut(qtbot, window):
    # "." was the single-step shortcut and ate the first key of ".5"
    assert window.step_action.shortcut().toString() == "Ctrl+."
    assert all(action.shortcut().toString() != "." for action in window.findChildren(QtGui.QAction))


def test_the_shortcut_list_names_every_menu_key(window):
    text = window.shortcut_text()
    for action in window.findChildren(QtGui.QAction):
        for key in action.shortcuts():
            assert key.toString(QtGui.QKeySequence.SequenceFormat.NativeText) in text, action.text()
    # the keys added with presentation mode and the Learn panel are listed too
    assert "F5" in text and "Ctrl+L" in text and "Ctrl+Z" in text


@pytest.mark.parametrize("reset_first", [False, True])
def test_switching_pooling_on_gives_the_pooled_maps_room(qtbot, window, reset_first):
    """A tester switched max pooling on (after View ▸ Reset layout, or on a notes' example)
    and the pooled maps' panel was shown at zero width: visible to Qt, invisible to them."""
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.width() == 1280, timeout=WAIT_MS)
    if reset_first:
        window.presentation.reset_layout()
    panel = window.layer_panel
    panel.pool_mode.setCurrentIndex(panel.pool_mode.findData("max"))
    qtbot.waitUntil(lambda: window.pooled_panel.isVisibleTo(window) and window.pooled_panel.width() >= 100,
                    timeout=WAIT_MS)
    assert window.channels_panel.width() >= 100   # beside the per-channel maps, not instead of them
    panel.pool_mode.setCurrentIndex(panel.pool_mode.findData(None))
    qtbot.waitUntil(lambda: not window.pooled_panel.isVisibleTo(window), timeout=WAIT_MS)
    panel.pool_mode.setCurrentIndex(panel.pool_mode.findData("max"))   # and again
    qtbot.waitUntil(lambda: window.pooled_panel.isVisibleTo(window) and window.pooled_panel.width() >= 100,
                    timeout=WAIT_MS)


def test_a_map_panel_dragged_shut_stays_shut_through_edits(qtbot, window):
    """Room is given to a panel just shown, not to one the person closed with the splitter."""
    panel = window.layer_panel
    panel.pool_mode.setCurrentIndex(panel.pool_mode.findData("max"))
    qtbot.waitUntil(lambda: window.pooled_panel.isVisibleTo(window) and window.pooled_panel.width() >= 100,
                    timeout=WAIT_MS)
    splitter = window.pooled_panel.parentWidget()
    splitter.setSizes([sum(splitter.sizes()), 0])   # dragged shut
    assert splitter.sizes()[1] == 0
    panel.stride.setValue(2)                        # an edit: a new snapshot
    frame_where(qtbot, window, lambda r: r.snapshot.layer.stride == 2 and r.views)
    assert splitter.sizes()[1] == 0
