"""Compute what is shown: the fast path's mosaics and levels equal the full-size path's
(full maps → levels → area shrink → 8 bits) within one colour index, and full-size
maps are only computed when read."""

from __future__ import annotations

import dataclasses
import itertools

import cv2
import numpy as np
import pytest

from playground.engine import kernel_paths
from playground.engine.layer import LayerSettings, PoolSettings, run_layer
from playground.live.on_demand import OnDemandArray
from playground.live.processor import FrameProcessor
from playground.live.snapshot import Snapshot, ViewSettings
from playground.render.levels import LevelPolicy, map_levels, noise_floors
from playground.render.mosaic import to_indices
from playground.sources.demo import demo_frame

FITS = (("filters", 0.25, 1.3), ("channels", 0.125, 1.9), ("pooled", 0.5, 1.3))


def _reference(frame, snapshot, key):
    """The full-size path: every map at full size, levels from them, INTER_AREA to the tile."""
    bank, layer = snapshot.bank, snapshot.layer
    out = run_layer(frame, bank.weights(), bank.biases(), layer, per_channel=True)
    floor_k, floor_ck = noise_floors(bank.weights(), bank.biases())
    signed = layer.activation == "none"
    if key == "filters":
        maps, floors = np.asarray(out.maps), floor_k
    elif key == "channels":
        maps, floors, signed = np.asarray(out.contributions), floor_ck, True
    else:
        maps, floors = np.asarray(out.pooled), floor_k
    h, w = maps.shape[:2]
    maps = maps.reshape(h, w, -1)
    planar = np.ascontiguousarray(maps.transpose(0, 2, 1))
    return maps, map_levels(planar, snapshot.view.levels, signed, floors)


def _check_view(frame, snapshot, result, key):
    view = result.views[key]
    maps, levels = _reference(frame, snapshot, key)
    # a percentile level is the top edge of a 1/1023 bin: a value at the rank that sits
    # on a bin edge may fall into the next bin when summed in another order
    np.testing.assert_allclose(view.levels, levels, rtol=3e-3, atol=1e-7)
    layout = view.layout
    for index in range(layout.count):
        tile = cv2.resize(np.ascontiguousarray(maps[:, :, index]), (layout.tile_w, layout.tile_h),
                          interpolation=cv2.INTER_AREA)
        expected = to_indices(tile, levels[index, 0], levels[index, 1]).astype(int)
        y, x = layout.origin(index)
        drawn = view.pixels[y:y + layout.tile_h, x:x + layout.tile_w].astype(int)
        assert np.abs(drawn - expected).max() <= 1, (key, index)


SETTINGS = [
    dict(padding=p, stride=s, dilation=d, flip=fl)
    for p, s, d, fl in itertools.product(["same", "valid", ((1, 2), (0, 1))], [1, 2], [1, 2], [False, True])
]


@pytest.fixture
def ways():
    """Force the fast path's measured choices (tiles by taps or by convolution, level
    samples at once or in bands), so each is tested whatever this machine measures."""
    yield kernel_paths.forced_path
    kernel_paths.forced_path(None)


@pytest.mark.parametrize("layer", SETTINGS, ids=lambda s: "-".join(str(v) for v in s.values()))
@pytest.mark.parametrize("policy", [LevelPolicy(), LevelPolicy("fixed", fixed=0.5), LevelPolicy(percentile=90.0,
                                                                                                shared=True)],
                         ids=["p99", "fixed", "shared90"])
@pytest.mark.parametrize("forced", [("taps", "whole"), ("conv", "bands")], ids=["taps", "conv"])
def test_fast_mosaics_equal_the_full_size_path(layer, policy, forced, ways):
    # 96×128: stride 2 gives 48×64 maps (valid: 47×63), so some shapes shrink by whole
    # factors (box filter), others (47 rows to 12) by area weights (resizes)
    ways(*forced)
    frame = demo_frame(96, 128, 0.7)
    snapshot = Snapshot(layer=LayerSettings(**layer), view=ViewSettings(levels=policy, fits=FITS))
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    assert isinstance(result.views["channels"].values, OnDemandArray)
    for key in ("filters", "channels"):
        _check_view(frame, snapshot, result, key)


