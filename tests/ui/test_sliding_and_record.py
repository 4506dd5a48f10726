"""The animated sliding window ends on the map; the recorder writes the frames shown."""

from __future__ import annotations

import cv2
import numpy as np
from window_helpers import WAIT_MS

from playground.render.frame_layers import CellRef
from playground.sources.notes_examples import notes_example


def _notes_edge(qtbot, win, tmp_path):
    win.number_tools.matrices.folder = tmp_path
    win.number_tools.matrices.use_example(notes_example("vertical_edge"))
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.frame.shape == (6, 6, 1)
                    and win.last_frame.views["filters"].values.shape[:2] == (4, 4), timeout=WAIT_MS)


def test_sliding_window_plays_to_the_map(qtbot, window, tmp_path):
    win = window
    _notes_edge(qtbot, win, tmp_path)
    sliding = win.number_tools.sliding
    assert sliding.load_current()
    panel = sliding.panel
    assert len(panel.sliding) == 16 and panel.index == 0
    assert panel.sliding.padded_shape == (6, 6)   # valid padding: the window stays inside
    panel.speed.setValue(60)
    panel.play_button.setChecked(True)
    qtbot.waitUntil(lambda: panel.done, timeout=WAIT_MS)
    filled = panel.step.filled
    assert np.allclose(filled, np.asarray(win.last_frame.views["filters"].tile(0)), atol=1e-4)
    assert [panel.output_grid.cell_text(0, c) for c in range(4)] == ["0", "30", "30", "0"]
    assert not panel.play_button.isChecked()
    panel.step_back()
    assert np.isnan(panel.step.filled[3, 3]) and panel.step.out_row == 3 and panel.step.out_col == 2


def test_sliding_window_on_a_camera_sized_frame_runs_over_a_region(qtbot, window):
    win = window
    win.pause_action.setChecked(True)
    view = win.last_frame.views["filters"]
    h, w = view.values.shape[:2]
    win.number_tools.inspector.pin(CellRef("filters", 0, view.filters[1], 100, 200))
    assert win.number_tools.sliding.load_current()
    panel = win.number_tools.sliding.panel
    assert list(panel.sliding.rows) == list(range(94, 106)) and list(panel.sliding.cols) == list(range(194, 206))
    panel.go_to(len(panel.sliding) - 1)
    region = panel.step.filled[94:106, 194:206]
    shown = np.asarray(view.values[94:106, 194:206, 1])
    assert np.allclose(region, shown, rtol=1e-4, atol=1e-5)
    assert h > 16 and w > 16


def test_recorder_writes_the_frames_shown_at_the_window_size(qtbot, window, tmp_path):
    win = window
    recorder = win.number_tools.recorder
    path = tmp_path / "clip.avi"
    assert recorder.start(path, "window", fps=10)
    assert recorder.indicator.isVisibleTo(win) and recorder.indicator.text().startswith("● REC")
    qtbot.waitUntil(lambda: recorder.grabbed >= 5, timeout=WAIT_MS)
    result = recorder.stop()
    assert not recorder.indicator.isVisibleTo(win)
    assert result is not None and result.frames == recorder.grabbed
    capture = cv2.VideoCapture(str(result.path))
    count = 0
    size = None
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        count += 1
        size = (frame.shape[1], frame.shape[0])
    capture.release()
    grabbed = win.grab().size()
    even = (grabbed.width() + grabbed.width() % 2, grabbed.height() + grabbed.height() % 2)
    assert count == result.frames and size == even == result.size


def test_recording_the_maps_view_is_the_maps_area(qtbot, window, tmp_path):
    from playground.ui.record_actions import maps_widget

    win = window
    area = maps_widget(win)
    assert area is not win and area.isAncestorOf(win.filters_panel) and area.isAncestorOf(win.channels_panel)
    assert not area.isAncestorOf(win.editor)
    recorder = win.number_tools.recorder
    assert recorder.start(tmp_path / "maps.avi", "maps", fps=10)
    qtbot.waitUntil(lambda: recorder.grabbed >= 2, timeout=WAIT_MS)
    result = recorder.stop()
    assert result.size[0] >= area.width() and result.size[0] <= area.width() + 1


def test_a_click_while_the_animation_shows_reloads_it_there(qtbot, window):
    win = window
    win.pause_action.setChecked(True)
    qtbot.waitUntil(lambda: win.runner.paused, timeout=WAIT_MS)
    sliding = win.number_tools.sliding
    assert sliding.load_current() and sliding.dock.isVisible()
    view = win.last_frame.views["filters"]
    panel = win.filters_panel
    panel.cell_clicked.emit("filters", 2, 300, 100)   # what a click on tile 2 sends
    qtbot.waitUntil(lambda: 300 in sliding.panel.sliding.rows and 100 in sliding.panel.sliding.cols, timeout=WAIT_MS)
    assert sliding.panel.sliding.k == view.filters[2]


def test_closing_the_window_while_recording_finishes_the_file(qtbot, window, tmp_path):
    win = window
    recorder = win.number_tools.recorder
    assert recorder.start(tmp_path / "closing.avi", "maps", fps=10)
    qtbot.waitUntil(lambda: recorder.grabbed >= 2, timeout=WAIT_MS)
    win.close()
    assert not recorder.recording and recorder.last_result is not None
    assert recorder.last_result.path.is_file() and recorder.last_result.frames == recorder.grabbed


def test_dilated_window_marks_its_taps_on_the_padded_input(qtbot, window, tmp_path):
    import dataclasses

    win = window
    _notes_edge(qtbot, win, tmp_path)
    layer = dataclasses.replace(win.snapshot.layer, dilation=2, padding=2)
    win.layer_panel.set_settings(layer, win.snapshot.view)
    win.layer_panel.changed.emit(layer, win.snapshot.view)
    qtbot.waitUntil(lambda: win.last_frame.snapshot.layer == layer
                    and win.last_frame.views["filters"].values.shape[:2] == (6, 6), timeout=WAIT_MS)
    sliding = win.number_tools.sliding
    assert sliding.load_current()
    panel = sliding.panel
    panel.go_to(len(panel.sliding) - 1)
    assert np.allclose(panel.step.filled, np.asarray(win.last_frame.views["filters"].tile(0)), atol=1e-4)
    grid = panel.input_grid
    assert grid.frame[2:] == (5, 5) and len(grid.taps) == 9
    assert {(r - grid.frame[0], c - grid.frame[1]) for r, c in grid.taps} == {(i, j) for i in (0, 2, 4)
                                                                              for j in (0, 2, 4)}
    assert grid.padding is not None and grid.padding[0, 0]   # the corner is a padding zero
