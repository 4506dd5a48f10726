"""The Learn panel: a student network learns the teacher's kernels by backpropagation, live.

Controls after TensorFlow Playground: play / pause / step / reset, a step
counter, optimizer, a log-spaced learning rate that can change while running,
steps per frame, seed, and which layers learn. The learning itself runs on a
:class:`~playground.live.learn_session.LearnSession` thread fed with the live
view's frames; this widget only sends commands and draws the newest update, at
most :data:`REDRAW_S` apart, so the live view keeps its frame rate.

"Keep" writes the learned weights into the window's network as one undoable
edit; until then nothing the person typed is touched (the student is a copy).

:func:`attach_learn_panel` gives a window the dock (View ▸ Learn, Ctrl+L); the
panel in it is built the first time the dock is shown.
"""

from __future__ import annotations

import math
import time

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.kernels.network import Network, channel_names
from playground.live.learn_session import LearnSession, LearnSetup, LearnUpdate
from playground.live.learn_state import slow_weights_note
from playground.live.learn_teacher import WINDOW, kept_network, same_shapes, teacher_network

from .learn_controls import FILE_TEACHER, LearnControls
from .learn_views import KernelCompare, LossPlot, MapCompare

__all__ = ["LearnPanel", "LearnDock", "attach_learn_panel", "REDRAW_S"]

REDRAW_S = 0.2          # the panel redraws at most 5 times a second; steps go on in between


def network_of(snapshot) -> Network:
    """The network a snapshot (or a rendered frame's snapshot) runs."""
    network = getattr(snapshot, "network", None)
    return network if network is not None else Network.single(snapshot.bank, snapshot.layer)


def take_network(window, network: Network) -> None:
    """Give ``network`` to the window as one recorded (undoable) edit, through its public methods."""
    take = getattr(window, "take_network", None)
    if take is not None:
        take(network, selected=window.snapshot.selected)   # the layer the person looks at stays selected
        return
    # a one-layer window: its bank, through the editor as Edit ▸ Reset does
    bank = network.layers[0].bank
    window.editor.set_bank(bank)
    window.take_bank(bank)


class _Bridge(QtCore.QObject):
    """The worker emits; the connected slot runs on the GUI thread."""

    update_ready = QtCore.Signal()


