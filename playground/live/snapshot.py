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

import numpy as np

from playground.engine.layer import LayerSettings
from playground.kernels import FilterBank, starter_bank
from playground.kernels.network import Network
from playground.render.levels import LevelPolicy

__all__ = ["ViewSettings", "Snapshot", "with_bank"]


def with_bank(network: Network, index: int, bank: FilterBank) -> Network:
    """``network`` with layer ``index``'s bank replaced by ``bank``, said as the edit it is.

    The kernel editor hands over whole banks. When the new bank is the old one
    with one filter edited, added, duplicated, removed or moved (filter names are
    unique in a bank, so they tell which), the network's own edit of that filter
    is used: the next layer's matching input-channel slice is added (zeros),
    copied, removed or moved with it, and only that filter loses its "random"
    mark. Anything else (a preset bank, K or f changed) replaces the bank whole
    and the next layer is refitted by position.
    """
    old = network.layers[index].bank
    before, after = _names(old), _names(bank)
    if bank.channels == old.channels and bank.size == old.size:
        if before == after:   # kernels, biases, on/off: only the edited filters lose their random mark
            flags = tuple(flag and a == b for flag, a, b in
                          zip(network.layers[index].random, old.filters, bank.filters, strict=True))
            return network.set_bank(index, bank, flags)
        if len(after) == len(before) + 1:
            at = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), len(before))
            if after[:at] + after[at + 1:] == before:
                new = bank.filters[at]
                source = old.filters[at - 1] if at > 0 else None
                if source is not None and source.bias == new.bias and np.array_equal(source.weights, new.weights):
                    network = network.duplicate_filter(index, at - 1)   # the next layer's slice is copied too
                    return _same_bank(network.set_filter(index, at, new), index, bank)   # the copy's own name
                return _same_bank(network.add_filter(index, new, at), index, bank)
        if len(after) == len(before) - 1:
            at = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), len(after))
            if before[:at] + before[at + 1:] == after:
                return _same_bank(network.remove_filter(index, at), index, bank)
        if len(after) == len(before) and sorted(after) == sorted(before):
            for i, name in enumerate(before):
                rest = before[:i] + before[i + 1:]
                to = after.index(name)
                if rest[:to] + (name,) + rest[to:] == after:
                    return with_bank(network.move_filter(index, i, to), index, bank)
    return network.set_bank(index, bank)


def _same_bank(network: Network, index: int, bank: FilterBank) -> Network:
    """``network`` holding ``bank`` itself (the editor's object, equal to what the edit made),
    so whoever compares banks by identity finds the one they handed over."""
    layer = network.layers[index]
    return network.set_bank(index, bank, layer.random) if layer.bank == bank else network


def _names(bank: FilterBank) -> tuple[str, ...]:
    """Every filter's name, enabled or not, in bank order."""
    return tuple(item.name for item in bank.filters)


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
            network = with_bank(network, selected, bank)
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
