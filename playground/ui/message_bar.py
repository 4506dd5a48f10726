"""A banner above the maps for things the person must see (bad file, camera gone)."""

from __future__ import annotations

import html

from PySide6 import QtCore, QtWidgets

from . import theme

__all__ = ["MessageBar"]

_SHOW_MS = 10000


class MessageBar(QtWidgets.QFrame):
    """Shows one message at a time; hides itself after 10 s or on ✕."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.text = QtWidgets.QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QtWidgets.QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout.addWidget(self.text, 1)
        layout.addWidget(close)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.message = ""
        self.hide()

    def dismiss_if(self, text: str) -> None:
        """Hide the bar if it is showing ``text`` (a condition that has ended)."""
        if self.isVisible() and self.message == text:
            self.hide()

    def show_message(self, text: str, warning: bool = True) -> None:
        self.message = text
        colour = theme.WARNING if warning else theme.TEXT
        self.setStyleSheet(f"MessageBar {{ background: #3a3420; border: 1px solid {colour}; border-radius: 3px; }}"
                           if warning else "MessageBar { background: #263238; border-radius: 3px; }")
        self.text.setText(f"<span style='color:{colour}'>{html.escape(text)}</span>")
        self.show()
        self._timer.start(_SHOW_MS)
