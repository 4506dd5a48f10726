"""Compute what is shown: each view's tiles and levels for one frame, Qt-free.

The screen draws maps at a fraction of their size (1/4, 1/8). Before any
nonlinearity a map is linear in the input, so its area-shrunk tiles come
straight from a box-filtered input (:mod:`playground.render.from_input`) and its
levels from its exact values at the level sample's pixels
(:mod:`playground.render.pixel_values`) — no full-size map is written. ReLU, |·|
and pooling need the full-size per-filter maps; per-channel contributions are
taken before the activation, so they stay on the fast path.
The full-size maps a view does not draw from are computed when someone reads
``MapView.values`` or ``LayerOutput.maps`` (see :mod:`playground.live.on_demand`).

The tiles come either from the input's block means under each kernel tap or from
one strided convolution with a widened kernel, whichever measured faster for the
shape; with one layer they are computed on the processor's second thread while
this one takes the level samples.

The fast path needs the CPU backend, tiles smaller than the maps and percentile
or fixed levels (min/max needs every pixel); the rest takes the full-size path.
"""

from __future__ import annotations

from concurrent.futures import wait as futures_wait
from dataclasses import dataclass

import cv2
import numpy as np

from playground.engine import array_module, asnumpy, buffers
from playground.engine.backend import backend_for
from playground.engine.kernel_paths import decided, fastest
from playground.engine.layer import LayerOutput, run_layer
from playground.render.from_input import InputTiles, whole_factors
from playground.render.levels import map_levels, noise_floors, sample_levels, sample_places
from playground.render.mosaic import MosaicLayout, grid_layout
from playground.render.pixel_values import values_at

from .on_demand import OnDemandArray, SharedResult

__all__ = ["ShownMaps", "Shown", "ViewPlan", "plan_views", "compute_shown", "tile_size", "view_layout"]


@dataclass(frozen=True)
class ShownMaps:
    """One view's maps as it draws them.

    Attributes
    ----------
    values : numpy.ndarray or OnDemandArray, (n_H, n_W, K) or (n_H, n_W, n_c, K)
        The full-size maps (computed on first read when an OnDemandArray).
    tiles : tuple of numpy.ndarray float32 (h, w)
        One 2-D map per tile, in tile order: at the tile size, or larger (the
        mosaic shrinks it while drawing). Fast-path tiles are per-thread scratch
        buffers, valid until this thread's next frame: draw them, or copy them.
    levels : numpy.ndarray float64 (N, 2)
        This frame's own levels (before smoothing).
    """

    values: object
    tiles: tuple
    levels: np.ndarray


@dataclass(frozen=True)
class Shown:
    """What a frame's views show; ``channels`` / ``pooled`` are None when not drawn."""

    output: LayerOutput
    out_hw: tuple
    filters: ShownMaps
    channels: ShownMaps | None
    pooled: ShownMaps | None


def tile_size(map_hw: tuple[int, int], scale: float) -> tuple[int, int]:
    """A map's tile (h, w) when drawn at ``scale`` (at least one pixel)."""
    return max(1, round(map_hw[0] * scale)), max(1, round(map_hw[1] * scale))


def view_layout(count: int, map_hw, scale: float, aspect: float, cols: int | None = None) -> MosaicLayout:
    """The mosaic of ``count`` maps of ``map_hw`` drawn at ``scale``."""
    tile = tile_size(map_hw, scale)
    # gaps in proportion to the tiles: a 4×4 map (the notes' example) with a 6-pixel
    # gap was mostly gap
    gap = max(1, min(6, round(min(tile) * 0.04)))
    return grid_layout(count, tile, cols=cols, aspect=aspect, gap=gap)


def _out_hw(frame_shape, w_shape, layer) -> tuple[int, int] | None:
    """The conv's output size, or None where the engine would refuse the settings."""
    if len(frame_shape) != 3 or frame_shape[2] != w_shape[2]:
        return None
    return layer.out_hw(frame_shape[:2], w_shape[0])


