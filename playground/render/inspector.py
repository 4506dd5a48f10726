"""How one output number is made: the pixel inspector's numbers, as immutable values.

For a cell of a conv map, :func:`explain_conv_cell` gives what the notes write as
z = Σ w·a + b, a = g(z) — with every term: the input window the kernel sees
(padding zeros marked, dilation gaps skipped), the kernel as applied (rotated
180° for true convolution), the element-wise products per input channel, each
channel's partial sum, the total, the bias, z and the activation. For a cell of
a pooled map, :func:`explain_pool_cell` gives the pool window and its winner
(max) or mean (avg).

The sums are taken in float64 from the float32 products; they agree with the
engine's float32 maps to float32 rounding. Tests compare them with
:func:`playground.engine.layer.run_layer`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.engine.backend import asnumpy
from playground.engine.layer import LayerSettings, PoolSettings
from playground.engine.shapes import output_size

__all__ = ["ConvCellExplanation", "PoolCellExplanation", "explain_conv_cell", "explain_pool_cell",
           "activate"]


def activate(z: float, activation: str) -> float:
    """g(z) for the layer's activation name ("none", "relu", "abs")."""
    if activation == "relu":
        return max(z, 0.0)
    if activation == "abs":
        return abs(z)
    if activation == "none":
        return z
    raise ValueError(f"unknown activation {activation!r}")


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class ConvCellExplanation:
    """Every number behind one conv-map cell. Arrays are read-only.

    Attributes
    ----------
    row, col, filter : int
        The cell (output row and column) and the filter index k.
    window : numpy.ndarray, float32, (f, f, n_c)
        The input values under the kernel's taps; 0 where a tap is on padding.
        With dilation d the taps are d apart: the gaps are not part of the window.
    padding : numpy.ndarray, bool, (f, f)
        True where the tap falls on a padding zero.
    input_rows, input_cols : numpy.ndarray, int, (f,)
        Each tap's row and column in the unpadded input (negative or ≥ n_H/n_W
        on padding), for outlining the window on the input picture.
    padded_row, padded_col : int
        The window's top-left in the padded input (row·s, col·s).
    kernel : numpy.ndarray, float32, (f, f, n_c)
        The weights as applied: rotated 180° when ``flipped``.
    flipped : bool
        True convolution (kernel flipped) rather than cross-correlation.
    products : numpy.ndarray, float32, (f, f, n_c)
        window × kernel, element by element.
    channel_sums : numpy.ndarray, float64, (n_c,)
        Each input channel's partial sum of products (the per-channel map's value).
    total : float
        Σ of the channel sums.
    bias, z, a : float
        b, z = total + b and a = g(z).
    activation : str
        "none", "relu" or "abs".
    stride, dilation : int
    pads : ((top, bottom), (left, right))
    """

    row: int
    col: int
    filter: int
    window: np.ndarray
    padding: np.ndarray
    input_rows: np.ndarray
    input_cols: np.ndarray
    padded_row: int
    padded_col: int
    kernel: np.ndarray
    flipped: bool
    products: np.ndarray
    channel_sums: np.ndarray
    total: float
    bias: float
    z: float
    activation: str
    a: float
    stride: int
    dilation: int
    pads: tuple

    @property
    def size(self) -> int:
        """f, the kernel's side."""
        return self.window.shape[0]

    @property
    def input_box(self) -> tuple[int, int, int, int] | None:
        """(top, left, bottom, right), inclusive, of the taps on real input cells; None if all are padding."""
        real = ~self.padding
        if not real.any():
            return None
        rows = self.input_rows[real.any(axis=1)]
        cols = self.input_cols[real.any(axis=0)]
        return int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max())


@dataclass(frozen=True, eq=False)
class PoolCellExplanation:
    """Every number behind one pooled cell. Arrays are read-only.

    Attributes
    ----------
    row, col, filter : int
        The pooled cell and the map (filter) it pools.
    mode : {"max", "avg"}
    window : numpy.ndarray, float32, (f, f)
        The map values under the pool window (after the activation).
    map_rows, map_cols : numpy.ndarray, int, (f,)
        The window's rows and columns in the map.
    winner : (int, int) or None
        For max: the winning cell's position inside the window (the first in
        reading order on a tie); None for avg.
    value : float
        The pooled value: the max, or the mean of the window.
    """

    row: int
    col: int
    filter: int
    mode: str
    window: np.ndarray
    map_rows: np.ndarray
    map_cols: np.ndarray
    winner: tuple[int, int] | None
    value: float

    @property
    def winner_in_map(self) -> tuple[int, int] | None:
        """The max cell's (row, col) in the map; None for avg."""
        if self.winner is None:
            return None
        return int(self.map_rows[self.winner[0]]), int(self.map_cols[self.winner[1]])


def _as_image(x, name: str):
    """``x`` as (n_H, n_W, n_c), left where it lives (NumPy or CuPy): only windows are copied to the host."""
    array = x if hasattr(x, "ndim") and hasattr(x, "shape") else np.asarray(x)
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or 0 in array.shape:
        raise ValueError(f"{name} must be (n_H, n_W, n_c); got shape {tuple(array.shape)}")
    return array


def _block(x, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, int, int]:
    """The host copy of x's rows × cols bounding box (clipped), with its top-left corner."""
    top, bottom = int(rows.min()), int(rows.max())
    left, right = int(cols.min()), int(cols.max())
    return np.asarray(asnumpy(x[top:bottom + 1, left:right + 1]), dtype=np.float32), top, left


