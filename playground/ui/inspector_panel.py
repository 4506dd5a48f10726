"""The pixel inspector's panel: every number behind one map cell, drawn as grids.

For a conv cell it shows, per input channel, the window the kernel sees
(padding zeros hatched; with dilation the taps are d apart and the gaps are not
in the window), the kernel as applied (flipped for true convolution, and the
panel says so), their element-wise products and the channel's partial sum; then
the total, + b = z and the activation, as lines of text with the cell's own
numbers. For a pooled cell it first shows the pool window with the winner (max)
or the mean (avg). The panel only draws: the explanations come from
:class:`~playground.render.frame_layers.FrameLayers` (see
:mod:`playground.ui.inspector_controller`).
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from playground.render.frame_layers import CellRef
from playground.render.inspector import ConvCellExplanation, PoolCellExplanation
from playground.render.inspector_text import conv_cell_lines, pool_cell_lines
from playground.render.numbers import format_cell

from . import theme
from .number_grid import NumberGrid

__all__ = ["InspectorPanel", "MAX_CHANNEL_ROWS"]

# Channels drawn as grids at once; beyond, a spin box picks which (every
# channel's partial sum is still in the text).
MAX_CHANNEL_ROWS = 3
# Kernels up to this size are drawn as grids; a bigger window would not fit a dock.
MAX_GRID_SIDE = 7


class InspectorPanel(QtWidgets.QWidget):
    """Shows one cell's explanation.

    Attributes
    ----------
    cell : CellRef or None
        The cell shown.
    conv, pool : explanations or None
    value : float or None
        The number the view shows at the cell, from the explanation.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.cell: CellRef | None = None
        self.conv: ConvCellExplanation | None = None
        self.pool: PoolCellExplanation | None = None
        self.value: float | None = None
        self._names: tuple[str, ...] = ()
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.header = QtWidgets.QLabel("Click a cell of a map to see how its number is made. "
                                       "Hold Shift and move the mouse over a map to follow it; "
                                       "over the input, Shift shows every output cell a pixel feeds.")
        self.header.setWordWrap(True)
        self.header.setStyleSheet("font-weight: 600;")
        outer.addWidget(self.header)
        self.kernel_note = QtWidgets.QLabel()
        self.kernel_note.setStyleSheet(f"color: {theme.WARNING};")
        outer.addWidget(self.kernel_note)
        picker = QtWidgets.QHBoxLayout()
        self.channel_label = QtWidgets.QLabel("first channel shown")
        self.channel_spin = QtWidgets.QSpinBox()
        self.channel_spin.setMinimum(1)
        self.channel_spin.setToolTip("Which input channels are drawn as grids (3 at a time)")
        self.channel_spin.valueChanged.connect(self._redraw_grids)
        picker.addWidget(self.channel_label)
        picker.addWidget(self.channel_spin)
        picker.addStretch(1)
        outer.addLayout(picker)
        body = QtWidgets.QHBoxLayout()   # grids on the left, the sums written out on the right
        grids = QtWidgets.QVBoxLayout()
        self.pool_grid = NumberGrid("pool window")
        grids.addWidget(self.pool_grid)
        self._rows: list[tuple] = []   # per row: name, window, kernel, products, Σ, "×", "="
        grid_box = QtWidgets.QGridLayout()
        grid_box.setHorizontalSpacing(8)
        for row in range(MAX_CHANNEL_ROWS):
            name = QtWidgets.QLabel()
            window, kernel, products = NumberGrid("window"), NumberGrid("kernel"), NumberGrid("products")
            total = QtWidgets.QLabel()
            total.setStyleSheet("font-family: monospace;")
            times, equals = QtWidgets.QLabel("×"), QtWidgets.QLabel("=")
            for column, widget in enumerate((name, window, times, kernel, equals, products, total)):
                grid_box.addWidget(widget, row, column)
            self._rows.append((name, window, kernel, products, total, times, equals))
        grid_box.setColumnStretch(7, 1)
        grids.addLayout(grid_box)
        grids.addStretch(1)
        body.addLayout(grids)
        self.text = QtWidgets.QLabel()
        self.text.setWordWrap(True)
        self.text.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop | QtCore.Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setStyleSheet("font-family: monospace;")
        self.text.setMinimumWidth(320)
        body.addWidget(self.text, 1)
        outer.addLayout(body, 1)
        self.clear()

    # --- what is shown --------------------------------------------------------------------------
    def clear(self, message: str = "") -> None:
        """Show no cell (and ``message``, e.g. why the pinned cell went away)."""
        self.cell = self.conv = self.pool = None
        self.value = None
        self.kernel_note.setText("")
        self.text.setText(message)
        self.pool_grid.hide()
        self.channel_label.hide()
        self.channel_spin.hide()
        for row in self._rows:
            for widget in row:
                widget.hide()

    def show_cell(self, cell: CellRef, conv: ConvCellExplanation, pool: PoolCellExplanation | None,
                  value: float, channel_names: tuple[str, ...], filter_name: str, pinned: bool) -> None:
        """Show the explanation of ``cell``; ``value`` is the number the view shows there."""
        self.cell, self.conv, self.pool, self.value = cell, conv, pool, value
        self._names = tuple(channel_names)
        where = {"filters": "map", "channels": f"per-channel map ({channel_names[cell.channel or 0]})",
                 "pooled": "pooled map"}[cell.view]
        scale = float(np.abs(conv.products.astype(np.float64)).sum()) + abs(conv.bias)
        shown = format_cell(value, max(scale, abs(value)))
        self.header.setText(f"{'Pinned' if pinned else 'Following'} · layer {cell.layer + 1} · {filter_name} · "
                            f"{where} · row {cell.row}, column {cell.col} → {shown}")
        self.kernel_note.setText("kernel flipped 180°: true convolution is on" if conv.flipped else "")
        lines = []
        if pool is not None:
            self.pool_grid.set_values(pool.window, highlight=pool.winner,
                                      title=f"pool window ({pool.mode}) · rows {pool.map_rows[0]}–"
                                            f"{pool.map_rows[-1]}, columns {pool.map_cols[0]}–{pool.map_cols[-1]}")
            self.pool_grid.show()
            lines += pool_cell_lines(pool)
            if pool.winner is not None:
                lines.append(f"the winner, map cell ({conv.row}, {conv.col}), is made like this:")
            else:
                lines.append(f"each cell of the window is made like this one, map cell ({conv.row}, {conv.col}):")
        else:
            self.pool_grid.hide()
        lines += conv_cell_lines(conv, channel_names)
        self.text.setText("\n".join(lines))
        n_c = conv.window.shape[2]
        many = n_c > MAX_CHANNEL_ROWS
        self.channel_label.setVisible(many)
        self.channel_spin.setVisible(many)
        self.channel_spin.blockSignals(True)
        self.channel_spin.setMaximum(max(1, n_c - MAX_CHANNEL_ROWS + 1))
        if cell.view == "channels" and cell.channel is not None:
            self.channel_spin.setValue(min(cell.channel + 1, self.channel_spin.maximum()))
        self.channel_spin.blockSignals(False)
        self._redraw_grids()

    @QtCore.Slot()
    def _redraw_grids(self) -> None:
        conv = self.conv
        if conv is None:
            return
        n_c = conv.window.shape[2]
        first = self.channel_spin.value() - 1 if n_c > MAX_CHANNEL_ROWS else 0
        big = conv.size > MAX_GRID_SIDE
        window_scale = float(np.abs(conv.window).max()) if conv.window.size else 0.0
        kernel_scale = float(np.abs(conv.kernel).max()) if conv.kernel.size else 0.0
        product_scale = float(np.abs(conv.products).max()) if conv.products.size else 0.0
        sum_scale = float(np.abs(conv.products.astype(np.float64)).sum()) + abs(conv.bias)
        for index, (name, window, kernel, products, total, times, equals) in enumerate(self._rows):
            c = first + index
            visible = c < n_c
            for widget in (name, total):
                widget.setVisible(visible)
            for grid in (window, kernel, products, times, equals):
                grid.setVisible(visible and not big)
            if not visible:
                continue
            label = self._names[c] if c < len(self._names) else f"channel {c + 1}"
            name.setText(label)
            total.setText(f"Σ {format_cell(float(conv.channel_sums[c]), sum_scale)}")
            if big:
                continue
            flipped = " (flipped)" if conv.flipped else ""
            window.set_values(conv.window[:, :, c], padding=conv.padding, scale=window_scale,
                              title=f"window{' · d = ' + str(conv.dilation) if conv.dilation > 1 else ''}")
            kernel.set_values(conv.kernel[:, :, c], scale=kernel_scale, title=f"kernel{flipped}")
            products.set_values(conv.products[:, :, c], scale=product_scale, title="products")
