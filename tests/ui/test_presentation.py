"""Presentation mode, font sizes (remembered, validated), full screen and View ▸ Reset layout."""

from __future__ import annotations

import numpy as np
import pytest
from window_helpers import WAIT_MS, frame_where

pytest.importorskip("PySide6")

from PySide6 import QtCore, QtWidgets  # noqa: E402

from playground.ui.window_layout import FONT_KEY, FONT_SCALES, covering, read_font_scale  # noqa: E402

pytestmark = pytest.mark.qt


def _side_panels(win):
    """The parts presentation mode is meant to hide: the editor, the layer panels' scroll area, the maps."""
    right = win.layer_panel
    while right.parentWidget() is not win.splitter:
        right = right.parentWidget()
    return [win.editor, right, win.filters_panel, win.channels_panel]


def test_presentation_mode_hides_the_side_panels_and_restores_them(qtbot, window):
    win = window
    presentation = win.presentation
    before = {panel: panel.isVisible() for panel in _side_panels(win)}
    assert all(before.values())
    sizes = win.splitter.sizes()

    presentation.present_action.trigger()
    assert presentation.presenting
    qtbot.waitUntil(lambda: presentation.big_map.isVisible(), timeout=WAIT_MS)
    for panel in _side_panels(win):
        assert not panel.isVisible(), f"{type(panel).__name__} still shown in presentation mode"
    assert win.input_panel.isVisible()
    assert win.isFullScreen()
    # the big map sits beside the input (to its right, level with it), larger than it
    big = presentation.big_map
    qtbot.waitUntil(lambda: big.width() > win.input_panel.width(), timeout=WAIT_MS)
    big_at, input_at = big.mapTo(win, QtCore.QPoint(0, 0)), win.input_panel.mapTo(win, QtCore.QPoint(0, 0))
    assert big_at.x() >= input_at.x() + win.input_panel.width()
    assert abs(big_at.y() - input_at.y()) < 40
    qtbot.waitUntil(lambda: big.height() > 0.6 * win.centralWidget().height(), timeout=WAIT_MS)

    presentation.leave_action.trigger()  # Esc
    assert not presentation.presenting
    assert not presentation.big_map.isVisible()
    assert not win.isFullScreen()
    for panel, shown in before.items():
        assert panel.isVisible() == shown
    qtbot.waitUntil(lambda: win.splitter.sizes() == sizes, timeout=WAIT_MS)


def test_big_map_shows_the_selected_filters_tile(qtbot, window):
    win = window
    presentation = win.presentation
    presentation.enter()
    win.editor.set_selected(2)
    frame = frame_where(qtbot, win, lambda r: r.error is None and "filters" in r.views)
    view = frame.views["filters"]
    qtbot.waitUntil(lambda: presentation.big_map.current is not None, timeout=WAIT_MS)
    big = presentation.big_map
    index = view.filters.index(2)
    assert big.title.text() == view.titles[index]
    top, left = view.layout.origin(index)
    expected = view.pixels[top:top + view.layout.tile_h, left:left + view.layout.tile_w]
    shown = big.tile_pixels()
    if big.current is view:
        np.testing.assert_array_equal(shown, expected)
    assert shown.shape == (view.layout.tile_h, view.layout.tile_w)

    # Page Down steps to the next filter shown
    presentation.next_action.trigger()
    assert win.editor.selected() == view.filters[(index + 1) % len(view.filters)]
    presentation.leave()


def test_big_map_writes_a_small_maps_numbers_in_its_cells(qtbot, window, tmp_path):
    """The notes' 6×6 vertical edge, projected: each cell of the big map carries its number
    (it did only in the small tiles, where the cells are too small to read)."""
    from playground.sources.notes_examples import notes_example

    win = window
    tools = win.number_tools
    tools.matrices.folder = tmp_path
    tools.matrices.use_example(notes_example("vertical_edge"))
    presentation = win.presentation
    presentation.enter()
    big = presentation.big_map
    qtbot.waitUntil(lambda: big.current is not None and big.current.values.shape[:2] == (4, 4), timeout=WAIT_MS)
    view, index = big.current, big.index
    np.testing.assert_array_equal(big.values._values, np.asarray(view.tile(index)))
    qtbot.waitUntil(lambda: big.view.width() > 200, timeout=WAIT_MS)
    with_numbers = big.view.grab().toImage()
    big.values.set_map(None, (0.0, 1.0), (0, 0))
    big.view.repaint()
    without = big.view.grab().toImage()
    assert with_numbers != without   # the numbers are painted
    presentation.leave()

    # the demo's 480 × 640 maps: far too many cells for numbers, and none asked of the maps
    win.number_tools.matrices.open_spec("demo")
    presentation.enter()
    qtbot.waitUntil(lambda: big.current is not None and big.current.values.shape[0] > 100, timeout=WAIT_MS)
    assert big.values._values is None
    presentation.leave()


