"""What a learning run is and what it shows, as plain values. Qt-free.

:class:`LearnSetup` is what the Learn panel asks for (a new one starts a new run);
:class:`LearnUpdate` is what the learning thread hands back after each batch of
steps; :func:`preview_maps` computes the student's and teacher's maps it shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from playground.engine import asnumpy
from playground.engine.train import forward_train
from playground.kernels.network import Network

from .learner import DEFAULT_CROP, DEFAULT_LR, DEFAULT_OPTIMIZER

__all__ = ["LearnSetup", "LearnUpdate", "Preview", "preview_maps", "slow_weights_note", "LEARNING_RATES"]

# TensorFlow Playground's idea: a short log-spaced list, not a free number field.
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
@dataclass(frozen=True)
class LearnSetup:
    """What a run learns and how; a new setup starts a new run.

    Parameters
    ----------
    teacher : Network
        Whose outputs the student learns to give.
    follows_window : bool
        The teacher is the window's network and follows its edits
        (see :meth:`~playground.live.learn_session.LearnSession.set_teacher`).
    trainable : tuple of int
        0-based layers the student learns.
    init : {"random", "current"}
        Trained layers start from seeded random weights, or from ``start``'s
        (the window's current weights; random when its shapes differ from the teacher's).
    start : Network, optional
    seed, optimizer, lr, steps_per_frame, crop
        As for :class:`~playground.live.learner.Learner`.
    """

    teacher: Network
    follows_window: bool = True
    trainable: tuple = (0,)
    init: str = "random"
    start: Network | None = None
    seed: int = 0
    optimizer: str = DEFAULT_OPTIMIZER
    lr: float = DEFAULT_LR
    steps_per_frame: int = 1
    crop: int | None = DEFAULT_CROP


@dataclass(frozen=True)
class Preview:
    """One output map of student and teacher on the whole (reduced) frame.

    Attributes
    ----------
    student, teacher, difference : numpy.ndarray float32 (h, w)
        difference = student − teacher.
    level : float
        The teacher's largest |value|: all three are drawn on ±level, so the
        difference fades as the student learns.
    index : int
        Which output map (filter of the last layer).
    """

    student: np.ndarray
    teacher: np.ndarray
    difference: np.ndarray
    level: float
    index: int


@dataclass(frozen=True)
class LearnUpdate:
    """The state of a run after a batch of steps (or a command).

    Attributes
    ----------
    run : int
        Counts setups and resets: a new number means a new curve.
    steps : int
    loss : float
        The last step's loss (NaN before the first).
    distance : float
        ‖w − w_teacher‖ / ‖w_teacher‖ over the trained layers.
    history : numpy.ndarray (n, 3)
        (step, loss, running mean of the loss) rows for the curve: each step's
        crop differs, so the loss is noisy and the running mean shows the trend.
    teacher : Network
    student : tuple of Stage
    trainable : tuple of int
    playing : bool
    stopped : str or None
        Why the run cannot go on (NaN, a loss that blew up, a teacher whose
        shape changed, a failed step); Reset starts again.
    preview : Preview or None
    """

    run: int
    steps: int
    loss: float
    distance: float
    history: np.ndarray
    teacher: Network
    student: tuple
    trainable: tuple
    playing: bool
    stopped: str | None
    preview: Preview | None = field(default=None, compare=False)


def preview_maps(x, teacher, student, index: int, side: int) -> Preview:
    """Output map ``index`` (clamped) of both networks on ``x`` shrunk to at most ``side`` pixels.

    Parameters
    ----------
    x : array (n_H, n_W, n_c), the prepared frame
    teacher, student : sequences of (w, b, settings)
    index : int
    side : int

    Raises
    ------
    ValueError
        Settings that leave no output on the reduced frame.
    """
    h, w = x.shape[:2]
    scale = side / max(h, w)
    x = asnumpy(x)
    if scale < 1:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))   # cv2 takes (width, height)
        x = cv2.resize(x, size, interpolation=cv2.INTER_AREA).reshape(size[1], size[0], x.shape[2])
    target, _ = forward_train(x, teacher)
    output, _ = forward_train(x, student)
    target, output = np.asarray(asnumpy(target)), np.asarray(asnumpy(output))
    index = min(max(index, 0), target.shape[2] - 1)
    t, s = target[..., index], output[..., index]
    level = float(np.abs(t).max(initial=0.0))
    if not math.isfinite(level) or level <= 0:
        level = float(np.abs(s).max(initial=0.0)) or 1.0
    return Preview(s, t, s - t, level, index)


def slow_weights_note(update: LearnUpdate) -> str | None:
    """A note for a run whose maps already nearly match the teacher's while its weights are
    still far from them.

    Parameters
    ----------
    update : LearnUpdate
        Its ``steps``, ``distance`` and ``history`` (the running mean, column 2) are read.

    Returns
    -------
    str or None
        The note, with the loss's fall and the distance; None before 300 steps, while
        the running mean has fallen less than 100×, or once the weights are within 10 %.

    On the demo (flat colours, a few edge directions) some weights hardly change the maps,
    so they learn slowly: the starting bank learned from random weights measured loss
    2.25 → 0.00026 with the weights still 35 % away after 1,500 steps, and 5 % after
    6,000; on the texture sample 6 % after 1,500. A student who sees the loss flat and
    the distance stuck needs to know it is the picture, not a broken run.
    """
    history = update.history
    if update.steps < 300 or len(history) < 2 or not math.isfinite(update.distance) or update.distance < 0.10:
        return None
    first, now = float(history[0, 2]), float(history[-1, 2])
    if not (math.isfinite(first) and math.isfinite(now)) or now <= 0 or first < 100 * now:
        return None
    return (f"The maps nearly match (the loss fell {first / now:,.0f}×) but the weights are still "
            f"{update.distance:.0%} from the teacher's: on this picture some weights hardly change the maps, "
            "so they learn slowly. Let it run, or learn on a busier picture (Samples ▸ texture).")
