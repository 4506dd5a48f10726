"""Checks on conv arguments; every message names the parameter and the rule."""

from __future__ import annotations

import numpy as np

from .backend import asnumpy

__all__ = ["check_real_array", "check_finite", "finite_float32"]


def check_real_array(a, name: str, ndims: tuple[int, ...]) -> None:
    """Raise ValueError unless ``a`` is a real numeric array with one of ``ndims``."""
    kind = getattr(getattr(a, "dtype", None), "kind", None)
    if kind not in ("b", "i", "u", "f"):
        raise ValueError(f"{name} must be a real numeric array; got dtype {getattr(a, 'dtype', type(a).__name__)}")
    if a.ndim not in ndims:
        wanted = " or ".join(f"{d}-D" for d in ndims)
        raise ValueError(f"{name} must be {wanted}; got shape {tuple(a.shape)}")
    if 0 in a.shape:
        raise ValueError(f"{name} must not be empty; got shape {tuple(a.shape)}")


def check_finite(xp, a, name: str) -> None:
    """Raise ValueError if ``a`` holds NaN or ±inf (a kernel must be finite numbers)."""
    finite = xp.isfinite(a)
    if not bool(finite.all()):
        bad = int(a.size - int(finite.sum()))
        where = tuple(int(i) for i in np.argwhere(~asnumpy(finite))[0])
        raise ValueError(f"{name} must be finite: {bad} value(s) are NaN or inf (first at index {where})")


def finite_float32(xp, a, name: str):
    """``a`` as float32 after checking it is finite and fits float32.

    A float64 weight of 1e39 is finite but would become inf in float32; that gets
    its own message rather than a misleading "NaN or inf".
    """
    check_finite(xp, a, name)
    limit = float(np.finfo(np.float32).max)
    if a.dtype.kind == "f" and a.dtype.itemsize > 4 and a.size and float(xp.abs(a).max()) > limit:
        raise ValueError(f"{name} must fit in float32: some values are beyond ±{limit:.2e}")
    return a.astype(xp.float32, copy=False)
