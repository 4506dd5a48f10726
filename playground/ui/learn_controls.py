"""The Learn panel's controls, laid out after TensorFlow Playground: play / pause / step /
reset and the step counter on top, then what is learned and how. Widgets only; the
panel connects them."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from playground.live.learn_session import LEARNING_RATES
from playground.live.learn_teacher import teacher_choices
from playground.live.learner import DEFAULT_CROP, DEFAULT_LR

from . import theme

__all__ = ["LearnControls", "OPTIMIZERS", "FILE_TEACHER"]

OPTIMIZERS = (("Adam", "adam"), ("SGD", "sgd"), ("SGD + momentum", "momentum"))
FILE_TEACHER = "Bank or network file…"


def _compact(box: QtWidgets.QComboBox, letters: int) -> QtWidgets.QComboBox:
    """A combo box as wide as ``letters`` characters (long entries are elided, the list shows them whole)."""
    box.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(letters)
    return box


class LearnControls(QtWidgets.QWidget):
    """Buttons, choices and read-outs of a learning run (see :class:`~playground.ui.learn_panel.LearnPanel`)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        style = self.style()
        self.play_button = QtWidgets.QPushButton(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaPlay),
                                                 "Play")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Learn continuously: the chosen steps on every frame of the live view")
        self.step_button = QtWidgets.QPushButton(
            style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaSkipForward), "Step")
        self.step_button.setToolTip("Exactly one step, then pause")
        self.reset_button = QtWidgets.QPushButton(
            style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_BrowserReload), "Reset")
        self.reset_button.setToolTip("Start again: new student weights (from the seed), step 0")
        self.step_label = QtWidgets.QLabel("step 0")
        font = self.step_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.step_label.setFont(font)
        self.step_label.setToolTip("Steps learned so far")
        # fixed sizes: a read-out whose text grows must not re-lay out (and repaint) the whole panel
        self.step_label.setFixedWidth(self.step_label.fontMetrics().horizontalAdvance("step 9,999,999"))
        self.step_label.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        buttons = QtWidgets.QHBoxLayout()
        for widget in (self.play_button, self.step_button, self.reset_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.step_label)

        self.teacher_box = _compact(QtWidgets.QComboBox(), 18)
        self.teacher_box.addItems([*teacher_choices(), FILE_TEACHER])
        self.teacher_box.setToolTip("Whose output maps the student learns to give. \"This network\" follows "
                                    "your edits while the student learns.")
        self.layers_row = QtWidgets.QHBoxLayout()
        self.init_box = _compact(QtWidgets.QComboBox(), 10)
        self.init_box.addItems(["random weights", "current weights"])
        self.init_box.setToolTip("Where the learned layers start: seeded random (He) weights, or the weights "
                                 "the network has now")
        self.seed_box = QtWidgets.QSpinBox(minimum=0, maximum=999_999)
        self.seed_box.setToolTip("The same seed gives the same start and the same crops")
        self.optimizer_box = _compact(QtWidgets.QComboBox(), 6)
        for label, name in OPTIMIZERS:
            self.optimizer_box.addItem(label, name)
        self.lr_box = QtWidgets.QComboBox()
        for lr in LEARNING_RATES:
            self.lr_box.addItem(f"{lr:g}", lr)
        self.lr_box.setCurrentIndex(LEARNING_RATES.index(DEFAULT_LR))
        self.lr_box.setToolTip("Learning rate, log-spaced; a change applies from the next step, the run goes on")
        self.spf_box = QtWidgets.QSpinBox(minimum=1, maximum=50)
        self.spf_box.setToolTip("Steps on each frame of the live view (a still picture counts 30 frames a second)")

        form = QtWidgets.QFormLayout()
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Teacher", self.teacher_box)
        form.addRow("Learn", self.layers_row)
        start = QtWidgets.QHBoxLayout()
        start.addWidget(self.init_box, 1)
        start.addWidget(QtWidgets.QLabel("seed"))
        start.addWidget(self.seed_box)
        form.addRow("Start from", start)
        optimizer = QtWidgets.QHBoxLayout()
        optimizer.addWidget(self.optimizer_box, 1)
        optimizer.addWidget(QtWidgets.QLabel("rate"))
        optimizer.addWidget(self.lr_box)
        optimizer.addWidget(QtWidgets.QLabel("steps/frame"))
        optimizer.addWidget(self.spf_box)
        form.addRow("Optimizer", optimizer)

        self.loss_label = QtWidgets.QLabel("loss – · distance –")
        self.loss_label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.loss_label.setToolTip("Loss: mean squared difference of the student's and the teacher's output maps "
                                   "on this step's crop (the light curve; the bright one is its running mean). "
                                   "Distance: ‖w − w_teacher‖ / ‖w_teacher‖ over the learned layers.")
        self.message = QtWidgets.QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.WARNING}")
        self.message.hide()

        self.kernel_layer = _compact(QtWidgets.QComboBox(), 6)
        self.kernel_filter = _compact(QtWidgets.QComboBox(), 10)
        self.kernel_channel = _compact(QtWidgets.QComboBox(), 5)
        self.pick_row = QtWidgets.QHBoxLayout()
        for box in (self.kernel_layer, self.kernel_filter, self.kernel_channel):
            self.pick_row.addWidget(box, 1)
        self.kernel_layer.setToolTip("The layer whose kernel is shown")
        self.kernel_filter.setToolTip("The filter whose kernel is shown (and, of the last layer, whose map)")
        self.kernel_channel.setToolTip("The input channel of the kernel shown")

        self.keep_button = QtWidgets.QPushButton("Keep learned weights")
        self.keep_button.setToolTip("Write the student's weights into the network: one step of Edit ▸ Undo")
        self.note = QtWidgets.QLabel(f"Steps train on random {DEFAULT_CROP}×{DEFAULT_CROP} crops of the newest "
                                     "frame, for speed")
        self.note.setWordWrap(True)
        self.note.setToolTip("Each step cuts a random crop out of the newest frame the view shows (seeded) and "
                             "trains on it: a fraction of a full-frame pass. The maps below show the whole "
                             "frame, reduced.")
        self.note.setStyleSheet(f"color: {theme.MUTED}")

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(self.loss_label)

    def set_playing(self, playing: bool) -> None:
        """Show the button as Pause while learning runs (no signal sent)."""
        with QtCore.QSignalBlocker(self.play_button):
            self.play_button.setChecked(playing)
        pixmaps = QtWidgets.QStyle.StandardPixmap
        self.play_button.setIcon(self.style().standardIcon(pixmaps.SP_MediaPause if playing else pixmaps.SP_MediaPlay))
        self.play_button.setText("Pause" if playing else "Play")
