"""Tiles and values from the input picture equal the full-size maps shrunk / read."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from playground.engine import conv_maps
from playground.engine.shapes import resolve_padding
from playground.render.from_input import InputTiles, whole_factors

from .cases import random_case as _case

PADDINGS = ["same", "valid", ((1, 2), (0, 3))]


def _area(map2d, tile_hw):
    return cv2.resize(np.ascontiguousarray(map2d), (tile_hw[1], tile_hw[0]), interpolation=cv2.INTER_AREA)


@pytest.mark.parametrize(("f", "stride", "dilation", "padding", "flip"), [
    (f, s, d, p, fl) for f, s, d, p, fl in itertools.product([2, 3, 5], [1, 2, 3], [1, 2], PADDINGS, [False, True])
])
def test_tiles_are_the_full_maps_area_shrunk(f, stride, dilation, padding, flip):
    x, w, b = _case(f * 100 + stride * 10 + dilation, (48, 72), f, 3)
    pads = resolve_padding(padding, (48, 72), (f, f), (stride, stride), (dilation, dilation))
    maps, contributions = conv_maps(x, w, b, stride=stride, padding=pads, dilation=dilation, flip=flip)
    h, w_out = maps.shape[:2]
    # whole factors (box filter), mixed, and sizes that do not divide (area resize)
    for tile in [(h // 2, w_out // 2), (h // 4, w_out // 4), (h // 2, w_out // 3), (max(1, round(h * 0.3)),
                                                                                    max(1, round(w_out * 0.3)))]:
        tiles = InputTiles(x, pads, (f, f), stride, dilation, (h, w_out))
        per_channel = tiles.channel_tiles(w, flip, tile)
        per_filter = tiles.filter_tiles(w, b, flip, tile)
        assert per_channel.shape == (3, 4) + tile and per_filter.shape == (4,) + tile
        for k in range(4):
            np.testing.assert_allclose(per_filter[k], _area(maps[:, :, k], tile), atol=2e-5)
            for c in range(3):
                np.testing.assert_allclose(per_channel[c, k], _area(contributions[:, :, c, k], tile), atol=2e-5)


@pytest.mark.parametrize(("f", "stride", "dilation", "padding", "flip"), [
    (f, s, d, p, fl) for f, s, d, p, fl in itertools.product([1, 2, 3, 5], [1, 2, 3], [1, 2], PADDINGS, [False, True])
] + [(3, 2, 1, ((40, 41), (50, 51)), False), (2, 3, 1, ((13, 0), (0, 17)), True), (7, 1, 1, "same", False)])
def test_tiles_by_one_strided_convolution_are_the_full_maps_area_shrunk(f, stride, dilation, padding, flip):
    """conv_tiles: the widened kernel, and the tiles that read only padding (big pads; windows
    shorter than their step, which start inside the picture) left to the bias."""
    x, w, b = _case(f * 100 + stride * 10 + dilation + 7, (48, 72), f, 3)
    pads = resolve_padding(padding, (48, 72), (f, f), (stride, stride), (dilation, dilation))
    maps, contributions = conv_maps(x, w, b, stride=stride, padding=pads, dilation=dilation, flip=flip)
    h, w_out = maps.shape[:2]
    tiles = InputTiles(x, pads, (f, f), stride, dilation, (h, w_out))
    blocks = [[s for s in range(1, n + 1) if n % s == 0] for n in (h, w_out)]   # whole-number shrinks
    for tile in {(h // blocks[0][i], w_out // blocks[1][j]) for i in (0, 1, -1) for j in (0, 1, -1)}:
        filters, channels = (a.copy() for a in tiles.conv_tiles(w, b, flip, tile, per_channel=True))
        assert filters.shape == (tile[0], 4, tile[1]) and channels.shape == (tile[0], 3, 4, tile[1])
        alone, none = tiles.conv_tiles(w, None, flip, tile, per_channel=False)
        assert none is None
        for k in range(4):
            np.testing.assert_allclose(filters[:, k], _area(maps[:, :, k], tile), atol=3e-5)
            np.testing.assert_allclose(alone[:, k] + b[k], filters[:, k], atol=3e-5)
            for c in range(3):
                np.testing.assert_allclose(channels[:, c, k], _area(contributions[:, :, c, k], tile), atol=3e-5)


def test_tiles_by_convolution_need_whole_factors():
    x, w, b = _case(1, (40, 48), 3, 3)
    with pytest.raises(ValueError, match="whole numbers"):
        InputTiles(x, ((1, 1), (1, 1)), (3, 3), 1, 1, (40, 48)).conv_tiles(w, b, False, (13, 15), per_channel=False)


@pytest.mark.parametrize("n_c", [1, 2, 5])
def test_any_number_of_input_channels(n_c):
    x, w, b = _case(n_c, (40, 48), 3, n_c)
    maps, contributions = conv_maps(x, w, b, padding="same")
    tiles = InputTiles(x, ((1, 1), (1, 1)), (3, 3), 1, 1, (40, 48))
    for tile in [(10, 12), (13, 15)]:
        per_channel = tiles.channel_tiles(w, False, tile)
        for c in range(n_c):
            np.testing.assert_allclose(per_channel[c, 2], _area(contributions[:, :, c, 2], tile), atol=2e-5)
        np.testing.assert_allclose(tiles.filter_tiles(w, b, False, tile)[1], _area(maps[:, :, 1], tile), atol=2e-5)


@pytest.mark.parametrize("stride", [1, 2])
def test_coarser_tiles_from_the_finer_blocks_means(stride):
    x, w, _ = _case(9, (96, 128), 3, 3, k=8)
    pads = resolve_padding("same", (96, 128), (3, 3), (stride, stride), (1, 1))
    _, contributions = conv_maps(x, w, stride=stride, padding=pads)
    h, w_out = contributions.shape[:2]
    tiles = InputTiles(x, pads, (3, 3), stride, 1, (h, w_out))
    derived = tiles.channel_tiles(w, False, (h // 8, w_out // 8), base=(h // 4, w_out // 4))
    direct = InputTiles(x, pads, (3, 3), stride, 1, (h, w_out)).channel_tiles(w, False, (h // 8, w_out // 8))
    np.testing.assert_allclose(derived, direct, atol=2e-6)
    np.testing.assert_allclose(derived[1, 5], _area(contributions[:, :, 1, 5], (h // 8, w_out // 8)), atol=2e-5)


def test_whole_factors():
    assert whole_factors((480, 640), (60, 80)) == (8, 8)
    assert whole_factors((480, 640), (120, 80)) == (4, 8)
    assert whole_factors((478, 638), (60, 80)) is None
    assert whole_factors((480, 640), (480, 640)) == (1, 1)


def test_paddings_of_the_same_total_do_not_share_a_stale_border():
    # ((1, 1), (1, 1)) then ((2, 0), (0, 2)): the same padded size, other borders
    rng = np.random.default_rng(8)
    x = rng.random((24, 32, 3), dtype=np.float32) + 1.0
    w = rng.standard_normal((3, 3, 3, 2)).astype(np.float32)
    for pads in (((1, 1), (1, 1)), ((2, 0), (0, 2)), ((0, 2), (2, 0))):
        _, contributions = conv_maps(x, w, stride=2, padding=pads)
        h, w_out = contributions.shape[:2]
        tile = (h // 3, w_out // 4)
        tiles = InputTiles(x, pads, (3, 3), 2, 1, (h, w_out)).channel_tiles(w, False, tile)
        for c in range(3):
            np.testing.assert_allclose(tiles[c, 1], _area(contributions[:, :, c, 1], tile), atol=2e-5)


@pytest.mark.parametrize(("stride", "shape", "pads"), [
    (2, (31, 45, 3), ((1, 1), (1, 1))), (3, (40, 29, 1), ((2, 0), (1, 3))), (2, (24, 18, 6), ((0, 0), (0, 0))),
])
def test_each_stride_phase_is_the_padded_inputs_cells_s_apart(stride, shape, pads):
    x = np.random.default_rng(stride).random(shape, dtype=np.float32)
    tiles = InputTiles(x, pads, (3, 3), stride, 1, (8, 8))
    padded = np.pad(x, (pads[0], pads[1], (0, 0)))
    for py in range(stride):
        for px in range(stride):
            np.testing.assert_array_equal(tiles._phase((py, px)), padded[py::stride, px::stride])
