"""Tiles and values from the input picture equal the full-size maps shrunk / read."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from playground.engine import conv_maps
from playground.engine.shapes import resolve_padding
from playground.render.from_input import InputTiles, values_at, whole_factors

PADDINGS = ["same", "valid", ((1, 2), (0, 3))]


def _case(seed, shape, f, n_c, k=4):
    rng = np.random.default_rng(seed)
    x = rng.random(shape + (n_c,), dtype=np.float32)
    w = rng.standard_normal((f, f, n_c, k)).astype(np.float32)
    b = rng.standard_normal(k).astype(np.float32)
    return x, w, b


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


@pytest.mark.parametrize(("stride", "dilation", "padding", "flip"), [
    (1, 1, "same", False), (2, 1, "valid", True), (3, 2, ((2, 0), (1, 3)), False), (1, 3, "same", True),
])
def test_values_at_are_the_maps_values_also_in_the_padding(stride, dilation, padding, flip):
    x, w, _ = _case(3, (31, 45), 3, 3)
    pads = resolve_padding(padding, (31, 45), (3, 3), (stride, stride), (dilation, dilation))
    _, contributions = conv_maps(x, w, stride=stride, padding=pads, dilation=dilation, flip=flip)
    h, w_out = contributions.shape[:2]
    rows = np.array([0, 0, h - 1, h - 1, h // 2, 1])
    cols = np.array([0, w_out - 1, 0, w_out - 1, w_out // 3, 2])
    got = values_at(x, w, flip, pads, stride, dilation, rows, cols)   # (n_c, n, K)
    assert got.shape == (3, 6, 4)
    np.testing.assert_allclose(got.transpose(1, 0, 2), contributions[rows, cols], atol=1e-5)


@pytest.mark.parametrize("way", ["cells", "patches"])
@pytest.mark.parametrize(("f", "stride", "dilation", "padding"), [(7, 1, 1, "same"), (5, 2, 2, ((3, 1), (0, 4)))])
def test_values_at_many_pixels_inside_and_at_the_edges(monkeypatch, way, f, stride, dilation, padding):
    from playground.render import from_input

    monkeypatch.setattr(from_input, "choose", lambda key, candidates: way)   # each way of reading, in turn
    from_input._TAP_INDEX.clear()

    x, w, _ = _case(3, (40, 52), f, 5)
    pads = resolve_padding(padding, (40, 52), (f, f), (stride, stride), (dilation, dilation))
    _, contributions = conv_maps(x, w, stride=stride, padding=pads, dilation=dilation)
    h, w_out = contributions.shape[:2]
    rng = np.random.default_rng(f)
    rows, cols = rng.integers(0, h, 400), rng.integers(0, w_out, 400)
    plan = from_input._gather_plan(x.shape, f, f, pads, stride, dilation, rows, cols)
    assert len(plan[0]) > 100 and len(plan[3]) > 20   # both ways of reading a window are used
    got = values_at(x, w, False, pads, stride, dilation, rows, cols)
    np.testing.assert_allclose(got.transpose(1, 0, 2), contributions[rows, cols], atol=1e-5)


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


def test_values_at_gathers_a_wide_deep_layer_in_bounded_blocks(monkeypatch):
    """64 channels × 11×11 taps at 6,000 pixels would gather 370 MB at once: blocks give the same values."""
    from playground.render import from_input

    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 50, 6)).astype(np.float32)
    w = rng.standard_normal((5, 5, 6, 3)).astype(np.float32)
    rows, cols = rng.integers(0, 36, 300), rng.integers(0, 46, 300)
    whole = from_input.values_at(x, w, False, ((0, 0), (0, 0)), 1, 1, rows, cols).copy()
    calls = []
    real_block = from_input._values_block

    def counted(*args, **kwargs):
        calls.append(len(args[5]))
        return real_block(*args, **kwargs)

    monkeypatch.setattr(from_input, "_MAX_GATHER", 6 * 25 * 64)  # 64 pixels a block
    monkeypatch.setattr(from_input, "_values_block", counted)
    blocked = from_input.values_at(x, w, False, ((0, 0), (0, 0)), 1, 1, rows, cols)
    assert max(calls) <= 64 and sum(calls) == 300
    np.testing.assert_allclose(blocked, whole, rtol=1e-5, atol=1e-5)


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


def test_a_choice_made_inside_the_image_holds_for_windows_all_in_the_padding():
    from playground.engine import kernel_paths

    x, w, _ = _case(4, (12, 14), 3, 3)
    pads = ((1, 1), (1, 1))
    key = ("values_at", x.shape, 3, 3, pads, 1, 1, 1)
    kernel_paths._choices[key] = "patches"   # as if measured on an inner pixel of this shape
    try:
        got = values_at(x, w, False, pads, 1, 1, np.array([0]), np.array([0]))   # the corner: partly padding
    finally:
        kernel_paths._choices.pop(key, None)
    _, contributions = conv_maps(x, w, padding=pads)
    np.testing.assert_allclose(got[:, 0], contributions[0, 0], atol=1e-5)


@pytest.mark.parametrize("read", ["cells", "patches"])
def test_level_samples_in_bands_equal_all_at_once(read):
    from playground.engine import kernel_paths
    from playground.engine.backend import backend_for
    from playground.render.levels import sample_places

    x, w, _ = _case(5, (120, 160), 7, 3, k=8)
    pads = ((3, 3), (3, 3))
    rows, cols = sample_places(120, 160)
    got = {}
    backend = backend_for([x])
    workers = backend.workers
    backend.workers = 2   # bands are offered from two threads up (a 1-core CI machine too)
    try:
        for way in ("whole", "bands"):
            kernel_paths.forced_path(way, read)
            got[way] = values_at(x, w, True, pads, 1, 1, rows, cols).copy()
    finally:
        kernel_paths.forced_path(None)
        backend.workers = workers
    np.testing.assert_allclose(got["bands"], got["whole"], rtol=1e-5, atol=1e-5)   # BLAS blocks differ
    _, contributions = conv_maps(x, w, padding=pads, flip=True)
    np.testing.assert_allclose(got["bands"], contributions[rows, cols].transpose(1, 0, 2), atol=2e-5)
