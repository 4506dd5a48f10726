"""The inspector's lines of text: the notes' arithmetic with this cell's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine.layer import LayerSettings, PoolSettings
from playground.render.inspector import explain_conv_cell, explain_pool_cell
from playground.render.inspector_text import conv_cell_lines, pool_cell_lines

EDGE = np.array([[1, 0, -1]] * 3, np.float32)[:, :, None, None]


def _bright_left():
    x = np.zeros((6, 6, 1), np.float32)
    x[:, :3] = 10
    return x


def test_the_notes_edge_cell_written_out():
    cell = explain_conv_cell(_bright_left(), EDGE, None, LayerSettings(padding="valid", activation="relu"), 0, 1, 0)
    lines = conv_cell_lines(cell, ["gray"])
    assert lines[0] == "cell (0, 1) of filter 1: 3×3 window at input rows 0–2, columns 1–3"
    assert "cross-correlation" in lines[1]
    assert lines[2] == "gray: " + " + ".join(["10·1 + 10·0 + 0·(-1)"] * 3) + " = 30"
    assert lines[3:] == ("z = Σ + b = 30 + 0 = 30", "a = ReLU(z) = max(z, 0) = 30")


def test_padding_flip_bias_noise_and_big_kernels():
    x = np.full((4, 4, 2), 0.7, np.float32)
    w = np.zeros((3, 3, 2, 1), np.float32)
    w[:, :, 0, 0] = [[0.1, 0.2, -0.3]] * 3  # sums to float32 noise, not 0
    cell = explain_conv_cell(x, w, np.array([-1.5], np.float32),
                             LayerSettings(padding=1, flip=True, activation="abs"), 1, 1, 0)
    lines = conv_cell_lines(cell, ["R", "G"])
    assert "flipped 180°" in lines[1]
    assert lines[2].endswith("= 0") and lines[3].endswith("= 0")
    assert lines[4] == "z = Σ + b = 0 + (-1.5) = -1.5" and lines[5] == "a = |z| = 1.5"
    corner = conv_cell_lines(explain_conv_cell(x, w, None, LayerSettings(padding=1, dilation=2), 0, 0, 0))
    assert "every 2 (dilation)" in corner[0] and "taps on padding zeros" in corner[0]
    assert corner[2].startswith("channel 1: ")
    big = explain_conv_cell(x, np.ones((5, 5, 2, 1), np.float32), None, LayerSettings(padding="same"), 2, 2, 0)
    assert conv_cell_lines(big)[2] == "channel 1: Σ of 25 products = 11.2"  # 4×4 real cells × 0.7
    with pytest.raises(ValueError, match="2 channel names"):
        conv_cell_lines(big, ["gray"])


def test_pool_lines():
    maps = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], np.float32)[:, :, None]
    assert pool_cell_lines(explain_pool_cell(maps, PoolSettings("max", 2, 2), 1, 1, 0)) == (
        "pooled cell (1, 1) of filter 1: 2×2 window at map rows 2–3, columns 2–3",
        "max(2, 3, 1, 2) = 3, at map row 2, column 3")
    assert pool_cell_lines(explain_pool_cell(maps, PoolSettings("avg", 2, 2), 0, 0, 0))[1] == \
        "mean(1, 3, 2, 9) = 3.75"


def test_window_noise_reads_0_when_every_product_is_0():
    """A deeper layer's window holds float32 leftovers (1.8e-7 where a map is 0); with a kernel
    that makes every product 0, they are judged against the window's own size, not the zero sum."""
    import numpy as np

    from playground.engine.layer import LayerSettings
    from playground.render.inspector import explain_conv_cell
    from playground.render.inspector_text import conv_cell_lines

    x = np.zeros((3, 3, 2), np.float32)
    x[:, :, 0] = 2.3
    x[1, 1, 1] = 1.79e-7
    w = np.zeros((3, 3, 2, 1), np.float32)
    lines = conv_cell_lines(explain_conv_cell(x, w, None, LayerSettings(padding="valid"), 0, 0, 0))
    assert "e-7" not in " ".join(lines)
    assert lines[2].startswith("channel 1: 2.3·0 + ")
    assert lines[3] == "channel 2: " + " + ".join(["0·0"] * 9) + " = 0"
