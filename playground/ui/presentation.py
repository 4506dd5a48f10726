"""Presentation mode for projectors, font size, full screen and View ▸ Reset layout.

Attached to a finished window with :func:`attach_presentation` (one call), so the
window's own code does not change for it. Presentation mode hides the side panels
(every part of the window that is not the input, the message bar and the toolbar),
shows the selected filter's map large beside the input and goes full screen;
leaving it puts back exactly what it hid.
"""

from __future__ import annotations

import dataclasses

from PySide6 import QtCore, QtGui, QtWidgets

from .big_map import BigMapPanel, tile_index
from .settings_store import GEOMETRY_KEY
from .window_layout import (
    FONT_KEY,
    FONT_SCALES,
    covering,
    default_window_size,
    fit_sides_to_content,
    give_centre_room,
    read_font_scale,
    scale_styled_widgets,
)

__all__ = ["Presentation", "attach_presentation"]

# input : big map when presenting (the map is what the class looks at)
_PRESENT_SPLIT = (2, 3)


@dataclasses.dataclass
class _Saved:
    """What entering presentation mode changed, to put back on leaving."""

    hidden: list            # widgets it hid (only those that were visible)
    sizes: dict             # splitter -> its sizes before
    state: QtCore.Qt.WindowState
    geometry: QtCore.QRect   # not every platform puts a full-screen window back where it was
    per_channel: bool        # whether the per-channel view was on


def screen_room(window: QtWidgets.QWidget) -> QtCore.QSize:
    """The size of the screen area ``window`` may fill (its screen less task bars)."""
    return window.screen().availableGeometry().size()