def _activate(values: np.ndarray, activation: str) -> np.ndarray:
    if activation == "relu":
        np.maximum(values, 0, out=values)
    elif activation == "abs":
        np.abs(values, out=values)
    return values


@dataclass(frozen=True)
class ViewPlan:
    """How one frame's views of the selected layer are computed.

    Attributes
    ----------
    eager : bool
        The layer runs in full (its maps, and pooled maps, written): a nonlinearity,
        pooling or a view drawn at full size needs them. Otherwise every view comes
        from the input (see the module notes).
    per_channel : bool
        That full run also writes the per-channel contributions.
    tile_f, tile_c : (h, w) or None
        The filter and channel tiles computed from the input (None: not this way).
    out_hw : (n_H, n_W) or None
        The maps' size (None where the engine will refuse the settings).
    pads : ((top, bottom), (left, right))
    """

    eager: bool
    per_channel: bool
    tile_f: tuple | None
    tile_c: tuple | None
    out_hw: tuple | None
    pads: tuple


def plan_views(frame_shape, snapshot) -> ViewPlan:
    """The :class:`ViewPlan` for a frame of ``frame_shape`` (n_H, n_W, n_c) and ``snapshot``."""
    bank, layer, view = snapshot.bank, snapshot.layer, snapshot.view
    w = bank.weights()
    policy = view.levels
    pads = layer.pads(frame_shape[:2], w.shape[0])
    out_hw = _out_hw(frame_shape, w.shape, layer)
    fast_f = fast_c = False
    tile_f = tile_c = None
    if array_module() is np and out_hw is not None and policy.mode != "minmax" and np.isfinite(w).all():
        tile_f = tile_size(out_hw, view.scale_for("filters"))
        tile_c = tile_size(out_hw, view.scale_for("channels"))
        # a 1:1 "tile" is the full map itself: the engine computes that faster
        fast_f = layer.activation == "none" and tile_f != out_hw
        fast_c = view.per_channel and tile_c != out_hw
    eager_channels = view.per_channel and not fast_c
    eager = not fast_f or layer.pool is not None or eager_channels
    return ViewPlan(eager, eager_channels, tile_f if fast_f else None, tile_c if fast_c else None, out_hw, pads)


