"""One rule for the numbers drawn on cells: compact, with float32 rounding noise shown as 0.

A map computed in float32 holds tiny leftovers where the exact answer is 0
(30 − 30 done in a different order reads 2.24e-08). Whether a small value is
noise depends on the size of the numbers around it, so every function here takes
a ``scale``: the magnitude of the map (:func:`map_scale`) or the largest response
the layer can give (:func:`response_scale`). Values below ``scale · NOISE`` read
"0", whole numbers read without decimals ("30", not "30.000"), others read with
a few significant digits ("0.353", "-12.5", "1.2e6").
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["NOISE", "format_cell", "format_cells", "map_scale", "response_scale"]

# float32 keeps ~7 significant digits and a sum over an 11×11×32 window loses a
# few more; 1e-5 of the scale is well above that error and well below what 3-4
# digits on a cell can show anyway.
NOISE = 1e-5


def map_scale(values) -> float:
    """The largest finite |value| of a map (0.0 for an empty or all-NaN map).

    Parameters
    ----------
    values : array-like, any shape (a map, a window, a whole stack of maps)
    """
    array = np.asarray(values, dtype=np.float64)
    finite = np.abs(array[np.isfinite(array)])
    return float(finite.max()) if finite.size else 0.0


def response_scale(weights, bias=0.0, input_abs_max: float = 1.0) -> float:
    """The largest |z| a filter can produce: Σ|w| · max|x| + |b|.

    Parameters
    ----------
    weights : array-like, (f, f, n_c) one filter, or (f, f, n_c, K) a bank
        For a bank, the largest over its filters.
    bias : float or array-like (K,)
    input_abs_max : float
        Largest |value| of the input (1.0 for pictures in [0, 1], 255 raw).
    """
    w = np.abs(np.asarray(weights, dtype=np.float64))
    b = np.abs(np.asarray(bias, dtype=np.float64))
    if w.ndim == 4:
        per_filter = w.sum(axis=(0, 1, 2)) * float(input_abs_max) + b
        return float(np.max(per_filter)) if per_filter.size else 0.0
    return float(w.sum() * float(input_abs_max) + b.max(initial=0.0))


def _compact_exponent(text: str) -> str:
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


def format_cell(value: float, scale: float | None = None, digits: int = 3) -> str:
    """Text for one cell.

    Parameters
    ----------
    value : float
    scale : float, optional
        Magnitude of the numbers around it (:func:`map_scale` or
        :func:`response_scale`). ``|value| ≤ scale · NOISE`` reads "0", and a
        value within that distance of a whole number reads as that number. None:
        only an exact 0 reads "0".
    digits : int
        Significant digits for values that are not whole numbers (at least 1).

    Returns
    -------
    str
        "0", "30", "-30", "0.353", "-12.5", "1.23e6", "nan", "inf", "-inf".
        ASCII minus, so the text can be pasted into a matrix or a kernel cell.

    Examples
    --------
    >>> format_cell(2.24e-08, scale=30)
    '0'
    >>> format_cell(29.9999981, scale=30)
    '30'
    >>> format_cell(0.35294118, scale=1)
    '0.353'
    """
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    tolerance = 0.0 if scale is None else abs(float(scale)) * NOISE
    if abs(value) <= tolerance:
        return "0"
    nearest = round(value)
    if abs(value - nearest) <= tolerance:
        if abs(nearest) < 10 ** max(digits + 3, 6):  # whole numbers up to 999,999 stay whole
            return str(int(nearest)) if nearest else "0"
    digits = max(1, int(digits))
    text = f"{value:.{digits}g}"
    if "e" in text:
        text = _compact_exponent(text)
    return text


def format_cells(values, scale: float | None = None, digits: int = 3) -> np.ndarray:
    """:func:`format_cell` for every value of an array.

    Parameters
    ----------
    values : array-like, any shape
    scale : float, optional
        Defaults to :func:`map_scale` of ``values`` itself, so noise is judged
        against the map it sits in.
    digits : int

    Returns
    -------
    numpy.ndarray of str (object dtype), the shape of ``values``
    """
    array = np.asarray(values)
    if scale is None:
        scale = map_scale(array)
    out = np.empty(array.shape, dtype=object)
    for index, value in np.ndenumerate(array):
        out[index] = format_cell(value, scale, digits)
    return out
