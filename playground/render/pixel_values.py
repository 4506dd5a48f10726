"""The exact values of a conv layer's maps at chosen pixels, computed from the input.

For display levels (percentiles of a few thousand sampled pixels) and hover read-outs:
f_H·f_W·n_c input cells per pixel and one small matrix product with the layer's own
weights, instead of full-size maps. Like the tiles (:mod:`playground.render.from_input`),
this holds only before a nonlinearity.
"""

from __future__ import annotations

import numpy as np

from playground.engine import buffers
from playground.engine.backend import backend_for
from playground.engine.kernel_paths import choose, fastest

from .from_input import as_weights

__all__ = ["values_at"]


def _scratch(what: str, shape) -> np.ndarray:
    """A float32 work array reused per thread and shape (see :func:`buffers.scratch`)."""
    return buffers.scratch(np, f"pixel values:{what}", tuple(shape))


_TAP_INDEX: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
# Indices gathered at once (8 bytes each, plus 4 per cell value): ~24 MB. A memory bound,
# not a speed setting: the live default (3 channels, 3×3, 6,000 pixels) is 162,000.
_MAX_GATHER = 1 << 21


def values_at(x, w, flip: bool, pads, stride: int, dilation: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Each channel's contribution at output pixels (rows[n], cols[n]), exactly.

    Parameters
    ----------
    x : numpy.ndarray float32 (n_H, n_W, n_c)
    w : (f_H, f_W, n_c, K)
    flip : bool
    pads : ((top, bottom), (left, right))
    stride, dilation : int
    rows, cols : numpy.ndarray int (n,)
        Output pixels.

    Returns
    -------
    numpy.ndarray float32 (n_c, n, K)
        Summed over n_c plus the bias: the maps' values before the activation.
        A per-thread scratch buffer, overwritten by the next call of the same size.
    """
    x = np.asarray(x, np.float32)
    w = as_weights(w, flip)
    n_h, n_w, n_c = x.shape
    f_h, f_w, _, k = w.shape
    per_pixel = n_c * f_h * f_w
    if len(rows) * per_pixel > _MAX_GATHER:
        # 64 channels × 11×11 taps × 6,000 pixels would be 370 MB of indices (and a cache of
        # them): gather in blocks of pixels instead, each block's memory bounded
        block = max(1, _MAX_GATHER // per_pixel)
        values = np.empty((n_c, len(rows), k), np.float32)
        for start in range(0, len(rows), block):
            part = slice(start, start + block)
            values[:, part] = _values_block(x, w, pads, stride, dilation, rows[part], cols[part], cache=False)
        return values
    return _values_in_bands(x, w, pads, stride, dilation, rows, cols)


def _values_in_bands(x, w, pads, stride: int, dilation: int, rows, cols) -> np.ndarray:
    """:func:`_values_block` for all the pixels at once, or in bands on the engine's threads,
    the faster measured per shape. Reading the windows is most of the work and NumPy's
    gathers let go of the GIL: 7×7×3 windows at 6,000 pixels took 4.4 ms on one thread
    and 2.2-3.0 ms on two (2-core Zen 3)."""
    def whole() -> np.ndarray:   # (a hover read-out's one pixel is not worth a cache entry)
        return _values_block(x, w, pads, stride, dilation, rows, cols, cache=len(rows) > 1)

    backend = backend_for([x])
    if backend.workers < 2 or len(rows) < 2 * backend.workers:
        return whole()

    def in_bands() -> np.ndarray:
        values = _scratch("values in bands", (x.shape[2], len(rows), w.shape[3]))

        def band(first: int, last: int) -> None:
            part = slice(first, last)
            values[:, part] = _values_block(x, w, pads, stride, dilation, rows[part], cols[part], cache=True)

        backend.run_bands(len(rows), band)   # the same bands every call: their plans stay cached
        return values

    key = ("values_at bands", x.shape, w.shape, pads, stride, dilation, len(rows), backend.workers)
    return fastest(key, {"whole": whole, "bands": in_bands})


def _values_block(x, w, pads, stride: int, dilation: int, rows, cols, *, cache: bool) -> np.ndarray:
    """:func:`values_at` for one block of pixels (``w`` already flipped where asked).

    Two ways to read the windows, the faster measured per shape (``kernel_paths.choose``):
    each cell on its own (``np.take`` of single elements), or each window inside the
    image as one patch, f_H runs of f_W·n_c neighbouring cells (a strided view of the
    image indexed by the window's corner), the few that reach into the padding cell by
    cell. For 6,000 pixels on a 2-core Zen 3: 7×7×3 windows 3.3 ms as patches against
    7.0 ms cell by cell, 3×3×3 windows 1.5 against 0.7 ms.
    """
    n_h, n_w, n_c = x.shape
    f_h, f_w, _, k = w.shape
    key = (x.shape, f_h, f_w, pads, stride, dilation, rows.tobytes(), cols.tobytes())
    plans = _TAP_INDEX.get(key)
    if plans is None:
        plans = {}
        if cache:
            if len(_TAP_INDEX) > 64:   # (a few shapes, each in a band per piece of the engine's threads)
                _TAP_INDEX.clear()
            _TAP_INDEX[key] = plans
    x = np.ascontiguousarray(x)
    cells = _scratch("cells", (n_c, len(rows), f_h * f_w))   # (n_c, n, taps), the order the product reads

    def plan(name: str):
        if name not in plans:
            every = np.arange(len(rows)) if name == "cells" else None
            plans[name] = _gather_plan(x.shape, f_h, f_w, pads, stride, dilation, rows, cols, edge=every)
        return plans[name]

    def by_cells() -> None:
        _read_windows(x, plan("cells"), cells, dilation)

    def by_patches() -> None:
        _read_windows(x, plan("patches"), cells, dilation)

    # both always offered (all windows in the padding: "patches" reads them cell by cell
    # too), so a choice made on other pixels of this shape always applies
    candidates = {"cells": by_cells, "patches": by_patches}
    candidates[choose(("values_at", x.shape, f_h, f_w, pads, stride, dilation, len(rows)), candidates)]()
    weights = np.ascontiguousarray(w.reshape(f_h * f_w, n_c, k).transpose(1, 0, 2))  # (n_c, taps, K)
    return np.matmul(cells, weights, out=_scratch("values", (n_c, len(rows), k)))


def _read_windows(x: np.ndarray, plan: tuple, cells: np.ndarray, dilation: int) -> None:
    """Fill ``cells`` (n_c, n, taps) with the windows' cells, as :func:`_gather_plan` says."""
    whole, top_rows, left_cols, edge, flat, inside, (f_h, f_w) = plan
    n_h, n_w, n_c = x.shape
    if len(whole):
        s0, s1, s2 = x.strides
        # window corner (y, x) → its f_H × f_W × n_c cells, without copying the image
        windows = np.lib.stride_tricks.as_strided(
            x, shape=(n_h, n_w, f_h, f_w, n_c), strides=(s0, s1, dilation * s0, dilation * s1, s2), writeable=False)
        patches = windows[top_rows, left_cols]                      # (n_whole, f_H, f_W, n_c)
        cells[:, whole] = patches.reshape(len(whole), f_h * f_w, n_c).transpose(2, 0, 1)
    if len(edge):
        # np.take of single elements, not x[…] of whole pixels: fancy indexing of rows ran
        # 10-40× slower here
        every = len(edge) == cells.shape[1]
        near = np.take(x.reshape(-1), flat, out=cells if every else _scratch("near", flat.shape))
        if inside is not None:
            near *= inside
        if not every:
            cells[:, edge] = near


def _gather_plan(shape, f_h: int, f_w: int, pads, stride: int, dilation: int, rows, cols, edge=None) -> tuple:
    """How to read each pixel's window: the pixels whose window lies inside the image
    (their corners), and for the others (``edge``: all of them when given) the image cell
    under each tap, with a 0/1 weight for the padding's cells (None: none there)."""
    n_h, n_w, n_c = shape
    top = rows * stride - pads[0][0]
    left = cols * stride - pads[1][0]
    if edge is None:
        fits = (top >= 0) & (top + (f_h - 1) * dilation < n_h) & (left >= 0) & (left + (f_w - 1) * dilation < n_w)
        edge = np.flatnonzero(~fits)
        whole = np.flatnonzero(fits)
    else:
        whole = np.arange(0)
    # image cell under tap (i, j) of an edge pixel; taps in the padding read a real
    # cell and are then weighted 0
    y = top[edge, None, None] + np.arange(f_h)[None, :, None] * dilation
    xx = left[edge, None, None] + np.arange(f_w)[None, None, :] * dilation
    taps = f_h * f_w
    inside = ((y >= 0) & (y < n_h) & (xx >= 0) & (xx < n_w)).reshape(1, len(edge), taps)
    cell = (np.clip(y, 0, n_h - 1) * n_w + np.clip(xx, 0, n_w - 1)).reshape(1, len(edge), taps)
    # element indices laid out (n_c, n, taps): the gather lands in the order the product reads
    flat = (cell * n_c + np.arange(n_c).reshape(n_c, 1, 1)).astype(np.intp)
    weights = None if inside.all() else inside.astype(np.float32)
    return whole, top[whole], left[whole], edge, flat, weights, (f_h, f_w)
