"""A network's forward pass that keeps what the backward pass needs, and the backward pass.

The engine-level network is a sequence of stages ``(w, b, settings)``, each one conv
layer as the app runs it (:class:`~playground.engine.layer.LayerSettings`: padding,
stride, dilation, flip, activation, pooling): conv → + bias → activation → pool.
Layer l's input is layer l − 1's pooled (or activated) output.

float32 inputs train with the engine's fast kernels; float64 inputs (the tests'
finite differences) are computed in float64 throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .backend import backend_for
from .backward import abs_backward, conv2d_backward, conv2d_forward, pool2d_backward, pool2d_forward, relu_backward
from .layer import LayerSettings

__all__ = ["Stage", "StageCache", "TrainCache", "forward_train", "backward_network"]


class Stage(NamedTuple):
    """One conv layer: weights (f, f, n_c_prev, K), bias (K,) or None, and its settings."""

    w: object
    b: object
    settings: LayerSettings


@dataclass(frozen=True)
class StageCache:
    """What one stage's backward pass reads.

    Attributes
    ----------
    x : array (m, n_H, n_W, n_c_prev), the stage's input
    w : array (f, f, n_c_prev, K), the weights used
    z : array (m, n_H_out, n_W_out, K), conv + bias, before the activation
    a : array like z, after the activation (the pooling's input)
    settings : LayerSettings
    has_bias : bool
    """

    x: object
    w: object
    z: object
    a: object
    settings: LayerSettings
    has_bias: bool


@dataclass(frozen=True)
class TrainCache:
    """A forward pass remembered: one :class:`StageCache` per stage, and whether x was batched."""

    stages: tuple
    batched: bool


def _activate(z, activation: str):
    xp = backend_for([z]).xp
    if activation == "relu":
        return xp.maximum(z, 0)
    if activation == "abs":
        return xp.abs(z)
    return z


def forward_train(x, stages):
    """Run the stages on ``x`` and keep each stage's input and pre-activation.

    Parameters
    ----------
    x : array, (n_H, n_W, n_c) or (m, n_H, n_W, n_c)
    stages : sequence of (w, b, settings)
        w (f, f, n_c_prev, K), b (K,) or None, settings a LayerSettings. Each stage's
        n_c_prev must be the previous stage's K.

    Returns
    -------
    output : array, (…, n_H_L, n_W_L, K_L)
        The last stage's output (pooled if it pools), batched like ``x``.
    cache : TrainCache
        For :func:`backward_network`.

    Raises
    ------
    ValueError
        Channel mismatches or settings that leave no output, naming the stage.
    """
    backend = backend_for([x])
    a = backend.asarray(x)
    batched = a.ndim == 4
    if not batched:
        a = a[None]
    records = []
    for index, stage in enumerate(stages):
        w, b, settings = stage
        try:
            z = conv2d_forward(a, w, b, stride=settings.stride, padding=settings.padding,
                               dilation=settings.dilation, flip=settings.flip)
            activated = _activate(z, settings.activation)
            out = activated
            if settings.pool is not None:
                pool = settings.pool
                out = pool2d_forward(activated, pool.size, pool.stride, pool.mode)
        except ValueError as exc:
            raise ValueError(f"layer {index + 1}: {exc}") from None
        records.append(StageCache(a, w, z, activated, settings, b is not None))
        a = out
    return (a if batched else a[0]), TrainCache(tuple(records), batched)


def backward_network(cache: TrainCache, grad_output, trainable=None):
    """Gradients of the loss with respect to every trainable stage's weights and bias.

    Parameters
    ----------
    cache : TrainCache
        From :func:`forward_train`.
    grad_output : array like the network's output
        dL/d(output), e.g. the gradient from :func:`~playground.engine.losses.mse_loss`.
    trainable : set of int, optional
        Indices of the stages to differentiate (default: all). The gradient flows
        back through the pooling, activation and conv of every later stage to reach
        them; stages before the first trainable one are not visited.

    Returns
    -------
    list, one entry per stage
        ``(grad_w, grad_b)`` for a trainable stage (``grad_b`` None when the stage
        has no bias), None for the others.
    """
    count = len(cache.stages)
    trainable = set(range(count)) if trainable is None else {int(i) for i in trainable}
    if not trainable:
        return [None] * count
    if min(trainable) < 0 or max(trainable) >= count:
        raise ValueError(f"trainable stages must be within 0…{count - 1}; got {sorted(trainable)}")
    grads: list = [None] * count
    g = grad_output if cache.batched else grad_output[None]
    first = min(trainable)
    for index in range(count - 1, first - 1, -1):
        record = cache.stages[index]
        settings = record.settings
        if settings.pool is not None:
            g = pool2d_backward(record.a, g, settings.pool.size, settings.pool.stride, settings.pool.mode)
        if settings.activation == "relu":
            g = relu_backward(record.z, g)
        elif settings.activation == "abs":
            g = abs_backward(record.z, g)
        grad_x, grad_w, grad_b = conv2d_backward(
            record.x, record.w, g, stride=settings.stride, padding=settings.padding,
            dilation=settings.dilation, flip=settings.flip, need_x=index > first,
        )
        if index in trainable:
            grads[index] = (grad_w, grad_b if record.has_bias else None)
        g = grad_x
    return grads
