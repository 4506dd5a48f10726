"""The network panel: the notes' table of shapes and parameters, layer selection and layer edits.

One row per layer as in the notes' LeNet table (Input, CONVl, POOLl, FCl): the
activation shape n_H × n_W × n_c, its size, and #params with the formula and its
numbers, then the total — all from :func:`playground.kernels.summary.network_table`,
never copied. Clicking a CONV or POOL row selects that layer (the editor, layer
panel and big views then show it). The buttons and the K / f boxes build a new
:class:`Network` with its own consistent edits and emit it; the window records it
for undo and hands it to the frame loop.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from playground.kernels.model import MAX_FILTERS, MAX_SIZE
from playground.kernels.network import MAX_LAYERS, Network
from playground.kernels.summary import network_table

from . import theme
from .elided_label import ElidedLabel

__all__ = ["NetworkPanel", "random_note"]

_COLUMNS = ("Layer", "Activation shape", "Size", "# Parameters")
_SELECTED_ROW = "#3d4a5c"   # the selected layer's rows: seen at a glance, text still readable


def random_note(network: Network) -> str:
    """Which layers have random (seeded He) weights, in words; "" when none."""
    parts = []
    for number, layer in enumerate(network.layers, start=1):
        count = len(layer.random_indices)
        if count == len(layer.bank):
            parts.append(f"CONV{number} (all {count})")
        elif count:
            parts.append(f"CONV{number} ({count} of {len(layer.bank)})")
    if not parts:
        return ""
    return ("Random (seeded He) weights in " + ", ".join(parts)
            + ": no one chose them — edit the kernels, or watch what random filters make of the picture.")


class NetworkPanel(QtWidgets.QGroupBox):
    """The table and the layer controls.

    Signals
    -------
    layer_selected(int)
        A CONV or POOL row of layer ``index`` (0-based) was clicked.
    network_edited(object, int)
        A new network built by a button or box here, and the layer to select.
    message(str)
    """

    layer_selected = QtCore.Signal(int)
    network_edited = QtCore.Signal(object, int)
    message = QtCore.Signal(str)

    def __init__(self, network: Network, selected: int = 0, parent=None):
        super().__init__("Network", parent)
        self.network, self.selected = network, selected
        self._frame_hw: tuple[int, int] | None = None
        self.table = QtWidgets.QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)  # compact rows
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setToolTip("The notes' table, computed: click a CONV or POOL row to show that layer. "
                              "#params: (f·f·n_c[l−1] + 1)·n_c[l] per conv layer, inputs·outputs + outputs "
                              "per fully-connected layer; pooling has none.")
        self.table.cellClicked.connect(self._on_row_clicked)

        self.add_button = QtWidgets.QPushButton("Add")
        self.add_button.setToolTip("Insert a layer after the selected one: 3×3, 'same' padding, each filter "
                                   "copies one channel, so nothing after it changes until you edit it")
        self.remove_button = QtWidgets.QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected layer; the next one is refitted to its new input")
        self.up_button = QtWidgets.QPushButton("↑")
        self.up_button.setToolTip("Move the selected layer one place earlier")
        self.down_button = QtWidgets.QPushButton("↓")
        self.down_button.setToolTip("Move the selected layer one place later")
        self.filters = QtWidgets.QSpinBox(prefix="K = ", minimum=1, maximum=MAX_FILTERS)
        self.filters.setToolTip("Number of filters of the selected layer (n_c of its output); new filters "
                                "get seeded random weights, the next layer follows")
        self.size = QtWidgets.QSpinBox(prefix="f = ", minimum=1, maximum=MAX_SIZE)
        self.size.setToolTip("Kernel size f of the selected layer: growing pads with zeros, shrinking crops "
                             "around the centre")
        for box in (self.filters, self.size):
            box.setKeyboardTracking(False)
        buttons = QtWidgets.QHBoxLayout()
        buttons.setSpacing(3)
        for button in (self.up_button, self.down_button):
            button.setFixedWidth(self.fontMetrics().horizontalAdvance("↓") + 22)
        for widget in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        # K and f on the same row while there is room, under the buttons on a narrow (1024-px) window
        sizes = QtWidgets.QHBoxLayout()
        sizes.setSpacing(3)
        sizes.addWidget(self.filters)
        sizes.addWidget(self.size)
        buttons.addLayout(sizes)
        # the counts in a label that may shorten: a group box's title sets its minimum width
        self.summary = ElidedLabel()
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {theme.MUTED};")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.note)

        self.add_button.clicked.connect(self.add_layer)
        self.remove_button.clicked.connect(self.remove_layer)
        self.up_button.clicked.connect(lambda: self.move_layer(-1))
        self.down_button.clicked.connect(lambda: self.move_layer(1))
        self.filters.valueChanged.connect(self.set_filter_count)
        self.size.valueChanged.connect(self.set_kernel_size)
        self._refresh()

    # --- state ------------------------------------------------------------------------------
    def set_network(self, network: Network, selected: int, frame_hw: tuple[int, int] | None = None) -> None:
        """Show ``network`` with layer ``selected``; ``frame_hw`` sizes a network that fixes no input size."""
        frame_hw = frame_hw if frame_hw is not None else self._frame_hw
        if (network, selected, frame_hw) == (self.network, self.selected, self._frame_hw):
            return
        self.network, self.selected, self._frame_hw = network, selected, frame_hw
        self._refresh()

    def rows(self):
        """The table's rows (TableRow) as shown, or () when the table cannot be computed."""
        return self._rows

    # --- edits (each emits network_edited or a message) -------------------------------------
    def _emit(self, build, select: int) -> None:
        try:
            network = build()
        except ValueError as exc:
            self.message.emit(str(exc))
            self._refresh()   # the boxes go back to what the network has
            return
        self.network_edited.emit(network, select)

    @QtCore.Slot()
    def add_layer(self) -> None:
        at = self.selected + 1
        self._emit(lambda: self.network.insert_layer(at), at)

    @QtCore.Slot()
    def remove_layer(self) -> None:
        self._emit(lambda: self.network.remove_layer(self.selected), max(0, self.selected - 1))

    def move_layer(self, delta: int) -> None:
        to = self.selected + delta
        if not 0 <= to < self.network.depth:
            return
        self._emit(lambda: self.network.move_layer(self.selected, to), to)

    @QtCore.Slot(int)
    def set_filter_count(self, count: int) -> None:
        if count != len(self.network.layers[self.selected].bank):
            self._emit(lambda: self.network.set_filter_count(self.selected, count), self.selected)

    @QtCore.Slot(int)
    def set_kernel_size(self, size: int) -> None:
        if size != self.network.layers[self.selected].bank.size:
            self._emit(lambda: self.network.set_kernel_size(self.selected, size), self.selected)

    # --- drawing ---------------------------------------------------------------------------
    def _refresh(self) -> None:
        network, selected = self.network, self.selected
        layer = network.layers[selected]
        for box, value in ((self.filters, len(layer.bank)), (self.size, layer.bank.size)):
            with QtCore.QSignalBlocker(box):
                box.setValue(value)
        self.add_button.setEnabled(network.depth < MAX_LAYERS)
        self.remove_button.setEnabled(network.depth > 1)
        self.up_button.setEnabled(selected > 0)
        self.down_button.setEnabled(selected < network.depth - 1)
        try:
            table = network_table(network, self._frame_hw)
            self._rows, error = table.rows, ""
        except ValueError as exc:
            table, self._rows, error = None, (), str(exc)
        total = f" · {table.total_params:,} parameters" if table is not None else ""   # seen without scrolling
        self.summary.setText(f"{network.depth} conv layer{'s' if network.depth != 1 else ''}{total} · "
                             f"layer {selected + 1} selected (click a row to select another)")
        with QtCore.QSignalBlocker(self.table):
            self.table.clearSelection()
            self.table.clearSpans()   # the total's row moves when rows come and go
            self.table.setRowCount(0)
            count = len(self._rows) + 1
            self.table.setRowCount(count)
            for r, row in enumerate(self._rows):
                cells = (row.layer, " × ".join(str(n) for n in row.shape), f"{row.size:,}",
                         row.formula or (f"{row.params:,}" if row.kind != "input" else "—"))
                for c, text in enumerate(cells):
                    item = QtWidgets.QTableWidgetItem(text)
                    item.setToolTip(row.detail or text)
                    if row.layer_index == selected:
                        item.setBackground(QtGui.QColor(_SELECTED_ROW))
                    self.table.setItem(r, c, item)
            last = count - 1
            total = (f"Total: {table.total_params:,} parameters" if table is not None
                     else f"cannot compute the table: {error}")
            item = QtWidgets.QTableWidgetItem(total)
            self.table.setItem(last, 0, item)
            self.table.setSpan(last, 0, 1, len(_COLUMNS))
        # no taller than its rows: a one-layer table leaves the height to the maps
        rows = min(self.table.rowCount(), 10)
        frame = 2 * self.table.frameWidth() + self.table.horizontalHeader().sizeHint().height()
        scroll = self.table.horizontalScrollBar().sizeHint().height()
        table_height = frame + scroll + rows * self.table.verticalHeader().defaultSectionSize()
        self.table.setMaximumHeight(table_height)
        note = random_note(network)
        if network.input_size is not None:
            note = (f"Frames are resized to {network.input_size[0]} × {network.input_size[1]} "
                    "(area interpolation) before CONV1. " + note)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.layout().invalidate()
        shown = min(self.table.sizeHint().height(), table_height)   # what the layout counts for the table
        rest = self.sizeHint().height() - shown                     # title, buttons, note
        self.setMaximumHeight(rest + table_height + 2 * self.note.fontMetrics().height())

    @QtCore.Slot(int, int)
    def _on_row_clicked(self, row: int, _column: int) -> None:
        if row < len(self._rows) and self._rows[row].layer_index is not None:
            index = self._rows[row].layer_index
            if index != self.selected:
                self.layer_selected.emit(index)
