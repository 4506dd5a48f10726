"""The network model: every edit returns a consistent network (n_c[l] = K[l−1]) and
carries filter edits over to the next layer's input-channel slices."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from playground.engine.layer import LayerSettings, PoolSettings
from playground.engine.network import run_network
from playground.engine.train import Stage
from playground.kernels import Filter, FilterBank, starter_bank
from playground.kernels.history import BankHistory
from playground.kernels.network import (
    MAX_LAYERS,
    ConvLayer,
    Network,
    channel_names,
    he_weights,
    random_filter,
)


def bank_of(count: int, channels: int, size: int = 3, seed: int = 0) -> FilterBank:
    return FilterBank(tuple(random_filter(f"L{seed}k{i}", size, channels, (seed, i)) for i in range(count)))


def two_layers(relu: bool = True) -> Network:
    """RGB → 4 filters (ReLU, max pool 2) → 3 filters, 'same' padding: small and easy to run."""
    first = ConvLayer(bank_of(4, 3, seed=1), LayerSettings(activation="relu" if relu else "none",
                                                           pool=PoolSettings("max", 2, 2)))
    second = ConvLayer(bank_of(3, 4, seed=2), LayerSettings())
    return Network((first, second))


def frame(seed: int = 5) -> np.ndarray:
    return np.random.default_rng(seed).random((12, 16, 3)).astype(np.float32)


def last_maps(network: Network, layer: int = -1) -> np.ndarray:
    return np.array(run_network(frame(), network.stages())[layer].maps)


def slices(network: Network, layer: int) -> np.ndarray:
    """Layer ``layer``'s weights over all filters: (f, f, n_c, K)."""
    return network.layers[layer].stage[0]


def assert_consistent(network: Network) -> None:
    channels = network.input_channels
    for index, layer in enumerate(network.layers):
        assert layer.bank.channels == channels == len(channel_names(network, index))
        channels = len(layer.bank)


# --- construction -------------------------------------------------------------------------
def test_a_matrix_input_of_32_channels_validates_and_names_its_channels():
    # the notes' 6×6×32 → 6×6×5 1×1 example: 5 filters of 1×1×32
    network = Network((ConvLayer(bank_of(5, 32, size=1)),), input_channels=32)
    assert network.input_channels == 32 and network.channels_in(0) == 32
    assert channel_names(network, 0) == tuple(f"C{c}" for c in range(1, 33))
    assert channel_names(network, 1) == network.layers[0].bank.names()
    with pytest.raises(ValueError, match="layer 1: its filters have 32 channels, but the input has 3"):
        Network((ConvLayer(bank_of(5, 32, size=1)),))
    x = np.random.default_rng(0).random((6, 6, 32)).astype(np.float32)
    assert run_network(x, network.stages())[0].maps.shape == (6, 6, 5)
    # an RGB network follows a 32-channel source and back; RGB and gray keep their names
    rgb = Network((ConvLayer(bank_of(4, 3)),))
    wide = rgb.with_input(channels=np.int64(32))
    assert wide.input_channels == 32 and type(wide.input_channels) is int and wide.layers[0].bank.channels == 32
    assert channel_names(wide.with_input(channels=3), 0) == ("R", "G", "B")
    assert channel_names(wide.with_input(channels=1), 0) == ("gray",)
    assert channel_names(rgb.with_input(channels=2), 0) == ("C1", "C2")


def test_construction_checks_the_channel_chain_and_limits():
    first = ConvLayer(bank_of(4, 3))
    with pytest.raises(ValueError, match="layer 2: its filters have 3 channels, but layer 1 gives 4"):
        Network((first, ConvLayer(bank_of(2, 3))))
    with pytest.raises(ValueError, match="layer 1: its filters have 3 channels, but the input has 1"):
        Network((first,), input_channels=1)
    with pytest.raises(ValueError, match="1 to 6 conv layers"):
        Network(())
    with pytest.raises(ValueError, match="1 to 64 channels .3 for RGB, 1 for gray."):
        Network((ConvLayer(bank_of(2, 65)),), input_channels=65)
    with pytest.raises(ValueError, match="1 to 64 channels"):
        Network((ConvLayer(bank_of(2, 1)),), input_channels=0)
    with pytest.raises(ValueError, match="input size"):
        Network((first,), input_size=(0, 32))
    with pytest.raises(ValueError, match="fully-connected layer has 1 to"):
        Network((first,), fc=(0,))
    with pytest.raises(ValueError, match="one per filter"):
        ConvLayer(bank_of(4, 3), random=(True,))
    assert Network((first,), input_size=(32, 28)).input_size == (32, 28)


