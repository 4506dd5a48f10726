"""The note for a run whose maps match before its weights do."""

from __future__ import annotations

import math

import numpy as np

from playground.kernels import starter_bank
from playground.kernels.network import Network
from playground.live.learn_state import LearnUpdate, slow_weights_note


def _update(steps: int, distance: float, first_mean: float, last_mean: float, stopped=None) -> LearnUpdate:
    means = np.geomspace(first_mean, last_mean, max(2, steps // 10))
    history = np.stack([np.linspace(1, steps, len(means)), means, means], axis=1)
    return LearnUpdate(1, steps, float(means[-1]), distance, history, Network.single(starter_bank()), (), (0,),
                       True, stopped)


def test_maps_that_match_before_the_weights_get_a_note_with_the_figures():
    # the demo's figures: loss 2.25 → 0.00026, weights 35 % away after 1,500 steps
    note = slow_weights_note(_update(1500, 0.354, 2.25, 0.00026))
    assert note is not None
    assert "8,654×" in note and "35%" in note and "texture" in note


def test_no_note_early_when_close_or_while_the_loss_still_falls_slowly():
    assert slow_weights_note(_update(200, 0.35, 2.25, 0.00026)) is None      # too early to say
    assert slow_weights_note(_update(1500, 0.05, 2.25, 0.00026)) is None     # the weights are close
    assert slow_weights_note(_update(1500, 0.35, 2.25, 0.05)) is None        # the maps do not match yet
    assert slow_weights_note(_update(1500, math.nan, 2.25, 0.00026)) is None
