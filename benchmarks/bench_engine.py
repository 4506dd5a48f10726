"""Engine speed: ms per frame (median of N runs) for conv2d, per-channel maps and pooling.

Run:  python benchmarks/bench_engine.py [--quick] [--runs 20] [--backend numpy|cupy]

Each row times the engine on one RGB float32 frame and, in the same process, a
reference: PyTorch's CPU conv2d / pooling when PyTorch happens to be installed
(NCHW tensors, its native layout, as many threads as the engine's bands),
otherwise a plain NumPy sum-of-shifted-taps implementation. "ratio" = engine /
reference: below 1 means the engine is faster. Every row first checks that the
engine's result equals the reference's. The engine reuses its result buffers
between calls (as it does in the app's frame loop); PyTorch allocates a new
output each call. On the GPU backend the reference is the NumPy engine, and the
summary is then the GPU's time as a fraction of the CPU's.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

# As the app does (playground/cli.py): the engine's bands are the parallelism,
# BLAS threads inside them would oversubscribe the cores. Before NumPy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.engine import asnumpy, conv2d, conv_maps, pool2d, set_backend  # noqa: E402


def median_ms(fn, runs: int, sync=lambda: None) -> float:
    # Warm-up (caches, buffers, thread pool, BLAS) for at least 5 calls and 0.1 s: a
    # new geometry's first ~20 calls here ran up to 1.4× slower than the later ones.
    start = time.perf_counter()
    for warm in itertools.count():
        fn()
        sync()
        if warm >= 4 and time.perf_counter() - start >= 0.1:
            break
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def check_same(got, expected) -> None:
    """Stop the benchmark if the engine's answer is wrong: a fast wrong result is no result."""
    got = asnumpy(got)
    scale = max(1.0, float(np.abs(expected).max()))
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-4, atol=1e-4 * scale):
        raise SystemExit(f"engine result differs from the reference: shapes {got.shape} vs {expected.shape}")


def numpy_taps_conv(x, w, stride):
    """Plain NumPy reference: pad, then sum each tap's shifted slice times its weight."""
    f_h, f_w, n_c, k = w.shape
    p_h, p_w = f_h // 2, f_w // 2
    xp_ = np.pad(x, ((p_h, f_h - 1 - p_h), (p_w, f_w - 1 - p_w), (0, 0)))
    h_out = (x.shape[0] - 1) // stride + 1
    w_out = (x.shape[1] - 1) // stride + 1
    out = np.zeros((h_out, w_out, k), np.float32)
    for i in range(f_h):
        for j in range(f_w):
            patch = xp_[i: i + stride * (h_out - 1) + 1: stride, j: j + stride * (w_out - 1) + 1: stride]
            out += patch @ w[i, j]
    return out


