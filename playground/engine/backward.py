"""Backward passes: the exact derivatives of what :func:`conv2d`, :func:`pool2d` and the
activations compute, with the same padding, stride, dilation and flip.

Two ways to compute the same derivatives
----------------------------------------
* float32 (what the app trains with) reuses the engine's machinery: the weight
  gradient is the row stack of the input times ``grad_out`` (the same stacks that
  :func:`~playground.engine.conv.conv2d` fills, in cache-sized chunks on the
  engine's threads), and the input gradient is itself a convolution, run by
  :func:`conv2d`: ``grad_out`` with ``s − 1`` zeros between its cells, correlated
  with the kernels rotated by 180° and with n_c and K swapped.
* float64 (any input in float64) loops over the f_H·f_W kernel taps, one small
  matrix product per tap, in the input's precision. It is the reference the tests
  check with finite differences; the float32 path is tested against it.

Both run on NumPy or CuPy, whichever holds ``x``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backend import backend_for
from .conv import conv2d
from .row_stack import chunk_rows, row_stack_for
from .shapes import as_pair, effective_size, output_size, resolve_padding

__all__ = ["conv2d_backward", "conv2d_forward", "pool2d_forward", "pool2d_backward",
           "relu_backward", "abs_backward"]


@dataclass(frozen=True)
class _Geometry:
    """A conv call normalised: x (m, H, W, C), w (f_H, f_W, C, K) as applied (flipped if asked)."""

    backend: object
    x: object
    w: object
    dtype: object
    stride: tuple
    pads: tuple
    dilation: tuple
    out_hw: tuple
    batched: bool


def _compute_dtype(*arrays):
    """float64 when any input is float64 (the exact path), float32 otherwise."""
    return np.float64 if any(getattr(a, "dtype", None) == np.float64 for a in arrays) else np.float32


def _geometry(x, w, stride, padding, dilation, flip, *extra) -> _Geometry:
    backend = backend_for([x])
    dtype = _compute_dtype(x, w, *extra)
    x = backend.asarray(x)
    w = backend.asarray(w)
    if x.ndim not in (3, 4) or w.ndim != 4:
        raise ValueError(f"x must be (n_H, n_W, n_c) or (m, n_H, n_W, n_c) and w (f, f, n_c, K); "
                         f"got x {tuple(x.shape)}, w {tuple(w.shape)}")
    batched = x.ndim == 4
    if not batched:
        x = x[None]
    if w.shape[2] != x.shape[3]:
        raise ValueError(f"w has {w.shape[2]} input channels but x has {x.shape[3]}")
    x = x.astype(dtype, copy=False)
    w = w.astype(dtype, copy=False)
    if flip:  # true convolution: the forward pass applies the kernel rotated by 180°
        w = w[::-1, ::-1]
    stride = as_pair(stride, "stride")
    dilation = as_pair(dilation, "dilation")
    size = x.shape[1:3]
    kernel = w.shape[:2]
    pads = resolve_padding(padding, size, kernel, stride, dilation)
    out_hw = tuple(output_size(n, f, p, s, d) for n, f, p, s, d in zip(size, kernel, pads, stride, dilation,
                                                                         strict=True))
    if min(out_hw) < 1:
        raise ValueError(f"kernel {kernel[0]}×{kernel[1]} (dilation {dilation}) is larger than the padded "
                         f"input {size[0]}×{size[1]} with padding {pads}: no output")
    return _Geometry(backend, x, w, dtype, stride, pads, dilation, out_hw, batched)


def _padded(xp, x, pads):
    (top, bottom), (left, right) = pads
    if top == bottom == left == right == 0:
        return x
    return xp.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def _tap_view(xpad, geo: _Geometry, i: int, j: int):
    """The input cells tap (i, j) reads for every output cell: (m, n_H_out, n_W_out, n_c)."""
    (s_h, s_w), (d_h, d_w), (h_out, w_out) = geo.stride, geo.dilation, geo.out_hw
    return xpad[:, i * d_h: i * d_h + s_h * (h_out - 1) + 1: s_h, j * d_w: j * d_w + s_w * (w_out - 1) + 1: s_w]


def conv2d_forward(x, w, b=None, *, stride=1, padding="valid", dilation=1, flip=False):
    """:func:`conv2d` that keeps float64: the engine's conv for float32, the tap loop for float64.

    Parameters and result as for :func:`~playground.engine.conv.conv2d`; the result
    is float64 when ``x`` or ``w`` is.
    """
    if _compute_dtype(x, w) == np.float32:
        return conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, flip=flip)
    geo = _geometry(x, w, stride, padding, dilation, flip)
    xp = geo.backend.xp
    xpad = _padded(xp, geo.x, geo.pads)
    out = xp.zeros((geo.x.shape[0], *geo.out_hw, geo.w.shape[3]), geo.dtype)
    for i in range(geo.w.shape[0]):
        for j in range(geo.w.shape[1]):
            out += _tap_view(xpad, geo, i, j) @ geo.w[i, j]
    if b is not None:
        out += xp.asarray(b, dtype=geo.dtype)
    return out if geo.batched else out[0]


def conv2d_backward(x, w, grad_out, *, stride=1, padding="valid", dilation=1, flip=False, need_x=True):
    """Gradients of a conv layer's loss with respect to its input, weights and bias.

    Parameters
    ----------
    x : array, (m, n_H, n_W, n_c) or (n_H, n_W, n_c)
        The layer's input in the forward pass.
    w : array, (f_H, f_W, n_c, K)
        The weights as passed to :func:`conv2d` (not flipped: ``flip`` says so).
    grad_out : array, (…, n_H_out, n_W_out, K)
        dL/dz for z = conv2d(x, w, b) (before any activation), batched like ``x``.
    stride, padding, dilation, flip
        Exactly as given to :func:`conv2d`; "same" splits an odd padding with the
        extra row/column at the bottom/right, as the forward pass does.
    need_x : bool
        False skips ``grad_x`` (a first layer needs no gradient for its picture)
        and returns None in its place.

    Returns
    -------
    grad_x : array like ``x`` (…, n_H, n_W, n_c), or None
        Cells only inside the padding get no gradient; input rows/columns that no
        window reaches (stride leaving a remainder) get zero.
    grad_w : array (f_H, f_W, n_c, K)
    grad_b : array (K,)
        float64 when any input is float64, float32 otherwise.
    """
    geo = _geometry(x, w, stride, padding, dilation, flip, grad_out)
    xp = geo.backend.xp
    g = geo.backend.asarray(grad_out).astype(geo.dtype, copy=False)
    if not geo.batched:
        g = g[None]
    expected = (geo.x.shape[0], *geo.out_hw, geo.w.shape[3])
    if tuple(g.shape) != expected:
        raise ValueError(f"grad_out must have the conv output's shape {expected}; got {tuple(g.shape)}")
    if geo.dtype == np.float32:
        grad_w, grad_b = _grad_w_stacked(geo, g)
        grad_x = _grad_x_conv(geo, g) if need_x else None
    else:
        grad_w, grad_x = _backward_taps(geo, g, need_x)
        grad_b = g.sum(axis=(0, 1, 2))
    if flip:  # the forward pass applied w[::-1, ::-1]; the chain rule rotates back
        grad_w = grad_w[::-1, ::-1]
    grad_w = xp.ascontiguousarray(grad_w)
    if grad_x is not None and not geo.batched:
        grad_x = grad_x[0]
    return grad_x, grad_w, grad_b


def _backward_taps(geo: _Geometry, g, need_x: bool):
    """The exact path: one product per kernel tap, in the inputs' precision."""
    xp = geo.backend.xp
    xpad = _padded(xp, geo.x, geo.pads)
    f_h, f_w, n_c, k = geo.w.shape
    grad_w = xp.empty((f_h, f_w, n_c, k), geo.dtype)
    grad_xpad = xp.zeros_like(xpad) if need_x else None
    for i in range(f_h):
        for j in range(f_w):
            taps = _tap_view(xpad, geo, i, j)
            grad_w[i, j] = xp.tensordot(taps, g, axes=([0, 1, 2], [0, 1, 2]))
            if need_x:
                _tap_view(grad_xpad, geo, i, j)[...] += g @ geo.w[i, j].T
    if not need_x:
        return grad_w, None
    (top, _), (left, _) = geo.pads
    rows, cols = geo.x.shape[1:3]
    return grad_w, grad_xpad[:, top:top + rows, left:left + cols]


