"""Issue 11's tools in the window, attached with one call: see every number.

:func:`attach_number_tools` adds, without the window knowing their insides: the
pixel inspector (a dock), the animated sliding window (a dock), typed matrices
and the notes' examples (File menu), the input scale and gray mode (File ▸
Input), and recording to a video (File menu, status bar indicator).
"""

from __future__ import annotations

from types import SimpleNamespace

from PySide6 import QtWidgets

from .input_numbers import InputNumbers
from .inspector_controller import Inspector
from .matrix_actions import MatrixActions
from .record_actions import RecordActions
from .sliding_panel import SlidingDock

__all__ = ["attach_number_tools"]


def _file_menu(window) -> QtWidgets.QMenu:
    for action in window.menuBar().actions():
        menu = action.menu()
        if menu is not None and action.text().replace("&", "") == "File":
            return menu
    return window.menuBar().addMenu("&File")


def _before_quit(menu: QtWidgets.QMenu):
    """The action new entries go before: Quit stays last."""
    for action in menu.actions():
        if action.text().replace("&", "") == "Quit":
            return action
    return None


def attach_number_tools(window) -> SimpleNamespace:
    """Add the inspector, the sliding window, matrices, input modes and recording to ``window``.

    Returns
    -------
    SimpleNamespace
        ``inspector``, ``sliding``, ``matrices``, ``recorder`` (the controllers) and
        ``input_numbers`` (the numbers on the input picture)
        (the window keeps the namespace as ``window.number_tools``).
    """
    inspector = Inspector(window)
    sliding = SlidingDock(window, inspector)
    window.tabifyDockWidget(inspector.dock, sliding.dock)
    # hidden until a cell is clicked or an animation loaded: the maps keep the room
    inspector.dock.hide()
    sliding.dock.hide()
    numbers = InputNumbers()
    window.input_panel.view.box.addItem(numbers)
    window.frame_displayed.connect(lambda result: numbers.set_input(
        result.network_input if getattr(result, "network_input", None) is not None else result.frame,
        result.input_rgb))
    matrices = MatrixActions(window)
    recorder = RecordActions(window)
    menu = _file_menu(window)
    quit_action = _before_quit(menu)
    for section in (matrices.actions(), recorder.actions()):
        for item in section:
            if isinstance(item, QtWidgets.QMenu):
                menu.insertMenu(quit_action, item)
            else:
                menu.insertAction(quit_action, item)
        menu.insertSeparator(quit_action)
    view_menu = next((a.menu() for a in window.menuBar().actions()
                      if a.menu() is not None and a.text().replace("&", "") == "View"), None)
    if view_menu is not None:
        view_menu.addSeparator()
        view_menu.addAction(inspector.dock.toggleViewAction())
        view_menu.addAction(sliding.dock.toggleViewAction())
    return SimpleNamespace(inspector=inspector, sliding=sliding, matrices=matrices, recorder=recorder,
                           input_numbers=numbers)