class LearnPanel(QtWidgets.QWidget):
    """The Learn panel of ``window`` (a MainWindow: ``snapshot``, ``frame_displayed``, ``take_network``
    or, in a one-layer window, ``editor`` and ``take_bank``).

    Attributes
    ----------
    session : LearnSession
    latest : LearnUpdate or None
        The update on screen.
    """

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.main_window = window
        self.latest: LearnUpdate | None = None
        self._network = network_of(window.snapshot)     # the window's network as last computed
        self._file_teacher: tuple[str, Network] | None = None
        self._teacher_index = 0                          # the teacher menu's entry in use
        self._teacher: Network | None = None
        self._sent: Network | None = None
        self._playing = False
        self._stop_shown = False                         # the message shown says why the run paused
        self._slow_note_shown = False                    # the message shown is slow_weights_note's
        self._last_draw = 0.0
        self._bridge = _Bridge(self)
        self._bridge.update_ready.connect(self._on_update, QtCore.Qt.ConnectionType.QueuedConnection)
        self._redraw = QtCore.QTimer(self, singleShot=True)
        self._redraw.timeout.connect(self._draw)
        self.session = LearnSession(self._bridge.update_ready.emit)
        self._build()
        self.session.start()
        self._new_run()

    # --- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        c = self.controls = LearnControls()
        # the controls as the panel's own attributes: tests and scripts reach them by name
        for name in ("play_button", "step_button", "reset_button", "step_label", "teacher_box", "init_box",
                     "seed_box", "optimizer_box", "lr_box", "spf_box", "loss_label", "message", "kernel_layer",
                     "kernel_filter", "kernel_channel", "keep_button"):
            setattr(self, name, getattr(c, name))
        self.layers_box = c.layers_row
        self.layer_checks: list[QtWidgets.QCheckBox] = []
        self.plot = LossPlot()
        self.kernels = KernelCompare()
        self.maps = MapCompare()
        self.maps.setToolTip("The last layer's output map for the chosen filter, on the whole frame at reduced "
                             "size: student, teacher and student − teacher, on the teacher's scale")
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(c)
        layout.addWidget(self.plot)
        layout.addWidget(c.note)
        layout.addWidget(self.message)
        layout.addLayout(c.pick_row)
        layout.addWidget(self.kernels)
        layout.addWidget(self.maps)
        layout.addWidget(self.keep_button)
        layout.addStretch(1)

        self.play_button.toggled.connect(self._on_play)
        self.step_button.clicked.connect(self.step)
        self.reset_button.clicked.connect(self.reset)
        self.keep_button.clicked.connect(self.keep)
        self.teacher_box.activated.connect(self._on_teacher_chosen)
        self.init_box.currentIndexChanged.connect(self.reset)
        self.seed_box.valueChanged.connect(self.reset)
        self.optimizer_box.currentIndexChanged.connect(self.reset)
        self.lr_box.currentIndexChanged.connect(lambda: self.session.set_lr(self.lr_box.currentData()))
        self.spf_box.valueChanged.connect(self.session.set_steps_per_frame)
        self.kernel_layer.currentIndexChanged.connect(self._on_kernel_layer)
        self.kernel_filter.currentIndexChanged.connect(self._on_kernel_filter)
        self.kernel_channel.currentIndexChanged.connect(lambda: self._draw_kernels())

    # --- the run ----------------------------------------------------------------------------
    @property
    def follows_window(self) -> bool:
        return self._file_teacher is None and self.teacher_box.currentText() == WINDOW

    def _teacher_now(self) -> Network:
        if self._file_teacher is not None:
            return self._file_teacher[1]
        return teacher_network(self.teacher_box.currentText(), self._network)

    def _sync_layer_checks(self, teacher: Network) -> None:
        """One box per conv layer of the teacher; the first learns by default."""
        if len(self.layer_checks) == teacher.depth:
            return
        while self.layers_box.count():   # the boxes and the stretch after them
            item = self.layers_box.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.layer_checks = []
        for index in range(teacher.depth):
            check = QtWidgets.QCheckBox(f"CONV{index + 1}")
            check.setToolTip(f"Layer {index + 1} learns (unticked: it keeps the teacher's weights)")
            check.setChecked(index == 0)
            check.toggled.connect(self.reset)
            self.layers_box.addWidget(check)
            self.layer_checks.append(check)
        self.layers_box.addStretch(1)

    def _new_run(self) -> None:
        """A new setup from the controls (paused, step 0)."""
        teacher = self._teacher_now()
        self._sync_layer_checks(teacher)
        if not any(check.isChecked() for check in self.layer_checks):
            with QtCore.QSignalBlocker(self.layer_checks[0]):   # a run learns at least one layer
                self.layer_checks[0].setChecked(True)
        trainable = tuple(i for i, check in enumerate(self.layer_checks) if check.isChecked())
        self._teacher = teacher
        self._sent = teacher
        self._set_playing(False)
        self.session.setup(LearnSetup(
            teacher, follows_window=self.follows_window, trainable=trainable,
            init="current" if self.init_box.currentIndex() == 1 else "random", start=self._network,
            seed=self.seed_box.value(), optimizer=self.optimizer_box.currentData(),
            lr=self.lr_box.currentData(), steps_per_frame=self.spf_box.value()))
        self._fill_kernel_pickers(teacher)
        if self.follows_window:   # the kernel the person is looking at in the editor
            self.kernel_layer.setCurrentIndex(min(self.main_window.snapshot.selected, teacher.depth - 1))
        self.message.hide()
        self._slow_note_shown = False
        if self.init_box.currentIndex() == 1 and not same_shapes(teacher, self._network):
            self._show_message("the network's current weights do not fit this teacher's shapes: the student "
                               "starts from random weights", paused=False)

    @QtCore.Slot()
    def reset(self) -> None:
        """Start again from the controls' choices."""
        self._new_run()

    def play(self) -> None:
        self._set_playing(True)

    def pause(self) -> None:
        self._set_playing(False)

    @QtCore.Slot()
    def step(self) -> None:
        """One step, then paused."""
        self._set_playing(False, send=False)
        self.session.step()

    def _set_playing(self, playing: bool, send: bool = True) -> None:
        self._playing = playing
        self.controls.set_playing(playing)
        if send:
            (self.session.play if playing else self.session.pause)()

    @QtCore.Slot(bool)
    def _on_play(self, checked: bool) -> None:
        if checked and self.latest is not None and self.latest.stopped:
            self._set_playing(False, send=False)
            self._show_message(self.latest.stopped + " — press Reset to start again")
            return
        self._set_playing(checked)

    @QtCore.Slot(int)
    def _on_teacher_chosen(self, index: int) -> None:
        if self.teacher_box.itemText(index) == FILE_TEACHER:
            path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Teacher: a bank or network file", "",
                                                            "Bank or network (*.json)")
            if not (path and self.use_teacher_file(path)):
                with QtCore.QSignalBlocker(self.teacher_box):   # cancelled or refused: the teacher stays
                    self.teacher_box.setCurrentIndex(self._teacher_index)
            return
        self._teacher_index = index
        self._file_teacher = None
        self._new_run()

    def use_teacher_file(self, path: str) -> bool:
        """Learn from the bank or network in ``path``; a bad file gives a message and changes nothing."""
        try:
            network = teacher_network(FILE_TEACHER, self._network, path)
        except ValueError as exc:
            self._show_message(str(exc), paused=False)
            return False
        self._file_teacher = (path, network)
        self._teacher_index = self.teacher_box.findText(FILE_TEACHER)
        with QtCore.QSignalBlocker(self.teacher_box):
            self.teacher_box.setCurrentIndex(self._teacher_index)
        self.teacher_box.setToolTip(f"Teacher: {path}")
        self._new_run()
        return True

    # --- frames from the window, updates from the worker ------------------------------------------
    @QtCore.Slot(object)
    def on_frame(self, result) -> None:
        """A frame the window displayed: the newest input, and the network as it ran."""
        self._network = network_of(result.snapshot)
        if self.follows_window and self._network is not self._sent:
            self._sent = self._network
            self.session.set_teacher(self._network)
        self.session.feed(result.frame)

    @QtCore.Slot()
    def _on_update(self) -> None:
        wait = REDRAW_S - (time.monotonic() - self._last_draw)
        if wait > 0:
            if not self._redraw.isActive():
                self._redraw.start(int(wait * 1000) + 1)
            return
        self._draw()

    @QtCore.Slot()
    def _draw(self) -> None:
        update = self.session.updates.take()
        if update is None:
            return
        self._last_draw = time.monotonic()
        self.latest = update
        self.step_label.setText(f"step {update.steps:,}")
        distance = "–" if math.isnan(update.distance) else f"{update.distance * 100:.2f} %"
        loss = "–" if math.isnan(update.loss) else f"{update.loss:.3g}"
        self.loss_label.setText(f"loss {loss} · distance from the teacher's weights {distance}")
        self.plot.show_history(update.history)
        if update.stopped:
            if self._playing:
                self._set_playing(False, send=False)
            self._show_message(update.stopped)
        elif self._stop_shown:   # a note (a refused file, a start that did not fit) stays until the next run
            self.message.hide()
        self._show_slow_note(update)
        self._draw_kernels()
        self.maps.show_preview(update.preview)

    def _show_slow_note(self, update) -> None:
        """Say why the weights lag the maps (see :func:`slow_weights_note`), while that holds."""
        note = slow_weights_note(update) if not update.stopped else None
        # isHidden, not isVisible: the dock may be closed while the run goes on
        if note is not None and (self.message.isHidden() or self._slow_note_shown):
            self.message.setText(note)
            self.message.show()
            self._slow_note_shown = True
        elif note is None and self._slow_note_shown:
            self.message.hide()
            self._slow_note_shown = False

    def _show_message(self, text: str, paused: bool = True) -> None:
        self._slow_note_shown = False
        self._stop_shown = paused
        self.message.setText(f"Learning paused: {text}" if paused else text)
        self.message.show()

    # --- kernels -------------------------------------------------------------------------------
    def _fill_kernel_pickers(self, teacher: Network) -> None:
        with QtCore.QSignalBlocker(self.kernel_layer):
            self.kernel_layer.clear()
            self.kernel_layer.addItems([f"CONV{i + 1}" for i in range(teacher.depth)])
        self._on_kernel_layer(0)

    @QtCore.Slot(int)
    def _on_kernel_layer(self, index: int) -> None:
        teacher = self._teacher
        index = max(0, index)
        for box, names in ((self.kernel_filter, [item.name for item in teacher.layers[index].bank.filters]),
                           (self.kernel_channel, channel_names(teacher, index))):
            with QtCore.QSignalBlocker(box):
                keep = box.currentIndex()
                box.clear()
                box.addItems(list(names))
                box.setCurrentIndex(min(max(keep, 0), len(names) - 1))
        self._on_kernel_filter()

    @QtCore.Slot()
    def _on_kernel_filter(self) -> None:
        self.session.set_preview_map(max(0, self.kernel_filter.currentIndex()))
        self._draw_kernels()

    def _draw_kernels(self) -> None:
        update = self.latest
        layer, k, c = (self.kernel_layer.currentIndex(), self.kernel_filter.currentIndex(),
                       self.kernel_channel.currentIndex())
        if update is None or not update.student or min(layer, k, c) < 0 or layer >= len(update.student):
            return
        w, b, _ = update.student[layer]
        tw, tb, _ = update.teacher.layers[layer].stage
        if k >= w.shape[3] or c >= w.shape[2]:
            return
        self.kernels.show_kernels(np.asarray(w[:, :, c, k]), tw[:, :, c, k], float(b[k]), float(tb[k]))

    # --- keep --------------------------------------------------------------------------------------
    @QtCore.Slot()
    def keep(self) -> bool:
        """Write the learned weights into the window's network (one undo step); False with a message when
        they no longer fit it."""
        update = self.latest
        if update is None or not update.student:
            self._show_message("nothing learned yet: press Play or Step first", paused=False)
            return False
        current = network_of(self.main_window.snapshot)
        if self.follows_window and not same_shapes(current, update.teacher) and \
                same_shapes(self._network, update.teacher):
            current = self._network   # the network as it runs on this source (its input channels followed)
        try:
            kept = kept_network(current, update.teacher, self.follows_window, update.student, update.trainable)
        except ValueError as exc:
            self._show_message(str(exc))
            return False
        take_network(self.main_window, kept)
        self.main_window.statusBar().showMessage(f"kept the learned weights of step {update.steps:,} "
                                                 "(Edit ▸ Undo brings back the previous ones)", 6000)
        return True

    def shutdown(self) -> bool:
        """Stop the learning thread; True when it ended."""
        return self.session.stop()


