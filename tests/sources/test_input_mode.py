"""Input modes: [0, 1] or raw 0–255, colour or one luminance channel."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from playground.sources.input_mode import InputMode, apply_input_mode, input_channels, scale_frame, to_grayscale


def _frame():
    return np.random.default_rng(4).random((5, 7, 3)).astype(np.float32)


def test_grayscale_is_the_luminance_opencv_computes():
    frame = _frame()
    gray = to_grayscale(frame)
    assert gray.shape == (5, 7, 1) and gray.dtype == np.float32 and gray.flags.c_contiguous
    np.testing.assert_allclose(gray[:, :, 0], cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), atol=1e-6)
    r, g, b = frame[0, 0]
    assert gray[0, 0, 0] == pytest.approx(0.299 * r + 0.587 * g + 0.114 * b, rel=1e-6)


def test_grayscale_of_gray_is_a_copy_and_other_counts_are_refused():
    one = np.ones((2, 2, 1), np.float32)
    assert to_grayscale(one) is not one and to_grayscale(one[:, :, 0]).shape == (2, 2, 1)
    with pytest.raises(ValueError, match="RGB"):
        to_grayscale(np.ones((2, 2, 32)))


def test_raw_scale_multiplies_by_255():
    frame = _frame()
    assert scale_frame(frame, "unit") is frame
    np.testing.assert_allclose(scale_frame(frame, "raw"), frame * 255, rtol=1e-6)
    with pytest.raises(ValueError, match="'unit'"):
        scale_frame(frame, "percent")


def test_apply_input_mode_on_pictures_and_matrices():
    frame = _frame()
    assert apply_input_mode(frame, InputMode()) is frame
    gray_raw = apply_input_mode(frame, InputMode("raw", grayscale=True))
    np.testing.assert_allclose(gray_raw, to_grayscale(frame) * 255, rtol=1e-5)
    assert not np.shares_memory(gray_raw, frame)
    matrix = np.full((6, 6, 1), 10.0, np.float32)
    assert apply_input_mode(matrix, InputMode("raw"), raw_source=True) is matrix  # raw already
    colour_matrix = np.full((2, 2, 3), 10.0, np.float32)
    np.testing.assert_allclose(apply_input_mode(colour_matrix, InputMode("raw", True), raw_source=True), 10.0)


def test_mode_values_and_settings_round_trip():
    mode = InputMode("raw", grayscale=True)
    assert mode.describe() == "gray, 0–255" and InputMode().describe() == "RGB, [0, 1]"
    assert InputMode.from_dict(mode.to_dict()) == mode
    assert input_channels(3, mode) == 1 and input_channels(3, InputMode()) == 3
    for bad in ({"scale": "x"}, {"grayscale": "yes"}, {"colour": 1}, []):
        with pytest.raises(ValueError):
            InputMode.from_dict(bad)
