"""1×1 convolutions as mixing matrices (the notes' "Network in Network").

A 1×1 conv layer with K filters over n_c channels is a K × n_c matrix: each
output pixel is the matrix times the input pixel's channel vector (plus the
biases), the same fully-connected layer at every position. The editor shows
that matrix (a row per output filter, a column per input channel); these
functions convert between the matrix and a bank, and build the preset
matrices: identity, average, luminance, swap and difference of two channels.

>>> matrix, names = mixing_preset("luminance", ("R", "G", "B"))
>>> matrix.tolist(), names
([[0.29899999499320984, 0.5870000123977661, 0.11400000005960464]], ('luminance',))
"""

from __future__ import annotations

import numpy as np

from .model import MAX_FILTERS, Filter, FilterBank

__all__ = ["MIX_PRESETS", "mixing_preset", "mixing_bank", "mixing_matrix"]

MIX_PRESETS = ("identity", "average", "luminance", "swap", "difference")
_LUMINANCE = (0.299, 0.587, 0.114)  # ITU-R BT.601, as in engine.network.prepare_input


def _channel(index: int, names: tuple[str, ...], which: str) -> int:
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < len(names):
        raise ValueError(f"channel {which} must be 0 to {len(names) - 1}; got {index!r}")
    return int(index)


def mixing_preset(name: str, channel_names: tuple[str, ...], a: int = 0,
                  b: int = 1) -> tuple[np.ndarray, tuple[str, ...]]:
    """A preset mixing matrix for the given input channels, and names for its rows.

    Parameters
    ----------
    name : {"identity", "average", "luminance", "swap", "difference"}
        identity: K = n_c, each filter copies its channel. average: one filter,
        the mean of all channels. luminance: one filter, 0.299 R + 0.587 G +
        0.114 B (needs 3 channels). swap: identity with channels ``a`` and ``b``
        exchanged. difference: one filter, channel ``a`` minus channel ``b``.
    channel_names : tuple of str
        The channels feeding the layer (:func:`playground.kernels.network.channel_names`).
    a, b : int
        The two channels for "swap" and "difference".

    Returns
    -------
    matrix : numpy.ndarray, float32, (K, n_c)
    names : tuple of str, K filter names
    """
    names = tuple(channel_names)
    n_c = len(names)
    if name == "identity":
        return np.eye(n_c, dtype=np.float32), names
    if name == "average":
        return np.full((1, n_c), 1.0 / n_c, np.float32), ("average",)
    if name == "luminance":
        if n_c != 3:
            raise ValueError(f"luminance mixes 3 channels (R, G, B); this layer has {n_c}")
        return np.array([_LUMINANCE], np.float32), ("luminance",)
    if name in ("swap", "difference"):
        a, b = _channel(a, names, "a"), _channel(b, names, "b")
        if a == b:
            raise ValueError(f"{name} needs two different channels; got {names[a]!r} twice")
        if name == "swap":
            order = list(range(n_c))
            order[a], order[b] = b, a
            return np.eye(n_c, dtype=np.float32)[order], tuple(names[i] for i in order)
        row = np.zeros((1, n_c), np.float32)
        row[0, a], row[0, b] = 1.0, -1.0
        return row, (f"{names[a][:18]} − {names[b][:18]}",)
    raise ValueError(f"unknown mixing preset {name!r}; choose one of: {', '.join(MIX_PRESETS)}")


def mixing_bank(matrix, names, biases=None) -> FilterBank:
    """A 1×1 bank from a K × n_c matrix: filter k's weights are row k.

    Raises
    ------
    ValueError
        Not a 2-D matrix, K above the bank's limit, or names/biases not one per row.
    """
    matrix = np.asarray(matrix, np.float32)
    if matrix.ndim != 2 or 0 in matrix.shape:
        raise ValueError(f"a mixing matrix is K × n_c; got shape {matrix.shape}")
    k = matrix.shape[0]
    if k > MAX_FILTERS:
        raise ValueError(f"a mixing matrix has at most {MAX_FILTERS} rows (filters); got {k}")
    names = tuple(names)
    biases = (0.0,) * k if biases is None else tuple(biases)
    if len(names) != k or len(biases) != k:
        raise ValueError(f"a {k}-row matrix needs {k} names and biases; got {len(names)} and {len(biases)}")
    return FilterBank(tuple(Filter(name, row[None, None, :], bias=bias, linked=False)
                            for name, row, bias in zip(names, matrix, biases, strict=True)))


def mixing_matrix(bank: FilterBank) -> np.ndarray:
    """The K × n_c matrix of a 1×1 bank (all filters, in bank order); ValueError if f ≠ 1."""
    if bank.size != 1:
        raise ValueError(f"only a 1×1 bank is a mixing matrix; this bank's kernels are {bank.size}×{bank.size}")
    return np.stack([item.weights[0, 0] for item in bank.filters])
