"""Conversion of decoded pictures to frames: channels, bit depth, clipping, size."""

from __future__ import annotations

import numpy as np
import pytest

from playground.sources.frames import check_downscale, check_max_side, fitted_size, to_rgb_frame


@pytest.mark.parametrize(
    ("size", "max_side", "downscale", "expected"),
    [
        ((4000, 6000), 1600, 1, (1067, 1600)),
        ((480, 640), 1920, 1, (480, 640)),
        ((480, 640), 1920, 2, (240, 320)),
        ((481, 641), 1920, 2, (241, 321)),
        ((3000, 1000), 1500, 2, (750, 250)),
        ((1, 5), 1920, 4, (1, 1)),
    ],
)
def test_fitted_size(size, max_side, downscale, expected):
    assert fitted_size(*size, max_side, downscale) == expected


def test_bgr_becomes_rgb_exactly():
    raw = np.zeros((2, 3, 3), np.uint8)
    raw[0, 0] = (0, 0, 255)  # red in BGR
    raw[0, 1] = (255, 0, 0)  # blue in BGR
    raw[1, 2] = (0, 128, 0)
    frame, notices = to_rgb_frame(raw)
    assert frame.dtype == np.float32 and frame.flags.c_contiguous and frame.shape == (2, 3, 3)
    np.testing.assert_array_equal(frame[0, 0], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(frame[0, 1], [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(frame[1, 2], np.float32([0, 128 / 255, 0]))
    assert notices == ()


@pytest.mark.parametrize("shape", [(3, 4), (3, 4, 1)])
def test_grey_gets_three_equal_channels(shape):
    raw = np.arange(12, dtype=np.uint8).reshape(shape) * 20
    frame, notices = to_rgb_frame(raw)
    assert frame.shape == (3, 4, 3)
    np.testing.assert_array_equal(frame[..., 0], frame[..., 1])
    np.testing.assert_array_equal(frame[..., 1], frame[..., 2])
    np.testing.assert_array_equal(frame[..., 0], raw.reshape(3, 4) / np.float32(255))
    assert "grayscale image: all three channels are equal" in notices


def test_alpha_is_dropped():
    raw = np.zeros((2, 2, 4), np.uint8)
    raw[..., 2] = 255  # red
    raw[..., 3] = 10  # nearly transparent: ignored
    frame, notices = to_rgb_frame(raw)
    np.testing.assert_array_equal(frame[0, 0], [1.0, 0.0, 0.0])
    assert any("alpha channel dropped" in n for n in notices)


def test_grey_with_alpha():
    raw = np.zeros((2, 2, 2), np.uint8)
    raw[..., 0], raw[..., 1] = 51, 255
    frame, notices = to_rgb_frame(raw)
    np.testing.assert_array_equal(frame, np.full((2, 2, 3), np.float32(51 / 255)))
    assert len(notices) == 2


def test_sixteen_bit_is_scaled_by_65535():
    raw = np.array([[0, 32768, 65535]], np.uint16)
    frame, notices = to_rgb_frame(raw)
    np.testing.assert_allclose(frame[0, :, 0], [0.0, 32768 / 65535, 1.0], rtol=0, atol=1e-7)
    assert "16-bit image scaled to [0, 1]" in notices


def test_signed_integers_lose_negatives():
    raw = np.array([[-100, 0, 32767]], np.int16)
    frame, notices = to_rgb_frame(raw)
    np.testing.assert_allclose(frame[0, :, 0], [0.0, 0.0, 1.0])
    assert any("negative values set to 0" in n for n in notices)


def test_float_in_range_is_kept_without_notice():
    raw = np.array([[[0.25, 0.5, 0.75]]], np.float64)
    frame, notices = to_rgb_frame(raw)
    np.testing.assert_array_equal(frame[0, 0], np.float32([0.75, 0.5, 0.25]))  # BGR → RGB
    assert notices == ()


def test_float_out_of_range_is_clipped_with_notice():
    raw = np.array([[[-0.5, 0.5, 2.0]]], np.float32)
    frame, notices = to_rgb_frame(raw)
    np.testing.assert_array_equal(frame[0, 0], [1.0, 0.5, 0.0])
    assert any("clipped to [0, 1]" in n and "-0.5" in n and "2" in n for n in notices)


def test_non_finite_floats_become_zero():
    raw = np.array([[[np.nan, np.inf, 0.5]]], np.float32)
    frame, notices = to_rgb_frame(raw)
    np.testing.assert_array_equal(frame[0, 0], [0.5, 0.0, 0.0])
    assert any("non-finite" in n for n in notices)


def test_input_is_not_modified():
    raw = np.array([[[-0.5, 0.5, 2.0]]], np.float32)
    to_rgb_frame(raw)
    np.testing.assert_array_equal(raw, [[[-0.5, 0.5, 2.0]]])


def test_max_side_shrinks_with_notice_and_area_averaging():
    raw = np.zeros((40, 60), np.uint8)
    raw[:, ::2] = 255  # one-pixel stripes: area averaging turns them mid-grey
    frame, notices = to_rgb_frame(raw, max_side=30)
    assert frame.shape == (20, 30, 3)
    np.testing.assert_allclose(frame, 0.5, atol=1 / 255)
    assert "scaled down from 60×40 to 30×20 for speed" in notices


def test_downscale_halves_without_notice():
    raw = np.zeros((40, 60, 3), np.uint16)
    raw[::2, ::2] = 65535
    frame, notices = to_rgb_frame(raw, downscale=2)
    assert frame.shape == (20, 30, 3)
    np.testing.assert_allclose(frame, 0.25, atol=1e-4)
    assert not any("scaled down" in n for n in notices)


@pytest.mark.parametrize(
    "raw",
    [np.zeros((0, 4, 3), np.uint8), np.zeros((2, 2, 5), np.uint8), np.zeros((2, 2, 3, 1), np.uint8),
     np.zeros((2, 2, 3), np.complex64), np.zeros((2, 2), bool)],  # fmt: skip
)
def test_impossible_pictures_are_refused(raw):
    with pytest.raises(ValueError):
        to_rgb_frame(raw)


@pytest.mark.parametrize("bad", [0, 5, 1.5, True, "2", None])
def test_check_downscale(bad):
    with pytest.raises(ValueError, match="downscale must be 1, 2, 3 or 4"):
        check_downscale(bad)
    assert check_downscale(np.int64(3)) == 3


@pytest.mark.parametrize("bad", [0, -5, 100.0, False])
def test_check_max_side(bad):
    with pytest.raises(ValueError, match="max_side"):
        check_max_side(bad)