def test_big_map_asks_for_tiles_drawn_at_its_own_size(qtbot, window):
    win = window
    win.resize(1400, 900)
    presentation = win.presentation
    presentation.enter()
    # the demo is 480 × 640: the big map is hundreds of pixels, far more than a quarter-size thumbnail
    frame = frame_where(qtbot, win, lambda r: r.error is None and r.views["filters"].layout.tile_w >= 320)
    assert frame.views["filters"].layout.tile_w >= 320
    presentation.leave()


def test_the_fonts_scale_with_ctrl_plus_and_are_remembered(qtbot, window):
    win = window
    presentation = win.presentation
    base = win.font().pointSizeF()
    label_before = win.layer_panel.stride.font().pointSizeF()
    presentation.larger_action.trigger()
    presentation.larger_action.trigger()
    assert presentation.font_scale == FONT_SCALES[FONT_SCALES.index(1.0) + 2]
    assert win.font().pointSizeF() == pytest.approx(base * presentation.font_scale)
    # children inherit it: the layer panel's controls grow too
    assert win.layer_panel.stride.font().pointSizeF() > label_before
    assert read_font_scale(win.settings) == (presentation.font_scale, False)
    presentation.smaller_action.trigger()
    assert presentation.font_scale == FONT_SCALES[FONT_SCALES.index(1.0) + 1]
    presentation.reset_font_action.trigger()
    assert win.font().pointSizeF() == pytest.approx(base)
    assert read_font_scale(win.settings) == (1.0, False)


@pytest.mark.parametrize("raw", ["40", "nan", "big", "1.1", "-1"])
def test_a_damaged_font_size_reads_as_normal(tmp_path, raw):
    settings = QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.Format.IniFormat)
    settings.setValue(FONT_KEY, raw)
    assert read_font_scale(settings) == (1.0, True)
    settings.setValue(FONT_KEY, "1.5")
    assert read_font_scale(settings) == (1.5, False)


def test_a_remembered_font_size_is_restored_and_a_bad_one_removed(qtbot, tmp_path, numpy_backend):
    from playground.sources import open_source
    from playground.ui.main_window import MainWindow

    path = str(tmp_path / "settings.ini")
    settings = QtCore.QSettings(path, QtCore.QSettings.Format.IniFormat)
    settings.setValue(FONT_KEY, "1.5")
    win = MainWindow(open_source("demo"), settings=settings)
    qtbot.addWidget(win)
    assert win.presentation.font_scale == 1.5
    plain = QtWidgets.QApplication.font().pointSizeF()
    assert win.font().pointSizeF() == pytest.approx(plain * 1.5)
    assert win.shutdown()

    settings.setValue(FONT_KEY, "1e9")
    win = MainWindow(open_source("demo"), settings=settings)
    qtbot.addWidget(win)
    assert win.presentation.font_scale == 1.0
    assert not settings.contains(FONT_KEY)
    assert "font size" in win.message_bar.message
    assert win.shutdown()


def test_reset_layout_restores_the_panel_sizes_and_forgets_the_geometry(qtbot, window):
    win = window
    win.settings.setValue("window/geometry", win.saveGeometry())
    # the defaults are read from the first laid-out frame
    qtbot.waitUntil(lambda: win.presentation._defaults_settled, timeout=WAIT_MS)
    default = win.splitter.sizes()
    total = sum(default)
    win.splitter.setSizes([total - 200, 100, 100])
    assert win.splitter.sizes() != default
    win.presentation.reset_layout_action.trigger()
    win.resize(1400, 900)  # the fixture's size (reset_layout uses the screen's default)
    qtbot.waitUntil(lambda: all(abs(a - b) <= 3 for a, b in zip(win.splitter.sizes(), default, strict=True)),
                    timeout=WAIT_MS)
    assert not win.settings.contains("window/geometry")


