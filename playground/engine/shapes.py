"""Shape arithmetic from the lecture notes, and the normalisation of conv arguments.

Formulas (per axis):

* output size  n_out = floor((n + p_before + p_after - f_eff) / s) + 1
* dilated kernel  f_eff = d·(f - 1) + 1
* "same" padding  p = (n·s - n + f_eff - s) / 2, the odd extra row/column after
* parameters  (f·f·n_c_prev + 1)·n_c
"""

from __future__ import annotations

import numbers

Pair = tuple[int, int]
Padding = str | int | tuple

__all__ = [
    "output_size",
    "same_padding",
    "conv_params",
    "effective_size",
    "as_pair",
    "resolve_padding",
]


def _as_int(value, name: str, minimum: int) -> int:
    if type(value) is int and value >= minimum:  # the common case, without the ABC check's cost
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be ≥ {minimum}; got {value}")
    return int(value)


def as_pair(value, name: str, minimum: int = 1) -> Pair:
    """``s`` or ``(s_H, s_W)`` → ``(s_H, s_W)``, each an int ≥ ``minimum``.

    Raises
    ------
    ValueError
        Naming ``name`` and the rule, e.g. "stride must be ≥ 1; got 0".
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (H, W); got {value!r}")
        return (_as_int(value[0], name, minimum), _as_int(value[1], name, minimum))
    v = _as_int(value, name, minimum)
    return (v, v)


def effective_size(f: int, dilation: int = 1) -> int:
    """Extent of a dilated kernel: ``dilation·(f − 1) + 1``."""
    return dilation * (f - 1) + 1


def output_size(n: int, f: int, p: int = 0, s: int = 1, dilation: int = 1) -> int:
    """Output length along one axis: ``floor((n + 2p − f_eff) / s) + 1``.

    Parameters
    ----------
    n : int
        Input length (n_H or n_W).
    f : int
        Kernel length.
    p : int or (int, int)
        Padding on each side, or ``(before, after)`` for asymmetric padding.
    s : int
        Stride.
    dilation : int
        Kernel dilation; the kernel covers ``dilation·(f − 1) + 1`` cells.

    Returns
    -------
    int
        The output length; 0 when the kernel does not fit (a caller that needs a
        non-empty output checks for that and says so).

    Examples
    --------
    >>> output_size(6, 3)          # the notes' 6×6 * 3×3 → 4×4
    4
    >>> output_size(39, 3)         # 39×39×3 → 37×37×10
    37
    >>> output_size(7, 3, 0, 2)    # floor((7 − 3)/2) + 1
    3
    """
    n = _as_int(n, "n", 0)
    f = _as_int(f, "f", 1)
    s = _as_int(s, "stride", 1)
    dilation = _as_int(dilation, "dilation", 1)
    if isinstance(p, (tuple, list)):
        if len(p) != 2:
            raise ValueError(f"padding must be p or (before, after); got {p!r}")
        before, after = (_as_int(v, "padding", 0) for v in p)
    else:
        before = after = _as_int(p, "padding", 0)
    span = n + before + after - effective_size(f, dilation)
    return span // s + 1 if span >= 0 else 0


def same_padding(n: int, f: int, s: int = 1, dilation: int = 1) -> Pair:
    """Padding ``(before, after)`` that keeps the output length equal to ``n``.

    The notes' formula p = (n·s − n + f − s)/2; at s = 1 that is (f − 1)/2. When
    the total is odd (even f, or some strides) the extra row/column goes after
    (bottom/right), as TensorFlow and Keras do.

    Examples
    --------
    >>> same_padding(6, 3)
    (1, 1)
    >>> same_padding(6, 4)        # even kernel: asymmetric
    (1, 2)
    >>> same_padding(7, 3, 2)     # (7·2 − 7 + 3 − 2)/2 = 4
    (4, 4)
    """
    n = _as_int(n, "n", 1)
    f = _as_int(f, "f", 1)
    s = _as_int(s, "stride", 1)
    total = max(0, n * s - n + effective_size(f, _as_int(dilation, "dilation", 1)) - s)
    return (total // 2, total - total // 2)


def conv_params(f: int, n_c_prev: int, n_c: int, bias: bool = True) -> int:
    """Learnable parameters of a conv layer: ``(f·f·n_c_prev + 1)·n_c``.

    Examples
    --------
    >>> conv_params(3, 3, 10)     # ten 3×3×3 filters
    280
    >>> conv_params(5, 3, 6)
    456
    """
    f = _as_int(f, "f", 1)
    n_c_prev = _as_int(n_c_prev, "n_c_prev", 1)
    n_c = _as_int(n_c, "n_c", 1)
    return (f * f * n_c_prev + (1 if bias else 0)) * n_c


def resolve_padding(padding: Padding, size: Pair, kernel: Pair, stride: Pair, dilation: Pair) -> tuple[Pair, Pair]:
    """Any accepted padding form → ``((top, bottom), (left, right))``.

    Parameters
    ----------
    padding : "valid", "same", int, (p_H, p_W) or ((top, bottom), (left, right))
    size, kernel, stride, dilation : (H, W) pairs
        Input size, kernel size, stride and dilation (needed by "same").
    """
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return ((0, 0), (0, 0))
        if mode == "same":
            per_axis = zip(size, kernel, stride, dilation, strict=True)
            return tuple(same_padding(n, f, s, d) for n, f, s, d in per_axis)  # type: ignore[return-value]
        raise ValueError(
            f"padding must be 'valid', 'same', an int, (p_H, p_W) or ((top, bottom), (left, right)); got {padding!r}"
        )
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2:
            raise ValueError(f"padding must have 2 entries (H, W); got {padding!r}")
        out = []
        for entry in padding:
            if isinstance(entry, (tuple, list)):
                if len(entry) != 2:
                    raise ValueError(f"padding per axis must be p or (before, after); got {entry!r}")
                out.append((_as_int(entry[0], "padding", 0), _as_int(entry[1], "padding", 0)))
            else:
                p = _as_int(entry, "padding", 0)
                out.append((p, p))
        return (out[0], out[1])
    p = _as_int(padding, "padding", 0)
    return ((p, p), (p, p))
