"""Optimizers: the textbook update on numbers worked by hand, purity, and convergence on a quadratic;
the whitening preconditioner."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import AdamState, adam_step, momentum_step, optimizer_step, sgd_step
from playground.engine.optim import patch_moment, whitening


def test_sgd_is_p_minus_lr_g_and_keeps_its_inputs():
    p, g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    new, state = sgd_step([p], [g], None, lr=0.1)
    np.testing.assert_allclose(new[0], [0.95, -2.05])
    assert state is None
    np.testing.assert_array_equal(p, [1.0, -2.0])  # pure: the input is untouched


def test_momentum_accumulates_velocity():
    p, g = [np.array([0.0])], [np.array([1.0])]
    p1, v1 = momentum_step(p, g, None, lr=0.1, momentum=0.9)
    p2, v2 = momentum_step(p1, g, v1, lr=0.1, momentum=0.9)
    np.testing.assert_allclose(v1[0], [1.0])
    np.testing.assert_allclose(v2[0], [1.9])        # 0.9·1 + 1
    np.testing.assert_allclose(p2[0], [-0.1 - 0.19])


def test_adam_first_step_moves_each_weight_by_lr():
    """Bias correction makes Adam's first step exactly lr·sign(g), whatever g's scale."""
    p = [np.array([1.0, 1.0, 1.0])]
    new, state = adam_step(p, [np.array([1e-3, -5.0, 2e4])], None, lr=0.01)
    np.testing.assert_allclose(new[0], [0.99, 1.01, 0.99], atol=1e-9)
    assert isinstance(state, AdamState) and state.t == 1
    # a second step uses the moments: hand-computed m̂ and v̂
    g2 = np.array([1e-3, -5.0, 2e4])
    newer, state2 = adam_step(new, [g2], state, lr=0.01)
    np.testing.assert_allclose(newer[0], [0.98, 1.02, 0.98], atol=1e-6)  # same gradient: same step
    assert state2.t == 2 and state.t == 1  # the old state is a value, unchanged


@pytest.mark.parametrize(("name", "lr"), [("sgd", 0.1), ("momentum", 0.02), ("adam", 0.05)])
def test_each_optimizer_minimises_a_quadratic(name, lr):
    target = np.array([3.0, -1.0, 0.5])
    scales = np.array([1.0, 4.0, 0.5])
    params, state = [np.zeros(3)], None
    for _ in range(500):
        grads = [2 * scales * (params[0] - target)]
        params, state = optimizer_step(name, params, grads, state, lr)
    np.testing.assert_allclose(params[0], target, atol=1e-2)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="learning rate must be > 0"):
        sgd_step([np.zeros(1)], [np.zeros(1)], None, lr=0)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        optimizer_step("rmsprop", [np.zeros(1)], [np.zeros(1)], None, 0.1)
    with pytest.raises(ValueError, match="1 parameters but 2 gradients"):
        adam_step([np.zeros(1)], [np.zeros(1), np.zeros(1)], None, lr=0.1)


def test_patch_moment_and_whitening():
    rng = np.random.default_rng(0)
    x = rng.random((2, 9, 8, 3))
    moment = patch_moment(x, (3, 3, 3, 4), stride=2, padding=1, dilation=1)
    # by hand: the patches of the padded input at the stride-2 output cells, plus a 1
    xpad = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    rows = [np.append(xpad[m, r:r + 3, q:q + 3].reshape(-1), 1.0)
            for m in range(2) for r in range(0, 9, 2) for q in range(0, 8, 2)]
    patches = np.array(rows)
    np.testing.assert_allclose(moment, patches.T @ patches / len(rows), rtol=1e-5)
    white = whitening(moment, damping=1e-12)
    np.testing.assert_allclose(white @ moment @ white, np.eye(28), atol=1e-4)
