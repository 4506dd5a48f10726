"""The input channels of a filter as a strip of small named thumbnails, one per channel.

Tabs stop working past a handful of channels; a layer deep in a network takes 16
or 64. The strip shows each channel slice of the selected filter as a small
picture in the grid's colours (one colour scale for all slices, so a weak slice
looks weak), named by the one naming rule the caller passes in (R, G, B, "gray",
or the previous layer's filter names). One row; it scrolls sideways when the
channels do not fit.

Like the grid, it is a view: :meth:`ChannelStrip.set_channels` shows, and the
current row (:attr:`ChannelStrip.channel_chosen`) says which slice to edit.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.kernels.network import INPUT_CHANNELS

from .bank_list import kernel_icon

__all__ = ["ChannelStrip", "ZERO_ROLE", "default_channel_names", "checked_names"]

ZERO_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1  # True where the slice is all zeros
_ICON = 26          # thumbnail side in pixels
_CELL_W = 58        # one channel's width: room for "Sobel…" under the thumbnail
_CELL_H = _ICON + 22
# the input's colours, so R, G and B read at a glance (the old tabs had them too)
_CHANNEL_COLOURS = {"R": "#ff8a80", "G": "#8fdc8f", "B": "#8ab4ff"}


def default_channel_names(channels: int) -> tuple[str, ...]:
    """Names for a bank shown without its network: the picture's (R, G, B or gray), else C1, C2…"""
    return INPUT_CHANNELS.get(channels) or tuple(f"C{c + 1}" for c in range(channels))


def checked_names(names, channels: int) -> tuple[str, ...]:
    """``names`` as a tuple of str, one per channel; ValueError naming both counts otherwise."""
    names = tuple(str(name) for name in names)
    if len(names) != channels:
        raise ValueError(f"the bank's filters have {channels} input channels; got {len(names)} channel names")
    return names


class ChannelStrip(QtWidgets.QListWidget):
    """One thumbnail and name per input channel; the current one is the slice in the grid.

    Arrow keys, Home and End move between channels; the wheel scrolls the strip.

    Signals
    -------
    channel_chosen(int)
        The person picked another channel.
    """

    channel_chosen = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setViewMode(QtWidgets.QListView.ViewMode.IconMode)
        self.setFlow(QtWidgets.QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QtWidgets.QListView.Movement.Static)
        self.setResizeMode(QtWidgets.QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setIconSize(QtCore.QSize(_ICON, _ICON))
        self.setGridSize(QtCore.QSize(_CELL_W, _CELL_H))
        self.setTextElideMode(QtCore.Qt.TextElideMode.ElideRight)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setHorizontalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
        self._names: tuple[str, ...] = ()
        self._fit_height()
        self.currentRowChanged.connect(self._on_row)

    def set_channels(self, weights: np.ndarray, names: tuple[str, ...], current: int, linked: bool) -> None:
        """Show the (f, f, n_c) ``weights`` of one filter as n_c named thumbnails.

        ``current`` is selected without emitting :attr:`channel_chosen`; ``linked``
        only changes the tooltips (an edit then writes every channel).
        """
        weights = np.asarray(weights)
        n_c = weights.shape[2]
        if len(names) != n_c:
            raise ValueError(f"the strip needs one name per channel ({n_c}); got {len(names)}")
        self._names = tuple(names)
        scale = float(np.abs(weights).max(initial=0.0))
        dim = self.palette().color(QtGui.QPalette.ColorRole.PlaceholderText)
        blocked = self.blockSignals(True)
        try:
            while self.count() > n_c:
                self.takeItem(self.count() - 1)
            while self.count() < n_c:
                item = QtWidgets.QListWidgetItem()
                item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignTop)
                item.setSizeHint(QtCore.QSize(_CELL_W - 2, _CELL_H - 2))
                self.addItem(item)
            for channel, name in enumerate(names):
                plane = weights[:, :, channel]
                zero = not np.any(plane)
                item = self.item(channel)
                item.setText(name)
                item.setIcon(kernel_icon(plane, scale=scale, side=_ICON))
                item.setData(ZERO_ROLE, zero)
                item.setForeground(dim if zero else QtGui.QColor(_CHANNEL_COLOURS.get(name, self._text_colour())))
                item.setToolTip(self._tip(channel, name, plane, zero, linked))
            self.setCurrentRow(max(0, min(int(current), n_c - 1)))
        finally:
            self.blockSignals(blocked)
        self._fit_height()
        # centred, so the neighbours on both sides stay in view while stepping with ←/→
        self.scrollToItem(self.currentItem(), QtWidgets.QAbstractItemView.ScrollHint.PositionAtCenter)

    def names(self) -> tuple[str, ...]:
        """The channel names shown, in order."""
        return self._names

    def _text_colour(self) -> QtGui.QColor:
        return self.palette().color(QtGui.QPalette.ColorRole.Text)

    @staticmethod
    def _tip(channel: int, name: str, plane: np.ndarray, zero: bool, linked: bool) -> str:
        f = plane.shape[0]
        state = ("all zero: this channel does not count" if zero
                 else f"Σ = {float(plane.sum(dtype=np.float64)):.4g}, largest |w| = {float(np.abs(plane).max()):.4g}")
        scope = "an edit writes every channel (linked)" if linked else "an edit writes this channel only"
        return (f"Channel {channel + 1} · {name}: the filter's {f}×{f} slice for this input channel\n"
                f"{state}\nClick or use ←/→ to edit it; {scope}")

    def _fit_height(self) -> None:
        # one row of thumbnails, plus the sideways scroll bar only when the channels overflow
        overflow = len(self._names) * _CELL_W > self.width() - 2 * self.frameWidth() - 4
        bar = self.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_ScrollBarExtent) if overflow else 0
        self.setFixedHeight(_CELL_H + bar + 2 * self.frameWidth() + 4)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()  # only the height changes, so this cannot resize-loop

    def _on_row(self, row: int) -> None:
        if row >= 0:
            self.channel_chosen.emit(row)

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:
        # a one-row strip scrolls sideways: turn the vertical wheel into horizontal travel
        bar = self.horizontalScrollBar()
        delta = event.angleDelta().y() or event.angleDelta().x()
        if bar.maximum() > 0 and delta:
            bar.setValue(bar.value() - delta // 2)
            event.accept()
            return
        event.ignore()
