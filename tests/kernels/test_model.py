"""The filter-bank model: validation with messages that name the filter, limits, edits, resizing."""

from __future__ import annotations

import numpy as np
import pytest

from playground.kernels import MAX_FILTERS, MAX_SIZE, Filter, FilterBank

VERTICAL = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]


def rgb(kernel) -> np.ndarray:
    return np.repeat(np.asarray(kernel, np.float32)[:, :, None], 3, axis=2)


def bank_of(count: int, size: int = 3) -> FilterBank:
    return FilterBank(tuple(Filter(f"k{i}", np.full((size, size, 3), i, np.float32)) for i in range(count)))


# --- Filter validation ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("weights", "words"),
    [
        ([[1, 0, np.nan], [1, 0, -1], [1, 0, -1]], "finite"),
        ([[1, 0, np.inf], [1, 0, -1], [1, 0, -1]], "finite"),
        ([[1, 0, -np.inf], [1, 0, -1], [1, 0, -1]], "finite"),
        ([[1, 0, -1], [1, 0], [1, 0, -1]], "numbers"),            # ragged rows
        (np.zeros((3, 4, 3)), "square"),
        (np.zeros((MAX_SIZE + 1, MAX_SIZE + 1, 3)), "1 to 11"),
        (np.zeros((0, 0, 3)), "1 to 11"),
        (np.zeros((3, 3, 3, 2)), "(f, f, n_c)"),
        (np.zeros(3), "(f, f, n_c)"),
        ([["a", "b"], ["c", "d"]], "numbers"),
        (np.full((3, 3), 2e6), "1e6"),
    ],
)
def test_bad_weights_are_refused_with_a_message_naming_the_filter(weights, words):
    with pytest.raises(ValueError) as caught:
        Filter("My edge", weights)
    message = str(caught.value)
    assert "'My edge'" in message
    assert words in message


@pytest.mark.parametrize("name", ["", "   ", "x" * 41])
def test_bad_names_are_refused(name):
    with pytest.raises(ValueError, match="name"):
        Filter(name, VERTICAL)


@pytest.mark.parametrize("bias", [np.nan, np.inf, -np.inf, 2e6])
def test_bad_bias_is_refused(bias):
    with pytest.raises(ValueError, match="'b': bias"):
        Filter("b", VERTICAL, bias=bias)
    with pytest.raises(ValueError):
        Filter("b", VERTICAL, bias="abc")


def test_filter_normalises_its_fields_and_freezes_weights():
    item = Filter("  Edge  ", VERTICAL, bias=1, enabled=0, linked=1)
    assert item.name == "Edge"
    assert item.weights.shape == (3, 3, 1) and item.weights.dtype == np.float32
    assert (item.size, item.channels) == (3, 1)
    assert item.bias == 1.0 and item.enabled is False and item.linked is True
    with pytest.raises(ValueError):
        item.weights[0, 0, 0] = 5.0  # read-only: a worker's snapshot cannot change under it
    source = rgb(VERTICAL)
    copy = Filter("c", source)
    source[0, 0, 0] = 9
    assert copy.weights[0, 0, 0] == 1  # the filter copied its input


def test_with_cell_sets_one_channel_or_all():
    item = Filter("v", rgb(VERTICAL))
    one = item.with_cell(0, 1, 2, 5.0)
    expected = rgb(VERTICAL)
    expected[0, 1, 2] = 5
    np.testing.assert_array_equal(one.weights, expected)
    every = item.with_cell(2, 2, None, -3.0)
    expected = rgb(VERTICAL)
    expected[2, 2, :] = -3
    np.testing.assert_array_equal(every.weights, expected)
    np.testing.assert_array_equal(item.weights, rgb(VERTICAL))  # the original is untouched
    with pytest.raises(ValueError, match="finite"):
        item.with_cell(0, 0, None, float("nan"))


def test_filter_equality_compares_weights():
    assert Filter("a", VERTICAL) == Filter("a", VERTICAL)
    assert Filter("a", VERTICAL) != Filter("a", np.transpose(VERTICAL))
    assert Filter("a", VERTICAL) != Filter("a", VERTICAL, bias=1)


# --- FilterBank -------------------------------------------------------------------------
def test_bank_limits():
    with pytest.raises(ValueError, match="at least one"):
        FilterBank(())
    with pytest.raises(ValueError, match=f"at most {MAX_FILTERS}"):
        bank_of(MAX_FILTERS + 1)
    full = bank_of(MAX_FILTERS)
    assert len(full) == MAX_FILTERS == 64
    with pytest.raises(ValueError, match=f"the bank is full: at most {MAX_FILTERS} filters"):
        full.add(Filter("more", np.zeros((3, 3, 3))))
    with pytest.raises(ValueError, match="the bank is full"):
        full.duplicate(0)
    with pytest.raises(ValueError, match="last one cannot be removed"):
        bank_of(1).remove(0)
    with pytest.raises(ValueError, match="Filter values"):
        FilterBank(("not a filter",))


def test_bank_refuses_mixed_shapes_and_channels():
    with pytest.raises(ValueError, match="same f×f×n_c"):
        FilterBank((Filter("a", np.zeros((3, 3, 3))), Filter("b", np.zeros((5, 5, 3)))))
    with pytest.raises(ValueError, match="channels"):
        bank_of(2).add(Filter("gray", np.zeros((3, 3, 1))))


