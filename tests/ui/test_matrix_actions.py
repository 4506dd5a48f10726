"""Typed matrices, the notes' examples from the menu, input modes: the notes' numbers on screen."""

from __future__ import annotations

import numpy as np
import pytest
from window_helpers import WAIT_MS

from playground.sources.input_mode import InputMode
from playground.sources.moded import ModedSource
from playground.sources.notes_examples import notes_example


def _tools(win):
    return win.number_tools


def _first_map(win) -> np.ndarray:
    return np.asarray(win.last_frame.views["filters"].tile(0))


def test_notes_example_from_the_menu_reads_0_30_30_0(qtbot, window, tmp_path):
    win = window
    _tools(win).matrices.folder = tmp_path
    action = next(a for a in _tools(win).matrices.examples_menu.actions() if a.text().startswith("Vertical edge:"))
    before = win.snapshot.bank
    action.trigger()
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.frame.shape == (6, 6, 1)
                    and win.last_frame.views["filters"].values.shape[:2] == (4, 4), timeout=WAIT_MS)
    maps = _first_map(win)
    assert np.allclose(maps, [[0, 30, 30, 0]] * 4, atol=1e-4)
    # the numbers drawn on the cells: the one rule, a zero reads "0"
    from playground.render.numbers import format_cell, map_scale
    assert [format_cell(v, map_scale(maps)) for v in maps[0]] == ["0", "30", "30", "0"]
    assert win.snapshot.bank.channels == 1 and win.snapshot.layer.padding == "valid"
    assert np.array_equal(win.snapshot.bank.filters[0].weights[:, :, 0], [[1, 0, -1]] * 3)
    # the bank and settings came as one undo step: undo gives back the bank from before
    win.edit_actions.undo()
    assert win.snapshot.bank.names() == before.names() and win.snapshot.bank.channels == before.channels


def test_typed_matrix_becomes_the_source(qtbot, window, tmp_path):
    from playground.ui.matrix_dialog import MatrixDialog

    win = window
    _tools(win).matrices.folder = tmp_path
    dialog = MatrixDialog(parent=win)
    qtbot.addWidget(dialog)
    dialog.rows.setValue(4)
    dialog.cols.setValue(5)
    dialog.set_cell(0, 0, -7.5)
    dialog.set_cell(3, 4, 42)
    expected = np.zeros((4, 5, 1), np.float32)
    expected[:, :3] = 10
    expected[0, 0], expected[3, 4] = -7.5, 42
    assert np.array_equal(dialog.matrix, expected)
    assert np.array_equal(dialog.source().matrix, expected)
    path = _tools(win).matrices.use_typed(dialog)
    assert path is not None and path.parent == tmp_path
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.frame.shape == (4, 5, 1), timeout=WAIT_MS)
    assert np.array_equal(win.last_frame.frame, expected)


def test_matrix_dialog_refuses_a_ragged_paste_with_its_line(qtbot):
    from playground.ui.matrix_dialog import MatrixDialog

    dialog = MatrixDialog()
    qtbot.addWidget(dialog)
    dialog.text.setPlainText("1 2 3\n4 5\n")
    assert not dialog.apply_text()
    assert "line 2" in dialog.error.text()
    dialog.text.setPlainText("1 2\n3 4\n\n5 6\n7 8\n\n9 10\n11 12\n")
    assert dialog.apply_text()
    assert dialog.matrix.shape == (2, 2, 3) and dialog.tabs.count() == 3
    assert dialog.tabs.widget(2).item(1, 1).text() == "12"


def test_gray_raw_mode_and_the_bank_follows(qtbot, window):
    win = window
    matrices = _tools(win).matrices
    assert win.snapshot.bank.channels == 3
    weights = np.stack([f.weights for f in win.snapshot.bank.filters], axis=-1)
    matrices.set_mode(InputMode("raw", grayscale=True))
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.frame.shape[2] == 1
                    and win.snapshot.bank.channels == 1, timeout=WAIT_MS)
    assert isinstance(win.runner.source, ModedSource)
    assert float(win.last_frame.frame.max()) > 1.5   # raw 0–255, not [0, 1]
    summed = np.stack([f.weights for f in win.snapshot.bank.filters], axis=-1)
    assert np.allclose(summed[:, :, 0], weights.sum(axis=2))
    matrices.set_mode(InputMode())
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.frame.shape[2] == 3
                    and float(win.last_frame.frame.max()) <= 1.0, timeout=WAIT_MS)
    assert not win.runner.source.closed   # the demo was adopted, not closed by the switch


@pytest.mark.parametrize("key", ["vertical_edge_mirror", "max_pool_4x4"])
def test_other_examples_read_the_notes_numbers(qtbot, window, tmp_path, key):
    win = window
    _tools(win).matrices.folder = tmp_path
    example = notes_example(key)
    _tools(win).matrices.use_example(example)
    view_key = "pooled" if example.pooled else "filters"
    shape = example.expected.shape[:2]
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.frame.shape == example.input.shape
                    and view_key in win.last_frame.views
                    and win.last_frame.views[view_key].values.shape[:2] == shape, timeout=WAIT_MS)
    assert np.allclose(np.asarray(win.last_frame.views[view_key].tile(0)), example.expected[:, :, 0], atol=1e-4)


