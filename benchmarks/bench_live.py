"""Live pipeline speed: the frame processor alone, then the whole app (--benchmark) a few times.

Prints, for a 640×480 source and the starting bank (8 filters 3×3, per-filter and
per-channel views both drawn):

* processor: ``FrameProcessor.process`` ms per frame (median, 10th-90th percentile)
  and its parts: computing what is shown (tiles, levels' samples, any full-size
  maps) and drawing (levels + mosaics), timed in this process without Qt;
* app: the summary line of ``python main.py --benchmark N`` for each run and the
  GUI thread's ms of work per displayed frame (p50/p95, from the app's
  ``KERNEL_PLAYGROUND_BENCH_DETAIL`` line), then the medians over the runs
  (offscreen, so no display is needed).

With ``--network SPEC`` (repeatable; ``default`` is the one-layer starting bank)
each network is measured in turn, the app runs interleaved (run 1 of every network,
then run 2…) so a change in the machine's load hits them alike, and the processor
figures include each layer's engine time. ``--network 3layers`` is the issue's
3-layer network on the 640×480 demo (3→8 f3 ReLU max-pool 2, 8→16 f3 ReLU max-pool
2, 16→16 f3, "same" padding). The load average is printed with each figure.

Usage: python benchmarks/bench_live.py [--frames N] [--runs R] [--source SPEC] [--network SPEC …]
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
GUI_LINE = re.compile(r"gui_ms_p50=([\d.]+) gui_ms_p95=([\d.]+) worker_ms_p50=([\d.]+)")
NAMED = {"3layers": "480x640x3 conv:f=3,k=8,p=same,a=relu maxpool:f=2 conv:f=3,k=16,p=same,a=relu maxpool:f=2 "
                    "conv:f=3,k=16,p=same"}


def _snapshot(spec: str, view):
    from playground.kernels.spec import parse_spec
    from playground.live.snapshot import Snapshot

    if spec == "default":
        return Snapshot(view=view)
    return Snapshot(network=parse_spec(NAMED.get(spec, spec)), selected=0, view=view)


def processor_figures(source_spec: str, frames: int, network: str = "default") -> dict:
    """FrameProcessor.process on one source: medians and the 10th-90th percentile range."""
    from playground.live.processor import FrameProcessor
    from playground.live.snapshot import ViewSettings
    from playground.sources import open_source

    # the scales the window picks at 1600×1000 for these views
    view = ViewSettings(fits=(("filters", 0.25, 1.3), ("channels", 0.125, 1.9)))
    snapshot = _snapshot(network, view)
    processor = FrameProcessor()
    with open_source(source_spec) as source:
        for _ in range(5):
            processor.process(source.read(), snapshot)
        engine, draw, total, cpu, layers = [], [], [], [], []
        for _ in range(frames):
            frame = source.read()
            start, cpu_start = time.perf_counter(), time.process_time()
            result = processor.process(frame, snapshot)
            total.append((time.perf_counter() - start) * 1e3)
            cpu.append((time.process_time() - cpu_start) * 1e3)
            engine.append(result.engine_ms)
            draw.append(result.render_ms)
            layers.append(result.layer_ms)
    ordered = sorted(total)
    per_layer = [statistics.median(times[i] for times in layers) for i in range(len(layers[0]))]
    return {"engine": statistics.median(engine), "draw": statistics.median(draw), "layers": per_layer,
            "total": statistics.median(total), "p10": ordered[len(ordered) // 10],
            "p90": ordered[(len(ordered) * 9) // 10], "cpu": statistics.median(cpu)}


def app_run(source_spec: str, frames: int, network: str = "default") -> tuple[float, float, float, float, float] | None:
    """(fps, latency p50, p95, GUI ms p50, p95) of one ``main.py --benchmark`` run."""
    extra = [] if network == "default" else ["--network", NAMED.get(network, network)]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KERNEL_PLAYGROUND_BENCH_DETAIL="1")
    with tempfile.TemporaryDirectory() as folder:
        env["KERNEL_PLAYGROUND_SETTINGS"] = str(Path(folder) / "settings.ini")
        done = subprocess.run([sys.executable, str(REPO / "main.py"), "--source", source_spec,
                               "--benchmark", str(frames), *extra],
                              env=env, capture_output=True, text=True, timeout=600)
    match = LINE.search(done.stdout)
    gui = GUI_LINE.search(done.stderr)
    gui_text = (f" gui_ms_p50={gui.group(1)} gui_ms_p95={gui.group(2)} worker_ms_p50={gui.group(3)}" if gui
                else " (no GUI-thread figures)")
    print(f"  [{network}] {done.stdout.strip() or done.stderr.strip()}{gui_text if match else ''} "
          f"(load average {os.getloadavg()[0]:.2f})")
    if not match:
        return None
    gui_ms = (float(gui.group(1)), float(gui.group(2))) if gui else (float("nan"), float("nan"))
    return float(match.group(2)), float(match.group(3)), float(match.group(4)), *gui_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--source", default="demo")
    parser.add_argument("--network", action="append", metavar="SPEC",
                        help="'default', '3layers' or a SPEC; repeat to compare (default: default)")
    args = parser.parse_args()
    networks = args.network or ["default"]

    from playground.engine import get_backend

    print(f"backend: {get_backend()}; source: {args.source}; per-filter + per-channel views of layer 1")
    for network in networks:
        figures = processor_figures(args.source, min(args.frames, 100), network)
        layers = ", ".join(f"CONV{i + 1} {ms:.1f}" for i, ms in enumerate(figures["layers"]))
        print(f"[{network}] processor (no Qt), {min(args.frames, 100)} frames: process() {figures['total']:.1f} ms "
              f"per frame (p10-p90 {figures['p10']:.1f}-{figures['p90']:.1f}, CPU {figures['cpu']:.1f} ms): "
              f"computing {figures['engine']:.1f} ms ({layers} ms), drawing {figures['draw']:.1f} ms (medians); "
              f"load average {os.getloadavg()[0]:.2f}")
    print(f"app, {args.runs} runs of --benchmark {args.frames} each, interleaved:")
    results = {network: [] for network in networks}
    for _ in range(args.runs):
        for network in networks:
            run = app_run(args.source, args.frames, network)
            if run:
                results[network].append(run)
    for network, runs in results.items():
        if runs:
            fps, p50, p95, gui50, gui95 = (statistics.median(r[i] for r in runs) for i in range(5))
            print(f"[{network}] median over runs: fps={fps:.1f} latency_p50_ms={p50:.1f} latency_p95_ms={p95:.1f} "
                  f"gui_ms_p50={gui50:.1f} gui_ms_p95={gui95:.1f} (GUI-thread work per displayed frame)")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
