"""The filter bank: named f×f×n_c kernels with a bias each, as plain immutable values.

A bank is what a conv layer holds: K filters of one size f×f over n_c input
channels (the notes' f×f×n_c_prev×n_c weights). Every edit builds a new bank, so
a worker that took a bank for a frame never sees it half edited.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

__all__ = ["Filter", "FilterBank", "MAX_FILTERS", "MAX_CHANNELS", "MAX_SIZE", "CHANNEL_NAMES"]

# 64, not 32: in a network a layer's n_c is the previous layer's K, and the notes'
# 39×39×3 example has a 40-filter layer; the editor handles n_c up to MAX_CHANNELS.
MAX_FILTERS = 64
MAX_CHANNELS = 64
MAX_SIZE = 11
CHANNEL_NAMES = ("R", "G", "B")
_MAX_NAME = 40


def _frozen_weights(weights, name: str) -> np.ndarray:
    """(f, f, n_c) float32, finite, read-only copy; ValueError naming the problem."""
    try:
        array = np.array(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"filter {name!r}: weights must be numbers ({exc})") from None
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3:
        raise ValueError(f"filter {name!r}: weights must be (f, f, n_c); got shape {array.shape}")
    f_h, f_w, n_c = array.shape
    if f_h != f_w:
        raise ValueError(f"filter {name!r}: the kernel must be square f×f; got {f_h}×{f_w}")
    if not 1 <= f_h <= MAX_SIZE:
        raise ValueError(f"filter {name!r}: kernel size f must be 1 to {MAX_SIZE}; got {f_h}")
    if n_c < 1:
        raise ValueError(f"filter {name!r}: weights need at least one channel")
    if not np.isfinite(array).all():
        raise ValueError(f"filter {name!r}: weights must be finite numbers (found NaN or infinity)")
    if np.abs(array).max(initial=0.0) > 1e6:
        raise ValueError(f"filter {name!r}: weights must lie within ±1e6")
    frozen = array.astype(np.float32)
    frozen.flags.writeable = False
    return frozen


@dataclass(frozen=True, eq=False)
class Filter:
    """One filter of the bank.

    Parameters
    ----------
    name : str
        Shown above its map; 1–40 characters.
    weights : array-like, (f, f, n_c) or (f, f)
        Cross-correlation orientation (as in the notes and CNNs). A 2-D kernel is
        one channel; use :meth:`FilterBank.add` or :func:`on_every_channel` for RGB.
    bias : float
        Added to every output value of this filter.
    enabled : bool
        Disabled filters stay in the bank but are not computed or shown.
    linked : bool
        The editor writes every cell to all channels at once ("same kernel on
        every channel"). Only meaningful while the channels are equal.
    """

    name: str
    weights: np.ndarray
    bias: float = 0.0
    enabled: bool = True
    linked: bool = True

    def __post_init__(self):
        name = str(self.name).strip()
        if not name:
            raise ValueError("a filter needs a name")
        if len(name) > _MAX_NAME:
            raise ValueError(f"filter name {name[:20]!r}… is longer than {_MAX_NAME} characters")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "weights", _frozen_weights(self.weights, name))
        try:
            bias = float(self.bias)
        except (TypeError, ValueError):
            raise ValueError(f"filter {name!r}: bias must be a number; got {self.bias!r}") from None
        if not np.isfinite(bias) or abs(bias) > 1e6:
            raise ValueError(f"filter {name!r}: bias must be a finite number within ±1e6; got {self.bias!r}")
        object.__setattr__(self, "bias", bias)
        object.__setattr__(self, "enabled", bool(self.enabled))
        object.__setattr__(self, "linked", bool(self.linked))

    @property
    def size(self) -> int:
        """f, the kernel's side."""
        return self.weights.shape[0]

    @property
    def channels(self) -> int:
        """n_c."""
        return self.weights.shape[2]

    def with_weights(self, weights) -> Filter:
        """A copy with new weights (validated)."""
        return replace(self, weights=weights)

    def with_cell(self, row: int, col: int, channel: int | None, value: float) -> Filter:
        """A copy with one cell set; ``channel=None`` sets it on every channel."""
        weights = np.array(self.weights)
        if channel is None:
            weights[row, col, :] = value
        else:
            weights[row, col, channel] = value
        return replace(self, weights=weights)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Filter):
            return NotImplemented
        return (self.name, self.bias, self.enabled, self.linked) == (
            other.name, other.bias, other.enabled, other.linked
        ) and np.array_equal(self.weights, other.weights)

    __hash__ = None  # mutable-looking contents (an array): not hashable


def resize_centered(weights: np.ndarray, size: int) -> np.ndarray:
    """Pad with zeros or crop around the centre to size×size (extra goes bottom/right)."""
    f = weights.shape[0]
    if size == f:
        return weights
    out = np.zeros((size, size, weights.shape[2]), np.float32)
    # the centre cell of an f×f kernel is (f−1)//2; keep it on the centre of the new size
    shift = (size - 1) // 2 - (f - 1) // 2
    src0, dst0 = max(0, -shift), max(0, shift)
    n = min(f - src0, size - dst0)
    out[dst0:dst0 + n, dst0:dst0 + n] = weights[src0:src0 + n, src0:src0 + n]
    return out


