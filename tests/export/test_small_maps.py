"""Small maps exported enlarged with crisp pixels and their numbers; colour bars with values."""

from __future__ import annotations

import cv2
import numpy as np

from playground.export.images import color_table
from playground.export.small_maps import ENLARGED_SIDE, SMALL_MAP, colour_bar_picture, enlarge_factor, enlarge_small
from playground.render.mosaic import to_indices


def _edge_map():
    values = np.array([[0, 30, 30, 0]] * 4, np.float32)
    values[0, 0] = 2.24e-08   # float32 noise where the exact answer is 0
    rgb = color_table(True)[to_indices(values, -30.0, 30.0)]
    return values, rgb


def test_a_4x4_map_is_enlarged_with_crisp_cells():
    values, rgb = _edge_map()
    big = enlarge_small(rgb)   # no numbers asked for
    k = ENLARGED_SIDE // 4
    assert big.shape == (4 * k, 4 * k, 3)
    for row in range(4):
        for col in range(4):
            block = big[row * k:(row + 1) * k, col * k:(col + 1) * k]
            assert (block == rgb[row, col]).all()   # nearest neighbour: no blur between cells


def test_small_map_cells_carry_their_numbers_and_noise_reads_0():
    values, rgb = _edge_map()
    big = enlarge_small(rgb, values)
    k = ENLARGED_SIDE // 4
    for row, col in ((0, 0), (0, 1), (2, 3)):
        block = big[row * k:(row + 1) * k, col * k:(col + 1) * k]
        assert (block != rgb[row, col]).any(axis=2).sum() > 30   # text drawn in the cell
    # the noise cell carries the same text as a true zero: identical pixels
    zero_cell = big[:k, :k].astype(int) - rgb[0, 0]
    true_zero = big[k:2 * k, :k].astype(int) - rgb[1, 0]
    assert np.array_equal(zero_cell, true_zero)
    # "30" is wider than "0"
    ink_30 = (big[:k, k:2 * k] != rgb[0, 1]).any(axis=2).any(axis=0).sum()
    ink_0 = (big[k:2 * k, :k] != rgb[1, 0]).any(axis=2).any(axis=0).sum()
    assert ink_30 > ink_0


def test_maps_of_64_pixels_or_more_are_left_as_they_are():
    rgb = np.zeros((SMALL_MAP, 10, 3), np.uint8)
    assert enlarge_factor(rgb.shape[:2]) == 1
    assert enlarge_small(rgb, np.zeros((SMALL_MAP, 10))) is rgb


def test_colour_bar_has_the_table_and_its_values():
    bar = colour_bar_picture(True, -30.0, 30.0)
    table = color_table(True)
    row = bar[5]
    assert (row[22] == table[0]).all() and (row[-23] == table[255]).all()
    # three labels under the bar: -30, 0, 30
    text_rows = bar[bar.shape[0] // 2 + 6:]
    ink = (text_rows > 150).any(axis=2).any(axis=0)
    runs = np.flatnonzero(np.diff(ink.astype(int)) == 1)
    assert len(runs) >= 3
    assert cv2.getTextSize("-30", cv2.FONT_HERSHEY_SIMPLEX, 0.38, 1)[0][0] < bar.shape[1]
