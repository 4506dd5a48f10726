"""Edit menu: undo / redo of bank edits, and going back to the starting bank."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from playground.kernels import starter_bank
from playground.kernels.history import BankHistory

from .actions import make_action

__all__ = ["EditActions"]


class EditActions(QtCore.QObject):
    """Keeps the bank's history for ``window`` (a MainWindow) and offers Undo / Redo / Reset."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.history = BankHistory(window.snapshot.bank)
        self.undo_action = make_action(self, "Undo bank edit", "Ctrl+Z", self.undo,
                                       "Go back one edit of the filter bank (Ctrl+Z)")
        self.redo_action = make_action(self, "Redo bank edit", "Ctrl+Shift+Z", self.redo,
                                       "Redo the edit undone last (Ctrl+Shift+Z)")
        self.reset_action = make_action(self, "Reset to the starting bank", None, self.reset,
                                        "Replace the bank by the eight filters the app starts with (undoable)")
        self._sync()

    def add_to(self, menu_bar: QtWidgets.QMenuBar) -> QtWidgets.QMenu:
        menu = menu_bar.addMenu("&Edit")
        for action in (self.undo_action, self.redo_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.reset_action)
        return menu

    def record(self, bank) -> None:
        """Called for every bank the window takes on (edits, loads, resets)."""
        self.history.record(bank)
        self._sync()

    @QtCore.Slot()
    def undo(self) -> None:
        self._go(self.history.undo(), "nothing to undo")

    @QtCore.Slot()
    def redo(self) -> None:
        self._go(self.history.redo(), "nothing to redo")

    @QtCore.Slot()
    def reset(self) -> None:
        bank = starter_bank()
        self.window.editor.set_bank(bank)
        self.window.take_bank(bank)  # recorded like any edit, so it can be undone

    def _go(self, bank, empty: str) -> None:
        if bank is None:
            self.window.statusBar().showMessage(empty, 3000)
            return
        self.window.editor.set_bank(bank)
        self.window.take_bank(bank, record=False)
        self._sync()

    def _sync(self) -> None:
        self.undo_action.setEnabled(self.history.can_undo)
        self.redo_action.setEnabled(self.history.can_redo)
