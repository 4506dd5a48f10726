"""The activation applied inside the conv's bands equals the activation applied afterwards."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import kernel_paths
from playground.engine.conv import conv_maps


@pytest.fixture
def forced():
    yield kernel_paths.forced_path
    kernel_paths.forced_path(None)


@pytest.mark.parametrize("path", kernel_paths.PATHS)
@pytest.mark.parametrize("activation", ["relu", "abs"])
@pytest.mark.parametrize("per_channel", [False, True])
def test_fused_activation_matches_a_separate_pass(forced, path, activation, per_channel):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((37, 45, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 5)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    forced(path)
    plain, plain_parts = conv_maps(x, w, b, padding="same", per_channel=per_channel)
    plain = np.array(plain)   # copies: the engine may reuse its buffers on the next call
    plain_parts = None if plain_parts is None else np.array(plain_parts)
    expected = np.maximum(plain, 0) if activation == "relu" else np.abs(plain)
    assert (plain < 0).any()   # the activation has something to change
    fused, parts = conv_maps(x, w, b, padding="same", per_channel=per_channel, activation=activation)
    np.testing.assert_allclose(fused, expected, atol=1e-5)
    if per_channel:   # contributions stay before the activation: they sum to the plain maps
        np.testing.assert_allclose(np.asarray(parts).sum(axis=2) + b, plain, atol=1e-4)
        np.testing.assert_allclose(parts, plain_parts, atol=1e-5)


def test_an_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="activation must be one of"):
        conv_maps(np.zeros((4, 4, 1), np.float32), np.zeros((3, 3, 1, 1), np.float32), activation="tanh")
