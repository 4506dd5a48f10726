"""How the window's panels share the screen: default size, room for the maps, font sizes.

Qt-side helpers for :mod:`playground.ui.presentation` and the start-up: each takes the
widgets it works on and holds no state.
"""

from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["DEFAULT_SIZE", "FONT_KEY", "FONT_SCALES", "default_window_size", "read_font_scale", "give_centre_room",
           "unfold", "fit_sides_to_content", "scale_styled_widgets", "covering"]

DEFAULT_SIZE = (1600, 1000)
FONT_KEY = "view/font_scale"
# Ctrl + / Ctrl − step through these; 2.5× of a 9-pt font is legible from the back row
FONT_SCALES = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5)
_BASE_POINTS = "kernel_playground_base_points"   # a styled widget's font size before any scaling


def default_window_size() -> tuple[int, int]:
    """1600×1000, shrunk to the screen's free area (a 1280×720 projector, a 1366×768 laptop).

    The offscreen platform's pretend screen is 800×600; there the full default is kept
    so a --screenshot without a display looks like a desktop window.
    """
    screen = QtGui.QGuiApplication.primaryScreen()
    if screen is None or QtGui.QGuiApplication.platformName() == "offscreen":
        return DEFAULT_SIZE
    free = screen.availableGeometry()
    return min(DEFAULT_SIZE[0], free.width()), min(DEFAULT_SIZE[1], free.height())


def read_font_scale(settings: QtCore.QSettings | None) -> tuple[float, bool]:
    """The remembered font scale and whether the stored entry was damaged.

    Only one of :data:`FONT_SCALES` is accepted: a hand-edited "40" or "nan" would
    make the window unusable, so it reads as 1.0 (and the caller removes it).
    """
    if settings is None or not settings.contains(FONT_KEY):
        return 1.0, False
    raw = settings.value(FONT_KEY)
    try:
        value = float(raw) if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) else math.nan
    except ValueError:
        value = math.nan
    for scale in FONT_SCALES:
        if math.isclose(value, scale, abs_tol=1e-6):
            return scale, False
    return 1.0, True


def give_centre_room(splitter: QtWidgets.QSplitter, centre: QtWidgets.QWidget, share: float = 0.5) -> None:
    """Shrink the splitter's other panels (not below their minimum) until ``centre`` has ``share`` of it.

    The side panels keep their pixel sizes when a window shrinks, so on a 1280-pixel
    projector the maps got what was left over; here the sides give way first.
    """
    sizes = splitter.sizes()
    index = next((i for i in range(splitter.count()) if covering(splitter.widget(i), centre)), None)
    total = sum(sizes)
    if index is None or total <= 0:
        return
    deficit = int(total * share) - sizes[index]
    room = [0 if i == index or size == 0 else
            max(0, size - max(splitter.widget(i).minimumWidth(), splitter.widget(i).minimumSizeHint().width()))
            for i, size in enumerate(sizes)]
    if deficit <= 0 or sum(room) == 0:
        return
    take = min(deficit, sum(room))
    cuts = [take * r // sum(room) for r in room]
    sizes = [size - cut for size, cut in zip(sizes, cuts, strict=True)]
    sizes[index] += sum(cuts)
    splitter.setSizes(sizes)


def unfold(widget: QtWidgets.QWidget, share: float) -> None:
    """Give a shown ``widget`` that its splitter holds at zero width ``share`` of the splitter.

    A splitter gives a widget shown again the size it had; a panel hidden when the
    sizes were set (the pooled maps before pooling is on, View ▸ Reset layout) had none,
    and stayed at zero width: shown to Qt, invisible to the person.
    """
    splitter = widget.parentWidget()
    if not isinstance(splitter, QtWidgets.QSplitter) or widget.isHidden():
        return
    sizes = splitter.sizes()
    index = splitter.indexOf(widget)
    total = sum(sizes)
    if sizes[index] > 0 or total <= 0:
        return
    room = int(total * share)
    sizes = [size * (total - room) // total for size in sizes]
    sizes[index] = room
    splitter.setSizes(sizes)


def fit_sides_to_content(splitter: QtWidgets.QSplitter, centre: QtWidgets.QWidget, keep: float = 0.35) -> None:
    """Widen the splitter's other panels to what their content needs (after a larger font).

    A scroll area without a horizontal scroll bar clips what does not fit, so a side
    panel whose content grew with the font is widened, taking from ``centre``'s panel
    but leaving it at least ``keep`` of the width.
    """
    sizes = splitter.sizes()
    index = next((i for i in range(splitter.count()) if covering(splitter.widget(i), centre)), None)
    if index is None or sum(sizes) <= 0:
        return
    spare = sizes[index] - int(sum(sizes) * keep)
    for i in range(splitter.count()):
        if i == index or sizes[i] == 0 or spare <= 0:
            continue
        side = splitter.widget(i)
        scroll = side if isinstance(side, QtWidgets.QScrollArea) else side.findChild(QtWidgets.QScrollArea)
        if scroll is None or scroll.widget() is None:
            continue
        frame = scroll.frameWidth() * 2 + scroll.verticalScrollBar().sizeHint().width()
        need = scroll.widget().minimumSizeHint().width() + frame + (side.width() - scroll.width())
        grow = min(max(0, need - sizes[i]), spare)
        sizes[i] += grow
        sizes[index] -= grow
        spare -= grow
    splitter.setSizes(sizes)


def scale_styled_widgets(window: QtWidgets.QWidget, scale: float) -> None:
    """Scale the fonts of widgets with a style sheet, which Qt leaves out of font inheritance.

    A panel title styled "font-weight: 600" or a read-out styled with a colour keeps
    its first font when the window's font changes; each gets its own, scaled from the
    size it had before any scaling.
    """
    for widget in window.findChildren(QtWidgets.QWidget):
        if not widget.styleSheet():
            continue
        base = widget.property(_BASE_POINTS)
        if base is None:
            base = widget.font().pointSizeF()
            widget.setProperty(_BASE_POINTS, base)
        if base > 0:
            font = QtGui.QFont(widget.font())
            font.setPointSizeF(base * scale)
            widget.setFont(font)


def covering(widget: QtWidgets.QWidget, inside: QtWidgets.QWidget) -> bool:
    """Whether ``widget`` is ``inside`` or one of its ancestors."""
    return widget is inside or widget.isAncestorOf(inside)
