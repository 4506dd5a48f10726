"""The kernel editor: the panel where a person builds the filter bank by hand.

Top to bottom: the bank (one row per filter: on/off, name, order), the kernel
size f, then the selected filter: a preset, a tab per input channel with the
"same kernel on every channel" link, the f×f grid of weights, its bias, and the
kernel tools. Every edit builds a new immutable :class:`FilterBank` and emits it
at once through :attr:`KernelEditor.bank_changed`, so the maps follow each keystroke.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.kernels import CHANNEL_NAMES, MAX_SIZE, TOOLS, Filter, FilterBank
from playground.kernels.presets import PRESETS, preset_filter, preset_names, preset_weights
from playground.kernels.tools import randomize

from .bank_list import BankPanel
from .kernel_grid import MAX_WEIGHT, KernelGrid, format_weight

__all__ = ["KernelEditor"]

_NEW_FILTER_PRESET = "Identity"
_PRESET_PROMPT = "Preset…"
_CHANNEL_COLOURS = {"R": "#ff8a80", "G": "#8fdc8f", "B": "#8ab4ff"}  # tab text, so R/G/B read at a glance


def _unique_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted 2``, ``wanted 3``… (like FilterBank.unique_name, but ignoring one filter)."""
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted} {n}", n + 1
    return name


