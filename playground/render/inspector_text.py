"""The inspector's explanations as lines of text, with the numbers drawn by the one cell rule.

For a panel, a tooltip or a terminal: ``z = Σ + b`` written out with this cell's
numbers. Every number goes through :func:`~playground.render.numbers.format_cell`
against the scale of the terms being summed, so float32 noise reads 0 here as
on the maps.
"""

from __future__ import annotations

import numpy as np

from .inspector import ConvCellExplanation, PoolCellExplanation
from .numbers import format_cell

__all__ = ["conv_cell_lines", "pool_cell_lines", "MAX_TERMS"]

# Up to a 3×3 kernel the products are written out term by term; beyond, only their sum.
MAX_TERMS = 9

_ACTIVATION = {"none": "a = z = {z}", "relu": "a = ReLU(z) = max(z, 0) = {a}", "abs": "a = |z| = {a}"}


def _number(value: float, scale: float) -> str:
    text = format_cell(value, scale)
    return f"({text})" if text.startswith("-") else text


def _span(values) -> str:
    first, last = int(values[0]), int(values[-1])
    return str(first) if first == last else f"{first}–{last}"


def conv_cell_lines(cell: ConvCellExplanation, channel_names=None) -> tuple[str, ...]:
    """Text lines explaining one conv cell.

    Parameters
    ----------
    cell : ConvCellExplanation
    channel_names : sequence of str, optional
        One per input channel ("R", "G", "B", or the previous layer's filter
        names); default "channel 1", "channel 2", …

    Returns
    -------
    tuple of str
        Where the window is, which kernel is applied, one line per channel with
        its products and partial sum, the total, z = Σ + b and the activation.

    Examples
    --------
    >>> import numpy as np
    >>> from playground.engine.layer import LayerSettings
    >>> from playground.render.inspector import explain_conv_cell
    >>> x = np.zeros((6, 6, 1)); x[:, :3] = 10
    >>> w = np.array([[1, 0, -1]] * 3, float)[:, :, None, None]
    >>> conv_cell_lines(explain_conv_cell(x, w, None, LayerSettings(padding="valid"), 0, 1, 0))[-2]
    'z = Σ + b = 30 + 0 = 30'
    """
    n_c = cell.window.shape[2]
    names = list(channel_names) if channel_names is not None else [f"channel {c + 1}" for c in range(n_c)]
    if len(names) != n_c:
        raise ValueError(f"{n_c} channel names needed; got {len(names)}")
    # noise is judged against the terms summed (the largest the sum could have been), and
    # against the window's and kernel's own sizes: when every product is 0, a 1.8e-7 left
    # in the window by the previous layer's float32 sums is still noise
    scale = (float(np.abs(cell.products.astype(np.float64)).sum()) + abs(cell.bias)
             + float(np.abs(cell.window).max(initial=0.0)) + float(np.abs(cell.kernel).max(initial=0.0)))
    f = cell.size
    step = f" every {cell.dilation} (dilation)" if cell.dilation > 1 else ""
    zeros = int(cell.padding.sum())
    where = (f"cell ({cell.row}, {cell.col}) of filter {cell.filter + 1}: {f}×{f} window at input rows "
             f"{_span(cell.input_rows)}, columns {_span(cell.input_cols)}{step}")
    if zeros:
        where += f"; {zeros} of its {f * f} taps on padding zeros"
    lines = [where,
             "kernel flipped 180° (true convolution)" if cell.flipped
             else "kernel as written (cross-correlation, what CNNs call convolution)"]
    for c, name in enumerate(names):
        sum_text = _number(float(cell.channel_sums[c]), scale).strip("()")
        if f * f <= MAX_TERMS:
            terms = " + ".join(f"{_number(v, scale)}·{_number(k, scale)}"
                               for v, k in zip(cell.window[:, :, c].ravel(), cell.kernel[:, :, c].ravel(),
                                               strict=True))
            lines.append(f"{name}: {terms} = {sum_text}")
        else:
            lines.append(f"{name}: Σ of {f * f} products = {sum_text}")
    total = format_cell(cell.total, scale)
    lines.append(f"z = Σ + b = {total} + {_number(cell.bias, scale)} = {format_cell(cell.z, scale)}")
    lines.append(_ACTIVATION[cell.activation].format(z=format_cell(cell.z, scale), a=format_cell(cell.a, scale)))
    return tuple(lines)


def pool_cell_lines(cell: PoolCellExplanation) -> tuple[str, ...]:
    """Text lines explaining one pooled cell: the window, then its max (and where) or its mean."""
    f = cell.window.shape[0]
    scale = float(np.abs(cell.window.astype(np.float64)).max())
    where = (f"pooled cell ({cell.row}, {cell.col}) of filter {cell.filter + 1}: {f}×{f} window at map rows "
             f"{_span(cell.map_rows)}, columns {_span(cell.map_cols)}")
    values = ", ".join(format_cell(v, scale) for v in cell.window.ravel())
    if cell.mode == "max":
        row, col = cell.winner_in_map
        result = f"max({values}) = {format_cell(cell.value, scale)}, at map row {row}, column {col}"
    else:
        result = f"mean({values}) = {format_cell(cell.value, scale)}"
    return where, result
