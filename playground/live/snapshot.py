"""Everything a frame is computed and drawn with, as one immutable value.

A snapshot holds the whole :class:`~playground.kernels.network.Network`, which
layer is selected (the one the editor, the layer panel and the big views show)
and the view settings. ``snapshot.bank`` and ``snapshot.layer`` are the selected
layer's bank and settings, so code written for one layer (exports, the settings
store) reads the layer a person is looking at; ``Snapshot(bank=…, layer=…)`` and
``dataclasses.replace(snapshot, bank=…)`` edit that layer inside the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playground.engine.layer import LayerSettings
from playground.kernels import FilterBank, starter_bank
from playground.kernels.network import Network
from playground.render.levels import LevelPolicy

__all__ = ["ViewSettings", "Snapshot"]


@dataclass(frozen=True)
class ViewSettings:
    """What is drawn: which views, and how values map to colours."""

    levels: LevelPolicy = field(default_factory=LevelPolicy)
    per_channel: bool = True
    pooled: bool = True           # shown when the layer pools
    # Tiles are drawn at a fraction of the map size: the screen shows a map a few
    # hundred pixels wide, and drawing 24 full-size maps cost more than computing
    # them. 0 means "fit": each view uses its entry in ``fits``, which the window
    # sets from the panel's size on screen.
    display_scale: float = 0.0
    fits: tuple = ()   # ((view key, scale, width/height of the panel), …)

    def __post_init__(self):
        if not (float(self.display_scale) == 0.0 or 0.05 <= float(self.display_scale) <= 1.0):
            raise ValueError(f"display scale must be 0 (fit) or between 0.05 and 1; got {self.display_scale!r}")

    def scale_for(self, key: str) -> float:
        """The drawing scale of view ``key``."""
        if self.display_scale > 0:
            return float(self.display_scale)
        for fit_key, scale, _aspect in self.fits:
            if fit_key == key:
                return float(scale)
        return 0.5

    def aspect_for(self, key: str) -> float:
        """Width/height of the panel showing view ``key`` (tiles are arranged to fill it)."""
        for fit_key, _scale, aspect in self.fits:
            if fit_key == key:
                return float(aspect)
        return 1.6


@dataclass(frozen=True, init=False)
class Snapshot:
    """Network + selected layer + view settings. Workers read a whole snapshot, never a half edit.

    Parameters
    ----------
    bank : FilterBank, optional
        The selected layer's bank. Without ``network``: the bank of a one-layer
        network (default: the starting bank). With ``network``: replaces the
        selected layer's bank (the next layer follows, see ``Network.set_bank``).
    layer : LayerSettings, optional
        The selected layer's settings, likewise.
    view : ViewSettings, optional
    network : Network, optional
    selected : int
        0-based index of the selected layer (clamped to the network).
    """

    network: Network
    selected: int
    view: ViewSettings

    def __init__(self, bank: FilterBank | None = None, layer: LayerSettings | None = None,
                 view: ViewSettings | None = None, *, network: Network | None = None, selected: int = 0):
        if network is None:
            network = Network.single(bank if bank is not None else starter_bank(), layer)
            bank = layer = None
        if not isinstance(network, Network):
            raise ValueError(f"a snapshot's network must be a Network; got {type(network).__name__}")
        selected = max(0, min(int(selected), network.depth - 1))
        if bank is not None and bank != network.layers[selected].bank:
            if selected == 0 and bank.channels != network.input_channels and bank.channels in (1, 3):
                network = network.with_input(channels=bank.channels)   # a gray bank on its own
            network = network.set_bank(selected, bank)
        if layer is not None and layer != network.layers[selected].settings:
            network = network.set_settings(selected, layer)
        object.__setattr__(self, "network", network)
        object.__setattr__(self, "selected", selected)
        object.__setattr__(self, "view", view if view is not None else ViewSettings())

    @property
    def bank(self) -> FilterBank:
        """The selected layer's filter bank."""
        return self.network.layers[self.selected].bank

    @property
    def layer(self) -> LayerSettings:
        """The selected layer's settings (padding, stride, activation, pooling, …)."""
        return self.network.layers[self.selected].settings
