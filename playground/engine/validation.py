"""Checks on conv arguments; every message names the parameter and the rule."""

from __future__ import annotations

import numpy as np

from .backend import asnumpy

__all__ = ["check_real_array", "check_finite"]


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
