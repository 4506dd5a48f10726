"""The dark theme's colours, shared by the Qt palette and the pyqtgraph views."""

from __future__ import annotations

from PySide6 import QtGui, QtWidgets

__all__ = ["WINDOW", "BASE", "TEXT", "BORDER", "MUTED", "WARNING", "DISABLED_TEXT", "DISABLED_BUTTON",
           "dark_palette", "apply_dark_theme"]

WINDOW = "#2b2d30"   # window and view background: empty space around a picture blends in
BASE = "#1e1f22"     # text fields, lists
TEXT = "#dfe1e5"
BORDER = "#55595f"   # outline of each picture, so a map's extent shows where its values are ~0
MUTED = "#9aa0a6"   # secondary text: read-outs, hints
WARNING = "#e8b339"
DISABLED_TEXT = "#6b6f75"    # greyed-out labels of controls that cannot be used now
DISABLED_BUTTON = "#323437"  # and their face, flatter than an enabled button


def dark_palette() -> QtGui.QPalette:
    """The dark palette, with a Disabled group of its own.

    ``setColor(role, colour)`` sets a role in every group, Disabled included, so
    without the second loop a disabled "Remove" or "▲" looked exactly like an
    enabled one.
    """
    palette = QtGui.QPalette()
    role = QtGui.QPalette.ColorRole
    colours = {
        role.Window: WINDOW, role.WindowText: TEXT, role.Base: BASE, role.AlternateBase: WINDOW,
        role.ToolTipBase: WINDOW, role.ToolTipText: TEXT, role.Text: TEXT, role.Button: "#3c3f41",
        role.ButtonText: TEXT, role.BrightText: "#ff6b68", role.Highlight: "#2f65ca",
        role.HighlightedText: "#ffffff", role.Link: "#589df6", role.PlaceholderText: "#8c8c8c",
    }
    for colour_role, value in colours.items():
        palette.setColor(colour_role, QtGui.QColor(value))
    disabled = QtGui.QPalette.ColorGroup.Disabled
    for colour_role in (role.WindowText, role.Text, role.ButtonText, role.HighlightedText):
        palette.setColor(disabled, colour_role, QtGui.QColor(DISABLED_TEXT))
    palette.setColor(disabled, role.Button, QtGui.QColor(DISABLED_BUTTON))
    palette.setColor(disabled, role.Base, QtGui.QColor(WINDOW))
    palette.setColor(disabled, role.Highlight, QtGui.QColor(BORDER))
    return palette


def apply_dark_theme(app: QtWidgets.QApplication) -> None:
    """Fusion style with the dark palette."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