def compute_shown(frame: np.ndarray, snapshot, output: LayerOutput | None = None, beside=None) -> Shown:
    """Tiles, levels and (possibly on-demand) full maps of every view for one frame.

    Parameters
    ----------
    frame : numpy.ndarray float32 (H, W, n_c) in [0, 1]
    snapshot : Snapshot
    output : LayerOutput, optional
        The layer already run on ``frame`` as :func:`plan_views` says (its enabled
        filters, per-channel contributions when the plan asks): the caller needed
        it first (the next layer reads it). None: run here when the plan is eager.
    beside : callable, optional
        ``beside(fn, *args)`` runs ``fn(*args)`` on another thread and returns its
        ``concurrent.futures.Future``: the fast tiles are computed there while this
        thread computes the level samples (from a shape's second frame: the first
        measures the ways to compute them, here). None: one after the other, here.

    Raises
    ------
    ValueError
        When the settings leave no output (the engine's message).
    """
    bank, layer, view = snapshot.bank, snapshot.layer, snapshot.view
    w, b = bank.weights(), bank.biases()
    k, n_c = w.shape[3], w.shape[2]
    policy = view.levels
    xp = array_module()
    plan = plan_views(frame.shape, snapshot)
    pads, out_hw = plan.pads, plan.out_hw
    fast_f, fast_c = plan.tile_f is not None, plan.tile_c is not None
    tile_f, tile_c = plan.tile_f, plan.tile_c
    if not plan.eager:
        output = None
    elif output is None:
        output = run_layer(xp.asarray(frame), w, b, layer, per_channel=plan.per_channel)
    if output is not None:
        out_hw = tuple(output.maps.shape[:2])
    flip, stride, dilation = layer.flip, layer.stride, layer.dilation

    # full-size maps not computed for the screen: computed when read, all in one run
    full = SharedResult(lambda: run_layer(np.asarray(frame), w, b, layer, per_channel=view.per_channel))

    def point(row: int, col: int) -> np.ndarray:   # (n_c, K) before the activation
        return values_at(frame, w, flip, pads, stride, dilation, np.array([row]), np.array([col]))[:, 0, :]

    def filter_point(row: int, col: int) -> np.ndarray:
        return _activate(point(row, col).sum(axis=0) + b, layer.activation)

    if output is None:
        maps = OnDemandArray(out_hw + (k,), full, filter_point, pick=lambda out: out.maps)
        output = LayerOutput(maps, None, None, pads)
    if view.per_channel and output.contributions is None:
        contributions = OnDemandArray(out_hw + (n_c, k), full, point, pick=lambda out: out.contributions)
        output = LayerOutput(output.maps, contributions, output.pooled, output.pads)

    tiles_args = (frame, w, b, layer, pads, out_hw, tile_f, tile_c)
    tiles = None
    # on a shape's first frame the ways are measured here, one after the other: timed
    # beside the level samples, each would have been timed against the other's threads
    if beside is not None and (fast_f or fast_c) and decided(_tiles_key(*tiles_args), _TILE_WAYS) is not None:
        tiles = beside(_fast_tiles, *tiles_args)
    try:
        # levels: percentiles from the exact values at the sample's pixels, computed from
        # the input (a few cache lines each) instead of gathered from 8 + 24 full maps
        floor_k, floor_ck = noise_floors(w, b)
        filter_sample = channel_sample = relu_top = None
        if policy.mode == "percentile" and (xp is np or layer.activation == "relu"):
            rows, cols = sample_places(*out_hw)
            parts = values_at(frame, w, flip, pads, stride, dilation, rows, cols)   # (n_c, n, K), on the host
            z = parts.sum(axis=0).T + b[:, None]
            if layer.activation == "relu":
                # the maps' levels without ReLU: used where ReLU leaves a map mostly zero
                # (on the GPU too, where the levels themselves come from the maps)
                relu_top = sample_levels(z.copy(), policy, True, floor_k)[:, 1]
            if xp is np:
                filter_sample = _activate(z, layer.activation)
                if view.per_channel:
                    channel_sample = parts.transpose(0, 2, 1).reshape(n_c * k, -1)

        # the fast views' levels before waiting for their tiles
        filter_levels = _levels(filter_sample, policy, True, floor_k) if fast_f else None
        channel_levels = _levels(channel_sample, policy, True, floor_ck) if fast_c else None
        filter_small, channel_small = tiles.result() if tiles is not None else _fast_tiles(*tiles_args)
        if fast_f:
            filters = ShownMaps(output.maps, filter_small, filter_levels)
        else:
            filters = _full_view(output.maps, 1, view.scale_for("filters"), filter_sample, policy,
                                 layer.activation == "none", floor_k, sparse_top=relu_top)
        channels = None
        if view.per_channel:
            if fast_c:
                channels = ShownMaps(output.contributions, channel_small, channel_levels)
            else:
                channels = _full_view(output.contributions, 2, view.scale_for("channels"), channel_sample, policy,
                                      True, floor_ck)
        pooled = None
        if output.pooled is not None and view.pooled:
            pooled = _full_view(output.pooled, 1, view.scale_for("pooled"), None, policy,
                                layer.activation == "none", floor_k)
        return Shown(output, out_hw, filters, channels, pooled)
    finally:
        if tiles is not None:
            futures_wait([tiles])   # on every way out: no frame's work outlives it