def test_bank_stacks_enabled_filters_as_conv_weights():
    bank = FilterBank((
        Filter("a", rgb(VERTICAL), bias=1),
        Filter("b", rgb(np.transpose(VERTICAL)), bias=2, enabled=False),
        Filter("c", np.ones((3, 3, 3)), bias=3),
    ))
    assert (bank.size, bank.channels, len(bank)) == (3, 3, 3)
    assert bank.active == (0, 2)
    assert bank.names() == ("a", "c")
    weights = bank.weights()
    assert weights.shape == (3, 3, 3, 2) and weights.dtype == np.float32
    np.testing.assert_array_equal(weights[..., 0], rgb(VERTICAL))
    np.testing.assert_array_equal(weights[..., 1], np.ones((3, 3, 3)))
    np.testing.assert_array_equal(bank.biases(), [1, 3])
    off = FilterBank((Filter("a", VERTICAL, enabled=False),))
    assert off.weights().shape == (3, 3, 1, 0) and off.biases().shape == (0,)


def test_bank_edits_return_new_banks():
    bank = bank_of(3)
    assert [item.name for item in bank.move(0, 2)] == ["k1", "k2", "k0"]
    assert [item.name for item in bank.move(2, 0)] == ["k2", "k0", "k1"]
    assert [item.name for item in bank.remove(1)] == ["k0", "k2"]
    copied = bank.duplicate(1)
    assert [item.name for item in copied] == ["k0", "k1", "k1 copy", "k2"]
    np.testing.assert_array_equal(copied[2].weights, bank[1].weights)
    assert [item.name for item in copied.duplicate(1)] == ["k0", "k1", "k1 copy 2", "k1 copy", "k2"]
    added = bank.add(Filter("small", np.ones((1, 1, 3))), 0)
    assert added[0].name == "small" and added[0].size == 3  # resized to the bank's f, centred
    np.testing.assert_array_equal(added[0].weights[:, :, 0], [[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert [item.name for item in bank] == ["k0", "k1", "k2"]  # unchanged
    assert bank.unique_name("new") == "new"
    assert bank.unique_name("k1") == "k1 2"


def test_replace_filter_resizes_to_the_bank():
    bank = bank_of(2, size=5)
    replaced = bank.replace_filter(1, Filter("v", rgb(VERTICAL)))
    assert replaced[1].size == 5
    np.testing.assert_array_equal(replaced[1].weights[1:4, 1:4], rgb(VERTICAL))


# --- resizing, centred ------------------------------------------------------------------
def identity(f: int) -> np.ndarray:
    kernel = np.zeros((f, f, 3), np.float32)
    kernel[(f - 1) // 2, (f - 1) // 2] = 1
    return kernel


@pytest.mark.parametrize("f", range(1, MAX_SIZE + 1))
@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_resizing_keeps_the_centre_cell_on_the_centre(f, size):
    bank = FilterBank((Filter("id", identity(f)),))
    np.testing.assert_array_equal(bank.resized(size)[0].weights, identity(size))


def test_resizing_pads_odd_sizes_evenly_and_crops_back():
    kernel = np.arange(9, dtype=np.float32).reshape(3, 3)
    bank = FilterBank((Filter("k", rgb(kernel)),))
    grown = bank.resized(5)[0].weights[:, :, 0]
    expected = np.zeros((5, 5))
    expected[1:4, 1:4] = kernel
    np.testing.assert_array_equal(grown, expected)
    assert bank.resized(5).resized(3) == bank
    np.testing.assert_array_equal(bank.resized(1)[0].weights[:, :, 0], [[4]])


def test_resizing_to_even_sizes_puts_the_extra_bottom_right():
    kernel = np.arange(9, dtype=np.float32).reshape(3, 3)
    bank = FilterBank((Filter("k", rgb(kernel)),))
    four = bank.resized(4)[0].weights[:, :, 0]
    expected = np.zeros((4, 4))
    expected[0:3, 0:3] = kernel                     # centre (1, 1) stays at (4 − 1)//2 = 1
    np.testing.assert_array_equal(four, expected)
    two = bank.resized(2)[0].weights[:, :, 0]
    np.testing.assert_array_equal(two, kernel[1:3, 1:3])  # centre (1, 1) → (0, 0)
    assert bank.resized(4).resized(3) == bank


@pytest.mark.parametrize("size", [0, MAX_SIZE + 1, -3])
def test_resizing_refuses_bad_sizes(size):
    with pytest.raises(ValueError, match="1 to 11"):
        bank_of(1).resized(size)


def test_unique_names_stay_within_the_name_limit():
    long_name = "L" * 40
    bank = FilterBank((Filter(long_name, np.zeros((3, 3, 3))),))
    bank = bank.duplicate(0).duplicate(0).duplicate(0)
    names = [item.name for item in bank.filters]
    assert len(set(names)) == len(names) == 4
    assert all(len(name) <= 40 for name in names)


@pytest.mark.parametrize("bias", ["abc", None, [1, 2]])
def test_a_bias_that_is_not_a_number_names_the_filter(bias):
    with pytest.raises(ValueError, match="filter 'edge': bias must be a number"):
        Filter("edge", np.zeros((3, 3, 3)), bias=bias)
