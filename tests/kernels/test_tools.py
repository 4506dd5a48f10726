"""Kernel tools: each returns a new kernel and leaves its input alone."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import conv2d
from playground.kernels import TOOLS, clear, flip, negate, normalize, randomize, transpose, zero_mean

VERTICAL = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], np.float32)


def asymmetric(f: int = 3, n_c: int = 3) -> np.ndarray:
    return np.arange(f * f * n_c, dtype=np.float32).reshape(f, f, n_c) - 4


def test_toolbar_lists_every_tool_with_a_tooltip():
    labels = [label for label, _, _ in TOOLS]
    assert labels == ["Normalize", "Zero-mean", "Flip", "Transpose", "Negate", "Randomize", "Clear"]
    functions = [function for _, function, _ in TOOLS]
    assert functions == [normalize, zero_mean, flip, transpose, negate, randomize, clear]
    assert all(tip for _, _, tip in TOOLS)


@pytest.mark.parametrize("kernel", [np.ones((3, 3)), np.ones((5, 5, 3)) * 2, asymmetric() + 10])
def test_normalize_makes_the_weights_sum_to_one(kernel):
    result = normalize(kernel)
    assert result.dtype == np.float32 and result.shape == kernel.shape
    assert result.sum() == pytest.approx(1.0, rel=1e-6)
    np.testing.assert_allclose(result * kernel.sum(), kernel, rtol=1e-5)


def test_normalize_refuses_a_zero_sum():
    with pytest.raises(ValueError, match="the weights sum to 0, so they cannot be scaled to sum 1"):
        normalize(VERTICAL)
    with pytest.raises(ValueError, match="sum to 0"):
        normalize(np.zeros((3, 3, 3)))


def test_zero_mean():
    result = zero_mean(asymmetric())
    assert abs(float(result.mean())) < 1e-6
    np.testing.assert_allclose(result - asymmetric(), -asymmetric().mean() * np.ones_like(result), atol=1e-5)
    np.testing.assert_array_equal(zero_mean(VERTICAL), VERTICAL)  # already zero-mean


def test_flip_rotates_by_180_degrees():
    np.testing.assert_array_equal(flip(np.array([[1, 2], [3, 4]])), [[4, 3], [2, 1]])
    kernel = asymmetric()
    np.testing.assert_array_equal(flip(kernel), kernel[::-1, ::-1, :])
    np.testing.assert_array_equal(flip(flip(kernel)), kernel)
    assert not np.array_equal(flip(kernel), kernel)


@pytest.mark.parametrize("f", [2, 3, 4, 5])
def test_cross_correlation_with_the_flipped_kernel_is_true_convolution(f):
    rng = np.random.default_rng(f)
    image = rng.standard_normal((10, 12, 3)).astype(np.float32)
    kernel = rng.standard_normal((f, f, 3)).astype(np.float32)
    flipped = conv2d(image, flip(kernel)[..., None])
    true = conv2d(image, kernel[..., None], flip=True)
    np.testing.assert_allclose(flipped, true, rtol=1e-5, atol=1e-5)
    assert not np.allclose(conv2d(image, kernel[..., None]), true)  # it does differ from correlation


def test_transpose_turns_vertical_into_horizontal():
    np.testing.assert_array_equal(transpose(VERTICAL), [[1, 1, 1], [0, 0, 0], [-1, -1, -1]])
    kernel = asymmetric()
    result = transpose(kernel)
    for channel in range(3):
        np.testing.assert_array_equal(result[:, :, channel], kernel[:, :, channel].T)


def test_negate_and_clear():
    kernel = asymmetric()
    np.testing.assert_array_equal(negate(kernel), -kernel)
    np.testing.assert_array_equal(negate(negate(kernel)), kernel)
    cleared = clear(kernel)
    assert cleared.shape == kernel.shape and cleared.dtype == np.float32 and not cleared.any()


def test_randomize_is_deterministic_with_a_seed():
    kernel = np.zeros((5, 5, 3))
    first = randomize(kernel, np.random.default_rng(7))
    again = randomize(kernel, np.random.default_rng(7))
    other = randomize(kernel, np.random.default_rng(8))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert first.shape == (5, 5, 3) and first.dtype == np.float32 and np.isfinite(first).all()
    big = randomize(np.zeros((11, 11, 300)), np.random.default_rng(0))
    assert float(big.std()) == pytest.approx(1 / 11, rel=0.05)  # N(0, 1/(f·f))
    assert randomize(VERTICAL).shape == (3, 3)


@pytest.mark.parametrize(("label", "function", "tip"), TOOLS)
def test_tools_leave_their_input_alone(label, function, tip):
    kernel = asymmetric() + 1
    before = kernel.copy()
    result = function(kernel)
    np.testing.assert_array_equal(kernel, before)
    assert result.shape == kernel.shape and result is not kernel


def test_normalize_refuses_a_kernel_that_zero_mean_left_at_float_rounding_noise():
    from playground.kernels.presets import preset_weights

    centred = zero_mean(preset_weights("Gaussian blur", 5))
    with pytest.raises(ValueError, match="sum to 0"):
        normalize(centred)