def _fast_tiles(frame, w, b, layer, pads, out_hw, tile_f, tile_c):
    """Filter tiles (K of them) at ``tile_f`` and channel tiles (n_c·K) at ``tile_c``, each
    a tuple of 2-D arrays, from the input (either size None: that view is not drawn this way).

    Two ways, the faster measured per shape: block means of the input under each kernel
    tap, or one strided convolution with a widened kernel (see
    :mod:`playground.render.from_input`). On a 2-core Zen 3, at 1/4 of 640×480 maps:
    f = 3 took 2.3 ms by taps against 3.9 ms by convolution; f = 7 8.3 against 6.1 ms,
    and stride 2 with "same" padding 12 against 5 ms.
    """
    if tile_f is None and tile_c is None:
        return None, None

    def tiles() -> InputTiles:   # new each time: it keeps its box filters, which a second run would reuse
        return InputTiles(frame, pads, w.shape[:2], layer.stride, layer.dilation, out_hw)

    ways = {"taps": lambda: _tiles_by_taps(tiles(), w, b, layer.flip, tile_f, tile_c)}
    if all(whole_factors(out_hw, tile) for tile in (tile_f, tile_c) if tile is not None):
        ways["conv"] = lambda: _tiles_by_conv(tiles(), w, b, layer.flip, tile_f, tile_c)
    return fastest(_tiles_key(frame, w, b, layer, pads, out_hw, tile_f, tile_c), ways)


_TILE_WAYS = ("taps", "conv")


def _tiles_key(frame, w, b, layer, pads, out_hw, tile_f, tile_c) -> tuple:
    """What the choice of a way to compute tiles depends on (the arguments of :func:`_fast_tiles`)."""
    workers = backend_for([frame]).workers   # the convolution runs on the engine's threads
    return ("shown tiles", frame.shape, w.shape, layer.stride, layer.dilation, pads, tile_f, tile_c, workers)


def _tiles_by_taps(tiles: InputTiles, w, b, flip: bool, tile_f, tile_c):
    """:func:`_fast_tiles` from the block means under each kernel tap."""
    n_c, k = w.shape[2:]
    fine = _nested_fine(tiles.out_hw, tile_f, tile_c)
    if fine is not None:
        # both views from one set of per-channel tiles: a filter's tile is its
        # channels' tiles summed plus the bias, and coarser tiles are block means
        # of finer ones (cheaper than a second pass over the input)
        per_channel = tiles.channel_tiles(w, flip, fine)                        # (n_c, K, h, w)
        sums = np.sum(per_channel, axis=0, out=buffers.scratch(np, "shown:sums", (k,) + fine))
        sums += b[:, None, None]
        return (tuple(_block_means(sums, tile_f, "filters")),
                tuple(_block_means(per_channel.reshape(n_c * k, *fine), tile_c, "channels")))
    filter_small = channel_small = None
    if tile_f is not None:
        filter_small = tuple(tiles.filter_tiles(w, b, flip, tile_f))
    if tile_c is not None:
        channel_small = tuple(tiles.channel_tiles(w, flip, tile_c, base=tile_f).reshape(n_c * k, *tile_c))
    return filter_small, channel_small


def _tiles_by_conv(tiles: InputTiles, w, b, flip: bool, tile_f, tile_c):
    """:func:`_fast_tiles` as strided convolutions (every tile size a whole-number shrink)."""
    def each(planar, tile):   # (h, …, w) → its maps, shrunk to ``tile``
        return _tile_views(_shrink(planar.reshape(planar.shape[0], -1, planar.shape[-1]), tile))

    fine = _nested_fine(tiles.out_hw, tile_f, tile_c)
    if fine is not None:   # one convolution for both views
        filters, channels = tiles.conv_tiles(w, b, flip, fine, per_channel=True)
        return each(filters, tile_f), each(channels, tile_c)
    filter_small = channel_small = None
    if tile_f is not None:
        filter_small = each(tiles.conv_tiles(w, b, flip, tile_f, per_channel=False)[0], tile_f)
    if tile_c is not None:
        channel_small = each(tiles.conv_tiles(w, None, flip, tile_c, per_channel=True)[1], tile_c)
    return filter_small, channel_small


