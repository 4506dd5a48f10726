"""The recorder: frame count and size read back with OpenCV, fallback format, atomic naming."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from playground.export.atomic import ExportError
from playground.export.recording import VIDEO_FORMATS, VideoRecorder, record_frames


def _frames(count, height=48, width=64):
    for i in range(count):
        frame = np.zeros((height, width, 3), np.uint8)
        frame[:, : (i * 7) % width] = (255, 40, 0)  # a red bar that grows: frames differ
        yield frame


def _read_back(path):
    capture = cv2.VideoCapture(str(path))
    frames = []
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(frame)
    finally:
        capture.release()
    return frames


def test_mp4_frame_count_size_and_colour(tmp_path):
    result = record_frames(tmp_path / "maps.mp4", _frames(12), fps=10)
    assert result.path == tmp_path / "maps.mp4" and result.frames == 12 and result.codec == "mp4v"
    assert result.size == (64, 48) and result.notice is None
    frames = _read_back(result.path)
    assert len(frames) == 12 and frames[0].shape == (48, 64, 3)
    blue, green, red = frames[-1][24, 2].astype(int)  # the bar is red: RGB went in, BGR on disk
    assert red > 200 and blue < 60
    assert [p.name for p in tmp_path.iterdir()] == ["maps.mp4"]  # no temp file left


def test_avi_by_name_and_fallback_when_mp4_cannot_be_opened(tmp_path):
    avi = record_frames(tmp_path / "direct.avi", _frames(3))
    assert avi.codec == "MJPG" and len(_read_back(avi.path)) == 3
    broken = (("QQQQ", ".mp4", "MP4 (MPEG-4)"),) + VIDEO_FORMATS[1:]
    result = record_frames(tmp_path / "class.mp4", _frames(5), formats=broken)
    assert result.path == tmp_path / "class.avi" and result.codec == "MJPG"
    assert "MP4 (MPEG-4) is not available here; recorded AVI (Motion-JPEG) to 'class.avi'" == result.notice
    assert len(_read_back(result.path)) == 5 and not (tmp_path / "class.mp4").exists()
    with pytest.raises(ExportError, match="cannot write QQQQ-only"):
        record_frames(tmp_path / "none.mp4", _frames(1), formats=(("QQQQ", ".mp4", "QQQQ-only"),))


def test_odd_sizes_are_padded_to_even_and_later_sizes_resized(tmp_path):
    recorder = VideoRecorder(tmp_path / "odd.mp4", fps=5)
    for frame in _frames(3, 47, 63):
        recorder.write(frame)
    recorder.write(np.zeros((100, 30, 3), np.uint8))  # the window was resized meanwhile
    result = recorder.close()
    assert result.size == (64, 48) and result.frames == 4 and "1 frame of another size resized" in result.notice
    frames = _read_back(result.path)
    assert len(frames) == 4 and frames[0].shape == (48, 64, 3)


def test_refused_sizes_and_bad_frames(tmp_path):
    recorder = VideoRecorder(tmp_path / "strict.mp4", on_size_change="refuse")
    recorder.write(np.zeros((20, 20, 3), np.uint8))
    with pytest.raises(ExportError, match="frame 2 is 30×20 but the video is 20×20"):
        recorder.write(np.zeros((20, 30, 3), np.uint8))
    with pytest.raises(ExportError, match="uint8"):
        recorder.write(np.zeros((20, 20, 3), np.float32))
    with pytest.raises(ExportError, match="RGB"):
        recorder.write(np.zeros((20, 20, 2), np.uint8))
    recorder.write(np.zeros((20, 20), np.uint8))  # gray and RGBA are fine
    recorder.write(np.zeros((20, 20, 4), np.uint8))
    assert recorder.close().frames == 3
    with pytest.raises(ExportError, match="closed"):
        recorder.write(np.zeros((20, 20, 3), np.uint8))


def test_nothing_appears_until_close_and_aborts_leave_nothing(tmp_path):
    recorder = VideoRecorder(tmp_path / "live.mp4")
    recorder.write(next(_frames(1)))
    assert not (tmp_path / "live.mp4").exists()  # only a hidden temp file so far
    recorder.close()
    assert (tmp_path / "live.mp4").exists()
    with pytest.raises(RuntimeError):
        with VideoRecorder(tmp_path / "crash.mp4") as crashing:
            crashing.write(next(_frames(1)))
            raise RuntimeError("the app closed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live.mp4"]
    with pytest.raises(ExportError, match="nothing was recorded"):
        VideoRecorder(tmp_path / "empty.mp4").close()


def test_existing_files_bad_names_and_folders(tmp_path):
    (tmp_path / "taken.mp4").write_bytes(b"keep me")
    with pytest.raises(ExportError, match="the file exists"):
        VideoRecorder(tmp_path / "taken.mp4")
    result = record_frames(tmp_path / "taken.mp4", _frames(2), overwrite=True)
    assert result.frames == 2 and (tmp_path / "taken.mp4").read_bytes() != b"keep me"
    with pytest.raises(ExportError, match=r"must end in \.mp4 or \.avi"):
        VideoRecorder(tmp_path / "clip.gif")
    with pytest.raises(ExportError, match="does not exist"):
        VideoRecorder(tmp_path / "missing" / "clip.mp4")
    with pytest.raises(ExportError, match="frames per second"):
        VideoRecorder(tmp_path / "clip.mp4", fps=0)
