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


# --- preconditioning: gradient descent on whitened input patches ------------------------
def patch_moment(x, w_shape, *, stride=1, padding="valid", dilation=1):
    """Second moment of a conv layer's input patches, with a constant 1 for the bias.

    A = mean over output cells of [patch, 1]·[patch, 1]ᵀ, the Hessian (up to a
    factor) of the MSE loss of a linear conv layer in its weights: its eigenvalues
    are how fast gradient descent learns each direction of the kernel.

    Parameters
    ----------
    x : array (m, n_H, n_W, n_c) or (n_H, n_W, n_c), the layer's input
    w_shape : (f_H, f_W, n_c, K)
    stride, padding, dilation : as for :func:`~playground.engine.conv.conv2d`

    Returns
    -------
    array float64 (f_H·f_W·n_c + 1, f_H·f_W·n_c + 1)
        Rows ordered like ``w.reshape(-1, K)`` (i, j, c), then the bias.
    """
    from .backward import _geometry, _padded, _tap_view  # the forward pass's own tap geometry

    xp = backend_for([x]).xp
    geo = _geometry(x, xp.zeros(tuple(w_shape), xp.float32), stride, padding, dilation, False)
    xpad = _padded(xp, geo.x, geo.pads)
    f_h, f_w = w_shape[:2]
    taps = [_tap_view(xpad, geo, i, j) for i in range(f_h) for j in range(f_w)]
    patches = xp.stack(taps, axis=3).reshape(-1, f_h * f_w * geo.x.shape[3])
    if patches.dtype != xp.float64:
        patches = patches.astype(xp.float32, copy=False)  # float32 GEMM: 5× faster, and ample for a preconditioner
    count = patches.shape[0]
    size = patches.shape[1] + 1
    moment = xp.empty((size, size), xp.float64)
    # the constant-1 column is added by hand (no copy of the patches); the product goes in
    # blocks of 256 patches: OpenBLAS runs each small GEMM on one thread, where one big GEMM
    # spread over threads the engine's bands already use took 18× longer on a busy 2-core machine
    blocks = count // 256
    tail = patches[blocks * 256:]
    moment[:-1, :-1] = tail.T @ tail
    if blocks:
        head = patches[:blocks * 256].reshape(blocks, 256, patches.shape[1])
        moment[:-1, :-1] += xp.matmul(head.transpose(0, 2, 1), head).sum(axis=0)
    moment[-1, :-1] = moment[:-1, -1] = patches.sum(axis=0)
    moment[-1, -1] = count
    return moment / count


def whitening(moment, damping=1e-3):
    """P = (A + δ·λ_max·I)^(−1/2): the preconditioner that makes A's directions equally fast.

    Gradient descent on v with w = P·v sees the Hessian P·A·P ≈ I, so the slow
    directions of natural pictures (colour channels that move together, flat
    regions) are learned as fast as the others. ``damping`` (relative to A's
    largest eigenvalue) keeps directions the picture never excites from blowing up.

    Returns
    -------
    array float64, same shape as ``moment``, symmetric
    """
    xp = backend_for([moment]).xp
    values, vectors = xp.linalg.eigh(moment)
    floor = damping * float(values[-1]) if float(values[-1]) > 0 else damping
    scale = 1.0 / xp.sqrt(xp.maximum(values, 0) + floor)
    return (vectors * scale) @ vectors.T
