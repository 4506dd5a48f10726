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
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.engine import asnumpy, conv2d, conv_maps, pool2d, set_backend  # noqa: E402


def median_ms(fn, runs: int, sync=lambda: None) -> float:
    fn(); fn(); sync()  # warm-up: caches, buffers, thread pool, BLAS
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
    print(f"{'case':<44}{'engine ms':>11}{'ref ms':>10}{'ratio':>8}")

    rng = np.random.default_rng(0)
    sizes = [(480, 640)] if args.quick else [(480, 640), (720, 1280)]
    rows = []
    for h, w_ in sizes:
        frame = rng.random((h, w_, 3), dtype=np.float32)
        frame_dev = xp.asarray(frame)
        cases = [(8, 3, 1), (8, 3, 2), (32, 3, 1)] if args.quick else [
            (k, f, s) for k in (1, 8, 32) for f in (3, 5, 7) for s in (1, 2)]
        for k, f, s in cases:
            w = rng.standard_normal((f, f, 3, k)).astype(np.float32)
            w_dev = xp.asarray(w)
            check_same(conv2d(frame_dev, w_dev, stride=s, padding=f // 2), numpy_taps_conv(frame, w, s))
            ms = median_ms(lambda: conv2d(frame_dev, w_dev, stride=s, padding=f // 2), args.runs, sync)
            if gpu:
                set_backend("numpy")
                ref_ms = median_ms(lambda: conv2d(frame, w, stride=s, padding=f // 2), max(5, args.runs // 4))
                set_backend("cupy")
            else:
                ref_ms = median_ms(ref.conv(frame, w, s), args.runs)
            rows.append((f"{w_}×{h} conv K={k:<2} f={f} stride {s}", ms, ref_ms))
            print(f"{rows[-1][0]:<44}{ms:>11.2f}{ref_ms:>10.2f}{ms / ref_ms:>8.2f}", flush=True)
        # per-channel maps of the W8 bank: (n_H, n_W, 3, 8) = 24 maps, plus the 8 sums
        w = rng.standard_normal((3, 3, 3, 8)).astype(np.float32)
        w_dev = xp.asarray(w)
        maps, parts = conv_maps(frame_dev, w_dev, padding="same", per_channel=True)
        check_same(maps, numpy_taps_conv(frame, w, 1))
        check_same(asnumpy(parts).sum(axis=2), numpy_taps_conv(frame, w, 1))
        ms = median_ms(lambda: conv_maps(frame_dev, w_dev, padding="same", per_channel=True), args.runs, sync)
        grouped = None if gpu else ref.conv(frame, w, 1, groups=True)
        ref_ms = median_ms(grouped, args.runs) if grouped else float("nan")
        rows.append((f"{w_}×{h} per-channel K=8 f=3 (24 maps + 8 sums)", ms, ref_ms))
        print(f"{rows[-1][0]:<44}{ms:>11.2f}{ref_ms:>10.2f}{ms / ref_ms:>8.2f}", flush=True)
        # 2×2 max pool of 8 maps as conv2d returns them
        maps = conv2d(frame_dev, w_dev, padding="same")
        host_maps = asnumpy(maps)
        check_same(pool2d(maps, 2), host_maps.reshape(h // 2, 2, w_ // 2, 2, -1).max(axis=(1, 3)))
        ms = median_ms(lambda: pool2d(maps, 2), args.runs, sync)
        ref_ms = float("nan") if gpu else median_ms(ref.pool(np.ascontiguousarray(maps), 2), args.runs)
        rows.append((f"{w_}×{h} max pool 2×2 of {w_}×{h}×8", ms, ref_ms))
        print(f"{rows[-1][0]:<44}{ms:>11.2f}{ref_ms:>10.2f}{ms / ref_ms:>8.2f}", flush=True)
    ratios = [ms / r for _, ms, r in rows if r == r]
    label = "gpu_over_cpu" if gpu else "ratio"
    print(f"summary: rows={len(rows)} median_{label}={statistics.median(ratios):.2f} worst_{label}={max(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
