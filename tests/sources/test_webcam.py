"""Webcams, simulated with a fake capture: opening, reading, vanishing, never opening."""

from __future__ import annotations

import sys

import cv2
import numpy as np
import pytest

from playground.sources import SourceError, WebcamSource


def webcam(capture, **kwargs):
    kwargs.setdefault("retry_delay", 0.0)
    return WebcamSource(kwargs.pop("index", 0), capture_factory=lambda index: capture, **kwargs)


def test_opens_reads_and_reports(fake_capture, make_bgr):
    capture = fake_capture([make_bgr(0, 0, 255), make_bgr(255, 0, 0), make_bgr(0, 255, 0)])
    source = webcam(capture, index=2, resolution=(320, 240))
    assert capture.settings[cv2.CAP_PROP_FRAME_WIDTH] == 320
    assert capture.settings[cv2.CAP_PROP_FRAME_HEIGHT] == 240
    assert (source.kind, source.spec, source.live, source.frame_interval) == ("webcam", "webcam:2", True, None)
    assert source.description == "Webcam 2 · 64×48"  # the size delivered, not the one asked for
    frames = [source.read() for _ in range(3)]
    for frame, rgb in zip(frames, ([1, 0, 0], [0, 0, 1], [0, 1, 0]), strict=True):
        assert frame.shape == (48, 64, 3) and frame.dtype == np.float32 and frame.flags.c_contiguous
        np.testing.assert_array_equal(frame[10, 10], rgb)


def test_camera_that_vanishes_mid_stream_without_reconnect(fake_capture, make_bgr):
    capture = fake_capture([make_bgr(0, 0, 255), make_bgr(0, 0, 255)])
    source = webcam(capture, index=1, max_failures=10, reconnect=False)
    source.read()
    source.read()
    reads_before = capture.reads
    with pytest.raises(SourceError) as caught:
        source.read()
    assert str(caught.value).startswith("camera 1 stopped sending frames")
    assert capture.reads - reads_before == 10  # gave up after 10 failed reads in a row


def test_gives_up_after_timeout_even_before_max_failures(fake_capture, make_bgr):
    now = [0.0]

    def clock():
        now[0] += 0.5  # every look at the clock: half a second later
        return now[0]

    capture = fake_capture([make_bgr(1, 2, 3)])
    source = webcam(capture, max_failures=1000, give_up_after=2.0, clock=clock, reconnect=False)
    source.read()
    before = capture.reads
    with pytest.raises(SourceError, match="stopped sending frames"):
        source.read()
    assert capture.reads - before < 10


def test_a_few_dropped_frames_are_tolerated(fake_capture, make_bgr):
    glitch = cv2.error("select() timeout")
    capture = fake_capture([make_bgr(0, 0, 255), None, None, glitch, make_bgr(255, 0, 0)])
    source = webcam(capture, max_failures=10)
    source.read()
    np.testing.assert_array_equal(source.read()[0, 0], [0, 0, 1])


def test_no_camera_at_index(fake_capture):
    capture = fake_capture(opened=False)
    with pytest.raises(SourceError) as caught:
        webcam(capture, index=3)
    assert str(caught.value).startswith("no camera at index 3 (")
    assert capture.released == 1


def test_camera_opens_but_sends_nothing(fake_capture):
    capture = fake_capture([])
    with pytest.raises(SourceError, match="camera 0 opened but sent no frames"):
        webcam(capture)
    assert capture.released == 1


def test_factory_raising_cv2_error(fake_capture):
    def explode(index):
        raise cv2.error("backend exploded")

    with pytest.raises(SourceError, match="no camera at index 0"):
        WebcamSource(0, capture_factory=explode)


def test_downscale(fake_capture, make_bgr):
    source = webcam(fake_capture([make_bgr(0, 0, 255)]), downscale=2)
    assert source.read().shape == (24, 32, 3)
    assert source.description == "Webcam 0 · 64×48 (1/2)"


def test_close_releases_once_and_stops_reads(fake_capture, make_bgr):
    capture = fake_capture([make_bgr(0, 0, 0)] * 3)
    with webcam(capture) as source:
        source.read()
    source.close()
    assert capture.released == 1
    with pytest.raises(SourceError, match="closed"):
        source.read()


@pytest.mark.parametrize(
    "kwargs",
    [dict(index=-1), dict(index=True), dict(resolution=(0, 480)), dict(resolution=(640,)), dict(downscale=7),
     dict(max_failures=0), dict(give_up_after=0)],  # fmt: skip
)
def test_bad_arguments(fake_capture, make_bgr, kwargs):
    with pytest.raises(ValueError):
        webcam(fake_capture([make_bgr(0, 0, 0)]), **kwargs)


@pytest.mark.skipif(sys.platform != "linux", reason="probing a camera index is only quick and silent on Linux")
def test_real_opencv_with_no_such_camera():
    with pytest.raises(SourceError, match="no camera at index 97"):
        WebcamSource(97)
