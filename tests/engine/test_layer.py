"""LayerSettings (validation, canonical padding, pads()) and run_layer (conv → bias →
activation → pool) against the engine's own conv2d / relu / absolute / pool2d."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import absolute, conv2d, pool2d, relu
from playground.engine.layer import ACTIVATIONS, LayerOutput, LayerSettings, PoolSettings, run_layer


def _data(seed=0, shape=(13, 17, 3), f=3, k=4):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((f, f, shape[2], k)).astype(np.float32)
    b = rng.standard_normal(k).astype(np.float32)
    return x, w, b


# ------------------------------------------------------------------ validation

@pytest.mark.parametrize("padding", ["full", "", "half", "same ", "valid!", "none"])
def test_bad_padding_string_is_refused_naming_padding(padding):
    with pytest.raises(ValueError, match="padding") as info:
        LayerSettings(padding=padding)
    assert repr(padding) in str(info.value)


@pytest.mark.parametrize("padding", [65, 100, ((0, 65), (0, 0)), ((0, 0), (70, 1)), (65, 0)])
def test_padding_over_64_is_refused(padding):
    with pytest.raises(ValueError, match="padding") as info:
        LayerSettings(padding=padding)
    assert "64" in str(info.value)


def test_padding_of_exactly_64_is_accepted():
    assert LayerSettings(padding=64).padding == 64
    assert LayerSettings(padding=((64, 0), (0, 64))).padding == ((64, 0), (0, 64))


@pytest.mark.parametrize("padding", [-1, 1.5, None, True, (1, 2, 3), ((1, 2, 3), (0, 0)), ((-1, 0), (0, 0))])
def test_malformed_padding_is_refused_naming_padding(padding):
    with pytest.raises(ValueError, match="padding"):
        LayerSettings(padding=padding)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"stride": 0}, "stride"),
        ({"stride": -2}, "stride"),
        ({"stride": 17}, "stride"),
        ({"stride": 1.0}, "stride"),
        ({"stride": True}, "stride"),
        ({"dilation": 0}, "dilation"),
        ({"dilation": 9}, "dilation"),
        ({"activation": "Relu"}, "activation"),
        ({"activation": "sigmoid"}, "activation"),
        ({"activation": "rleu"}, "activation"),
        ({"pool": "max"}, "pool"),
        ({"pool": 2}, "pool"),
        ({"pool": {"mode": "max", "size": 2, "stride": 2}}, "pool"),
    ],
)
def test_bad_parameter_is_refused_naming_it(kwargs, name):
    with pytest.raises(ValueError, match=name):
        LayerSettings(**kwargs)


def test_stride_error_gives_the_value():
    with pytest.raises(ValueError, match="got 0"):
        LayerSettings(stride=0)


def test_activation_typo_lists_the_choices():
    with pytest.raises(ValueError) as info:
        LayerSettings(activation="reul")
    for choice in ACTIVATIONS:
        assert choice in str(info.value)
    assert "'reul'" in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"mode": "min"}, "pool mode"), ({"size": 0}, "pool size"), ({"size": 17}, "pool size"),
     ({"stride": 0}, "pool stride"), ({"size": 2.0}, "pool size")],
)
def test_pool_settings_validation(kwargs, name):
    with pytest.raises(ValueError, match=name):
        PoolSettings(**kwargs)


def test_valid_settings_are_kept():
    pool = PoolSettings("avg", 3, 1)
    s = LayerSettings(padding="valid", stride=2, dilation=3, flip=True, activation="abs", pool=pool)
    assert (s.padding, s.stride, s.dilation, s.flip, s.activation, s.pool) == ("valid", 2, 3, True, "abs", pool)
    assert LayerSettings().padding == "same"


def test_settings_are_immutable():
    s = LayerSettings()
    with pytest.raises(AttributeError):
        s.stride = 2  # type: ignore[misc]


def test_flip_is_stored_as_bool():
    assert LayerSettings(flip=1).flip is True
    assert LayerSettings(flip=0).flip is False


# ------------------------------------------------------------- canonical padding

@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("same", "same"),
        ("valid", "valid"),
        (2, 2),
        (0, 0),
        ((3, 3), 3),
        ([1, 1], 1),
        (((2, 2), (2, 2)), 2),
        ([[1, 1], [1, 1]], 1),
        ((1, 2), ((1, 1), (2, 2))),
        ([[1, 2], [3, 4]], ((1, 2), (3, 4))),
        (((0, 1), (0, 1)), ((0, 1), (0, 1))),
    ],
)
def test_padding_is_stored_in_one_canonical_form(given, stored):
    s = LayerSettings(padding=given)
    assert s.padding == stored
    assert type(s.padding) is type(stored)
    if isinstance(stored, tuple):  # nested tuples, never lists
        assert all(type(pair) is tuple for pair in s.padding)


def test_equal_paddings_give_equal_hashable_settings():
    forms = [2, (2, 2), [2, 2], ((2, 2), (2, 2)), [[2, 2], [2, 2]]]
    settings = [LayerSettings(padding=p) for p in forms]
    assert len(set(settings)) == 1
    assert all(s == settings[0] for s in settings)
    asym = {LayerSettings(padding=((1, 2), (1, 2))), LayerSettings(padding=[[1, 2], [1, 2]])}
    assert len(asym) == 1


# -------------------------------------------------------------------------- pads

@pytest.mark.parametrize(
    ("padding", "size", "f", "stride", "dilation", "expected"),
    [
        ("same", (10, 12), 3, 1, 1, ((1, 1), (1, 1))),
        ("same", (10, 12), 5, 1, 1, ((2, 2), (2, 2))),
        ("same", (10, 12), 4, 1, 1, ((1, 2), (1, 2))),          # even f: the extra goes bottom/right
        ("same", (7, 7), 3, 2, 1, ((4, 4), (4, 4))),            # notes: (n·s − n + f − s)/2
        ("same", (10, 10), 3, 1, 2, ((2, 2), (2, 2))),          # dilated: f_eff = 5
        ("valid", (10, 12), 5, 1, 1, ((0, 0), (0, 0))),
        (2, (10, 12), 3, 1, 1, ((2, 2), (2, 2))),
        ((1, 3), (10, 12), 3, 1, 1, ((1, 1), (3, 3))),
        (((0, 1), (2, 3)), (10, 12), 3, 2, 1, ((0, 1), (2, 3))),
    ],
)
def test_pads(padding, size, f, stride, dilation, expected):
    s = LayerSettings(padding=padding, stride=stride, dilation=dilation)
    assert s.pads(size, f) == expected


# --------------------------------------------------------------------- run_layer

SETTINGS = [
    LayerSettings(),
    LayerSettings(padding="valid"),
    LayerSettings(padding=2, stride=2),
    LayerSettings(padding=((0, 1), (2, 0)), dilation=2),
    LayerSettings(padding="same", stride=3, flip=True),
]


def _conv_kwargs(s: LayerSettings):
    return {"stride": s.stride, "padding": s.padding, "dilation": s.dilation, "flip": s.flip}


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("base", SETTINGS, ids=range(len(SETTINGS)))
def test_maps_are_conv_plus_bias_then_activation(base, activation):
    x, w, b = _data(seed=len(activation))
    settings = LayerSettings(base.padding, base.stride, base.dilation, base.flip, activation)
    out = run_layer(x, w, b, settings)
    assert isinstance(out, LayerOutput)
    pre = np.array(conv2d(x, w, b, **_conv_kwargs(settings)))
    expected = {"none": pre, "relu": np.array(relu(pre)), "abs": np.array(absolute(pre))}[activation]
    assert out.maps.shape == pre.shape
    assert out.maps.dtype == np.float32
    np.testing.assert_allclose(out.maps, expected, rtol=1e-5, atol=1e-5)
    if activation == "relu":
        assert out.maps.min() >= 0 and (out.maps == 0).any() and pre.min() < 0
        np.testing.assert_allclose(out.maps, np.maximum(pre, 0), rtol=1e-5, atol=1e-5)
    elif activation == "abs":
        np.testing.assert_allclose(out.maps, np.abs(pre), rtol=1e-5, atol=1e-5)
    assert out.pads == settings.pads(x.shape[:2], w.shape[0])


def test_bias_is_added_per_filter():
    x, w, _ = _data(seed=4)
    b = np.array([0.0, 1.0, -2.0, 10.0], np.float32)
    with_bias = run_layer(x, w, b, LayerSettings()).maps.copy()
    without = run_layer(x, w, None, LayerSettings()).maps
    np.testing.assert_allclose(with_bias - without, np.broadcast_to(b, with_bias.shape), atol=1e-4)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("base", SETTINGS, ids=range(len(SETTINGS)))
def test_contributions_sum_to_the_pre_activation_maps(base, activation):
    x, w, b = _data(seed=7)
    settings = LayerSettings(base.padding, base.stride, base.dilation, base.flip, activation)
    out = run_layer(x, w, b, settings, per_channel=True)
    pre = np.array(conv2d(x, w, b, **_conv_kwargs(settings)))
    n_h, n_w, k = pre.shape
    assert out.contributions.shape == (n_h, n_w, x.shape[2], k)
    np.testing.assert_allclose(out.contributions.sum(axis=2) + b, pre, rtol=1e-4, atol=1e-4)
    # each channel's slice alone: the conv of that channel with that slice of the kernels
    for c in range(x.shape[2]):
        alone = conv2d(x[:, :, c:c + 1], w[:, :, c:c + 1], **_conv_kwargs(settings))
        np.testing.assert_allclose(out.contributions[:, :, c], alone, rtol=1e-4, atol=1e-4)


def test_per_channel_false_gives_no_contributions_and_the_same_maps():
    x, w, b = _data(seed=9)
    settings = LayerSettings(activation="relu")
    with_channels = run_layer(x, w, b, settings, per_channel=True).maps.copy()
    out = run_layer(x, w, b, settings, per_channel=False)
    assert out.contributions is None
    np.testing.assert_allclose(out.maps, with_channels, rtol=1e-5, atol=1e-5)


def test_no_pool_gives_no_pooled_maps():
    x, w, b = _data()
    assert run_layer(x, w, b, LayerSettings()).pooled is None


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 2), (3, 1), (1, 1)])
@pytest.mark.parametrize("activation", ["none", "relu"])
def test_pooled_is_pool2d_of_the_maps(mode, size, stride, activation):
    x, w, b = _data(seed=size * 10 + stride)
    settings = LayerSettings(activation=activation, pool=PoolSettings(mode, size, stride))
    out = run_layer(x, w, b, settings)
    expected = pool2d(np.array(out.maps), size, stride, mode=mode)
    n_h, n_w, k = out.maps.shape
    assert out.pooled.shape == ((n_h - size) // stride + 1, (n_w - size) // stride + 1, k)
    np.testing.assert_allclose(out.pooled, expected, rtol=1e-5, atol=1e-6)


def test_max_pool_by_hand():
    x = np.arange(16, dtype=np.float32).reshape(4, 4, 1)
    w = np.ones((1, 1, 1, 1), np.float32)
    out = run_layer(x, w, None, LayerSettings(padding="valid", pool=PoolSettings("max", 2, 2)))
    np.testing.assert_array_equal(out.pooled[:, :, 0], [[5, 7], [13, 15]])
    out = run_layer(x, w, None, LayerSettings(padding="valid", pool=PoolSettings("avg", 2, 2)))
    np.testing.assert_allclose(out.pooled[:, :, 0], [[2.5, 4.5], [10.5, 12.5]])


def test_pool_window_larger_than_the_map_is_refused_with_the_numbers():
    x, w, b = _data(shape=(6, 7, 3))
    settings = LayerSettings(padding="valid", pool=PoolSettings("max", 5, 1))  # maps are 4×5
    with pytest.raises(ValueError) as info:
        run_layer(x, w, b, settings)
    message = str(info.value)
    assert "5×5" in message and "4×5" in message


def test_pool_window_equal_to_the_map_gives_one_value():
    x, w, b = _data(shape=(6, 6, 3))
    out = run_layer(x, w, b, LayerSettings(padding="valid", pool=PoolSettings("max", 4, 1)))
    assert out.pooled.shape == (1, 1, 4)
    np.testing.assert_allclose(out.pooled[0, 0], out.maps.reshape(-1, 4).max(axis=0))


def test_kernel_larger_than_the_padded_frame_is_refused_with_the_numbers():
    x, w, b = _data(shape=(6, 6, 3), f=11)
    with pytest.raises(ValueError) as info:
        run_layer(x, w, b, LayerSettings(padding="valid"))
    message = str(info.value)
    assert "11×11" in message and "6×6" in message
