"""The sliding window's steps fill the output the engine computes."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import conv2d
from playground.engine.layer import LayerSettings, PoolSettings, run_layer
from playground.render.sliding_window import SlidingWindow


@pytest.mark.parametrize("settings", [
    LayerSettings(padding="valid"),
    LayerSettings(padding="same", stride=2, activation="relu"),
    LayerSettings(padding=((2, 0), (0, 1)), dilation=2, flip=True, activation="abs"),
    LayerSettings(padding=1, stride=3, pool=PoolSettings("max", 2, 2)),
], ids=["valid", "same-s2-relu", "asym-dilated-flip", "p1-s3-pool-ignored"])
def test_the_final_filled_output_is_the_engine_map(settings):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((8, 9, 2)).astype(np.float32)
    w = rng.standard_normal((3, 3, 2, 2)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    window = SlidingWindow(x, w, b, settings, k=1)
    expected = run_layer(x, w, b, settings).maps[:, :, 1]
    steps = list(window)
    assert len(steps) == expected.size == len(window)
    np.testing.assert_allclose(steps[-1].filled, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(window.result(), expected, rtol=1e-5, atol=1e-5)
    # reading order, one more cell each step, at the stride
    for i, step in enumerate(steps):
        assert (step.out_row, step.out_col) == divmod(i, expected.shape[1])
        assert (step.padded_row, step.padded_col) == (step.out_row * settings.stride, step.out_col * settings.stride)
        assert int(np.isfinite(step.filled).sum()) == i + 1
        assert step.filled[step.out_row, step.out_col] == pytest.approx(step.value)


def test_the_notes_edge_fills_with_30s_and_shows_products():
    x = np.zeros((6, 6), np.float32)
    x[:, :3] = 10
    edge = np.array([[1, 0, -1]] * 3, np.float32)[:, :, None, None]
    window = SlidingWindow(x, edge, None, LayerSettings(padding="valid"), 0)
    assert window.padded_shape == (6, 6) and not window.padding_mask().any()
    second = window.step(1)
    np.testing.assert_array_equal(second.cell.products[:, :, 0], [[10, 0, 0]] * 3)
    assert second.value == 30.0
    np.testing.assert_array_equal(window.result(), conv2d(x, edge[:, :, 0, 0]))
    np.testing.assert_array_equal(window.result(), [[0, 30, 30, 0]] * 4)


def test_a_region_of_a_big_frame_and_random_access():
    rng = np.random.default_rng(1)
    x = rng.random((40, 50, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 1)).astype(np.float32)
    settings = LayerSettings(padding="same")
    window = SlidingWindow(x, w, None, settings, 0, rows=range(10, 14), cols=range(20, 25))
    assert len(window) == 20
    last = window.step(-1)  # jump to the end first: earlier steps are computed on the way
    assert (last.out_row, last.out_col) == (13, 24)
    expected = conv2d(x, w, padding="same")[10:14, 20:25, 0]
    np.testing.assert_allclose(last.filled[10:14, 20:25], expected, rtol=1e-5, atol=1e-5)
    assert np.isnan(last.filled[:10]).all() and np.isnan(last.filled[:, :20]).all()
    assert np.isfinite(window.step(3).filled).sum() == 4  # stepping back shows less
    padded = window.padded_input()
    assert padded.shape == (42, 52, 3) and window.padding_mask()[0].all()
    np.testing.assert_array_equal(padded[1:-1, 1:-1], x)


def test_bad_regions_and_steps():
    x = np.ones((6, 6, 1), np.float32)
    w = np.ones((3, 3, 1, 1), np.float32)
    settings = LayerSettings(padding="valid")
    with pytest.raises(ValueError, match="rows"):
        SlidingWindow(x, w, None, settings, 0, rows=range(2, 6))
    with pytest.raises(ValueError, match="cols"):
        SlidingWindow(x, w, None, settings, 0, cols=range(0))
    with pytest.raises(IndexError, match="filter 1"):
        SlidingWindow(x, w, None, settings, 1)
    with pytest.raises(ValueError, match="no output to fill"):
        SlidingWindow(np.ones((2, 2, 1), np.float32), w, None, settings, 0)
    with pytest.raises(IndexError, match="step 16 does not exist"):
        SlidingWindow(x, w, None, settings, 0).step(16)
