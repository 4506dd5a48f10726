"""What a person watches while a kernel learns: the loss curve, student and teacher kernels
side by side, and the student's map, the teacher's map and their difference.

Each view keeps its pyqtgraph items and only swaps data in (``setData``,
``setImage`` with fixed levels), as pyqtgraph's VideoSpeedTest does: the Learn
panel redraws them several times a second while the live view runs.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from playground.live.learn_session import Preview
from playground.render.colormaps import DIVERGING, lut

from . import theme
from .kernel_grid import cell_colours, format_weight

__all__ = ["LossPlot", "KernelValues", "KernelCompare", "MapCompare", "nice_ceiling"]

_LOSS_FLOOR = 1e-12   # a log axis cannot show 0: an exact fit sits on the floor


class LossPlot(pg.PlotWidget):
    """The loss per step on a log scale: each step's loss (faint: crops differ, so it is noisy)
    and its running mean (bright: the trend). Two curve items, their data replaced."""

    def __init__(self, parent=None):
        super().__init__(parent, background=theme.BASE)
        self.setLogMode(x=False, y=True)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setLabel("bottom", "step")
        self.setLabel("left", "loss (MSE)")
        self.raw = self.plot(pen=pg.mkPen((240, 160, 48, 90), width=1))
        self.trend = self.plot(pen=pg.mkPen("#f0a030", width=2))
        for curve in (self.raw, self.trend):
            curve.setDownsampling(auto=True, method="peak")   # thousands of points, a few hundred pixels
            curve.setClipToView(True)
        # Ranges in whole decades and 1-2-5 steps, set only when the data leaves them:
        # auto-ranging on every update redrew both axes' ticks each time (most of the
        # plot's cost on the GUI thread)
        self.disableAutoRange()
        for name in ("left", "bottom"):   # the axes are drawn from a pixmap until their ticks change
            self.getAxis(name).setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._ranges = None
        self.setFixedHeight(125)

    def show_history(self, history: np.ndarray) -> None:
        """``history`` (n, 3): (step, loss, running mean) rows; empty clears the curves."""
        if len(history) == 0:
            self.raw.setData([], [])
            self.trend.setData([], [])
            return
        steps, loss = history[:, 0], np.maximum(history[:, 1], _LOSS_FLOOR)
        self.raw.setData(steps, loss)
        self.trend.setData(steps, np.maximum(history[:, 2], _LOSS_FLOOR))
        finite = loss[np.isfinite(loss)]
        if finite.size:
            low, high = math.floor(math.log10(finite.min())), math.ceil(math.log10(finite.max()))
            ranges = ((0, nice_ceiling(steps[-1])), (low, max(high, low + 1)))
            if ranges != self._ranges:
                self._ranges = ranges
                self.setRange(xRange=ranges[0], yRange=ranges[1], padding=0)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, … at or above ``value`` (at least 10 steps)."""
    value = max(float(value), 10.0)
    decade = 10 ** math.floor(math.log10(value))
    return next(m * decade for m in (1, 2, 5, 10) if m * decade >= value)