def _grad_w_stacked(geo: _Geometry, g):
    """dL/dw = Σ over output cells of (input taps) ⊗ grad_out, from the engine's row stacks,
    and dL/db = Σ grad_out (summed per chunk while grad_out's rows are in cache).

    Per output row r the stack gives the taps as a (f_H·n_c·f_W × n_W_out) view T_r
    and grad_out's row is (K × n_W_out), so the row's share is T_r @ g_rᵀ. Rows are
    done in the same cache-sized chunks and thread bands as the forward pass.
    """
    backend = geo.backend
    xp = backend.xp
    m, n_h, n_w, n_c = geo.x.shape
    f_h, f_w, _, k = geo.w.shape
    h_out, w_out = geo.out_hw
    planes = xp.ascontiguousarray(g.transpose(0, 1, 3, 2))  # (m, H_out, K, W_out): conv2d's own layout
    chunk = chunk_rows(h_out, 4 * n_c * f_w * w_out, geo.stride[0], geo.dilation[0], backend.cache_bytes,
                       backend.workers)
    chunks = [(first, min(h_out, first + chunk)) for first in range(0, h_out, chunk)]
    partial = {}

    def band(first_chunk: int, last_chunk: int) -> None:
        stack = row_stack_for(backend, (n_h, n_w, n_c), (f_h, f_w), geo.stride, geo.pads, geo.dilation,
                              w_out, chunk)
        total = xp.zeros((f_h * n_c * f_w, k), xp.float32)
        total_b = xp.zeros(k, xp.float32)
        for image in range(m):
            for first, last in chunks[first_chunk:last_chunk]:
                stack.fill(geo.x[image], first, last - first)
                for group in stack.groups(last - first):
                    rows = planes[image, group.output_rows(first)]  # (count, K, W_out)
                    # taps @ gᵀ, not g @ tapsᵀ: measured 1.5× faster (BLAS reads the stack row-wise)
                    products = xp.matmul(stack.taps(group), rows.transpose(0, 2, 1))  # (count, taps, K)
                    total += products.sum(axis=0)
                    total_b += rows.sum(axis=(0, 2))
        partial[first_chunk] = (total, total_b)

    backend.run_bands(len(chunks), band)
    flat = sum(partial[key][0] for key in sorted(partial))  # fixed order: the same sum on every run
    grad_b = sum(partial[key][1] for key in sorted(partial))
    # taps are ordered (i, c, j): back to (f_H, f_W, n_c, K)
    return flat.reshape(f_h, n_c, f_w, k).transpose(0, 2, 1, 3), grad_b


