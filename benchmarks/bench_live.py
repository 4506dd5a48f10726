"""Live pipeline speed: the frame processor alone, then the whole app (--benchmark) a few times.

Prints, for a 640×480 source and the starting bank (8 filters 3×3, per-filter and
per-channel views both drawn):

* processor: median ms per frame for the engine (conv + activation + pooling) and
  for drawing (levels + mosaics), timed in this process without Qt;
* app: the summary line of ``python main.py --benchmark N`` for each run, then the
  median FPS and latency over the runs (offscreen, so no display is needed).

Usage: python benchmarks/bench_live.py [--frames N] [--runs R] [--source SPEC]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the app does

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

LINE = re.compile(r"frames=(\d+) fps=([\d.]+) latency_p50_ms=([\d.]+) latency_p95_ms=([\d.]+)")


def processor_figures(source_spec: str, frames: int) -> tuple[float, float, float]:
    """Median (engine ms, draw ms, total ms) of FrameProcessor.process on one source."""
    from playground.live.processor import FrameProcessor
    from playground.live.snapshot import Snapshot, ViewSettings
    from playground.sources import open_source

    # the scales the window picks at 1600×1000 for these views
    view = ViewSettings(fits=(("filters", 0.25, 1.3), ("channels", 0.125, 1.9)))
    snapshot = Snapshot(view=view)
    processor = FrameProcessor()
    with open_source(source_spec) as source:
        for _ in range(5):
            processor.process(source.read(), snapshot)
        engine, draw, total = [], [], []
        for _ in range(frames):
            frame = source.read()
            start = time.perf_counter()
            result = processor.process(frame, snapshot)
            total.append((time.perf_counter() - start) * 1e3)
            engine.append(result.engine_ms)
            draw.append(result.render_ms)
    return statistics.median(engine), statistics.median(draw), statistics.median(total)


def app_run(source_spec: str, frames: int) -> tuple[float, float, float] | None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with tempfile.TemporaryDirectory() as folder:
        env["KERNEL_PLAYGROUND_SETTINGS"] = str(Path(folder) / "settings.ini")
        done = subprocess.run([sys.executable, str(REPO / "main.py"), "--source", source_spec,
                               "--benchmark", str(frames)], env=env, capture_output=True, text=True, timeout=600)
    match = LINE.search(done.stdout)
    print(f"  {done.stdout.strip() or done.stderr.strip()}")
    if not match:
        return None
    return float(match.group(2)), float(match.group(3)), float(match.group(4))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--source", default="demo")
    args = parser.parse_args()

    from playground.engine import get_backend

    print(f"backend: {get_backend()}; source: {args.source}; 8 filters 3×3, per-filter + per-channel views")
    engine, draw, total = processor_figures(args.source, min(args.frames, 100))
    print(f"processor (no Qt), median of {min(args.frames, 100)}: engine {engine:.1f} ms, draw {draw:.1f} ms, "
          f"total {total:.1f} ms per frame")
    print(f"app, {args.runs} runs of --benchmark {args.frames}:")
    runs = [r for r in (app_run(args.source, args.frames) for _ in range(args.runs)) if r]
    if runs:
        fps = statistics.median(r[0] for r in runs)
        p50 = statistics.median(r[1] for r in runs)
        p95 = statistics.median(r[2] for r in runs)
        print(f"median over runs: fps={fps:.1f} latency_p50_ms={p50:.1f} latency_p95_ms={p95:.1f}")
    return 0 if runs else 1


if __name__ == "__main__":
    sys.exit(main())
