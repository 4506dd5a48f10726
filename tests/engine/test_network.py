"""run_network against a plain loop reference, and the input preparation."""

from __future__ import annotations

import numpy as np
import pytest
from reference import conv2d_per_channel_ref, conv2d_ref, pool2d_ref

from playground.engine.layer import LayerSettings, PoolSettings
from playground.engine.network import prepare_input, run_network


def reference_network(x, stages):
    """Float64 loops: conv (+ bias) → activation → pool, layer after layer."""
    outputs = []
    for w, b, settings in stages:
        maps = conv2d_ref(x, w, b, stride=settings.stride, padding=settings.padding,
                          dilation=settings.dilation, flip=settings.flip)
        if settings.activation == "relu":
            maps = np.maximum(maps, 0)
        elif settings.activation == "abs":
            maps = np.abs(maps)
        pooled = None
        if settings.pool is not None:
            pooled = pool2d_ref(maps, settings.pool.size, settings.pool.stride, mode=settings.pool.mode)
        outputs.append((maps, pooled))
        x = pooled if pooled is not None else maps
    return outputs


def random_stages(rng):
    return [
        (rng.standard_normal((3, 3, 3, 4)), rng.standard_normal(4),
         LayerSettings(padding="same", activation="relu", pool=PoolSettings("max", 2, 2))),
        (rng.standard_normal((3, 3, 4, 5)), rng.standard_normal(5),
         LayerSettings(padding="valid", stride=2, dilation=1, flip=True, activation="abs",
                       pool=PoolSettings("avg", 2, 1))),
        (rng.standard_normal((1, 1, 5, 2)), rng.standard_normal(2), LayerSettings(padding=1, activation="none")),
    ]


def test_network_matches_the_loop_reference_layer_by_layer():
    rng = np.random.default_rng(0)
    x = rng.random((17, 20, 3)).astype(np.float32)
    stages = random_stages(rng)
    outputs = run_network(x, stages)
    expected = reference_network(x, stages)
    assert len(outputs) == 3
    for got, (maps, pooled) in zip(outputs, expected, strict=True):
        np.testing.assert_allclose(np.array(got.maps), maps, rtol=1e-4, atol=1e-4)
        if pooled is None:
            assert got.pooled is None
        else:
            np.testing.assert_allclose(np.array(got.pooled), pooled, rtol=1e-4, atol=1e-4)
        assert got.contributions is None
    assert outputs[0].maps.shape == (17, 20, 4) and outputs[1].maps.shape == (3, 4, 5)
    assert outputs[2].maps.shape == (4, 5, 2)  # (2×3 pooled, padding 1, 1×1 kernel)


def test_per_channel_contributions_only_for_the_layer_asked():
    rng = np.random.default_rng(1)
    x = rng.random((12, 12, 3)).astype(np.float32)
    stages = random_stages(rng)
    outputs = run_network(x, stages, per_channel_layer=1)
    assert outputs[0].contributions is None and outputs[2].contributions is None
    layer_input = np.array(outputs[0].pooled)
    w, _, settings = stages[1]
    expected = conv2d_per_channel_ref(layer_input, w, stride=settings.stride, padding=settings.padding,
                                      flip=settings.flip)
    np.testing.assert_allclose(np.array(outputs[1].contributions), expected, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="per_channel_layer must be 0 to 2"):
        run_network(x, stages, per_channel_layer=3)


def test_earlier_outputs_survive_later_layers():
    # the engine reuses result buffers; a layer's maps must not be overwritten by the next layer
    rng = np.random.default_rng(2)
    x = rng.random((16, 16, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 3))
    stages = [(w, None, LayerSettings(padding="same"))] * 3
    outputs = run_network(x, stages)
    expected = reference_network(x, stages)
    for got, (maps, _) in zip(outputs, expected, strict=True):
        np.testing.assert_allclose(np.array(got.maps), maps, rtol=1e-4, atol=1e-3)


def test_errors_name_the_layer():
    rng = np.random.default_rng(3)
    x = rng.random((8, 8, 3)).astype(np.float32)
    good = (rng.standard_normal((3, 3, 3, 4)), None, LayerSettings(padding="valid"))
    with pytest.raises(ValueError, match="layer 2: its filters take 3 channels, but layer 1 gives 4"):
        run_network(x, [good, good])
    big = (rng.standard_normal((7, 7, 4, 1)), None, LayerSettings(padding="valid"))
    with pytest.raises(ValueError, match="layer 2: kernel 7×7 is larger than the padded input 6×6"):
        run_network(x, [good, big])
    pooled = (good[0], None, LayerSettings(padding="valid", pool=PoolSettings("max", 8, 8)))
    with pytest.raises(ValueError, match="layer 1: pool window 8×8 is larger than the 6×6 map"):
        run_network(x, [pooled])
    with pytest.raises(ValueError, match="at least one layer"):
        run_network(x, [])
    with pytest.raises(ValueError, match=r"x must be one frame \(n_H, n_W, n_c\); got shape \(1, 8, 8, 3\)"):
        run_network(x[None], [good])
    with pytest.raises(ValueError, match="layer 1: settings must be LayerSettings"):
        run_network(x, [(good[0], None, "same")])


def test_prepare_input_resizes_by_area_and_converts_channels():
    frame = np.arange(8 * 8 * 3, dtype=np.float32).reshape(8, 8, 3)
    small = prepare_input(frame, size=(4, 4))
    # area interpolation at exactly half size: each output pixel is the mean of a 2×2 block
    blocks = frame.reshape(4, 2, 4, 2, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(small, blocks, rtol=1e-6)
    gray = prepare_input(frame, size=(4, 2), channels=1)
    assert gray.shape == (4, 2, 1) and gray.dtype == np.float32
    luminance = prepare_input(frame, channels=1)[..., 0]
    np.testing.assert_allclose(luminance, frame @ np.array([0.299, 0.587, 0.114], np.float32), rtol=1e-6)
    rgb = prepare_input(np.ones((5, 6), np.uint8) * 7, channels=3)
    assert rgb.shape == (5, 6, 3) and (rgb == 7).all()
    assert prepare_input(frame) is frame  # nothing to do: no copy
    with pytest.raises(ValueError, match="frame must be"):
        prepare_input(np.zeros((4,)))
