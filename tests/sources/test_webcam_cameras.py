"""Listing cameras: Linux device names, which numbers to try, which sizes deliver a frame."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from playground.sources.cameras import MJPG, CameraInfo, camera_indices, camera_name, list_cameras


@pytest.fixture
def v4l(tmp_path):
    """A fake /sys/class/video4linux: a webcam (video0 + its metadata node video1) and video4."""
    for number, name in ((0, "HD Pro Webcam C920\n"), (1, "HD Pro Webcam C920\n"), (4, "USB2.0 Camera")):
        (tmp_path / f"video{number}").mkdir()
        (tmp_path / f"video{number}" / "name").write_text(name)
    (tmp_path / "v4l-subdev0").mkdir()  # not a video device
    return tmp_path


class ProbeCamera:
    """A camera for probing: delivers frames at the largest listed size that fits the request."""

    def __init__(self, sizes, *, frames=True):
        self.sizes, self.frames = sizes, frames
        self.asked = {cv2.CAP_PROP_FRAME_WIDTH: 0, cv2.CAP_PROP_FRAME_HEIGHT: 0}
        self.calls = []
        self.released = 0

    def isOpened(self):  # noqa: N802 (OpenCV's names)
        return True

    def set(self, prop, value):
        self.calls.append((prop, value))
        self.asked[prop] = value
        return True

    def get(self, prop):
        return float(MJPG) if prop == cv2.CAP_PROP_FOURCC else 0.0

    def read(self):
        if not self.frames:
            return False, None
        w, h = self.asked[cv2.CAP_PROP_FRAME_WIDTH], self.asked[cv2.CAP_PROP_FRAME_HEIGHT]
        fits = [s for s in self.sizes if s[0] <= w and s[1] <= h] or self.sizes[:1]
        width, height = max(fits)
        return True, np.zeros((height, width, 3), np.uint8)

    def release(self):
        self.released += 1


def test_camera_name_from_sysfs(v4l):
    assert camera_name(0, root=v4l) == "HD Pro Webcam C920"
    assert camera_name(4, root=v4l) == "USB2.0 Camera"
    assert camera_name(2, root=v4l) is None
    assert camera_name(0, root=v4l / "missing") is None


def test_indices_come_from_the_device_list_on_linux(v4l):
    assert camera_indices(root=v4l, platform="linux") == [0, 1, 4]
    assert camera_indices(max_index=3, root=v4l, platform="win32") == [0, 1, 2]
    assert camera_indices(max_index=2, root=v4l / "missing", platform="linux") == [0, 1]


def test_list_cameras_probes_sizes_and_leaves_out_what_gives_no_picture(v4l):
    cameras = {
        0: ProbeCamera([(640, 480), (1280, 720)]),
        1: ProbeCamera([(640, 480)], frames=False),  # the metadata node: opens, never a frame
        4: ProbeCamera([(320, 240), (640, 480), (1920, 1080)]),
    }
    opened = []

    def factory(index):
        opened.append(index)
        return cameras[index]

    found = list_cameras(camera_indices(root=v4l, platform="linux"), capture_factory=factory,
                         name_of=lambda i: camera_name(i, root=v4l))
    assert [c.index for c in found] == [0, 4]
    assert found[0] == CameraInfo(0, "HD Pro Webcam C920", ((640, 480), (1280, 720)), "MJPG")
    assert found[1].resolutions == ((640, 480), (1920, 1080))  # 1280×720 asked, 640×480 delivered
    assert all(camera.released == 1 for camera in cameras.values())
    # each size is asked for in MJPG, format first
    assert cameras[0].calls[0] == (cv2.CAP_PROP_FOURCC, MJPG)
    assert found[0].label == "0 · HD Pro Webcam C920 · 640×480, 1280×720 · MJPG"


def test_a_camera_in_use_is_listed_without_being_opened_again():
    opened = []

    def factory(index):
        opened.append(index)
        return ProbeCamera([(640, 480)])

    found = list_cameras([0, 1], in_use={1: (1280, 720)}, capture_factory=factory, name_of=lambda i: None)
    assert opened == [0]
    assert found[1] == CameraInfo(1, None, ((1280, 720),), in_use=True)
    assert found[1].label == "1 · Camera 1 · 1280×720 · in use now"


def test_cameras_that_do_not_open_are_left_out():
    class Closed:
        released = 0

        def isOpened(self):  # noqa: N802
            return False

        def release(self):
            Closed.released += 1

    def factory(index):
        if index == 0:
            raise cv2.error("backend exploded")
        return Closed()

    assert list_cameras([0, 1, 2], capture_factory=factory, name_of=lambda i: None) == []
    assert Closed.released == 2
