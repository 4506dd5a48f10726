"""A bank following its input's channels: 3 → 1 sums, 1 → 3 repeats, the same numbers on gray."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import conv2d
from playground.kernels import Filter, FilterBank
from playground.kernels.channels import filter_for_channels, follow_channels, follow_channels_text


def _colour_bank():
    rng = np.random.default_rng(7)
    return FilterBank((
        Filter("random", rng.standard_normal((3, 3, 3)), bias=0.5, linked=False),
        Filter("edge", np.repeat(np.array([[1, 0, -1]] * 3)[:, :, None], 3, 2)),
        Filter("off", np.ones((3, 3, 3)), enabled=False),
    ))


def test_three_to_one_sums_the_slices_and_gives_the_same_numbers_on_gray():
    bank = _colour_bank()
    gray_bank = follow_channels(bank, 1)
    assert gray_bank.channels == 1 and len(gray_bank) == 3
    np.testing.assert_allclose(gray_bank[0].weights[:, :, 0], bank[0].weights.sum(axis=2), rtol=1e-6)
    np.testing.assert_array_equal(gray_bank[1].weights[:, :, 0], 3 * np.array([[1, 0, -1]] * 3))
    assert [f.name for f in gray_bank] == ["random", "edge", "off"]
    assert gray_bank[0].bias == 0.5 and not gray_bank[2].enabled
    gray = np.random.default_rng(2).random((8, 9, 1)).astype(np.float32)
    as_rgb = np.repeat(gray, 3, axis=2)
    np.testing.assert_allclose(conv2d(gray, gray_bank.weights(), gray_bank.biases()),
                               conv2d(as_rgb, bank.weights(), bank.biases()), rtol=1e-5, atol=1e-5)


def test_one_to_three_repeats_and_round_trips():
    one = FilterBank((Filter("k", np.arange(9.0).reshape(3, 3), linked=False),))
    three = follow_channels(one, 3)
    assert three.channels == 3
    for c in range(3):
        np.testing.assert_array_equal(three[0].weights[:, :, c], one[0].weights[:, :, 0])
    assert three[0].linked is False  # flags kept
    assert follow_channels(follow_channels(one, 3), 1)[0].weights[1, 1, 0] == 3 * 4.0


def test_linked_survives_only_with_equal_slices():
    bank = _colour_bank()
    assert follow_channels(follow_channels(bank, 1), 3)[1].linked
    assert not filter_for_channels(Filter("x", np.ones((3, 3, 2)) * [1, 2]), 3).linked


def test_other_counts_keep_common_slices_and_add_zeros():
    bank = _colour_bank()
    five = follow_channels(bank, 5)
    np.testing.assert_array_equal(five[0].weights[:, :, :3], bank[0].weights)
    assert not five[0].weights[:, :, 3:].any()
    two = follow_channels(bank, 2)
    np.testing.assert_array_equal(two[0].weights, bank[0].weights[:, :, :2])


def test_same_count_is_the_same_bank_and_bad_counts_are_refused():
    bank = _colour_bank()
    assert follow_channels(bank, 3) is bank
    for bad in (0, -1, 1.5, True, "3"):
        with pytest.raises(ValueError, match="number of channels"):
            follow_channels(bank, bad)


def test_texts():
    assert "summed" in follow_channels_text(3, 1)
    assert "repeated on all 3" in follow_channels_text(1, 3)
    assert "first 2 of 3" in follow_channels_text(3, 2)
    assert "2 new ones are zeros" in follow_channels_text(3, 5)
    assert "already" in follow_channels_text(3, 3)
