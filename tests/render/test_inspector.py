"""The inspector's numbers are the engine's numbers, cell by cell, for any layer."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine.layer import LayerSettings, PoolSettings, run_layer
from playground.render.inspector import activate, explain_conv_cell, explain_pool_cell

LAYERS = [
    pytest.param(3, LayerSettings(padding="valid"), id="valid"),
    pytest.param(3, LayerSettings(padding="same", stride=2, activation="relu"), id="same-s2-uneven"),
    pytest.param(3, LayerSettings(padding=((0, 2), (1, 0)), dilation=2, flip=True, activation="relu"),
                 id="asymmetric-dilated-flipped"),
    pytest.param(3, LayerSettings(padding=2, stride=3, flip=True, activation="abs",
                                  pool=PoolSettings("max", 2, 2)), id="p2-s3-abs-maxpool"),
    pytest.param(4, LayerSettings(padding="same", dilation=2, pool=PoolSettings("avg", 3, 2)),
                 id="even-f-same-dilated-avgpool"),
    pytest.param(1, LayerSettings(padding="valid", activation="relu", pool=PoolSettings("max", 3, 1)),
                 id="1x1-overlapping-pool"),
    pytest.param(5, LayerSettings(padding=4, stride=2, dilation=3, flip=True), id="wide-padding-dilation-3"),
]


def _layer(rng, f, n_c, k):
    w = rng.standard_normal((f, f, n_c, k)).astype(np.float32)
    b = rng.standard_normal(k).astype(np.float32)
    return w, b


def _check_layer(x, w, b, settings):
    """Every cell of every map (and pooled map) explained equals the engine's value."""
    out = run_layer(x, w, b, settings, per_channel=True)
    linear = run_layer(x, w, b, LayerSettings(padding=settings.padding, stride=settings.stride,
                                              dilation=settings.dilation, flip=settings.flip), per_channel=False)
    scale = float(np.abs(out.contributions).max()) + float(np.abs(b).max())
    n_h, n_w, n_k = out.maps.shape
    for k in range(n_k):
        for row in range(n_h):
            for col in range(n_w):
                cell = explain_conv_cell(x, w, b, settings, row, col, k)
                np.testing.assert_allclose(cell.channel_sums, out.contributions[row, col, :, k],
                                           rtol=1e-5, atol=1e-5 * scale)
                assert cell.z == pytest.approx(float(linear.maps[row, col, k]), rel=1e-5, abs=1e-5 * scale)
                assert cell.a == pytest.approx(float(out.maps[row, col, k]), rel=1e-5, abs=1e-5 * scale)
                assert cell.total + cell.bias == cell.z and cell.bias == pytest.approx(float(b[k]))
                assert cell.pads == out.pads
    if settings.pool is not None:
        p_h, p_w, _ = out.pooled.shape
        for k in range(n_k):
            for row in range(p_h):
                for col in range(p_w):
                    cell = explain_pool_cell(out.maps, settings.pool, row, col, k)
                    assert cell.value == pytest.approx(float(out.pooled[row, col, k]), rel=1e-5, abs=1e-6)
    return out


@pytest.mark.parametrize("f,settings", LAYERS)
def test_every_cell_matches_the_engine(f, settings):
    rng = np.random.default_rng(f * 31 + settings.stride)
    x = rng.standard_normal((9, 10, 2)).astype(np.float32)
    w, b = _layer(rng, f, 2, 3)
    _check_layer(x, w, b, settings)


@pytest.mark.parametrize("f,settings", LAYERS[1:5])
def test_layer_two_of_a_stack_matches_the_engine(f, settings):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((20, 19, 3)).astype(np.float32)
    w1, b1 = _layer(rng, 3, 3, 4)
    first = run_layer(x, w1, b1, LayerSettings(padding="same", activation="relu", pool=PoolSettings("max", 2, 2)))
    w2, b2 = _layer(rng, f, 4, 2)
    _check_layer(np.ascontiguousarray(first.pooled), w2, b2, settings)


def test_the_notes_edge_cell_shows_the_window_products_and_sums():
    x = np.zeros((6, 6, 1), np.float32)
    x[:, :3] = 10
    w = np.array([[1, 0, -1]] * 3, np.float32)[:, :, None, None]
    cell = explain_conv_cell(x, w, None, LayerSettings(padding="valid"), 0, 1, 0)
    np.testing.assert_array_equal(cell.window[:, :, 0], [[10, 10, 0]] * 3)
    np.testing.assert_array_equal(cell.products[:, :, 0], [[10, 0, 0]] * 3)
    assert cell.channel_sums.tolist() == [30.0] and cell.z == cell.a == 30.0 and cell.bias == 0.0
    assert not cell.padding.any() and cell.input_box == (0, 1, 2, 3)
    assert cell.input_rows.tolist() == [0, 1, 2] and cell.input_cols.tolist() == [1, 2, 3]
    assert not cell.flipped and not cell.window.flags.writeable


