"""Connects the network's widgets to the window: the table, the overview strip, the Network menu.

The window keeps the one :class:`~playground.live.snapshot.Snapshot` (network +
selected layer + view) and ``take_network``; this object builds the widgets,
turns their signals into ``take_network`` calls and shows each frame's overview.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from playground.live.network_frame import layer_input_shape
from playground.render.arithmetic import layer_arithmetic

from .network_actions import NetworkActions
from .network_overview import NetworkOverview
from .network_panel import NetworkPanel

__all__ = ["NetworkController"]

# the big views' titles; for a network they say which layer they show
_TITLES = {"filters": "Feature maps · per filter", "channels":
           "Per input channel · what each channel's slice contributes", "pooled": "Pooled maps"}


class NetworkController(QtCore.QObject):
    """The network table, overview and menu of ``window``.

    Attributes
    ----------
    panel : NetworkPanel
    overview : NetworkOverview
    actions : NetworkActions
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        snapshot = window.snapshot
        self.panel = NetworkPanel(snapshot.network, snapshot.selected)
        self.overview = NetworkOverview()
        self.overview.setVisible(False)
        self.actions = NetworkActions(window)
        self.panel.layer_selected.connect(window.select_layer)
        self.overview.layer_clicked.connect(window.select_layer)
        self.panel.network_edited.connect(window.take_network)
        self.panel.message.connect(window.show_message)

    def input_column(self, input_panel: QtWidgets.QWidget) -> QtWidgets.QSplitter:
        """The input panel with the overview under it: the picture, then each layer's maps."""
        column = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        column.addWidget(input_panel)
        column.addWidget(self.overview)
        column.setStretchFactor(0, 1)
        column.setStretchFactor(1, 1)
        return column

    def show_snapshot(self, snapshot, frame_hw=None) -> None:
        """The table follows the network, the selected layer and the frame size."""
        self.panel.set_network(snapshot.network, snapshot.selected, frame_hw)

    def show_frame(self, result) -> None:
        """A displayed frame's overview (none for a one-layer network)."""
        self.overview.show_overview(result.overview, result.snapshot.selected)

    def describe(self, snapshot, frame_shape) -> None:
        """The arithmetic panel, padding read-out and view titles for the selected layer."""
        window = self.window
        depth, selected = snapshot.network.depth, snapshot.selected
        prefix = f"Layer {selected + 1} of {depth} · " if depth > 1 else ""
        for key, panel in window._map_panels():
            panel.title.setText(prefix + _TITLES[key])
        if frame_shape is None:
            return
        shape = layer_input_shape(snapshot.network, frame_shape[:2], selected)
        if shape is None:
            return
        bank, layer = snapshot.bank, snapshot.layer
        pads = layer.pads(shape[:2], bank.size)
        window.arithmetic.setTitle(f"Arithmetic · layer {selected + 1}" if depth > 1 else "Arithmetic")
        window.arithmetic.show_arithmetic(layer_arithmetic(
            shape, bank.size, pads, layer.stride, layer.dilation, len(bank.active), layer.flip, layer.pool))
        window.layer_panel.show_padding(pads)

    @staticmethod
    def show_timing(label: QtWidgets.QLabel, result, latency: float) -> None:
        """The status bar's figures: engine time for the whole network (per layer in the tooltip)."""
        layers = len(result.layer_ms)
        engine = f"engine {result.engine_ms:.1f} ms" + (f" ({layers} layers)" if layers > 1 else "")
        label.setText(f"{engine} · draw {result.render_ms:.1f} ms · latency {latency:.0f} ms")
        per_layer = ", ".join(f"CONV{i + 1} {ms:.1f} ms" for i, ms in enumerate(result.layer_ms))
        label.setToolTip(f"Engine: conv + activation + pooling of every layer ({per_layer}). Draw: levels, "
                         "mosaics and the layers' overview. Latency: capture to screen.")
