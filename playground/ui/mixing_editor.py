"""The 1×1 editor: a 1×1 conv layer shown as its K × n_c mixing matrix.

With f = 1 a filter has no picture to draw: it is one weight per input channel,
and the layer is a matrix (the notes' "1 X 1 Convolutions & Network in
Network"): a row per output filter, a column per input channel, both named.
Each cell is edited like a kernel cell (type a number or 1/9, Enter or Tab
commits, the wheel nudges) and coloured on the same diverging scale. The presets
come from :mod:`playground.kernels.mixing`; this module only shows and asks.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.kernels.mixing import MIX_PRESETS

from .kernel_grid import WeightCells, full_text

__all__ = ["MixingMatrix", "MixingPanel", "PRESET_TIPS"]

_CELL_W, _CELL_H = 50, 26
_ROW_HEADER_MAX = 96     # filter names are elided past this; the tooltip has them whole
_VISIBLE_ROWS = 10       # more rows scroll, so the bias and the bank stay on a 720-pixel screen
_PRESET_PROMPT = "Mix preset…"

PRESET_TIPS = {
    "identity": "n_c filters, filter c copies channel c (K becomes n_c)",
    "average": "One filter: the mean of every channel (K becomes 1)",
    "luminance": "One filter: 0.299·R + 0.587·G + 0.114·B, the picture's brightness (needs 3 channels)",
    "swap": "Identity with channels a and b exchanged (K becomes n_c)",
    "difference": "One filter: channel a − channel b (K becomes 1)",
}


class MixingMatrix(WeightCells):
    """K × n_c weight cells with the filters' names down the side and the channels' across.

    Cell (k, c) is weight ``w[0, 0, c, k]``: how much of input channel c goes into
    output filter k. Signals as :class:`~playground.ui.kernel_grid.WeightCells`.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._rows: tuple[str, ...] = ()
        self._cols: tuple[str, ...] = ()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        header.setDefaultSectionSize(_CELL_W)
        header.setMinimumSectionSize(_CELL_W)
        side = self.verticalHeader()
        side.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        side.setDefaultSectionSize(_CELL_H)
        side.setMaximumWidth(_ROW_HEADER_MAX)
        side.setDefaultAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        for view in (self, header, side):  # the headers elide by their own setting, not the table's
            view.setTextElideMode(QtCore.Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)

    def set_matrix(self, matrix, filter_names, channel_names, enabled=None) -> None:
        """Show the (K, n_c) ``matrix`` with K filter names and n_c channel names.

        ``enabled`` (K booleans, default all on) dims the names of filters that are off.
        """
        values = np.asarray(matrix, np.float64)
        k, n_c = values.shape
        if len(filter_names) != k or len(channel_names) != n_c:
            raise ValueError(f"a {k} × {n_c} matrix needs {k} filter names and {n_c} channel names")
        relabel = (tuple(filter_names), tuple(channel_names)) != (self._rows, self._cols)
        self._rows, self._cols = tuple(filter_names), tuple(channel_names)
        if (k, n_c) != (self.rowCount(), self.columnCount()):
            self.setRowCount(k)
            self.setColumnCount(n_c)
        if relabel:
            self.setVerticalHeaderLabels(self._rows)
            self.setHorizontalHeaderLabels(self._cols)
            for col, name in enumerate(self._cols):
                self.horizontalHeaderItem(col).setToolTip(f"Input channel {col + 1}: {name}")
        enabled = [True] * k if enabled is None else list(enabled)
        dim = self.palette().color(QtGui.QPalette.ColorGroup.Disabled, QtGui.QPalette.ColorRole.Text)
        for row, (name, on) in enumerate(zip(self._rows, enabled, strict=True)):
            header = self.verticalHeaderItem(row)
            header.setForeground(self.palette().text() if on else QtGui.QBrush(dim))
            header.setToolTip(f"Output filter {row + 1}: {name}" + ("" if on else " (off: its map is not computed)"))
        self._show_values(values, relabel=relabel)
        self._fit_height()

    def _fit_height(self) -> None:
        # rows up to _VISIBLE_ROWS are all shown; past that the table scrolls
        rows, cols = self.rowCount(), self.columnCount()
        header = self.verticalHeader()
        wide = header.sizeHint().width() + cols * _CELL_W + 2 * self.frameWidth() > self.width()
        bar = self.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_ScrollBarExtent) if wide else 0
        shown = min(rows, _VISIBLE_ROWS)
        self.setFixedHeight(self.horizontalHeader().sizeHint().height() + shown * _CELL_H
                            + 2 * self.frameWidth() + bar)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()  # the sideways bar comes and goes with the width; only the height follows

    def _where(self, row: int, col: int) -> str:
        return f"{self._rows[row]} ← {self._cols[col]}"

    def _cell_tip(self, row: int, col: int, value: float) -> str:
        return (f"Filter {self._rows[row]!r} takes {full_text(value)} × channel {self._cols[col]!r} "
                f"(w[0, 0, {col}, {row}])\nType a number (or 1/9) and press Enter; "
                "wheel ±0.1, Shift+wheel ±1, Ctrl+wheel ±0.01; Delete sets 0")


