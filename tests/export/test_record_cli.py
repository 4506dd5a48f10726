"""``python main.py export --record VIDEO --frames N``: frame count and size, one-line errors."""

from __future__ import annotations

import cv2

from playground.export.cli import main
from playground.export.record_maps import VIDEO_WIDTH


def _count(path):
    capture = cv2.VideoCapture(str(path))
    count, size = 0, None
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        count += 1
        size = (frame.shape[1], frame.shape[0])
    capture.release()
    return count, size


def test_record_writes_n_frames(tmp_path, capsys):
    path = tmp_path / "maps.avi"
    assert main(["--source", "demo", "--record", str(path), "--frames", "4", "--backend", "numpy"]) == 0
    count, size = _count(path)
    assert count == 4 and size[0] == VIDEO_WIDTH
    assert f"recorded 4 frames ({size[0]}×{size[1]}" in capsys.readouterr().out


def test_without_out_or_record_is_a_usage_error(tmp_path, capsys):
    assert main(["--source", "demo"]) == 2
    assert "--out (or --record VIDEO.mp4)" in capsys.readouterr().err


def test_a_bad_video_name_is_refused_and_nothing_is_written(tmp_path, capsys):
    assert main(["--source", "demo", "--record", str(tmp_path / "maps.gif"), "--backend", "numpy"]) == 1
    assert "must end in .mp4 or .avi" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
