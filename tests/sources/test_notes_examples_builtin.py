"""The notes' examples, built in: each runs through the engine and gives the notes' numbers."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import conv2d, pool2d
from playground.engine.layer import run_layer
from playground.export.bank_io import load_bank
from playground.sources import open_source
from playground.sources.notes_examples import NOTES_EXAMPLES, example_file_text, notes_example, notes_folder

KEYS = [example.key for example in NOTES_EXAMPLES]


def _run(example):
    out = run_layer(example.input, example.weights, example.biases, example.settings)
    return out.pooled if example.pooled else out.maps


@pytest.mark.parametrize("key", KEYS)
def test_each_example_gives_its_expected_output_through_the_engine(key):
    example = notes_example(key)
    np.testing.assert_allclose(_run(example), example.expected, atol=1e-5)
    # the bank the menu loads computes the same
    bank = example.bank()
    out = run_layer(example.input, bank.weights(), bank.biases(), example.settings)
    np.testing.assert_allclose(out.pooled if example.pooled else out.maps, example.expected, atol=1e-5)


def test_the_notes_numbers_literally():
    edge = conv2d(notes_example("vertical_edge").input, notes_example("vertical_edge").weights)
    assert edge[:, :, 0].tolist() == [[0, 30, 30, 0]] * 4
    mirror = notes_example("vertical_edge_mirror")
    assert conv2d(mirror.input, mirror.weights)[:, :, 0].tolist() == [[0, -30, -30, 0]] * 4
    horizontal = notes_example("horizontal_edge")
    assert conv2d(horizontal.input, horizontal.weights)[:, :, 0].tolist() == [[0] * 4, [30] * 4, [30] * 4, [0] * 4]
    below = notes_example("horizontal_edge_mirror")
    assert conv2d(below.input, below.weights)[1, :, 0].tolist() == [-30] * 4
    volume = notes_example("volume_6x6x3")
    assert volume.input.shape == (6, 6, 3) and volume.weights.shape == (3, 3, 3, 1)
    assert conv2d(volume.input, volume.weights).shape == (4, 4, 1)
    pool = notes_example("max_pool_4x4")
    assert pool2d(pool.input, 2, 2)[:, :, 0].tolist() == [[9, 2], [6, 3]]
    doubling = notes_example("one_by_one_doubling")
    assert doubling.weights.shape == (1, 1, 1, 1) and doubling.weights[0, 0, 0, 0] == 2
    np.testing.assert_array_equal(conv2d(doubling.input, doubling.weights), 2 * doubling.input)


def test_one_by_one_32_to_5_is_five_neurons_at_each_position():
    example = notes_example("one_by_one_32_to_5")
    assert example.input.shape == (6, 6, 32) and example.weights.shape == (1, 1, 32, 5)
    assert example.settings.activation == "relu"
    out = _run(example)
    assert out.shape == (6, 6, 5)
    for row, col, k in [(0, 0, 0), (3, 4, 2), (5, 5, 4), (2, 1, 3)]:
        neuron = sum(float(example.input[row, col, c]) * float(example.weights[0, 0, c, k]) for c in range(32))
        assert out[row, col, k] == pytest.approx(max(neuron + float(example.biases[k]), 0.0), abs=1e-5)
    assert (out == 0).any() and (out > 0).any()  # ReLU really cuts some, keeps others
    assert np.array_equal(notes_example("one_by_one_32_to_5").input, example.input)  # seeded: stable


def test_examples_are_complete_values():
    assert len(set(KEYS)) == len(KEYS) == 8
    for example in NOTES_EXAMPLES:
        assert example.name and len(example.description) > 40
        assert example.settings.padding == "valid" or example.settings.padding == 0
        assert not example.input.flags.writeable and not example.expected.flags.writeable
        assert len(example.filter_names) == example.weights.shape[3] == example.expected.shape[2]
    with pytest.raises(KeyError, match="vertical_edge"):
        notes_example("nope")


def test_resource_files_hold_the_examples_and_their_banks():
    folder = notes_folder()
    assert folder is not None, "resources/notes is missing"
    expected_files = {f"{key}.txt" for key in KEYS} | {f"{key}.bank.json" for key in KEYS}
    assert {path.name for path in folder.iterdir()} == expected_files
    for example in NOTES_EXAMPLES:
        path = example.file()
        assert path == folder / f"{example.key}.txt"
        assert path.read_text(encoding="utf-8") == example_file_text(example), "regenerate resources/notes"
        with open_source(f"matrix:{path}") as source:
            np.testing.assert_array_equal(source.read(), example.input)
        assert load_bank(folder / f"{example.key}.bank.json") == example.bank()


def test_an_example_opens_as_a_raw_matrix_source_that_its_spec_reopens():
    example = notes_example("vertical_edge")
    with example.source() as source:
        assert source.raw and source.spec == f"matrix:{example.file()}"
        np.testing.assert_array_equal(source.read(), example.input)
    with open_source(source.spec) as again:
        np.testing.assert_array_equal(again.read(), example.input)