class MixingPanel(QtWidgets.QWidget):
    """The matrix with its presets and the two channels a, b that swap and difference use.

    Signals
    -------
    cell_edited(filter, channel, value), refused(message)
        From the matrix.
    cell_chosen(filter, channel)
        The current cell moved (the owner selects that filter).
    preset_requested(name, a, b)
        A preset of :data:`playground.kernels.mixing.MIX_PRESETS` with channels a, b.
    """

    cell_edited = QtCore.Signal(int, int, float)
    refused = QtCore.Signal(str)
    cell_chosen = QtCore.Signal(int, int)
    preset_requested = QtCore.Signal(str, int, int)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.title = QtWidgets.QLabel(objectName="mixingTitle")
        self.title.setToolTip("A 1×1 convolution mixes channels: every output pixel is this matrix times "
                              "the input pixel's channel values, plus the filter's bias.\n"
                              "A row per output filter, a column per input channel")
        layout.addWidget(self.title)

        row = QtWidgets.QHBoxLayout()
        self.presets = QtWidgets.QComboBox(objectName="mixPresets",
                                           toolTip="Replace the whole 1×1 layer with a preset mixing matrix")
        self.presets.addItem(_PRESET_PROMPT)
        for name in MIX_PRESETS:
            self.presets.addItem(name)
            self.presets.setItemData(self.presets.count() - 1, PRESET_TIPS.get(name, name),
                                     QtCore.Qt.ItemDataRole.ToolTipRole)
        self.presets.activated.connect(self._on_preset)
        self.channel_a = QtWidgets.QComboBox(objectName="mixChannelA",
                                             toolTip="Channel a, for swap and difference (a − b)")
        self.channel_b = QtWidgets.QComboBox(objectName="mixChannelB",
                                             toolTip="Channel b, for swap and difference (a − b)")
        for combo in (self.channel_a, self.channel_b):
            combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
        row.addWidget(self.presets, 1)
        row.addWidget(QtWidgets.QLabel("a", toolTip=self.channel_a.toolTip()))
        row.addWidget(self.channel_a)
        row.addWidget(QtWidgets.QLabel("b", toolTip=self.channel_b.toolTip()))
        row.addWidget(self.channel_b)
        layout.addLayout(row)

        self.matrix = MixingMatrix(self)
        self.matrix.setObjectName("mixingMatrix")
        self.matrix.setAccessibleName("1×1 mixing matrix: a row per output filter, a column per input channel")
        self.matrix.cell_edited.connect(self.cell_edited)
        self.matrix.refused.connect(self.refused)
        self.matrix.currentCellChanged.connect(self._on_current)
        layout.addWidget(self.matrix)

    def set_matrix(self, matrix, filter_names, channel_names, current: tuple[int, int], enabled=None) -> None:
        """Show the matrix with cell ``current`` (filter, channel) current; no signal fires.

        ``enabled``: one boolean per filter, as for :meth:`MixingMatrix.set_matrix`.
        """
        matrix = np.asarray(matrix)
        k, n_c = matrix.shape
        self.title.setText(f"1×1 mixing: {k} filter{'s' if k != 1 else ''} (rows) × "
                           f"{n_c} channel{'s' if n_c != 1 else ''} (columns)")
        with QtCore.QSignalBlocker(self.matrix):
            self.matrix.set_matrix(matrix, filter_names, channel_names, enabled)
            self.matrix.setCurrentCell(min(current[0], k - 1), min(current[1], n_c - 1))
        for combo, default in ((self.channel_a, 0), (self.channel_b, 1)):
            names = [combo.itemText(i) for i in range(combo.count())]
            if names != list(channel_names):
                with QtCore.QSignalBlocker(combo):
                    keep = combo.currentIndex()
                    combo.clear()
                    combo.addItems(list(channel_names))
                    combo.setCurrentIndex(keep if 0 <= keep < n_c else min(default, n_c - 1))
        for combo in (self.channel_a, self.channel_b):
            combo.setEnabled(n_c > 1)

    def _on_preset(self, index: int) -> None:
        name = self.presets.itemText(index)
        self.presets.setCurrentIndex(0)  # back to the prompt, so the same preset can be picked again
        if index > 0:
            self.preset_requested.emit(name, self.channel_a.currentIndex(), self.channel_b.currentIndex())

    def _on_current(self, row: int, col: int, _old_row: int, _old_col: int) -> None:
        if row >= 0 and col >= 0:
            self.cell_chosen.emit(row, col)