def test_padding_zeros_dilation_gaps_and_the_flipped_kernel():
    x = np.arange(1, 26, dtype=np.float32).reshape(5, 5, 1)
    w = np.arange(9, dtype=np.float32).reshape(3, 3, 1, 1)
    settings = LayerSettings(padding=2, dilation=2, flip=True)
    cell = explain_conv_cell(x, w, np.array([0.5], np.float32), settings, 0, 1, 0)
    # taps 2 apart, from row −2 and column −1: rows −2, 0, 2 and columns −1, 1, 3
    assert cell.input_rows.tolist() == [-2, 0, 2] and cell.input_cols.tolist() == [-1, 1, 3]
    assert cell.padding.tolist() == [[True] * 3, [True, False, False], [True, False, False]]
    np.testing.assert_array_equal(cell.window[:, :, 0], [[0, 0, 0], [0, 2, 4], [0, 12, 14]])
    np.testing.assert_array_equal(cell.kernel[:, :, 0], w[::-1, ::-1, 0, 0])
    assert cell.flipped and cell.padded_row == 0 and cell.padded_col == 1
    assert cell.input_box == (0, 1, 2, 3)
    assert cell.z == pytest.approx(float((cell.window * cell.kernel).sum()) + 0.5)


def test_a_window_entirely_on_padding_has_no_box():
    x = np.ones((2, 2, 1), np.float32)
    cell = explain_conv_cell(x, np.ones((1, 1, 1, 1), np.float32), None, LayerSettings(padding=3), 0, 0, 0)
    assert cell.padding.all() and cell.input_box is None and cell.z == 0.0


def test_pool_winner_and_mean():
    maps = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], np.float32)[:, :, None]
    cell = explain_pool_cell(maps, PoolSettings("max", 2, 2), 1, 1, 0)
    assert cell.value == 3.0 and cell.winner == (0, 1) and cell.winner_in_map == (2, 3)
    np.testing.assert_array_equal(cell.window, [[2, 3], [1, 2]])
    top_left = explain_pool_cell(maps, PoolSettings("max", 2, 2), 0, 0, 0)
    assert top_left.value == 9.0 and top_left.winner_in_map == (1, 1)
    mean = explain_pool_cell(maps, PoolSettings("avg", 2, 2), 1, 0, 0)
    assert mean.value == pytest.approx(15 / 4) and mean.winner is None and mean.winner_in_map is None


def test_cells_outside_the_map_are_refused():
    x = np.ones((6, 6, 1), np.float32)
    w = np.ones((3, 3, 1, 2), np.float32)
    with pytest.raises(IndexError, match=r"cell \(4, 0\) is outside the 4×4 map"):
        explain_conv_cell(x, w, None, LayerSettings(padding="valid"), 4, 0, 0)
    with pytest.raises(IndexError, match="filter 2 does not exist"):
        explain_conv_cell(x, w, None, LayerSettings(padding="valid"), 0, 0, 2)
    with pytest.raises(ValueError, match="n_c = 1"):
        explain_conv_cell(x, np.ones((3, 3, 2, 1)), None, LayerSettings(), 0, 0, 0)
    with pytest.raises(IndexError, match="pooled map"):
        explain_pool_cell(x, PoolSettings("max", 2, 2), 3, 0, 0)


def test_activate():
    assert activate(-2.0, "relu") == 0.0 and activate(-2.0, "abs") == 2.0 and activate(-2.0, "none") == -2.0
    with pytest.raises(ValueError):
        activate(1.0, "tanh")


def test_a_cell_of_layer_two_of_the_notes_lenet():
    from playground.engine.network import next_input, run_network
    from playground.kernels.spec import parse_spec

    network = parse_spec("32x32x3 conv:f=5,k=8 maxpool:f=2,s=2 conv:f=5,k=16 maxpool:f=2,s=2", seed=3)
    x = np.random.default_rng(0).random((32, 32, 3)).astype(np.float32)
    outputs = run_network(x, network.stages())
    w, b, settings = network.stages()[1]
    cell = explain_conv_cell(next_input(outputs[0]), w, b, settings, 7, 2, 11)
    assert cell.window.shape == (5, 5, 8)  # 5×5 over POOL1's 8 channels
    assert cell.a == pytest.approx(float(outputs[1].maps[7, 2, 11]), rel=1e-5, abs=1e-5)
    pooled = explain_pool_cell(outputs[1].maps, settings.pool, 3, 1, 11)
    assert pooled.value == float(outputs[1].pooled[3, 1, 11])
    assert pooled.winner_in_map in [(r, c) for r in (6, 7) for c in (2, 3)]
