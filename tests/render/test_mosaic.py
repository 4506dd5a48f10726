"""Mosaics: grid layout geometry, tile look-up, scaling maps to colour indices and
drawing them into a reused 8-bit picture."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from playground.render.mosaic import MosaicCanvas, MosaicLayout, grid_layout, to_indices

# ------------------------------------------------------------------ grid_layout


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 13, 24, 32])
@pytest.mark.parametrize("tile", [(60, 80), (100, 50), (7, 7)])
def test_grid_layout_holds_every_tile_with_few_empty_cells(count, tile):
    layout = grid_layout(count, tile)
    assert layout.count == count
    assert (layout.tile_h, layout.tile_w) == tile
    assert layout.rows * layout.cols >= count
    assert (layout.rows - 1) * layout.cols < count  # no empty row
    assert layout.cols <= count


def test_grid_layout_aims_at_the_aspect():
    wide = grid_layout(16, (10, 10), aspect=4.0)
    tall = grid_layout(16, (10, 10), aspect=0.25)
    assert wide.cols > wide.rows
    assert tall.rows > tall.cols
    square = grid_layout(16, (10, 10), aspect=1.0)
    assert (square.rows, square.cols) == (4, 4)


@pytest.mark.parametrize(("count", "cols", "rows"), [(24, 8, 3), (6, 3, 2), (7, 3, 3), (3, 3, 1), (2, 5, 1)])
def test_grid_layout_with_fixed_cols(count, cols, rows):
    layout = grid_layout(count, (20, 30), cols=cols)
    assert layout.cols == min(cols, count)
    assert layout.rows == rows


def test_grid_layout_of_zero_tiles_is_one_cell():
    layout = grid_layout(0, (5, 6))
    assert (layout.count, layout.rows, layout.cols) == (1, 1, 1)


def test_layout_shape_includes_gaps_between_tiles_only():
    layout = MosaicLayout(count=5, tile_h=10, tile_w=20, rows=2, cols=3, gap=4)
    assert layout.shape == (2 * 10 + 4, 3 * 20 + 2 * 4)
    assert MosaicLayout(1, 10, 20, 1, 1, gap=4).shape == (10, 20)
    assert grid_layout(6, (10, 20), cols=3, gap=5).shape == (25, 70)


def test_layout_origin():
    layout = MosaicLayout(count=5, tile_h=10, tile_w=20, rows=2, cols=3, gap=4)
    assert [layout.origin(i) for i in range(5)] == [(0, 0), (0, 24), (0, 48), (14, 0), (14, 24)]


@pytest.mark.parametrize("layout", [
    MosaicLayout(count=5, tile_h=10, tile_w=20, rows=2, cols=3, gap=4),
    MosaicLayout(count=7, tile_h=3, tile_w=5, rows=3, cols=3, gap=1),
    MosaicLayout(count=4, tile_h=8, tile_w=8, rows=1, cols=4, gap=0),
])
def test_tile_at_every_pixel_of_every_tile(layout):
    for index in range(layout.count):
        y0, x0 = layout.origin(index)
        for dy in range(layout.tile_h):
            for dx in range(layout.tile_w):
                assert layout.tile_at(y0 + dy, x0 + dx) == (index, dy, dx)
        # a fractional position inside the pixel is the same pixel
        assert layout.tile_at(y0 + layout.tile_h / 2 + 0.4, x0 + 0.7) == (index, layout.tile_h // 2, 0)


def test_tile_at_tile_centres():
    layout = grid_layout(13, (30, 40), gap=6)
    for index in range(13):
        y, x = layout.origin(index)
        assert layout.tile_at(y + 15, x + 20) == (index, 15, 20)


def test_tile_at_gap_pixels_is_none():
    layout = MosaicLayout(count=6, tile_h=10, tile_w=20, rows=2, cols=3, gap=4)
    height, width = layout.shape
    gap_rows = list(range(10, 14))
    gap_cols = list(range(20, 24)) + list(range(44, 48))
    for y in gap_rows:
        for x in range(width):
            assert layout.tile_at(y, x) is None, (y, x)
    for x in gap_cols:
        for y in range(height):
            assert layout.tile_at(y, x) is None, (y, x)
    # every pixel is either in exactly one tile or a gap
    hits = sum(layout.tile_at(y, x) is not None for y in range(height) for x in range(width))
    assert hits == 6 * 10 * 20


def test_tile_at_empty_cells_is_none():
    layout = MosaicLayout(count=4, tile_h=10, tile_w=10, rows=2, cols=3, gap=2)
    y, x = layout.origin(5)  # cells 4 and 5 hold no tile
    assert layout.tile_at(y + 1, x + 1) is None
    y, x = layout.origin(4)
    assert layout.tile_at(y, x) is None


@pytest.mark.parametrize("point", [(-1, 0), (0, -1), (-0.5, 3), (3, -0.01), (24, 0), (0, 68), (100, 100)])
def test_tile_at_outside_is_none(point):
    layout = MosaicLayout(count=6, tile_h=10, tile_w=20, rows=2, cols=3, gap=4)
    assert layout.shape == (24, 68)
    assert layout.tile_at(*point) is None


def test_tile_at_last_pixel_is_inside():
    layout = MosaicLayout(count=6, tile_h=10, tile_w=20, rows=2, cols=3, gap=4)
    assert layout.tile_at(23, 67) == (5, 9, 19)
    assert layout.tile_at(23.99, 67.99) == (5, 9, 19)


# -------------------------------------------------------------------- to_indices

def _expected_indices(map2d, low, high):
    return np.clip(np.round((np.asarray(map2d, np.float64) - low) * 255.0 / (high - low)), 0, 255).astype(np.uint8)


def _close(got, expected):
    assert got.dtype == np.uint8
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1


def test_to_indices_low_high_and_clipping():
    map2d = np.array([[-3.0, -1.0, 0.0, 1.0, 3.0, 2.0]], np.float32)
    got = to_indices(map2d, -1.0, 1.0)
    assert got.shape == (1, 6) and got.dtype == np.uint8
    assert got[0, 1] == 0 and got[0, 3] == 255
    assert got[0, 0] == 0 and got[0, 4] == 255 and got[0, 5] == 255  # clipped, not wrapped
    assert got[0, 2] in (127, 128)


def test_to_indices_linear_in_between():
    map2d = np.linspace(2.0, 10.0, 500, dtype=np.float32).reshape(20, 25)
    got = to_indices(map2d, 2.0, 10.0)
    _close(got, _expected_indices(map2d, 2.0, 10.0))
    assert got.min() == 0 and got.max() == 255
    assert (np.diff(got.ravel().astype(int)) >= 0).all()


def test_to_indices_random_data():
    map2d = np.random.default_rng(0).standard_normal((31, 47)).astype(np.float32) * 4
    _close(to_indices(map2d, -3.0, 5.0), _expected_indices(map2d, -3.0, 5.0))


def test_to_indices_writes_into_a_strided_view_of_a_bigger_array():
    big = np.full((40, 50), 7, np.uint8)
    map2d = np.random.default_rng(1).uniform(-1, 1, (12, 20)).astype(np.float32)
    view = big[5:17, 10:30]
    result = to_indices(map2d, -1.0, 1.0, out=view)
    _close(big[5:17, 10:30], _expected_indices(map2d, -1.0, 1.0))
    assert np.shares_memory(result, big)
    untouched = big.copy()
    untouched[5:17, 10:30] = 7
    assert (untouched == 7).all()  # nothing outside the view changed


def test_to_indices_reads_non_contiguous_map_views():
    h, k, w = 15, 4, 22
    planar = np.empty((h, k, w), np.float32)
    planar[...] = np.random.default_rng(2).uniform(-2, 2, planar.shape)
    maps = planar.transpose(0, 2, 1)  # (h, w, K) view, as the engine returns
    for i in range(k):
        view = maps[:, :, i]
        assert not view.flags.c_contiguous
        _close(to_indices(view, -2.0, 2.0), _expected_indices(planar[:, i, :], -2.0, 2.0))


def test_to_indices_reads_column_strided_views():
    stack = np.random.default_rng(3).uniform(0, 1, (9, 13, 3)).astype(np.float32)
    view = stack[:, :, 1]  # columns 12 bytes apart
    out = np.zeros((9, 13), np.uint8)
    to_indices(view, 0.0, 1.0, out=out)
    _close(out, _expected_indices(stack[:, :, 1], 0.0, 1.0))


def test_to_indices_non_contiguous_map_into_a_mosaic_view():
    planar = np.random.default_rng(4).uniform(-1, 1, (10, 3, 12)).astype(np.float32)
    big = np.zeros((30, 40), np.uint8)
    to_indices(planar.transpose(0, 2, 1)[:, :, 2], -1.0, 1.0, out=big[10:20, 20:32])
    _close(big[10:20, 20:32], _expected_indices(planar[:, 2, :], -1.0, 1.0))
    assert big[:10].max() == 0 and big[20:].max() == 0 and big[:, :20].max() == 0 and big[:, 32:].max() == 0


# ------------------------------------------------------------------ MosaicCanvas

def test_canvas_starts_filled_with_the_background():
    layout = grid_layout(5, (6, 8), gap=3)
    canvas = MosaicCanvas(layout, background=128)
    assert canvas.pixels.shape == layout.shape and canvas.pixels.dtype == np.uint8
    assert (canvas.pixels == 128).all()


def test_canvas_draw_places_each_tile_at_its_origin():
    layout = MosaicLayout(count=5, tile_h=6, tile_w=8, rows=2, cols=3, gap=3)
    canvas = MosaicCanvas(layout, background=128)
    rng = np.random.default_rng(5)
    maps = [rng.uniform(-1, 1, (6, 8)).astype(np.float32) for _ in range(5)]
    for i, m in enumerate(maps):
        canvas.draw(i, m, -1.0, 1.0)
    expected = np.full(layout.shape, 128, np.uint8)
    for i, m in enumerate(maps):
        y, x = layout.origin(i)
        expected[y:y + 6, x:x + 8] = _expected_indices(m, -1.0, 1.0)
    assert np.abs(canvas.pixels.astype(int) - expected.astype(int)).max() <= 1
    # gaps and the empty cell keep the background exactly
    for y in range(layout.shape[0]):
        for x in range(layout.shape[1]):
            if layout.tile_at(y, x) is None:
                assert canvas.pixels[y, x] == 128


def test_canvas_draw_uses_each_tiles_own_levels():
    layout = MosaicLayout(count=2, tile_h=4, tile_w=4, rows=1, cols=2, gap=2)
    canvas = MosaicCanvas(layout)
    m = np.full((4, 4), 5.0, np.float32)
    canvas.draw(0, m, 0.0, 10.0)
    canvas.draw(1, m, 5.0, 6.0)
    assert set(np.unique(canvas.pixels[:, :4])) <= {127, 128}
    assert (canvas.pixels[:, 6:] == 0).all()


def test_canvas_draw_shrinks_a_bigger_map_by_area_averaging():
    layout = MosaicLayout(count=2, tile_h=10, tile_w=15, rows=1, cols=2, gap=4)
    canvas = MosaicCanvas(layout)
    rng = np.random.default_rng(6)
    big = rng.uniform(0, 1, (20, 30)).astype(np.float32)
    canvas.draw(1, big, 0.0, 1.0)
    small = cv2.resize(big, (15, 10), interpolation=cv2.INTER_AREA)
    # INTER_AREA at exactly 2×: the mean of each 2×2 block
    np.testing.assert_allclose(small, big.reshape(10, 2, 15, 2).mean(axis=(1, 3)), atol=1e-6)
    y, x = layout.origin(1)
    np.testing.assert_array_equal(canvas.pixels[y:y + 10, x:x + 15], to_indices(small, 0.0, 1.0))
    assert (canvas.pixels[:, :15] == 0).all()  # tile 0 untouched


def test_canvas_draw_shrinks_a_strided_map_view():
    layout = MosaicLayout(count=1, tile_h=7, tile_w=9, rows=1, cols=1, gap=2)
    canvas = MosaicCanvas(layout)
    planar = np.random.default_rng(7).uniform(-1, 1, (21, 3, 27)).astype(np.float32)
    view = planar.transpose(0, 2, 1)[:, :, 1]
    canvas.draw(0, view, -1.0, 1.0)
    small = cv2.resize(np.ascontiguousarray(view), (9, 7), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(canvas.pixels, to_indices(small, -1.0, 1.0))


def test_canvas_redraw_replaces_the_tile():
    layout = MosaicLayout(count=1, tile_h=5, tile_w=5, rows=1, cols=1, gap=2)
    canvas = MosaicCanvas(layout)
    canvas.draw(0, np.full((10, 10), 1.0, np.float32), 0.0, 1.0)
    assert (canvas.pixels == 255).all()
    canvas.draw(0, np.zeros((10, 10), np.float32), 0.0, 1.0)
    assert (canvas.pixels == 0).all()
