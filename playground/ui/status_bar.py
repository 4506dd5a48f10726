"""A status bar whose passing messages end in "…" where they would run under its read-outs."""

from __future__ import annotations

import time

from PySide6 import QtCore, QtWidgets

from .elided_label import ElidedLabel

__all__ = ["ElidingStatusBar"]


class ElidingStatusBar(QtWidgets.QStatusBar):
    """Qt cuts a long message off at the permanent widgets (source, FPS, timing, engine),
    mid-letter, so that it looked run together with them ("…summed intcvertical_edge.txt").

    Here a message is a label that takes the room the read-outs leave and ends in "…"
    where it does not fit, however their widths change while it shows; its whole text
    is its tooltip. ``showMessage``, ``clearMessage``, ``currentMessage`` and the
    ``messageChanged`` signal keep Qt's meaning.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._label = ElidedLabel()
        self.addWidget(self._label, 1)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clearMessage)
        self._under_tip: tuple[str, float | None] | None = None   # (message, its deadline) under a tip

    def insertPermanentWidget(self, index: int, widget: QtWidgets.QWidget, stretch: int = 0) -> int:  # noqa: N802
        """As Qt's, ``index`` counted among the permanent widgets (Qt counts the message
        label first: index 0 would be out of range, and the widget appended)."""
        return super().insertPermanentWidget(index + 1, widget, stretch) - 1

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        """Installed on the main window: its status tips (a hovered menu item or button)
        come here. Qt's main window hands them to the C++ ``showMessage``, which draws
        them itself, run into the read-outs ("…float32 .npy array:Demo 640×480").

        A tip covers the message of the moment, which comes back (with what was left
        of its time) when the pointer leaves: a notice must not be lost to a glance at a menu.
        """
        if event.type() != QtCore.QEvent.Type.StatusTip:
            return False
        tip = event.tip()
        if tip:
            if self._under_tip is None:
                left = self._timer.remainingTime() if self._timer.isActive() else None
                self._under_tip = (self.currentMessage(), None if left is None else time.monotonic() + left / 1000)
            self._show(tip, 0)
        elif self._under_tip is not None:
            text, deadline = self._under_tip
            self._under_tip = None
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                self._show("", 0)
            else:
                self._show(text, 0 if left is None else max(1, int(left * 1000)))
        return True

    def showMessage(self, text: str, timeout: int = 0) -> None:  # noqa: N802 (Qt's name)
        self._under_tip = None   # a new message replaces the one a tip covered
        self._show(text, timeout)

    def _show(self, text: str, timeout: int) -> None:
        self._label.setText(text)
        if timeout > 0:
            self._timer.start(timeout)
        else:
            self._timer.stop()
        self.messageChanged.emit(text)

    def clearMessage(self) -> None:  # noqa: N802 (Qt's name)
        self._under_tip = None
        self._timer.stop()
        if self._label.text():
            self._label.setText("")
            self.messageChanged.emit("")

    def currentMessage(self) -> str:  # noqa: N802 (Qt's name)
        return self._label.text()