def test_esc_does_nothing_outside_presentation_and_full_screen(window):
    assert not window.presentation.leave_action.isEnabled()
    assert not window.presentation.next_action.isEnabled()


def test_larger_fonts_reach_styled_titles_and_widen_clipped_side_panels(qtbot, window):
    win = window
    win.resize(1280, 720)
    qtbot.waitUntil(lambda: win.width() == 1280, timeout=WAIT_MS)
    title = win.filters_panel.title            # styled bold: Qt leaves it out of font inheritance
    before = title.font().pointSizeF()
    bar = win.filters_panel.colour_bar.width()
    win.presentation.set_font_scale(1.5, remember=False)
    assert title.font().pointSizeF() == pytest.approx(before * 1.5)
    assert title.font().bold()
    assert win.filters_panel.colour_bar.width() > bar  # "-0.911" still fits beside the bar
    # the editor scrolls only vertically: its grown content must get the width, not be clipped
    scroll = win.editor.findChild(QtWidgets.QScrollArea)
    qtbot.waitUntil(lambda: scroll.widget().minimumSizeHint().width() <= scroll.viewport().width(),
                    timeout=WAIT_MS)
    win.presentation.set_font_scale(1.0, remember=False)
    assert title.font().pointSizeF() == pytest.approx(before)


def _fitted(monkeypatch, win) -> list:
    """A list that grows each time the panels have been fitted after a font change."""
    done = []
    fit = win.presentation._fit_sides
    monkeypatch.setattr(win.presentation, "_fit_sides", lambda restore: (fit(restore), done.append(restore)))
    return done


def _settled_at_1280(qtbot, win) -> list[int]:
    win.resize(1280, 720)
    qtbot.waitUntil(lambda: win.width() == 1280, timeout=WAIT_MS)
    QtCore.QCoreApplication.processEvents()   # (the start-up font's own fitting, a zero timer)
    return win.splitter.sizes()


def _font_steps(qtbot, fitted: list, *steps) -> None:
    """Each font change in turn (a Presentation method), each waited for until fitted."""
    for step in steps:
        count = len(fitted)
        step()
        qtbot.waitUntil(lambda count=count: len(fitted) > count, timeout=WAIT_MS)


@pytest.mark.parametrize("smaller_first", [False, True], ids=["from-normal", "after-ctrl-minus"])
def test_ctrl_0_gives_the_maps_back_the_width_a_larger_font_took(qtbot, window, monkeypatch, smaller_first):
    # a tester pressed Ctrl++ twice, then Ctrl+0: the side panels stayed widened; also after
    # the font was smaller first (a remembered 0.9, or Ctrl+- earlier): Ctrl+0 gives 1.0's sizes
    win = window
    fitted = _fitted(monkeypatch, win)
    _settled_at_1280(qtbot, win)
    font = win.presentation
    if smaller_first:
        _font_steps(qtbot, fitted, font.smaller_font, font.reset_font_action.trigger)
    normal = win.splitter.sizes()
    _font_steps(qtbot, fitted, font.larger_font, font.larger_font)
    assert win.splitter.sizes() != normal          # the sides widened for the larger font
    _font_steps(qtbot, fitted, font.reset_font_action.trigger)
    assert win.splitter.sizes() == normal


def test_a_drag_of_the_panels_is_kept_when_the_font_goes_back(qtbot, window, monkeypatch):
    win = window
    fitted = _fitted(monkeypatch, win)
    _settled_at_1280(qtbot, win)
    _font_steps(qtbot, fitted, win.presentation.larger_font)
    dragged = list(win.splitter.sizes())
    dragged[0] += 40
    dragged[1] -= 40
    win.splitter.setSizes(dragged)
    win.splitter.splitterMoved.emit(dragged[0], 1)   # what a drag of the handle sends
    dragged = win.splitter.sizes()
    _font_steps(qtbot, fitted, win.presentation.reset_font_action.trigger)
    assert win.splitter.sizes() == dragged           # the person's own sizes, not the old ones