@dataclass(frozen=True, eq=True)
class FilterBank:
    """K filters of one size f×f×n_c: a conv layer's weights and biases.

    Parameters
    ----------
    filters : tuple of Filter
        1 to MAX_FILTERS (64) filters, all with the same f and n_c.
    """

    filters: tuple[Filter, ...] = field(default_factory=tuple)

    def __post_init__(self):
        filters = tuple(self.filters)
        if not filters:
            raise ValueError("a bank needs at least one filter")
        if len(filters) > MAX_FILTERS:
            raise ValueError(f"a bank holds at most {MAX_FILTERS} filters; got {len(filters)}")
        for item in filters:
            if not isinstance(item, Filter):
                raise ValueError(f"bank entries must be Filter values; got {type(item).__name__}")
        shapes = {item.weights.shape for item in filters}
        if len(shapes) > 1:
            listed = ", ".join(f"{s[0]}×{s[1]}×{s[2]}" for s in sorted(shapes))
            raise ValueError(f"all filters of a bank must have the same f×f×n_c; got {listed}")
        object.__setattr__(self, "filters", filters)

    # --- what the layer computes -------------------------------------------------
    @property
    def size(self) -> int:
        """f."""
        return self.filters[0].size

    @property
    def channels(self) -> int:
        """n_c."""
        return self.filters[0].channels

    def __len__(self) -> int:
        return len(self.filters)

    def __getitem__(self, index: int) -> Filter:
        return self.filters[index]

    @property
    def active(self) -> tuple[int, ...]:
        """Indices of the enabled filters, in bank order (these are computed)."""
        return tuple(i for i, item in enumerate(self.filters) if item.enabled)

    def weights(self) -> np.ndarray:
        """The enabled filters' weights, float32 (f, f, n_c, K_enabled)."""
        chosen = [self.filters[i].weights for i in self.active]
        if not chosen:
            return np.zeros((self.size, self.size, self.channels, 0), np.float32)
        return np.stack(chosen, axis=-1)

    def biases(self) -> np.ndarray:
        """The enabled filters' biases, float32 (K_enabled,)."""
        return np.array([self.filters[i].bias for i in self.active], np.float32)

    def names(self) -> tuple[str, ...]:
        """The enabled filters' names, in the order of :meth:`weights`."""
        return tuple(self.filters[i].name for i in self.active)

    # --- edits: each returns a new bank ------------------------------------------
    def replace_filter(self, index: int, new: Filter) -> FilterBank:
        """The bank with filter ``index`` replaced (resized to the bank's f if needed)."""
        if new.weights.shape != self.filters[index].weights.shape:
            if new.channels != self.channels:
                raise ValueError(f"filter {new.name!r} has {new.channels} channels; the bank has {self.channels}")
            new = new.with_weights(resize_centered(new.weights, self.size))
        filters = list(self.filters)
        filters[index] = new
        return FilterBank(tuple(filters))

    def add(self, new: Filter, index: int | None = None) -> FilterBank:
        """The bank with ``new`` inserted at ``index`` (default: the end)."""
        if len(self.filters) >= MAX_FILTERS:
            raise ValueError(f"the bank is full: at most {MAX_FILTERS} filters")
        if new.channels != self.channels:
            raise ValueError(f"filter {new.name!r} has {new.channels} channels; the bank has {self.channels}")
        new = new.with_weights(resize_centered(new.weights, self.size))
        filters = list(self.filters)
        filters.insert(len(filters) if index is None else index, new)
        return FilterBank(tuple(filters))

    def remove(self, index: int) -> FilterBank:
        """The bank without filter ``index`` (a bank keeps at least one filter)."""
        if len(self.filters) == 1:
            raise ValueError("the bank needs at least one filter: the last one cannot be removed")
        return FilterBank(self.filters[:index] + self.filters[index + 1:])

    def duplicate(self, index: int) -> FilterBank:
        """The bank with a copy of filter ``index`` right after it, named "… copy"."""
        original = self.filters[index]
        name = self.unique_name(f"{original.name[:_MAX_NAME - 5]} copy")
        return self.add(replace(original, name=name), index + 1)

    def move(self, index: int, to: int) -> FilterBank:
        """The bank with filter ``index`` moved to position ``to``."""
        filters = list(self.filters)
        item = filters.pop(index)
        filters.insert(max(0, min(to, len(filters))), item)
        return FilterBank(tuple(filters))

    def resized(self, size: int) -> FilterBank:
        """Every filter padded with zeros or cropped around its centre to size×size."""
        if not 1 <= int(size) <= MAX_SIZE:
            raise ValueError(f"kernel size f must be 1 to {MAX_SIZE}; got {size}")
        return FilterBank(tuple(item.with_weights(resize_centered(item.weights, int(size))) for item in self.filters))

    def unique_name(self, wanted: str) -> str:
        """``wanted``, or ``wanted 2``, ``wanted 3``… whichever no filter has yet."""
        taken = {item.name for item in self.filters}
        wanted = wanted[:_MAX_NAME]
        if wanted not in taken:
            return wanted
        n = 2
        while True:
            suffix = f" {n}"
            name = wanted[:_MAX_NAME - len(suffix)] + suffix  # stays within the name limit
            if name not in taken:
                return name
            n += 1
