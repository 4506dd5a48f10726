"""Where the window's parts sit: the kernel editor on the left, the input and the selected
layer's maps in the middle (the network's maps and table under them), the layer's
settings and arithmetic on the right; and the status bar's read-outs."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtCore, QtWidgets

from playground.engine import get_backend

from .arithmetic_panel import reading_guide
from .map_panel import ImagePanel, MapPanel

__all__ = ["MapPanels", "make_map_panels", "arrange", "StatusLabels", "add_status_labels"]


@dataclass(frozen=True)
class MapPanels:
    """The input picture and the selected layer's three views."""

    input: ImagePanel
    filters: MapPanel
    channels: MapPanel
    pooled: MapPanel


def make_map_panels() -> MapPanels:
    """The panels, titled and explained for a first-time reader."""
    return MapPanels(
        ImagePanel("Input"),
        MapPanel("Feature maps · per filter",
                 "One map per enabled filter: conv + bias (+ activation). Click a map to edit its filter."),
        MapPanel("Per input channel · what each channel's slice contributes",
                 "Rows: input channels R, G, B. Columns: filters. Summed per column plus "
                 "the bias, they give the per-filter map (before the activation)."),
        MapPanel("Pooled maps", "The per-filter maps after pooling (per channel, no parameters)"))


def arrange(window) -> QtWidgets.QSplitter:
    """Lay out ``window``'s parts (its editor, panels, message bar, network widgets, layer
    panel and arithmetic, made before) and return the outer splitter."""
    # the network's maps, small, under the input (the picture moving through the network,
    # top to bottom), and its table under the selected layer's views
    top = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
    top.addWidget(window.network_ui.input_column(window.input_panel))
    top.addWidget(window.filters_panel)
    top.setStretchFactor(0, 2)
    top.setStretchFactor(1, 5)
    bottom = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
    bottom.addWidget(window.channels_panel)
    bottom.addWidget(window.pooled_panel)
    bottom.setStretchFactor(0, 3)
    bottom.setStretchFactor(1, 1)
    maps = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
    maps.addWidget(top)
    maps.addWidget(bottom)
    maps.addWidget(window.network_ui.panel)
    maps.setStretchFactor(0, 3)
    maps.setStretchFactor(1, 2)
    maps.setStretchFactor(2, 0)
    maps.setSizes([440, 280, 260])
    centre = QtWidgets.QWidget()
    centre_layout = QtWidgets.QVBoxLayout(centre)
    centre_layout.setContentsMargins(0, 0, 0, 0)
    centre_layout.setSpacing(2)
    centre_layout.addWidget(window.message_bar)
    centre_layout.addWidget(maps, 1)

    right = QtWidgets.QWidget()
    right_layout = QtWidgets.QVBoxLayout(right)
    right_layout.setContentsMargins(0, 0, 0, 0)
    right_layout.addWidget(window.layer_panel)
    right_layout.addWidget(window.arithmetic)
    right_layout.addWidget(reading_guide())
    right_layout.addStretch(1)
    right_scroll = QtWidgets.QScrollArea()
    right_scroll.setWidget(right)
    right_scroll.setWidgetResizable(True)
    # narrow enough for 1024-pixel screens (the layer form wraps its rows); anything
    # still wider scrolls into reach rather than being cut off at the edge
    right_scroll.setMinimumWidth(270)
    right_scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAsNeeded)

    splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
    splitter.addWidget(window.editor)
    splitter.addWidget(centre)
    splitter.addWidget(right_scroll)
    splitter.setStretchFactor(0, 0)
    splitter.setStretchFactor(1, 1)
    splitter.setStretchFactor(2, 0)
    splitter.setSizes([380, 900, 340])
    return splitter


@dataclass(frozen=True)
class StatusLabels:
    """The status bar's permanent read-outs."""

    source: QtWidgets.QLabel
    fps: QtWidgets.QLabel
    timing: QtWidgets.QLabel
    backend: QtWidgets.QLabel


def add_status_labels(status: QtWidgets.QStatusBar) -> StatusLabels:
    """The source, frame rate, timing and engine read-outs, added to ``status``."""
    labels = StatusLabels(QtWidgets.QLabel(), QtWidgets.QLabel("– FPS"), QtWidgets.QLabel(), QtWidgets.QLabel())
    info = get_backend()
    labels.backend.setText(f"{'NumPy' if info.name == 'numpy' else 'CuPy'} · {info.device}")
    labels.backend.setToolTip(f"Engine backend ({info.requested} requested)"
                              + (f": {info.note}" if getattr(info, "note", "") else ""))
    labels.fps.setToolTip("Frames displayed per second")
    labels.timing.setToolTip("Engine: conv + activation + pooling per frame. Draw: levels and mosaics. "
                             "Latency: capture to screen.")
    for label in (labels.source, labels.fps, labels.timing, labels.backend):
        status.addPermanentWidget(label)
    return labels