def test_single_wraps_a_bank_as_a_one_layer_network():
    network = Network.single(starter_bank(), LayerSettings(stride=2))
    assert network.depth == 1 and network.input_channels == 3
    assert network.layers[0].settings.stride == 2
    assert network.layers[0].random == (False,) * 8


def test_channel_names_follow_the_one_rule():
    network = two_layers()
    assert channel_names(network, 0) == ("R", "G", "B")
    assert channel_names(network, 1) == ("L1k0", "L1k1", "L1k2", "L1k3")
    assert channel_names(network, 2) == ("L2k0", "L2k1", "L2k2")
    off = network.set_filter(0, 1, replace(network.layers[0].bank[1], enabled=False))
    assert channel_names(off, 1) == channel_names(network, 1)  # disabled filters still feed a channel
    gray = Network((ConvLayer(bank_of(2, 1)),), input_channels=1)
    assert channel_names(gray, 0) == ("gray",)
    with pytest.raises(IndexError):
        channel_names(network, 3)


def test_stage_gives_zero_weights_for_disabled_filters():
    network = two_layers()
    bank = network.layers[0].bank
    off = network.set_filter(0, 2, Filter(bank[2].name, bank[2].weights, bias=0.5, enabled=False))
    stage = off.stages()[0]
    assert isinstance(stage, Stage)  # the engine's named tuple, also what its training passes take
    w, b, settings = stage
    assert w.shape == (3, 3, 3, 4) and b.shape == (4,)
    assert not w[..., 2].any() and b[2] == 0
    np.testing.assert_array_equal(w[..., 0], bank[0].weights)
    assert settings is off.layers[0].settings
    assert not w.flags.writeable
    outputs = run_network(frame(), off.stages())
    assert np.array(outputs[0].pooled).shape[2] == 4  # shapes never jump
    assert not np.array(outputs[0].pooled)[..., 2].any()
    # the zero channel contributes nothing: layer 2 is as if its slice 2 were zero
    zeroed = np.array(slices(network, 1))
    zeroed[:, :, 2, :] = 0
    stages = list(network.stages())
    stages[1] = (zeroed, stages[1][1], stages[1][2])
    np.testing.assert_allclose(last_maps(off), np.array(run_network(frame(), stages)[1].maps), atol=1e-5)


# --- filter edits carried over to the next layer ------------------------------------------
def test_adding_a_filter_adds_a_zero_slice_and_changes_nothing_downstream():
    network = two_layers()
    new = Filter("blob", np.ones((3, 3, 3)), bias=0.3)
    added = network.add_filter(0, new, index=1)
    assert_consistent(added)
    assert channel_names(added, 1)[1] == "blob"
    w = slices(added, 1)
    assert w.shape[2] == 5 and not w[:, :, 1].any()
    np.testing.assert_array_equal(np.delete(w, 1, axis=2), slices(network, 1))
    np.testing.assert_allclose(last_maps(added), last_maps(network), atol=1e-5)
    assert network.add_filter(0, new).layers[0].bank[4].name == "blob"  # default: at the end


def test_duplicating_a_filter_duplicates_its_slice():
    network = two_layers()
    copy = network.duplicate_filter(0, 2)
    assert_consistent(copy)
    assert channel_names(copy, 1)[3] == "L1k2 copy"
    w = slices(copy, 1)
    np.testing.assert_array_equal(w[:, :, 3], w[:, :, 2])
    np.testing.assert_array_equal(np.delete(w, 3, axis=2), slices(network, 1))


