"""The one rule for numbers drawn on cells."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import conv2d
from playground.render.numbers import format_cell, format_cells, map_scale, response_scale


@pytest.mark.parametrize("value,scale,text", [
    (2.24e-08, 30.0, "0"),          # the noise a user saw instead of 0
    (-2.24e-08, 30.0, "0"),
    (-0.0, None, "0"),
    (30.0, 30.0, "30"),             # not 30.000
    (29.9999981, 30.0, "30"),
    (-30.000002, 30.0, "-30"),
    (0.35294118, 1.0, "0.353"),
    (-12.5, 30.0, "-12.5"),
    (1234567.0, None, "1.23e6"),
    (0.000123456, None, "0.000123"),
    (1.5e-8, None, "1.5e-8"),       # without a scale nothing but 0 is noise
    (999999.0, None, "999999"),
    (float("nan"), 1.0, "nan"),
    (float("inf"), 1.0, "inf"),
    (float("-inf"), 1.0, "-inf"),
])
def test_format_cell(value, scale, text):
    assert format_cell(value, scale) == text


def test_small_values_are_not_noise_in_a_small_map():
    assert format_cell(2e-4, scale=3e-4) == "0.0002"
    assert format_cell(2e-4, scale=300.0) == "0"


def test_digits():
    assert format_cell(3.14159, 10, digits=5) == "3.1416"
    assert format_cell(3.14159, 10, digits=0) == "3"


def test_engine_noise_reads_zero_and_the_notes_numbers_read_whole():
    # weights 0.1 + 0.2 − 0.3 sum to 0 exactly, but not in float32: the engine leaves noise
    balanced = np.array([[0.1, 0.2, -0.3]] * 3, np.float32)
    flat = conv2d(np.full((6, 6), 0.7, np.float32), balanced)
    assert np.abs(flat).max() > 0  # the noise is really there
    scale = response_scale(balanced[:, :, None], 0.0, 1.0)
    assert set(format_cells(flat, scale).ravel()) == {"0"}
    # the notes' edge at [0, 1] and at raw 0–255 (30/255 = 0.1176…, ×3 rows)
    img = np.zeros((6, 6), np.float32)
    img[:, :3] = np.float32(30 / 255)
    edge = np.array([[1, 0, -1]] * 3, np.float32)
    assert format_cells(conv2d(img, edge))[0].tolist() == ["0", "0.353", "0.353", "0"]
    assert format_cells(conv2d(img * np.float32(255), edge))[0].tolist() == ["0", "90", "90", "0"]


def test_scales():
    assert map_scale(np.array([[1.0, -7.0], [np.nan, 3.0]])) == 7.0
    assert map_scale(np.array([np.nan])) == 0.0
    edge = np.array([[1, 0, -1]] * 3, np.float32)[:, :, None]
    assert response_scale(edge, 0.5, 255.0) == pytest.approx(6 * 255 + 0.5)
    bank = np.stack([edge, 2 * edge], axis=-1)
    assert response_scale(bank, np.array([1.0, -3.0]), 1.0) == pytest.approx(15.0)
