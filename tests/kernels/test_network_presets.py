"""Built-in networks (each one a test) and the 1×1 mixing-matrix presets."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine.network import run_network
from playground.kernels import starter_bank
from playground.kernels.mixing import MIX_PRESETS, mixing_bank, mixing_matrix, mixing_preset
from playground.kernels.network import channel_names
from playground.kernels.network_presets import (
    NETWORK_PRESETS,
    edges_to_corners,
    lenet,
    network_preset,
    one_by_one,
    simple_cnn,
)
from playground.kernels.summary import network_table


def test_lenet_is_the_notes_network_and_table():
    network = lenet()
    table = network_table(network)
    assert [(r.layer, r.shape, r.params) for r in table.rows] == [
        ("Input", (32, 32, 3), 0), ("CONV1 (f=5, s=1)", (28, 28, 8), 608), ("POOL1", (14, 14, 8), 0),
        ("CONV2 (f=5, s=1)", (10, 10, 16), 3216), ("POOL2", (5, 5, 16), 0), ("FC3", (120,), 48120),
        ("FC4", (10,), 1210)]
    assert table.total_params == 53154
    assert all(layer.settings.activation == "relu" for layer in network.layers)
    outputs = run_network(np.random.default_rng(0).random((32, 32, 3), np.float32), network.stages())
    assert np.array(outputs[1].pooled).shape == (5, 5, 16)


def test_simple_cnn_is_the_notes_39x39x3_example():
    table = network_table(simple_cnn())
    assert [r.shape for r in table.rows] == [(39, 39, 3), (37, 37, 10), (17, 17, 20), (7, 7, 40)]
    assert table.rows[1].params == 280 and table.rows[-1].size == 1960


def test_one_by_one_mixes_eight_edge_maps_into_four():
    network = one_by_one()
    edges, mix = network.layers
    assert edges.bank == starter_bank() and edges.settings.activation == "relu"
    assert (mix.bank.size, len(mix.bank), mix.bank.channels) == (1, 4, 8)
    frame = np.random.default_rng(1).random((20, 24, 3)).astype(np.float32)
    first, second = run_network(frame, network.stages())
    # a 1×1 conv is the matrix applied at every pixel
    expected = np.array(first.maps) @ mixing_matrix(mix.bank).T
    np.testing.assert_allclose(np.array(second.maps), expected, rtol=1e-5, atol=1e-5)
    assert channel_names(network, 1) == starter_bank().names()


def corner_response(picture):
    network = edges_to_corners()
    maps = np.array(run_network(picture, network.stages())[1].maps)  # 24×24×4 for a 48×48 picture
    return maps[6:18, 6:18].max(axis=(0, 1))  # away from the zero-padded border's own edges


def test_edges_to_corners_lights_corners_more_than_straight_edges():
    n = 48
    square = np.zeros((n, n, 3), np.float32)
    square[24:, 24:] = 1.0  # a bright shape whose top-left corner is at the centre
    vertical = np.zeros((n, n, 3), np.float32)
    vertical[:, 24:] = 1.0
    horizontal = np.zeros((n, n, 3), np.float32)
    horizontal[24:, :] = 1.0
    top_left = list(edges_to_corners().layers[1].bank.names()).index("top-left corner")
    corner = corner_response(square)[top_left]
    assert corner > 2 * corner_response(vertical)[top_left]
    assert corner > 2 * corner_response(horizontal)[top_left]
    flipped = square[::-1, ::-1].copy()  # now a bottom-right corner at the centre
    bottom_right = list(edges_to_corners().layers[1].bank.names()).index("bottom-right corner")
    assert corner_response(flipped)[bottom_right] > 2 * corner_response(vertical[:, ::-1].copy())[bottom_right]


def test_every_preset_builds_and_runs():
    for name, preset in NETWORK_PRESETS.items():
        network = network_preset(name)
        assert network == preset.build()
        size = network.input_size or (40, 48)
        frame = np.random.default_rng(2).random((*size, 3)).astype(np.float32)
        assert len(run_network(frame, network.stages())) == network.depth
    with pytest.raises(ValueError, match="unknown network"):
        network_preset("AlexNet")


# --- 1×1 mixing matrices ---------------------------------------------------------------------
RGB = ("R", "G", "B")


def test_mixing_presets():
    matrix, names = mixing_preset("identity", RGB)
    np.testing.assert_array_equal(matrix, np.eye(3))
    assert names == RGB
    matrix, names = mixing_preset("average", ("a", "b", "c", "d"))
    np.testing.assert_allclose(matrix, [[0.25] * 4])
    assert names == ("average",)
    matrix, names = mixing_preset("luminance", RGB)
    np.testing.assert_allclose(matrix, [[0.299, 0.587, 0.114]], rtol=1e-6)
    assert names == ("luminance",)
    matrix, names = mixing_preset("swap", RGB, 0, 2)
    np.testing.assert_array_equal(matrix, [[0, 0, 1], [0, 1, 0], [1, 0, 0]])
    assert names == ("B", "G", "R")
    matrix, names = mixing_preset("difference", RGB, 0, 1)
    np.testing.assert_array_equal(matrix, [[1, -1, 0]])
    assert names == ("R − G",)
    assert set(MIX_PRESETS) == {"identity", "average", "luminance", "swap", "difference"}


def test_mixing_preset_errors():
    with pytest.raises(ValueError, match="luminance mixes 3 channels"):
        mixing_preset("luminance", ("a", "b"))
    with pytest.raises(ValueError, match="two different channels"):
        mixing_preset("difference", RGB, 1, 1)
    with pytest.raises(ValueError, match="channel b must be 0 to 2"):
        mixing_preset("swap", RGB, 0, 3)
    with pytest.raises(ValueError, match="unknown mixing preset"):
        mixing_preset("rotate", RGB)


def test_a_mixing_bank_computes_the_matrix_at_every_pixel():
    matrix, names = mixing_preset("swap", RGB, 0, 1)
    bank = mixing_bank(matrix, names, biases=(0.0, 0.5, 0.0))
    assert (bank.size, len(bank), bank.channels) == (1, 3, 3)
    np.testing.assert_array_equal(mixing_matrix(bank), matrix)
    frame = np.random.default_rng(3).random((5, 6, 3)).astype(np.float32)
    out = np.array(run_network(frame, [(np.stack([f.weights for f in bank.filters], -1), bank.biases(),
                                        one_by_one().layers[1].settings)])[0].maps)
    np.testing.assert_allclose(out, frame[:, :, [1, 0, 2]] + [0, 0.5, 0], rtol=1e-6)
    with pytest.raises(ValueError, match="needs 3 names"):
        mixing_bank(matrix, ("x",))
    with pytest.raises(ValueError, match="only a 1×1 bank"):
        mixing_matrix(starter_bank())
