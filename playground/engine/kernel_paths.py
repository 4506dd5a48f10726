"""A second way to compute a convolution on the CPU, and the choice between the two per shape.

The row-stack GEMMs (:mod:`playground.engine.conv`) hand BLAS small matrices: a K × f·f·n_c
weight block times one output row. How fast that runs depends on the BLAS build and
the CPU: with AVX-512 these ran near peak; on an AVX2-only machine OpenBLAS had no
small-matrix path and they ran at 8-11 GFLOP/s. OpenCV's ``filter2D`` (one 2-D
kernel over one plane, vectorised for the running CPU) is the other way, for
stride 1, no dilation, and an output the size of the input (zero padding that
fits inside the kernel, e.g. "same"): per (channel, filter) one ``filter2D``
straight into the engine's planar buffers, then the channel sums plus the bias.

Which one wins depends on the machine and the shape (K, f, n_c, the frame size),
so it is measured, not assumed: the first call of each shape times the paths that
apply (also the GEMMs with two output rows per call, see
:meth:`~playground.engine.row_stack.RowStack.pair_taps`), interleaved, for a small
budget, and the fastest is kept for that shape for the rest of the process
(:func:`choose`).
"""

from __future__ import annotations

import threading
import time

import numpy as np

from . import buffers

__all__ = ["PATHS", "WAYS", "filter2d_fits", "run_filter2d", "choose", "fastest", "decided", "chosen", "forced_path"]

# OpenCV switches filter2D to a DFT at 50 kernel cells or more (130 with SSE3): other
# rounding, and a different cost. Direct kernels only.
_MAX_KERNEL_CELLS = 49
# Time spent choosing per new shape: at least two runs of each path, more while
# both together stay under this.
_BUDGET_S = 0.15
_MAX_RUNS = 5

_choices: dict[tuple, str] = {}
_choices_lock = threading.Lock()
_forced: tuple[str, ...] | None = None


PATHS = ("gemm", "gemm2", "filter2d")
# the ways other choices offer: level samples' windows read cell by cell or as patches,
# and all at once or in bands (playground.render.pixel_values); tiles from the taps' block
# means or by one strided convolution (playground.live.shown, and the overview's tiles in
# playground.live.network_frame)
WAYS = PATHS + ("cells", "patches", "whole", "bands", "taps", "conv")


def forced_path(*paths: str | None) -> None:
    """Use these paths wherever one of them is offered (tests, benchmarks); None: measure.

    "gemm": one output row per GEMM; "gemm2": two rows per GEMM (per-filter maps,
    no vertical dilation); "filter2d": see :func:`filter2d_fits`; the others: see
    ``WAYS``. A choice that offers none of them is still measured.
    """
    global _forced
    if paths in ((), (None,)):
        _forced = None
        return
    unknown = [p for p in paths if p not in WAYS]
    if unknown:
        raise ValueError(f"paths must be None or among {', '.join(WAYS)}; got {unknown[0]!r}")
    _forced = paths


def filter2d_fits(x_shape, w_shape, stride, dilation, pads, out_hw) -> bool:
    """Whether ``filter2D`` computes exactly this convolution.

    Parameters
    ----------
    x_shape : (m, n_H, n_W, n_c)
    w_shape : (f_H, f_W, n_c, K)
    stride, dilation : (H, W) pairs
    pads : ((top, bottom), (left, right))
    out_hw : (n_H_out, n_W_out)
    """
    (top, _), (left, _) = pads
    f_h, f_w = w_shape[:2]
    return (stride == (1, 1) and dilation == (1, 1) and tuple(out_hw) == tuple(x_shape[1:3])
            and 0 <= top < f_h and 0 <= left < f_w and f_h * f_w <= _MAX_KERNEL_CELLS)


