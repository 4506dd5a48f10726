"""Headless recording of the maps: frame count, size, the notes' numbers on small maps."""

from __future__ import annotations

import argparse

import cv2
import numpy as np
import pytest

from playground.engine import set_backend
from playground.export.record_maps import VIDEO_WIDTH, maps_video_frame, record_from_args
from playground.live.processor import FrameProcessor
from playground.live.snapshot import Snapshot
from playground.sources import open_source
from playground.sources.notes_examples import notes_example


@pytest.fixture(autouse=True)
def _numpy():
    set_backend("numpy")


def _read_all(path):
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


def test_record_writes_one_video_frame_per_frame(tmp_path, capsys):
    source = open_source("demo")
    processor = FrameProcessor()
    snapshot = Snapshot()
    frames = [source.read().copy() for _ in range(5)]
    source.close()
    path = tmp_path / "maps.avi"
    args = argparse.Namespace(record=str(path))
    assert record_from_args(args, frames, lambda f, i: processor.process(f, snapshot, index=i, smooth=False)) == 0
    written = _read_all(path)
    assert len(written) == 5
    expected = maps_video_frame(processor.process(frames[0], snapshot, smooth=False))
    assert written[0].shape[1] == VIDEO_WIDTH and written[0].shape[:2] == expected.shape[:2]
    assert "recorded 5 frames" in capsys.readouterr().out


def test_a_small_map_is_enlarged_in_the_video_frame():
    example = notes_example("vertical_edge")
    snapshot = Snapshot(bank=example.bank(), layer=example.settings)
    rendered = FrameProcessor().process(example.input, snapshot, smooth=False)
    assert np.allclose(rendered.views["filters"].tile(0), [[0, 30, 30, 0]] * 4)
    frame = maps_video_frame(rendered)
    # the input, 6 cells wide, fills a third of the frame with crisp cells: bright left, dark right
    third = VIDEO_WIDTH // 3
    assert frame[10, 10].mean() > 200 and frame[10, third - 10].mean() < 60
    # the 4×4 map is hundreds of pixels wide, not 4
    right = frame[:, third + 8:]
    inked = np.flatnonzero((right != right[0, 0]).any(axis=2).any(axis=0))
    assert inked.size and inked[-1] - inked[0] > 200
