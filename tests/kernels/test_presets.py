"""Presets: the notes' kernels exactly, the classic filters, sizes and channels."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.engine import conv2d
from playground.kernels import MAX_SIZE, FilterBank, preset_filter, preset_names, preset_weights, starter_bank
from playground.kernels.presets import PRESETS

# Written out from the lecture notes and the textbook definitions, not imported.
VERTICAL = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]
SOBEL_X = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
SCHARR_X = [[3, 0, -3], [10, 0, -10], [3, 0, -3]]


def _gaussian_3x3() -> np.ndarray:
    side = math.exp(-1 / (2 * 0.8 ** 2))  # σ = 0.8 for 3×3
    axis = np.array([side, 1.0, side]) / (1 + 2 * side)
    return np.outer(axis, axis)


EXPECTED_3x3 = {
    "Identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "Vertical edge": VERTICAL,
    "Horizontal edge": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "Sobel x": SOBEL_X,
    "Sobel y": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "Scharr x": SCHARR_X,
    "Scharr y": [[3, 10, 3], [0, 0, 0], [-3, -10, -3]],
    "Prewitt x": VERTICAL,
    "Prewitt y": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "Laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "Box blur": np.full((3, 3), 1 / 9),
    "Gaussian blur": _gaussian_3x3(),
    "Sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "Emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}


def test_the_menu_lists_every_preset_once():
    names = preset_names()
    assert len(names) == len(set(names)) == 15
    assert set(EXPECTED_3x3) | {"Red-channel edge"} == set(names)
    assert all(PRESETS[name].description for name in names)


@pytest.mark.parametrize("name", sorted(EXPECTED_3x3))
def test_preset_weights_at_3x3_on_every_channel(name):
    weights = preset_weights(name, 3)
    assert weights.shape == (3, 3, 3) and weights.dtype == np.float32
    for channel in range(3):
        np.testing.assert_allclose(weights[:, :, channel], EXPECTED_3x3[name], rtol=1e-5, atol=1e-6)
    assert preset_filter(name).linked


def test_notes_vertical_and_horizontal_edges():
    vertical = preset_weights("Vertical edge", 3)[:, :, 0]
    np.testing.assert_array_equal(vertical, [[1, 0, -1]] * 3)
    np.testing.assert_array_equal(preset_weights("Horizontal edge", 3)[:, :, 0], vertical.T)
    np.testing.assert_array_equal(preset_weights("Sobel y", 3)[:, :, 0], preset_weights("Sobel x", 3)[:, :, 0].T)
    np.testing.assert_array_equal(preset_weights("Scharr y", 3)[:, :, 0], preset_weights("Scharr x", 3)[:, :, 0].T)


def test_vertical_edge_lights_up_the_notes_example():
    # the notes' 6×6 picture, bright left half, gives 30 in the two middle columns
    image = np.zeros((6, 6))
    image[:, :3] = 10
    out = conv2d(image, preset_weights("Vertical edge", 3)[:, :, 0])
    np.testing.assert_array_equal(out, [[0, 30, 30, 0]] * 4)


def test_red_channel_edge_only_reads_red():
    weights = preset_weights("Red-channel edge", 3)
    np.testing.assert_array_equal(weights[:, :, 0], VERTICAL)
    assert not weights[:, :, 1].any() and not weights[:, :, 2].any()
    assert preset_filter("Red-channel edge").linked is False


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
@pytest.mark.parametrize("name", ["Box blur", "Gaussian blur"])
def test_blurs_sum_to_one_at_every_size(name, size):
    weights = preset_weights(name, size)
    assert weights.shape == (size, size, 3)
    np.testing.assert_allclose(weights.sum(axis=(0, 1)), 1.0, rtol=1e-5)
    assert (weights > 0).all()


@pytest.mark.parametrize("size", [3, 5, 7, 11])
def test_gaussian_peaks_in_the_centre_and_is_symmetric(size):
    kernel = preset_weights("Gaussian blur", size)[:, :, 0]
    centre = size // 2
    assert kernel[centre, centre] == kernel.max()
    np.testing.assert_allclose(kernel, kernel.T, rtol=1e-6)
    np.testing.assert_allclose(kernel, kernel[::-1, ::-1], rtol=1e-6)
    assert np.all(np.diff(kernel[centre, centre:]) < 0)


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_identity_with_same_padding_returns_the_input(size):
    kernel = preset_weights("Identity", size)
    assert kernel[(size - 1) // 2, (size - 1) // 2, 0] == 1 and kernel.sum() == 3
    image = np.random.default_rng(size).standard_normal((9, 13)).astype(np.float32)
    np.testing.assert_allclose(conv2d(image, kernel[:, :, 0], padding="same"), image, atol=1e-6)


@pytest.mark.parametrize("size", [4, 5, 11])
def test_fixed_kernels_are_padded_around_the_centre(size):
    weights = preset_weights("Sobel x", size)[:, :, 0]
    start = (size - 1) // 2 - 1
    expected = np.zeros((size, size))
    expected[start:start + 3, start:start + 3] = SOBEL_X
    np.testing.assert_array_equal(weights, expected)


def test_bad_requests_are_refused():
    with pytest.raises(ValueError, match="3×3 kernel"):
        preset_weights("Sobel x", 2)
    with pytest.raises(ValueError, match="unknown preset"):
        preset_weights("Nope", 3)
    with pytest.raises(ValueError, match="1 to 11"):
        preset_weights("Identity", 12)


def test_channels_are_cut_or_repeated():
    gray = preset_weights("Red-channel edge", 3, channels=1)
    assert gray.shape == (3, 3, 1)
    np.testing.assert_array_equal(gray[:, :, 0], VERTICAL)
    four = preset_weights("Sobel x", 3, channels=4)
    assert four.shape == (3, 3, 4)
    assert all(np.array_equal(four[:, :, c], SOBEL_X) for c in range(4))


def test_preset_filter_and_starter_bank():
    item = preset_filter("Laplacian", 5)
    assert item.name == "Laplacian" and item.size == 5 and item.channels == 3 and item.bias == 0
    bank = starter_bank()
    assert isinstance(bank, FilterBank) and bank.size == 3 and bank.channels == 3
    assert bank.names()[:2] == ("Vertical edge", "Horizontal edge")
    np.testing.assert_array_equal(bank[0].weights[:, :, 2], VERTICAL)
