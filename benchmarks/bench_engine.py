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

Engine and reference calls alternate in pairs (the order flips every pair), so
load from elsewhere on the machine hits both alike; OMP_WAIT_POLICY=PASSIVE keeps
PyTorch's OpenMP workers from spinning into the engine's turn. "ratio" is the
median of the per-pair ratios, with their 10th-90th percentile range; "path" is
the CPU path the engine chose for the row's shape (GEMM or filter2D, measured on
its first call).
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
# PyTorch's OpenMP workers must sleep, not spin, between its calls: the engine's run
# comes right after each one
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.engine import asnumpy, conv2d, conv_maps, kernel_paths, pool2d, set_backend  # noqa: E402


def warm_up(fn, sync=lambda: None) -> None:
    # caches, buffers, thread pool, BLAS, the engine's per-shape path choice: at least
    # 5 calls and 0.1 s (a new geometry's first ~20 calls here ran up to 1.4× slower)
    start = time.perf_counter()
    for warm in itertools.count():
        fn()
        sync()
        if warm >= 4 and time.perf_counter() - start >= 0.1:
            break


def paired_ms(engine, reference, runs: int, sync=lambda: None) -> tuple[list[float], list[float]]:
    """ms per call of ``engine`` and ``reference`` (None: engine only), in alternating pairs."""
    engine_ms, ref_ms = [], []
    for run in range(runs):
        jobs = [(engine, engine_ms, sync)] + ([(reference, ref_ms, lambda: None)] if reference else [])
        for fn, times, done in (jobs if run % 2 == 0 else jobs[::-1]):
            t0 = time.perf_counter()
            fn()
            done()
            times.append((time.perf_counter() - t0) * 1e3)
    return engine_ms, ref_ms


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
            engine = partial(conv2d, frame_dev, w_dev, stride=s, padding=f // 2)
            reference = partial(cpu_engine_conv, frame, w, s) if gpu else ref.conv(frame, w, s)
            cases.append((f"{w_}×{h} conv K={k:<2} f={f} stride {s}", engine, reference,
                          numpy_taps_conv(frame, w, s)))
        # per-channel maps of the W8 bank: (n_H, n_W, 3, 8) = 24 maps, plus the 8 sums
        w = rng.standard_normal((3, 3, 3, 8)).astype(np.float32)
        w_dev = xp.asarray(w)
        engine = partial(conv_maps, frame_dev, w_dev, padding="same", per_channel=True)
        cases.append((f"{w_}×{h} per-channel K=8 f=3 (24 maps + 8 sums)", engine,
                      None if gpu else ref.conv(frame, w, 1, groups=True), numpy_taps_conv(frame, w, 1)))
        # 2×2 max pool of 8 maps as conv2d returns them
        maps = conv2d(frame_dev, w_dev, padding="same")
        host_maps = asnumpy(maps)
        cases.append((f"{w_}×{h} max pool 2×2 of {w_}×{h}×8", partial(pool2d, maps, 2),
                      None if gpu else ref.pool(host_maps, 2),
                      host_maps.reshape(h // 2, 2, w_ // 2, 2, -1).max(axis=(1, 3))))

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'case':<44}{'path':>9}{'engine ms':>11}{'ref ms':>10}{'ratio':>8}  ratio p10-p90")
    ratios = []
    for label, engine, reference, expected in cases:
        before = kernel_paths.chosen()
        warm_up(engine, sync)
        new = set(kernel_paths.chosen().items()) - set(before.items())
        path = next(iter(new))[1] if new else ("gemm" if "conv" in label or "channel" in label else "-")
        result = engine()
        sync()
        if "per-channel" in label:
            check_same(result[0], expected)
        else:
            check_same(result, expected)
        if reference:
            warm_up(reference)
        engine_ms, ref_ms = paired_ms(engine, reference, args.runs, sync)
        ms = statistics.median(engine_ms)
        if not ref_ms:
            print(f"{label:<44}{path:>9}{ms:>11.2f}{'':>10}{'':>8}")
            continue
        pair = sorted(e / r for e, r in zip(engine_ms, ref_ms, strict=True))
        ratio = statistics.median(pair)
        ratios.append(ratio)
        spread = f"{pair[len(pair) // 10]:.2f}-{pair[(len(pair) * 9) // 10]:.2f}"
        print(f"{label:<44}{path:>9}{ms:>11.2f}{statistics.median(ref_ms):>10.2f}{ratio:>8.2f}  {spread}")
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
