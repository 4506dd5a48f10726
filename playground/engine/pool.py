"""Max and average pooling, per channel (pooling has no parameters to learn)."""

from __future__ import annotations

import numpy as np

from . import buffers
from .backend import backend_for
from .shapes import as_pair, output_size, resolve_padding
from .validation import check_real_array

__all__ = ["pool2d", "pool_rows"]

_MODES = ("max", "avg")


def pool2d(x, f, stride=None, padding=0, mode="max"):
    """Max or average pooling over f×f windows, each channel on its own.

    Parameters
    ----------
    x : array, (n_H, n_W, n_c) or (m, n_H, n_W, n_c)
    f : int or (f_H, f_W)
        Window size.
    stride : int or (s_H, s_W), optional
        Defaults to ``f`` (non-overlapping windows, the usual choice).
    padding : int, (p_H, p_W) or ((top, bottom), (left, right))
        Rarely used. Max pooling pads with −inf (padding never wins); average
        pooling averages only the real cells under each window.
    mode : {"max", "avg"}

    Returns
    -------
    array, float32, (…, n_H_out, n_W_out, n_c)
        n_out = floor((n + p_before + p_after − f) / s) + 1, on the same array
        module as ``x``; may be a non-contiguous view.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.arange(16, dtype=np.float32).reshape(4, 4, 1)
    >>> pool2d(a, 2)[..., 0]
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """
    backend = backend_for([x])
    xp = backend.xp
    x = xp.asarray(x)
    check_real_array(x, "x", (3, 4))
    if mode not in _MODES:
        raise ValueError(f"mode must be 'max' or 'avg'; got {mode!r}")
    f = as_pair(f, "f (pool size)")
    stride = f if stride is None else as_pair(stride, "stride")
    batched = x.ndim == 4
    if not batched:
        x = x[None]
    m, n_h, n_w, n_c = x.shape
    pads = resolve_padding(padding, (n_h, n_w), f, stride, (1, 1))
    for (p0, p1), size, axis in zip(pads, f, "HW", strict=True):
        if max(p0, p1) >= size:
            raise ValueError(f"padding must be smaller than the pool size; got {p0, p1} for f_{axis} = {size}")
    out_h, out_w = (output_size(n, k, p, s) for n, k, p, s in zip((n_h, n_w), f, pads, stride, strict=True))
    if out_h < 1 or out_w < 1:
        raise ValueError(f"pool window {f[0]}×{f[1]} is larger than the padded input "
                         f"{n_h + sum(pads[0])}×{n_w + sum(pads[1])}: no output")
    if x.dtype != xp.float32:
        x = x.astype(xp.float32)
    if pads != ((0, 0), (0, 0)):
        fill = -np.inf if mode == "max" else 0.0
        padded = xp.full((m, n_h + sum(pads[0]), n_w + sum(pads[1]), n_c), fill, xp.float32)
        padded[:, pads[0][0]:pads[0][0] + n_h, pads[1][0]:pads[1][0] + n_w] = x
        x = padded

    combine = xp.maximum if mode == "max" else xp.add
    # Separable: reduce the f_H rows of each window, then the f_W columns, one
    # band of output rows at a time (bands run in parallel on the CPU, and a
    # band's intermediate rows are still in cache for the column pass).
    # Buffers are stored as (m, rows, n_c, cols), the layout conv2d returns, so
    # each channel's row is contiguous and the reductions stream through memory.
    rows = buffers.scratch(xp, "pool:rows", (m, out_h, n_c, x.shape[2])).transpose(0, 1, 3, 2)
    out = buffers.recycled(xp, (m, out_h, n_c, out_w)).transpose(0, 1, 3, 2)
    s_h, s_w = stride

    def band(first: int, last: int) -> None:
        band_rows = rows[:, first:last]
        _combine_all(combine, band_rows, [x[:, first * s_h + i: (last - 1) * s_h + i + 1: s_h] for i in range(f[0])])
        _combine_all(combine, out[:, first:last],
                     [band_rows[:, :, j: j + s_w * (out_w - 1) + 1: s_w] for j in range(f[1])])

    backend.run_bands(out_h, band)
    if mode == "avg":
        out *= _real_cell_share(xp, (n_h, n_w), f, stride, pads, (out_h, out_w))
    return out if batched else out[0]


def _real_cell_share(xp, size, f, stride, pads, out_hw):
    """1 / (number of real, unpadded cells under each window), shape (n_H_out, n_W_out, 1)."""
    counts = []
    for n, k, s, (p0, _), n_out in zip(size, f, stride, pads, out_hw, strict=True):
        start = np.arange(n_out) * s - p0
        counts.append(np.minimum(start + k, n) - np.maximum(start, 0))
    share = 1.0 / np.outer(counts[0], counts[1]).astype(np.float32)
    return xp.asarray(share[:, :, None])


def pool_rows(xp, rows, out, f: int, stride: int, mode: str = "max") -> None:
    """Pool a band of planar maps into ``out``: square windows, no padding.

    The conv hands its maps over band by band while they are in cache
    (:func:`~playground.engine.conv.conv_maps`'s ``rows_done``); pooling each band
    there saved reading a 640×480×8 layer's maps back from memory.

    Parameters
    ----------
    xp : numpy or cupy
    rows : array float32 (n_rows, K, n_W)
        Map rows, planar; output row p pools rows p·s … p·s + f − 1.
    out : array float32 (n_out, K, n_W_out)
        Written; needs n_rows ≥ (n_out − 1)·s + f and n_W ≥ (n_W_out − 1)·s + f.
    f, stride : int
    mode : {"max", "avg"}
    """
    n_out, k, w_out = out.shape
    if mode == "max":
        combine = xp.maximum
    elif mode == "avg":
        combine = xp.add
    else:
        raise ValueError(f"mode must be 'max' or 'avg'; got {mode!r}")
    span = (n_out - 1) * stride + 1
    # the f rows of each window first (contiguous rows: fast), then its f columns
    reduced = buffers.scratch(xp, "pool:band", (n_out, k, rows.shape[2]))
    views = [rows[i: i + span: stride] for i in range(f)]
    _combine_all(combine, reduced, views)
    span = (w_out - 1) * stride + 1
    _combine_all(combine, out, [reduced[:, :, j: j + span: stride] for j in range(f)])
    if mode == "avg":
        out *= 1.0 / (f * f)


def _combine_all(combine, target, views) -> None:
    """``target`` = ``views`` combined pairwise (one view: copied)."""
    if len(views) == 1:
        target[...] = views[0]
        return
    combine(views[0], views[1], out=target)
    for view in views[2:]:
        combine(target, view, out=target)