def _nested_fine(out_hw, tile_f, tile_c):
    """The finer tile size when both views shrink the maps by whole numbers and the
    coarser view's blocks are whole blocks of the finer one's, else None."""
    if tile_f is None or tile_c is None:
        return None
    fine, coarse = sorted((tile_f, tile_c), key=lambda t: -t[0] * t[1])
    return fine if whole_factors(out_hw, fine) and whole_factors(fine, coarse) else None


def _block_means(stack: np.ndarray, tile: tuple[int, int], what: str) -> np.ndarray:
    """(N, h, w) tiles → (N, tile_h, tile_w) block means (``tile`` divides (h, w)),
    in a per-thread scratch buffer."""
    n, h, w = stack.shape
    if (h, w) == tuple(tile):
        return stack
    # one resize of the stacked tiles: each block lies inside one tile, as h is a
    # multiple of the block height
    out = buffers.scratch(np, f"shown:{what}", (n * tile[0], tile[1]))
    flat = cv2.resize(np.ascontiguousarray(stack).reshape(n * h, w), (tile[1], n * tile[0]), dst=out,
                      interpolation=cv2.INTER_AREA)
    return flat.reshape(n, *tile)


def _levels(sample, policy, signed, floors) -> np.ndarray:
    """Levels from a (maps, samples) sample (None for fixed levels)."""
    if sample is None:
        n = len(floors)
        sample = np.zeros((n, 0), np.float32)
    return sample_levels(sample, policy, signed, floors)


def _full_view(array, extra_axes: int, scale: float, sample, policy, signed, floors, sparse_top=None) -> ShownMaps:
    """A view drawn from full-size maps: shrunk here, levels from ``sample`` when given
    (``sparse_top``: see :func:`~playground.render.levels.sample_levels`)."""
    planar = _planar(array, extra_axes)
    h, n, w = planar.shape
    small = _shrink(planar, tile_size((h, w), scale))
    if sample is not None:
        levels = sample_levels(sample, policy, signed, floors, sparse_top)
    else:
        levels = map_levels(planar, policy, signed, floors, sparse_top)
    values = planar.reshape((h,) + tuple(array.shape[2:]) + (w,)).transpose(
        (0, extra_axes + 1) + tuple(range(1, extra_axes + 1)))   # (H, W, …) view of the host copy
    return ShownMaps(values, _tile_views(small), levels)


def _tile_views(small: np.ndarray) -> tuple:
    """(h, N, w) side-by-side maps → the N maps, as 2-D views."""
    return tuple(small[:, i, :] for i in range(small.shape[1]))


def _planar(array, extra_axes: int) -> np.ndarray:
    """The engine's (H, W, …) result as a host array (H, N, W), N = the trailing axes flattened.

    The engine's results are views of planar (H, …, W) buffers, so on NumPy this
    is a free re-view; elsewhere (CuPy) the planar copy is what crosses to the host.
    """
    order = (0,) + tuple(range(2, 2 + extra_axes)) + (1,)
    xp = array_module()
    moved = array.transpose(order)
    planar = asnumpy(xp.ascontiguousarray(moved))
    return planar.reshape(planar.shape[0], -1, planar.shape[-1])


def _shrink(planar: np.ndarray, tile: tuple[int, int]) -> np.ndarray:
    """(H, N, W) maps → (tile_h, N, tile_w) by pixel-area averaging.

    With whole-number factors one resize of the side-by-side maps does all of
    them: each averaged block lies inside one map, because every map's width is
    a multiple of the factor.
    """
    h, n, w = planar.shape
    th, tw = tile
    if (th, tw) == (h, w):
        return planar
    if h % th == 0 and w % tw == 0:
        wide = cv2.resize(planar.reshape(h, n * w), (n * tw, th), interpolation=cv2.INTER_AREA)
        return wide.reshape(th, n, tw)
    out = np.empty((th, n, tw), np.float32)
    for i in range(n):
        out[:, i, :] = cv2.resize(planar[:, i, :], (tw, th), interpolation=cv2.INTER_AREA)
    return out

