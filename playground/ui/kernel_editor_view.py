"""The kernel editor's widgets and how they show a bank: the view half of the editor.

:class:`EditorView` builds the panel (bank list, f, preset, channel strip or
1×1 mixing matrix, kernel grid, bias, tools) and :meth:`EditorView.show_bank`
makes every widget show one state of the bank. It holds no bank and edits
nothing: :class:`playground.ui.kernel_editor.KernelEditor` owns the bank,
connects the widgets to its edits and calls :meth:`EditorView.show_bank` after
each one.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.kernels import MAX_SIZE, TOOLS, FilterBank
from playground.kernels.mixing import mixing_matrix
from playground.kernels.presets import PRESETS, preset_names

from .bank_list import BankPanel
from .channel_strip import ChannelStrip
from .kernel_grid import MAX_WEIGHT, KernelGrid, format_weight
from .mixing_editor import MixingPanel

__all__ = ["EditorView"]

_PRESET_PROMPT = "Preset…"


class EditorView(QtWidgets.QWidget):
    """Every widget of the kernel editor, laid out for a ~380-pixel-wide panel.

    Signals
    -------
    preset_chosen(str)
        A kernel preset was picked (the combo box goes back to its prompt).
    tool_clicked(str)
        A kernel tool's button, by label.
    """

    preset_chosen = QtCore.Signal(str)
    tool_clicked = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)

        self.panel = BankPanel(self)
        self.kernel_size = QtWidgets.QSpinBox(objectName="kernelSize", prefix="f = ", minimum=1, maximum=MAX_SIZE)
        self.kernel_size.setKeyboardTracking(False)
        self.kernel_size.setToolTip(f"Kernel size f (1 to {MAX_SIZE}) for every filter: growing pads with zeros, "
                                    "shrinking crops around the centre")
        self.panel.header.addWidget(self.kernel_size)
        self.list = self.panel.list
        layout.addWidget(self.panel, 1)

        line = QtWidgets.QFrame(frameShape=QtWidgets.QFrame.Shape.HLine, frameShadow=QtWidgets.QFrame.Shadow.Sunken)
        layout.addWidget(line)

        filter_row = QtWidgets.QHBoxLayout()
        self.filter_name = QtWidgets.QLabel(objectName="filterName", minimumWidth=60)
        bold = self.filter_name.font()
        bold.setBold(True)
        self.filter_name.setFont(bold)
        self.presets = QtWidgets.QComboBox(objectName="presets",
                                           toolTip="Replace the selected filter's weights with a preset kernel")
        self.presets.addItem(_PRESET_PROMPT)
        for name in preset_names():
            self.presets.addItem(name)
            self.presets.setItemData(self.presets.count() - 1, PRESETS[name].description,
                                     QtCore.Qt.ItemDataRole.ToolTipRole)
        self.presets.activated.connect(self._on_preset_chosen)
        filter_row.addWidget(self.filter_name, 1)
        filter_row.addWidget(self.presets)
        layout.addLayout(filter_row)

        channel_row = QtWidgets.QHBoxLayout()
        self.channels_label = QtWidgets.QLabel(objectName="channelsLabel")
        # a 40-character filter name must not push the link box out of the panel
        self.channels_label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                                          QtWidgets.QSizePolicy.Policy.Preferred)
        self.linked = QtWidgets.QCheckBox(
            "Same kernel on every channel", objectName="linkChannels",
            toolTip="Linked: an edit writes every channel at once. Linking copies the shown channel to the "
                    "others; unlinking keeps the weights")
        channel_row.addWidget(self.channels_label, 1)
        channel_row.addWidget(self.linked)
        layout.addLayout(channel_row)
        self.strip = ChannelStrip(self)
        self.strip.setObjectName("channelStrip")
        self.strip.setAccessibleName("Input channels of the selected filter")
        self.strip.setToolTip("The filter's slice for each input channel: pick one to edit it "
                              "(←/→ here, Alt+←/→ anywhere in the editor)")
        layout.addWidget(self.strip)

        self.mixing = MixingPanel(self)
        self.mixing.setObjectName("mixingPanel")
        layout.addWidget(self.mixing)

        self.grid = KernelGrid(self)
        self.grid.setObjectName("kernelGrid")
        layout.addWidget(self.grid, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)

        self.sums = QtWidgets.QLabel(
            objectName="weightSums", alignment=QtCore.Qt.AlignmentFlag.AlignCenter,
            toolTip="Sum of the weights: 1 keeps brightness (blurs), 0 ignores flat areas (edges)")
        self.sums.setForegroundRole(QtGui.QPalette.ColorRole.PlaceholderText)
        layout.addWidget(self.sums)

        bias_row = QtWidgets.QHBoxLayout()
        tip = "Added to every value of this filter's map (before ReLU)"
        self.bias = QtWidgets.QDoubleSpinBox(objectName="bias", minimum=-MAX_WEIGHT, maximum=MAX_WEIGHT,
                                             decimals=3, singleStep=0.1, keyboardTracking=False, toolTip=tip)
        bias_row.addWidget(QtWidgets.QLabel("Bias b", toolTip=tip))
        bias_row.addWidget(self.bias)
        bias_row.addStretch(1)
        layout.addLayout(bias_row)

        tools = QtWidgets.QGridLayout()
        tools.setSpacing(4)
        self.tool_buttons: dict[str, QtWidgets.QToolButton] = {}
        for position, (label, _function, _tip) in enumerate(TOOLS):
            button = QtWidgets.QToolButton(self, text=label, objectName=f"tool:{label}")
            button.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _checked=False, text=label: self.tool_clicked.emit(text))
            self.tool_buttons[label] = button
            tools.addWidget(button, position // 4, position % 4)
        layout.addLayout(tools)

    def _on_preset_chosen(self, index: int) -> None:
        name = self.presets.itemText(index)
        self.presets.setCurrentIndex(0)  # back to the prompt, so the same preset can be picked again
        if index > 0:
            self.preset_chosen.emit(name)

    def show_bank(self, bank: FilterBank, selected: int, channel: int, names: tuple[str, ...]) -> None:
        """Show ``bank`` with filter ``selected`` and its ``channel`` slice; no signal fires from here.

        ``names`` has one name per input channel. With f = 1 the channel strip, the
        grid, the kernel presets and tools give way to the mixing matrix.
        """
        item, n_c = bank[selected], bank.channels
        self.panel.set_bank(bank, selected)
        with QtCore.QSignalBlocker(self.kernel_size):
            self.kernel_size.setValue(bank.size)
        self.filter_name.setText(item.name)
        self.filter_name.setToolTip(f"{item.name}: {bank.size}×{bank.size}×{n_c} weights + 1 bias")

        mixing = bank.size == 1
        for widget in (self.presets, self.channels_label, self.strip, self.grid, self.sums,
                       *self.tool_buttons.values()):
            widget.setVisible(not mixing)
        self.linked.setVisible(n_c > 1 and not mixing)
        self.mixing.setVisible(mixing)
        with QtCore.QSignalBlocker(self.bias):
            self.bias.setValue(item.bias)
        if mixing:
            self.mixing.set_matrix(mixing_matrix(bank), [f.name for f in bank.filters], names, (selected, channel),
                                   [f.enabled for f in bank.filters])
            return

        self.strip.set_channels(item.weights, names, channel, item.linked)
        label = f"Channel {channel + 1}/{n_c}: {names[channel]}" if n_c > 1 else f"Input channel: {names[0]}"
        self.channels_label.setText(label)
        self.channels_label.setToolTip(f"{label} — the input channel whose slice the grid shows")
        with QtCore.QSignalBlocker(self.linked):
            self.linked.setChecked(item.linked)
        plane = item.weights[:, :, channel]
        self.grid.set_kernel(plane)
        channel_sum, total = float(plane.sum(dtype=np.float64)), float(item.weights.sum(dtype=np.float64))
        where = "each channel" if item.linked and n_c > 1 else names[channel]
        self.sums.setText(f"Σ {where} = {format_weight(channel_sum)}"
                          + (f"   ·   Σ all = {format_weight(total)}" if n_c > 1 else ""))
        scope = "every channel" if item.linked or n_c == 1 else f"the {names[channel]} channel only"
        for label, _function, tip in TOOLS:
            self.tool_buttons[label].setToolTip(f"{tip} — on {scope}")
