"""Projector and laptop resolutions: every layer control inside the window (or reachable by scrolling).

Before, the window's minimum width was 1265 pixels: at 1024×768 the right panel with
the padding, pooling and levels controls lay past the screen's edge, and the "same"
padding split text at stride 2 widened it further.
"""

from __future__ import annotations

import dataclasses

import pytest
from window_helpers import WAIT_MS, frame_where

pytest.importorskip("PySide6")

from PySide6 import QtCore, QtWidgets  # noqa: E402

pytestmark = pytest.mark.qt

SIZES = [(1024, 768), (1280, 720), (1366, 768)]


def _scroll_area_of(widget):
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QtWidgets.QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def _inside(outer: QtCore.QRect, inner: QtCore.QRect) -> bool:
    return outer.contains(inner.topLeft()) and outer.contains(inner.bottomRight())


def assert_reachable(win, widget):
    """``widget`` is inside the window, or inside a scroll area that is and can scroll to it."""
    scroll = _scroll_area_of(widget)
    name = f"{type(widget).__name__} {widget.objectName() or getattr(widget, 'text', lambda: '')()!r}"
    if scroll is None:
        rect = QtCore.QRect(widget.mapTo(win, QtCore.QPoint(0, 0)), widget.size())
        assert _inside(win.rect(), rect), f"{name} at {rect} is outside the window {win.rect()}"
        return
    assert_reachable(win, scroll)
    content = scroll.widget()
    rect = QtCore.QRect(widget.mapTo(content, QtCore.QPoint(0, 0)), widget.size())
    assert _inside(content.rect(), rect), f"{name} at {rect} is cut off by its panel {content.rect()}"
    # horizontally: the content fits the viewport, or a scroll bar brings the rest into view
    viewport = scroll.viewport().width()
    scrollable = scroll.horizontalScrollBar().isVisible() and scroll.horizontalScrollBar().maximum() > 0
    assert rect.right() < viewport or scrollable, f"{name} ends at x={rect.right()}, the panel shows {viewport}"


def _controls(panel):
    return [child for child in panel.findChildren(QtWidgets.QWidget)
            if child.isVisibleTo(panel) and not isinstance(child, QtWidgets.QScrollBar)
            and child.parentWidget() is not None and child.window() is panel.window()]


def _too_wide(win, width: int) -> str:
    """The panels whose minimum widths add up past ``width``, for the failure message."""
    parts = []
    for splitter in win.findChildren(QtWidgets.QSplitter):
        for i in range(splitter.count()):
            child = splitter.widget(i)
            if child.isVisible() and child.minimumSizeHint().width() > width // 3:
                parts.append(f"{type(child).__name__} {child.minimumSizeHint().width()} px")
    return ", ".join(parts)


def _settle(qtbot, win, size):
    need = max(win.minimumSizeHint().width(), win.minimumWidth())
    assert need <= size[0], f"the window needs {need} px, wider than {size[0]}: {_too_wide(win, size[0])}"
    win.resize(*size)
    qtbot.waitUntil(lambda: (win.width(), win.height()) == size, timeout=WAIT_MS)
    QtWidgets.QApplication.processEvents()
    qtbot.wait(50)
    QtWidgets.QApplication.processEvents()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_layer_control_is_inside_the_window(qtbot, window, size):
    win = window
    _settle(qtbot, win, size)
    controls = _controls(win.layer_panel)
    assert len(controls) > 20  # combo boxes, spin boxes, check boxes, labels of both groups
    for widget in controls:
        assert_reachable(win, widget)


def test_the_same_padding_split_at_stride_2_does_not_push_controls_off(qtbot, window):
    win = window
    layer = dataclasses.replace(win.snapshot.layer, padding="same", stride=2)
    win.layer_panel.set_settings(layer, win.snapshot.view)
    win.layer_panel.changed.emit(layer, win.snapshot.view)
    frame_where(qtbot, win, lambda r: r.snapshot.layer.stride == 2)
    split = win.layer_panel.padding_split
    qtbot.waitUntil(lambda: "uneven" in split.text(), timeout=WAIT_MS)
    _settle(qtbot, win, (1280, 720))
    for widget in _controls(win.layer_panel):
        assert_reachable(win, widget)
    # the split wraps: all of it is on screen, none of it elided or clipped
    assert split.height() >= split.heightForWidth(split.width())


def test_the_custom_p_box_shows_only_for_custom_padding(window):
    panel = window.layer_panel
    layer = dataclasses.replace(window.snapshot.layer, padding="valid")
    panel.set_settings(layer, window.snapshot.view)
    assert panel.padding_p.isHidden(), "a stale custom p beside 'p = 0'"
    panel.set_settings(dataclasses.replace(layer, padding=2), window.snapshot.view)
    assert not panel.padding_p.isHidden() and panel.padding_p.value() == 2


def test_the_input_title_does_not_hold_the_panel_wide(qtbot, window):
    win = window
    _settle(qtbot, win, (1280, 720))
    title = win.input_panel.title
    assert "n_H × n_W × n_c" in title.text()  # the whole text is kept …
    assert win.input_panel.minimumSizeHint().width() < 200  # … but does not set the panel's width
    if title.is_elided():
        assert title.text() in title.toolTip()
