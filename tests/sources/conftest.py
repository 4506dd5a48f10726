"""Fakes and files shared by the source tests: a scriptable capture, a tiny video."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest


class FakeCapture:
    """Stands in for ``cv2.VideoCapture``: delivers scripted frames, records calls.

    Parameters
    ----------
    frames : list of (numpy.ndarray or None or Exception)
        What successive ``read()`` calls give: an array is a frame, None a failed
        read, an exception instance is raised. After the list, reads fail.
    opened : bool
        What ``isOpened()`` says.
    fps : float
        What ``get(CAP_PROP_FPS)`` says.
    seekable : bool
        Whether ``set(CAP_PROP_POS_FRAMES, 0)`` rewinds to the first frame.
    """

    def __init__(self, frames=(), *, opened=True, fps=30.0, seekable=True):
        self.frames = list(frames)
        self.position = 0
        self.opened = opened
        self.fps = fps
        self.seekable = seekable
        self.reads = 0
        self.released = 0
        self.settings: dict[int, float] = {}

    def isOpened(self):  # noqa: N802 (OpenCV's name)
        return self.opened

    def read(self):
        self.reads += 1
        if self.position >= len(self.frames):
            return False, None
        item = self.frames[self.position]
        self.position += 1
        if isinstance(item, Exception):
            raise item
        if item is None:
            return False, None
        return True, item.copy()

    def get(self, prop):
        return self.fps if prop == cv2.CAP_PROP_FPS else 0.0

    def set(self, prop, value):
        self.settings[prop] = value
        if prop == cv2.CAP_PROP_POS_FRAMES:
            if not self.seekable:
                return False
            self.position = int(value)
        return True

    def release(self):
        self.released += 1


def bgr_frame(b: int, g: int, r: int, height: int = 48, width: int = 64) -> np.ndarray:
    """A uniform (height, width, 3) uint8 frame in OpenCV's BGR order."""
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = (b, g, r)
    return frame


@pytest.fixture
def fake_capture() -> type[FakeCapture]:
    return FakeCapture


# Five frames, each a different colour (BGR), for the looping test.
VIDEO_COLOURS_BGR = [(0, 0, 200), (0, 200, 0), (200, 0, 0), (200, 200, 200), (40, 40, 40)]


@pytest.fixture
def small_video(tmp_path: Path) -> Path:
    """A 5-frame 64×48 MJPG .avi at 10 fps, or a skip when this OpenCV cannot write and read it."""
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    if not writer.isOpened():
        pytest.skip("this OpenCV build cannot write MJPG .avi files (no video encoder)")
    for colour in VIDEO_COLOURS_BGR:
        writer.write(bgr_frame(*colour))
    writer.release()
    check = cv2.VideoCapture(str(path))
    readable = check.isOpened() and check.read()[0]
    check.release()
    if not readable:
        pytest.skip("this OpenCV build cannot read back MJPG .avi files (no video decoder)")
    return path


@pytest.fixture
def make_bgr() -> Callable[..., np.ndarray]:
    return bgr_frame


@pytest.fixture
def video_colours_bgr() -> list[tuple[int, int, int]]:
    """The colours of :func:`small_video`'s frames, in order (BGR)."""
    return list(VIDEO_COLOURS_BGR)
