"""The live view's frame rate while the Learn panel learns, against the same window not learning.

Opens the window on a source (default: the demo, 640×480, the starting bank of
8 filters 3×3), shows the Learn dock, and measures displayed frames per second
from ``window.display_log``, alternating ``--cycles`` phases of ``--seconds``
with learning paused and learning at ``--steps-per-frame`` (default 1) with the
defaults (teacher: this network, Adam, 96×96 crops). Prints each phase's figure
and the medians, the learner's steps per second and the load average before and
after; ``--screenshot PATH`` saves the
window at the end (run under ``xvfb-run`` to see what a screen shows, or
offscreen).

Usage: python benchmarks/bench_learn_live.py [--seconds S] [--cycles C] [--source SPEC] [--steps-per-frame N]
       [--teacher TEXT] [--screenshot PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the app does
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def fps_over(app, window, seconds: float) -> float:
    """Frames displayed per second over the next ``seconds`` (events processed meanwhile)."""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        app.processEvents()
        time.sleep(0.002)
    times = [entry[0] for entry in window.display_log if entry[0] >= start]
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) >= 2 else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--cycles", type=int, default=3, help="not learning / learning phases, alternated")
    parser.add_argument("--source", default="demo")
    parser.add_argument("--steps-per-frame", type=int, default=1)
    parser.add_argument("--teacher", default="This network (live)")
    parser.add_argument("--screenshot", metavar="PATH")
    args = parser.parse_args()

    from PySide6 import QtCore, QtWidgets

    from playground.engine import set_backend
    from playground.sources import open_source
    from playground.ui.learn_panel import attach_learn_panel
    from playground.ui.main_window import MainWindow
    from playground.ui.theme import apply_dark_theme

    set_backend("numpy")
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    apply_dark_theme(app)
    settings = QtCore.QSettings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "bench_learn_live.ini"),
                                QtCore.QSettings.Format.IniFormat)
    window = MainWindow(open_source(args.source), settings=settings)
    window.display_log = type(window.display_log)(maxlen=100_000)
    window.resize(1600, 900)
    dock = attach_learn_panel(window)
    dock.show()
    panel = dock.panel
    window.show()
    box = panel.teacher_box
    box.setCurrentIndex(box.findText(args.teacher))
    box.activated.emit(box.currentIndex())
    panel.spf_box.setValue(args.steps_per_frame)
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} ({os.cpu_count()} CPUs)")
    fps_over(app, window, 2.0)   # warm-up
    while panel.latest is None:  # the run's first update (step 0) is on screen
        fps_over(app, window, 0.1)
    idle, learning, rates = [], [], []
    # alternate the two phases: other programs' load drifts, and both should see the same drift
    for _ in range(args.cycles):
        idle.append(fps_over(app, window, args.seconds))
        panel.play_button.click()
        fps_over(app, window, 0.5)
        steps_before, started = panel.latest.steps, time.perf_counter()
        learning.append(fps_over(app, window, args.seconds))
        rates.append((panel.latest.steps - steps_before) / (time.perf_counter() - started))
        panel.play_button.click()
        fps_over(app, window, 0.5)
    print("live view FPS not learning: " + " ".join(f"{v:.1f}" for v in idle)
          + f" (median {statistics.median(idle):.1f})")
    print("live view FPS learning:     " + " ".join(f"{v:.1f}" for v in learning)
          + f" (median {statistics.median(learning):.1f}; {args.steps_per_frame} step/frame, "
          f"median {statistics.median(rates):.1f} steps/s; after {panel.latest.steps} steps loss "
          f"{panel.latest.loss:.3g}, distance {panel.latest.distance * 100:.1f} %)")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.screenshot:
        fps_over(app, window, 0.3)
        window.grab().save(args.screenshot)
        print(f"screenshot: {args.screenshot}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
