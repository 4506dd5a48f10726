"""A learning run on its own thread: the Learn panel's controller. Qt-free.

The GUI feeds frames (:meth:`LearnSession.feed`, the newest wins) and sends
commands (play, pause, step, reset, learning rate, …); a worker thread owns the
:class:`~playground.live.learner.Learner`, applies the commands between steps,
and leaves a :class:`LearnUpdate` in a one-value slot (:attr:`LearnSession.updates`)
after each batch of steps, calling ``on_update`` so the GUI knows to take it. The
GUI thread never computes a step.

Pacing, as the live view's frames come: while playing, each new frame gets
``steps_per_frame`` steps; when no frame came for :data:`STILL_AFTER_S` (a still
picture, a paused view), each ``tick_s`` does. Each step
trains on a random crop of the frame (:data:`~playground.live.learner.DEFAULT_CROP`
pixels a side, for speed); the preview maps are the whole frame at reduced size.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from playground.engine import asnumpy
from playground.engine.network import prepare_input
from playground.engine.train import Stage
from playground.kernels.network import Network

from .learn_state import LEARNING_RATES, LearnSetup, LearnUpdate, Preview, preview_maps
from .learn_teacher import same_shapes, start_stages
from .learner import Learner
from .slot import LatestSlot

__all__ = ["LearnSession", "LearnSetup", "LearnUpdate", "Preview", "LEARNING_RATES", "MAX_HISTORY",
           "TREND_WEIGHT", "STILL_AFTER_S"]

# Loss points kept for the curve: past this, every other point is dropped (the
# curve keeps its shape over hours; the plot never gets slower).
MAX_HISTORY = 4000
# No new frame for this long: the picture is still (or the view paused), and a clock
# paces the steps instead of the frames.
STILL_AFTER_S = 0.5
# The learning thread's niceness: under load the live view's threads get the cores
# first (measured on 2 cores at load 16: the view kept 85-100 % of its not-learning frame
# rate at +10, about 70 % at 0).
LEARN_NICENESS = 10
# Weight of the newest step in the loss's running mean (about the last 10 steps). The
# mean is of log(loss): a loss spans decades, and this follows the curve a log plot shows.
TREND_WEIGHT = 0.1
# Commands where a newer one replaces a pending one of the same kind.
_LATEST_WINS = ("teacher", "lr", "steps_per_frame", "preview")


class LearnSession:
    """Owns the learning thread.

    Parameters
    ----------
    on_update : callable()
        Called on the worker thread after each new :class:`LearnUpdate` is in :attr:`updates`.
    tick_s : float
        On a still picture (no new frames), a batch every ``tick_s`` seconds.
    preview_side : int
        Longest side of the frame the preview maps are computed on.
    preview_interval_s : float
        Preview maps are recomputed at most this often while playing.
    """

    def __init__(self, on_update: Callable[[], None], *, tick_s: float = 1 / 30, preview_side: int = 128,
                 preview_interval_s: float = 0.33):
        self.updates = LatestSlot()
        self._on_update = on_update
        self.tick_s, self.preview_side, self.preview_interval_s = tick_s, preview_side, preview_interval_s
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._frame = None              # newest frame fed, (n_H, n_W, n_c)
        self._frame_version = 0
        self._commands: list[tuple] = []
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.preview_map = 0            # which output map the preview shows (read by the worker)

    # --- any thread -------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="learn", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> bool:
        """End the thread; True when it ended within ``timeout`` seconds."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def feed(self, frame) -> None:
        """The newest frame of the live view (an older one not yet used is dropped)."""
        with self._lock:
            self._frame = frame
            self._frame_version += 1
        self._wake.set()

    def _send(self, *command) -> None:
        with self._lock:
            if command[0] in _LATEST_WINS:   # only the newest counts: a busy worker never piles them up
                self._commands = [c for c in self._commands if c[0] != command[0]]
            self._commands.append(command)
        self._wake.set()

    def setup(self, setup: LearnSetup) -> None:
        """Start a new run (paused, step 0) with ``setup``."""
        self._send("setup", setup)

    def play(self) -> None:
        self._send("play", True)

    def pause(self) -> None:
        self._send("play", False)

    def step(self) -> None:
        """Exactly one step, then paused."""
        self._send("step")

    def set_lr(self, lr: float) -> None:
        """The learning rate from the next step on (the run goes on)."""
        self._send("lr", float(lr))

    def set_steps_per_frame(self, count: int) -> None:
        self._send("steps_per_frame", int(count))

    def set_teacher(self, network: Network) -> None:
        """The window's network changed: a teacher that follows it takes the new weights and
        settings, and the student keeps learning; a changed shape stops the run (Reset)."""
        self._send("teacher", network)

    def set_preview_map(self, index: int) -> None:
        self.preview_map = int(index)
        self._send("preview")

    # --- the worker ----------------------------------------------------------------------------
    def _loop(self) -> None:
        _yield_to_the_view()
        self._learner: Learner | None = None
        self._setup: LearnSetup | None = None
        self._run = 0
        self._playing = False
        self._stopped: str | None = None
        self._history: list[tuple[int, float, float]] = []
        self._log_trend = math.nan
        self._loss = math.nan
        self._x = None
        self._used_version = -1
        self._last_batch = self._last_preview = self._last_frame_at = 0.0
        self._preview: Preview | None = None
        self._pending_steps = 0          # Step presses not yet done
        self._dirty = False              # something to show that no update has shown yet
        while not self._stopping:
            self._wake.wait(self.tick_s if self._playing else 0.5)   # frames and commands wake it sooner
            self._wake.clear()
            if self._stopping:
                break
            with self._lock:
                commands, self._commands = self._commands, []
                frame, version = self._frame, self._frame_version
            for command in commands:
                wanted, changed = self._apply(command)
                self._pending_steps += wanted
                self._dirty |= changed
            if self._learner is None or frame is None:
                continue   # commands wait for a frame; nothing is lost
            try:
                self._work(frame, version)
            except Exception as exc:   # never a silently dead thread: the panel says what happened
                self._stopped, self._playing = f"learning failed: {type(exc).__name__}: {exc}", False
                self._publish(force_preview=False)

    def _work(self, frame, version: int) -> None:
        """The steps due now (asked for, or this frame's while playing), then the update."""
        new_frame = version != self._used_version
        now = time.monotonic()
        if new_frame:
            self._last_frame_at = now
        # frames set the pace; only when none came for a while (a still picture, a paused
        # view) does the clock: a slow live view must not get extra steps between its frames
        still = now - self._last_frame_at >= STILL_AFTER_S
        steps = self._pending_steps
        if self._playing and (new_frame or (still and now - self._last_batch >= self.tick_s * 0.9)):
            steps += self._setup.steps_per_frame
        if new_frame and (steps or self._x is None or self._dirty):
            self._x = self._prepare(frame)
            self._used_version = version
        if self._x is None:
            return
        self._pending_steps = 0
        if steps:
            self._last_batch = now
            self._train(steps)
        if steps or self._dirty:
            self._publish(force_preview=self._dirty or not self._playing)

    def _apply(self, command) -> tuple[int, bool]:
        """One command; returns (steps it asks for, whether the state shown changed)."""
        kind = command[0]
        if kind == "setup":
            self._start(command[1])
            return 0, True
        if self._learner is None:
            return 0, False
        if kind == "play":
            self._playing = bool(command[1]) and self._stopped is None
            return 0, True
        if kind == "step":
            self._playing = False
            return (1 if self._stopped is None else 0), True
        if kind == "lr":
            self._learner.lr = command[1]
            self._setup = replace(self._setup, lr=command[1])
            return 0, False
        if kind == "steps_per_frame":
            self._learner.steps_per_frame = command[1]
            self._setup = replace(self._setup, steps_per_frame=command[1])
            return 0, False
        if kind == "teacher":
            return 0, self._follow(command[1])
        return 0, True   # "preview"

    def _start(self, setup: LearnSetup) -> None:
        self._run += 1
        self._setup, self._playing, self._history, self._loss = setup, False, [], math.nan
        self._log_trend = math.nan
        self._stopped, self._x, self._preview = None, None, None
        self._used_version, self._pending_steps = -1, 0
        start = start_stages(setup.teacher, setup.start) if setup.init == "current" else None
        try:
            # "keep" copies the teacher's weights, replaced by the start's just below
            self._learner = Learner(setup.teacher.stages(), setup.trainable,
                                    init="keep" if start is not None else "random", seed=setup.seed,
                                    optimizer=setup.optimizer, lr=setup.lr, crop=setup.crop,
                                    steps_per_frame=setup.steps_per_frame)
        except ValueError as exc:
            self._learner, self._stopped = None, str(exc)
            self._publish_failure(setup)
            return
        if start is not None:
            self._learner.student = tuple(Stage(np.array(w, np.float32), np.array(b, np.float32), s)
                                          for w, b, s in start)

    def _follow(self, network: Network) -> bool:
        """A window teacher takes ``network``'s weights and settings, if its shapes are the same."""
        setup = self._setup
        if not setup.follows_window or network == setup.teacher:
            return False
        if not same_shapes(network, setup.teacher):
            if self._stopped is None:
                self._stopped = ("the network's shape changed (layers, filters, kernel size or input channels): "
                                 "press Reset to learn the new one")
                self._playing = False
            return True
        learner = self._learner
        stages = network.stages()
        learner.teacher = stages
        learner.student = tuple(Stage(w, b, new.settings) for (w, b, _), new in zip(learner.student, stages,
                                                                                     strict=True))
        learner.first_loss = None   # "grew without bound" is judged against the new teacher's first loss
        self._setup = replace(setup, teacher=network)
        self._x = None              # the input may now be resized or gray differently
        self._used_version = -1
        return True

    def _prepare(self, frame):
        teacher = self._setup.teacher
        return prepare_input(asnumpy(frame), teacher.input_size, teacher.input_channels)

    def _train(self, steps: int) -> None:
        learner = self._learner
        for _ in range(steps):
            if self._stopped is not None:
                break
            try:
                result = learner.step(self._x)
            except ValueError as exc:   # e.g. a crop smaller than a deep network's windows
                self._stopped = f"a step failed: {exc}"
                break
            except Exception as exc:   # never a silently dead thread: the panel says what happened
                self._stopped = f"a step failed: {type(exc).__name__}: {exc}"
                break
            if result.stopped:
                self._stopped = result.stopped
                break
            self._loss = result.loss
            log_loss = math.log(max(result.loss, 1e-30))
            self._log_trend = log_loss if math.isnan(self._log_trend) else \
                self._log_trend + TREND_WEIGHT * (log_loss - self._log_trend)
            self._history.append((result.step, result.loss, math.exp(self._log_trend)))
        if len(self._history) > MAX_HISTORY:
            self._history = self._history[::2]
        if self._stopped is not None:
            self._playing = False

    def _publish(self, force_preview: bool) -> None:
        now = time.monotonic()
        if force_preview or self._preview is None or now - self._last_preview >= self.preview_interval_s:
            try:
                self._preview = preview_maps(self._x, self._learner.teacher, self._learner.student,
                                             self.preview_map, self.preview_side)
            except Exception:   # e.g. settings that leave no output on the reduced frame: no pictures
                self._preview = None
            self._last_preview = now
        learner = self._learner
        history = np.array(self._history, np.float64).reshape(-1, 3)
        # copies on the host: the GUI reads them while the learner goes on (a few kilobytes)
        student = tuple(Stage(np.array(asnumpy(w)), None if b is None else np.array(asnumpy(b)), settings)
                        for w, b, settings in learner.student)
        self.updates.put(LearnUpdate(self._run, learner.steps, self._loss, learner.distance(), history,
                                     self._setup.teacher, student, learner.trainable,
                                     self._playing, self._stopped, self._preview))
        self._dirty = False
        self._on_update()

    def _publish_failure(self, setup: LearnSetup) -> None:
        self.updates.put(LearnUpdate(self._run, 0, math.nan, math.nan, np.zeros((0, 3)), setup.teacher, (),
                                     tuple(setup.trainable), False, self._stopped))
        self._on_update()


def _yield_to_the_view() -> None:
    """Lower the calling thread's priority by :data:`LEARN_NICENESS` below the process's own, where
    the OS allows it per thread (Linux); elsewhere learning runs at the process's priority."""
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + LEARN_NICENESS))
    except (AttributeError, OSError):   # no setpriority (Windows), or not per thread (macOS)
        pass
