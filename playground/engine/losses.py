"""Losses with their gradients: what the learner minimises."""

from __future__ import annotations

from .backend import backend_for

__all__ = ["mse_loss"]


def mse_loss(pred, target):
    """Mean squared error and its gradient with respect to ``pred``.

    Parameters
    ----------
    pred, target : array, same shape (any), on the same array module

    Returns
    -------
    loss : float
        mean((pred − target)²), summed in float64 so a 640×480×8 float32 map does
        not lose the small differences the end of training is about.
    grad : array like ``pred``
        2·(pred − target) / N, N = pred.size. It keeps ``pred``'s memory layout
        (the engine's maps are stored per filter), which the conv backward reads
        without a copy.
    """
    xp = backend_for([pred]).xp
    if tuple(pred.shape) != tuple(target.shape):
        raise ValueError(f"pred and target must have the same shape; got {tuple(pred.shape)} and "
                         f"{tuple(target.shape)}")
    diff = pred - target
    wide = diff.ravel(order="K").astype(xp.float64)  # "K": a view when diff is dense in any order
    loss = float(xp.dot(wide, wide))
    diff *= 2.0 / diff.size
    return loss / pred.size, diff
