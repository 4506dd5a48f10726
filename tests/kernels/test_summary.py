"""The notes' table, computed: shapes, sizes, #params with their formulas, and the total."""

from __future__ import annotations

import pytest

from playground.engine.layer import LayerSettings, PoolSettings
from playground.kernels import starter_bank
from playground.kernels.network import ConvLayer, Network
from playground.kernels.spec import EXAMPLE_SPEC, parse_spec
from playground.kernels.summary import network_table

# The notes' LeNet-style rows: (layer, shape, size, params). FC4 is 120·10 + 10 = 1,210;
# the notes print 850 there (and a total of 52,794), which the formula does not give.
NOTES_ROWS = [
    ("Input", (32, 32, 3), 3072, 0),
    ("CONV1 (f=5, s=1)", (28, 28, 8), 6272, 608),
    ("POOL1", (14, 14, 8), 1568, 0),
    ("CONV2 (f=5, s=1)", (10, 10, 16), 1600, 3216),
    ("POOL2", (5, 5, 16), 400, 0),
    ("FC3", (120,), 120, 48120),
    ("FC4", (10,), 10, 1210),
]


def test_the_notes_lenet_table_is_computed():
    table = network_table(EXAMPLE_SPEC)
    assert [(r.layer, r.shape, r.size, r.params) for r in table.rows] == NOTES_ROWS
    assert table.total_params == 608 + 3216 + 48120 + 1210 == 53154
    formulas = {row.layer: row.formula for row in table.rows}
    assert formulas["CONV1 (f=5, s=1)"] == "(5·5·3 + 1)·8 = 608"
    assert formulas["CONV2 (f=5, s=1)"] == "(5·5·8 + 1)·16 = 3,216"
    assert formulas["FC3"] == "400·120 + 120 = 48,120"
    assert formulas["FC4"] == "120·10 + 10 = 1,210"
    assert formulas["POOL1"] == "" and formulas["Input"] == ""
    assert [row.kind for row in table.rows] == ["input", "conv", "pool", "conv", "pool", "fc", "fc"]
    assert [row.layer_index for row in table.rows] == [None, 0, 0, 1, 1, None, None]
    assert table.rows[2].detail == "max 2×2, s=2"


def test_the_notes_39x39x3_example():
    table = network_table("39x39x3 conv:f=3,k=10 conv:f=5,s=2,k=20 conv:f=5,s=2,k=40")
    assert [r.shape for r in table.rows] == [(39, 39, 3), (37, 37, 10), (17, 17, 20), (7, 7, 40)]
    assert table.rows[1].params == 280 and table.rows[1].formula == "(3·3·3 + 1)·10 = 280"
    assert table.rows[3].size == 7 * 7 * 40 == 1960  # the notes' 1,960 values unrolled
    assert table.rows[2].layer == "CONV2 (f=5, s=2)"


def test_a_network_value_and_a_frame_size():
    settings = LayerSettings(padding="same", dilation=2, activation="relu", pool=PoolSettings("avg", 3, 2))
    network = Network((ConvLayer(starter_bank(), settings),), fc=(10,))
    with pytest.raises(ValueError, match="needs an input size"):
        network_table(network)
    table = network_table(network, input_size=(480, 640))
    assert table.rows[1].layer == "CONV1 (f=3, s=1, p=same, d=2)"
    assert table.rows[1].shape == (480, 640, 8)
    assert table.rows[2].shape == (239, 319, 8)  # floor((480 − 3)/2) + 1
    assert table.rows[3].params == 239 * 319 * 8 * 10 + 10
    fixed = network.with_input(size=(32, 32))
    assert network_table(fixed, input_size=(480, 640)).rows[0].shape == (32, 32, 3)  # the network's own wins


def test_shape_errors_name_the_row():
    network = parse_spec("8x8x3 conv:f=3,k=4 conv:f=3,k=4")
    with pytest.raises(ValueError, match=r"CONV2 \(f=3, s=1\): kernel 3×3 is larger than its padded input 2×2"):
        network_table(network.with_input(size=(4, 4)))
    pooled = network.set_settings(0, LayerSettings(padding=0, pool=PoolSettings("max", 4, 4)))
    with pytest.raises(ValueError, match="POOL1: pool window 4×4 is larger than its 2×2 input"):
        network_table(pooled.with_input(size=(4, 4)))


def test_dict_and_text_forms():
    table = network_table(EXAMPLE_SPEC)
    data = table.as_dict()
    assert data["total_params"] == 53154
    assert data["rows"][0] == {"layer": "Input", "shape": [32, 32, 3], "size": 3072, "params": 0}
    assert data["rows"][-1] == {"layer": "FC4", "shape": [10], "size": 10, "params": 1210}
    text = table.text()
    assert "POOL2             5 × 5 × 16" in text
    assert "120·10 + 10 = 1,210" in text
    assert text.rstrip().endswith("Total parameters: 53,154")
