"""Shared helpers for the export tests: small computed frames, bad folders, tiny media files."""

from __future__ import annotations

import os
import stat

import cv2
import numpy as np
import pytest

from playground.engine import get_backend, set_backend
from playground.engine.layer import LayerSettings
from playground.kernels import starter_bank
from playground.live.processor import FrameProcessor
from playground.live.snapshot import Snapshot, ViewSettings
from playground.sources import demo_frame


@pytest.fixture(autouse=True)
def _keep_backend():
    """The headless command sets the engine's backend; put the previous one back."""
    before = get_backend()
    yield
    if get_backend() != before:
        set_backend(before.requested)


@pytest.fixture
def render():
    """``render(layer=…, bank=…, view=…, frame=…)`` → a RenderedFrame of a small demo picture."""

    def make(layer: LayerSettings | None = None, bank=None, view: ViewSettings | None = None, frame=None,
             smooth: bool = False):
        frame = demo_frame(48, 64, t=1.0) if frame is None else frame
        snapshot = Snapshot(bank=starter_bank() if bank is None else bank,
                            layer=LayerSettings() if layer is None else layer,
                            view=ViewSettings() if view is None else view)
        return FrameProcessor().process(frame, snapshot, smooth=smooth)

    return make


@pytest.fixture
def unwritable_dir(tmp_path):
    """A folder made read-only with chmod 0o500; skipped where that does not stop writing (root)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.access(folder, os.W_OK):
        folder.chmod(0o700)
        pytest.skip("running as root (or on a file system without permissions): chmod 0o500 does not stop writes")
    yield folder
    folder.chmod(0o700)


@pytest.fixture
def leftovers():
    """``leftovers(folder)``: names of staging folders and temp files anywhere under ``folder``."""

    def find(folder) -> list[str]:
        return [p.name for p in folder.rglob("*") if ".partial-" in p.name or ".tmp-" in p.name]

    return find


@pytest.fixture
def picture_file(tmp_path):
    """A 40×56 PNG picture with a vertical edge (bright left, dark right)."""
    picture = np.zeros((40, 56, 3), np.uint8)
    picture[:, :28] = (230, 200, 180)
    picture[10:20, 30:50] = (40, 90, 220)
    path = tmp_path / "edge picture.png"
    assert cv2.imwrite(str(path), picture)
    return path


@pytest.fixture
def video_file(tmp_path):
    """A 5-frame 64×48 MJPG AVI; skipped when this OpenCV cannot write one."""
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    if not writer.isOpened():
        pytest.skip("OpenCV cannot write an MJPG video here")
    for i in range(5):
        frame = np.zeros((48, 64, 3), np.uint8)
        frame[:, : 10 + 8 * i] = 220
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture
def truncated_video(tmp_path):
    """``(path, readable, claimed)``: a 40-frame MJPG AVI cut in half, whose header claims 40 frames;
    skipped when this OpenCV cannot write it or reads it differently."""
    whole = tmp_path / "whole.avi"
    writer = cv2.VideoWriter(str(whole), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    if not writer.isOpened():
        pytest.skip("OpenCV cannot write an MJPG video here")
    for i in range(40):
        writer.write(np.full((48, 64, 3), (6 * i, 100, 240 - 6 * i), np.uint8))
    writer.release()
    data = whole.read_bytes()
    path = tmp_path / "truncated.avi"
    path.write_bytes(data[: len(data) // 2])
    whole.unlink()
    capture = cv2.VideoCapture(str(path))
    claimed = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    readable = 0
    while capture.read()[0]:
        readable += 1
    capture.release()
    if not 2 <= readable < claimed:
        pytest.skip(f"this OpenCV reads {readable} of the truncated file's {claimed} frames")
    return path, readable, claimed