class KernelEditor(QtWidgets.QWidget):
    """Edit a :class:`FilterBank`: its filters, their f×f×n_c weights and biases.

    Parameters
    ----------
    bank : FilterBank
        The bank to start from; the first filter is selected.
    parent : QWidget, optional

    Signals
    -------
    bank_changed(FilterBank)
        After every edit, exactly once, synchronously, with the new bank.
        Not emitted by :meth:`set_bank` (the caller already has that bank).
    selection_changed(int)
        The selected filter's index changed.
    message(str)
        A note or refusal for the person (for a status bar).
    """

    bank_changed = QtCore.Signal(object)
    selection_changed = QtCore.Signal(int)
    message = QtCore.Signal(str)

    def __init__(self, bank: FilterBank, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        if not isinstance(bank, FilterBank):
            raise TypeError(f"KernelEditor needs a FilterBank; got {type(bank).__name__}")
        self._bank = bank
        self._selected = 0
        self._channel = 0
        self._rng = np.random.default_rng()
        self._build()
        self._refresh()

    # --- public API -------------------------------------------------------------------
    def bank(self) -> FilterBank:
        """The bank as edited so far."""
        return self._bank

    def set_bank(self, bank: FilterBank) -> None:
        """Show another bank (e.g. loaded from a file); the selection is kept if it still exists."""
        if not isinstance(bank, FilterBank):
            raise TypeError(f"KernelEditor needs a FilterBank; got {type(bank).__name__}")
        self._bank = bank
        previous = self._selected
        self._selected = min(self._selected, len(bank) - 1)
        self._refresh()
        if self._selected != previous:
            self.selection_changed.emit(self._selected)

    def selected(self) -> int:
        """Index of the filter shown in the grid."""
        return self._selected

    def set_selected(self, index: int) -> None:
        """Select filter ``index`` (clamped to the bank)."""
        index = max(0, min(int(index), len(self._bank) - 1))
        if index != self._selected:
            self._selected = index
            self._refresh()
            self.selection_changed.emit(index)

    def channel(self) -> int:
        """The input channel whose tab is shown."""
        return self._channel

    def set_channel(self, channel: int) -> None:
        """Show channel ``channel``'s slice of the selected filter."""
        self._tabs.setCurrentIndex(max(0, min(int(channel), self._bank.channels - 1)))

    # --- edits of the bank (each emits bank_changed once, or a message) ----------------
    def add_filter(self) -> None:
        """Append an identity filter, named uniquely, and select it."""
        bank = self._bank
        new = preset_filter(_NEW_FILTER_PRESET, bank.size, bank.channels)
        new = replace(new, name=bank.unique_name(_NEW_FILTER_PRESET))
        self._edit(lambda: bank.add(new), select=len(bank))

    def duplicate_filter(self) -> None:
        """Copy the selected filter right after it and select the copy."""
        index = self._selected
        self._edit(lambda: self._bank.duplicate(index), select=index + 1)

    def remove_filter(self) -> None:
        """Remove the selected filter (the last one cannot go)."""
        index = self._selected
        self._edit(lambda: self._bank.remove(index), select=min(index, len(self._bank) - 2))

    def move_filter(self, delta: int) -> None:
        """Move the selected filter ``delta`` places (−1 up, +1 down), keeping it selected."""
        self._move(self._selected, self._selected + int(delta))

    def rename_filter(self, index: int, name: str) -> None:
        """Rename filter ``index``; empty, too long or taken names are refused with a message."""
        name = str(name).strip()
        old = self._bank[index]
        if name == old.name:
            self._refresh()
            return
        if any(i != index and item.name == name for i, item in enumerate(self._bank.filters)):
            self._refuse(f"another filter is already called {name!r}: names must differ")
            return
        self._edit(lambda: self._bank.replace_filter(index, replace(old, name=name)))

    def set_filter_enabled(self, index: int, enabled: bool) -> None:
        """Switch filter ``index`` on (its map is computed) or off."""
        old = self._bank[index]
        if old.enabled == bool(enabled):
            return
        if self._edit(lambda: self._bank.replace_filter(index, replace(old, enabled=bool(enabled)))):
            if not self._bank.active:
                self._say("no filter is enabled: enable one to see maps")

    def set_kernel_size(self, size: int) -> None:
        """Pad or crop every filter of the bank around its centre to size×size."""
        old = self._bank
        size = int(size)
        if size == old.size:
            return
        if self._edit(lambda: old.resized(size)) and size < old.size:
            lost = sum(float(np.abs(item.weights).sum()) for item in old.filters) - sum(
                float(np.abs(item.weights).sum()) for item in self._bank.filters)
            if lost > 0:
                self._say(f"kernel size {old.size}×{old.size} → {size}×{size}: "
                                  "weights outside the centre were cropped")

    def set_weight(self, row: int, col: int, value: float) -> None:
        """Set one weight of the selected filter: every channel when linked, else the shown one."""
        old = self._current()
        channel = None if old.linked else self._channel
        self._edit(lambda: self._bank.replace_filter(self._selected, old.with_cell(row, col, channel, value)))

    def set_bias(self, value: float) -> None:
        """Set the selected filter's bias (within ±1e6)."""
        old = self._current()
        if float(value) != old.bias:
            self._edit(lambda: self._bank.replace_filter(self._selected, replace(old, bias=float(value))))

    def set_linked(self, linked: bool) -> None:
        """Link (same kernel on every channel) or unlink the selected filter's channels.

        Linking copies the shown channel to the others when they differ; unlinking
        keeps the weights as they are.
        """
        old = self._current()
        linked = bool(linked)
        if linked == old.linked:
            return
        weights = np.array(old.weights)
        differ = linked and not np.all(weights == weights[:, :, self._channel:self._channel + 1])
        if differ:
            weights[:] = weights[:, :, self._channel:self._channel + 1]
        new = replace(old, linked=linked, weights=weights)
        if self._edit(lambda: self._bank.replace_filter(self._selected, new)) and differ:
            self._say(f"the {self._channel_name(self._channel)} kernel of {old.name!r} "
                              "now applies to every channel (the channels differed)")

    def apply_preset(self, name: str) -> None:
        """Give the selected filter a preset's weights and name (the bank grows to fit it)."""
        if name not in PRESETS:
            self._refuse(f"unknown preset {name!r}")
            return
        preset, bank = PRESETS[name], self._bank
        grew = not preset.any_size and preset.natural > bank.size
        try:
            if grew:
                bank = bank.resized(preset.natural)
            weights = preset_weights(name, bank.size, bank.channels)
            old = bank[self._selected]
            new_name = _unique_name(name, {item.name for i, item in enumerate(bank.filters) if i != self._selected})
            linked = bool(np.all(weights == weights[:, :, :1]))
            new = replace(old, name=new_name, weights=weights, linked=linked)
        except ValueError as exc:
            self._refuse(str(exc))
            return
        if self._edit(lambda: bank.replace_filter(self._selected, new)) and grew:
            self._say(f"kernel size grew to {bank.size}×{bank.size} for {name}")

    def apply_tool(self, label: str) -> None:
        """Run a kernel tool (see ``playground.kernels.tools.TOOLS``) on the selected filter.

        Linked filters: the whole f×f×n_c kernel (randomize draws one kernel for every
        channel). Unlinked: only the shown channel.
        """
        tool = next((function for text, function, _ in TOOLS if text == label), None)
        if tool is None:
            self._refuse(f"unknown kernel tool {label!r}")
            return
        old = self._current()
        weights = np.array(old.weights)
        try:
            if old.linked and tool is randomize:
                weights[:] = self._run_tool(tool, weights[:, :, 0])[:, :, None]
            elif old.linked:
                weights = self._run_tool(tool, weights)
            else:
                weights[:, :, self._channel] = self._run_tool(tool, weights[:, :, self._channel])
        except ValueError as exc:
            self._refuse(str(exc))
            return
        if np.array_equal(weights, old.weights):
            self._say(f"{label}: the kernel was already like that")
            return
        self._edit(lambda: self._bank.replace_filter(self._selected, old.with_weights(weights)))

    def _run_tool(self, tool, kernel: np.ndarray) -> np.ndarray:
        if tool is randomize:
            return randomize(kernel, self._rng)
        return tool(kernel)

    # --- plumbing -----------------------------------------------------------------------
    def _current(self) -> Filter:
        return self._bank[self._selected]

    def _edit(self, build, select: int | None = None) -> bool:
        """Build the new bank; show and emit it, or refuse with the model's message."""
        try:
            bank = build()
        except ValueError as exc:
            self._refuse(str(exc))
            return False
        previous = self._selected
        self._bank = bank
        if select is not None:
            self._selected = max(0, min(select, len(bank) - 1))
        self._refresh()
        self.bank_changed.emit(bank)
        if self._selected != previous:
            self.selection_changed.emit(self._selected)
        return True

    def _refuse(self, text: str) -> None:
        self._refresh()  # puts back whatever the widget shows (a name, a spin box value)
        self._say(text)

    def _say(self, text: str) -> None:
        self.message.emit(text[:1].upper() + text[1:])

    def _move(self, index: int, to: int) -> None:
        if not 0 <= to < len(self._bank) or to == index:
            self._refresh()
            return
        self._edit(lambda: self._bank.move(index, to), select=to)

    def _channel_name(self, channel: int) -> str:
        return CHANNEL_NAMES[channel] if self._bank.channels == len(CHANNEL_NAMES) else f"C{channel + 1}"

    # --- widgets ------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)

        self._panel = BankPanel(self)
        self._size = QtWidgets.QSpinBox(objectName="kernelSize", prefix="f = ", minimum=1, maximum=MAX_SIZE)
        self._size.setKeyboardTracking(False)
        self._size.setToolTip(f"Kernel size f (1 to {MAX_SIZE}) for every filter: growing pads with zeros, "
                              "shrinking crops around the centre")
        self._size.valueChanged.connect(self.set_kernel_size)
        self._panel.header.addWidget(self._size)
        self._list = self._panel.list
        self._list.currentRowChanged.connect(lambda row: self.set_selected(row) if row >= 0 else None)
        self._list.renamed.connect(self.rename_filter)
        self._list.toggled.connect(self.set_filter_enabled)
        self._list.moved.connect(self._move)
        self._panel.add_requested.connect(self.add_filter)
        self._panel.duplicate_requested.connect(self.duplicate_filter)
        self._panel.remove_requested.connect(self.remove_filter)
        self._panel.move_requested.connect(self.move_filter)
        layout.addWidget(self._panel, 1)

        line = QtWidgets.QFrame(frameShape=QtWidgets.QFrame.Shape.HLine, frameShadow=QtWidgets.QFrame.Shadow.Sunken)
        layout.addWidget(line)

        filter_row = QtWidgets.QHBoxLayout()
        self._name = QtWidgets.QLabel(objectName="filterName", minimumWidth=60)
        bold = self._name.font()
        bold.setBold(True)
        self._name.setFont(bold)
        self._presets = QtWidgets.QComboBox(objectName="presets",
                                            toolTip="Replace the selected filter's weights with a preset kernel")
        self._presets.addItem(_PRESET_PROMPT)
        for name in preset_names():
            self._presets.addItem(name)
            self._presets.setItemData(self._presets.count() - 1, PRESETS[name].description,
                                      QtCore.Qt.ItemDataRole.ToolTipRole)
        self._presets.activated.connect(self._on_preset_chosen)
        filter_row.addWidget(self._name, 1)
        filter_row.addWidget(self._presets)
        layout.addLayout(filter_row)

        channel_row = QtWidgets.QHBoxLayout()
        self._tabs = QtWidgets.QTabBar(objectName="channelTabs", drawBase=False, expanding=False,
                                       toolTip="The kernel's slice for each input channel")
        self._tabs.currentChanged.connect(self._on_tab_changed)
        self._linked = QtWidgets.QCheckBox(
            "Same kernel on every channel", objectName="linkChannels",
            toolTip="Linked: an edit writes every channel at once. Linking copies the shown channel to the "
                    "others; unlinking keeps the weights")
        self._linked.clicked.connect(self.set_linked)
        channel_row.addWidget(self._tabs)
        channel_row.addStretch(1)
        channel_row.addWidget(self._linked)
        layout.addLayout(channel_row)

        self._grid = KernelGrid(self)
        self._grid.setObjectName("kernelGrid")
        self._grid.cell_edited.connect(self.set_weight)
        self._grid.refused.connect(self.message.emit)
        layout.addWidget(self._grid, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)

        self._sums = QtWidgets.QLabel(
            objectName="weightSums", alignment=QtCore.Qt.AlignmentFlag.AlignCenter,
            toolTip="Sum of the weights: 1 keeps brightness (blurs), 0 ignores flat areas (edges)")
        self._sums.setForegroundRole(QtGui.QPalette.ColorRole.PlaceholderText)
        layout.addWidget(self._sums)

        bias_row = QtWidgets.QHBoxLayout()
        tip = "Added to every value of this filter's map (before ReLU)"
        self._bias = QtWidgets.QDoubleSpinBox(objectName="bias", minimum=-MAX_WEIGHT, maximum=MAX_WEIGHT,
                                              decimals=3, singleStep=0.1, keyboardTracking=False, toolTip=tip)
        self._bias.valueChanged.connect(self.set_bias)
        bias_row.addWidget(QtWidgets.QLabel("Bias b", toolTip=tip))
        bias_row.addWidget(self._bias)
        bias_row.addStretch(1)
        layout.addLayout(bias_row)

        tools = QtWidgets.QGridLayout()
        tools.setSpacing(4)
        self._tool_buttons: dict[str, QtWidgets.QToolButton] = {}
        for position, (label, _function, _tip) in enumerate(TOOLS):
            button = QtWidgets.QToolButton(self, text=label, objectName=f"tool:{label}")
            button.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _checked=False, text=label: self.apply_tool(text))
            self._tool_buttons[label] = button
            tools.addWidget(button, position // 4, position % 4)
        layout.addLayout(tools)

        for keys, slot in (("Ctrl+N", self.add_filter), (QtCore.Qt.Key.Key_Insert, self.add_filter),
                           ("Ctrl+D", self.duplicate_filter)):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(keys), self)
            shortcut.setContext(QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def _on_preset_chosen(self, index: int) -> None:
        name = self._presets.itemText(index)
        self._presets.setCurrentIndex(0)
        if index > 0:
            self.apply_preset(name)

    def _on_tab_changed(self, index: int) -> None:
        if index >= 0 and index != self._channel:
            self._channel = index
            self._refresh()

    # --- showing the bank ---------------------------------------------------------------
    def _refresh(self) -> None:
        """Make every widget show the bank; no signal of ours fires from here."""
        bank, item = self._bank, self._current()
        n_c = bank.channels
        self._channel = min(self._channel, n_c - 1)
        self._panel.set_bank(bank, self._selected)
        with QtCore.QSignalBlocker(self._size):
            self._size.setValue(bank.size)

        self._name.setText(item.name)
        self._name.setToolTip(f"{item.name}: {bank.size}×{bank.size}×{n_c} weights + 1 bias")
        with QtCore.QSignalBlocker(self._tabs):
            while self._tabs.count() > n_c:
                self._tabs.removeTab(self._tabs.count() - 1)
            while self._tabs.count() < n_c:
                self._tabs.addTab("")
            for channel in range(n_c):
                zero = not np.any(item.weights[:, :, channel])
                name = self._channel_name(channel)
                self._tabs.setTabText(channel, f"{name} (0)" if zero else name)
                dim = self.palette().color(QtGui.QPalette.ColorRole.PlaceholderText)
                self._tabs.setTabTextColor(channel, dim if zero else QtGui.QColor(_CHANNEL_COLOURS.get(name, dim)))
                self._tabs.setTabToolTip(channel, f"The kernel's {name} slice"
                                         + (": all zero, this channel does not count" if zero else ""))
            self._tabs.setCurrentIndex(self._channel)
        self._tabs.setVisible(n_c > 1)
        self._linked.setVisible(n_c > 1)
        with QtCore.QSignalBlocker(self._linked):
            self._linked.setChecked(item.linked)

        plane = item.weights[:, :, self._channel]
        self._grid.set_kernel(plane)
        channel_sum, total = float(plane.sum(dtype=np.float64)), float(item.weights.sum(dtype=np.float64))
        where = "each channel" if item.linked and n_c > 1 else self._channel_name(self._channel)
        self._sums.setText(f"Σ {where} = {format_weight(channel_sum)}"
                           + (f"   ·   Σ all = {format_weight(total)}" if n_c > 1 else ""))
        with QtCore.QSignalBlocker(self._bias):
            self._bias.setValue(item.bias)

        scope = "every channel" if item.linked or n_c == 1 else f"the {self._channel_name(self._channel)} channel only"
        for label, _function, tip in TOOLS:
            self._tool_buttons[label].setToolTip(f"{tip} — on {scope}")