class Reference:
    """PyTorch if importable, else plain NumPy; the same frame and weights."""

    def __init__(self, threads: int):
        try:
            import torch
            import torch.nn.functional as F
            torch.set_num_threads(threads)
            self.torch, self.F = torch, F
            self.name = f"PyTorch {torch.__version__.split('+')[0]} CPU"
        except ImportError:
            self.torch = None
            self.name = "NumPy taps"

    def conv(self, x, w, stride, groups=False):
        if self.torch is None:
            if groups:
                return None
            return lambda: numpy_taps_conv(x, w, stride)
        t, F = self.torch, self.F
        xt = t.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)[None]))
        f_h, f_w, n_c, k = w.shape
        if groups:  # each input channel's contribution = a grouped conv with n_c·K outputs
            wt = t.from_numpy(np.ascontiguousarray(w.transpose(2, 3, 0, 1).reshape(n_c * k, 1, f_h, f_w)))
            return lambda: F.conv2d(xt, wt, stride=stride, padding=f_h // 2, groups=n_c)
        wt = t.from_numpy(np.ascontiguousarray(w.transpose(3, 2, 0, 1)))
        return lambda: F.conv2d(xt, wt, stride=stride, padding=f_h // 2)

    def pool(self, maps, f):
        if self.torch is None:
            return lambda: maps.reshape(maps.shape[0] // f, f, maps.shape[1] // f, f, -1).max(axis=(1, 3))
        mt = self.torch.from_numpy(np.ascontiguousarray(maps.transpose(2, 0, 1)[None]))
        return lambda: self.F.max_pool2d(mt, f)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the rows of the issue's target table")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--backend", default="numpy", choices=("numpy", "cupy"))
    args = parser.parse_args(argv)
    info = set_backend(args.backend)
    gpu = info.name == "cupy"
    xp = np
    sync = lambda: None  # noqa: E731
    if gpu:
        import cupy as xp  # noqa: F811
        sync = xp.cuda.Device().synchronize
    import playground.engine.backend as engine_backend

    threads = engine_backend._cpu_backend("numpy").workers  # the engine's CPU bands
    ref = Reference(threads) if not gpu else None
    ref_name = f"{ref.name} ({threads} threads)" if ref else "NumPy engine (CPU)"
    print(f"engine backend: {info}; reference: {ref_name}; median of {args.runs} runs; "
          "float32 RGB frame, zero padding p = f//2")

    # Build every case first, then time all engine rows, then all reference rows:
    # PyTorch's OpenMP workers keep spinning for a while after each call, and would
    # steal the cores from an engine row timed right after a PyTorch row.
    rng = np.random.default_rng(0)
    sizes = [(480, 640)] if args.quick else [(480, 640), (720, 1280)]
    cases = []  # (label, engine callable, reference callable or None)
    for h, w_ in sizes:
        frame = rng.random((h, w_, 3), dtype=np.float32)
        frame_dev = xp.asarray(frame)
        convs = [(8, 3, 1), (8, 3, 2), (32, 3, 1)] if args.quick else [
            (k, f, s) for k in (1, 8, 32) for f in (3, 5, 7) for s in (1, 2)]
        for k, f, s in convs:
            w = rng.standard_normal((f, f, 3, k)).astype(np.float32)
            w_dev = xp.asarray(w)
            check_same(conv2d(frame_dev, w_dev, stride=s, padding=f // 2), numpy_taps_conv(frame, w, s))
            engine = partial(conv2d, frame_dev, w_dev, stride=s, padding=f // 2)
            reference = partial(cpu_engine_conv, frame, w, s) if gpu else ref.conv(frame, w, s)
            cases.append((f"{w_}×{h} conv K={k:<2} f={f} stride {s}", engine, reference))
        # per-channel maps of the W8 bank: (n_H, n_W, 3, 8) = 24 maps, plus the 8 sums
        w = rng.standard_normal((3, 3, 3, 8)).astype(np.float32)
        w_dev = xp.asarray(w)
        maps, parts = conv_maps(frame_dev, w_dev, padding="same", per_channel=True)
        check_same(maps, numpy_taps_conv(frame, w, 1))
        check_same(asnumpy(parts).sum(axis=2), numpy_taps_conv(frame, w, 1))
        engine = partial(conv_maps, frame_dev, w_dev, padding="same", per_channel=True)
        cases.append((f"{w_}×{h} per-channel K=8 f=3 (24 maps + 8 sums)", engine,
                      None if gpu else ref.conv(frame, w, 1, groups=True)))
        # 2×2 max pool of 8 maps as conv2d returns them
        maps = conv2d(frame_dev, w_dev, padding="same")
        host_maps = asnumpy(maps)
        check_same(pool2d(maps, 2), host_maps.reshape(h // 2, 2, w_ // 2, 2, -1).max(axis=(1, 3)))
        cases.append((f"{w_}×{h} max pool 2×2 of {w_}×{h}×8", partial(pool2d, maps, 2),
                      None if gpu else ref.pool(host_maps, 2)))

    engine_ms = [median_ms(engine, args.runs, sync) for _, engine, _ in cases]
    ref_ms = [median_ms(reference, args.runs) if reference else float("nan") for _, _, reference in cases]

    print(f"{'case':<44}{'engine ms':>11}{'ref ms':>10}{'ratio':>8}")
    for (label, _, _), ms, r in zip(cases, engine_ms, ref_ms, strict=True):
        print(f"{label:<44}{ms:>11.2f}{r:>10.2f}{ms / r:>8.2f}")
    ratios = [ms / r for ms, r in zip(engine_ms, ref_ms, strict=True) if r == r]
    label = "gpu_over_cpu" if gpu else "ratio"
    print(f"summary: rows={len(cases)} median_{label}={statistics.median(ratios):.2f} worst_{label}={max(ratios):.2f}")
    return 0


def cpu_engine_conv(frame, w, stride):
    """The NumPy engine on the same frame: the GPU rows' reference."""
    set_backend("numpy")
    try:
        return conv2d(frame, w, stride=stride, padding=w.shape[0] // 2)
    finally:
        set_backend("cupy")


if __name__ == "__main__":
    raise SystemExit(main())
