"""A video read once through: it stops at its last readable frame instead of starting again."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from playground.sources import SourceError, VideoSource
from playground.sources.video import EndOfVideo


@pytest.fixture
def truncated_video(tmp_path: Path) -> tuple[Path, int, int]:
    """``(path, readable, claimed)``: a 40-frame MJPG .avi cut in half, so its header claims more frames
    than can be decoded (each frame a different colour); a skip where OpenCV cannot write or read one."""
    whole = tmp_path / "whole.avi"
    writer = cv2.VideoWriter(str(whole), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    if not writer.isOpened():
        pytest.skip("this OpenCV build cannot write MJPG .avi files (no video encoder)")
    for i in range(40):
        writer.write(np.full((48, 64, 3), (6 * i, 100, 240 - 6 * i), np.uint8))
    writer.release()
    data = whole.read_bytes()
    path = tmp_path / "truncated.avi"
    path.write_bytes(data[: len(data) // 2])
    capture = cv2.VideoCapture(str(path))
    claimed = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    readable = 0
    while capture.read()[0]:
        readable += 1
    capture.release()
    if not 2 <= readable < claimed:
        pytest.skip(f"this OpenCV reads {readable} of the truncated file's {claimed} frames")
    return path, readable, claimed


def _video_from(tmp_path, factory, **options):
    path = tmp_path / "fake.mp4"
    path.write_bytes(b"placeholder")
    return VideoSource(path, capture_factory=factory, **options)


def test_without_loop_the_end_is_said_not_repeated(tmp_path, fake_capture, make_bgr):
    frames = [make_bgr(0, 0, 255, 4, 4), make_bgr(255, 0, 0, 4, 4)]
    source = _video_from(tmp_path, lambda path: fake_capture(frames, seekable=True), loop=False)
    assert [source.read()[0, 0, 2] for _ in range(2)] == [0, 1]
    with pytest.raises(EndOfVideo, match="ended after 2 frames") as caught:
        source.read()
    assert isinstance(caught.value, SourceError) and caught.value.frames == 2
    with pytest.raises(EndOfVideo):  # and stays at the end
        source.read()
    assert source.frames_read == 2


def test_loop_can_be_switched_off_on_an_open_source(tmp_path, fake_capture, make_bgr):
    source = _video_from(tmp_path, lambda path: fake_capture([make_bgr(0, 0, 0, 4, 4)], seekable=True))
    assert source.loop
    source.read()
    source.read()  # looped: the app plays a video round and round
    source.loop = False
    with pytest.raises(EndOfVideo):
        source.read()


def test_looping_still_counts_what_was_read(tmp_path, fake_capture, make_bgr):
    source = _video_from(tmp_path, lambda path: fake_capture([make_bgr(0, 0, 0, 4, 4)] * 3, seekable=True))
    for _ in range(7):
        source.read()
    assert source.frames_read == 7 and source.loops == 2


def test_a_truncated_file_ends_at_its_last_readable_frame(truncated_video):
    path, readable, _ = truncated_video
    with VideoSource(path, loop=False) as source:
        frames = [source.read() for _ in range(readable)]
        with pytest.raises(EndOfVideo):
            source.read()
    assert not any(np.array_equal(frames[0], frame) for frame in frames[1:])  # each frame differs
