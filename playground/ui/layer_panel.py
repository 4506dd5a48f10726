"""Layer controls (padding, stride, dilation, activation, pooling, flip) and display levels.

Every change builds new immutable settings and emits them; invalid combinations
are caught by the settings' own validation and reported, never half applied.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from playground.engine.layer import LayerSettings, PoolSettings
from playground.live.snapshot import ViewSettings
from playground.render.arithmetic import padding_text
from playground.render.levels import LevelPolicy

from .eliding_combo import ElidingComboBox

__all__ = ["LayerPanel"]


def _spin(low: int, high: int, value: int, tip: str) -> QtWidgets.QSpinBox:
    box = QtWidgets.QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setToolTip(tip)
    box.setKeyboardTracking(False)
    return box


def _combo(items, tip: str) -> QtWidgets.QComboBox:
    box = ElidingComboBox()
    # narrow panels (1024-pixel screens, large fonts) shorten the shown item with "…" instead
    # of pushing the controls past the window's edge; the open list shows it whole
    box.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(8)
    for label, data in items:
        box.addItem(label, data)
    box.setToolTip(tip)
    return box


class LayerPanel(QtWidgets.QWidget):
    """Controls for how the bank is applied and how maps are coloured.

    Signals
    -------
    changed(LayerSettings, ViewSettings)
    message(str)
    """

    changed = QtCore.Signal(object, object)
    message = QtCore.Signal(str)

    def __init__(self, layer: LayerSettings | None = None, view: ViewSettings | None = None, parent=None):
        super().__init__(parent)
        self._building = True
        form_box = QtWidgets.QGroupBox("Layer")
        form = QtWidgets.QFormLayout(form_box)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # a row too wide for a narrow panel puts its field under its label instead
        form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)

        self.padding_mode = _combo(
            [("same (output = input size)", "same"), ("valid (no padding)", "valid"), ("custom p", "custom")],
            "valid: p = 0, the map shrinks by f − 1.  same: p chosen so the map keeps the input's size "
            "(with stride, the notes' formula; an odd total puts the extra row/column bottom/right).")
        self.padding_p = _spin(0, 64, 1, "Zeros added on every side (custom padding)")
        pad_row = QtWidgets.QHBoxLayout()
        pad_row.addWidget(self.padding_mode, 1)
        pad_row.addWidget(self.padding_p)
        form.addRow("Padding", pad_row)
        self.padding_split = QtWidgets.QLabel()
        self.padding_split.setWordWrap(True)  # "top 240, bottom 241, … (uneven total: …)" wraps, never widens
        self.padding_split.setToolTip("The padding actually used on each side for the current frame")
        form.addRow("", self.padding_split)
        self.stride = _spin(1, 16, 1, "Stride s: the window moves s pixels at a time (map shrinks ~s× each way)")
        form.addRow("Stride s", self.stride)
        self.dilation = _spin(1, 8, 1, "Dilation: gaps between kernel taps; a 3×3 with dilation 2 covers 5×5")
        form.addRow("Dilation", self.dilation)
        self.operation = _combo(
            [("cross-correlation (CNNs)", False), ("true convolution (flipped)", True)],
            "CNNs compute cross-correlation and call it convolution; true convolution flips the kernel 180° first")
        form.addRow("Operation", self.operation)
        self.activation = _combo([("none (z = w·x + b)", "none"), ("ReLU  max(z, 0)", "relu"), ("abs  |z|", "abs")],
                                 "Applied after the bias: a = g(z)")
        form.addRow("Activation", self.activation)
        self.pool_mode = _combo([("none", None), ("max", "max"), ("average", "avg")],
                                "Pooling after the activation, per channel, no parameters")
        self.pool_size = _spin(1, 16, 2, "Pool window f")
        self.pool_stride = _spin(1, 16, 2, "Pool stride s")
        pool_row = QtWidgets.QHBoxLayout()
        pool_row.addWidget(self.pool_mode, 1)
        pool_row.addWidget(QtWidgets.QLabel("f"))
        pool_row.addWidget(self.pool_size)
        pool_row.addWidget(QtWidgets.QLabel("s"))
        pool_row.addWidget(self.pool_stride)
        form.addRow("Pooling", pool_row)

        view_box = QtWidgets.QGroupBox("Display")
        view_form = QtWidgets.QFormLayout(view_box)
        view_form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
        self.level_mode = _combo([("percentile", "percentile"), ("min / max", "minmax"), ("fixed", "fixed")],
                                 "Which value maps to the colour scale's ends")
        self.percentile = QtWidgets.QDoubleSpinBox()
        self.percentile.setRange(50.0, 100.0)
        self.percentile.setDecimals(1)
        self.percentile.setSingleStep(0.5)
        self.percentile.setValue(99.0)
        self.percentile.setSuffix(" %")
        self.percentile.setToolTip("Levels at this percentile of |value|: a few extreme pixels don't dim the rest")
        self.fixed = QtWidgets.QDoubleSpinBox()
        self.fixed.setDecimals(3)   # before the range: the range is rounded to these decimals
        self.fixed.setRange(0.001, 1e6)
        self.fixed.setStepType(QtWidgets.QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.fixed.setValue(1.0)
        self.fixed.setToolTip("Fixed levels: −v … +v for signed maps, 0 … v after ReLU/abs")
        level_row = QtWidgets.QHBoxLayout()
        level_row.addWidget(self.level_mode, 1)
        level_row.addWidget(self.percentile)
        level_row.addWidget(self.fixed)
        view_form.addRow("Levels", level_row)
        self.shared = QtWidgets.QCheckBox("same levels for every map")
        self.shared.setToolTip("One colour scale for the whole view, to compare filters' strengths")
        view_form.addRow("", self.shared)
        self.per_channel = QtWidgets.QCheckBox("per-channel view")
        self.per_channel.setChecked(True)
        self.per_channel.setToolTip("Show what each input channel's slice of every kernel contributes")
        view_form.addRow("", self.per_channel)
        self.display_scale = _combo([("fit to the panel", 0.0), ("full size", 1.0), ("½ size", 0.5),
                                     ("¼ size", 0.25)],
                                    "Size at which maps are drawn; smaller is faster. Hover values and "
                                    "exports always use the full-size maps.")
        view_form.addRow("Map tiles", self.display_scale)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(form_box)
        layout.addWidget(view_box)

        for box in (self.padding_p, self.stride, self.dilation, self.pool_size, self.pool_stride):
            box.valueChanged.connect(self._emit)
        for box in (self.padding_mode, self.operation, self.activation, self.pool_mode, self.level_mode,
                    self.display_scale):
            box.currentIndexChanged.connect(self._emit)
        for box in (self.percentile, self.fixed):
            box.valueChanged.connect(self._emit)
        for box in (self.shared, self.per_channel):
            box.toggled.connect(self._emit)
        self._layer = layer or LayerSettings()
        self._view = view or ViewSettings()
        self.set_settings(self._layer, self._view)
        self._building = False

    # --- state ---------------------------------------------------------------------------
    def settings(self) -> tuple[LayerSettings, ViewSettings]:
        return self._layer, self._view

    def set_settings(self, layer: LayerSettings, view: ViewSettings) -> None:
        """Show ``layer``/``view`` in the controls (emits nothing)."""
        self._building = True
        try:
            padding = layer.padding
            if isinstance(padding, str) or padding == 0:
                # p = 0 (the notes' default, a SPEC's) is "valid": the same maps, said in words
                self.padding_mode.setCurrentIndex(self.padding_mode.findData(padding or "valid"))
            else:
                self.padding_mode.setCurrentIndex(self.padding_mode.findData("custom"))
                self.padding_p.setValue(padding if isinstance(padding, int) else padding[0][0])
            self.stride.setValue(layer.stride)
            self.dilation.setValue(layer.dilation)
            self.operation.setCurrentIndex(1 if layer.flip else 0)
            self.activation.setCurrentIndex(self.activation.findData(layer.activation))
            pool = layer.pool
            self.pool_mode.setCurrentIndex(self.pool_mode.findData(pool.mode) if pool else 0)
            if pool:
                self.pool_size.setValue(pool.size)
                self.pool_stride.setValue(pool.stride)
            levels = view.levels
            self.level_mode.setCurrentIndex(self.level_mode.findData(levels.mode))
            self.percentile.setValue(levels.percentile)
            self.fixed.setValue(levels.fixed)
            self.shared.setChecked(levels.shared)
            self.per_channel.setChecked(view.per_channel)
            index = self.display_scale.findData(view.display_scale)
            self.display_scale.setCurrentIndex(max(0, index))
            self._layer, self._view = layer, view
            self._sync_enabled()
        finally:
            self._building = False

    def show_padding(self, pads) -> None:
        """Show the padding in use, ((top, bottom), (left, right)); the split when it is uneven."""
        self.padding_split.setText(padding_text(pads))

    def _sync_enabled(self) -> None:
        # shown only for custom padding: a stale "2" beside "p = 0" read as a contradiction
        self.padding_p.setVisible(self.padding_mode.currentData() == "custom")
        pooling = self.pool_mode.currentData() is not None
        self.pool_size.setEnabled(pooling)
        self.pool_stride.setEnabled(pooling)
        mode = self.level_mode.currentData()
        self.percentile.setVisible(mode == "percentile")
        self.fixed.setVisible(mode == "fixed")

    @QtCore.Slot()
    def _emit(self, *_args) -> None:
        if self._building:
            return
        self._sync_enabled()
        mode = self.padding_mode.currentData()
        padding = self.padding_p.value() if mode == "custom" else mode
        pool_mode = self.pool_mode.currentData()
        try:
            pool = PoolSettings(pool_mode, self.pool_size.value(), self.pool_stride.value()) if pool_mode else None
            layer = LayerSettings(padding=padding, stride=self.stride.value(), dilation=self.dilation.value(),
                                  flip=bool(self.operation.currentData()), activation=self.activation.currentData(),
                                  pool=pool)
            levels = LevelPolicy(self.level_mode.currentData(), self.percentile.value(), self.fixed.value(),
                                 self.shared.isChecked())
            view = ViewSettings(levels=levels, per_channel=self.per_channel.isChecked(),
                                display_scale=float(self.display_scale.currentData()))
        except ValueError as exc:
            self.message.emit(str(exc))
            self.set_settings(self._layer, self._view)
            return
        self._layer, self._view = layer, view
        self.changed.emit(layer, view)
