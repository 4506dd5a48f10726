"""The Webcam dialog lists the cameras found; the status bar shows the camera's real FPS and its unplugging."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest
from window_helpers import WAIT_MS

from playground.sources import WebcamSource
from playground.sources.cameras import CameraInfo
from playground.ui.webcam_dialog import WebcamDialog, camera_state_text

CAMERAS = [
    CameraInfo(0, "Integrated Camera", ((640, 480), (1280, 720)), "MJPG"),
    CameraInfo(2, None, ((320, 240), (640, 480), (1920, 1080)), "YUYV"),
]


def shown_dialog(qtbot, lister, resolution=(640, 480)):
    dialog = WebcamDialog(lister, resolution)
    qtbot.addWidget(dialog)
    dialog.refresh()
    qtbot.waitUntil(lambda: dialog.refresh_button.isEnabled(), timeout=WAIT_MS)
    return dialog


def test_lists_cameras_with_names_and_sizes(qtbot):
    dialog = shown_dialog(qtbot, lambda: CAMERAS, resolution=(1280, 720))
    rows = [dialog.camera_list.item(i).text() for i in range(dialog.camera_list.count())]
    assert rows == ["0 · Integrated Camera · 640×480, 1280×720 · MJPG",
                    "2 · Camera 2 · 320×240, 640×480, 1920×1080 · YUYV"]
    assert dialog.status.text() == "2 cameras found:"
    assert dialog.chosen() == (0, (1280, 720))  # the size asked for last time, where offered
    dialog.camera_list.setCurrentRow(1)
    assert [dialog.size_box.itemText(i) for i in range(dialog.size_box.count())] == \
        ["320×240", "640×480", "1920×1080"]  # the sizes this camera delivered, not a fixed list
    assert dialog.chosen() == (2, (320, 240))  # 1280×720 is not offered: the smallest
    dialog.size_box.setCurrentIndex(2)
    assert dialog.chosen() == (2, (1920, 1080)) and dialog.ok_button.isEnabled()


def test_no_camera_found_says_so_and_cannot_be_accepted(qtbot):
    dialog = shown_dialog(qtbot, lambda: [])
    assert dialog.status.text().startswith("No camera found")
    assert not dialog.ok_button.isEnabled() and dialog.chosen() is None


def test_a_failing_search_is_a_message(qtbot):
    def lister():
        raise cv2.error("backend exploded")

    dialog = shown_dialog(qtbot, lister)
    assert dialog.status.text().startswith("looking for cameras failed:")
    assert not dialog.ok_button.isEnabled()


def test_search_runs_off_the_gui_thread(qtbot):
    threads = []
    release = threading.Event()

    def lister():
        threads.append(threading.current_thread())
        release.wait(10)
        return CAMERAS[:1]

    dialog = WebcamDialog(lister)
    qtbot.addWidget(dialog)
    dialog.refresh()
    assert dialog.status.text() == "Looking for cameras…"  # refresh() returned while the search waits
    release.set()
    qtbot.waitUntil(lambda: dialog.camera_list.count() == 1, timeout=WAIT_MS)
    assert threads and threads[0] is not threading.main_thread()


def test_choosing_a_camera_opens_it_at_the_chosen_size(qtbot, window, monkeypatch):
    from PySide6 import QtWidgets

    import playground.ui.source_menu as source_menu

    monkeypatch.setattr(source_menu, "list_cameras", lambda in_use: CAMERAS)

    def exec_and_pick_second(dialog):
        qtbot.waitUntil(lambda: dialog.camera_list.count() == 2, timeout=WAIT_MS)
        dialog.camera_list.setCurrentRow(1)
        dialog.size_box.setCurrentIndex(2)
        return QtWidgets.QDialog.DialogCode.Accepted

    monkeypatch.setattr(WebcamDialog, "exec", exec_and_pick_second)
    opened = []
    monkeypatch.setattr(window, "open_source_async", lambda *args: opened.append(args))
    window.sources.choose_webcam()
    assert opened == [("webcam:2", 1, (1920, 1080))]


class PacedCamera:
    """A 32×24 camera at about 100 FPS that can be unplugged (``plugged[0] = False``)."""

    def __init__(self, plugged):
        self.plugged = plugged

    def isOpened(self):  # noqa: N802 (OpenCV's names)
        return self.plugged[0]

    def set(self, prop, value):
        return True

    def get(self, prop):
        return 0.0

    def read(self):
        time.sleep(0.01)
        if not self.plugged[0]:
            return False, None
        return True, np.full((24, 32, 3), 128, np.uint8)

    def release(self):
        pass


def test_status_bar_shows_camera_fps_and_a_disconnect(qtbot, window):
    plugged = [True]
    source = WebcamSource(0, capture_factory=lambda index: PacedCamera(plugged), retry_delay=0.0,
                          backoff=(0.05, 0.1), hold_interval=0.05)
    window.runner.set_source(source)
    label = window.source_label

    def fps_shown():
        window.sources.show_camera_state()
        text = label.text()
        return text.startswith("Webcam 0 · 32×24 · camera ") and text.endswith(" FPS") and "–" not in text

    qtbot.waitUntil(fps_shown, timeout=WAIT_MS)
    fps = float(label.text().split("camera ")[1].split(" FPS")[0])
    assert 20 < fps < 150  # about 100 FPS, as the camera delivers them
    assert "camera" in label.toolTip()

    plugged[0] = False
    notice = "camera 0 disconnected, retrying…"

    def disconnect_shown():
        window.sources.show_camera_state()
        return label.text() == f"Webcam 0 · 32×24 · {notice}"

    qtbot.waitUntil(disconnect_shown, timeout=WAIT_MS)
    assert window.message_bar.isVisible() and window.message_bar.message == notice

    plugged[0] = True

    def back():
        window.sources.show_camera_state()
        return "FPS" in label.text()

    qtbot.waitUntil(back, timeout=WAIT_MS)
    assert not window.message_bar.isVisible()  # the notice went when the camera came back


@pytest.mark.parametrize("kind", ["demo", "image"])
def test_other_sources_leave_the_label_alone(kind):
    class Other:
        pass

    other = Other()
    other.kind = kind
    assert camera_state_text(other) is None