def run_filter2d(backend, x, w, b, pads, maps, contributions, activate=None) -> None:
    """Fill the engine's planar buffers with ``filter2D`` (see :func:`filter2d_fits`).

    Parameters
    ----------
    backend : the CPU backend (its thread bands split the filters)
    x : numpy.ndarray (m, n_H, n_W, n_c), any real dtype
    w : numpy.ndarray float32 (f_H, f_W, n_c, K), already flipped for true convolution
    b : numpy.ndarray float32 (K,) or None
    pads : ((top, bottom), (left, right))
    maps : numpy.ndarray (m, n_H, K, n_W) or None
    contributions : numpy.ndarray (m, n_H, n_c, K, n_W) or None
    activate : callable or None
        Applied in place to each finished map (after the bias).
    """
    import cv2  # the CPU path only: the engine itself imports no OpenCV

    m, n_h, n_w, n_c = x.shape
    k = w.shape[3]
    # filter2D correlates with the kernel's anchor on the output pixel: anchoring it at
    # the padding before gives out[r, q] = Σ w[i, j]·x[r + i − top, q + j − left]
    anchor = (pads[1][0], pads[0][0])
    kernels = [[np.ascontiguousarray(w[:, :, c, i]) for i in range(k)] for c in range(n_c)]
    for image in range(m):
        picture = np.asarray(x[image], np.float32)
        planes = [np.ascontiguousarray(picture[:, :, c]) for c in range(n_c)]

        def band(first: int, last: int, image=image, planes=planes) -> None:
            spare = buffers.scratch(np, "filter2d:plane", (n_h, n_w))
            for i in range(first, last):
                out = maps[image, :, i, :] if maps is not None else None
                for c in range(n_c):
                    if contributions is not None:
                        target = contributions[image, :, c, i, :]
                    else:
                        target = out if c == 0 else spare
                    cv2.filter2D(planes[c], -1, kernels[c][i], dst=target, anchor=anchor,
                                 borderType=cv2.BORDER_CONSTANT)
                    if out is None:
                        continue
                    if c == 0:
                        if target is not out:
                            out[...] = target
                    else:
                        cv2.add(out, target, dst=out)
                if out is not None and b is not None:
                    out += b[i]
                if out is not None and activate is not None:
                    activate(out)

        backend.run_bands(k, band)


def choose(key: tuple, candidates: dict) -> str:
    """The fastest of ``candidates`` (name → callable) for ``key`` (a shape), measured
    on its first call.

    The callables compute the same result into the same buffers; on a new key they
    run in turn (at least twice each, the order rotating, up to a ~0.15 s budget)
    and the one with the shortest best time is remembered. The last run leaves a
    complete result in the buffers either way.

    Returns
    -------
    str
        One of the candidates' names (the first of ``forced_path``'s that is one).
    """
    for name in _forced or ():
        if name in candidates:
            return name
    choice = _choices.get(key)
    if choice in candidates:   # (a caller that offers other candidates for a key measures again)
        return choice
    names = list(candidates)
    if len(names) == 1:
        with _choices_lock:   # nothing to measure; known from now on (see decided)
            _choices[key] = names[0]
        return names[0]
    best = dict.fromkeys(names, float("inf"))
    start = time.perf_counter()
    for attempt in range(_MAX_RUNS):
        # rotate the order, so a burst of load on the machine hits all alike
        shift = attempt % len(names)
        for name in names[shift:] + names[:shift]:
            t0 = time.perf_counter()
            candidates[name]()
            best[name] = min(best[name], time.perf_counter() - t0)
        if attempt >= 1 and time.perf_counter() - start > _BUDGET_S:
            break
    choice = min(best, key=best.get)
    with _choices_lock:
        _choices[key] = choice
    return choice


def fastest(key: tuple, ways: dict):
    """The result of the fastest of ``ways`` (name → callable returning a result) for ``key``.

    Like :func:`choose`, for ways that return their results, possibly in buffers of
    their own: on a new key every way runs (see there) and the chosen one's last
    result is returned, which no other way overwrites; after that only the chosen
    way runs.
    """
    results = {}

    def keeping(name: str):
        return lambda: results.__setitem__(name, ways[name]())

    name = choose(key, {name: keeping(name) for name in ways})
    if name not in results:
        return ways[name]()
    return results[name]


def decided(key: tuple, names) -> str | None:
    """The one of ``names`` that :func:`choose` would take for ``key`` without measuring:
    the first forced one offered, else the one measured before; None while not yet known."""
    for name in _forced or ():
        if name in names:
            return name
    with _choices_lock:
        choice = _choices.get(key)
    return choice if choice in names else None


def chosen() -> dict[tuple, str]:
    """The choices made so far, per shape (a copy): for benchmarks' reports."""
    with _choices_lock:
        return dict(_choices)