def test_ctrl_0_while_presenting_restores_the_panels_on_leaving(qtbot, window, monkeypatch):
    win = window
    fitted = _fitted(monkeypatch, win)
    before = _settled_at_1280(qtbot, win)
    font = win.presentation
    _font_steps(qtbot, fitted, font.larger_font, font.larger_font)
    assert win.splitter.sizes() != before          # the sides widened
    font.enter()
    _font_steps(qtbot, fitted, font.reset_font_action.trigger)
    win.presentation.leave()
    win.resize(1280, 720)
    qtbot.waitUntil(lambda: win.width() == 1280 and win.splitter.sizes() == before, timeout=WAIT_MS)


def test_the_panels_come_back_in_a_wider_window_and_the_maps_take_the_extra(qtbot, window, monkeypatch):
    from playground.ui import presentation

    monkeypatch.setattr(presentation, "screen_room", lambda window: QtCore.QSize(1920, 1080))   # room to widen
    win = window
    fitted = _fitted(monkeypatch, win)
    before = _settled_at_1280(qtbot, win)
    font = win.presentation
    _font_steps(qtbot, fitted, font.larger_font, font.larger_font)
    win.resize(1500, 720)
    qtbot.waitUntil(lambda: win.width() == 1500, timeout=WAIT_MS)
    _font_steps(qtbot, fitted, font.reset_font_action.trigger)
    sizes = win.splitter.sizes()   # the sides as before the font grew; the maps get the window's extra width
    centre = next(i for i in range(win.splitter.count()) if covering(win.splitter.widget(i), win.input_panel))
    for i, (now, then) in enumerate(zip(sizes, before, strict=True)):
        if i == centre:
            assert now >= then + 200
        else:
            assert abs(now - then) <= 2


def test_tile_titles_grow_with_the_font(qtbot, window):
    win = window
    frame_where(qtbot, win, lambda r: r.error is None and "filters" in r.views)
    labels = win.filters_panel._labels

    def chip_size():
        win.filters_panel.view.grab()   # paints the chips (laid out anew when the font changed)
        chips = [chip for _, chip in labels._plan[2]]
        assert chips
        return max(chip.height() / chip.devicePixelRatio() for chip in chips)

    before = chip_size()
    win.presentation.set_font_scale(2.0, remember=False)
    assert labels is win.filters_panel._labels
    assert chip_size() >= before * 1.6


def test_reset_layout_puts_the_docks_back(qtbot, window):
    win = window
    docks = win.findChildren(QtWidgets.QDockWidget)
    if not docks:
        pytest.skip("no docks in this window")
    before = {dock: dock.isVisible() for dock in docks}
    for dock in docks:
        dock.setVisible(not before[dock])   # each one the other way round
    win.presentation.reset_layout()
    qtbot.waitUntil(lambda: all(dock.isVisible() == shown for dock, shown in before.items()), timeout=WAIT_MS)


def test_presenting_skips_the_hidden_per_channel_view_and_quitting_restores_it(qtbot, window):
    win = window
    geometry = win.geometry()
    assert win.snapshot.view.per_channel
    win.presentation.enter()
    assert not win.snapshot.view.per_channel          # not computed while hidden
    frame_where(qtbot, win, lambda r: r.error is None and "channels" not in r.views)
    win.close()                                        # quitting while presenting …
    assert not win.presentation.presenting
    assert win.snapshot.view.per_channel               # … saves the normal settings
    assert not win.isFullScreen() and win.geometry().size() == geometry.size()


def test_ctrl_0_gives_back_the_window_width_a_large_font_took(qtbot, window, monkeypatch):
    # a tester at 2.5× then Ctrl+0 had a 1363-pixel window on a 1280-pixel screen
    from playground.ui import presentation

    monkeypatch.setattr(presentation, "screen_room", lambda window: QtCore.QSize(1280, 720))
    win = window
    fitted = _fitted(monkeypatch, win)
    before = _settled_at_1280(qtbot, win)
    font = win.presentation
    _font_steps(qtbot, fitted, lambda: font.set_font_scale(FONT_SCALES[-1], remember=False))
    qtbot.waitUntil(lambda: win.width() > 1280, timeout=WAIT_MS)   # its minimum width grew with the text
    _font_steps(qtbot, fitted, font.reset_font_action.trigger)
    qtbot.waitUntil(lambda: win.width() == 1280 and win.splitter.sizes() == before, timeout=WAIT_MS)