def test_the_default_view_computes_no_full_size_map():
    frame = demo_frame(96, 128, 0.3)
    snapshot = Snapshot(view=ViewSettings(fits=FITS))
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    filters, channels = result.views["filters"], result.views["channels"]
    for values in (filters.values, channels.values, result.output.maps, result.output.contributions):
        assert isinstance(values, OnDemandArray) and not values.computed
    assert filters.values.shape == (96, 128, 8) and channels.values.shape == (96, 128, 3, 8)
    # a hover read-out is one pixel's value, still without the full maps
    expected = run_layer(frame, snapshot.bank.weights(), snapshot.bank.biases(), snapshot.layer)
    assert filters.value_at(3, 40, 0) == pytest.approx(float(expected.maps[40, 0, 3]), abs=1e-5)
    assert channels.value_at(9, 95, 127) == pytest.approx(float(expected.contributions[95, 127, 1, 1]), abs=1e-5)
    assert not filters.values.computed and not channels.values.computed
    # reading the maps (export, inspector) computes them, once, for both views
    np.testing.assert_allclose(np.asarray(filters.values), expected.maps, atol=1e-5)
    assert channels.values.computed
    np.testing.assert_allclose(channels.values[:, :, 2, 5], expected.contributions[:, :, 2, 5], atol=1e-5)
    _check_view(frame, snapshot, result, "filters")
    _check_view(frame, snapshot, result, "channels")


@pytest.mark.parametrize("activation", ["relu", "abs"])
@pytest.mark.parametrize("pool", [None, PoolSettings("max", 2, 2), PoolSettings("avg", 3, 2)])
def test_nonlinear_layers_draw_filters_from_full_maps_and_channels_from_the_input(activation, pool):
    frame = demo_frame(96, 128, 1.1)
    snapshot = Snapshot(layer=LayerSettings(activation=activation, pool=pool), view=ViewSettings(fits=FITS))
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    assert not isinstance(result.views["filters"].values, OnDemandArray)       # ReLU/abs: full maps
    assert isinstance(result.views["channels"].values, OnDemandArray)          # pre-activation: linear
    keys = ("filters", "channels", "pooled") if pool else ("filters", "channels")
    assert set(result.views) == set(keys)
    for key in keys:
        _check_view(frame, snapshot, result, key)


@pytest.mark.parametrize(("shape", "scale"), [((90, 122), 0.3), ((91, 123), 0.25), ((97, 130), 0.125)])
def test_sizes_that_do_not_shrink_by_whole_numbers_take_the_fast_path_too(shape, scale):
    frame = demo_frame(*shape, 0.2)
    for layer in (LayerSettings(), LayerSettings(padding="valid", stride=2, dilation=2, flip=True)):
        snapshot = Snapshot(layer=layer, view=ViewSettings(display_scale=scale))
        result = FrameProcessor().process(frame, snapshot, smooth=False)
        assert isinstance(result.views["filters"].values, OnDemandArray)
        for key in ("filters", "channels"):
            _check_view(frame, snapshot, result, key)


def test_full_scale_takes_the_full_size_path():
    frame = demo_frame(48, 64, 0.2)
    snapshot = Snapshot(view=ViewSettings(display_scale=1.0))
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    assert not isinstance(result.views["filters"].values, OnDemandArray)
    for key in ("filters", "channels"):
        _check_view(frame, snapshot, result, key)


def test_min_max_levels_take_the_full_size_path():
    frame = demo_frame(96, 128, 0.5)
    snapshot = Snapshot(view=ViewSettings(levels=LevelPolicy("minmax"), fits=FITS))
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    for key in ("filters", "channels"):
        _check_view(frame, snapshot, result, key)


@pytest.mark.parametrize(("tile_f", "tile_c"), [((24, 32), None), (None, (12, 16)), ((24, 32), (16, 32)),
                                               ((48, 64), (12, 16))])
def test_tiles_by_convolution_equal_tiles_by_taps_for_every_pair_of_views(tile_f, tile_c):
    """One view, two views that do not nest (two convolutions), two that do (one)."""
    from playground.engine.shapes import resolve_padding
    from playground.live import shown
    from playground.render.from_input import InputTiles

    frame = demo_frame(96, 128, 0.2)
    w = np.random.default_rng(3).standard_normal((5, 5, 3, 4)).astype(np.float32)
    b = np.arange(4, dtype=np.float32) - 1.5
    pads = resolve_padding("same", (96, 128), (5, 5), (1, 1), (1, 1))

    def tiles():
        return InputTiles(frame, pads, (5, 5), 1, 1, (96, 128))

    by_conv = shown._tiles_by_conv(tiles(), w, b, True, tile_f, tile_c)
    by_conv = [None if view is None else [np.array(t) for t in view] for view in by_conv]
    by_taps = shown._tiles_by_taps(tiles(), w, b, True, tile_f, tile_c)
    for conv_view, taps_view, tile in zip(by_conv, by_taps, (tile_f, tile_c), strict=True):
        assert (conv_view is None) == (tile is None) == (taps_view is None)
        if tile is not None:
            assert len(conv_view) == len(taps_view) and conv_view[0].shape == tile
            for got, expected in zip(conv_view, taps_view, strict=True):
                np.testing.assert_allclose(got, expected, atol=3e-5)