class Presentation(QtCore.QObject):
    """Presentation mode, font scale, full screen and layout reset of one window.

    Parameters
    ----------
    window : MainWindow
        Needs ``input_panel``, ``filters_panel``, ``editor`` (with ``selected()``,
        ``set_selected`` and ``selection_changed``), ``settings``, ``snapshot``,
        ``_set_snapshot``, ``show_message`` and the ``frame_displayed`` signal.
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.big_map = BigMapPanel()
        self.big_map.hide()
        self._saved: _Saved | None = None
        self._pending_sizes: dict | None = None
        self._base_font = QtGui.QFont(window.font())
        self.font_scale = 1.0
        # the main splitter's sizes (of the normal layout) per font scale the font grew
        # from: going back to that scale gives the maps their width back (the sides widen
        # for a larger font); a drag of the splitter forgets them
        self._grown_from: dict[float, tuple[list[int], QtCore.QSize]] = {}   # with the window's size
        window.splitter.splitterMoved.connect(lambda *_: self._grown_from.clear())
        self._default_sizes = self._splitter_sizes()
        self._default_state = window.saveState()
        self._defaults_settled = False
        self._build_actions()
        window.installEventFilter(self)   # resizes (full screen) and closing, see eventFilter
        window.frame_displayed.connect(self._on_frame)
        window.editor.selection_changed.connect(self._on_selection)
        scale, damaged = read_font_scale(window.settings)
        if damaged:
            window.settings.remove(FONT_KEY)
            window.show_message("the remembered font size was not valid; using the normal size", warning=False)
        self.set_font_scale(scale, remember=False)
        self._grown_from.clear()   # (not the remembered size's own growth at start-up)

    # --- actions -----------------------------------------------------------------------------
    def _action(self, text: str, keys, slot, tip: str, checkable: bool = False) -> QtGui.QAction:
        action = QtGui.QAction(text, self.window)
        action.setShortcuts([QtGui.QKeySequence(key) for key in keys])
        action.setToolTip(tip)
        action.setCheckable(checkable)
        (action.toggled if checkable else action.triggered).connect(slot)
        self.window.addAction(action)  # the keys work while the menu bar is hidden (full screen)
        return action

    def _build_actions(self) -> None:
        key = QtCore.Qt.Key
        self.present_action = self._action(
            "Presentation mode", [key.Key_F5], self._on_present,
            "Full screen, side panels hidden, the selected filter's map large beside the input (F5; Esc leaves)",
            checkable=True)
        self.full_screen_action = self._action("Full screen", [key.Key_F11], self._on_full_screen,
                                               "Full screen on or off (F11)", checkable=True)
        # Esc only while presenting or full screen: elsewhere it cancels a cell edit or a dialog
        self.leave_action = self._action("Leave presentation / full screen", [key.Key_Escape], self.leave,
                                         "Back to the normal window (Esc)")
        self.leave_action.setEnabled(False)
        self.larger_action = self._action("Larger font", ["Ctrl++", "Ctrl+="], self.larger_font,
                                          "Larger text everywhere (Ctrl +); remembered")
        self.smaller_action = self._action("Smaller font", ["Ctrl+-"], self.smaller_font,
                                           "Smaller text (Ctrl −); remembered")
        self.reset_font_action = self._action("Normal font size", ["Ctrl+0"], lambda: self.set_font_scale(1.0),
                                              "Back to the normal font size (Ctrl+0)")
        self.next_action = self._action("Next filter", [key.Key_PageDown], lambda: self.step_filter(1),
                                        "Show the next filter's map (Page Down; a presenter's clicker)")
        self.previous_action = self._action("Previous filter", [key.Key_PageUp], lambda: self.step_filter(-1),
                                            "Show the previous filter's map (Page Up)")
        for action in (self.next_action, self.previous_action):
            action.setEnabled(False)   # only in presentation mode: elsewhere they scroll lists
        self.reset_layout_action = self._action(
            "Reset layout", [], self.reset_layout,
            "Panels and window back to their default sizes; forgets the remembered window size")

    def add_to(self, menu: QtWidgets.QMenu) -> None:
        """Put the actions into ``menu`` (the View menu)."""
        menu.addSeparator()
        for action in (self.present_action, self.full_screen_action, self.next_action, self.previous_action):
            menu.addAction(action)
        menu.addSeparator()
        for action in (self.larger_action, self.smaller_action, self.reset_font_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.reset_layout_action)

    # --- presentation mode ------------------------------------------------------------------------
    @property
    def presenting(self) -> bool:
        return self._saved is not None

    def _side_parts(self) -> list[QtWidgets.QWidget]:
        """Every visible part of the window that presentation mode hides.

        Walking up from the input panel and from the big map: at each splitter, the
        siblings holding neither (the editor, the layer panels, the per-channel row,
        the per-filter mosaic, the network table); and every dock widget. The message
        bar, beside the splitters in a plain layout, stays: its messages still matter.
        """
        window = self.window
        keep = (window.input_panel, self.big_map)
        parts: list[QtWidgets.QWidget] = []
        for start in keep:
            child, parent = start, start.parentWidget()
            while parent is not None and child is not window.centralWidget():
                if isinstance(parent, QtWidgets.QSplitter):
                    parts += [parent.widget(i) for i in range(parent.count())
                              if not any(covering(parent.widget(i), kept) for kept in keep)
                              and parent.widget(i) not in parts]
                child, parent = parent, parent.parentWidget()
        parts += window.findChildren(QtWidgets.QDockWidget)
        # not hidden by the window itself (isVisible would be False for all before the window shows)
        return [part for part in parts if not part.isHidden()]

    def _input_side(self, holder: QtWidgets.QWidget) -> QtWidgets.QWidget | None:
        """The child of ``holder`` (the big map's splitter) that holds the input panel."""
        if not isinstance(holder, QtWidgets.QSplitter):
            return None
        return next((holder.widget(i) for i in range(holder.count())
                     if covering(holder.widget(i), self.window.input_panel)), None)

    def enter(self) -> None:
        """Hide the side panels, show the big map in the per-filter mosaic's place, go full screen."""
        if self.presenting:
            return
        window = self.window
        sizes = {s: s.sizes() for s in window.findChildren(QtWidgets.QSplitter)}
        state, geometry = window.windowState(), window.geometry()
        # the big map takes the mosaic's place: beside the input wherever the window put it
        holder = window.filters_panel.parentWidget()
        if isinstance(holder, QtWidgets.QSplitter):
            holder.insertWidget(holder.indexOf(window.filters_panel) + 1, self.big_map)
            holder.setStretchFactor(holder.indexOf(self.big_map), _PRESENT_SPLIT[1])
        self.big_map.show()
        self._saved = saved = _Saved(hidden=self._side_parts(), sizes=sizes, state=state, geometry=geometry,
                                     per_channel=window.snapshot.view.per_channel)
        for part in saved.hidden:
            part.hide()
        # the hidden per-channel grid costs the engine one conv per input channel: not computed meanwhile
        self._set_per_channel(False)
        self._split_input_and_map()
        # and once the hidden panels' room has gone to the splitter (the next layout pass)
        QtCore.QTimer.singleShot(0, self, self._split_input_and_map)
        for action in (self.next_action, self.previous_action, self.leave_action):
            action.setEnabled(True)
        self._sync_check(self.present_action, True)
        window.showFullScreen()
        self._sync_check(self.full_screen_action, True)
        if window.last_frame is not None:
            self._on_frame(window.last_frame)

    def _split_input_and_map(self) -> None:
        """Input : big map as :data:`_PRESENT_SPLIT` (the splitter would keep the old pixel sizes)."""
        holder = self.big_map.parentWidget()
        input_side = self._input_side(holder)
        if input_side is None or not self.presenting:
            return
        total = max(sum(holder.sizes()), sum(_PRESENT_SPLIT))
        share = {input_side: _PRESENT_SPLIT[0], self.big_map: _PRESENT_SPLIT[1]}
        holder.setSizes([total * share.get(holder.widget(i), 0) // sum(_PRESENT_SPLIT)
                         for i in range(holder.count())])

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        # while presenting, a resize of the window (going full screen, a projector plugged
        # in) re-splits input and map; dragging the handle in between is kept until then
        if watched is self.window and event.type() == QtCore.QEvent.Type.Close and self.presenting:
            # quitting while presenting: the window's size and the view settings saved at
            # exit are the normal ones, not full screen without the per-channel view
            self.leave()
        if watched is self.window and event.type() == QtCore.QEvent.Type.Resize:
            if self.presenting:
                QtCore.QTimer.singleShot(0, self, self._split_input_and_map)
            elif self._pending_sizes is not None:
                sizes, self._pending_sizes = self._pending_sizes, None
                QtCore.QTimer.singleShot(0, self, lambda: self._restore_sizes(sizes))
        return False

    def leave(self) -> None:
        """Back to the window as it was: panels, sizes, window state (also ends plain full screen)."""
        window, saved = self.window, self._saved
        if saved is None:
            if window.isFullScreen():
                self._on_full_screen(False)
            return
        self._saved = None
        self._set_per_channel(saved.per_channel)
        self.big_map.hide()
        self.big_map.setParent(None)   # out of the window's splitter, as before
        for part in saved.hidden:
            part.show()
        for action in (self.next_action, self.previous_action):
            action.setEnabled(False)
        self._sync_check(self.present_action, False)
        if not saved.state & QtCore.Qt.WindowState.WindowFullScreen:  # else it stays full screen
            window.setWindowState(saved.state)
            if not saved.state & QtCore.Qt.WindowState.WindowMaximized:
                window.setGeometry(saved.geometry)
            self._sync_check(self.full_screen_action, False)
            self.leave_action.setEnabled(False)
        self._restore_sizes(saved.sizes)
        # leaving full screen resizes the window later (the window manager's turn): the
        # panels' sizes are put back again then, once
        self._pending_sizes = saved.sizes
        QtCore.QTimer.singleShot(1000, self, self._forget_pending_sizes)

    def _restore_sizes(self, sizes: dict) -> None:
        for splitter, before in sizes.items():
            splitter.setSizes(before)

    def _forget_pending_sizes(self) -> None:
        self._pending_sizes = None

    @QtCore.Slot(bool)
    def _on_present(self, on: bool) -> None:
        self.enter() if on else self.leave()

    @QtCore.Slot(bool)
    def _on_full_screen(self, on: bool) -> None:
        window = self.window
        if on and not window.isFullScreen():
            window.showFullScreen()
        elif not on and window.isFullScreen():
            if self.presenting:
                self.leave()   # presentation mode is full screen by definition
            window.showNormal()
        self._sync_check(self.full_screen_action, on)
        self.leave_action.setEnabled(on or self.presenting)

    @staticmethod
    def _sync_check(action: QtGui.QAction, on: bool) -> None:
        """Show the state without re-entering the slot."""
        blocked = action.blockSignals(True)
        action.setChecked(on)
        action.blockSignals(blocked)

    # --- the big map ------------------------------------------------------------------------------
    def _selected(self) -> int:
        return self.window.editor.selected()

    @QtCore.Slot(int)
    def _on_selection(self, _index: int) -> None:
        if self.presenting and self.window.last_frame is not None:
            self._on_frame(self.window.last_frame)

    @QtCore.Slot(object)
    def _on_frame(self, result) -> None:
        if not self._defaults_settled:  # the first frame: the window is laid out; its sizes are the defaults
            self._defaults_settled = True
            give_centre_room(self.window.splitter, self.window.input_panel)
            self._default_sizes = self._splitter_sizes()
        if not self.presenting:
            return
        view = result.views.get("filters") if result.error is None else None
        if view is None:
            self.big_map.clear(result.error or "no per-filter maps")
            return
        self.big_map.show_filter(view, self._selected())
        self._ask_for_sharp_tiles(view)

    def _ask_for_sharp_tiles(self, view) -> None:
        """Have the worker draw the per-filter tiles at the big map's size, not the hidden mosaic's.

        The window sets each view's drawing scale from its panel's size; the hidden
        mosaic panel would leave the big map an enlarged, blurred thumbnail.
        """
        window = self.window
        size = self.big_map.view.size() * self.big_map.devicePixelRatioF()
        h, w = view.values.shape[:2]
        if size.width() < 20 or size.height() < 20 or window.snapshot.view.display_scale > 0:
            return
        fit = min(size.width() / w, size.height() / h)
        # the same rule as the window's: the smallest power of ½ enlarged at most 1.4×
        scale = next((s for s in (0.125, 0.25, 0.5) if s >= fit / 1.4), 1.0)
        fits = window.snapshot.view.fits
        entry = ("filters", scale, round(size.width() / size.height(), 1))
        if entry in fits:
            return
        fits = tuple(item for item in fits if item[0] != "filters") + (entry,)
        view_settings = dataclasses.replace(window.snapshot.view, fits=fits)
        window._set_snapshot(dataclasses.replace(window.snapshot, view=view_settings))

    def _set_per_channel(self, on: bool) -> None:
        window = self.window
        if window.snapshot.view.per_channel != on:
            view = dataclasses.replace(window.snapshot.view, per_channel=on)
            window._set_snapshot(dataclasses.replace(window.snapshot, view=view))

    def step_filter(self, delta: int) -> None:
        """Select the next (``delta`` = 1) or previous shown filter, wrapping around."""
        frame = self.window.last_frame
        view = frame.views.get("filters") if frame is not None else None
        if view is None or not view.filters:
            return
        index = (tile_index(view, self._selected()) + delta) % len(view.filters)
        self.window.editor.set_selected(view.filters[index])

    # --- fonts --------------------------------------------------------------------------------------
    def set_font_scale(self, scale: float, remember: bool = True) -> None:
        """Every text in the window at ``scale`` × the normal size (one of :data:`FONT_SCALES`).

        A larger font widens side panels whose content no longer fits; going back to a
        size the font grew from (Ctrl+0) puts the panels back as they were at that size,
        scaled to the window's width now.
        """
        restore = None
        if scale > self.font_scale:
            size = self._saved.geometry.size() if self.presenting else self.window.size()
            self._grown_from.setdefault(self.font_scale, (self._normal_sizes(), size))
        elif scale < self.font_scale:
            restore = self._grown_from.pop(scale, None)
            for larger in [grown for grown in self._grown_from if grown > scale]:
                del self._grown_from[larger]
        self.font_scale = scale
        font = QtGui.QFont(self._base_font)
        if font.pointSizeF() > 0:
            font.setPointSizeF(self._base_font.pointSizeF() * scale)
        else:  # a pixel-sized platform font
            font.setPixelSize(max(6, round(self._base_font.pixelSize() * scale)))
        self.window.setFont(font)
        scale_styled_widgets(self.window, scale)
        # once the panels have laid out with the new font (their size hints are stale until then)
        QtCore.QTimer.singleShot(0, self, lambda: self._fit_sides(restore))
        self.smaller_action.setEnabled(scale > FONT_SCALES[0])
        self.larger_action.setEnabled(scale < FONT_SCALES[-1])
        if remember and self.window.settings is not None:
            self.window.settings.setValue(FONT_KEY, f"{scale:g}")

    def _normal_sizes(self) -> list[int]:
        """The main splitter's sizes in the normal layout (kept aside while presenting)."""
        splitter = self.window.splitter
        return list(self._saved.sizes[splitter]) if self.presenting else splitter.sizes()

    def _fit_sides(self, restore: tuple[list[int], QtCore.QSize] | None) -> None:
        """After a font change: ``restore`` (the sizes from before the font grew), else the
        side panels widened to what their content needs.

        A large font can widen the window past the screen (its minimum width grows with
        the text): going back, a window that is neither maximised nor full screen and now
        overruns its screen takes its size from then again, where it grew since (a window
        the person widened within the screen keeps its size).
        """
        splitter = self.window.splitter
        if restore is None:
            fit_sides_to_content(splitter, self.window.input_panel)
            return
        sizes, size = restore
        if self.presenting:   # the normal layout comes back when presenting ends
            self._saved.sizes[splitter] = sizes
            return
        window = self.window
        room = screen_room(window)
        wide, tall = window.width() > room.width(), window.height() > room.height()
        if (wide or tall) and not (window.isMaximized() or window.isFullScreen()):
            # the smaller text's minimum sizes first (queued layout requests), or the
            # window stays at the large text's minimum width
            QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.LayoutRequest)
            window.resize(min(window.width(), size.width()) if wide else window.width(),
                          min(window.height(), size.height()) if tall else window.height())
        splitter.setSizes(sizes)   # (proportions: the splitter scales them to its width now)

    def larger_font(self) -> None:
        self.set_font_scale(next((s for s in FONT_SCALES if s > self.font_scale + 1e-9), FONT_SCALES[-1]))

    def smaller_font(self) -> None:
        self.set_font_scale(next((s for s in reversed(FONT_SCALES) if s < self.font_scale - 1e-9),
                                 FONT_SCALES[0]))

    # --- layout -------------------------------------------------------------------------------------
    def _splitter_sizes(self) -> dict:
        return {splitter: splitter.sizes() for splitter in self.window.findChildren(QtWidgets.QSplitter)
                if splitter is not self.big_map.parentWidget()}

    def reset_layout(self) -> None:
        """Panels to their first sizes, docks and toolbars as built, the default window size.

        The remembered geometry is removed too: the next start opens at the default size.
        """
        window = self.window
        self.leave()
        if window.isFullScreen() or window.isMaximized():
            window.showNormal()
        window.restoreState(self._default_state)
        window.resize(*default_window_size())
        for splitter, sizes in self._default_sizes.items():
            if sum(sizes) > 0:  # proportions: the splitter scales them to its size now
                splitter.setSizes(sizes)
        give_centre_room(window.splitter, window.input_panel)
        window.unfold_map_panels()   # (the first sizes were set while pooling was off)
        if window.settings is not None:
            window.settings.remove(GEOMETRY_KEY)
        window.show_message("layout reset to the defaults", warning=False)


def attach_presentation(window) -> Presentation:
    """Give ``window`` presentation mode, font sizes, full screen and Reset layout in its View menu.

    Call once, at the end of the window's construction (the default layout is read then).
    """
    presentation = Presentation(window)
    window.presentation = presentation
    menu = next((action.menu() for action in window.menuBar().actions()
                 if action.menu() is not None and action.text().replace("&", "") == "View"), None)
    if menu is None:
        menu = window.menuBar().addMenu("&View")
    presentation.add_to(menu)
    return presentation
