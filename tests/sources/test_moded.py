"""A source seen through an input mode: raw scale and gray, adopted without being closed twice."""

from __future__ import annotations

import numpy as np

from playground.sources import open_source
from playground.sources.input_mode import InputMode
from playground.sources.matrix import MatrixSource
from playground.sources.moded import ModedSource, unwrapped, with_mode


def test_raw_gray_frames_and_the_mode_changed_in_place():
    demo = open_source("demo")
    plain = demo.read().copy()
    moded = with_mode(demo, InputMode("raw", grayscale=True))
    assert isinstance(moded, ModedSource) and unwrapped(moded) is demo
    frame = moded.read()
    assert frame.shape == plain.shape[:2] + (1,)
    assert frame.max() > 1.5 and frame.max() <= 255.0
    assert "gray, 0–255" in moded.description
    assert with_mode(moded, InputMode()) is moded   # changed in place: no new source to switch to
    assert moded.read().shape == plain.shape and moded.description == demo.description
    moded.close()
    assert demo.closed


def test_the_adopted_source_ignores_close_until_its_wrapper_closes():
    demo = open_source("demo")
    moded = with_mode(demo, InputMode("raw"))
    demo.close()   # what the frame loop does to the source it replaces
    assert not demo.closed and moded.read().shape[2] == 3
    moded.close()
    assert demo.closed


def test_matrices_stay_raw_and_gray_applies_to_three_channels():
    matrix = MatrixSource(np.full((2, 2, 3), 10.0))
    moded = ModedSource(matrix, InputMode("raw", grayscale=True))
    frame = moded.read()
    assert frame.shape == (2, 2, 1) and np.allclose(frame, 10.0)   # luminance of (10, 10, 10), not ×255
    assert with_mode(open_source("demo"), InputMode()).kind == "demo"
