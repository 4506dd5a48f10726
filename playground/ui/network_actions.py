"""The Network menu: built-in networks, open / save network files, copy as PyTorch.

A file that cannot be used gives a message naming the field and the problem
(from :mod:`playground.export.network_io`) and the network in use stays. A bank
file opens as a one-layer network. Dialogs go through the window's
:class:`~playground.ui.export_actions.ExportActions`, which tests replace.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from playground.export import ExportError
from playground.export.network_io import load_network, save_network
from playground.export.pytorch_network import pytorch_network_snippet
from playground.kernels import starter_bank
from playground.kernels.network import Network
from playground.kernels.network_presets import NETWORK_PRESETS

from .actions import make_action

__all__ = ["NetworkActions", "SINGLE_LAYER", "NETWORK_KEY"]

NETWORK_KEY = "export/network_folder"
NETWORK_FILTER = "Networks and banks (*.json);;All files (*)"
SINGLE_LAYER = "Single layer (starting bank)"


def single_layer() -> Network:
    """Today's app: the eight starting filters on RGB, one layer, "same" padding."""
    return Network.single(starter_bank())


class NetworkActions(QtCore.QObject):
    """Network-menu actions for ``window`` (a MainWindow with ``take_network``)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.builtin_actions: dict[str, QtGui.QAction] = {}
        choices = [(SINGLE_LAYER, "The eight starting filters on the RGB picture: one conv layer", single_layer)]
        choices += [(p.name, p.description, p.build) for p in NETWORK_PRESETS.values()]
        for name, tip, build in choices:
            self.builtin_actions[name] = make_action(self, name, None,
                                                     lambda _=False, n=name, b=build: self.use_builtin(n, b), tip)
        # the network panel's Add / Remove buttons, also in the menu (where people look first)
        self.add_layer_action = make_action(self, "Add a layer after the selected one", None,
                                            lambda _=False: self.window.network_ui.panel.add_layer(),
                                            "Insert a 3×3 'same' layer that copies its input, so what follows "
                                            "is unchanged; edit its filters from there")
        self.remove_layer_action = make_action(self, "Remove the selected layer", None,
                                               lambda _=False: self.window.network_ui.panel.remove_layer(),
                                               "The next layer is refitted to its new input (Ctrl+Z undoes)")
        self.open_action = make_action(self, "Open network…", None, self.open_network,
                                       "Open a network file (JSON; a bank file opens as a one-layer network). "
                                       "A bad file is refused with a message and the network in use stays")
        self.save_action = make_action(self, "Save network as…", None, self.save_network,
                                       "Save every layer (weights, biases, settings) and the FC sizes as JSON")
        self.pytorch_action = make_action(self, "Copy network as PyTorch", None, self.copy_pytorch,
                                          "Put Python code for an nn.Sequential of the whole network, with its "
                                          "weights, on the clipboard")

    def add_to(self, menu_bar: QtWidgets.QMenuBar) -> QtWidgets.QMenu:
        menu = menu_bar.addMenu("&Network")
        menu.setToolTipsVisible(True)
        menu.addAction(self.add_layer_action)
        menu.addAction(self.remove_layer_action)
        # enabled as the panel's buttons are (at most 8 layers, at least 1)
        menu.aboutToShow.connect(self._enable_layer_actions)
        menu.addSeparator()
        builtin = menu.addMenu("Built-in networks")
        builtin.setToolTipsVisible(True)
        for action in self.builtin_actions.values():
            builtin.addAction(action)
        menu.addSeparator()
        for action in (self.open_action, self.save_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.pytorch_action)
        self.menu = menu
        return menu

    def _enable_layer_actions(self) -> None:
        panel = self.window.network_ui.panel
        self.add_layer_action.setEnabled(panel.add_button.isEnabled())
        self.remove_layer_action.setEnabled(panel.remove_button.isEnabled())

    def _dialogs(self):
        return self.window.export_actions

    def _start_folder(self) -> str:
        return self._dialogs().remembered(NETWORK_KEY) or str(Path.home())

    def use_builtin(self, name: str, build) -> None:
        self.window.take_network(build(), 0)
        self.window.show_message(f"network: {name}", warning=False)

    @QtCore.Slot()
    def open_network(self) -> Network | None:
        dialogs = self._dialogs()
        path = dialogs.choose_open_file("Open a network", self._start_folder(), NETWORK_FILTER)
        if not path:
            return None
        dialogs.remember(NETWORK_KEY, str(Path(path).parent))
        try:
            network = load_network(path)
        except (ExportError, ValueError) as exc:
            self.window.show_message(f"{exc} — the network in use is unchanged")
            return None
        self.window.take_network(network, 0)
        self.window.show_message(f"network opened from {path}: {network.depth} conv layer"
                                 f"{'s' if network.depth != 1 else ''}", warning=False)
        return network

    @QtCore.Slot()
    def save_network(self) -> Path | None:
        dialogs = self._dialogs()
        start = str(Path(self._start_folder()) / "network.json")
        path = dialogs.choose_save_file("Save the network", start, NETWORK_FILTER, "json")
        if not path:
            return None
        dialogs.remember(NETWORK_KEY, str(Path(path).parent))
        try:
            written = save_network(self.window.snapshot.network, path)
        except (ExportError, OSError) as exc:
            self.window.show_message(str(exc))
            return None
        self.window.show_message(f"network saved: {written}", warning=False)
        return written

    @QtCore.Slot()
    def copy_pytorch(self) -> str | None:
        frame = self.window.last_input
        try:
            text = pytorch_network_snippet(self.window.snapshot.network,
                                           frame.shape if frame is not None else None)
        except ValueError as exc:
            self.window.show_message(f"cannot write the PyTorch code: {exc}")
            return None
        QtGui.QGuiApplication.clipboard().setText(text)
        self.window.show_message("an nn.Sequential of the network copied to the clipboard", warning=False)
        return text
