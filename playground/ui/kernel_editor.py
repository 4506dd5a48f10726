"""The kernel editor: the panel where a person builds the filter bank by hand.

It edits the bank of any layer of a network. Top to bottom: the bank (one row
per filter: on/off, name, order) under the layer's title, the kernel size f,
then the selected filter: a preset, a strip of its input channels (a named
thumbnail per channel, 1 to 64, with the "same kernel on every channel" link),
the f×f grid of the chosen channel's weights, its bias, and the kernel tools.
When f = 1 the strip and grid give way to the K × n_c mixing matrix.

The channels are named by the caller (the one rule,
:func:`playground.kernels.network.channel_names`); without names, a 3- or
1-channel bank is taken to read the picture (R, G, B or gray). Every edit builds
a new immutable :class:`FilterBank` and emits it at once through
:attr:`KernelEditor.bank_changed`, so the maps follow each keystroke.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.kernels import TOOLS, Filter, FilterBank
from playground.kernels.mixing import mixing_bank, mixing_preset
from playground.kernels.presets import PRESETS, preset_filter, preset_weights
from playground.kernels.tools import randomize

from .channel_strip import checked_names, default_channel_names
from .kernel_editor_view import EditorView

__all__ = ["KernelEditor"]

_NEW_FILTER_PRESET = "Identity"


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
    channel_names : sequence of str, optional
        One name per input channel (see :meth:`set_bank`).
    layer_title : str, optional
        The layer's name for the panel's title, e.g. "CONV2".
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

    def __init__(self, bank: FilterBank, parent: QtWidgets.QWidget | None = None, *,
                 channel_names=None, layer_title: str | None = None):
        super().__init__(parent)
        if not isinstance(bank, FilterBank):
            raise TypeError(f"KernelEditor needs a FilterBank; got {type(bank).__name__}")
        self._bank = bank
        self._names = (default_channel_names(bank.channels) if channel_names is None
                       else checked_names(channel_names, bank.channels))
        self._selected = 0
        self._channel = 0
        self._rng = np.random.default_rng()
        self._build()
        self._panel.set_title(layer_title)
        self._refresh()

    # --- public API -------------------------------------------------------------------
    def bank(self) -> FilterBank:
        """The bank as edited so far."""
        return self._bank

    def set_bank(self, bank: FilterBank, channel_names=None, layer_title: str | None = None) -> None:
        """Show another bank (another layer, a file, an undo); the selection is kept if it still exists.

        Parameters
        ----------
        bank : FilterBank
        channel_names : sequence of str, optional
            One name per input channel of ``bank``, from
            :func:`playground.kernels.network.channel_names`. Omitted: the names
            shown so far while the channel count is the same, else
            :func:`default_channel_names`.
        layer_title : str, optional
            "CONV2" and the like; omitted keeps the title, "" clears it.

        Raises
        ------
        TypeError
            ``bank`` is not a FilterBank.
        ValueError
            ``channel_names`` does not give one name per channel.
        """
        if not isinstance(bank, FilterBank):
            raise TypeError(f"KernelEditor needs a FilterBank; got {type(bank).__name__}")
        if channel_names is not None:
            self._names = checked_names(channel_names, bank.channels)
        elif len(self._names) != bank.channels:
            self._names = default_channel_names(bank.channels)
        if layer_title is not None:
            self._panel.set_title(layer_title)
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

    def channel_names(self) -> tuple[str, ...]:
        """The names of the bank's input channels, as shown."""
        return self._names

    def channel(self) -> int:
        """The input channel whose slice is shown in the grid."""
        return self._channel

    def set_channel(self, channel: int) -> None:
        """Show channel ``channel``'s slice of the selected filter (clamped to the bank)."""
        channel = max(0, min(int(channel), self._bank.channels - 1))
        if channel != self._channel:
            self._channel = channel
            self._refresh()

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

    def set_mixing_weight(self, index: int, channel: int, value: float) -> None:
        """Set w[0, 0, channel, index] of a 1×1 bank: how much of ``channel`` filter ``index`` takes.

        One cell of the mixing matrix, whatever the link says; the filter is
        selected and unlinked when its channels now differ.
        """
        old = self._bank[index]
        new = old.with_cell(0, 0, channel, value)
        if new.linked and not np.all(new.weights == new.weights[:, :, :1]):
            new = replace(new, linked=False)
        self._channel = channel
        self._edit(lambda: self._bank.replace_filter(index, new), select=index)

    def apply_mixing_preset(self, name: str, a: int = 0, b: int = 1) -> None:
        """Replace a 1×1 bank with a preset mixing matrix (see :mod:`playground.kernels.mixing`).

        The preset sets K (identity and swap: n_c filters; average, luminance and
        difference: one), names the filters and gives them bias 0.
        """
        if self._bank.size != 1:
            self._refuse(f"mixing presets are for 1×1 kernels; this bank's are {self._bank.size}×{self._bank.size}")
            return
        try:
            matrix, names = mixing_preset(name, self._names, a, b)
        except ValueError as exc:
            self._refuse(str(exc))
            return
        if self._edit(lambda: mixing_bank(matrix, names), select=0):
            self._say(f"{name}: {len(names)} filter{'s' if len(names) != 1 else ''} "
                      f"({', '.join(names[:4])}{'…' if len(names) > 4 else ''}), biases 0")

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
        return self._names[channel]

    # --- widgets ------------------------------------------------------------------------
    def _build(self) -> None:
        view = self._view = EditorView()
        # The panel scrolls rather than growing: an 11×11 grid or a tall matrix must not
        # push a 1280×720 window off the screen.
        scroll = QtWidgets.QScrollArea(self, widgetResizable=True, frameShape=QtWidgets.QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(view)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.setMinimumWidth(view.minimumSizeHint().width())
        self._panel, self._presets = view.panel, view.presets  # kept by name: tests reach for them

        view.kernel_size.valueChanged.connect(self.set_kernel_size)
        view.list.currentRowChanged.connect(lambda row: self.set_selected(row) if row >= 0 else None)
        view.list.renamed.connect(self.rename_filter)
        view.list.toggled.connect(self.set_filter_enabled)
        view.list.moved.connect(self._move)
        view.panel.add_requested.connect(self.add_filter)
        view.panel.duplicate_requested.connect(self.duplicate_filter)
        view.panel.remove_requested.connect(self.remove_filter)
        view.panel.move_requested.connect(self.move_filter)
        view.preset_chosen.connect(self.apply_preset)
        view.linked.clicked.connect(self.set_linked)
        view.strip.channel_chosen.connect(self.set_channel)
        view.mixing.cell_edited.connect(self.set_mixing_weight)
        view.mixing.refused.connect(self.message.emit)
        view.mixing.cell_chosen.connect(self._on_mixing_cell)
        view.mixing.preset_requested.connect(self.apply_mixing_preset)
        view.grid.cell_edited.connect(self.set_weight)
        view.grid.refused.connect(self.message.emit)
        view.bias.valueChanged.connect(self.set_bias)
        view.tool_clicked.connect(self.apply_tool)
        for keys, slot in (("Ctrl+N", self.add_filter), (QtCore.Qt.Key.Key_Insert, self.add_filter),
                           ("Ctrl+D", self.duplicate_filter),
                           ("Alt+Left", lambda: self.set_channel(self._channel - 1)),
                           ("Alt+Right", lambda: self.set_channel(self._channel + 1))):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(keys), self)
            shortcut.setContext(QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def _on_mixing_cell(self, index: int, channel: int) -> None:
        self._channel = channel
        self.set_selected(index)

    def _refresh(self) -> None:
        """Make every widget show the bank; no signal of ours fires from here."""
        self._channel = min(self._channel, self._bank.channels - 1)
        self._view.show_bank(self._bank, self._selected, self._channel, self._names)
