"""Learning kernels by backpropagation: a student network learns to give a teacher's maps.

The teacher is a network as the app runs it (stages ``(w, b, settings)``, see
:mod:`playground.engine.train`). The student is a copy whose chosen layers start
from seeded random weights (He initialisation) or from their current weights.
Each step takes a frame, cuts a random crop out of it (seeded; the crop keeps a
step cheap on big frames: 96×96 by default, about 1/33 of a 640×480 frame),
runs both networks on the crop, and moves the student's trainable weights and
biases down the gradient of the mean squared difference of their outputs. The
gradient is whitened by the layer's input-patch statistics first (gradient descent
on a reparametrised kernel; ``precondition=False`` for plain steps), which is what
lets Sobel be recovered to 5 % within 3,000 steps on natural pictures.

Qt-free and thread-free: the UI drives a :class:`Learner` from a worker.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from playground.engine.backend import backend_for
from playground.engine.losses import mse_loss
from playground.engine.optim import OPTIMIZERS, optimizer_step, patch_moment, whitening
from playground.engine.train import Stage, backward_network, forward_train

__all__ = ["Learner", "StepResult", "he_init", "weight_distance",
           "DEFAULT_OPTIMIZER", "DEFAULT_LR", "DEFAULT_CROP", "BLOW_UP_FACTOR"]

DEFAULT_OPTIMIZER = "adam"
DEFAULT_LR = 0.01
DEFAULT_CROP = 96
# A loss this many times its first value means the run diverged (the notes' "grows
# without bound"): a wrong learning rate, not a slow start.
BLOW_UP_FACTOR = 1e6
# Whitening: damping relative to the largest eigenvalue of the patch moment, and how
# much of the running moment each new crop replaces.
PRECONDITION_DAMPING = 1e-3
MOMENT_DECAY = 0.9


@dataclass(frozen=True)
class StepResult:
    """What one step did.

    Attributes
    ----------
    step : int
        Steps done so far (1 after the first).
    loss : float
        MSE between the student's and the teacher's output on this step's crop,
        before the update.
    distance : float
        ‖w − w_teacher‖ / ‖w_teacher‖ over the trained layers' weights (biases not
        counted), after the update.
    stopped : str or None
        Why learning stopped (NaN/inf, a loss that blew up); the weights are those
        before the bad step and further steps do nothing until :meth:`Learner.reset`.
    """

    step: int
    loss: float
    distance: float
    stopped: str | None = None


def he_init(shape, rng: np.random.Generator) -> np.ndarray:
    """He (Kaiming) normal weights for a conv layer: N(0, 2 / fan_in), fan_in = f·f·n_c_prev.

    Parameters
    ----------
    shape : (f, f, n_c_prev, K)
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray float32 of ``shape``
    """
    fan_in = int(np.prod(shape[:3]))
    return (rng.standard_normal(shape) * math.sqrt(2.0 / fan_in)).astype(np.float32)


def weight_distance(student: Sequence[Stage], teacher: Sequence[Stage], layers) -> float:
    """‖w − w_teacher‖ / ‖w_teacher‖ over ``layers`` (all their weights as one vector).

    The absolute distance ‖w − w_teacher‖ when the teacher's weights are all zero.
    """
    diff = norm = 0.0
    for index in layers:
        w, t = student[index].w, teacher[index].w
        xp = backend_for([w]).xp
        diff += float(xp.sum((w.astype(xp.float64) - t) ** 2))
        norm += float(xp.sum(xp.asarray(t, dtype=xp.float64) ** 2))
    return math.sqrt(diff / norm) if norm > 0 else math.sqrt(diff)


def _check_lr(lr) -> float:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"learning rate must be a number > 0; got {lr!r}")
    return float(lr)


class Learner:
    """Teacher, student, optimizer state and the step counter of one learning run.

    Parameters
    ----------
    teacher : sequence of Stage or (w, b, settings)
        The network whose outputs are the targets; never modified.
    trainable : iterable of int
        Indices of the layers the student learns (default: the first).
    init : {"random", "keep"}
        Trainable layers start from He-initialised weights and zero bias
        ("random", seeded) or from the teacher's own values ("keep": e.g. to go on
        from kernels a person typed, with a different teacher later).
    seed : int
        Seeds the initial weights and the crops: the same seed gives the same run.
    optimizer : {"adam", "sgd", "momentum"}
    lr : float
        Learning rate, > 0; may be changed between steps (:attr:`lr`).
    crop : int or None
        Side of the random square crop each step trains on (clipped to the frame);
        None trains on the whole frame.
    steps_per_frame : int
        Steps :meth:`train_on_frame` takes on one frame.
    precondition : bool
        Whiten each trainable layer's gradient by its input patches' second moment
        (default True; see :meth:`_updated`). Without it, Adam leaves Sobel x 9–14 %
        away after 3,000 steps on the sample pictures: their RGB values move together,
        so the loss hardly changes along the kernel's colour-difference directions.
    """

    def __init__(self, teacher, trainable=(0,), *, init="random", seed=0, optimizer=DEFAULT_OPTIMIZER,
                 lr=DEFAULT_LR, crop=DEFAULT_CROP, steps_per_frame=1, precondition=True):
        self.teacher = tuple(Stage(*stage) for stage in teacher)
        if not self.teacher:
            raise ValueError("the teacher needs at least one layer")
        self.trainable = tuple(sorted({int(i) for i in trainable}))
        if not self.trainable or self.trainable[0] < 0 or self.trainable[-1] >= len(self.teacher):
            raise ValueError(f"layers to learn must be among 1…{len(self.teacher)}; "
                             f"got {[i + 1 for i in self.trainable]}")
        if init not in ("random", "keep"):
            raise ValueError(f"init must be 'random' or 'keep'; got {init!r}")
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {optimizer!r}")
        if crop is not None and (isinstance(crop, bool) or not isinstance(crop, int) or crop < 8):
            raise ValueError(f"crop must be a whole number of pixels ≥ 8, or None; got {crop!r}")
        if isinstance(steps_per_frame, bool) or not isinstance(steps_per_frame, int) or steps_per_frame < 1:
            raise ValueError(f"steps per frame must be a whole number ≥ 1; got {steps_per_frame!r}")
        self.init, self.seed, self.optimizer = init, int(seed), optimizer
        self.crop, self.steps_per_frame = crop, steps_per_frame
        self.precondition = bool(precondition)
        self._lr = _check_lr(lr)
        self.reset()

    # --- state -------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        """Start again: fresh student weights, optimizer state, step counter and crops."""
        if seed is not None:
            self.seed = int(seed)
        rng = np.random.default_rng(self.seed)
        student = []
        for index, (w, b, settings) in enumerate(self.teacher):
            w = np.asarray(w, np.float32) if backend_for([w]).xp is np else w.astype("float32")
            b = None if b is None else (np.asarray(b, np.float32) if backend_for([b]).xp is np
                                        else b.astype("float32"))
            if index in self.trainable and self.init == "random":
                xp = backend_for([w]).xp
                w = xp.asarray(he_init(w.shape, rng))
                b = xp.zeros(w.shape[3], xp.float32)
            elif index in self.trainable and b is None:
                b = backend_for([w]).xp.zeros(w.shape[3], np.float32)  # a learnt layer learns its bias too
            student.append(Stage(w, b, settings))
        self.student = tuple(student)
        self._crop_rng = np.random.default_rng([self.seed, 1])  # independent of the weights' stream
        self._state = None
        self._moments: dict[int, object] = {}
        self.steps = 0
        self.first_loss: float | None = None
        self.stopped: str | None = None

    @property
    def lr(self) -> float:
        """The learning rate; set it between steps (validated, > 0)."""
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = _check_lr(value)

    def distance(self) -> float:
        """‖w − w_teacher‖ / ‖w_teacher‖ over the trained layers' weights."""
        return weight_distance(self.student, self.teacher, self.trainable)

    def evaluate(self, frame) -> float:
        """MSE between the student's and the teacher's output on the whole ``frame`` (no crop,
        no update): the figure to compare before and after, free of the crops' variety."""
        self._follow(frame)
        target, _ = forward_train(frame, self.teacher)
        output, _ = forward_train(frame, self.student)
        return mse_loss(output, target)[0]

    def _follow(self, frame) -> None:
        """Move the weights and optimizer state to the frame's device (NumPy ↔ CuPy) when it changed."""
        backend = backend_for([frame])
        if backend_for([self.student[self.trainable[0]].w]).xp is backend.xp:
            return

        def move(stages):
            return tuple(Stage(backend.asarray(w), None if b is None else backend.asarray(b), s)
                         for w, b, s in stages)

        self.teacher, self.student = move(self.teacher), move(self.student)
        self._moments = {index: backend.asarray(m) for index, m in self._moments.items()}
        self._state = None  # restart the optimizer's moments on the new device

    # --- learning ----------------------------------------------------------------
    def _crop(self, frame):
        """A random crop×crop window of the frame (all of it when crop is None or larger)."""
        if self.crop is None:
            return frame
        n_h, n_w = frame.shape[:2]
        h, w = min(self.crop, n_h), min(self.crop, n_w)
        top = int(self._crop_rng.integers(0, n_h - h + 1))
        left = int(self._crop_rng.integers(0, n_w - w + 1))
        return frame[top:top + h, left:left + w]

    def step(self, frame) -> StepResult:
        """One forward + backward + optimizer update on a crop of ``frame``.

        Parameters
        ----------
        frame : array (n_H, n_W, n_c) float (NumPy or CuPy)

        Returns
        -------
        StepResult
            After a stop, every further call returns the stop again without
            touching the weights.
        """
        if self.stopped is not None:
            return StepResult(self.steps, math.nan, self.distance(), self.stopped)
        self._follow(frame)
        x = self._crop(frame)
        target, _ = forward_train(x, self.teacher)
        output, cache = forward_train(x, self.student)
        loss, grad = mse_loss(output, target)
        if self.first_loss is None:
            self.first_loss = loss
        reason = self._failure(loss)
        if reason is None:
            grads = backward_network(cache, grad, set(self.trainable))
            new = self._updated(cache, grads)
            if new is None:
                reason = (f"the weights became NaN or infinite at step {self.steps + 1} "
                          f"(learning rate {self._lr:g} is too large); the last good weights are kept")
            else:
                self.student = new
        if reason is not None:
            self.stopped = reason
            return StepResult(self.steps, loss, self.distance(), reason)
        self.steps += 1
        return StepResult(self.steps, loss, self.distance())

    def _failure(self, loss: float) -> str | None:
        if not math.isfinite(loss):
            return (f"the loss became {loss} at step {self.steps + 1} (learning rate {self._lr:g}); "
                    "learning stopped with the last good weights")
        if self.first_loss and loss > BLOW_UP_FACTOR * self.first_loss:
            return (f"the loss grew to {loss:.3g}, over {BLOW_UP_FACTOR:.0e} times its first value "
                    f"{self.first_loss:.3g}, at step {self.steps + 1}: learning rate {self._lr:g} is too large")
        return None

    def _whitening(self, index: int, x, w_shape, settings):
        """Layer ``index``'s P = (A + δ)^(−1/2), A a running mean of its input-patch moment.

        Refreshed every step: holding P for 4 steps to save its cost (the moment and
        the eigendecomposition cost about as much as the rest of a step on a 96×96
        crop) made the jumps between bases slow Adam down, and the demo missed 5 %.
        """
        moment = patch_moment(x, w_shape, stride=settings.stride, padding=settings.padding,
                              dilation=settings.dilation)
        previous = self._moments.get(index)
        if previous is not None:  # a running mean over crops: a steadier basis for the optimizer
            moment = MOMENT_DECAY * previous + (1 - MOMENT_DECAY) * moment
        self._moments[index] = moment
        return whitening(moment, PRECONDITION_DAMPING)

    def _updated(self, cache, grads):
        """The student after one optimizer step, or None when a weight would become NaN/inf.

        Each trainable layer's gradient (weights and bias as one (f·f·n_c + 1) × K
        matrix) is optionally whitened by P = (A + δ)^(−1/2), A the running second
        moment of the layer's input patches; the optimizer then steps in those
        coordinates (its state lives there) and the step goes back through P. With
        P = I this is the plain optimizer. The optimizer is asked for its step by
        giving it zero parameters: every one of them returns p − step.
        """
        directions, whitenings = [], []
        for index in self.trainable:
            w = self.student[index].w
            settings = self.student[index].settings
            grad_w, grad_b = grads[index]
            xp = backend_for([grad_w]).xp
            if settings.flip:  # precondition in the orientation the patches are applied in
                grad_w = grad_w[::-1, ::-1]
            g = xp.concatenate([grad_w.reshape(-1, w.shape[3]), grad_b[None]]).astype(xp.float64)
            if self.precondition:
                whiten = self._whitening(index, cache.stages[index].x, w.shape, settings)
                g = whiten @ g
            else:
                whiten = None
            directions.append(g)
            whitenings.append(whiten)
        steps, state = optimizer_step(self.optimizer, [0 * g for g in directions], directions,
                                                    self._state, self._lr)
        student = list(self.student)
        for index, whiten, step in zip(self.trainable, whitenings, steps, strict=True):
            w, b, settings = student[index]
            xp = backend_for([w]).xp
            if whiten is not None:
                step = whiten @ step
            delta_w = step[:-1].reshape(w.shape)
            if settings.flip:
                delta_w = delta_w[::-1, ::-1]
            new_w = (w + delta_w).astype(xp.float32)
            new_b = (b + step[-1]).astype(xp.float32)
            if not (bool(xp.isfinite(new_w).all()) and bool(xp.isfinite(new_b).all())):
                return None
            student[index] = Stage(new_w, new_b, settings)
        self._state = state
        return tuple(student)

    def train_on_frame(self, frame) -> list[StepResult]:
        """:attr:`steps_per_frame` steps on one frame (fewer if learning stops)."""
        results = []
        for _ in range(self.steps_per_frame):
            results.append(self.step(frame))
            if results[-1].stopped:
                break
        return results