def _pad_or_crop(xp, a, axis: int, before: int, after: int):
    """Zero-pad (positive) or cut (negative) ``a`` along ``axis``."""
    n = a.shape[axis]
    cut = [slice(None)] * a.ndim
    cut[axis] = slice(max(0, -before), n - max(0, -after))
    a = a[tuple(cut)]
    if before > 0 or after > 0:
        widths = [(0, 0)] * a.ndim
        widths[axis] = (max(0, before), max(0, after))
        a = xp.pad(a, widths)
    return a


def _grad_x_conv(geo: _Geometry, g):
    """dL/dx as a convolution the engine runs: the transposed convolution.

    grad_xpad[y, x, c] = Σ_{i,j,k} u[y − i·d, x − j·d, k]·w[i, j, c, k], where u is
    grad_out with s − 1 zeros between cells. That is a cross-correlation of u,
    zero-padded by f_eff − 1 − p_before in front, with w rotated 180° and its n_c
    and K axes swapped; only the rows/columns of the real (unpadded) input are
    computed (a negative amount of padding cuts u instead: those cells feed only padding).
    """
    xp = geo.backend.xp
    m, n_h, n_w, _ = geo.x.shape
    k = g.shape[3]
    (s_h, s_w), (d_h, d_w) = geo.stride, geo.dilation
    if (s_h, s_w) != (1, 1):
        spread = xp.zeros((m, (geo.out_hw[0] - 1) * s_h + 1, (geo.out_hw[1] - 1) * s_w + 1, k), xp.float32)
        spread[:, ::s_h, ::s_w] = g
    else:
        spread = g
    u = spread
    for axis, n, f, d, (before, _) in ((1, n_h, geo.w.shape[0], d_h, geo.pads[0]),
                                       (2, n_w, geo.w.shape[1], d_w, geo.pads[1])):
        front = effective_size(f, d) - 1 - before
        back = n + effective_size(f, d) - 1 - front - u.shape[axis]
        u = _pad_or_crop(xp, u, axis, front, back)
    kernel = geo.w[::-1, ::-1].transpose(0, 1, 3, 2)  # (f_H, f_W, K, n_c)
    return conv2d(u, kernel, dilation=(d_h, d_w))


