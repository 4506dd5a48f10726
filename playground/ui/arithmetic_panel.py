"""The layer's arithmetic, as in the notes, with the current numbers filled in."""

from __future__ import annotations

import html

from PySide6 import QtCore, QtWidgets

from playground.render.arithmetic import LayerArithmetic

from . import theme

__all__ = ["ArithmeticPanel", "reading_guide"]


class ArithmeticPanel(QtWidgets.QGroupBox):
    """Input shape, f, p, s → output size formula, output shape, #params, operation."""

    def __init__(self, parent=None):
        super().__init__("Arithmetic", parent)
        layout = QtWidgets.QVBoxLayout(self)
        self.text = QtWidgets.QLabel()
        self.text.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setToolTip("n_out = ⌊(n + p_before + p_after − f) / s⌋ + 1 per axis;  "
                             "#params = (f·f·n_c + 1)·K")
        layout.addWidget(self.text)
        self.arithmetic: LayerArithmetic | None = None

    def show_arithmetic(self, arithmetic: LayerArithmetic) -> None:
        if arithmetic == self.arithmetic:
            return
        self.arithmetic = arithmetic
        rows = []
        for label, text in arithmetic.lines:
            rows.append(f"<tr><td style='color:{theme.MUTED}; padding-right:8px'>{html.escape(label)}</td>"
                        f"<td>{html.escape(text)}</td></tr>")
        note = ""
        if arithmetic.error:
            note = f"<p style='color:{theme.WARNING}'>{html.escape(arithmetic.error)}</p>"
        self.text.setText(f"<table cellspacing='0' cellpadding='1'>{''.join(rows)}</table>{note}")


def reading_guide() -> QtWidgets.QGroupBox:
    """A short key to the colours, for a student seeing the maps for the first time."""
    box = QtWidgets.QGroupBox("Reading the maps")
    text = QtWidgets.QLabel(
        "<b style='color:#e8643a'>Red → yellow</b>: the kernel's pattern is there (positive response; "
        "pale yellow strongest). <b style='color:#3a8ee6'>Blue → pale blue</b>: the opposite pattern "
        "(negative). Dark: nothing to find (≈ 0).<br>"
        "After ReLU or abs the scale runs from black (0) through purple and orange to yellow (strong).<br>"
        "With true convolution on, the kernel is flipped 180° before it slides: the maps say "
        "\"flipped\".<br>"
        "Each map is the kernel slid over the picture: one dot product per output pixel. "
        "Hover a map for its value; the colour bar shows its scale.")
    text.setWordWrap(True)
    text.setTextFormat(QtCore.Qt.TextFormat.RichText)
    layout = QtWidgets.QVBoxLayout(box)
    layout.addWidget(text)
    return box
