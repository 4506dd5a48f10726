"""Optimizers as small pure functions: parameters, gradients and state in, new ones out.

Parameters and gradients are sequences of arrays (any shapes, NumPy or CuPy); the
state is an explicit value the caller keeps between steps (a worker can pause,
snapshot or reset it without asking an object). Nothing passed in is modified.

>>> import numpy as np
>>> params, state = [np.array([1.0])], None
>>> params, state = adam_step(params, [np.array([0.5])], state, lr=0.1)
>>> params[0].round(3)
array([0.9])
"""

from __future__ import annotations

from dataclasses import dataclass

from .backend import backend_for

__all__ = ["AdamState", "sgd_step", "momentum_step", "adam_step", "OPTIMIZERS", "optimizer_step"]


def _check(params, grads, lr) -> None:
    if len(params) != len(grads):
        raise ValueError(f"got {len(params)} parameters but {len(grads)} gradients")
    if not lr > 0:
        raise ValueError(f"learning rate must be > 0; got {lr!r}")


def sgd_step(params, grads, state=None, lr=0.01):
    """Plain gradient descent: p ← p − lr·g.

    Returns
    -------
    (new_params, None)
        A list of new arrays; SGD keeps no state.
    """
    _check(params, grads, lr)
    return [p - lr * g for p, g in zip(params, grads, strict=True)], None


def momentum_step(params, grads, state=None, lr=0.01, momentum=0.9):
    """SGD with (heavy-ball) momentum: v ← μ·v + g, p ← p − lr·v.

    Parameters
    ----------
    state : list of arrays or None
        The velocities, one per parameter; None starts from zero.

    Returns
    -------
    (new_params, new_velocities)
    """
    _check(params, grads, lr)
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1); got {momentum!r}")
    if state is None:
        state = [0 * g for g in grads]
    velocities = [momentum * v + g for v, g in zip(state, grads, strict=True)]
    return [p - lr * v for p, v in zip(params, velocities, strict=True)], velocities


@dataclass(frozen=True)
class AdamState:
    """Adam's running moments after ``t`` steps (one first/second moment per parameter)."""

    t: int
    first: tuple
    second: tuple


def adam_step(params, grads, state=None, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam (Kingma & Ba 2015) with bias correction.

    m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²,
    p ← p − lr·m̂ / (√v̂ + ε) with m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ).
    Each step moves a weight by about ``lr`` at most, whatever the loss's scale,
    which is why it is the learner's default: raw pixel values or unit floats, a
    Sobel or a blur, the same learning rate works.

    Returns
    -------
    (new_params, AdamState)
    """
    _check(params, grads, lr)
    if state is None:
        state = AdamState(0, tuple(0 * g for g in grads), tuple(0 * g for g in grads))
    xp = backend_for(list(params)).xp
    t = state.t + 1
    first = tuple(beta1 * m + (1 - beta1) * g for m, g in zip(state.first, grads, strict=True))
    second = tuple(beta2 * v + (1 - beta2) * g * g for v, g in zip(state.second, grads, strict=True))
    scale1, scale2 = 1 - beta1 ** t, 1 - beta2 ** t
    new = [p - lr * (m / scale1) / (xp.sqrt(v / scale2) + eps)
           for p, m, v in zip(params, first, second, strict=True)]
    return new, AdamState(t, first, second)


OPTIMIZERS = {"sgd": sgd_step, "momentum": momentum_step, "adam": adam_step}


def optimizer_step(name: str, params, grads, state, lr: float):
    """Dispatch by name ("sgd", "momentum", "adam") with each optimizer's default constants."""
    try:
        step = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}") from None
    return step(params, grads, state, lr=lr)
