"""The app from the command line: --screenshot, --benchmark, --source, remembered settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")
cv2 = pytest.importorskip("cv2")

pytestmark = pytest.mark.qt

REPO = Path(__file__).resolve().parents[2]


def run_app(*args, tmp_path, timeout=180):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               KERNEL_PLAYGROUND_SETTINGS=str(tmp_path / "settings.ini"))
    return subprocess.run([sys.executable, "main.py", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_screenshot_renders_the_live_window(tmp_path):
    shot = tmp_path / "shot.png"
    result = run_app("--screenshot", str(shot), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    image = cv2.imread(str(shot))
    assert image is not None, "the screenshot is not a readable PNG"
    height, width = image.shape[:2]
    assert (height, width) == (1000, 1600)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 200, "the screenshot is (nearly) flat"


def test_benchmark_prints_one_summary_line(tmp_path):
    result = run_app("--benchmark", "12", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    match = re.fullmatch(r"frames=(\d+) fps=([\d.]+) latency_p50_ms=([\d.]+) latency_p95_ms=([\d.]+)", lines[0])
    assert match, lines[0]
    frames, fps, p50, p95 = (float(v) for v in match.groups())
    assert frames == 12
    assert fps > 0 and 0 < p50 <= p95


def test_benchmark_on_an_image_source(tmp_path):
    path = tmp_path / "tiny.png"
    cv2.imwrite(str(path), np.full((40, 50, 3), 90, np.uint8))
    result = run_app("--source", str(path), "--benchmark", "5", tmp_path=tmp_path)
    # a still image is re-read as a stream for the benchmark
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("frames=5 ")


@pytest.mark.parametrize("spec", ["no/such/file.png", "webcam:x", "sample:nothing-like-this"])
def test_a_source_that_cannot_open_is_a_one_line_error(tmp_path, spec):
    result = run_app("--source", spec, "--screenshot", str(tmp_path / "s.png"), tmp_path=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kernel-playground: error:"), result.stderr


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_benchmark_needs_a_positive_frame_count(tmp_path, value):
    result = run_app("--benchmark", value, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "--benchmark" in result.stderr


def test_screenshot_of_a_still_image_does_not_wait_for_frames_that_never_come(tmp_path):
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), np.full((40, 50, 3), 120, np.uint8))
    shot = tmp_path / "shot.png"
    # the still image is re-read as a stream for the one-shot run; a hang would hit the timeout
    result = run_app("--source", str(path), "--screenshot", str(shot), tmp_path=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert cv2.imread(str(shot)) is not None


def test_ctrl_c_ends_the_app_with_130_and_no_traceback(tmp_path):
    import signal
    import time

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KERNEL_PLAYGROUND_SETTINGS=str(tmp_path / "s.ini"))
    process = subprocess.Popen([sys.executable, "main.py", "--benchmark", "1000000"], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(4)  # let the window start and frames flow
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr


def test_ctrl_c_while_the_window_is_built_ends_the_run_with_130(qapp, tmp_path, monkeypatch):
    """The Ctrl+C handler is in place before the window is built: a KeyboardInterrupt raised
    inside a Qt callback there would be swallowed by Qt, and a benchmark would run on."""
    import signal

    from playground.ui import app as app_module

    built = []
    real_open_window = app_module.open_window

    def open_window_then_ctrl_c(**kwargs):
        window = real_open_window(**kwargs)
        built.append(window)
        os.kill(os.getpid(), signal.SIGINT)  # handled at the next bytecode, still inside the build
        return window

    monkeypatch.setattr(app_module, "open_window", open_window_then_ctrl_c)
    before = signal.getsignal(signal.SIGINT)  # SIG_IGN when the tests run in the background
    code = app_module.run(benchmark=1_000_000, source="demo", settings_path=str(tmp_path / "s.ini"))
    assert code == 130
    assert built and not built[0].runner.running
    assert signal.getsignal(signal.SIGINT) is before  # the handler is put back


def test_ctrl_c_keeps_the_settings_of_the_session(qapp, tmp_path):
    """Ctrl+C closes the window like the close button: what the person set up is remembered."""
    import signal

    from PySide6 import QtCore, QtWidgets

    from playground.ui import app as app_module
    from playground.ui.main_window import MainWindow
    from playground.ui.settings_store import GEOMETRY_KEY, open_settings

    def ctrl_c_once_a_frame_is_shown():
        # on the state meant, not after a delay: a Ctrl+C while the window is still being
        # built ends the run before there is anything to remember
        shown = [w for w in QtWidgets.QApplication.topLevelWidgets()
                 if isinstance(w, MainWindow) and w.isVisible() and w.last_frame is not None]
        if shown:
            poll.stop()
            os.kill(os.getpid(), signal.SIGINT)

    path = tmp_path / "s.ini"
    poll = QtCore.QTimer()
    poll.timeout.connect(ctrl_c_once_a_frame_is_shown)
    poll.start(50)
    assert app_module.run(source="demo", settings_path=str(path)) == 130
    assert open_settings(str(path)).value(GEOMETRY_KEY) is not None
