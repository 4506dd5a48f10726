"""The sliding window, step by step: the core of the padding/stride animation (Qt-free).

One filter's window moves across the padded input at the stride, in reading
order; at each step one output cell gets its number. A :class:`SlidingWindow`
gives random access to the steps (the UI plays, pauses, steps back and forth or
jumps), each a :class:`WindowStep` with the cell's full explanation and the
output filled so far. On a camera frame the animation runs over a region of
output cells the person picks (``rows``, ``cols``).

Every number is computed by :func:`~playground.render.inspector.explain_conv_cell`,
the inspector's own arithmetic, so the animation and the inspector always agree;
tests check the filled output against the engine's conv2d.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from playground.engine.backend import asnumpy
from playground.engine.layer import LayerSettings
from playground.engine.shapes import output_size

from .inspector import ConvCellExplanation, explain_conv_cell

__all__ = ["SlidingWindow", "WindowStep"]


@dataclass(frozen=True, eq=False)
class WindowStep:
    """One position of the window.

    Attributes
    ----------
    index : int
        0-based step number, of ``count``.
    count : int
    out_row, out_col : int
        The output cell this step fills (in the whole map, not the region).
    padded_row, padded_col : int
        The window's top-left in the padded input (row·s, col·s).
    cell : ConvCellExplanation
        The window, kernel, products, channel sums, z and a.
    filled : numpy.ndarray, float32, (n_H_out, n_W_out), read-only
        The output after this step: the values of every step so far, NaN where
        the window has not been yet (and outside the region).
    """

    index: int
    count: int
    out_row: int
    out_col: int
    padded_row: int
    padded_col: int
    cell: ConvCellExplanation
    filled: np.ndarray

    @property
    def value(self) -> float:
        """The number this step writes: a = g(z)."""
        return self.cell.a


class SlidingWindow:
    """All steps of one filter's window over one input.

    Parameters
    ----------
    x : array, (n_H, n_W, n_c) or (n_H, n_W)
        The layer's input.
    w : array, (f, f, n_c, K)
    b : array (K,) or None
    settings : LayerSettings
        Padding, stride, dilation, flip and activation (pooling is not animated).
    k : int
        The filter whose map fills in.
    rows, cols : range, optional
        Output rows and columns to visit (a region of a big frame); default all.
        Steps go through the region in reading order.

    Raises
    ------
    ValueError
        If the region is empty or outside the output, or the shapes do not fit.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((6, 6, 1)); x[:, :3] = 10
    >>> edge = np.array([[1, 0, -1]] * 3, float)[:, :, None, None]
    >>> window = SlidingWindow(x, edge, None, LayerSettings(padding="valid"), 0)
    >>> len(window), window.step(1).value
    (16, 30.0)
    """

    def __init__(self, x, w, b, settings: LayerSettings, k: int, rows: range | None = None,
                 cols: range | None = None) -> None:
        x = np.asarray(asnumpy(x), dtype=np.float32)
        if x.ndim == 2:
            x = x[:, :, None]
        if x.ndim != 3:
            raise ValueError(f"x must be (n_H, n_W, n_c); got shape {x.shape}")
        w = np.asarray(asnumpy(w), dtype=np.float32)
        if w.ndim != 4:
            raise ValueError(f"w must be (f, f, n_c, K); got shape {w.shape}")
        self.x, self.w, self.settings, self.k = x, w, settings, int(k)
        self.b = None if b is None else np.asarray(asnumpy(b), dtype=np.float32)
        f = w.shape[0]
        self.pads = settings.pads(x.shape[:2], f)
        self.out_shape = tuple(output_size(n, f, p, settings.stride, settings.dilation)
                               for n, p in zip(x.shape[:2], self.pads, strict=True))
        if 0 in self.out_shape:
            raise ValueError(f"the kernel does not fit the padded {self.padded_shape[0]}×{self.padded_shape[1]} "
                             "input: no output to fill")
        rows = range(self.out_shape[0]) if rows is None else rows
        cols = range(self.out_shape[1]) if cols is None else cols
        for name, span, n in (("rows", rows, self.out_shape[0]), ("cols", cols, self.out_shape[1])):
            if len(span) == 0 or min(span) < 0 or max(span) >= n:
                raise ValueError(f"{name} {span} must be a non-empty part of the output's 0…{n - 1}")
        self.rows, self.cols = rows, cols
        # raises early (filter index, channels) rather than at the first step
        explain_conv_cell(x, w, self.b, settings, rows[0], cols[0], self.k)
        self._values = np.full(len(rows) * len(cols), np.nan, np.float32)
        self._done = 0  # steps whose value is in _values

    def __len__(self) -> int:
        return len(self.rows) * len(self.cols)

    @property
    def padded_shape(self) -> tuple[int, int]:
        """(n_H + top + bottom, n_W + left + right): the grid the window moves over."""
        (top, bottom), (left, right) = self.pads
        return self.x.shape[0] + top + bottom, self.x.shape[1] + left + right

    def padded_input(self) -> np.ndarray:
        """The input with its zero padding, float32 (n_H + top + bottom, n_W + left + right, n_c)."""
        (top, bottom), (left, right) = self.pads
        return np.pad(self.x, ((top, bottom), (left, right), (0, 0)))

    def padding_mask(self) -> np.ndarray:
        """bool (padded n_H, padded n_W): True on padding cells."""
        (top, _), (left, _) = self.pads
        mask = np.ones(self.padded_shape, bool)
        mask[top:top + self.x.shape[0], left:left + self.x.shape[1]] = False
        return mask

    def cell_of(self, index: int) -> tuple[int, int]:
        """The output (row, col) step ``index`` fills."""
        index = self._index(index)
        return self.rows[index // len(self.cols)], self.cols[index % len(self.cols)]

    def _index(self, index: int) -> int:
        count = len(self)
        if not -count <= index < count:
            raise IndexError(f"step {index} does not exist: there are {count}")
        return index % count

    def _explain(self, index: int) -> ConvCellExplanation:
        return explain_conv_cell(self.x, self.w, self.b, self.settings, *self.cell_of(index), self.k)

    def _compute_through(self, index: int) -> None:
        # steps are computed once, in order, as the animation reaches them
        while self._done <= index:
            self._values[self._done] = self._explain(self._done).a
            self._done += 1

    def filled(self, through: int) -> np.ndarray:
        """The output after steps 0 … ``through``: float32 (n_H_out, n_W_out), NaN elsewhere."""
        through = self._index(through)
        self._compute_through(through)
        out = np.full(self.out_shape, np.nan, np.float32)
        values = np.full(len(self), np.nan, np.float32)
        values[:through + 1] = self._values[:through + 1]
        out[np.ix_(self.rows, self.cols)] = values.reshape(len(self.rows), len(self.cols))
        out.flags.writeable = False
        return out

    def step(self, index: int) -> WindowStep:
        """Step ``index`` (negative counts from the end, as for lists)."""
        index = self._index(index)
        cell = self._explain(index)
        return WindowStep(index=index, count=len(self), out_row=cell.row, out_col=cell.col,
                          padded_row=cell.padded_row, padded_col=cell.padded_col, cell=cell,
                          filled=self.filled(index))

    def __iter__(self) -> Iterator[WindowStep]:
        for index in range(len(self)):
            yield self.step(index)

    def result(self) -> np.ndarray:
        """The region's output once every step is done: float32 (len(rows), len(cols))."""
        self._compute_through(len(self) - 1)
        return self._values.reshape(len(self.rows), len(self.cols)).copy()
