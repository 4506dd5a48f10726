"""A matrix source of other channel counts as the network's input: the notes' 6×6×32 → 6×6×5 1×1 example."""

from __future__ import annotations

import numpy as np
import pytest
from window_helpers import WAIT_MS

from playground.sources.notes_examples import notes_example

pytestmark = pytest.mark.qt


def test_one_by_one_32_to_5_from_the_menu_gives_the_notes_maps(qtbot, window, tmp_path):
    win = window
    win.number_tools.matrices.folder = tmp_path
    example = notes_example("one_by_one_32_to_5")
    action = next(a for a in win.number_tools.matrices.examples_menu.actions() if a.text() == example.name)
    names = tuple(f"neuron {k + 1}" for k in range(5))
    action.trigger()

    def shown() -> bool:
        frame = win.last_frame
        return (frame is not None and frame.error is None and frame.frame.shape == (6, 6, 32)
                and frame.snapshot.bank.names() == names and "filters" in frame.views)

    qtbot.waitUntil(shown, timeout=WAIT_MS)
    frame = win.last_frame
    assert frame.snapshot.network.input_channels == 32 and win.snapshot.bank.channels == 32
    maps = np.asarray(frame.views["filters"].values)
    assert maps.shape == (6, 6, 5)
    np.testing.assert_allclose(maps, example.expected, rtol=1e-5, atol=1e-4)
    # the input drawn as a picture (its first channel, gray); the channels named C1…C32
    assert frame.input_rgb.shape == (6, 6, 3) and frame.input_rgb.dtype == np.uint8
    assert win.snapshot.layer.padding == "valid" and win.snapshot.layer.activation == "relu"
    if "channels" in frame.views:
        assert frame.views["channels"].titles[0] == "neuron 1 · C1"
    assert "cannot use" not in win.message_bar.text.text()
