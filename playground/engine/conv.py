"""conv2d and conv2d_per_channel: cross-correlation (or true convolution) of image
stacks with filter banks, in the notes' layout.

How it is computed (the same code on NumPy and CuPy)
----------------------------------------------------
For an output row, every kernel tap (i, c, j) reads one input row of channel c,
shifted by j columns. :mod:`playground.engine.row_stack` copies the input into a
stack R[y, c, j, :] of column-shifted (and column-strided) rows. In that stack the
f_H·n_c·f_W rows feeding one output row sit at a constant distance from each
other, so a zero-copy strided view turns the convolution into one batched matrix
product, (K × f_H·n_c·f_W) @ (f_H·n_c·f_W × n_W_out) per output row, which BLAS
(or cuBLAS) runs near its peak. On the CPU the output rows go in cache-sized
chunks, split between threads, each filling and multiplying its own small stack.
The result is stored per row as (K, n_W_out) planes and returned as an
(n_H_out, n_W_out, K) view of them.

Stride-1 undilated shapes whose output is the input's size may instead run
OpenCV's filter2D per (channel, filter): :mod:`playground.engine.kernel_paths`
times both ways on a shape's first call and keeps the faster one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import buffers
from .backend import backend_for
from .kernel_paths import choose, filter2d_fits, run_filter2d
from .row_stack import chunk_rows, row_stack_for, stack_budget
from .shapes import as_pair, effective_size, output_size, resolve_padding
from .validation import check_real_array, finite_float32

__all__ = ["conv2d", "conv2d_per_channel", "conv_maps"]

_ACTIVATIONS = ("none", "relu", "abs")


@dataclass(frozen=True)
class _Plan:
    """A validated call: arrays as (m, H, W, C) / (f_H, f_W, C, K) plus geometry."""

    backend: object
    x: object          # (m, H, W, C), any real dtype, on backend.xp
    w: object          # (f_H, f_W, C, K) float32, flipped if asked
    b: object          # (K,) float32 or None
    stride: tuple
    pads: tuple        # ((top, bottom), (left, right))
    dilation: tuple
    out_hw: tuple      # (n_H_out, n_W_out)
    batched: bool
    two_d: bool


def _plan(x, w, b, stride, padding, dilation, flip) -> _Plan:
    # x decides where the work runs (the result lives where x lives); w and b follow
    backend = backend_for([x])
    xp = backend.xp
    x = backend.asarray(x)
    w = backend.asarray(w)
    check_real_array(x, "x", (2, 3, 4))
    check_real_array(w, "w", (2, 4))
    two_d = x.ndim == 2
    if w.ndim == 2:
        if not two_d:
            raise ValueError(
                f"w must be (f_H, f_W, n_c, K) for an input with channels; "
                f"got 2-D w {tuple(w.shape)} with x {tuple(x.shape)}"
            )
        w = w[:, :, None, None]
    elif two_d and w.shape[2] != 1:
        raise ValueError(f"w has {w.shape[2]} input channels but a 2-D x has 1")
    if two_d:
        x = x[:, :, None]
    batched = x.ndim == 4
    if not batched:
        x = x[None]
    n_c = x.shape[3]
    if w.shape[2] != n_c:
        raise ValueError(f"w has {w.shape[2]} input channels but x has {n_c}")
    w = finite_float32(xp, w, "w (kernel weights)")
    if flip:  # true convolution: rotate each kernel by 180° (notes: "flipping the filter")
        w = w[::-1, ::-1]
    if b is not None:
        b = backend.asarray(b)
        if b.shape != (w.shape[3],):
            raise ValueError(f"b must have shape ({w.shape[3]},), one bias per filter; got {tuple(b.shape)}")
        b = finite_float32(xp, b, "b (bias)")
    stride = as_pair(stride, "stride")
    dilation = as_pair(dilation, "dilation")
    size = (x.shape[1], x.shape[2])
    kernel = (w.shape[0], w.shape[1])
    pads = resolve_padding(padding, size, kernel, stride, dilation)
    out_hw = []
    for n, f, (p0, p1), s, d in zip(size, kernel, pads, stride, dilation, strict=True):
        if effective_size(f, d) > n + p0 + p1:
            break
        out_hw.append(output_size(n, f, (p0, p1), s, d))
    if len(out_hw) < 2:
        f_eff = tuple(effective_size(f, d) for f, d in zip(kernel, dilation, strict=True))
        padded = tuple(n + p0 + p1 for n, (p0, p1) in zip(size, pads, strict=True))
        what = "dilated kernel" if dilation != (1, 1) else "kernel"
        raise ValueError(
            f"{what} {f_eff[0]}×{f_eff[1]} is larger than the padded input {padded[0]}×{padded[1]} "
            f"(input {size[0]}×{size[1]}, padding {pads}): no output"
        )
    return _Plan(backend, x, w, b, stride, pads, dilation, tuple(out_hw), batched, two_d)


def _finish(plan: _Plan, planar, per_channel: bool):
    """Planar result → the public (…, n_H, n_W[, n_c], K) view, unbatched if needed."""
    if per_channel:
        result = planar.transpose(0, 1, 4, 2, 3)  # (m, H, C, K, W) → (m, H, W, C, K)
    else:
        result = planar.transpose(0, 1, 3, 2)     # (m, H, K, W) → (m, H, W, K)
    if not plan.batched:
        result = result[0]
    if plan.two_d and not per_channel:
        result = result[..., 0]
    return result


def conv_maps(x, w, b=None, *, stride=1, padding="valid", dilation=1, flip=False, per_channel=True,
              activation="none", rows_done=None, row_multiple=1):
    """Per-filter maps and (optionally) per-channel contributions in one pass.

    The per-filter map is the per-channel contributions summed plus the bias, so
    when both are wanted (the app shows both) the products are computed once.

    Parameters
    ----------
    x, w, b, stride, padding, dilation, flip
        As for :func:`conv2d`.
    per_channel : bool
        Also return the per-channel contributions (default True).
    activation : {"none", "relu", "abs"}
        Applied to the maps (not the contributions) in the same pass, while each
        band of rows is still in cache: a separate pass over a 640×480×8 layer's
        maps cost 1.9 ms on a 2-core Zen 3, most of it memory traffic.
    rows_done : callable, optional
        ``rows_done(first, last, rows)`` is called with each finished band of maps,
        ``rows`` float32 (last − first, K, n_W_out) (the planar buffer's rows, after the
        bias and ``activation``), while it is still in cache; bands are disjoint, may
        come from several threads at once, and together cover every row (a path that
        fills the maps at once hands them over as one band; while the fastest path for a
        new shape is measured, the same rows come more than once, so a callback must
        overwrite, not accumulate). ``x`` must be unbatched.
        Pooling uses it (:func:`~playground.engine.layer.run_layer`).
    row_multiple : int
        Every band but the last starts and ends at a multiple of this many rows.

    Returns
    -------
    maps : array, float32, (…, n_H_out, n_W_out, K)
        After the bias and ``activation``.
    contributions : array, float32, (…, n_H_out, n_W_out, n_c, K), or None
        None when ``per_channel`` is False.
    """
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(_ACTIVATIONS)}; got {activation!r}")
    plan = _plan(x, w, b, stride, padding, dilation, flip)
    if rows_done is not None and plan.batched:
        raise ValueError("rows_done takes one image at a time: x must be (n_H, n_W, n_c)")
    maps, contributions = _run(plan, per_channel, activation=activation, rows_done=rows_done,
                               row_multiple=row_multiple)
    return _finish(plan, maps, False), (_finish(plan, contributions, True) if per_channel else None)


def _run(plan: _Plan, per_channel: bool, with_maps: bool = True, activation: str = "none", rows_done=None,
         row_multiple: int = 1):
    """Compute into planar buffers (``rows_done``, ``row_multiple``: see :func:`conv_maps`).

    Returns maps (m, H_out, K, W_out) or None (``with_maps=False``), and
    contributions (m, H_out, n_c, K, W_out) or None (``per_channel=False``).
    """
    backend = plan.backend
    xp = backend.xp
    m, _, _, n_c = plan.x.shape
    k = plan.w.shape[3]
    h_out, w_out = plan.out_hw
    maps = buffers.recycled(xp, (m, h_out, k, w_out)) if with_maps else None
    contributions = buffers.recycled(xp, (m, h_out, n_c, k, w_out)) if per_channel else None
    # which way is fastest depends on the machine and the shape: measured per shape
    activate = _in_place(xp, activation) if with_maps else None
    bands = {"rows_done": rows_done, "row_multiple": row_multiple}
    candidates = {"gemm": lambda: _run_gemm(plan, per_channel, with_maps, maps, contributions, activate=activate,
                                            **bands)}
    if xp is np and not per_channel and plan.dilation[0] == 1:
        candidates["gemm2"] = lambda: _run_gemm(plan, per_channel, with_maps, maps, contributions, pairs=True,
                                                activate=activate, **bands)
    if xp is np and filter2d_fits(plan.x.shape, plan.w.shape, plan.stride, plan.dilation, plan.pads, plan.out_hw):
        def filter2d():
            run_filter2d(backend, plan.x, plan.w, plan.b, plan.pads, maps, contributions, activate=activate)
            if rows_done is not None:   # whole maps at once: one band
                rows_done(0, h_out, maps[0])

        candidates["filter2d"] = filter2d
    if len(candidates) == 1:
        candidates["gemm"]()
    else:
        key = (plan.x.shape, str(plan.x.dtype), plan.w.shape, plan.stride, plan.dilation, plan.pads, per_channel,
               with_maps, plan.b is None)
        candidates[choose(key, candidates)]()
    return maps, contributions


def _in_place(xp, activation: str):
    """``activation`` as a function that applies it to an array in place (None for "none")."""
    if activation == "relu":
        return _relu_numpy if xp is np else (lambda a: xp.maximum(a, 0, out=a))
    if activation == "abs":
        return lambda a: xp.abs(a, out=a)
    return None


def _relu_numpy(a: np.ndarray) -> None:
    """ReLU in place. OpenCV's threshold to zero is vectorised for the running CPU:
    on a 2-core Zen 3 it took 13 µs for a 16×8×640 band where ``np.maximum`` took 66.
    The two agree on every number; a NaN (weights are checked finite, but inputs are
    not, and a deep layer can overflow) may come out as NaN or 0, as OpenCV's build
    decides."""
    if a.flags.c_contiguous and a.size:
        import cv2  # the CPU path only: the engine itself imports no OpenCV

        flat = a.reshape(-1, a.shape[-1])
        cv2.threshold(flat, 0.0, 0.0, cv2.THRESH_TOZERO, dst=flat)
    else:
        np.maximum(a, 0, out=a)


def _run_gemm(plan: _Plan, per_channel: bool, with_maps: bool, maps, contributions, pairs: bool = False,
              activate=None, rows_done=None, row_multiple: int = 1) -> None:
    """The row-stack GEMMs (see the module notes) into the planar buffers.

    ``pairs``: two output rows per GEMM (per-filter maps, d_H = 1), a (2K × (f_H + s_H)·n_c·f_W)
    weight block over :meth:`RowStack.pair_taps`: for K = 8 the 8-row blocks half-filled
    the CPU's GEMM kernel (measured 21 vs 42 GFLOP/s with f = 5 here).
    """
    backend = plan.backend
    xp = backend.xp
    m, _, _, n_c = plan.x.shape
    f_h, f_w, _, k = plan.w.shape
    h_out, w_out = plan.out_hw
    bias = plan.b[:, None] if plan.b is not None else None
    if per_channel:
        # (K, f_H·f_W) per channel: rows ordered (i, j) like the stack's view
        weights = [xp.ascontiguousarray(plan.w[:, :, c, :].transpose(2, 0, 1).reshape(k, -1)) for c in range(n_c)]
    else:
        # (K, f_H·n_c·f_W): rows ordered (i, c, j)
        weights = xp.ascontiguousarray(plan.w.transpose(3, 0, 2, 1).reshape(k, -1))
        if pairs:
            # rows 2p and 2p + 1: the kernel, and the kernel s_H stack rows further on
            row_taps = n_c * f_w
            shift = plan.stride[0] * row_taps
            paired = xp.zeros((2 * k, weights.shape[1] + shift), xp.float32)
            paired[:k, :weights.shape[1]] = weights
            paired[k:, shift:] = weights
    stack_row_bytes = 4 * n_c * f_w * w_out
    chunk = chunk_rows(h_out, stack_row_bytes, plan.stride[0], plan.dilation[0], stack_budget(backend.cache_bytes),
                       backend.workers, multiple=row_multiple)
    chunks = [(first, min(h_out, first + chunk)) for first in range(0, h_out, chunk)]

    def band(first_chunk: int, last_chunk: int) -> None:
        # one stack per thread, refilled chunk after chunk while it is in cache
        stack = row_stack_for(backend, plan.x.shape[1:], (f_h, f_w), plan.stride, plan.pads, plan.dilation,
                              w_out, chunk, channel_major=per_channel)
        for image in range(m):
            out = maps[image] if with_maps else None
            for first, last in chunks[first_chunk:last_chunk]:
                stack.fill(plan.x[image], first, last - first)
                for group in stack.groups(last - first):
                    rows = group.output_rows(first)
                    if per_channel:
                        contrib = contributions[image]
                        for c in range(n_c):
                            xp.matmul(weights[c], stack.taps(group, channel=c), out=contrib[rows, c])
                        if not with_maps:
                            continue
                        # per-filter map = the channels' contributions summed (+ bias),
                        # done here while these rows are still in cache
                        xp.sum(contrib[rows], axis=1, out=out[rows])
                    elif pairs and group.count > 1:
                        both = group.count // 2 * 2
                        start = rows.start
                        xp.matmul(paired, stack.pair_taps(group),
                                  out=out[start:start + both].reshape(both // 2, 2 * k, w_out))
                        if both < group.count:  # an odd last row on its own
                            xp.matmul(weights, stack.taps(group)[both], out=out[start + both])
                    else:
                        xp.matmul(weights, stack.taps(group), out=out[rows])
                    if bias is not None:
                        out[rows] += bias
                    if activate is not None:
                        activate(out[rows])
                if rows_done is not None:
                    rows_done(first, last, out[first:last])

    backend.run_bands(len(chunks), band)


def conv2d(x, w, b=None, *, stride=1, padding="valid", dilation=1, flip=False):
    """2-D convolution layer (cross-correlation by default), as in the notes.

    Parameters
    ----------
    x : array, (n_H, n_W, n_c) or (m, n_H, n_W, n_c), or (n_H, n_W)
        Input image(s). Any real dtype; computed in float32. A 2-D ``x`` takes a
        2-D kernel and gives a 2-D result (the notes' 6×6 * 3×3 → 4×4).
    w : array, (f_H, f_W, n_c, K), or (f_H, f_W) for a 2-D ``x``
        K filters of size f_H × f_W × n_c. NaN or inf is refused.
    b : array, (K,), optional
        One bias per filter, added after the sum.
    stride : int or (s_H, s_W)
    padding : "valid", "same", int, (p_H, p_W) or ((top, bottom), (left, right))
        Zero padding. "same" keeps n_out = n for any stride (p = (n·s − n + f − s)/2,
        the odd extra row/column at the bottom/right).
    dilation : int or (d_H, d_W)
        Spacing between kernel taps; the kernel spans d·(f − 1) + 1 cells.
    flip : bool
        False: cross-correlation, what CNNs call convolution. True: the
        mathematical convolution (kernel rotated by 180°).

    Returns
    -------
    array, float32, (…, n_H_out, n_W_out, K)
        n_out = floor((n + p_before + p_after − f_eff) / s) + 1, on the same array
        module as ``x``. It may be a non-contiguous view (the engine stores each
        filter's map contiguously); use ``np.ascontiguousarray`` if you need C order.

    Raises
    ------
    ValueError
        Bad shapes, channel mismatch, kernel larger than the padded input, stride
        or dilation < 1, negative padding, NaN/inf weights.

    Examples
    --------
    >>> import numpy as np
    >>> img = np.zeros((6, 6)); img[:, :3] = 10          # bright left, dark right
    >>> edge = np.array([[1, 0, -1]] * 3)                 # vertical edge detector
    >>> conv2d(img, edge)[0]
    array([ 0., 30., 30.,  0.], dtype=float32)
    """
    plan = _plan(x, w, b, stride, padding, dilation, flip)
    maps, _ = _run(plan, per_channel=False)
    return _finish(plan, maps, False)


def conv2d_per_channel(x, w, b=None, *, stride=1, padding="valid", dilation=1, flip=False):
    """Each input channel's contribution to each filter's map.

    Same arguments as :func:`conv2d`. Summing the result over the n_c axis and
    adding ``b`` gives :func:`conv2d` (``b`` is accepted for symmetry and checked,
    but a contribution carries no bias).

    Returns
    -------
    array, float32, (…, n_H_out, n_W_out, n_c, K)
    """
    plan = _plan(x, w, b, stride, padding, dilation, flip)
    _, contributions = _run(plan, per_channel=True, with_maps=False)
    return _finish(plan, contributions, True)