def test_removing_a_filter_removes_its_slice():
    network = two_layers()
    fewer = network.remove_filter(0, 0)
    assert_consistent(fewer)
    np.testing.assert_array_equal(slices(fewer, 1), slices(network, 1)[:, :, 1:])
    with pytest.raises(ValueError, match="last one cannot be removed"):
        Network((ConvLayer(bank_of(1, 3)),)).remove_filter(0, 0)


def test_moving_a_filter_moves_its_slice_so_the_next_maps_stay():
    network = two_layers()
    moved = network.move_filter(0, 0, 2)
    assert channel_names(moved, 1) == ("L1k1", "L1k2", "L1k0", "L1k3")
    np.testing.assert_array_equal(slices(moved, 1), slices(network, 1)[:, :, [1, 2, 0, 3]])
    np.testing.assert_allclose(last_maps(moved), last_maps(network), atol=1e-5)
    # moved maps of layer 1 are the old ones reordered
    np.testing.assert_allclose(last_maps(moved, 0), last_maps(network, 0)[..., [1, 2, 0, 3]], atol=1e-6)


def test_edits_on_the_last_layer_need_no_follow_up():
    network = two_layers()
    assert len(network.add_filter(1, Filter("x", np.zeros((3, 3, 4)))).layers[1].bank) == 4
    assert len(network.remove_filter(1, 0).layers[1].bank) == 2


def test_random_flags_follow_the_filters():
    network = Network((ConvLayer(bank_of(3, 3), random=(True, False, True)),))
    assert network.layers[0].random_indices == (0, 2)
    assert network.move_filter(0, 0, 2).layers[0].random == (False, True, True)
    assert network.duplicate_filter(0, 0).layers[0].random == (True, True, False, True)
    assert network.remove_filter(0, 1).layers[0].random == (True, True)
    assert network.add_filter(0, Filter("z", np.zeros((3, 3, 3))), 0).layers[0].random == (False, True, False, True)
    edited = network.set_filter(0, 0, network.layers[0].bank[0].with_cell(0, 0, None, 1.0))
    assert edited.layers[0].random == (False, False, True)  # a person chose these weights now


# --- layer edits ----------------------------------------------------------------------------
def test_filter_count_grows_with_seeded_random_filters_and_shrinks_from_the_end():
    network = two_layers()
    more = network.set_filter_count(0, 6)
    assert_consistent(more)
    assert more.layers[0].random == (False,) * 4 + (True, True)
    assert more == network.set_filter_count(0, 6)  # seeded: the same edit, the same weights
    w = slices(more, 1)
    np.testing.assert_array_equal(w[:, :, :4], slices(network, 1))
    assert not w[:, :, 4:].any()
    fewer = network.set_filter_count(0, 2)
    assert_consistent(fewer)
    np.testing.assert_array_equal(slices(fewer, 1), slices(network, 1)[:, :, :2])
    with pytest.raises(ValueError, match="1 to 64"):
        network.set_filter_count(0, 65)


def test_kernel_size_settings_and_bank_replacement():
    network = two_layers()
    bigger = network.set_kernel_size(1, 5)
    assert bigger.layers[1].bank.size == 5
    np.testing.assert_array_equal(slices(bigger, 1)[1:4, 1:4], slices(network, 1))
    settings = LayerSettings(stride=2, activation="abs")
    assert network.set_settings(1, settings).layers[1].settings == settings
    swapped = network.set_bank(0, starter_bank())
    assert_consistent(swapped)
    assert swapped.channels_in(1) == 8
    np.testing.assert_array_equal(slices(swapped, 1)[:, :, :4], slices(network, 1))
    with pytest.raises(ValueError, match="layer 2 takes 4 channels; the bank's filters have 3"):
        network.set_bank(1, starter_bank())