def _check_cell(row: int, col: int, k: int, shape: tuple[int, int, int], what: str) -> None:
    n_h, n_w, n_k = shape
    if not (0 <= row < n_h and 0 <= col < n_w):
        raise IndexError(f"cell ({row}, {col}) is outside the {n_h}×{n_w} {what}")
    if not 0 <= k < n_k:
        raise IndexError(f"filter {k} does not exist: the {what} has {n_k}")


def explain_conv_cell(x, w, b, settings: LayerSettings, row: int, col: int, k: int) -> ConvCellExplanation:
    """The numbers behind cell (row, col) of filter k's map.

    Parameters
    ----------
    x : array, (n_H, n_W, n_c) or (n_H, n_W)
        The layer's input (the frame, or the previous layer's output).
    w : array, (f, f, n_c, K)
        The layer's weights, cross-correlation orientation (as the bank stores them).
    b : array (K,) or None
    settings : LayerSettings
        Padding ("same" may split unevenly: resolved as the engine does), stride,
        dilation, flip, activation. Pooling is explained by :func:`explain_pool_cell`.
    row, col : int
        The cell in the conv map (before pooling).
    k : int
        The filter.

    Returns
    -------
    ConvCellExplanation

    Raises
    ------
    IndexError
        If the cell or filter is outside the map.
    ValueError
        If the shapes do not fit together.
    """
    x = _as_image(x, "x")
    w = np.asarray(asnumpy(w), dtype=np.float32)
    if w.ndim != 4 or w.shape[2] != x.shape[2] or w.shape[0] != w.shape[1]:
        raise ValueError(f"w must be (f, f, n_c, K) with n_c = {x.shape[2]}; got shape {w.shape}")
    n_h, n_w, n_c = x.shape
    f = w.shape[0]
    s, d = settings.stride, settings.dilation
    pads = settings.pads((n_h, n_w), f)
    (top, bottom), (left, right) = pads
    out_h = output_size(n_h, f, (top, bottom), s, d)
    out_w = output_size(n_w, f, (left, right), s, d)
    _check_cell(row, col, k, (out_h, out_w, w.shape[3]), "map")

    taps = np.arange(f) * d
    input_rows = row * s - top + taps
    input_cols = col * s - left + taps
    real_rows = (input_rows >= 0) & (input_rows < n_h)
    real_cols = (input_cols >= 0) & (input_cols < n_w)
    real = real_rows[:, None] & real_cols[None, :]
    window = np.zeros((f, f, n_c), np.float32)
    if real.any():
        block, top_row, left_col = _block(x, input_rows[real_rows], input_cols[real_cols])
        rows_in = np.clip(input_rows, 0, n_h - 1) - top_row
        cols_in = np.clip(input_cols, 0, n_w - 1) - left_col
        rows_in = np.clip(rows_in, 0, block.shape[0] - 1)  # padding taps: any row, masked out below
        cols_in = np.clip(cols_in, 0, block.shape[1] - 1)
        window[real] = block[rows_in][:, cols_in][real]

    kernel = w[:, :, :, k]
    if settings.flip:
        kernel = kernel[::-1, ::-1]
    kernel = np.ascontiguousarray(kernel)
    products = window * kernel
    channel_sums = products.astype(np.float64).sum(axis=(0, 1))
    total = float(channel_sums.sum())
    bias = float(asnumpy(b)[k]) if b is not None else 0.0
    z = total + bias
    return ConvCellExplanation(
        row=row, col=col, filter=k,
        window=_frozen(window), padding=_frozen(~real),
        input_rows=_frozen(input_rows), input_cols=_frozen(input_cols),
        padded_row=row * s, padded_col=col * s,
        kernel=_frozen(kernel), flipped=settings.flip,
        products=_frozen(products), channel_sums=_frozen(channel_sums),
        total=total, bias=bias, z=z, activation=settings.activation, a=activate(z, settings.activation),
        stride=s, dilation=d, pads=pads,
    )


def explain_pool_cell(maps, pool: PoolSettings, row: int, col: int, k: int) -> PoolCellExplanation:
    """The numbers behind cell (row, col) of filter k's pooled map.

    Parameters
    ----------
    maps : array, (n_H, n_W, K)
        The conv maps after the activation (``LayerOutput.maps``), which the layer pools.
    pool : PoolSettings
        Mode, size f and stride s (the layer pools without padding).
    row, col, k : int
        The pooled cell and the filter.

    Returns
    -------
    PoolCellExplanation

    Raises
    ------
    IndexError
        If the cell or filter is outside the pooled map.
    """
    maps = _as_image(maps, "maps")
    n_h, n_w, n_k = maps.shape
    out_h = output_size(n_h, pool.size, 0, pool.stride)
    out_w = output_size(n_w, pool.size, 0, pool.stride)
    _check_cell(row, col, k, (out_h, out_w, n_k), "pooled map")
    map_rows = row * pool.stride + np.arange(pool.size)
    map_cols = col * pool.stride + np.arange(pool.size)
    block, _, _ = _block(maps[:, :, k:k + 1], map_rows, map_cols)
    window = np.ascontiguousarray(block[:, :, 0])
    if pool.mode == "max":
        flat = int(np.argmax(window))
        winner = (flat // pool.size, flat % pool.size)
        value = float(window[winner])
    else:
        winner = None
        value = float(window.astype(np.float64).mean())
    return PoolCellExplanation(row=row, col=col, filter=k, mode=pool.mode, window=_frozen(window),
                               map_rows=_frozen(map_rows), map_cols=_frozen(map_cols), winner=winner, value=value)
