"""Losses with their gradients: what the learner minimises."""

from __future__ import annotations

import numpy as np

from . import buffers
from .backend import backend_for

__all__ = ["mse_loss"]


def _like(xp, a):
    """An uninitialised array with ``a``'s shape and memory order, from the engine's recycled
    buffers (a fresh 10 MB array per step cost more in page faults than the loss itself)."""
    order = sorted(range(a.ndim), key=lambda axis: -abs(a.strides[axis]))  # outermost axis first
    base = buffers.recycled(xp, tuple(a.shape[axis] for axis in order), a.dtype)
    return base.transpose(np.argsort(order))


def mse_loss(pred, target):
    """Mean squared error and its gradient with respect to ``pred``.

    Parameters
    ----------
    pred, target : array, same shape (any), on the same array module

    Returns
    -------
    loss : float
        mean((pred − target)²). Squares are summed in float32 per run of 4,096
        values and those sums in float64: one pass over the maps, and accurate
        to about 1e-6 relative however large the frame.
    grad : array like ``pred``
        2·(pred − target) / N, N = pred.size, in ``pred``'s precision. It keeps
        ``pred``'s memory layout (the engine's maps are stored per filter), which
        the conv backward reads without a copy.
    """
    xp = backend_for([pred]).xp
    if tuple(pred.shape) != tuple(target.shape):
        raise ValueError(f"pred and target must have the same shape; got {tuple(pred.shape)} and "
                         f"{tuple(target.shape)}")
    dtype = xp.result_type(pred.dtype, target.dtype, xp.float32)
    diff = _like(xp, pred.astype(dtype, copy=False))
    xp.subtract(pred, target, out=diff)
    flat = diff.ravel(order="K")  # a view: diff is dense in its own order
    runs = flat.size // 4096 * 4096
    total = float(xp.einsum("ij,ij->i", flat[:runs].reshape(-1, 4096), flat[:runs].reshape(-1, 4096))
                  .sum(dtype=xp.float64)) if runs else 0.0
    total += float(xp.dot(flat[runs:].astype(xp.float64), flat[runs:].astype(xp.float64)))
    diff *= 2.0 / diff.size
    return total / pred.size, diff
