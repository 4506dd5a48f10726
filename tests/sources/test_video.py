"""Video files: frames in order, looping at the end, frame rate, and files that are not videos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from playground.sources import SourceError, VideoSource


def rgb_of(bgr):
    b, g, r = bgr
    return np.array([r, g, b], np.float32) / 255


def test_frames_come_in_order_and_loop(small_video, video_colours_bgr):
    source = VideoSource(small_video)
    n = len(video_colours_bgr)
    frames = [source.read() for _ in range(2 * n + 2)]  # more than the video has
    for i, frame in enumerate(frames):
        assert frame.shape == (48, 64, 3) and frame.dtype == np.float32 and frame.flags.c_contiguous
        # MJPG is lossy: compare the frame's mean colour with what was written.
        np.testing.assert_allclose(frame.mean(axis=(0, 1)), rgb_of(video_colours_bgr[i % n]), atol=0.04)
    for i in range(n, 2 * n + 2):  # after the loop, the very same decoded frames
        np.testing.assert_array_equal(frames[i], frames[i % n])
    source.close()


def test_attributes(small_video):
    with VideoSource(small_video) as source:
        assert (source.kind, source.live) == ("video", True)
        assert source.fps == pytest.approx(10.0)
        assert source.frame_interval == pytest.approx(0.1)
        assert source.description == "clip.avi · 64×48 · 10 fps"
        assert source.spec == str(small_video.absolute())
        assert source.notices == ()


def test_max_side_and_downscale(small_video):
    with VideoSource(small_video, max_side=32) as source:
        assert source.read().shape == (24, 32, 3)
        assert "scaled down from 64×48 to 32×24 for speed" in source.notices
    with VideoSource(small_video, downscale=2) as source:
        assert source.read().shape == (24, 32, 3)
        assert "(1/2)" in source.description


def test_loops_by_seeking_without_reopening(tmp_path, fake_capture, make_bgr):
    made = []

    def factory(path):
        made.append(fake_capture([make_bgr(0, 0, 255, 4, 4), make_bgr(255, 0, 0, 4, 4)], seekable=True))
        return made[-1]

    source = _video_from(tmp_path, factory)
    blues = [source.read()[0, 0, 2] for _ in range(5)]
    assert blues == [0, 1, 0, 1, 0]
    assert len(made) == 1 and made[0].settings[cv2.CAP_PROP_POS_FRAMES] == 0


def test_loops_by_reopening_when_seeking_fails(tmp_path, fake_capture, make_bgr):
    made = []

    def factory(path):
        made.append(path)
        return fake_capture([make_bgr(0, 0, 255, 4, 4), make_bgr(255, 0, 0, 4, 4)], seekable=False)

    source = _video_from(tmp_path, factory)
    reds = [source.read()[0, 0] for _ in range(5)]
    np.testing.assert_array_equal(reds, [[1, 0, 0], [0, 0, 1], [1, 0, 0], [0, 0, 1], [1, 0, 0]])
    assert len(made) == 3  # the first open and two reopenings


def test_video_that_cannot_be_read_again_fails_clearly(tmp_path, fake_capture, make_bgr):
    captures = [fake_capture([make_bgr(0, 0, 255, 4, 4)], seekable=False), fake_capture(opened=False)]
    source = _video_from(tmp_path, lambda path: captures.pop(0) if captures else fake_capture(opened=False))
    source.read()
    with pytest.raises(SourceError, match="cannot read .* again after its end"):
        source.read()
    with pytest.raises(SourceError):  # and keeps saying so rather than crashing
        source.read()
    source.close()


@pytest.mark.parametrize("fps", [0.0, float("nan"), float("inf"), -5.0, 1e6])
def test_missing_frame_rate_falls_back_to_25(tmp_path, fake_capture, make_bgr, fps):
    source = _video_from(tmp_path, lambda path: fake_capture([make_bgr(0, 0, 0, 4, 4)], fps=fps))
    assert source.fps == 25.0 and source.frame_interval == pytest.approx(0.04)
    assert any("no frame rate" in n for n in source.notices)


def test_capture_is_released_on_close(tmp_path, fake_capture, make_bgr):
    capture = fake_capture([make_bgr(0, 0, 0, 4, 4)])
    source = _video_from(tmp_path, lambda path: capture)
    source.close()
    source.close()
    assert capture.released == 1


def test_text_file_named_like_a_video(tmp_path):
    path = tmp_path / "fake.mp4"
    path.write_text("this is not a video at all")
    with pytest.raises(SourceError) as caught:
        VideoSource(path)
    assert str(path) in str(caught.value) and "not a video" in str(caught.value)


def test_opens_but_no_frame(tmp_path, fake_capture):
    capture = fake_capture([])
    with pytest.raises(SourceError, match="not a video"):
        _video_from(tmp_path, lambda path: capture)
    assert capture.released == 1


@pytest.mark.parametrize("case", ["missing", "empty", "folder"])
def test_bad_paths(tmp_path, case):
    path = {"missing": tmp_path / "gone.mp4", "empty": tmp_path / "empty.mp4", "folder": tmp_path}[case]
    if case == "empty":
        path.touch()
    expected = {"missing": "no such file", "empty": "empty", "folder": "folder"}[case]
    with pytest.raises(SourceError) as caught:
        VideoSource(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)


def test_cv2_error_on_open_is_a_source_error(tmp_path):
    path = tmp_path / "x.mp4"
    path.write_bytes(b"\x00" * 16)

    def explode(path):
        raise cv2.error("backend exploded")

    with pytest.raises(SourceError, match="could not open it as a video"):
        VideoSource(path, capture_factory=explode)


def _video_from(tmp_path, factory):
    """A VideoSource over a fake capture (the path only has to exist and be non-empty)."""
    path = tmp_path / "fake.mp4"
    path.write_bytes(b"placeholder")
    return VideoSource(path, capture_factory=factory)