def test_an_inserted_identity_layer_changes_nothing_downstream():
    network = two_layers(relu=False)
    deeper = network.insert_layer(1)
    assert deeper.depth == 3
    assert_consistent(deeper)
    assert channel_names(deeper, 2) == channel_names(network, 1)
    np.testing.assert_allclose(last_maps(deeper), last_maps(network), atol=1e-5)
    first = network.insert_layer(0)
    assert channel_names(first, 1) == ("R", "G", "B")
    np.testing.assert_allclose(last_maps(first), last_maps(network), atol=1e-5)


def test_inserting_removing_and_moving_layers_refit_the_channels():
    network = two_layers()
    given = ConvLayer(bank_of(6, 4, seed=9))
    inserted = network.insert_layer(1, given)
    assert_consistent(inserted)
    assert inserted.channels_in(2) == 6
    np.testing.assert_array_equal(slices(inserted, 2)[:, :, :4], slices(network, 1))  # kept by position
    with pytest.raises(ValueError, match="takes 3 channels"):
        network.insert_layer(0, given)
    removed = inserted.remove_layer(1)
    assert_consistent(removed)
    np.testing.assert_array_equal(slices(removed, 1), slices(network, 1))
    moved = inserted.move_layer(0, 2)
    assert_consistent(moved)
    with pytest.raises(ValueError, match="last one cannot be removed"):
        Network((ConvLayer(bank_of(2, 3)),)).remove_layer(0)
    full = network
    while full.depth < MAX_LAYERS:
        full = full.insert_layer()
    with pytest.raises(ValueError, match="at most 6 conv layers"):
        full.insert_layer()


def test_input_channels_and_size_and_fc():
    network = two_layers()
    gray = network.with_input(channels=1)
    assert_consistent(gray)
    # the channel rule of follow_channels: the summed kernel gives the same numbers on a gray picture
    np.testing.assert_allclose(slices(gray, 0)[:, :, 0], slices(network, 0).sum(axis=2), rtol=1e-6)
    back = gray.with_input(channels=3)
    w = slices(back, 0)
    np.testing.assert_array_equal(w[:, :, 1], w[:, :, 0])  # a gray kernel copied to every colour
    sized = network.with_input(size=(32, 32))
    assert sized.input_size == (32, 32) and sized.with_input(channels=3).input_size == (32, 32)
    assert sized.with_input(size=None).input_size is None
    assert network.with_fc((120, 10)).fc == (120, 10)


def test_linked_survives_only_while_the_channels_are_equal():
    linked = FilterBank((Filter("a", np.ones((3, 3, 3)), linked=True),))
    network = Network((ConvLayer(linked), ConvLayer(FilterBank((Filter("b", np.ones((3, 3, 1)), linked=True),)))))
    grown = network.add_filter(0, Filter("c", np.zeros((3, 3, 3))))
    assert grown.layers[1].bank[0].linked is False  # the ones and the new zero slice differ


def test_he_weights_are_seeded_and_scaled():
    a, b = he_weights(5, 8, (1, 2)), he_weights(5, 8, (1, 2))
    np.testing.assert_array_equal(a, b)
    big = he_weights(11, 64, 0)
    assert abs(big.std() - np.sqrt(2 / (11 * 11 * 64))) < 0.002


def test_history_undoes_and_redoes_network_edits():
    network = two_layers()
    history = BankHistory(network)
    steps = [network.add_filter(0, Filter("n", np.zeros((3, 3, 3))))]
    steps.append(steps[-1].insert_layer())
    steps.append(steps[-1].set_settings(2, LayerSettings(activation="relu")))
    steps.append(steps[-1].set_filter(1, 0, steps[-1].layers[1].bank[0].with_cell(0, 0, None, 2.0)))
    for step in steps:
        history.record(step)
    history.record(steps[-1].set_filter(1, 0, steps[-1].layers[1].bank[0]))  # an equal network: no new step
    for expected in reversed([network, *steps[:-1]]):
        assert history.undo() == expected
    assert history.undo() is None
    assert history.redo() == steps[0]
    assert steps[2] != steps[1] and steps[3] != steps[2]
