"""The window's menus and toolbar, and the keyboard-shortcut list read off them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtCore, QtGui, QtWidgets

from .edit_actions import EditActions
from .export_actions import ExportActions

__all__ = ["WindowActions", "build_menus", "shortcut_text"]


@dataclass(frozen=True)
class WindowActions:
    """What the menus made that the window keeps using."""

    edit: EditActions
    export: ExportActions
    pause: QtGui.QAction
    step: QtGui.QAction


def build_menus(window) -> WindowActions:
    """File, Edit, Bank, Network, View and Help menus and the toolbar of ``window``.

    ``window`` provides ``sources`` and ``network_ui`` (their own menu entries),
    ``close``, and the slots ``_on_pause(bool)``, ``_on_step()`` and ``_show_shortcuts()``.
    """
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("main-toolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
    menu_bar = window.menuBar()
    file_menu = menu_bar.addMenu("&File")
    edit = EditActions(window)      # Edit right after File, before Bank
    edit.add_to(menu_bar)
    window.sources.add_to(file_menu, toolbar)
    file_menu.addSeparator()
    export = ExportActions(window)  # screenshots, export, the Bank menu
    export.add_to(file_menu, menu_bar, toolbar)
    window.network_ui.actions.add_to(menu_bar)
    file_menu.addSeparator()
    quit_action = file_menu.addAction("Quit")
    quit_action.setShortcut(QtGui.QKeySequence("Ctrl+Q"))  # the platform's Quit key is unbound on some
    quit_action.triggered.connect(window.close)

    view_menu = menu_bar.addMenu("&View")
    pause = QtGui.QAction("Pause", window)
    pause.setCheckable(True)
    pause.setShortcut(QtGui.QKeySequence(QtCore.Qt.Key.Key_Space))
    pause.setToolTip("Pause / resume the source (Space); edits still update the held frame")
    pause.toggled.connect(window._on_pause)
    step = QtGui.QAction("Step", window)
    # Ctrl+. rather than "." alone: a plain "." is a shortcut before the kernel grid
    # sees it, and typing ".5" into a cell entered 5 and paused the view
    step.setShortcut(QtGui.QKeySequence("Ctrl+."))
    step.setToolTip("Show exactly one new frame, then hold it (Ctrl+.)")
    step.triggered.connect(window._on_step)
    toolbar.addSeparator()
    for action in (pause, step):
        view_menu.addAction(action)
        toolbar.addAction(action)
    help_menu = menu_bar.addMenu("&Help")
    shortcuts = help_menu.addAction("Keyboard shortcuts")
    shortcuts.setShortcut(QtGui.QKeySequence.StandardKey.HelpContents)
    shortcuts.triggered.connect(window._show_shortcuts)
    return WindowActions(edit, export, pause, step)


def shortcut_text(window: QtWidgets.QWidget) -> str:
    """Every action's key under ``window``, read from the actions themselves (so the list
    never drifts), then the keys that live inside widgets."""
    lines = {}
    for action in window.findChildren(QtGui.QAction):
        keys = ", ".join(key.toString(QtGui.QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts())
        name = action.text().replace("&", "").rstrip(".…").strip()
        if keys and name:
            lines.setdefault(keys, f"{keys}  {name}")
    return "\n".join(sorted(lines.values(), key=str.lower)) + (
        "\n\nIn the bank list: F2 rename, Ctrl+↑ / Ctrl+↓ reorder, Delete remove, Ctrl+D duplicate\n"
        "In the kernel grid: arrows move, type a number + Enter, mouse wheel nudges ±0.1 "
        "(Shift ±1, Ctrl ±0.01)\n"
        "On a map: click a cell to inspect it, Shift follows the mouse; wheel zooms, drag pans, "
        "double-click fits it again\n"
        "In presentation mode: Page Down / Page Up step through the filters, Esc leaves")
