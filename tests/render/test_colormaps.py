"""Colour tables: 256 read-only RGB entries interpolated between anchors."""

from __future__ import annotations

import numpy as np
import pytest

from playground.render.colormaps import DIVERGING, GRAY, SEQUENTIAL, colorize, lut

TABLES = {"diverging": DIVERGING, "sequential": SEQUENTIAL, "gray": GRAY}


@pytest.mark.parametrize("anchors", TABLES.values(), ids=TABLES.keys())
def test_lut_is_256_rgb_uint8_read_only(anchors):
    table = lut(anchors)
    assert table.shape == (256, 3)
    assert table.dtype == np.uint8
    assert not table.flags.writeable
    with pytest.raises(ValueError):
        table[0, 0] = 1


@pytest.mark.parametrize("anchors", TABLES.values(), ids=TABLES.keys())
def test_lut_ends_equal_the_end_anchors(anchors):
    table = lut(anchors)
    assert tuple(table[0]) == anchors[0][1]
    assert tuple(table[-1]) == anchors[-1][1]


def test_gray_is_the_identity_ramp():
    table = lut(GRAY)
    np.testing.assert_array_equal(table, np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1))


def test_default_is_diverging():
    np.testing.assert_array_equal(lut(), lut(DIVERGING))


def test_diverging_middle_is_dark_and_ends_bright():
    table = lut(DIVERGING).astype(int)
    middle = table[127:129]
    assert (middle.sum(axis=1) < 60).all(), middle
    # near-black anchor at 0.5 lies between entries 127 and 128
    np.testing.assert_allclose(middle.mean(axis=0), DIVERGING[3][1], atol=6)
    assert table[0].sum() > 300 and table[-1].sum() > 300
    # the middle is the darkest part of the table
    assert table.sum(axis=1).argmin() in (126, 127, 128, 129)


def test_diverging_sides_differ_in_hue():
    table = lut(DIVERGING).astype(int)
    assert table[20, 2] > table[20, 0]     # negative side blue
    assert table[235, 0] > table[235, 2]   # positive side red/orange


def test_sequential_brightness_rises():
    table = lut(SEQUENTIAL).astype(int)
    brightness = table @ np.array([299, 587, 114])
    assert (np.diff(brightness) >= -200).all()  # monotone up to rounding
    assert brightness[-1] > brightness[128] > brightness[0]


def test_lut_interpolates_between_anchors():
    anchors = ((0.0, (0, 0, 0)), (1.0, (255, 0, 51)))
    table = lut(anchors)
    np.testing.assert_array_equal(table[:, 0], np.arange(256))
    np.testing.assert_array_equal(table[:, 1], 0)
    np.testing.assert_array_equal(table[:, 2], np.round(np.arange(256) * 51 / 255))


def test_lut_is_cached_per_anchor_set():
    assert lut(DIVERGING) is lut(DIVERGING)
    assert lut(DIVERGING) is not lut(SEQUENTIAL)


def test_colorize_looks_up_every_index():
    table = lut(SEQUENTIAL)
    indices = np.array([[0, 255], [128, 7]], np.uint8)
    rgb = colorize(indices, table)
    assert rgb.shape == (2, 2, 3) and rgb.dtype == np.uint8
    for (y, x), i in np.ndenumerate(indices):
        np.testing.assert_array_equal(rgb[y, x], table[i])
