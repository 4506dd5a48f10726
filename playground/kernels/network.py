"""The network: conv layers (a filter bank + its settings each), then optional FC sizes.

A :class:`Network` is an immutable value, like a :class:`FilterBank`: every edit
returns a new network, and every edit keeps the one rule of a network true —
layer l's input channels are layer l−1's filters (n_c[l] = K[l−1]; the first
layer's are the picture's, 3 for RGB or 1 for gray, or a matrix's 1 to 64). *All* filters count, enabled
or not: a disabled filter feeds a zero channel, so no shape jumps when a person
switches one off.

Edits of filters carry over to the next layer's channels: adding, duplicating,
removing or moving filter i of layer l adds (zeros), duplicates, removes or moves
input-channel slice i of every filter of layer l+1. Structural edits (layers
added, removed or moved, K changed, a bank replaced, the input switched between
RGB and gray) refit what follows with the one channel rule of
:func:`playground.kernels.channels.follow_channels`: slices kept by position,
new ones zeros; n → 1 sums the slices, 1 → n repeats the slice.

The fully-connected sizes at the end only shape the table and the PyTorch code:
the app runs and shows the conv layers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from playground.engine.layer import LayerSettings
from playground.engine.train import Stage

from .channels import follow_channels
from .model import MAX_CHANNELS, MAX_FILTERS, Filter, FilterBank

__all__ = [
    "ConvLayer", "Network", "channel_names", "input_channel_names", "he_weights", "random_filter",
    "MAX_LAYERS", "MAX_FC_LAYERS", "MAX_FC_UNITS", "MAX_INPUT_SIDE", "INPUT_CHANNELS", "MAX_INPUT_CHANNELS",
    "takes_input_channels",
]

MAX_LAYERS = 6
MAX_FC_LAYERS = 4
MAX_FC_UNITS = 100_000
MAX_INPUT_SIDE = 4096
INPUT_CHANNELS = {3: ("R", "G", "B"), 1: ("gray",)}   # the inputs with names of their own
# a typed matrix (the notes' 6×6×32 for the 1×1 example) may have any channel count up to this
MAX_INPUT_CHANNELS = MAX_CHANNELS
_KEEP = object()  # "argument not given" where None is a meaningful value


# --- the one channel-naming rule ----------------------------------------------------------
def takes_input_channels(channels) -> bool:
    """Whether a network's input can have ``channels`` channels: 1 to :data:`MAX_INPUT_CHANNELS`."""
    return (not isinstance(channels, bool) and isinstance(channels, (int, np.integer))
            and 1 <= channels <= MAX_INPUT_CHANNELS)


def input_channel_names(channels: int) -> tuple[str, ...]:
    """("R", "G", "B") for 3 input channels, ("gray",) for 1, ("C1", …, "Cn") for any other n
    up to :data:`MAX_INPUT_CHANNELS` (a matrix source's channels)."""
    if not takes_input_channels(channels):
        raise ValueError(f"a network's input has 1 to {MAX_INPUT_CHANNELS} channels (3 for RGB, 1 for gray); "
                         f"got {channels!r}")
    channels = int(channels)
    return INPUT_CHANNELS.get(channels) or tuple(f"C{c + 1}" for c in range(channels))


def channel_names(network: Network, layer_index: int) -> tuple[str, ...]:
    """Names of the channels feeding layer ``layer_index`` (0-based).

    The input's R, G, B (or "gray", or C1…Cn for a matrix of n channels) for layer 0; after that the previous
    layer's filter names, every filter, enabled or not, in bank order.
    ``layer_index == network.depth`` names the last conv layer's output (what
    the FC layers flatten). The editor, the views and exports all call this.
    """
    if not 0 <= layer_index <= network.depth:
        raise IndexError(f"layer index must be 0 to {network.depth}; got {layer_index}")
    if layer_index == 0:
        return input_channel_names(network.input_channels)
    return tuple(item.name for item in network.layers[layer_index - 1].bank.filters)


