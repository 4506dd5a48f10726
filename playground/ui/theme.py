"""The dark theme's colours, shared by the Qt palette and the pyqtgraph views."""

from __future__ import annotations

from PySide6 import QtGui, QtWidgets

__all__ = ["WINDOW", "BASE", "TEXT", "BORDER", "MUTED", "WARNING", "apply_dark_theme"]

WINDOW = "#2b2d30"   # window and view background: empty space around a picture blends in
BASE = "#1e1f22"     # text fields, lists
TEXT = "#dfe1e5"
BORDER = "#55595f"   # outline of each picture, so a map's extent shows where its values are ~0
MUTED = "#9aa0a6"   # secondary text: read-outs, hints
WARNING = "#e8b339"


def apply_dark_theme(app: QtWidgets.QApplication) -> None:
    """Fusion style with a dark palette."""
    app.setStyle("Fusion")
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
    app.setPalette(palette)
