"""FrameLayers: a shown frame's layers recomputed on demand give the engine's numbers, at any layer."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import set_backend
from playground.engine.layer import LayerSettings, PoolSettings
from playground.engine.network import next_input, prepare_input, run_network
from playground.kernels import starter_bank
from playground.kernels.network import Network
from playground.render.frame_layers import CellRef, FrameLayers


@pytest.fixture(autouse=True)
def _numpy():
    set_backend("numpy")


def _network() -> Network:
    first = LayerSettings(padding="same", stride=2, activation="relu", pool=PoolSettings("max", 2, 2))
    network = Network.single(starter_bank(), first)
    network = network.insert_layer()
    second = network.layers[1].settings
    return network.set_settings(1, LayerSettings(padding=1, dilation=2, flip=True, activation="abs",
                                                 stride=second.stride))


def test_every_view_of_layer_two_equals_the_engine():
    rng = np.random.default_rng(3)
    frame = rng.random((41, 53, 3), dtype=np.float32)
    network = _network()
    outputs = run_network(prepare_input(frame, network.input_size), network.stages())
    layers = FrameLayers(frame, network)
    maps = np.asarray(outputs[1].maps)
    for row, col, k in ((0, 0, 0), (3, 5, 2), (maps.shape[0] - 1, maps.shape[1] - 1, 7)):
        cell = CellRef("filters", 1, k, row, col)
        conv, pool = layers.explain(cell)
        assert pool is None
        assert layers.shown_value(cell, conv, pool) == pytest.approx(float(maps[row, col, k]), rel=1e-5, abs=1e-5)
    # the per-channel view: channel c's partial sum is that channel's contribution (before bias)
    conv, _ = layers.explain(CellRef("channels", 1, 4, 2, 2, channel=5))
    x = np.asarray(next_input(outputs[0]))
    w = network.layers[1].stage[0][::-1, ::-1]   # flipped: the kernel as applied
    assert layers.input_of(1).shape == x.shape
    assert np.allclose(conv.kernel, w[:, :, :, 4])
    assert conv.channel_sums.sum() + conv.bias == pytest.approx(conv.z)


def test_pooled_cell_of_layer_one_and_its_receptive_field():
    frame = np.random.default_rng(5).random((30, 30, 3), dtype=np.float32)
    network = _network()
    pooled = np.asarray(run_network(frame, network.stages())[0].pooled)
    layers = FrameLayers(frame, network)
    cell = CellRef("pooled", 0, 1, 4, 6)
    conv, pool = layers.explain(cell)
    assert pool.value == pytest.approx(float(pooled[4, 6, 1]), rel=1e-6)
    assert pool.winner_in_map == (conv.row, conv.col)
    field = layers.field_on_picture(cell)
    # pool 2 at stride 2: conv rows 8, 9; each reads rows o·s − p_top … o·s − p_top + 2 (f = 3, s = 2;
    # "same" at stride 2 pads by the notes' (n·s − n + f − s)/2, so p_top is large)
    (top, _), (left, _) = network.layers[0].settings.pads((30, 30), 3)
    assert (field.top, field.bottom) == (8 * 2 - top, 9 * 2 - top + 2)
    assert (field.left, field.right) == (12 * 2 - left, 13 * 2 - left + 2)


def test_a_gray_frame_makes_the_network_follow():
    frame = np.random.default_rng(1).random((12, 12, 1), dtype=np.float32)
    layers = FrameLayers(frame, _network())
    assert layers.network.input_channels == 1 and layers.stage(0)[0].shape[2] == 1
    with pytest.raises(ValueError, match="65 channels"):
        FrameLayers(np.zeros((4, 4, 65), np.float32), _network())


def test_a_cell_of_a_layer_or_channel_that_is_gone_says_so_in_words():
    """A pinned cell of CONV2 after a switch to a one-layer network (the inspector shows this)."""
    frame = np.random.default_rng(2).random((20, 24, 3), dtype=np.float32)
    single = FrameLayers(frame, Network.single(starter_bank(), LayerSettings()))
    with pytest.raises(IndexError, match=r"the network has no CONV2 now \(1 conv layer\)"):
        single.explain(CellRef("filters", 1, 0, 2, 2))
    with pytest.raises(IndexError, match="CONV1 now takes 1 input channel: channel 3 is gone"):
        FrameLayers(frame[:, :, :1], single.network).explain(CellRef("channels", 0, 0, 2, 2, channel=2))
    with pytest.raises(IndexError, match="outside the 20×24 map"):
        single.explain(CellRef("filters", 0, 0, 25, 2))