def test_a_small_matrix_after_the_demo_fills_the_input_view(qtbot, window, tmp_path):
    """The demo's 640×480 picture, then a 6×6 matrix: the view fits the matrix, not the
    previous picture's size (the input's numbers overlay still had it)."""
    from PySide6 import QtCore

    win = window
    _tools(win).matrices.folder = tmp_path
    example = notes_example("vertical_edge")
    _tools(win).matrices.use_example(example)
    qtbot.waitUntil(lambda: win.input_panel._rgb is not None and win.input_panel._rgb.shape[:2] == (6, 6),
                    timeout=WAIT_MS)
    box = win.input_panel.view.box
    (x0, x1), (y0, y1) = box.viewRange()
    # aspect-locked: one axis spans the 6 cells (plus the 1 % padding), the other at least that
    assert min(x1 - x0, y1 - y0) < 6.5 and x0 <= 0 and y0 <= 0 and x1 >= 6 and y1 >= 6
    box.setRange(xRange=(2, 3), yRange=(2, 3), padding=0)   # zoomed in; a double-click fits again
    viewport = win.input_panel.view.viewport()
    left, centre = QtCore.Qt.MouseButton.LeftButton, viewport.rect().center()
    # as Qt delivers a double-click: press, release, double-click, release
    qtbot.mouseClick(viewport, left, pos=centre)
    qtbot.mouseDClick(viewport, left, pos=centre)
    qtbot.mouseRelease(viewport, left, pos=centre)
    qtbot.waitUntil(lambda: box.viewRange()[0][1] - box.viewRange()[0][0] >= 6, timeout=WAIT_MS)


def test_ok_reads_a_pasted_text_first_and_stays_open_on_a_bad_one(qtbot):
    from playground.ui.matrix_dialog import MatrixDialog

    dialog = MatrixDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.text.setPlainText("1, 2\n3, x\n")
    dialog.accept()
    assert dialog.isVisible() and "line 2" in dialog.error.text()
    dialog.text.setPlainText("1, 2\n3, 4\n")
    dialog.accept()
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Accepted
    assert dialog.source().matrix[:, :, 0].tolist() == [[1, 2], [3, 4]]


def test_the_gray_fit_is_one_undo_step_and_rgb_again_gives_the_colour_kernels_back(qtbot, window):
    win = window
    matrices = _tools(win).matrices
    rgb = win.snapshot.network
    matrices.set_mode(InputMode(grayscale=True))
    qtbot.waitUntil(lambda: win.snapshot.network.input_channels == 1, timeout=WAIT_MS)
    assert win.edit_actions.undo_action.isEnabled()
    # back to colour: the kernels from before, not the summed slice repeated on R, G, B
    matrices.set_mode(InputMode())
    qtbot.waitUntil(lambda: win.snapshot.network.input_channels == 3, timeout=WAIT_MS)
    assert win.snapshot.network == rgb
    # gray again, then Ctrl+Z: the colour kernels, and later frames do not fit them again
    matrices.set_mode(InputMode(grayscale=True))
    qtbot.waitUntil(lambda: win.snapshot.network.input_channels == 1, timeout=WAIT_MS)
    win.edit_actions.undo()
    assert win.snapshot.network == rgb
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.frame.shape[2] == 1, timeout=WAIT_MS)
    frame = win.last_frame
    qtbot.waitUntil(lambda: win.last_frame is not frame, timeout=WAIT_MS)   # a later gray frame was shown
    assert win.snapshot.network == rgb
    win.edit_actions.redo()
    assert win.snapshot.network.input_channels == 1


def test_after_an_ordinary_undo_gray_still_fits_layer_1(qtbot, window):
    """Undo marks the network "as chosen" only while the source keeps its channel count."""
    win = window
    matrices = _tools(win).matrices
    qtbot.waitUntil(lambda: win.last_frame is not None, timeout=WAIT_MS)
    first = win.snapshot.bank.filters[0]
    win.take_bank(win.snapshot.bank.replace_filter(0, first.with_weights(first.weights * 2)))
    win.edit_actions.undo()
    matrices.set_mode(InputMode(grayscale=True))
    qtbot.waitUntil(lambda: win.snapshot.network.input_channels == 1, timeout=WAIT_MS)
    # and an undone fit is fitted again once the source goes to colour and back to gray
    win.edit_actions.undo()
    assert win.snapshot.network.input_channels == 3
    matrices.set_mode(InputMode())
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.frame.shape[2] == 3, timeout=WAIT_MS)
    matrices.set_mode(InputMode(grayscale=True))
    qtbot.waitUntil(lambda: win.snapshot.network.input_channels == 1, timeout=WAIT_MS)
