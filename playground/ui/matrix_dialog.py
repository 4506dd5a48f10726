"""File ▸ Type a matrix…: an editable grid of raw numbers that becomes a matrix source.

Size, 1 or 3 channels, one table per channel with a number in every cell, and a
text box to paste rows of numbers (spaces, commas or tabs; channels as blocks
separated by a blank line, as in matrix files). Every value goes through the
matrix module's one check (:func:`~playground.sources.matrix.check_matrix`), so
the grid refuses what a file would refuse, with the same message.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from playground.sources.matrix import (
    MatrixError,
    MatrixSource,
    check_matrix,
    matrix_from_text,
    matrix_to_text,
    resize_matrix,
)

from . import theme

__all__ = ["MatrixDialog", "MAX_GRID_SIDE"]

# A grid a person types into; bigger matrices come from a file (matrix:PATH) or a paste.
MAX_GRID_SIDE = 64
_START = np.array([[10, 10, 10, 0, 0, 0]] * 6, np.float32)[:, :, None]   # the notes' 6×6 edge


def _cell_text(value: float) -> str:
    return matrix_to_text(np.array([[value]], np.float32)).strip()


class MatrixDialog(QtWidgets.QDialog):
    """Edit a matrix; :meth:`source` gives it as a :class:`MatrixSource` once accepted.

    Parameters
    ----------
    matrix : array (n_H, n_W[, n_c]), optional
        Where to start (default: the notes' 6×6 vertical edge).
    """

    def __init__(self, matrix=None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Type a matrix")
        self.matrix = check_matrix(_START if matrix is None else matrix).copy()
        outer = QtWidgets.QVBoxLayout(self)
        form = QtWidgets.QHBoxLayout()
        self.rows = QtWidgets.QSpinBox()
        self.cols = QtWidgets.QSpinBox()
        for spin, label in ((self.rows, "n_H"), (self.cols, "n_W")):
            spin.setRange(1, MAX_GRID_SIDE)
            form.addWidget(QtWidgets.QLabel(label))
            form.addWidget(spin)
        self.channels = QtWidgets.QComboBox()
        self.channels.addItem("1 channel (gray)", 1)
        self.channels.addItem("3 channels (R, G, B)", 3)
        form.addWidget(QtWidgets.QLabel("n_c"))
        form.addWidget(self.channels)
        self.name = QtWidgets.QLineEdit("typed matrix")
        self.name.setToolTip("How the source is called in the window title")
        form.addWidget(QtWidgets.QLabel("name"))
        form.addWidget(self.name, 1)
        outer.addLayout(form)
        self.tabs = QtWidgets.QTabWidget()
        outer.addWidget(self.tabs, 1)
        outer.addWidget(QtWidgets.QLabel("Or paste rows of numbers (channels as blocks separated by a blank line):"))
        self.text = QtWidgets.QPlainTextEdit()
        self.text.setMaximumHeight(120)
        outer.addWidget(self.text)
        paste_row = QtWidgets.QHBoxLayout()
        self.use_text = QtWidgets.QPushButton("Use the text")
        self.use_text.clicked.connect(self.apply_text)
        paste_row.addWidget(self.use_text)
        self.error = QtWidgets.QLabel()
        self.error.setStyleSheet(f"color: {theme.WARNING};")
        self.error.setWordWrap(True)
        paste_row.addWidget(self.error, 1)
        outer.addLayout(paste_row)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.rows.valueChanged.connect(self._resize)
        self.cols.valueChanged.connect(self._resize)
        self.channels.currentIndexChanged.connect(self._resize)
        self._show_matrix()
        self.resize(620, 560)

    # --- the matrix ↔ the controls ------------------------------------------------------------
    def _show_matrix(self) -> None:
        n_h, n_w, n_c = self.matrix.shape
        for spin, value in ((self.rows, n_h), (self.cols, n_w)):
            spin.blockSignals(True)
            spin.setValue(min(value, MAX_GRID_SIDE))
            spin.blockSignals(False)
        self.channels.blockSignals(True)
        self.channels.setCurrentIndex(self.channels.findData(n_c) if n_c in (1, 3) else 0)
        self.channels.blockSignals(False)
        self.tabs.clear()
        names = ("gray",) if n_c == 1 else ("R", "G", "B") if n_c == 3 else tuple(f"ch{c + 1}" for c in range(n_c))
        for c, name in enumerate(names):
            table = QtWidgets.QTableWidget(n_h, n_w)
            table.horizontalHeader().setDefaultSectionSize(46)
            table.verticalHeader().setDefaultSectionSize(26)
            table.setHorizontalHeaderLabels([str(j) for j in range(n_w)])
            table.setVerticalHeaderLabels([str(i) for i in range(n_h)])
            for i in range(n_h):
                for j in range(n_w):
                    item = QtWidgets.QTableWidgetItem(_cell_text(float(self.matrix[i, j, c])))
                    item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
                    table.setItem(i, j, item)
            table.itemChanged.connect(lambda item, c=c: self._cell_edited(item, c))
            self.tabs.addTab(table, name)
        self.text.setPlainText(matrix_to_text(self.matrix))
        self.error.setText("")

    def _cell_edited(self, item: QtWidgets.QTableWidgetItem, channel: int) -> None:
        row, col = item.row(), item.column()
        try:
            value = matrix_from_text(item.text() or "0")
            if value.size != 1:
                raise MatrixError("one number per cell")
            candidate = self.matrix.copy()
            candidate[row, col, channel] = value.ravel()[0]
            self.matrix = check_matrix(candidate)
        except MatrixError as exc:
            self.error.setText(f"row {row}, column {col}: {exc}")
            item.tableWidget().blockSignals(True)
            item.setText(_cell_text(float(self.matrix[row, col, channel])))
            item.tableWidget().blockSignals(False)
            return
        self.error.setText("")
        self.text.setPlainText(matrix_to_text(self.matrix))

    @QtCore.Slot()
    def _resize(self) -> None:
        self.matrix = resize_matrix(self.matrix, self.rows.value(), self.cols.value(), self.channels.currentData())
        self._show_matrix()

    @QtCore.Slot()
    def apply_text(self) -> bool:
        """Read the text box into the grid; False (and the message, with its line) when it cannot be read."""
        try:
            self.matrix = matrix_from_text(self.text.toPlainText()).copy()
        except MatrixError as exc:
            self.error.setText(str(exc))
            return False
        self._show_matrix()
        return True

    def accept(self) -> None:
        """OK: text pasted but not yet used is read first; a text that cannot be read keeps the dialog open."""
        if self.text.toPlainText() != matrix_to_text(self.matrix) and not self.apply_text():
            return
        super().accept()

    def set_cell(self, row: int, col: int, value: float, channel: int = 0) -> None:
        """Type ``value`` into a cell, as a person would (tests and scripts)."""
        table = self.tabs.widget(channel)
        table.item(row, col).setText(_cell_text(value))

    def source(self) -> MatrixSource:
        """The matrix as a source, named as typed."""
        return MatrixSource(self.matrix, name=self.name.text().strip() or "typed matrix")