class KernelValues(QtWidgets.QWidget):
    """A read-only f×f grid of numbers, coloured on a given diverging scale (so two grids
    drawn on one scale compare cell by cell); painted in one pass, no widget per cell."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.title = title
        self.values = np.zeros((0, 0))
        self.scale = 0.0
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Fixed, QtWidgets.QSizePolicy.Policy.Fixed)

    def set_values(self, values, scale: float) -> None:
        values = np.asarray(values, np.float64)
        resized = values.shape != self.values.shape
        self.values, self.scale = values, float(scale)
        if resized:
            self.updateGeometry()
            self.adjustSize()
        self.update()

    def cell_px(self) -> int:
        """Roomy for 3×3, tighter for large kernels: two grids fit a ~420-pixel dock."""
        f = max(self.values.shape) if self.values.size else 3
        return max(14, min(40, 190 // f))

    def _title_h(self) -> int:
        return self.fontMetrics().height() + 4

    def sizeHint(self) -> QtCore.QSize:
        rows, cols = self.values.shape if self.values.size else (3, 3)
        size = self.cell_px()
        title_w = self.fontMetrics().horizontalAdvance(self.title) + 4
        return QtCore.QSize(max(cols * size + 1, title_w), rows * size + 1 + self._title_h())

    def minimumSizeHint(self) -> QtCore.QSize:
        return self.sizeHint()

    def paintEvent(self, event) -> None:
        painter = QtGui.QPainter(self)
        top = self._title_h()
        painter.setPen(QtGui.QColor(theme.MUTED))
        painter.drawText(QtCore.QRect(0, 0, self.width(), top), QtCore.Qt.AlignmentFlag.AlignLeft, self.title)
        size = self.cell_px()
        texts = [format_weight(value) for value in self.values.flat]
        font = painter.font()
        font.setPointSizeF(max(6.0, min(9.5, size / 4.2)))
        widest = max(texts, key=len, default="")
        while font.pointSizeF() > 6.0 and QtGui.QFontMetrics(font).horizontalAdvance(widest) > size - 4:
            font.setPointSizeF(font.pointSizeF() - 0.5)   # "-0.213" whole rather than elided
        painter.setFont(font)
        metrics = QtGui.QFontMetrics(font)
        edge = QtGui.QPen(QtGui.QColor(theme.BORDER), 1)
        for (row, col), value in np.ndenumerate(self.values):
            rect = QtCore.QRect(col * size, top + row * size, size, size)
            fill, ink = cell_colours(float(value), self.scale)
            painter.fillRect(rect, fill)
            painter.setPen(edge)
            painter.drawRect(rect)
            if size >= 22:   # numbers only where they are legible; the colours carry the rest
                painter.setPen(ink)
                text = metrics.elidedText(texts[row * self.values.shape[1] + col],
                                          QtCore.Qt.TextElideMode.ElideRight, size - 2)
                painter.drawText(rect, QtCore.Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


class KernelCompare(QtWidgets.QWidget):
    """Student and teacher kernels side by side on the teacher's scale, and their bias."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.student = KernelValues("student")
        self.teacher = KernelValues("teacher")
        self.biases = QtWidgets.QLabel()
        self.biases.setStyleSheet(f"color: {theme.MUTED}")
        self.biases.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        grids = QtWidgets.QHBoxLayout()
        grids.addWidget(self.student)
        grids.addSpacing(12)
        grids.addWidget(self.teacher)
        grids.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grids)
        layout.addWidget(self.biases)

    def show_kernels(self, student: np.ndarray, teacher: np.ndarray, student_bias: float,
                     teacher_bias: float) -> None:
        """Two (f, f) kernels; colours on ±max(|teacher|) so a cell's colour says how close it is."""
        scale = float(np.abs(teacher).max(initial=0.0)) or float(np.abs(student).max(initial=0.0))
        self.student.set_values(student, scale)
        self.teacher.set_values(teacher, scale)
        self.biases.setText(f"bias: student {student_bias:.4g} · teacher {teacher_bias:.4g}")


class MapCompare(pg.GraphicsLayoutWidget):
    """Three small maps — student, teacher, student − teacher — one reused ImageItem each,
    all drawn on the teacher's ±level with the maps' diverging colours."""

    TITLES = ("student", "teacher", "difference")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground(theme.WINDOW)
        self.ci.setContentsMargins(0, 0, 0, 0)
        self.ci.setSpacing(4)
        table = lut(DIVERGING)
        self.labels, self.images = [], []
        for column, title in enumerate(self.TITLES):
            label = self.ci.addLabel(title, row=0, col=column, color=theme.MUTED, size="9pt")
            box = self.ci.addViewBox(row=1, col=column, lockAspect=True, invertY=True, enableMenu=False)
            box.setMouseEnabled(False, False)
            image = pg.ImageItem(axisOrder="row-major")
            image.setLookupTable(table)
            box.addItem(image)
            self.labels.append(label)
            self.images.append(image)
        self.setFixedHeight(125)

    def show_preview(self, preview: Preview | None) -> None:
        """Draw ``preview`` (None clears the pictures)."""
        if preview is None:
            for image in self.images:
                image.clear()
            return
        levels = (-preview.level, preview.level)
        for image, values in zip(self.images, (preview.student, preview.teacher, preview.difference),
                                 strict=True):
            shape_changed = image.image is None or image.image.shape != values.shape
            image.setImage(values, levels=levels, autoLevels=False)
            if shape_changed:
                image.getViewBox().autoRange(padding=0.02)
        text = f"difference · ±{preview.level:.3g}"
        if text != self.labels[2].text:   # a new text re-lays out the pictures: only when it changes
            self.labels[2].setText(text)
