"""The pixel inspector in the window: its numbers are the numbers the maps show."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6 import QtCore
from window_helpers import WAIT_MS

from playground.engine.layer import LayerSettings, PoolSettings
from playground.render.frame_layers import CellRef


def _click_cell(qtbot, win, panel, tile: int, row: int, col: int) -> None:
    """Click the centre of map cell (row, col) of ``tile`` on screen, as a person would."""
    view = panel.current
    h, w = view.values.shape[:2]
    top, left = view.layout.origin(tile)
    x = left + (col + 0.5) * view.layout.tile_w / w
    y = top + (row + 0.5) * view.layout.tile_h / h
    scene = panel.view.box.mapViewToScene(QtCore.QPointF(x, y))
    point = panel.view.mapFromScene(scene)
    qtbot.mouseClick(panel.view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=point)


def _inspector(win):
    return win.number_tools.inspector


def _pinned_equals_map(qtbot, win, key: str, tile: int, row: int, col: int) -> None:
    inspector = _inspector(win)
    panel = {"filters": win.filters_panel, "channels": win.channels_panel, "pooled": win.pooled_panel}[key]
    qtbot.waitUntil(lambda: panel.current is not None and panel.current.key == key, timeout=WAIT_MS)
    _click_cell(qtbot, win, panel, tile, row, col)
    # tiles are drawn shrunk: a screen pixel covers a few map cells, so the cell hit is near (row, col)
    qtbot.waitUntil(lambda: inspector.panel.cell is not None and inspector.panel.cell.view == key, timeout=WAIT_MS)
    cell = inspector.panel.cell
    assert abs(cell.row - row) <= 8 and abs(cell.col - col) <= 8
    shown = panel.current.value_at(tile, cell.row, cell.col)
    assert inspector.panel.value == pytest.approx(shown, rel=1e-4, abs=1e-5)
    assert inspector.panel.cell.filter == panel.current.filters[tile]


def test_pinned_cell_equals_the_map_value(qtbot, window):
    win = window
    win.pause_action.setChecked(True)   # one frame on screen while we click and compare
    qtbot.waitUntil(lambda: win.runner.paused, timeout=WAIT_MS)
    view = win.filters_panel.current
    h, w = view.values.shape[:2]
    _pinned_equals_map(qtbot, win, "filters", 2, h // 3, w // 2)
    # the window outline on the input: f × f taps of the pinned cell
    conv = _inspector(win).panel.conv
    assert not _inspector(win)._window_outline.path().isEmpty()
    assert conv.window.shape[:2] == (3, 3)


def test_per_channel_and_pooled_cells_equal_their_maps(qtbot, window):
    win = window
    layer = LayerSettings(padding=1, stride=2, dilation=2, flip=True, activation="relu",
                          pool=PoolSettings("max", 2, 2))
    win.layer_panel.set_settings(layer, win.snapshot.view)
    win.layer_panel.changed.emit(layer, win.snapshot.view)
    win.pause_action.setChecked(True)
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.snapshot.layer == layer
                    and "pooled" in win.last_frame.views and win.pooled_panel.current is not None
                    and win.pooled_panel.current.values.shape == win.last_frame.views["pooled"].values.shape,
                    timeout=WAIT_MS)
    _pinned_equals_map(qtbot, win, "channels", 4, 5, 7)
    assert _inspector(win).panel.cell.channel == win.channels_panel.current.cells[4][0]
    _pinned_equals_map(qtbot, win, "pooled", 1, 3, 4)
    assert _inspector(win).panel.pool is not None
    # the pool window is outlined on the conv map: f × f cells of filter 1's tile
    assert _inspector(win)._cell_outlines["filters_panel"].path().elementCount() == 4 * 5
    assert _inspector(win).panel.kernel_note.text().startswith("kernel flipped")


def test_layer_two_cell_equals_the_map(qtbot, window):
    from playground.live.snapshot import Snapshot

    win = window
    network = win.snapshot.network.insert_layer()
    assert network.depth == 2
    snapshot = Snapshot(network=network, selected=1, view=win.snapshot.view)
    if hasattr(win, "take_network"):
        win.take_network(network, selected=1)
    else:   # until the window has a layer list: the snapshot as the layer list will set it
        win._set_snapshot(snapshot)
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.snapshot.selected == 1
                    and win.filters_panel.current is not None
                    and win.filters_panel.current.values.shape == win.last_frame.views["filters"].values.shape,
                    timeout=WAIT_MS)
    win.pause_action.setChecked(True)
    qtbot.waitUntil(lambda: win.runner.paused, timeout=WAIT_MS)
    view = win.filters_panel.current
    h, w = view.values.shape[:2]
    _pinned_equals_map(qtbot, win, "filters", 0, h // 2, w // 2)
    assert _inspector(win).panel.cell.layer == 1
    assert not _inspector(win)._field_outline.path().isEmpty()   # its receptive field on the picture
    # the second layer reads the first layer's maps: channel names are layer 1's filters
    assert _inspector(win).panel.conv.window.shape[2] == len(network.layers[0].bank)


def test_shift_over_the_input_outlines_every_cell_fed(qtbot, window):
    win = window
    layer = dataclasses.replace(win.snapshot.layer, stride=2, padding="valid")
    win.layer_panel.set_settings(layer, win.snapshot.view)
    win.layer_panel.changed.emit(layer, win.snapshot.view)
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.snapshot.layer == layer, timeout=WAIT_MS)
    region = _inspector(win).fed_cells(10, 10)
    # stride 2, f = 3, valid: pixel 10 is read by outputs 4 (taps 8–10) and 5 (taps 10–12)
    assert region.rows == (4, 5) and region.cols == (4, 5)
    region = _inspector(win).fed_cells(11, 11)
    assert region.rows == (5,) and region.cols == (5,)


def test_unpin_clears_the_panel(qtbot, window):
    win = window
    inspector = _inspector(win)
    inspector.pin(CellRef("filters", 0, 0, 0, 0))
    qtbot.waitUntil(lambda: inspector.panel.cell is not None, timeout=WAIT_MS)
    inspector.unpin()
    assert inspector.panel.cell is None and inspector._window_outline.path().isEmpty()
    assert np.isfinite(win.last_frame.views["filters"].values[0, 0, 0])


def test_closing_the_inspector_takes_its_outlines_away(qtbot, window):
    win = window
    inspector = _inspector(win)
    inspector.pin(CellRef("filters", 0, 0, 5, 5))
    qtbot.waitUntil(lambda: not inspector._window_outline.path().isEmpty(), timeout=WAIT_MS)
    sliding = win.number_tools.sliding.dock
    sliding.show()
    sliding.raise_()                   # tabbed in front of the inspector: the cell stays pinned
    assert inspector.pinned is not None
    win.presentation.enter()           # hidden while presenting: still pinned, outlined after
    win.presentation.leave()
    assert inspector.pinned is not None
    qtbot.waitUntil(lambda: not inspector._window_outline.path().isEmpty(), timeout=WAIT_MS)
    inspector.dock.close()             # closed: no green window left on the input
    assert inspector.pinned is None and inspector._window_outline.path().isEmpty()
    inspector.pin(CellRef("filters", 0, 0, 5, 5))
    inspector.dock.toggleViewAction().trigger()   # unticked in the View menu: the same
    assert inspector.pinned is None and not inspector.dock.isVisible()


def test_shift_over_a_map_follows_the_mouse(qtbot, window, monkeypatch):
    win = window
    inspector = _inspector(win)
    win.pause_action.setChecked(True)
    qtbot.waitUntil(lambda: win.runner.paused and win.filters_panel.current is not None, timeout=WAIT_MS)
    panel = win.filters_panel
    view = panel.current
    h, w = view.values.shape[:2]
    top, left = view.layout.origin(3)
    scene = panel.view.box.mapViewToScene(QtCore.QPointF(left + view.layout.tile_w / 2, top + view.layout.tile_h / 2))
    monkeypatch.setattr(type(inspector), "_shift_held", staticmethod(lambda: False))
    panel.view.scene().sigMouseMoved.emit(scene)
    assert inspector.pinned is None   # without the modifier a hover changes nothing
    monkeypatch.setattr(type(inspector), "_shift_held", staticmethod(lambda: True))
    panel.view.scene().sigMouseMoved.emit(scene)
    qtbot.waitUntil(lambda: inspector.panel.cell is not None, timeout=WAIT_MS)
    cell = inspector.panel.cell
    assert inspector.following and cell.filter == view.filters[3]
    assert abs(cell.row - h // 2) <= 8 and abs(cell.col - w // 2) <= 8
    assert inspector.panel.value == pytest.approx(view.value_at(3, cell.row, cell.col), rel=1e-4, abs=1e-5)
    assert inspector.panel.header.text().startswith("Following")


def test_volume_example_shows_a_row_per_channel_and_numbers_on_the_input(qtbot, window, tmp_path):
    from playground.sources.notes_examples import notes_example

    win = window
    win.number_tools.matrices.folder = tmp_path
    example = notes_example("volume_6x6x3")
    win.number_tools.matrices.use_example(example)
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.frame.shape == (6, 6, 3)
                    and win.last_frame.views["filters"].values.shape[:2] == (4, 4)
                    and win.snapshot.bank.names() == example.bank().names(), timeout=WAIT_MS)
    inspector = _inspector(win)
    inspector.pin(CellRef("filters", 0, 0, 1, 1))
    qtbot.waitUntil(lambda: inspector.panel.cell is not None, timeout=WAIT_MS)
    assert inspector.panel.value == pytest.approx(float(example.expected[1, 1, 0]))
    names = [row[0].text() for row in inspector.panel._rows if row[0].isVisibleTo(inspector.panel)]
    assert names == ["R", "G", "B"]
    numbers = win.number_tools.input_numbers
    assert numbers.values is not None and numbers.texts(0, 0) == [
        str(int(v)) if float(v).is_integer() else str(v) for v in example.input[0, 0]]


def test_a_pinned_cell_follows_the_live_frames(qtbot, window):
    win = window
    inspector = _inspector(win)
    view = win.last_frame.views["filters"]
    inspector.pin(CellRef("filters", 0, view.filters[0], 100, 150))
    qtbot.waitUntil(lambda: inspector.shown_result is not None, timeout=WAIT_MS)
    first = inspector.shown_result
    # the demo moves: later frames are explained too (at most REFRESH_HZ a second), each with its own map
    qtbot.waitUntil(lambda: inspector.shown_result.index > first.index + 2, timeout=WAIT_MS)
    shown = inspector.shown_result
    assert inspector.panel.value == pytest.approx(shown.views["filters"].value_at(0, 100, 150), rel=1e-4, abs=1e-5)
