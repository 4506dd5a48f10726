"""SPEC: the one-line network grammar, its defaults, its weights and its one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine.layer import LayerSettings, PoolSettings
from playground.kernels import starter_bank
from playground.kernels.spec import EXAMPLE_SPEC, SpecError, parse_spec


def test_the_notes_lenet_spec():
    network = parse_spec(EXAMPLE_SPEC)
    assert network.input_size == (32, 32) and network.input_channels == 3
    assert network.depth == 2 and network.fc == (120, 10)
    first, second = network.layers
    assert (first.bank.size, len(first.bank), first.bank.channels) == (5, 8, 3)
    assert (second.bank.size, len(second.bank), second.bank.channels) == (5, 16, 8)
    assert first.settings == LayerSettings(padding=0, pool=PoolSettings("max", 2, 2))
    assert second.settings.pool == PoolSettings("max", 2, 2)


def test_defaults_and_every_key():
    network = parse_spec("20x24x1 conv:f=3,k=2,s=2,p=same,d=2,a=relu avgpool:f=3 conv:f=1,k=3,p=valid,a=abs "
                         "conv:f=3,k=1,p=2")
    a, b, c = (layer.settings for layer in network.layers)
    assert a == LayerSettings(padding="same", stride=2, dilation=2, activation="relu", pool=PoolSettings("avg", 3, 3))
    assert b == LayerSettings(padding="valid", activation="abs")
    assert c == LayerSettings(padding=2)
    assert network.input_channels == 1 and network.input_size == (20, 24)


def test_weights_starter_kernels_then_seeded_random():
    network = parse_spec("16x16x3 conv:f=5,k=10 conv:f=3,k=4")
    first, second = network.layers
    starter = starter_bank()
    assert [item.name for item in first.bank.filters[:8]] == [item.name for item in starter.filters]
    np.testing.assert_array_equal(first.bank[2].weights[1:4, 1:4], starter[2].weights)  # zero-padded to 5×5
    assert first.random == (False,) * 8 + (True, True)
    assert second.random == (True,) * 4
    assert parse_spec("16x16x3 conv:f=5,k=10 conv:f=3,k=4") == network  # seeded
    assert parse_spec("16x16x3 conv:f=5,k=10 conv:f=3,k=4", seed=1) != network
    w = second.stage[0]
    assert abs(float(w.std()) - np.sqrt(2 / (3 * 3 * 10))) < 0.15  # He scale
    assert all(parse_spec("8x8x1 conv:f=3,k=2").layers[0].random)  # gray: no starter kernels
    assert all(parse_spec("8x8x3 conv:f=1,k=2").layers[0].random)  # f < 3: they do not fit


@pytest.mark.parametrize(("spec", "message"), [
    ("", "empty SPEC"),
    ("conv:f=3,k=2", "'conv:f=3,k=2': the SPEC starts with the input size HxWxC"),
    ("32x32x2 conv:f=3,k=2", "channels C must be 3 .RGB. or 1 .gray.; got '2'"),
    ("32xAx3 conv:f=3,k=2", "'32xAx3': width W must be a whole number; got 'A'"),
    ("32x32x3 conv:f=5", "'conv:f=5': missing k"),
    ("32x32x3 conv:k=5", "'conv:k=5': missing f"),
    ("32x32x3 conv:f=five,k=2", "'conv:f=five,k=2': kernel size f must be a whole number; got 'five'"),
    ("32x32x3 conv:f=3,k=2.5", "number of filters k must be a whole number; got '2.5'"),
    ("32x32x3 conv:f=3,k=0", "number of filters k must be 1 to 64; got 0"),
    ("32x32x3 conv:f=13,k=2", "kernel size f must be 1 to 11; got 13"),
    ("32x32x3 conv:f=3,k=2,a=tanh", "activation a must be one of none, relu, abs; got 'tanh'"),
    ("32x32x3 conv:f=3,k=2,p=half", "padding p must be a whole number; got 'half'"),
    ("32x32x3 conv:f=3,k=2,x=1", "unknown key 'x' .allowed: f, k, s, p, d, a."),
    ("32x32x3 conv:f=3,k=2,f=5", "f is given twice"),
    ("32x32x3 conv:f=3,,k=2", "expected key=value pairs"),
    ("32x32x3 dense:10", "'dense:10': unknown token"),
    ("32x32x3 conv", "'conv': unknown token"),
    ("4x4x3 conv:f=5,k=2", "'conv:f=5,k=2': kernel 5×5 is larger than its padded input 4×4"),
    ("8x8x3 conv:f=3,k=2 maxpool:f=7", "'maxpool:f=7': pool window 7×7 is larger than its 6×6 input"),
    ("8x8x3 maxpool:f=2", "'maxpool:f=2': a pool follows a conv layer .* not the input"),
    ("8x8x3 conv:f=3,k=2 maxpool:f=2 avgpool:f=2", "'avgpool:f=2': .* not another pool"),
    ("8x8x3 conv:f=3,k=2 maxpool:s=2", "'maxpool:s=2': missing f"),
    ("8x8x3 conv:f=3,k=2 fc:10 conv:f=1,k=2", "fully-connected layers come last"),
    ("8x8x3 conv:f=3,k=2 fc:ten", "'fc:ten': the number of units N must be a whole number"),
    ("8x8x3 fc:10", "a network needs at least one conv layer"),
    ("64x64x3" + " conv:f=1,k=2" * 7, "at most 6 conv layers"),
    ("8x8x3 conv:f=1,k=2" + " fc:2" * 5, "at most 4 fc layers"),
    ("5000x8x3 conv:f=1,k=2", "height H must be 1 to 4096; got 5000"),
])
def test_errors_are_one_line_and_name_the_token(spec, message):
    with pytest.raises(SpecError, match=message) as caught:
        parse_spec(spec)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)
