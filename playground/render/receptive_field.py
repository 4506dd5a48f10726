"""Which input pixels a cell sees, and which cells a pixel feeds, through conv and pool layers.

Along each axis a conv layer's output o reads the inputs o·s − p_before + j·d
(j = 0 … f−1) and a pool layer's output o reads o·s + j; taps on padding read
no input. Rows and columns are independent, so the set of input pixels a cell
depends on is (a set of rows) × (a set of columns). Here those sets are carried
through the layers exactly, as boolean masks per axis: with dilation or a stride
larger than the window they have gaps, and a :class:`Region` keeps both the exact
rows/columns and their bounding box.

Layers are given as the network gives them, one item per conv layer: a
``(w, b, settings)`` stage (``Network.stages()``), a ``(f, settings)`` pair, or a
:class:`LayerGeometry`. Layer indices are 0-based (layer 0 is the notes' [1]).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from playground.engine.layer import LayerSettings
from playground.engine.shapes import output_size

__all__ = ["LayerGeometry", "Region", "layer_geometry", "layer_sizes", "receptive_field", "cells_fed_by"]


@dataclass(frozen=True)
class LayerGeometry:
    """What the geometry of a conv layer needs: its kernel size f and its settings."""

    kernel: int
    settings: LayerSettings


@dataclass(frozen=True)
class Region:
    """A set of cells rows × cols on one map (or picture), with its bounding box.

    Attributes
    ----------
    rows, cols : tuple of int
        The exact rows and columns, ascending (with gaps under dilation or strides).
    """

    rows: tuple[int, ...]
    cols: tuple[int, ...]

    @property
    def top(self) -> int:
        return self.rows[0]

    @property
    def bottom(self) -> int:
        """Last row, inclusive."""
        return self.rows[-1]

    @property
    def left(self) -> int:
        return self.cols[0]

    @property
    def right(self) -> int:
        """Last column, inclusive."""
        return self.cols[-1]

    @property
    def height(self) -> int:
        """Rows of the bounding box."""
        return self.bottom - self.top + 1

    @property
    def width(self) -> int:
        """Columns of the bounding box."""
        return self.right - self.left + 1

    @property
    def slices(self) -> tuple[slice, slice]:
        """The bounding box as ``(row slice, col slice)`` for indexing an array."""
        return slice(self.top, self.bottom + 1), slice(self.left, self.right + 1)

    def contains(self, row: int, col: int) -> bool:
        """Whether (row, col) is one of the region's cells (not just inside its box)."""
        return row in self.rows and col in self.cols


def layer_geometry(item) -> LayerGeometry:
    """A :class:`LayerGeometry` from a stage ``(w, b, settings)``, a pair ``(f, settings)`` or itself."""
    if isinstance(item, LayerGeometry):
        return item
    if isinstance(item, tuple) and len(item) == 3 and isinstance(item[2], LayerSettings):
        return LayerGeometry(int(np.shape(item[0])[0]), item[2])
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], LayerSettings):
        return LayerGeometry(int(item[0]), item[1])
    raise ValueError("a layer must be (w, b, settings), (f, settings) or LayerGeometry; "
                     f"got {type(item).__name__}")


@dataclass(frozen=True)
class _Axis:
    """One axis of one layer: conv (n_in → n_conv), then pooling (n_conv → n_pool)."""

    n_in: int
    f: int
    s: int
    d: int
    before: int
    n_conv: int
    pool_f: int
    pool_s: int
    n_pool: int  # == n_conv without pooling

    def conv_taps(self) -> np.ndarray:
        """(n_conv, f) input positions each conv output reads (may be off the input)."""
        return np.arange(self.n_conv)[:, None] * self.s - self.before + np.arange(self.f)[None, :] * self.d

    def pool_taps(self) -> np.ndarray:
        """(n_pool, pool_f) conv positions each pooled output reads."""
        return np.arange(self.n_pool)[:, None] * self.pool_s + np.arange(self.pool_f)[None, :]


def _axes(input_size, layers) -> list[tuple[_Axis, _Axis]]:
    size = tuple(int(n) for n in input_size)
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"input size must be (n_H, n_W), each at least 1; got {input_size!r}")
    out = []
    for number, item in enumerate(layers, start=1):
        geometry = layer_geometry(item)
        settings, f = geometry.settings, geometry.kernel
        pads = settings.pads(size, f)
        axes = []
        for n, (before, after) in zip(size, pads, strict=True):
            n_conv = output_size(n, f, (before, after), settings.stride, settings.dilation)
            pool = settings.pool
            pool_f, pool_s = (pool.size, pool.stride) if pool else (1, 1)
            n_pool = output_size(n_conv, pool_f, 0, pool_s) if n_conv else 0
            if n_pool < 1:
                raise ValueError(f"layer {number} gives no output for a {size[0]}×{size[1]} input")
            axes.append(_Axis(n, f, settings.stride, settings.dilation, before, n_conv, pool_f, pool_s, n_pool))
        out.append((axes[0], axes[1]))
        size = (axes[0].n_pool, axes[1].n_pool)
    return out


