"""Element-wise non-linearities applied after the bias (notes: a = g(z))."""

from __future__ import annotations

from .backend import backend_for

__all__ = ["relu", "absolute"]


def relu(x, out=None):
    """ReLU, max(x, 0), element-wise.

    Parameters
    ----------
    x : array, any shape
    out : array, optional
        Where to write (may be ``x`` itself for an in-place update).

    Returns
    -------
    array, same shape and array module as ``x``
    """
    xp = backend_for([x]).xp
    x = xp.asarray(x)
    return xp.maximum(x, 0, out=out) if out is not None else xp.maximum(x, 0)


def absolute(x, out=None):
    """|x| element-wise: edge strength regardless of sign (the notes' "abs").

    Parameters
    ----------
    x : array, any shape
    out : array, optional
        Where to write (may be ``x`` itself).

    Returns
    -------
    array, same shape and array module as ``x``
    """
    xp = backend_for([x]).xp
    x = xp.asarray(x)
    return xp.abs(x, out=out) if out is not None else xp.abs(x)
