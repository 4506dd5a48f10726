"""Display levels: which value maps to the colour table's ends.

Signed maps use levels symmetric around 0 (so 0 is the diverging map's middle);
maps ≥ 0 (after ReLU or |·|) go from 0 up. A policy says how the ends are found:
min/max, a percentile (robust to a few extreme pixels), or fixed numbers; per map
or one set shared by every map of a view (to compare filters' strengths).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["LevelPolicy", "LEVEL_MODES", "compute_levels", "map_levels", "sample_levels", "sample_places",
           "noise_floors", "LevelSmoother"]

LEVEL_MODES = ("percentile", "minmax", "fixed")
# Levels come from a regular subsample: every 4th pixel each way is plenty for a
# 99th percentile of a 640×480 map and costs 1/16 of the full sort.
_SAMPLE_STEP = 4


@dataclass(frozen=True)
class LevelPolicy:
    """How display levels are chosen.

    Parameters
    ----------
    mode : {"percentile", "minmax", "fixed"}
    percentile : float
        For "percentile": the percentile of |v| (signed) or v (non-negative), 50–100.
    fixed : float
        For "fixed": the top level (signed maps show −fixed … +fixed).
    shared : bool
        One set of levels for every map of a view instead of one per map.
    """

    mode: str = "percentile"
    percentile: float = 99.0
    fixed: float = 1.0
    shared: bool = False

    def __post_init__(self):
        if self.mode not in LEVEL_MODES:
            raise ValueError(f"levels mode must be one of {', '.join(LEVEL_MODES)}; got {self.mode!r}")
        if not 50.0 <= float(self.percentile) <= 100.0:
            raise ValueError(f"percentile must be 50 to 100; got {self.percentile!r}")
        if not (np.isfinite(self.fixed) and self.fixed > 0):
            raise ValueError(f"fixed level must be a positive number; got {self.fixed!r}")


def compute_levels(stack: np.ndarray, policy: LevelPolicy, signed: bool, step: int = _SAMPLE_STEP) -> np.ndarray:
    """Levels for every map of a stack.

    Parameters
    ----------
    stack : numpy.ndarray, (n_H, n_W, N)
        N maps (any strides).
    policy : LevelPolicy
    signed : bool
        Symmetric levels around 0 (diverging colours) or from 0 up (sequential).
    step : int
        Use every ``step``-th pixel each way (1: the caller has sampled already).

    Returns
    -------
    numpy.ndarray, float64, (N, 2)
        (low, high) per map; high > low always (a flat map gets a unit span).
    """
    n = stack.shape[-1]
    if policy.mode == "fixed":
        return _rows_levels(None, n, policy, signed)
    # one row per map, contiguous, so each reduction runs along memory
    sample = np.asarray(stack[::step, ::step], np.float32).reshape(-1, n).T.copy()
    return _rows_levels(sample, n, policy, signed)


def _rows_levels(sample: np.ndarray | None, n: int, policy: LevelPolicy, signed: bool,
                 sparse_top: np.ndarray | None = None) -> np.ndarray:
    """:func:`compute_levels` from samples (n, samples), one contiguous row per map
    (None for fixed levels); ``sample`` may be overwritten. ``sparse_top``: see
    :func:`sample_levels`."""
    if policy.mode == "fixed":
        top = np.full(n, float(policy.fixed))
    else:
        values = np.abs(sample, out=sample) if signed else sample
        if policy.shared:
            values = values.reshape(1, -1)
        if policy.mode == "minmax" or policy.percentile >= 100.0:
            top = values.max(axis=1)
        else:
            top = _percentile_rows(values, policy.percentile)
            highest = values.max(axis=1)
            if sparse_top is not None:
                wanted = np.asarray(sparse_top, np.float64)
                wanted = wanted.max(keepdims=True) if policy.shared else wanted
                highest = np.where(wanted > 0, np.minimum(highest, wanted), highest)
            top = np.where(top > 0, top, highest)  # mostly-zero maps
        top = np.broadcast_to(np.asarray(top, np.float64), (n,)).copy()
        if not signed and policy.mode == "minmax":
            low = values.min(axis=1)
            low = np.broadcast_to(np.asarray(low, np.float64), (n,)).copy()
            return _span(np.stack([low, top], axis=1))
    top = np.where(top > 0, top, 1.0)
    low = -top if signed else np.zeros(n)
    return _span(np.stack([low, top], axis=1))


def _percentile_rows(values: np.ndarray, percentile: float, bins: int = 1024) -> np.ndarray:
    """Per row, about the value at ``percentile``: the top edge of its histogram bin
    (bins of (max − min)/1023 from the row's minimum).

    The bin that holds the rank is the bin of the rank's value, so a sort gives
    it without counting: NumPy's vectorised sort took a quarter of the time of a
    1024-bin histogram here (and ``np.partition`` was slower than both on mostly
    flat maps, whose many equal values it handles badly).
    """
    rows, n = values.shape
    ordered = np.sort(values, axis=1)
    low = ordered[:, :1]
    high = ordered[:, -1]
    span = high[:, None] - low
    scale = np.where(span > 0, (bins - 1) / np.where(span > 0, span, 1), 0.0).astype(np.float32)
    wanted = max(1, int(np.ceil(percentile / 100.0 * n)))
    at_rank = ordered[:, wanted - 1:wanted]
    edge = ((at_rank - low) * scale).astype(np.int32)[:, 0]   # the same float32 steps as binning
    top = (low[:, 0] + (edge + 1) * span[:, 0] / (bins - 1)).clip(max=high)
    # the rank falls among values equal to the floor (a mostly flat map): report the
    # floor, so callers see "no spread here" rather than a level of max/1023; one
    # extreme pixel alone must not trigger this (percentile mode ignores it)
    at_floor = at_rank[:, 0] == low[:, 0]
    return np.where(at_floor, low[:, 0], top)


def _span(levels: np.ndarray) -> np.ndarray:
    flat = levels[:, 1] - levels[:, 0] <= 1e-12
    levels[flat, 1] = levels[flat, 0] + 1.0
    return levels


# Levels come from this many pixels per map, at fixed random places: a regular grid
# aliases with straight edges (a thin vertical edge is either always or never hit).
_LEVEL_SAMPLES = 6000
# Below this fraction of the largest response a filter can give to an input in
# [0, 1], a map's values are float rounding: a flat picture must not show them at
# full colour.
_NOISE_FRACTION = 1e-4


def noise_floors(weights: np.ndarray, biases: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The smallest top level worth showing, per filter and per (channel, filter).

    Parameters
    ----------
    weights : (f, f, n_c, K)
    biases : (K,)

    Returns
    -------
    per_filter : (K,)
    per_channel : (n_c·K,), channel-major (the channel view's tile order)
    """
    magnitude = np.abs(np.asarray(weights, np.float64))
    per_filter = _NOISE_FRACTION * (magnitude.sum(axis=(0, 1, 2)) + np.abs(np.asarray(biases, np.float64)))
    per_channel = _NOISE_FRACTION * magnitude.sum(axis=(0, 1))
    return per_filter, per_channel.reshape(-1)


def map_levels(planar: np.ndarray, policy: LevelPolicy, signed: bool, floors: np.ndarray,
               sparse_top: np.ndarray | None = None) -> np.ndarray:
    """Levels for N maps stored planar, (H, N, W): what the app shows and exports use.

    Exact extremes for min/max, a fixed random sample of pixels for a percentile;
    never a top level below ``floors`` (N,) (see :func:`noise_floors`), except for
    fixed levels, which are the person's own. ``sparse_top``: see :func:`sample_levels`.
    """
    n = planar.shape[1]
    if policy.mode == "fixed":
        return _rows_levels(None, n, policy, signed)
    if policy.mode == "minmax":
        sample = np.empty((n, 2), np.float32)
        for i in range(n):
            low, high, _, _ = cv2.minMaxLoc(planar[:, i, :])
            sample[i] = (low, high)
    else:
        rows, cols = sample_places(planar.shape[0], planar.shape[2])
        sample = np.ascontiguousarray(planar[rows, :, cols].T)
    return sample_levels(sample, policy, signed, floors, sparse_top)


def sample_levels(sample: np.ndarray, policy: LevelPolicy, signed: bool, floors: np.ndarray,
                  sparse_top: np.ndarray | None = None) -> np.ndarray:
    """Levels for N maps from their values at :func:`sample_places` (or their exact
    extremes, for "minmax"), as :func:`map_levels` gives them.

    Parameters
    ----------
    sample : numpy.ndarray float32 (N, samples)
        One row per map (overwritten).
    policy, signed, floors
        As for :func:`map_levels`.
    sparse_top : numpy.ndarray (N,), optional
        For a percentile that falls among a mostly-zero map's zeros: the top level to
        use instead of the map's maximum (never above the sample's maximum). After ReLU the caller passes
        the levels the maps have without it: the demo's edge maps, zero at 99.2 % of
        their pixels after ReLU, took their maximum, 6.8, where the same maps before
        ReLU had 1.6, and their thin lines, averaged into tiles, all but vanished.

    Returns
    -------
    numpy.ndarray float64 (N, 2)
    """
    sample = np.asarray(sample, np.float32)
    if policy.mode == "percentile" and sample.size:
        # values under the noise floor are float rounding: count them as the zeros
        # they stand for, so a mostly flat map falls back to its maximum whether its
        # flat parts summed to exactly 0 or to ±1e-8 (the order of the sums decides)
        sample[np.abs(sample) < np.asarray(floors, np.float32)[:, None]] = 0.0
    levels = _rows_levels(sample, sample.shape[0], policy, signed, sparse_top)
    if policy.mode != "fixed":
        span = np.maximum(levels[:, 1] - levels[:, 0], np.asarray(floors) * (2 if signed else 1))
        if signed:
            levels[:, 1] = span / 2
            levels[:, 0] = -levels[:, 1]
        else:
            levels[:, 1] = levels[:, 0] + span
    return levels


_SAMPLE_PLACES: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def sample_places(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the pixels a (h, w) map's percentile levels come from.

    The same ``_LEVEL_SAMPLES`` random pixels for every map of a size (steady levels
    on a still frame), or every pixel of a small map. The same places whether the
    values are read from full maps or computed from the input picture.
    """
    places = _SAMPLE_PLACES.get((h, w))
    if places is None:
        if h * w <= _LEVEL_SAMPLES:
            flat = np.arange(h * w)
        else:
            rng = np.random.default_rng(h * 100003 + w)  # fixed per size
            flat = np.sort(rng.choice(h * w, _LEVEL_SAMPLES, replace=False))
        places = _SAMPLE_PLACES[(h, w)] = (flat // w, flat % w)
    return places


class LevelSmoother:
    """Eases levels from frame to frame so a live view does not flicker.

    Levels rise at once (nothing saturates for long) and fall gradually.
    ``reset()`` when the maps change meaning (new bank, new settings).
    """

    def __init__(self, fall: float = 0.15):
        self.fall = fall
        self._levels: np.ndarray | None = None

    def reset(self) -> None:
        self._levels = None

    def update(self, levels: np.ndarray, smooth: bool = True) -> np.ndarray:
        """The levels to show this frame, given this frame's ``levels`` (N, 2)."""
        if not smooth or self._levels is None or self._levels.shape != levels.shape:
            self._levels = levels.copy()
            return self._levels.copy()  # the caller's to keep: editing it must not change our state
        prev = self._levels
        span_prev = prev[:, 1] - prev[:, 0]
        span_new = levels[:, 1] - levels[:, 0]
        grow = span_new >= span_prev
        eased = prev + self.fall * (levels - prev)
        self._levels = np.where(grow[:, None], levels, eased)
        return self._levels.copy()