# --- seeded random weights ----------------------------------------------------------------
def he_weights(size: int, channels: int, seed) -> np.ndarray:
    """He-initialised (f, f, n_c) float32 weights: normal with std √(2 / (f·f·n_c)).

    ``seed`` (an int or a sequence of ints) makes them reproducible: the same
    network edit always gives the same weights, so undo/redo and files agree.
    """
    rng = np.random.default_rng(seed)
    std = np.sqrt(2.0 / (size * size * channels))
    return (rng.standard_normal((size, size, channels)) * std).astype(np.float32)


def random_filter(name: str, size: int, channels: int, seed) -> Filter:
    """A :class:`Filter` of :func:`he_weights`, unlinked (its channels differ)."""
    return Filter(name, he_weights(size, channels, seed), linked=False)


# --- channel-slice helpers ----------------------------------------------------------------
def _rechannel(bank: FilterBank, change) -> FilterBank:
    """Every filter's weights through ``change((f, f, n_c) array) → (f, f, n_c')``.

    "linked" survives only while the channels stay equal (it means the editor
    writes one kernel to every channel).
    """
    filters = []
    for item in bank.filters:
        weights = change(np.array(item.weights))
        linked = item.linked and bool(np.all(weights == weights[:, :, :1]))
        filters.append(replace(item, weights=weights, linked=linked))
    return FilterBank(tuple(filters))


def _identity_layer(channels: int, names: tuple[str, ...]) -> ConvLayer:
    """f = 3, "same" padding, filter c copies channel c: inserting it changes nothing downstream."""
    filters = []
    for c, name in enumerate(names):
        weights = np.zeros((3, 3, channels), np.float32)
        weights[1, 1, c] = 1.0
        filters.append(Filter(name, weights, linked=False))
    return ConvLayer(FilterBank(tuple(filters)), LayerSettings(padding="same"))


# --- the values ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ConvLayer:
    """One conv layer: its bank, how it is applied, and which filters are random.

    Parameters
    ----------
    bank : FilterBank
        K filters of f×f×n_c, n_c = the channels feeding this layer.
    settings : LayerSettings
        Padding, stride, dilation, flip, activation and pooling.
    random : tuple of bool, optional
        One flag per filter: True where the weights were drawn at random (a SPEC
        or a "more filters" edit gave none), so the UI can say so. Empty = none.
    """

    bank: FilterBank
    settings: LayerSettings = field(default_factory=LayerSettings)
    random: tuple[bool, ...] = ()

    def __post_init__(self):
        if not isinstance(self.bank, FilterBank):
            raise ValueError(f"a layer's bank must be a FilterBank; got {type(self.bank).__name__}")
        if not isinstance(self.settings, LayerSettings):
            raise ValueError(f"a layer's settings must be LayerSettings; got {type(self.settings).__name__}")
        flags = tuple(bool(v) for v in self.random) or (False,) * len(self.bank)
        if len(flags) != len(self.bank):
            raise ValueError(f"random flags: one per filter ({len(self.bank)}); got {len(flags)}")
        object.__setattr__(self, "random", flags)

    @property
    def random_indices(self) -> tuple[int, ...]:
        """Indices of the filters whose weights are random."""
        return tuple(i for i, flag in enumerate(self.random) if flag)

    @cached_property
    def stage(self) -> Stage:
        """``Stage(w, b, settings)`` (a named tuple) for :func:`playground.engine.network.run_network`
        and the engine's training passes.

        ``w`` is (f, f, n_c, K) and ``b`` (K,) over *all* K filters, read-only;
        a disabled filter has zero weights and bias, so its map — the channel it
        feeds to the next layer — is exactly zero after any activation or pooling.
        """
        weights = np.stack([item.weights for item in self.bank.filters], axis=-1)
        biases = np.array([item.bias for item in self.bank.filters], np.float32)
        off = [i for i, item in enumerate(self.bank.filters) if not item.enabled]
        if off:  # np.stack made a new array: zeroing it leaves the filters alone
            weights[..., off] = 0.0
            biases[off] = 0.0
        weights.flags.writeable = False
        biases.flags.writeable = False
        return Stage(weights, biases, self.settings)


