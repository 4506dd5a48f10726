"""Receptive fields and their reverse, checked by perturbing pixels and rerunning the engine."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine.layer import LayerSettings, PoolSettings, run_layer
from playground.render.receptive_field import LayerGeometry, cells_fed_by, layer_sizes, receptive_field

SIZE = (17, 15)
BIG = 1e3

STACKS = [
    pytest.param([(3, LayerSettings(padding="valid"))], id="one-valid"),
    pytest.param([(3, LayerSettings(padding="same", stride=2, pool=PoolSettings("max", 2, 2)))], id="same-s2-max"),
    pytest.param([(3, LayerSettings(padding=1, dilation=2)),
                  (3, LayerSettings(padding="same", stride=2, dilation=2, pool=PoolSettings("avg", 2, 2)))],
                 id="two-dilated"),
    pytest.param([(2, LayerSettings(padding=((0, 1), (1, 0)), stride=3, activation="abs")),
                  (3, LayerSettings(padding="same", flip=True, pool=PoolSettings("max", 3, 1)))],
                 id="stride-over-window-asymmetric"),
    pytest.param([(3, LayerSettings(padding="same", pool=PoolSettings("max", 2, 2))),
                  (3, LayerSettings(padding="valid", pool=PoolSettings("max", 2, 2)))], id="lenet-like"),
]


def _stack(layers, seed=0):
    rng = np.random.default_rng(seed)
    stages, n_c = [], 2
    for f, settings in layers:
        w = rng.standard_normal((f, f, n_c, 2)).astype(np.float32)
        w[np.abs(w) < 0.05] = 0.5  # no (near-)zero weight hides a dependency
        stages.append((w, rng.standard_normal(2).astype(np.float32), settings))
        n_c = 2
    return stages


def _run(x, stages):
    """Every layer's (conv maps, pooled or None) for the input x."""
    outputs = []
    for w, b, settings in stages:
        out = run_layer(x, w, b, settings, per_channel=False)
        maps = np.array(out.maps)
        pooled = None if out.pooled is None else np.array(out.pooled)
        outputs.append((maps, pooled))
        x = np.ascontiguousarray(pooled if pooled is not None else maps)
    return outputs


def _cells(outputs, layer, pooled):
    maps, pooled_maps = outputs[layer]
    return pooled_maps if pooled and pooled_maps is not None else maps


