"""The app's frame pipeline next to a short OpenCV script doing the same visible work.

Run:  python benchmarks/bench_sidebyside.py [--frames 60] [--rounds 3] [--size 640x480]

The script is what someone would write with OpenCV for the default view (the
starting bank of 8 filters 3×3×3, "same" padding, per-filter maps at 1/4 and
per-channel maps at 1/8): ``cv2.filter2D`` per (channel, filter) with zero
borders, straight into one side-by-side buffer per view; the per-filter maps as
the channels' sums plus the bias; levels as the 99th percentile of |value| of a
every-4th-pixel sample; one ``cv2.resize`` (area) per view; 8-bit tiles with
``cv2.convertScaleAbs``. ``FrameProcessor.process`` does that work and a bit more
(smoothed levels, noise floors, the 8-bit input picture, mosaics with gaps).

Both run on the same demo frames, interleaved call by call in this process (the
order alternates), so machine load hits both alike. Printed: median ms per frame
with the 10th-90th percentile range, CPU ms, and the ratio app / script (below
1: the app is faster).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the app does (playground/cli.py)

import cv2  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.live.processor import FrameProcessor  # noqa: E402
from playground.live.snapshot import Snapshot, ViewSettings  # noqa: E402
from playground.sources.demo import demo_frame  # noqa: E402

# the scales the window picks at 1600×1000 for these views (as bench_live.py)
VIEW = ViewSettings(fits=(("filters", 0.25, 1.3), ("channels", 0.125, 1.9)))


class OpenCVScript:
    """The same visible work with OpenCV calls, buffers allocated once."""

    def __init__(self, shape, weights: np.ndarray, biases: np.ndarray):
        h, w, n_c = shape
        f, _, _, k = weights.shape
        self.kernels = [[np.ascontiguousarray(weights[:, :, c, i]) for i in range(k)] for c in range(n_c)]
        self.biases = [float(b) for b in biases]
        self.size = (h, w, n_c, k)
        self.channels = np.empty((h, n_c * k * w), np.float32)   # maps side by side: one resize per view
        self.filters = np.empty((h, k * w), np.float32)
        self.small_channels = np.empty((h // 8, n_c * k * (w // 8)), np.float32)
        self.small_filters = np.empty((h // 4, k * (w // 4)), np.float32)
        self.tiles_channels = np.empty(self.small_channels.shape, np.uint8)
        self.tiles_filters = np.empty(self.small_filters.shape, np.uint8)

    def __call__(self, frame: np.ndarray) -> None:
        h, w, n_c, k = self.size
        planes = cv2.split(frame)
        for c in range(n_c):
            for i in range(k):
                cell = (c * k + i) * w
                cv2.filter2D(planes[c], -1, self.kernels[c][i], dst=self.channels[:, cell:cell + w],
                             borderType=cv2.BORDER_CONSTANT)
        for i in range(k):
            out = self.filters[:, i * w:(i + 1) * w]
            cv2.add(self.channels[:, i * w:(i + 1) * w], self.channels[:, (k + i) * w:(k + i + 1) * w], dst=out)
            for c in range(2, n_c):
                cv2.add(out, self.channels[:, (c * k + i) * w:(c * k + i + 1) * w], dst=out)
            cv2.add(out, self.biases[i], dst=out)
        self._view(self.filters, k, w, 4, self.small_filters, self.tiles_filters)
        self._view(self.channels, n_c * k, w, 8, self.small_channels, self.tiles_channels)

    @staticmethod
    def _view(wide, n, w, factor, small, tiles) -> None:
        sample = np.abs(wide[::4, ::4]).reshape(wide.shape[0] // 4 + (wide.shape[0] % 4 > 0), n, -1)
        tops = np.percentile(sample.transpose(1, 0, 2).reshape(n, -1), 99.0, axis=1)
        cv2.resize(wide, (small.shape[1], small.shape[0]), dst=small, interpolation=cv2.INTER_AREA)
        tw = w // factor
        for i, top in enumerate(tops):
            top = top if top > 0 else 1.0
            cv2.convertScaleAbs(small[:, i * tw:(i + 1) * tw], dst=tiles[:, i * tw:(i + 1) * tw],
                                alpha=127.5 / top, beta=127.5)


def _spread(values: list[float]) -> str:
    ordered = sorted(values)
    low, high = ordered[len(ordered) // 10], ordered[(len(ordered) * 9) // 10]
    return f"{statistics.median(ordered):6.2f} ms ({low:.2f}-{high:.2f})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60, help="frames per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", default="640x480", help="WxH of the demo frames")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))

    snapshot = Snapshot(view=VIEW)
    bank = snapshot.bank
    frames = [demo_frame(height, width, t / 30.0) for t in range(30)]
    script = OpenCVScript(frames[0].shape, bank.weights(), bank.biases())
    processor = FrameProcessor()
    for frame in frames[:5]:  # warm-up: buffers, caches, thread pool
        processor.process(frame, snapshot)
        script(frame)
    print(f"{width}×{height} demo, {len(bank.active)} filters {bank.weights().shape[0]}×{bank.weights().shape[0]}, "
          f"filters 1/4 + channels 1/8; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    ratios = []
    for round_ in range(args.rounds):
        wall = {"app": [], "script": []}
        cpu = {"app": [], "script": []}
        for n in range(args.frames):
            frame = frames[n % len(frames)]
            jobs = [("app", lambda f=frame: processor.process(f, snapshot)), ("script", lambda f=frame: script(f))]
            for name, job in (jobs if n % 2 else jobs[::-1]):
                c0, t0 = time.process_time(), time.perf_counter()
                job()
                wall[name].append((time.perf_counter() - t0) * 1e3)
                cpu[name].append((time.process_time() - c0) * 1e3)
        ratio = statistics.median(wall["app"]) / statistics.median(wall["script"])
        ratios.append(ratio)
        print(f"round {round_ + 1}: app process() {_spread(wall['app'])}, cpu {statistics.median(cpu['app']):.2f} ms"
              f" | OpenCV script {_spread(wall['script'])}, cpu {statistics.median(cpu['script']):.2f} ms"
              f" | ratio app/script {ratio:.2f}")
    print(f"summary: ratio app/script median {statistics.median(ratios):.2f} "
          f"(rounds {min(ratios):.2f}-{max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
