"""A vertical colour bar: the colour table with the values at its ends and middle."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from . import theme

__all__ = ["ColorBar"]


def _fmt(value: float) -> str:
    return f"{value:.3g}"


class ColorBar(QtWidgets.QWidget):
    """Shows a 256-entry colour table bottom (low) to top (high), labelled with values."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._fit_width()
        self._image: QtGui.QImage | None = None
        self.low, self.high, self.name = -1.0, 1.0, ""
        self._shown = self._look(self.low, self.high, self.name)
        self.setToolTip("Colour scale of the map under the mouse (or of the selected filter)")

    def _fit_width(self) -> None:
        # bar, tick and a value such as "-0.911": wider with larger fonts (74 px at 9 pt)
        self.setFixedWidth(34 + self.fontMetrics().horizontalAdvance("-0.911"))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:
            self._fit_width()

    def set_table(self, table: np.ndarray) -> None:
        """``table`` (256, 3) uint8."""
        column = np.ascontiguousarray(table[::-1][:, None, :].repeat(8, axis=1))  # top = high
        packed = QtGui.QImage(column.tobytes(), 8, 256, 24, QtGui.QImage.Format.Format_RGB888)
        # an owned RGB32 copy: Qt paints it without converting on every frame's repaint
        self._image = packed.convertToFormat(QtGui.QImage.Format.Format_RGB32)
        self.update()

    def set_levels(self, low: float, high: float, name: str = "") -> None:
        # live levels ease a little every frame: repaint (and lay out the numbers again)
        # only when what the bar shows changes, its three numbers or where 0 sits
        look = self._look(low, high, name)
        self.low, self.high, self.name = low, high, name
        if look != self._shown:
            self._shown = look
            self.setToolTip(f"Colour scale of {name}: {_fmt(low)} … {_fmt(high)}" if name else "")
            self.update()

    @staticmethod
    def _look(low: float, high: float, name: str) -> tuple:
        zero = round(high / (high - low), 3) if low < 0 < high else None
        return _fmt(low), _fmt(high), _fmt((low + high) / 2), zero, name

    def paintEvent(self, event) -> None:
        painter = QtGui.QPainter(self)
        metrics = painter.fontMetrics()
        top, bottom = metrics.height() // 2 + 2, self.height() - metrics.height() // 2 - 2
        bar = QtCore.QRect(4, top, 14, max(1, bottom - top))
        if self._image is not None:
            painter.drawImage(bar, self._image)
        painter.setPen(QtGui.QColor(theme.BORDER))
        painter.drawRect(bar)
        painter.setPen(QtGui.QColor(theme.TEXT))
        ticks = [(self.high, bar.top()), (self.low, bar.bottom())]
        if self.low < 0 < self.high:
            ticks.append((0.0, bar.top() + bar.height() * self.high / (self.high - self.low)))
        else:
            ticks.append(((self.low + self.high) / 2, bar.center().y()))
        for value, y in ticks:
            y = int(y)
            painter.drawLine(bar.right() + 1, y, bar.right() + 4, y)
            painter.drawText(bar.right() + 6, y + metrics.ascent() // 2 - 1, _fmt(value))
        painter.end()
