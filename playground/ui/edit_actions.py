"""Edit menu: undo / redo of every network edit, and going back to the starting bank.

History holds ``(network, selected layer)`` pairs: networks are immutable values,
so kernels, filters, layer settings, layers added, removed or moved, a K or f
changed, a file or a built-in network opened are each one entry, and an undo
shows the layer that was edited. Selecting a layer or changing how maps are
coloured is not an edit.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from playground.kernels import follow_channels, starter_bank
from playground.kernels.history import History

from .actions import make_action

__all__ = ["EditActions"]


class EditActions(QtCore.QObject):
    """Keeps the network's history for ``window`` (a MainWindow) and offers Undo / Redo / Reset."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.history = History(self._entry(window.snapshot))
        self.undo_action = make_action(self, "Undo", "Ctrl+Z", self.undo,
                                       "Go back one edit of the network: kernels, filters, layer settings, "
                                       "layers (Ctrl+Z)")
        self.redo_action = make_action(self, "Redo", "Ctrl+Shift+Z", self.redo,
                                       "Redo the edit undone last (Ctrl+Shift+Z)")
        self.reset_action = make_action(self, "Reset to the starting bank", None, self.reset,
                                        "Replace the first layer's bank by the eight filters the app starts "
                                        "with (undoable)")
        self._sync()

    @staticmethod
    def _entry(snapshot) -> tuple:
        return (snapshot.network, snapshot.selected)

    def add_to(self, menu_bar: QtWidgets.QMenuBar) -> QtWidgets.QMenu:
        menu = menu_bar.addMenu("&Edit")
        for action in (self.undo_action, self.redo_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.reset_action)
        return menu

    def record(self, snapshot) -> None:
        """Called with every snapshot an edit made (the same network again is not an edit)."""
        if snapshot.network == self.history.current[0]:
            return
        self.history.record(self._entry(snapshot))
        self._sync()

    @QtCore.Slot()
    def undo(self) -> None:
        edited = self.history.current[1]   # show the layer whose edit is undone
        entry = self.history.undo()
        self._go(None if entry is None else (entry[0], edited), "nothing to undo")

    @QtCore.Slot()
    def redo(self) -> None:
        self._go(self.history.redo(), "nothing to redo")

    @QtCore.Slot()
    def reset(self) -> None:
        """The starting bank on layer 1 (gray input: its slices summed into one), layer 1 selected."""
        network = self.window.snapshot.network
        bank = follow_channels(starter_bank(), network.input_channels)
        self.window.take_network(network.set_bank(0, bank), 0)

    def _go(self, entry, empty: str) -> None:
        if entry is None:
            self.window.statusBar().showMessage(empty, 3000)
            return
        network, selected = entry
        self.window.take_network(network, selected, record=False)
        self.window.keep_network_as_is()   # an undone fit to a gray source stays undone
        self._sync()

    def _sync(self) -> None:
        self.undo_action.setEnabled(self.history.can_undo)
        self.redo_action.setEnabled(self.history.can_redo)
