"""A QAction with its shortcut and tooltip in one call (the menus build many)."""

from __future__ import annotations

from PySide6 import QtGui

__all__ = ["make_action"]


def make_action(parent, text: str, keys: str | None, slot, tip: str) -> QtGui.QAction:
    """An action triggering ``slot``; ``tip`` shows as tooltip and in the status bar."""
    action = QtGui.QAction(text, parent)
    if keys:
        action.setShortcut(QtGui.QKeySequence(keys))
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action