def test_tiles_go_beside_from_a_shapes_second_frame_and_a_failure_is_waited_for(ways):
    from concurrent.futures import Future, ThreadPoolExecutor

    from playground.kernels.spec import parse_spec
    from playground.live import shown

    frame = demo_frame(88, 120, 0.5)   # a size no other test uses: its ways are not yet measured
    snapshot = Snapshot(network=parse_spec("88x120x3 conv:f=5,k=8,p=same"), selected=0, view=ViewSettings(fits=FITS))
    for key in [k for k in kernel_paths._choices if k[:2] == ("shown tiles", frame.shape)]:
        del kernel_paths._choices[key]
    started: list[Future] = []
    with ThreadPoolExecutor(1) as helper:
        def beside(fn, *args):
            started.append(helper.submit(fn, *args))
            return started[-1]

        first = shown.compute_shown(frame, snapshot, beside=beside)
        assert not started          # the first frame measures the ways here, one after the other
        second = shown.compute_shown(frame, snapshot, beside=beside)
        assert len(started) == 1 and started[0].done()
        for a, c in zip(first.filters.tiles + first.channels.tiles, second.filters.tiles + second.channels.tiles,
                        strict=True):
            np.testing.assert_allclose(np.array(c), np.array(a), atol=3e-5)

        def failing(fn, *args):   # the tiles fail on the second thread: the error reaches the caller
            def boom():
                raise ValueError("tiles failed")
            started.append(helper.submit(boom))
            return started[-1]

        with pytest.raises(ValueError, match="tiles failed"):
            shown.compute_shown(frame, snapshot, beside=failing)
        assert started[-1].done()


def test_per_channel_off_leaves_no_contributions():
    frame = demo_frame(96, 128)
    snapshot = Snapshot(view=ViewSettings(per_channel=False, fits=FITS))
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    assert set(result.views) == {"filters"} and result.output.contributions is None
    _check_view(frame, snapshot, result, "filters")
    full = dataclasses.replace(snapshot, view=ViewSettings(per_channel=False))
    assert FrameProcessor().process(frame, full, smooth=False).output.contributions is None


def test_the_8_bit_input_reuses_a_released_buffer_and_never_a_held_one():
    # a fresh 0.9 MB picture per frame went back to the OS and page-faulted in again
    processor = FrameProcessor()
    frame = demo_frame(96, 128, 0.4)
    first = processor.process(frame, Snapshot(view=ViewSettings(fits=FITS)), smooth=False)
    held = first.input_rgb
    kept = held.copy()
    second = processor.process(demo_frame(96, 128, 0.9), Snapshot(view=ViewSettings(fits=FITS)), smooth=False)
    assert not np.shares_memory(second.input_rgb, held)
    np.testing.assert_array_equal(held, kept)
    address = second.input_rgb.__array_interface__["data"][0]
    del second
    third = processor.process(frame, Snapshot(view=ViewSettings(fits=FITS)), smooth=False)
    assert third.input_rgb.__array_interface__["data"][0] == address
    np.testing.assert_array_equal(third.input_rgb, kept)


def test_relu_keeps_the_levels_of_mostly_zero_maps_as_without_it():
    """After ReLU the demo's thin edge maps took their maximum as the level (6.8 against
    1.6 without ReLU) and all but vanished in the tiles; maps that are not mostly zero
    keep their own percentile."""
    frame = demo_frame(480, 640, 0.3)   # (at this size its edge maps are zero at > 99 % of pixels)
    levels = {}
    for activation in ("none", "relu"):
        snapshot = Snapshot(view=ViewSettings(fits=FITS))
        snapshot = dataclasses.replace(snapshot, layer=dataclasses.replace(snapshot.layer, activation=activation))
        result = FrameProcessor().process(frame, snapshot, smooth=False)
        levels[activation] = result.views["filters"].levels[:, 1]
        maps = np.asarray(result.output.maps)
    bank = Snapshot().bank
    planar = np.ascontiguousarray(maps.transpose(0, 2, 1))
    floors = noise_floors(bank.weights(), bank.biases())[0]
    plain = map_levels(planar, LevelPolicy(), False, floors)[:, 1]   # the rule without the exception
    kept = map_levels(planar, LevelPolicy(), False, floors, sparse_top=levels["none"])[:, 1]
    np.testing.assert_allclose(levels["relu"], kept, rtol=1e-5)
    changed = ~np.isclose(plain, kept)
    assert changed.any() and (~changed).any()        # edge maps changed, the Emboss map kept its own
    np.testing.assert_allclose(levels["relu"][changed], levels["none"][changed], rtol=1e-5)
    assert np.all(levels["relu"][changed] < plain[changed])   # brighter, not dimmer