class _CloseWatcher(QtCore.QObject):
    """Stops the learning thread when the window closes."""

    def __init__(self, window, panel: LearnPanel):
        super().__init__(window)
        self._panel = panel
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QtCore.QEvent.Type.Close:
            self._panel.shutdown()
        return False


class LearnDock(QtWidgets.QDockWidget):
    """The dock that holds the Learn panel, built the first time it is shown (the plot alone
    took 0.4 s of a loaded machine's start-up, and a window that never learns needs no thread)."""

    # the panel's rows at their natural width; narrower screens get a horizontal scroll bar
    WIDTH = 430
    NARROWEST = 240

    def __init__(self, window):
        super().__init__("Learn", window)
        self.setObjectName("learn-dock")
        self.setMinimumWidth(self.NARROWEST)   # widened when shown, as the screen allows
        self._window = window
        self._panel: LearnPanel | None = None
        self.visibilityChanged.connect(lambda visible: visible and self.panel)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        # the minimum starts at NARROWEST, so showing the dock never makes the window grow;
        # here it widens to what the screen leaves beside the window's other parts
        self.setMinimumWidth(self.fitting_width())
        super().showEvent(event)

    def fitting_width(self) -> int:
        """The dock's minimum width: :attr:`WIDTH`, less where the window's other parts and
        the dock would not fit the screen side by side (at 1280×720 the window grew to
        1452 pixels, its right edge off the projector)."""
        screen = self._window.screen()
        if screen is None:
            return self.WIDTH
        others = self._window.centralWidget().minimumSizeHint().width()
        frame = self._window.frameGeometry().width() - self._window.width()   # the window's own border
        room = screen.availableGeometry().width() - others - frame - 24       # separator (6 here) and slack
        return max(self.NARROWEST, min(self.WIDTH, room))

    @property
    def panel(self) -> LearnPanel:
        """The panel, built now if it was not yet, and fed the window's frames from then on."""
        if self._panel is None:
            window = self._window
            panel = self._panel = LearnPanel(window)
            scroll = QtWidgets.QScrollArea()
            scroll.setWidget(panel)
            scroll.setWidgetResizable(True)
            scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            self.setWidget(scroll)
            window.frame_displayed.connect(panel.on_frame)
            if window.last_frame is not None:   # a still picture sends no more frames until an edit
                panel.on_frame(window.last_frame)
            self.toggleViewAction().toggled.connect(lambda shown: shown or panel.pause())   # closed: no learning
            _CloseWatcher(window, panel)
        return self._panel


def attach_learn_panel(window) -> LearnDock:
    """Add the Learn dock to ``window`` (View ▸ Learn, Ctrl+L), hidden; return it (``.panel`` is the panel).

    Called once from the window; calling it again returns the same dock.
    """
    existing = window.findChild(LearnDock, "learn-dock")
    if existing is not None:
        return existing
    dock = LearnDock(window)
    window.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.hide()
    toggle = dock.toggleViewAction()
    toggle.setText("Learn")
    toggle.setShortcut(QtGui.QKeySequence("Ctrl+L"))
    toggle.setToolTip("Learning kernels by backpropagation: a student learns the teacher's maps (Ctrl+L)")
    view_menu = next((action.menu() for action in window.menuBar().actions()
                      if action.menu() is not None and action.text().replace("&", "") == "View"), None)
    (view_menu or window.menuBar().addMenu("&View")).addAction(toggle)
    window.addAction(toggle)   # the shortcut works while the dock is hidden
    return dock