def pool2d_forward(x, f, stride=None, mode="max"):
    """Pooling (no padding) in the input's precision, float32 or float64.

    Same values as :func:`~playground.engine.pool.pool2d`; kept here so float64
    training (the tests' finite differences) never rounds to float32.
    """
    xp = backend_for([x]).xp
    x = xp.asarray(x)
    f = as_pair(f, "f (pool size)")
    stride = f if stride is None else as_pair(stride, "stride")
    batched = x.ndim == 4
    x4 = x if batched else x[None]
    if x4.dtype != xp.float64:
        x4 = x4.astype(xp.float32, copy=False)
    views = _pool_views(x4, f, stride)
    out = views[0].copy()
    for view in views[1:]:
        if mode == "max":
            xp.maximum(out, view, out=out)
        else:
            out += view
    if mode == "avg":
        out /= f[0] * f[1]
    elif mode != "max":
        raise ValueError(f"mode must be 'max' or 'avg'; got {mode!r}")
    return out if batched else out[0]


def _pool_views(x4, f, stride):
    """Per window cell (i, j), in row-major order: the cells it covers, (m, H_out, W_out, n_c)."""
    (n_h, n_w), (s_h, s_w) = x4.shape[1:3], stride
    h_out, w_out = output_size(n_h, f[0], 0, s_h), output_size(n_w, f[1], 0, s_w)
    if h_out < 1 or w_out < 1:
        raise ValueError(f"pool window {f[0]}×{f[1]} is larger than the {n_h}×{n_w} input: no output")
    return [x4[:, i: i + s_h * (h_out - 1) + 1: s_h, j: j + s_w * (w_out - 1) + 1: s_w]
            for i in range(f[0]) for j in range(f[1])]


def pool2d_backward(x, grad_out, f, stride=None, mode="max"):
    """Gradient of pooling with respect to its input.

    Parameters
    ----------
    x : array, (m, n_H, n_W, n_c) or (n_H, n_W, n_c)
        The pooling's input in the forward pass.
    grad_out : array, (…, n_H_out, n_W_out, n_c)
    f : int or (f_H, f_W)
    stride : int or (s_H, s_W), optional (defaults to ``f``)
    mode : {"max", "avg"}
        "max" sends each window's gradient to the cell that holds the maximum;
        when several cells tie, to the first of them in row-major order within the
        window (top row first, then left to right), so the gradient is never split
        or doubled. "avg" shares it equally among the f_H·f_W cells. Overlapping
        windows (stride < f) add their shares.

    Returns
    -------
    array like ``x``: float64 if ``x`` or ``grad_out`` is, float32 otherwise.
    """
    backend = backend_for([x])
    xp = backend.xp
    dtype = _compute_dtype(x, grad_out)
    x = backend.asarray(x).astype(dtype, copy=False)
    g = backend.asarray(grad_out).astype(dtype, copy=False)
    f = as_pair(f, "f (pool size)")
    stride = f if stride is None else as_pair(stride, "stride")
    batched = x.ndim == 4
    x4, g4 = (x, g) if batched else (x[None], g[None])
    grad = xp.zeros_like(x4)
    cells = _pool_views(x4, f, stride)
    targets = _pool_views(grad, f, stride)
    if tuple(g4.shape) != tuple(cells[0].shape):
        raise ValueError(f"grad_out must have the pooled shape {tuple(cells[0].shape)}; got {tuple(g4.shape)}")
    if mode == "avg":
        share = g4 / (f[0] * f[1])
        for target in targets:
            target += share
    elif mode == "max":
        best = pool2d_forward(x4, f, stride, "max")
        taken = xp.zeros(best.shape, bool)
        for cell, target in zip(cells, targets, strict=True):
            winner = (cell == best) & ~taken  # the first cell equal to the max wins the tie
            target += xp.where(winner, g4, 0)
            taken |= winner
    else:
        raise ValueError(f"mode must be 'max' or 'avg'; got {mode!r}")
    return grad if batched else grad[0]


def relu_backward(z, grad_out):
    """dL/dz for a = max(z, 0): ``grad_out`` where z > 0, else 0 (0 at z = 0 exactly)."""
    xp = backend_for([z]).xp
    return xp.where(xp.asarray(z) > 0, grad_out, 0).astype(_compute_dtype(z, grad_out), copy=False)


def abs_backward(z, grad_out):
    """dL/dz for a = |z|: ``grad_out·sign(z)`` (0 at z = 0 exactly)."""
    xp = backend_for([z]).xp
    return (xp.sign(xp.asarray(z)) * grad_out).astype(_compute_dtype(z, grad_out), copy=False)