@pytest.mark.parametrize("layers", STACKS)
@pytest.mark.parametrize("pooled", [False, True])
def test_the_field_holds_exactly_what_changes_the_cell(layers, pooled):
    stages = _stack(layers)
    rng = np.random.default_rng(5)
    x = rng.standard_normal(SIZE + (2,)).astype(np.float32)
    base = _run(x, stages)
    layer = len(stages) - 1
    target = _cells(base, layer, pooled)
    n_h, n_w = target.shape[:2]
    for row, col in sorted({(0, 0), (n_h - 1, n_w - 1), (n_h // 2, n_w // 3), (n_h // 2, n_w // 2)}):
        field = receptive_field(SIZE, stages, layer, row, col, pooled=pooled)
        if field is None:
            # the notes' "same" with stride pads (n·s − n + f − s)/2: corner cells can see only padding
            moved = x + rng.standard_normal(x.shape).astype(np.float32) * BIG
            np.testing.assert_array_equal(_cells(_run(moved, stages), layer, pooled)[row, col], target[row, col])
            continue
        # inside, at the border of the box: perturbing it can change the cell
        for pixel in {(field.top, field.left), (field.bottom, field.right)}:
            changed = False
            for sign in (BIG, -BIG):
                moved = x.copy()
                moved[pixel] += sign
                changed |= not np.allclose(_cells(_run(moved, stages), layer, pooled)[row, col], target[row, col])
            assert changed, f"pixel {pixel} is in the field of ({row}, {col}) but never changes it"
        # outside: nothing changes it (all pixels outside at once)
        outside = np.ones(SIZE, bool)
        outside[np.ix_(field.rows, field.cols)] = False
        moved = x.copy()
        moved[outside] += rng.standard_normal((int(outside.sum()), 2)).astype(np.float32) * BIG
        np.testing.assert_array_equal(_cells(_run(moved, stages), layer, pooled)[row, col], target[row, col])


@pytest.mark.parametrize("layers", STACKS)
def test_cells_fed_by_is_the_reverse_of_the_field(layers):
    stages = _stack(layers)
    layer = len(stages) - 1
    for pooled in (False, True):
        out_size = layer_sizes(SIZE, stages)[layer][2 if pooled else 1]
        for pixel in [(0, 0), (5, 7), (SIZE[0] - 1, SIZE[1] - 1)]:
            fed = cells_fed_by(SIZE, stages, layer, *pixel, pooled=pooled)
            for row in range(out_size[0]):
                for col in range(out_size[1]):
                    field = receptive_field(SIZE, stages, layer, row, col, pooled=pooled)
                    sees = field is not None and field.contains(*pixel)
                    assert sees == (fed is not None and fed.contains(row, col)), (pixel, row, col)


def test_one_layer_field_is_the_window_and_layer_input_targets():
    # the notes' 6×6 * 3×3: cell (1, 2) sees rows 1–3, columns 2–4
    layers = [(3, LayerSettings(padding="valid")), (3, LayerSettings(padding="valid"))]
    field = receptive_field((6, 6), layers[:1], 0, 1, 2)
    assert (field.top, field.left, field.bottom, field.right) == (1, 2, 3, 4)
    assert field.slices == (slice(1, 4), slice(2, 5)) and field.height == field.width == 3
    # two stacked 3×3: 5×5 on the picture, 3×3 on layer 1's input
    assert receptive_field((6, 6), layers, 1, 0, 0).rows == (0, 1, 2, 3, 4)
    assert receptive_field((6, 6), layers, 1, 0, 0, target=1).rows == (0, 1, 2)
    fed = cells_fed_by((6, 6), layers, 1, 2, 2, source=1)
    assert fed.rows == (0, 1) and fed.cols == (0, 1)


def test_dilation_leaves_gaps_and_padding_only_cells_have_no_field():
    dilated = [LayerGeometry(3, LayerSettings(padding="valid", dilation=3))]
    field = receptive_field((9, 9), dilated, 0, 0, 0)
    assert field.rows == (0, 3, 6) and not field.contains(1, 1) and field.contains(3, 6)
    assert cells_fed_by((9, 9), dilated, 0, 4, 4).rows == (1,)
    padded = [(1, LayerSettings(padding=2))]
    assert receptive_field((3, 3), padded, 0, 0, 0) is None
    strided = [(1, LayerSettings(padding="valid", stride=2))]
    assert cells_fed_by((5, 5), strided, 0, 1, 1) is None  # the stride skips it


def test_sizes_and_bad_requests():
    layers = [(5, LayerSettings(padding="valid", pool=PoolSettings("max", 2, 2))),
              (5, LayerSettings(padding="valid", pool=PoolSettings("max", 2, 2)))]
    assert layer_sizes((32, 32), layers) == [((32, 32), (28, 28), (14, 14)), ((14, 14), (10, 10), (5, 5))]
    with pytest.raises(IndexError, match="layer 2 does not exist"):
        receptive_field((32, 32), layers, 2, 0, 0)
    with pytest.raises(IndexError, match="outside the pooled map"):
        receptive_field((32, 32), layers, 1, 5, 0, pooled=True)
    with pytest.raises(IndexError, match="target must be"):
        receptive_field((32, 32), layers, 0, 0, 0, target=1)
    with pytest.raises(ValueError, match="layer 2 gives no output"):
        layer_sizes((12, 12), layers)
    with pytest.raises(ValueError, match="a layer must be"):
        layer_sizes((12, 12), [3])


def test_the_notes_lenet_from_its_spec():
    from playground.kernels.spec import parse_spec

    network = parse_spec("32x32x3 conv:f=5,k=8 maxpool:f=2,s=2 conv:f=5,k=16 maxpool:f=2,s=2 fc:120 fc:10")
    stages = network.stages()
    assert [sizes[2] for sizes in layer_sizes(network.input_size, stages)] == [(14, 14), (5, 5)]
    # POOL2 cell: 2×2 of CONV2, 6×6 of POOL1, 12×12 of CONV1, 16×16 pixels
    field = receptive_field(network.input_size, stages, 1, 4, 4, pooled=True)
    assert (field.top, field.left, field.height, field.width) == (16, 16, 16, 16)
    assert receptive_field(network.input_size, stages, 1, 4, 4, pooled=True, target=1).rows == tuple(range(8, 14))
    # POOL2 fields are 16 wide and 4 apart: one pixel feeds up to 4 × 4 of its cells
    fed = cells_fed_by(network.input_size, stages, 1, 15, 16, pooled=True)
    assert fed.rows == (0, 1, 2, 3) and fed.cols == (1, 2, 3, 4)
