"""--window-size and --presentation on the command line (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from playground.cli import build_parser

cv2 = pytest.importorskip("cv2")

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, size", [("1280x720", (1280, 720)), ("1024X768", (1024, 768)),
                                        ("1920×1080", (1920, 1080))])
def test_window_size_reads_width_by_height(text, size):
    assert build_parser().parse_args(["--window-size", text]).window_size == size


@pytest.mark.parametrize("text", ["1280", "1280x", "x720", "big", "100x100", "99999x720", "-1280x720"])
def test_a_bad_window_size_is_a_usage_error(text, capsys):
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["--window-size", text])
    assert stop.value.code == 2
    assert "--window-size" in capsys.readouterr().err


def test_presentation_is_off_unless_asked():
    assert build_parser().parse_args([]).presentation is False
    assert build_parser().parse_args(["--presentation"]).presentation is True


def _run(*args, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KERNEL_PLAYGROUND_SETTINGS=str(tmp_path / "s.ini"))
    return subprocess.run([sys.executable, "main.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=180)


@pytest.mark.qt
def test_a_screenshot_at_a_given_window_size(tmp_path):
    shot = tmp_path / "shot.png"
    result = _run("--window-size", "1280x720", "--screenshot", str(shot), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[:2] == (720, 1280)


@pytest.mark.qt
def test_a_screenshot_in_presentation_mode(tmp_path):
    shot = tmp_path / "shot.png"
    result = _run("--presentation", "--screenshot", str(shot), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    image = cv2.imread(str(shot))
    assert image is not None
    # full screen on the offscreen platform's screen, not the 1600×1000 window
    assert image.shape[:2] != (1000, 1600)