def layer_sizes(input_size, layers: Sequence) -> list[tuple[tuple[int, int], tuple[int, int], tuple[int, int]]]:
    """Per layer: (input size, conv map size, pooled size), each (n_H, n_W).

    The pooled size equals the conv map size for a layer without pooling.

    Raises
    ------
    ValueError
        If a layer gives no output.
    """
    return [((h.n_in, w.n_in), (h.n_conv, w.n_conv), (h.n_pool, w.n_pool)) for h, w in _axes(input_size, layers)]


def _back(mask: np.ndarray, taps: np.ndarray, n_in: int) -> np.ndarray:
    """Input positions read by the outputs in ``mask`` (taps off the input read nothing)."""
    read = taps[mask].ravel()
    out = np.zeros(n_in, bool)
    out[read[(read >= 0) & (read < n_in)]] = True
    return out


def _forward(mask: np.ndarray, taps: np.ndarray) -> np.ndarray:
    """Outputs that read any input position in ``mask``."""
    n_in = mask.size
    inside = (taps >= 0) & (taps < n_in)
    return (mask[np.clip(taps, 0, n_in - 1)] & inside).any(axis=1)


def _check_level(axes, layer: int, other: int, name: str) -> None:
    # a layer without pooling has 1×1, stride-1 pool taps: its "pooled" map is its conv map
    if not 0 <= layer < len(axes):
        raise IndexError(f"layer {layer} does not exist: there are {len(axes)} (0-based)")
    if not 0 <= other <= layer:
        raise IndexError(f"{name} must be 0 (the picture) to {layer} (this layer's input); got {other}")


def _region(masks) -> Region | None:
    rows, cols = (tuple(int(i) for i in np.flatnonzero(mask)) for mask in masks)
    return Region(rows, cols) if rows and cols else None


def receptive_field(input_size, layers: Sequence, layer: int, row: int, col: int, *,
                    pooled: bool = False, target: int = 0) -> Region | None:
    """The input pixels that cell (row, col) of layer ``layer``'s output depends on.

    Parameters
    ----------
    input_size : (n_H, n_W)
        The picture (layer 0's input).
    layers : sequence
        One item per conv layer: ``(w, b, settings)``, ``(f, settings)`` or
        :class:`LayerGeometry`.
    layer : int
        0-based index of the layer whose map holds the cell.
    row, col : int
        The cell, in the conv map, or in the pooled map when ``pooled``.
    pooled : bool
        The cell is in the layer's pooled map (ignored for a layer without pooling).
    target : int
        Whose input the region is on: 0 the picture, ``layer`` the layer's own
        input (the window, with every tap that reads a real cell).

    Returns
    -------
    Region or None
        On ``target``'s input; None when the cell reads only padding (it depends
        on the bias alone).

    Raises
    ------
    IndexError
        For a layer, target or cell that does not exist.
    """
    axes = _axes(input_size, layers)
    _check_level(axes, layer, target, "target")
    masks = []
    for axis_index, position in enumerate((row, col)):
        axis = axes[layer][axis_index]
        length = axis.n_pool if pooled else axis.n_conv
        if not 0 <= position < length:
            raise IndexError(f"cell ({row}, {col}) is outside the {'pooled ' if pooled else ''}map of layer {layer}")
        mask = np.zeros(length, bool)
        mask[position] = True
        for index in range(layer, target - 1, -1):
            current = axes[index][axis_index]
            if index < layer or pooled:
                mask = _back(mask, current.pool_taps(), current.n_conv)
            mask = _back(mask, current.conv_taps(), current.n_in)
        masks.append(mask)
    return _region(masks)


def cells_fed_by(input_size, layers: Sequence, layer: int, row: int, col: int, *,
                 pooled: bool = False, source: int = 0) -> Region | None:
    """The cells of layer ``layer``'s output that pixel (row, col) feeds — the reverse of :func:`receptive_field`.

    Parameters
    ----------
    input_size, layers
        As for :func:`receptive_field`.
    layer : int
        0-based index of the layer whose output cells are wanted.
    row, col : int
        The pixel, on ``source``'s input.
    pooled : bool
        Give cells of the pooled map rather than the conv map.
    source : int
        Whose input the pixel is on: 0 the picture, up to ``layer``.

    Returns
    -------
    Region or None
        Cells of the conv (or pooled) map; None when the pixel feeds none (a
        stride can skip it).
    """
    axes = _axes(input_size, layers)
    _check_level(axes, layer, source, "source")
    masks = []
    for axis_index, position in enumerate((row, col)):
        axis = axes[source][axis_index]
        if not 0 <= position < axis.n_in:
            raise IndexError(f"pixel ({row}, {col}) is outside the input of layer {source}")
        mask = np.zeros(axis.n_in, bool)
        mask[position] = True
        for index in range(source, layer + 1):
            current = axes[index][axis_index]
            mask = _forward(mask, current.conv_taps())
            if index < layer or pooled:
                mask = _forward(mask, current.pool_taps())
        masks.append(mask)
    return _region(masks)
