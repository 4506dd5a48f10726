"""Webcams against a fake driver: MJPG first, a one-frame buffer, real FPS, unplug and replug."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from playground.live.runner import LiveRunner
from playground.live.snapshot import Snapshot
from playground.sources import SourceError, WebcamSource
from playground.sources.cameras import MJPG, configure_capture, fourcc_text
from playground.sources.webcam import FrameRateMeter

YUYV = cv2.VideoWriter_fourcc(*"YUYV")


class FakeClock:
    """Time that moves only when the code under test sleeps (or a test says so)."""

    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class Camera:
    """A USB webcam as its driver behaves; one per plug-in. Shared state: is it plugged in?

    Sizes are offered per format, as V4L2 drivers list them: in YUYV only up to
    640×480, in MJPG up to 1280×720. ``set`` records every request in order and
    keeps what the driver accepts; ``get`` reads back what was accepted.
    """

    MODES = {YUYV: [(640, 480)], MJPG: [(640, 480), (1280, 720)]}

    def __init__(self, plug, *, mjpg_works=True, offers_mjpg=True):
        self.plug = plug
        self.calls: list[tuple[int, float]] = []
        self.fourcc = YUYV
        self.size = (640, 480)
        self.asked = {cv2.CAP_PROP_FRAME_WIDTH: 640, cv2.CAP_PROP_FRAME_HEIGHT: 480}
        self.buffer = 4
        self.mjpg_works, self.offers_mjpg = mjpg_works, offers_mjpg
        self.released = False
        plug.opened.append(self)

    def isOpened(self):  # noqa: N802 (OpenCV's names)
        return True

    def set(self, prop, value):
        self.calls.append((prop, value))
        if prop == cv2.CAP_PROP_FOURCC:
            if value == MJPG and not self.offers_mjpg:
                return False
            self.fourcc = int(value)
        elif prop in (cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT):
            # like OpenCV's V4L2 backend: width and height asked for are kept, the pair applied
            self.asked[prop] = value
            wanted = (self.asked[cv2.CAP_PROP_FRAME_WIDTH], self.asked[cv2.CAP_PROP_FRAME_HEIGHT])
            fits = [s for s in self.MODES[self.fourcc] if s[0] <= wanted[0] and s[1] <= wanted[1]]
            self.size = max(fits or self.MODES[self.fourcc])
        elif prop == cv2.CAP_PROP_BUFFERSIZE:
            self.buffer = int(value)
        return True

    def get(self, prop):
        return {cv2.CAP_PROP_FOURCC: float(self.fourcc), cv2.CAP_PROP_BUFFERSIZE: float(self.buffer),
                cv2.CAP_PROP_FRAME_WIDTH: float(self.size[0]),
                cv2.CAP_PROP_FRAME_HEIGHT: float(self.size[1])}.get(prop, 0.0)

    def read(self):
        self.plug.reads += 1
        if self.plug.pace:
            time.sleep(self.plug.pace)  # a real camera's wait for its next frame
        if self.released or not self.plug.connected or (self.fourcc == MJPG and not self.mjpg_works):
            return False, None
        self.plug.clock.now += 1 / 30  # the camera's own pace: 30 frames a second
        frame = np.full((self.size[1], self.size[0], 3), self.plug.colour, np.uint8)
        return True, frame

    def release(self):
        self.released = True


class Plug:
    """The USB socket: whether a camera is in it, and the factory that opens it."""

    def __init__(self, clock, **camera_options):
        self.clock = clock
        self.connected = True
        self.colour = (0, 0, 255)  # BGR red
        self.opened: list[Camera] = []
        self.open_tries = 0
        self.reads = 0
        self.camera_options = camera_options
        self.pace = 0.0

    def factory(self, index):
        self.open_tries += 1
        if not self.connected:
            return _Absent()
        return Camera(self, **self.camera_options)


class _Absent:
    def isOpened(self):  # noqa: N802
        return False

    def release(self):
        pass


def open_webcam(plug, clock, **kwargs):
    kwargs.setdefault("retry_delay", 0.001)
    return WebcamSource(0, kwargs.pop("resolution", (1280, 720)), capture_factory=plug.factory, clock=clock,
                        sleep=clock.sleep, **kwargs)


@pytest.fixture
def clock():
    return FakeClock()


def test_asks_for_mjpg_before_the_size_and_a_one_frame_buffer(clock):
    plug = Plug(clock)
    source = open_webcam(plug, clock)
    calls = [prop for prop, _ in plug.opened[0].calls]
    assert calls.index(cv2.CAP_PROP_FOURCC) < calls.index(cv2.CAP_PROP_FRAME_WIDTH)
    assert (cv2.CAP_PROP_FOURCC, MJPG) in plug.opened[0].calls
    assert (cv2.CAP_PROP_BUFFERSIZE, 1) in plug.opened[0].calls
    assert source.pixel_format == "MJPG"
    # 1280×720 exists only in MJPG: asking for the format after the size would get 640×480
    assert source.read().shape == (720, 1280, 3)
    assert source.description == "Webcam 0 · 1280×720 MJPG" and source.frame_size == (1280, 720)


def test_a_camera_without_mjpg_keeps_its_own_format(clock):
    plug = Plug(clock, offers_mjpg=False)
    source = open_webcam(plug, clock)
    assert source.pixel_format == "YUYV"  # read back from the driver, not assumed
    assert source.read().shape == (480, 640, 3)


def test_mjpg_accepted_but_silent_falls_back_to_the_native_format(clock):
    plug = Plug(clock, mjpg_works=False)
    source = open_webcam(plug, clock)
    camera = plug.opened[0]
    assert camera.calls[-4:][0] == (cv2.CAP_PROP_FOURCC, YUYV)  # asked again, in the camera's own format
    assert source.pixel_format == "YUYV"
    assert source.read().shape == (480, 640, 3)


def test_prefer_mjpg_off_leaves_the_format_alone(clock):
    plug = Plug(clock)
    source = open_webcam(plug, clock, prefer_mjpg=False, resolution=(640, 480))
    assert all(prop != cv2.CAP_PROP_FOURCC for prop, _ in plug.opened[0].calls)
    assert source.pixel_format == "YUYV"


def test_real_fps_is_what_the_camera_delivers(clock):
    plug = Plug(clock)
    source = open_webcam(plug, clock, resolution=(640, 480))
    assert source.camera_fps is None  # one frame: no rate yet
    for _ in range(90):
        source.read()
    assert source.camera_fps == pytest.approx(30.0, rel=1e-6)


def test_unplug_reports_retries_with_backoff_and_resumes(clock):
    plug = Plug(clock)
    source = open_webcam(plug, clock, backoff=(0.5, 4.0), hold_interval=0.5)
    first = source.read()
    plug.connected = False
    held = source.read()  # reads fail → disconnected: the last picture is held, not an error
    np.testing.assert_array_equal(held, first)
    assert source.status == "camera 0 disconnected, retrying…"
    assert source.camera_fps == 0.0
    assert plug.opened[0].released  # the device is freed so it can come back under its number

    tries_at = []
    while clock.now < 130:
        before = plug.open_tries
        frame = source.read()
        if plug.open_tries > before:
            tries_at.append(clock.now)
        assert frame is held
    gaps = np.diff(tries_at)
    assert gaps[0] == pytest.approx(1.0, abs=0.01) and gaps[1] == pytest.approx(2.0, abs=0.01)
    assert max(gaps) == pytest.approx(4.0, abs=0.01)  # doubling, up to the longest wait
    assert max(clock.slept) <= 0.5  # never blocks longer than hold_interval per read

    plug.connected = True
    plug.colour = (255, 0, 0)  # BGR blue: the new frames, not the held one
    for _ in range(20):
        frame = source.read()
        if not source.status:
            break
    assert source.status == ""
    np.testing.assert_array_equal(frame[0, 0], [0, 0, 1])
    assert source.pixel_format == "MJPG" and frame.shape == (720, 1280, 3)  # reopened as configured
    assert (cv2.CAP_PROP_BUFFERSIZE, 1) in plug.opened[-1].calls
    np.testing.assert_array_equal(source.read()[0, 0], [0, 0, 1])


def test_held_frame_is_read_only(clock):
    plug = Plug(clock)
    source = open_webcam(plug, clock)
    source.read()
    plug.connected = False
    with pytest.raises(ValueError):
        source.read()[0, 0, 0] = 1.0


def test_without_reconnect_a_vanished_camera_is_an_error(clock):
    plug = Plug(clock)
    source = open_webcam(plug, clock, reconnect=False)
    source.read()
    plug.connected = False
    with pytest.raises(SourceError, match="camera 0 stopped sending frames"):
        source.read()


def test_close_cuts_a_wait_between_tries_short():
    plug = Plug(FakeClock())
    # the real clock and the default sleep: a wait that close() must end
    source = WebcamSource(0, capture_factory=plug.factory, retry_delay=0.0, backoff=(30.0, 30.0),
                          hold_interval=30.0)
    source.read()
    plug.connected = False  # the reader finds it gone, then waits up to 30 s for the next try
    frames = []
    reader = threading.Thread(target=lambda: frames.append(source.read()))
    started = time.monotonic()
    reader.start()
    time.sleep(0.2)
    source.close()
    reader.join(5)
    assert not reader.is_alive() and time.monotonic() - started < 3
    assert len(frames) == 1 and source.closed


def test_a_camera_missing_at_start_is_still_an_error(clock):
    plug = Plug(clock)
    plug.connected = False
    with pytest.raises(SourceError, match="no camera at index 0"):
        open_webcam(plug, clock)


def test_configure_capture_order_and_readback(clock):
    camera = Camera(Plug(clock))
    assert configure_capture(camera, (1280, 720)) == "MJPG"
    assert [prop for prop, _ in camera.calls] == [cv2.CAP_PROP_FOURCC, cv2.CAP_PROP_FRAME_WIDTH,
                                                  cv2.CAP_PROP_FRAME_HEIGHT, cv2.CAP_PROP_BUFFERSIZE]
    assert camera.size == (1280, 720) and camera.buffer == 1


@pytest.mark.parametrize("code, text", [(MJPG, "MJPG"), (YUYV, "YUYV"), (0, ""), (-1, ""), (float("nan"), ""),
                                        (1, "")])
def test_fourcc_text(code, text):
    assert fourcc_text(code) == text


def test_frame_rate_meter_smooths_and_drops_when_stalled():
    meter = FrameRateMeter(window=2.0)
    assert meter.rate(0.0) is None
    for i in range(61):
        meter.tick(i / 30 + (0.004 if i % 2 else 0.0))  # jittery 30 FPS
    assert meter.rate(2.0) == pytest.approx(30.0, rel=0.01)
    assert meter.rate(5.0) == 0.0  # nothing in the last 2 s
    meter.reset()
    assert meter.rate(5.0) is None


class TinyCamera(Camera):
    MODES = {YUYV: [(32, 24)], MJPG: [(32, 24)]}


def test_live_runner_keeps_going_through_unplug_and_replug():
    plug = Plug(FakeClock())
    plug.pace = 0.01
    source = WebcamSource(0, capture_factory=lambda index: plug.connected and TinyCamera(plug) or _Absent(),
                          retry_delay=0.0, backoff=(0.05, 0.2), hold_interval=0.05)
    seen, errors = [], []
    lock = threading.Condition()

    def on_result():
        result = runner.results.take()
        if result is not None:
            with lock:
                seen.append((result.frame[0, 0].tolist(), source.status))
                lock.notify_all()

    runner = LiveRunner(source, Snapshot(), on_result, errors.append)
    runner.start()
    try:
        with lock:
            assert lock.wait_for(lambda: seen, 15)
            plug.connected = False
            assert lock.wait_for(lambda: sum(1 for _, status in seen if status) >= 3, 15)  # held frames go on
            plug.colour = (255, 0, 0)
            plug.connected = True
            assert lock.wait_for(lambda: seen[-1][0] == [0.0, 0.0, 1.0] and not seen[-1][1], 15)
    finally:
        assert runner.stop(5)
    assert errors == [] and not runner.source_failed  # never an error: the picture just paused
    assert source.closed