@dataclass(frozen=True)
class Network:
    """An ordered stack of 1–6 conv layers, optional FC sizes, an optional fixed input.

    Parameters
    ----------
    layers : tuple of ConvLayer
        Layer l's bank has n_c = layer l−1's K (all filters), layer 0's n_c =
        ``input_channels``. Anything else is refused with a message naming the layer.
    input_channels : int
        3 for RGB frames, 1 for gray; 1 to 64 for a matrix source (channels C1…Cn).
    input_size : (n_H, n_W) or None
        When set, frames are resized to it (area interpolation) before layer 1,
        as the notes' LeNet takes 32×32×3. None: frames keep their size.
    fc : tuple of int
        Fully-connected layer sizes after the last conv layer (flattened first);
        0 to 4 layers of 1 to 100,000 units. Only shapes, no weights.
    """

    layers: tuple[ConvLayer, ...]
    input_channels: int = 3
    input_size: tuple[int, int] | None = None
    fc: tuple[int, ...] = ()

    def __post_init__(self):
        layers = tuple(self.layers)
        if not 1 <= len(layers) <= MAX_LAYERS:
            raise ValueError(f"a network has 1 to {MAX_LAYERS} conv layers; got {len(layers)}")
        input_channel_names(self.input_channels)
        channels = self.input_channels
        for number, layer in enumerate(layers, start=1):
            if not isinstance(layer, ConvLayer):
                raise ValueError(f"layer {number} must be a ConvLayer; got {type(layer).__name__}")
            if layer.bank.channels != channels:
                raise ValueError(f"layer {number}: its filters have {layer.bank.channels} channels, but "
                                 f"{'the input has' if number == 1 else f'layer {number - 1} gives'} {channels}")
            channels = len(layer.bank)
        object.__setattr__(self, "layers", layers)
        if self.input_size is not None:
            size = tuple(self.input_size)
            if len(size) != 2 or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or
                                     not 1 <= n <= MAX_INPUT_SIDE for n in size):
                raise ValueError(f"input size must be (n_H, n_W), each 1 to {MAX_INPUT_SIDE}; got {self.input_size!r}")
            object.__setattr__(self, "input_size", (int(size[0]), int(size[1])))
        fc = tuple(self.fc)
        if len(fc) > MAX_FC_LAYERS:
            raise ValueError(f"at most {MAX_FC_LAYERS} fully-connected layers; got {len(fc)}")
        for n in fc:
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_FC_UNITS:
                raise ValueError(f"a fully-connected layer has 1 to {MAX_FC_UNITS:,} units; got {n!r}")
        object.__setattr__(self, "fc", tuple(int(n) for n in fc))

    @classmethod
    def single(cls, bank: FilterBank, settings: LayerSettings | None = None, **kwargs) -> Network:
        """The one-layer network of ``bank`` (today's app); ``kwargs`` as for the class."""
        kwargs.setdefault("input_channels", bank.channels)
        return cls((ConvLayer(bank, settings or LayerSettings()),), **kwargs)

    # --- reading ----------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """Number of conv layers."""
        return len(self.layers)

    def channels_in(self, layer_index: int) -> int:
        """n_c feeding layer ``layer_index`` (== ``len(channel_names(self, layer_index))``)."""
        return self.input_channels if layer_index == 0 else len(self.layers[layer_index - 1].bank)

    def stages(self) -> tuple[Stage, ...]:
        """One ``(w, b, settings)`` per layer for the engine (see :attr:`ConvLayer.stage`)."""
        return tuple(layer.stage for layer in self.layers)

    # --- filter edits (carried over to the next layer's channels) ---------------------------
    def _with_layers(self, layers, **changes) -> Network:
        return replace(self, layers=tuple(layers), **changes)

    def _edit(self, index: int, bank: FilterBank, random: tuple, change_next=None) -> Network:
        layers = list(self.layers)
        layers[index] = replace(layers[index], bank=bank, random=random)
        if change_next is not None and index + 1 < len(layers):
            following = layers[index + 1]
            layers[index + 1] = replace(following, bank=_rechannel(following.bank, change_next))
        return self._with_layers(layers)

    def add_filter(self, layer_index: int, new: Filter, index: int | None = None, random: bool = False) -> Network:
        """``new`` inserted in layer ``layer_index`` at ``index`` (default: the end).

        The next layer's filters get a zero input-channel slice at that position,
        so its maps do not change until the person gives the slice weights.
        """
        layer = self.layers[layer_index]
        at = len(layer.bank) if index is None else max(0, min(index, len(layer.bank)))
        flags = layer.random[:at] + (bool(random),) + layer.random[at:]
        return self._edit(layer_index, layer.bank.add(new, at), flags,
                          lambda w: np.insert(w, at, 0.0, axis=2))

    def duplicate_filter(self, layer_index: int, index: int) -> Network:
        """A copy of filter ``index`` right after it; the next layer's slice is copied too."""
        layer = self.layers[layer_index]
        flags = layer.random[:index + 1] + layer.random[index:]
        return self._edit(layer_index, layer.bank.duplicate(index), flags,
                          lambda w: np.insert(w, index + 1, w[:, :, index], axis=2))

    def remove_filter(self, layer_index: int, index: int) -> Network:
        """Filter ``index`` removed, with the next layer's matching input-channel slice."""
        layer = self.layers[layer_index]
        flags = layer.random[:index] + layer.random[index + 1:]
        return self._edit(layer_index, layer.bank.remove(index), flags, lambda w: np.delete(w, index, axis=2))

    def move_filter(self, layer_index: int, index: int, to: int) -> Network:
        """Filter ``index`` moved to ``to``; the next layer's slices move alike (its maps stay the same)."""
        layer = self.layers[layer_index]
        order = list(range(len(layer.bank)))
        moved = order.pop(index)
        order.insert(max(0, min(to, len(order))), moved)  # the clamp FilterBank.move uses
        flags = tuple(layer.random[i] for i in order)
        return self._edit(layer_index, layer.bank.move(index, to), flags, lambda w: w[:, :, order])

    def set_filter(self, layer_index: int, index: int, new: Filter) -> Network:
        """Filter ``index`` replaced (kernel edits, enable/disable, rename); no longer marked random."""
        layer = self.layers[layer_index]
        flags = layer.random[:index] + (False,) + layer.random[index + 1:]
        return self._edit(layer_index, layer.bank.replace_filter(index, new), flags)

    # --- layer edits ------------------------------------------------------------------------
    def _refit(self, layers: list[ConvLayer], **changes) -> Network:
        """Layers whose n_c no longer matches what feeds them, refitted by :func:`follow_channels`."""
        channels = changes.get("input_channels", self.input_channels)
        for i, layer in enumerate(layers):
            if layer.bank.channels != channels:
                layers[i] = replace(layer, bank=follow_channels(layer.bank, channels))
            channels = len(layers[i].bank)
        return self._with_layers(layers, **changes)

    def set_settings(self, layer_index: int, settings: LayerSettings) -> Network:
        """Layer ``layer_index`` applied with new padding/stride/dilation/flip/activation/pool."""
        layers = list(self.layers)
        layers[layer_index] = replace(layers[layer_index], settings=settings)
        return self._with_layers(layers)

    def set_bank(self, layer_index: int, bank: FilterBank, random: tuple[bool, ...] = ()) -> Network:
        """Layer ``layer_index``'s bank replaced whole (a preset bank, a bank file).

        ``bank`` must take the channels feeding the layer; if its K differs, the
        next layer is refitted by position. Prefer the filter edits above when
        they say what happened: they carry slices over exactly.
        """
        if bank.channels != self.channels_in(layer_index):
            raise ValueError(f"layer {layer_index + 1} takes {self.channels_in(layer_index)} channels; "
                             f"the bank's filters have {bank.channels}")
        layers = list(self.layers)
        layers[layer_index] = replace(layers[layer_index], bank=bank, random=tuple(random))
        return self._refit(layers)

    def set_kernel_size(self, layer_index: int, size: int) -> Network:
        """Every filter of the layer padded or cropped around its centre to size×size (f)."""
        layer = self.layers[layer_index]
        return self.set_bank(layer_index, layer.bank.resized(size), layer.random)

    def set_filter_count(self, layer_index: int, count: int) -> Network:
        """K of layer ``layer_index`` set to ``count``: filters dropped from the end, or
        seeded random (He) filters added there (marked random); the next layer follows."""
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 1 <= count <= MAX_FILTERS:
            raise ValueError(f"K (the number of filters) must be 1 to {MAX_FILTERS}; got {count!r}")
        layer = self.layers[layer_index]
        filters, flags = list(layer.bank.filters[:count]), list(layer.random[:count])
        bank = FilterBank(tuple(filters))
        for i in range(len(filters), count):
            name = bank.unique_name(f"random {i + 1}")
            bank = bank.add(random_filter(name, bank.size, bank.channels, (layer_index, i, bank.size, bank.channels)))
            flags.append(True)
        return self.set_bank(layer_index, bank, tuple(flags))

    def insert_layer(self, index: int | None = None, layer: ConvLayer | None = None) -> Network:
        """A conv layer inserted before position ``index`` (default: after the last).

        Without ``layer``, an identity layer (f = 3, "same" padding, filter c
        copies channel c, named after it) goes in, so what follows is unchanged.
        A given ``layer`` must take the channels feeding that position; the layer
        after it is refitted by position.
        """
        if self.depth >= MAX_LAYERS:
            raise ValueError(f"a network has at most {MAX_LAYERS} conv layers")
        at = self.depth if index is None else max(0, min(index, self.depth))
        channels = self.channels_in(at)
        if layer is None:
            layer = _identity_layer(channels, channel_names(self, at))
        elif layer.bank.channels != channels:
            raise ValueError(f"a layer inserted at position {at + 1} takes {channels} channels; "
                             f"its filters have {layer.bank.channels}")
        layers = list(self.layers)
        layers.insert(at, layer)
        return self._refit(layers)

    def remove_layer(self, layer_index: int) -> Network:
        """Layer ``layer_index`` removed (not the only one); the next layer is refitted."""
        if self.depth == 1:
            raise ValueError("a network needs at least one conv layer: the last one cannot be removed")
        layers = list(self.layers)
        del layers[layer_index]
        return self._refit(layers)

    def move_layer(self, layer_index: int, to: int) -> Network:
        """Layer ``layer_index`` moved to position ``to``; every layer is refitted in order."""
        layers = list(self.layers)
        moved = layers.pop(layer_index)
        layers.insert(max(0, min(to, len(layers))), moved)
        return self._refit(layers)

    # --- input and FC -----------------------------------------------------------------------
    def with_input(self, channels: int | None = None, size=_KEEP) -> Network:
        """Another input: ``channels`` 1 to 64 (layer 1 refitted), ``size`` (n_H, n_W) or None."""
        changes = {}
        if channels is not None:
            input_channel_names(channels)
            changes["input_channels"] = int(channels)
        if size is not _KEEP:
            changes["input_size"] = None if size is None else tuple(size)
        return self._refit(list(self.layers), **changes)

    def with_fc(self, sizes) -> Network:
        """The fully-connected sizes after the conv layers replaced by ``sizes``."""
        return replace(self, fc=tuple(sizes))
