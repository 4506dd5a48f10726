"""The first window: it shows the demo picture and the starting bank's maps, computed
by the engine, and it can save a screenshot of itself from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")

from playground.engine import conv2d, get_backend, set_backend
from playground.sources.demo import demo_frame
from playground.ui.preview_window import PreviewWindow

pytestmark = pytest.mark.qt

REPO = Path(__file__).resolve().parents[2]

# Written out again here (not imported from the window) so the test checks the
# window's kernels against the lecture notes, not against themselves.
EXPECTED_BANK = {
    "Vertical edge": [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
    "Horizontal edge": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "Sobel x": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "Sobel y": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
}


@pytest.fixture
def numpy_backend():
    previous = get_backend().name
    set_backend("numpy")
    yield
    set_backend(previous)


@pytest.fixture
def window(qtbot, numpy_backend):
    win = PreviewWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def expected_maps(frame: np.ndarray) -> np.ndarray:
    w = np.zeros((3, 3, 3, len(EXPECTED_BANK)), np.float32)
    for k, kernel in enumerate(EXPECTED_BANK.values()):
        w[:, :, :, k] = np.asarray(kernel, np.float32)[:, :, None]  # same kernel on R, G, B
    return np.asarray(conv2d(frame, w, padding="same"))


def test_window_title_and_input(window):
    assert window.windowTitle() == "Kernel Playground"
    np.testing.assert_array_equal(window.input_panel.item.image, demo_frame())


def test_maps_are_conv2d_of_the_demo_frame(window):
    expected = expected_maps(demo_frame())
    assert len(window.map_items) == len(EXPECTED_BANK) == 4
    for k, (name, item, panel) in enumerate(zip(EXPECTED_BANK, window.map_items, window.map_panels, strict=True)):
        assert item.image.shape == (480, 640)
        np.testing.assert_allclose(item.image, expected[..., k], rtol=1e-5, atol=1e-5)
        peak = np.percentile(np.abs(expected[..., k]), 99.0)  # robust to the few strongest pixels
        np.testing.assert_allclose(item.levels, [-peak, peak], rtol=1e-5)  # symmetric around 0
        assert 0 < peak <= np.abs(expected[..., k]).max()
        assert name in panel.title.text()
        assert "480×640" in panel.title.text()


def test_vertical_edge_map_is_positive_where_bright_meets_dark(window):
    # Demo: bright left half, dark right half in the top rows; cross-correlation with
    # [[1, 0, -1]] * 3 is positive on that edge (the notes' "bright followed by dark").
    vertical = window.map_items[0].image
    assert vertical[100, 318:322].max() > 5.0
    assert abs(vertical[100, 100]) < 1e-5  # flat inside a region


def test_status_bar_names_backend_and_time(window):
    text = window.status_label.text()
    assert str(get_backend()) in text
    assert "NumPy" in text
    assert "ms" in text


def test_screenshot_from_the_command_line(tmp_path):
    cv2 = pytest.importorskip("cv2")
    shot = tmp_path / "tmp.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "main.py", "--screenshot", str(shot)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert shot.is_file()
    image = cv2.imread(str(shot))
    assert image is not None, "the screenshot is not a readable PNG"
    height, width = image.shape[:2]
    assert height > 200 and width > 200
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 50, "the screenshot is (nearly) one flat colour"
