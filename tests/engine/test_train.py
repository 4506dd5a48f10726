"""A network's backward pass: finite differences through pooling and activations to
earlier layers, trainable subsets, batches; and the float32 path against float64."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import Stage, backward_network, forward_train, mse_loss
from playground.engine.layer import LayerSettings, PoolSettings, run_layer


def _network(rng, settings_1, settings_2, channels=2):
    return [
        Stage(rng.standard_normal((3, 3, channels, 3)), rng.standard_normal(3), settings_1),
        Stage(rng.standard_normal((2, 2, 3, 2)), rng.standard_normal(2), settings_2),
    ]


CASES = [
    (LayerSettings(padding="same", activation="relu", pool=PoolSettings("max", 2, 2)),
     LayerSettings(padding="valid", activation="abs")),
    (LayerSettings(padding=1, stride=2, flip=True, activation="abs", pool=PoolSettings("avg", 2, 1)),
     LayerSettings(padding=((0, 1), (1, 0)), dilation=2, activation="relu", pool=PoolSettings("max", 2, 1))),
    (LayerSettings(padding="valid", dilation=2, activation="none"),
     LayerSettings(padding="same", stride=2, activation="none", pool=PoolSettings("avg", 2, 2))),
]


@pytest.mark.parametrize(("first", "second"), CASES)
def test_network_gradients_match_finite_differences(first, second):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 12, 11, 2))  # m = 2
    stages = _network(rng, first, second)
    output, cache = forward_train(x, stages)
    target = rng.standard_normal(output.shape)
    _, grad = mse_loss(output, target)
    grads = backward_network(cache, grad)
    eps = 1e-6
    for index, stage in enumerate(stages):
        for part, array in ((0, stage.w), (1, stage.b)):
            for cell in list(np.ndindex(array.shape))[:: 3 if part == 0 else 1]:
                keep = array[cell]
                array[cell] = keep + eps
                up = mse_loss(forward_train(x, stages)[0], target)[0]
                array[cell] = keep - eps
                down = mse_loss(forward_train(x, stages)[0], target)[0]
                array[cell] = keep
                assert grads[index][part][cell] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-8), \
                    (index, part, cell)


def test_trainable_subset_and_unbatched_input():
    rng = np.random.default_rng(1)
    stages = _network(rng, *CASES[0])
    x = rng.standard_normal((12, 11, 2))
    output, cache = forward_train(x, stages)
    assert output.ndim == 3
    g = rng.standard_normal(output.shape)
    full = backward_network(cache, g)
    only_first = backward_network(cache, g, trainable={0})
    only_last = backward_network(cache, g, trainable={1})
    assert only_first[1] is None and only_last[0] is None
    np.testing.assert_allclose(only_first[0][0], full[0][0])
    np.testing.assert_allclose(only_last[1][0], full[1][0])
    with pytest.raises(ValueError, match="within 0…1"):
        backward_network(cache, g, trainable={2})


def test_forward_is_the_apps_layer_and_float32_gradients_match_float64():
    rng = np.random.default_rng(2)
    settings = LayerSettings(padding="same", stride=2, activation="relu", pool=PoolSettings("max", 2, 2))
    x = rng.random((40, 50, 3))
    w = rng.standard_normal((3, 3, 3, 4))
    b = rng.standard_normal(4)
    out32, cache32 = forward_train(x.astype(np.float32), [Stage(w.astype(np.float32), b.astype(np.float32),
                                                                settings)])
    app = run_layer(x.astype(np.float32), w, b, settings, per_channel=False)
    np.testing.assert_allclose(out32, app.pooled, rtol=1e-6, atol=1e-6)
    out64, cache64 = forward_train(x, [Stage(w, b, settings)])
    g = rng.standard_normal(out64.shape)
    (gw32, gb32), = backward_network(cache32, g.astype(np.float32))
    (gw64, gb64), = backward_network(cache64, g)
    assert gw32.dtype == np.float32 and gw64.dtype == np.float64
    np.testing.assert_allclose(gw32, gw64, rtol=1e-4, atol=1e-4 * np.abs(gw64).max())
    np.testing.assert_allclose(gb32, gb64, rtol=1e-4, atol=1e-4 * np.abs(gb64).max())


def test_a_stage_that_leaves_no_output_is_named():
    stages = [Stage(np.ones((5, 5, 3, 1)), None, LayerSettings(padding="valid"))]
    with pytest.raises(ValueError, match="layer 1"):
        forward_train(np.ones((4, 4, 3)), stages)
