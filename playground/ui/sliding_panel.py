"""The sliding window, animated: play / pause / step / speed over the (padded) input.

The window moves across the padded input at the stride, in reading order, and
the output fills in cell by cell, with the current window, kernel, products and
sum — on the real numbers of the frame on screen and the person's own kernel.
On a small input (a typed matrix, the notes' 6×6) it visits every output cell;
on a camera frame it runs over a region of ``REGION`` × ``REGION`` output cells
around the inspected cell (or the middle). The arithmetic is the inspector's
(:class:`~playground.render.sliding_window.SlidingWindow`), so the filled
output equals the map.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PySide6 import QtCore, QtWidgets

from playground.render.frame_layers import CellRef, network_of
from playground.render.inspector_text import conv_cell_lines
from playground.render.numbers import format_cell
from playground.render.sliding_window import SlidingWindow, WindowStep

from .inspector_controller import show_dock
from .number_grid import NumberGrid

__all__ = ["SlidingDock", "SlidingPanel", "REGION", "FULL_MAP_SIDE"]

FULL_MAP_SIDE = 16   # maps up to this size are animated whole
REGION = 12          # else a REGION × REGION block of output cells


def _span(centre: int, n: int, size: int) -> range:
    start = max(0, min(centre - size // 2, n - size))
    return range(start, min(n, start + size))


class SlidingPanel(QtWidgets.QWidget):
    """The animation: controls, the padded input with the window, the kernel, the output filling in."""

    finished = QtCore.Signal()
    stepped = QtCore.Signal(object)   # the WindowStep now shown

    def __init__(self, parent=None):
        super().__init__(parent)
        self.sliding: SlidingWindow | None = None
        self.index = -1
        self.channel_names: tuple[str, ...] = ()
        self._timer = QtCore.QTimer(self)
        self._timer.timeout.connect(self.step_forward)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.header = QtWidgets.QLabel("Pin a cell in a map (click it), then press Load: the window of its "
                                       "filter slides over the input.")
        self.header.setWordWrap(True)
        self.header.setStyleSheet("font-weight: 600;")
        outer.addWidget(self.header)
        controls = QtWidgets.QHBoxLayout()
        self.load_button = QtWidgets.QPushButton("Load")
        self.load_button.setToolTip("Animate the inspected cell's filter on the frame now shown")
        self.play_button = QtWidgets.QPushButton("Play")
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._on_play)
        self.back_button = QtWidgets.QPushButton("◀ Step")
        self.back_button.clicked.connect(self.step_back)
        self.step_button = QtWidgets.QPushButton("Step ▶")
        self.step_button.clicked.connect(self.step_forward)
        self.reset_button = QtWidgets.QPushButton("Restart")
        self.reset_button.clicked.connect(lambda: self.go_to(0))
        self.speed = QtWidgets.QSpinBox()
        self.speed.setRange(1, 60)
        self.speed.setValue(4)
        self.speed.setSuffix(" steps/s")
        self.speed.setToolTip("Animation speed")
        self.speed.valueChanged.connect(self._on_speed)
        self.channel = QtWidgets.QSpinBox()
        self.channel.setPrefix("channel ")
        self.channel.setMinimum(1)
        self.channel.setToolTip("Which input channel the grids show (the sum adds every channel)")
        self.channel.valueChanged.connect(lambda _v: self._draw())
        self.position = QtWidgets.QLabel()
        for widget in (self.load_button, self.play_button, self.back_button, self.step_button, self.reset_button,
                       self.speed, self.channel, self.position):
            controls.addWidget(widget)
        controls.addStretch(1)
        outer.addLayout(controls)
        body = QtWidgets.QHBoxLayout()   # the grids, then the sum written out
        self.input_grid = NumberGrid("padded input")
        self.kernel_grid = NumberGrid("kernel")
        self.output_grid = NumberGrid("output")
        for grid in (self.input_grid, self.kernel_grid, self.output_grid):
            body.addWidget(grid, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        self.text = QtWidgets.QLabel()
        self.text.setWordWrap(True)
        self.text.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop | QtCore.Qt.AlignmentFlag.AlignLeft)
        self.text.setStyleSheet("font-family: monospace;")
        self.text.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setMinimumWidth(280)
        body.addWidget(self.text, 1)
        outer.addLayout(body, 1)
        self._enable(False)

    def _enable(self, on: bool) -> None:
        for widget in (self.play_button, self.back_button, self.step_button, self.reset_button, self.channel):
            widget.setEnabled(on)

    # --- what is animated ---------------------------------------------------------------------
    def load(self, sliding: SlidingWindow, title: str, channel_names) -> None:
        """Animate ``sliding`` from its first step (paused)."""
        self.play_button.setChecked(False)
        self.sliding = sliding
        self.channel_names = tuple(channel_names)
        self.header.setText(title)
        n_c = sliding.x.shape[2]
        self.channel.setMaximum(n_c)
        self.channel.setVisible(n_c > 1)
        self._enable(True)
        big = max(sliding.padded_shape) > 20
        for grid in (self.input_grid, self.kernel_grid, self.output_grid):
            grid.cell_px = 24 if big else 34
        self.go_to(0)

    @property
    def step(self) -> WindowStep | None:
        """The step shown now."""
        return None if self.sliding is None or self.index < 0 else self.sliding.step(self.index)

    @property
    def done(self) -> bool:
        return self.sliding is not None and self.index == len(self.sliding) - 1

    def go_to(self, index: int) -> None:
        if self.sliding is None:
            return
        self.index = max(0, min(int(index), len(self.sliding) - 1))
        self._draw()
        if self.done:
            self.play_button.setChecked(False)
            self.finished.emit()

    @QtCore.Slot()
    def step_forward(self) -> None:
        if self.sliding is not None and not self.done:
            self.go_to(self.index + 1)
        elif self.done:
            self.play_button.setChecked(False)

    @QtCore.Slot()
    def step_back(self) -> None:
        self.go_to(self.index - 1)

    @QtCore.Slot(bool)
    def _on_play(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")
        if playing and self.sliding is not None:
            if self.done:
                self.go_to(0)
            self._timer.start(round(1000 / self.speed.value()))
        else:
            self._timer.stop()

    @QtCore.Slot(int)
    def _on_speed(self, value: int) -> None:
        if self._timer.isActive():
            self._timer.start(round(1000 / value))

    # --- drawing -------------------------------------------------------------------------------
    def _draw(self) -> None:
        sliding, step = self.sliding, self.step
        if sliding is None or step is None:
            return
        cell = step.cell
        c = min(self.channel.value() - 1, sliding.x.shape[2] - 1)
        f_reach = (cell.size - 1) * cell.dilation + 1
        # the part of the padded input the region's windows cover
        first, last = sliding.step(0), sliding.step(-1)
        top, left = first.padded_row, first.padded_col
        bottom, right = last.padded_row + f_reach, last.padded_col + f_reach
        padded = sliding.padded_input()[top:bottom, left:right, c]
        mask = sliding.padding_mask()[top:bottom, left:right]
        self.input_grid.set_values(padded, padding=mask, scale=float(np.abs(sliding.x[:, :, c]).max()),
                                   frame=(step.padded_row - top, step.padded_col - left, f_reach, f_reach),
                                   taps=[(step.padded_row - top + i * cell.dilation, step.padded_col - left
                                          + j * cell.dilation) for i in range(cell.size) for j in range(cell.size)]
                                   if cell.dilation > 1 else (),
                                   title=f"padded input · {self._name(c)} · stride {cell.stride}"
                                         + (f" · dilation {cell.dilation}" if cell.dilation > 1 else ""))
        self.kernel_grid.set_values(cell.kernel[:, :, c], title="kernel (flipped)" if cell.flipped else "kernel")
        region = step.filled[np.ix_(sliding.rows, sliding.cols)]
        here = (step.out_row - sliding.rows[0], step.out_col - sliding.cols[0])
        self.output_grid.set_values(region, highlight=here, scale=self._output_scale(),
                                    title=f"output rows {sliding.rows[0]}–{sliding.rows[-1]}, "
                                          f"columns {sliding.cols[0]}–{sliding.cols[-1]}")
        self.position.setText(f"step {step.index + 1} of {step.count}")
        self.stepped.emit(step)
        scale = float(np.abs(cell.products.astype(np.float64)).sum()) + abs(cell.bias)
        lines = conv_cell_lines(cell, self.channel_names or None)
        self.text.setText("\n".join(lines[2:]) + f"\n→ output ({step.out_row}, {step.out_col}) = "
                          f"{format_cell(step.value, max(scale, abs(step.value)))}")

    def _name(self, c: int) -> str:
        return self.channel_names[c] if c < len(self.channel_names) else f"channel {c + 1}"

    def _output_scale(self) -> float:
        values = self.sliding.filled(self.index)
        finite = np.abs(values[np.isfinite(values)])
        return float(finite.max()) if finite.size else 0.0


class SlidingDock(QtCore.QObject):
    """The animation in a dock of ``window``, loading the inspector's pinned cell."""

    def __init__(self, window, inspector):
        super().__init__(window)
        self.window, self.inspector = window, inspector
        self.panel = SlidingPanel()
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        self.dock = QtWidgets.QDockWidget("Sliding window · animated", window)
        self.dock.setObjectName("sliding-dock")
        self.dock.setWidget(scroll)
        window.addDockWidget(QtCore.Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.panel.load_button.clicked.connect(self.load_current)
        self.panel.stepped.connect(lambda step: self.inspector.show_window(step.cell, self._layer))
        # while the animation is on screen, a click on a map animates that cell's filter there
        inspector.pinned_changed.connect(lambda _cell: self.dock.isVisible() and self.load_current())
        self._layer = 0

    def target(self) -> CellRef | None:
        """The cell to centre on: the inspector's pinned cell, else the middle of the selected filter's map."""
        if self.inspector.pinned is not None:
            return self.inspector.pinned
        result = self.window.last_frame
        if result is None:
            return None
        network, selected = network_of(result.snapshot)
        bank = network.layers[selected].bank
        active = [i for i, item in enumerate(bank.filters) if item.enabled] or [0]
        return CellRef("filters", selected, active[0], -1, -1)

    def load_current(self) -> bool:
        """Load the animation for :meth:`target` on the frame now shown; False when there is none."""
        result, cell = self.window.last_frame, self.target()
        if result is None or cell is None:
            return False
        try:
            layers = self.inspector.frame_layers(result)
            x = layers.input_of(cell.layer)
            w, b, settings = layers.stage(cell.layer)
            # pooling is not animated: the conv map is what the window fills
            settings = dataclasses.replace(settings, pool=None)
            probe = SlidingWindow(x, w, b, settings, cell.filter, rows=range(1), cols=range(1))
            n_h, n_w = probe.out_shape
            row, col = (n_h // 2, n_w // 2) if cell.row < 0 else (cell.row, cell.col)
            if cell.pooled:   # the pooled cell's window starts at row·s in the conv map
                pool = layers.stage(cell.layer)[2].pool
                row, col = min(n_h - 1, cell.row * pool.stride), min(n_w - 1, cell.col * pool.stride)
            rows = range(n_h) if n_h <= FULL_MAP_SIDE else _span(row, n_h, REGION)
            cols = range(n_w) if n_w <= FULL_MAP_SIDE else _span(col, n_w, REGION)
            sliding = SlidingWindow(x, w, b, settings, cell.filter, rows=rows, cols=cols)
        except (IndexError, ValueError) as exc:
            self.window.show_message(f"cannot animate this cell: {exc}")
            return False
        name = layers.network.layers[cell.layer].bank.filters[cell.filter].name
        whole = len(rows) == n_h and len(cols) == n_w
        title = (f"Layer {cell.layer + 1} · {name} · {n_h}×{n_w} output"
                 + ("" if whole else f" · region of {len(rows)}×{len(cols)} cells around ({row}, {col})"))
        self._layer = cell.layer
        show_dock(self.window, self.dock)
        self.panel.load(sliding, title, layers.channel_names(cell.layer))
        return True
