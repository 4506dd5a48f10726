"""The synthetic demo picture: the first thing every user sees, with no camera."""

from __future__ import annotations

import numpy as np
import pytest

from playground.sources.demo import demo_frame


def test_default_shape_dtype_and_range():
    frame = demo_frame()
    assert frame.shape == (480, 640, 3)
    assert frame.dtype == np.float32
    assert frame.min() >= 0.0 and frame.max() <= 1.0
    assert np.isfinite(frame).all()


@pytest.mark.parametrize("size", [(1, 1), (7, 5), (120, 160), (720, 1280)])
def test_any_size(size):
    frame = demo_frame(*size)
    assert frame.shape == (*size, 3)
    assert frame.min() >= 0.0 and frame.max() <= 1.0


def test_has_a_strong_vertical_edge():
    grey = demo_frame().mean(axis=2)
    column_steps = np.abs(np.diff(grey, axis=1))
    assert column_steps.max() > 0.5
    # and it runs down a good part of the picture, not a single pixel
    assert (column_steps.max(axis=1) > 0.5).sum() > 100


def test_has_a_strong_horizontal_edge():
    grey = demo_frame().mean(axis=2)
    row_steps = np.abs(np.diff(grey, axis=0))
    assert (row_steps.max(axis=0) > 0.2).sum() > 100


def test_colours_differ_between_channels():
    frame = demo_frame()
    r, g, b = frame[..., 0], frame[..., 1], frame[..., 2]
    assert np.abs(r - g).max() > 0.3
    assert np.abs(g - b).max() > 0.3
    assert np.abs(r - b).max() > 0.3


def test_time_animates_the_frame():
    still = demo_frame(t=0.0)
    assert not np.array_equal(still, demo_frame(t=0.5))
    np.testing.assert_array_equal(still, demo_frame(t=0.0))  # same t, same picture


@pytest.mark.parametrize("bad", [dict(height=0), dict(width=-3), dict(height=2.5), dict(t=float("nan"))])
def test_bad_arguments_are_refused(bad):
    with pytest.raises(ValueError):
        demo_frame(**bad)
