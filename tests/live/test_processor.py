"""FrameProcessor: one frame → layer maps → levels → 8-bit mosaics, never raising for a
person's settings."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from playground.engine.layer import LayerSettings, PoolSettings, run_layer
from playground.kernels import Filter, FilterBank
from playground.live.processor import FrameProcessor, MapView, RenderedFrame
from playground.live.snapshot import Snapshot, ViewSettings
from playground.render.levels import LevelPolicy
from playground.render.mosaic import to_indices
from playground.sources.demo import demo_frame


@pytest.fixture(scope="module")
def frame():
    return demo_frame(120, 160)


def _snapshot(**layer) -> Snapshot:
    base = Snapshot()
    return dataclasses.replace(base, layer=LayerSettings(**layer)) if layer else base


def _small_bank(enabled=(True, True, True)) -> FilterBank:
    rng = np.random.default_rng(11)
    return FilterBank(tuple(
        Filter(f"k{i}", rng.standard_normal((3, 3, 3)), bias=0.1 * i, enabled=on) for i, on in enumerate(enabled)
    ))


def _expected_tile(view: MapView, index: int) -> np.ndarray:
    layout = view.layout
    tile = np.ascontiguousarray(view.tile(index))
    if tile.shape != (layout.tile_h, layout.tile_w):
        tile = cv2.resize(tile, (layout.tile_w, layout.tile_h), interpolation=cv2.INTER_AREA)
    return to_indices(tile, view.levels[index, 0], view.levels[index, 1])


def _tile_pixels(view: MapView, index: int) -> np.ndarray:
    y, x = view.layout.origin(index)
    return view.pixels[y:y + view.layout.tile_h, x:x + view.layout.tile_w]


# -------------------------------------------------------------------- the views

def test_default_snapshot_gives_filter_and_channel_views(frame):
    snapshot = Snapshot()
    result = FrameProcessor().process(frame, snapshot, index=7, captured_at=123.0, smooth=False)
    assert isinstance(result, RenderedFrame)
    assert result.error is None
    assert set(result.views) == {"filters", "channels"}
    assert (result.index, result.captured_at, result.snapshot) == (7, 123.0, snapshot)
    assert result.frame is frame
    k = len(snapshot.bank.active)
    filters, channels = result.views["filters"], result.views["channels"]
    assert filters.key == "filters" and channels.key == "channels"
    assert filters.values.shape == (120, 160, k)
    assert channels.values.shape == (120, 160, 3, k)
    assert filters.layout.count == k and len(filters.titles) == k and filters.levels.shape == (k, 2)
    assert channels.layout.count == 3 * k and channels.layout.cols == k
    assert filters.pixels.shape == filters.layout.shape and filters.pixels.dtype == np.uint8
    assert result.engine_ms >= 0 and result.render_ms >= 0


def test_input_rgb_is_the_frame_in_8_bits(frame):
    result = FrameProcessor().process(frame, Snapshot(), smooth=False)
    assert result.input_rgb.dtype == np.uint8 and result.input_rgb.shape == frame.shape
    np.testing.assert_allclose(result.input_rgb, np.round(frame * 255), atol=1)


def test_filter_values_equal_run_layer(frame):
    snapshot = _snapshot(padding="same", activation="abs")
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    bank = snapshot.bank
    expected = run_layer(frame, bank.weights(), bank.biases(), snapshot.layer)
    np.testing.assert_allclose(result.views["filters"].values, expected.maps, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(result.views["channels"].values, expected.contributions, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(result.output.maps, expected.maps, rtol=1e-5, atol=1e-5)


def test_strided_valid_layer_values(frame):
    snapshot = dataclasses.replace(_snapshot(padding="valid", stride=2), bank=_small_bank())
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    expected = run_layer(frame, snapshot.bank.weights(), snapshot.bank.biases(), snapshot.layer).maps
    assert result.views["filters"].values.shape == (59, 79, 3)
    np.testing.assert_allclose(result.views["filters"].values, expected, rtol=1e-5, atol=1e-5)
    assert all("59×79" in title for title in result.views["filters"].titles)


def test_titles_name_the_filters(frame):
    snapshot = Snapshot()
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    names = snapshot.bank.names()
    assert all(title.startswith(name) for title, name in zip(result.views["filters"].titles, names, strict=True))
    channel_titles = result.views["channels"].titles
    assert channel_titles[0] == f"{names[0]} · R"
    assert channel_titles[len(names)] == f"{names[0]} · G"


def test_value_at_is_the_map_value(frame):
    snapshot = Snapshot()
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    bank = snapshot.bank
    expected = run_layer(frame, bank.weights(), bank.biases(), snapshot.layer)
    filters, channels = result.views["filters"], result.views["channels"]
    k = len(bank.active)
    for index, (row, col) in zip(range(k), [(0, 0), (60, 80), (119, 159), (5, 100), (70, 3), (1, 1), (2, 2), (3, 3)],
                                  strict=False):
        assert filters.value_at(index, row, col) == pytest.approx(float(expected.maps[row, col, index]), abs=1e-5)
        np.testing.assert_array_equal(filters.tile(index), filters.values[:, :, index])
    for index, (c, i) in enumerate(channels.cells):
        assert channels.value_at(index, 33, 44) == pytest.approx(float(expected.contributions[33, 44, c, i]),
                                                                 abs=1e-5)
    assert channels.cells[:k] == tuple((0, i) for i in range(k))  # a row per channel


@pytest.mark.parametrize("scale", [0.5, 1.0, 0.3])
def test_tile_pixels_are_the_resized_map_scaled_by_the_reported_levels(frame, scale):
    snapshot = dataclasses.replace(Snapshot(), view=ViewSettings(display_scale=scale))
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    for key in ("filters", "channels"):
        view = result.views[key]
        assert (view.layout.tile_h, view.layout.tile_w) == (max(1, round(120 * scale)), max(1, round(160 * scale)))
        for index in range(view.layout.count):
            # tiles shrunk by whole factors come from the box-filtered input: the same
            # means in another order of sums, so a value on an index boundary may round
            # the other way
            drawn = _tile_pixels(view, index).astype(int)
            assert np.abs(drawn - _expected_tile(view, index)).max() <= 1, (key, index)
        assert (view.levels[:, 1] > view.levels[:, 0]).all()


def test_minmax_levels_span_the_drawn_maps(frame):
    policy = LevelPolicy("minmax")
    snapshot = dataclasses.replace(Snapshot(), view=ViewSettings(levels=policy, display_scale=0.5))
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    for key in ("filters", "channels"):
        view = result.views[key]
        np.testing.assert_array_equal(view.levels[:, 0], -view.levels[:, 1])
        for index in range(view.layout.count):
            full = np.abs(view.tile(index)).max()
            small = cv2.resize(np.ascontiguousarray(view.tile(index)), (view.layout.tile_w, view.layout.tile_h),
                               interpolation=cv2.INTER_AREA)
            if full == 0:  # e.g. the red-only kernel's slice on green: a unit span
                np.testing.assert_array_equal(view.levels[index], [-1.0, 1.0])
                continue
            # at least what is drawn (nothing saturates), at most the map's own extreme
            assert np.abs(small).max() * (1 - 1e-6) <= view.levels[index, 1] <= full * (1 + 1e-6), (key, index)


def test_percentile_levels_are_per_map(frame):
    result = FrameProcessor().process(frame, Snapshot(), smooth=False)
    view = result.views["filters"]
    tops = view.levels[:, 1]
    assert len(set(np.round(tops, 6))) > 1
    for index in range(view.layout.count):
        assert 0 < tops[index] <= np.abs(view.tile(index)).max() * (1 + 1e-6)


def test_shared_levels_are_one_set_per_view(frame):
    snapshot = dataclasses.replace(Snapshot(), view=ViewSettings(levels=LevelPolicy("minmax", shared=True)))
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    for key in ("filters", "channels"):
        levels = result.views[key].levels
        assert (levels == levels[0]).all()


def test_fixed_levels_are_used_as_is(frame):
    snapshot = dataclasses.replace(Snapshot(), view=ViewSettings(levels=LevelPolicy("fixed", fixed=0.25)))
    result = FrameProcessor().process(frame, snapshot, smooth=True)
    np.testing.assert_array_equal(result.views["filters"].levels, [[-0.25, 0.25]] * len(snapshot.bank.active))


def test_signed_maps_are_symmetric_and_relu_maps_are_not(frame):
    processor = FrameProcessor()
    plain = processor.process(frame, _snapshot(activation="none"), smooth=False)
    assert plain.views["filters"].signed is True
    relu = processor.process(frame, _snapshot(activation="relu"), smooth=False)
    view = relu.views["filters"]
    assert view.signed is False
    assert view.values.min() >= 0
    np.testing.assert_array_equal(view.levels[:, 0], 0.0)
    # contributions come before the activation: always signed
    assert relu.views["channels"].signed is True
    assert relu.views["channels"].values.min() < 0


def test_background_of_the_mosaic_follows_signedness(frame):
    bank = _small_bank()  # 3 tiles in a grid leave gaps
    processor = FrameProcessor()
    for activation, background in (("none", 128), ("abs", 0)):
        snapshot = dataclasses.replace(_snapshot(activation=activation), bank=bank)
        view = processor.process(frame, snapshot, smooth=False).views["filters"]
        layout = view.layout
        gaps = [(y, x) for y in range(layout.shape[0]) for x in range(layout.shape[1])
                if layout.tile_at(y, x) is None]
        assert gaps
        assert all(view.pixels[y, x] == background for y, x in gaps[:: max(1, len(gaps) // 500)])


def test_pooled_view_only_when_the_layer_pools(frame):
    processor = FrameProcessor()
    assert "pooled" not in processor.process(frame, _snapshot(), smooth=False).views
    snapshot = _snapshot(activation="relu", pool=PoolSettings("max", 2, 2))
    result = processor.process(frame, snapshot, smooth=False)
    assert set(result.views) == {"filters", "channels", "pooled"}
    pooled = result.views["pooled"]
    expected = run_layer(frame, snapshot.bank.weights(), snapshot.bank.biases(), snapshot.layer).pooled
    assert pooled.values.shape == (60, 80, len(snapshot.bank.active))
    np.testing.assert_allclose(pooled.values, expected, rtol=1e-5, atol=1e-5)
    assert pooled.signed is False
    for index in range(pooled.layout.count):
        np.testing.assert_array_equal(_tile_pixels(pooled, index), _expected_tile(pooled, index))


def test_pooled_view_can_be_switched_off(frame):
    snapshot = dataclasses.replace(_snapshot(pool=PoolSettings()), view=ViewSettings(pooled=False))
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    assert "pooled" not in result.views
    assert result.output.pooled is not None


def test_per_channel_off_gives_no_channel_view(frame):
    snapshot = dataclasses.replace(Snapshot(), view=ViewSettings(per_channel=False))
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    assert set(result.views) == {"filters"}
    assert result.output.contributions is None


def test_disabled_filters_are_excluded(frame):
    bank = _small_bank(enabled=(True, False, True))
    snapshot = dataclasses.replace(Snapshot(), bank=bank)
    result = FrameProcessor().process(frame, snapshot, smooth=False)
    filters, channels = result.views["filters"], result.views["channels"]
    assert filters.values.shape[-1] == 2
    assert filters.filters == (0, 2)
    assert [t.split(" · ")[0] for t in filters.titles] == ["k0", "k2"]
    assert not any(t.startswith("k1") for t in channels.titles)
    assert channels.layout.count == 6 and set(channels.filters) == {0, 2}
    expected = run_layer(frame, bank.weights(), bank.biases(), snapshot.layer).maps
    assert expected.shape[-1] == 2
    np.testing.assert_allclose(filters.values, expected, rtol=1e-5, atol=1e-5)
    # the enabled filters' own weights, not the disabled one's
    only_k2 = run_layer(frame, bank[2].weights[..., None], np.array([bank[2].bias], np.float32), snapshot.layer)
    np.testing.assert_allclose(filters.values[:, :, 1], only_k2.maps[:, :, 0], rtol=1e-5, atol=1e-5)


def test_no_enabled_filter_is_an_error_not_an_exception(frame):
    snapshot = dataclasses.replace(Snapshot(), bank=_small_bank(enabled=(False, False, False)))
    result = FrameProcessor().process(frame, snapshot)
    assert result.error and "enabled" in result.error
    assert result.views == {} and result.output is None


def test_kernel_larger_than_the_padded_frame_is_an_error_not_an_exception():
    small = demo_frame(6, 6)
    snapshot = dataclasses.replace(_snapshot(padding="valid"), bank=Snapshot().bank.resized(11))
    result = FrameProcessor().process(small, snapshot)
    assert result.error is not None
    assert "11×11" in result.error and "6×6" in result.error
    assert result.views == {} and result.output is None
    assert result.input_rgb.shape == (6, 6, 3)


def test_pool_larger_than_the_map_is_an_error_not_an_exception():
    small = demo_frame(10, 12)
    snapshot = _snapshot(padding="same", pool=PoolSettings("max", 11, 1))
    result = FrameProcessor().process(small, snapshot)
    assert result.error is not None and "11×11" in result.error and "10×12" in result.error
    assert result.views == {}


def test_processor_recovers_after_an_error(frame):
    processor = FrameProcessor()
    bad = processor.process(demo_frame(6, 6), dataclasses.replace(_snapshot(padding="valid"),
                                                                 bank=Snapshot().bank.resized(11)))
    assert bad.error
    good = processor.process(frame, Snapshot(), smooth=False)
    assert good.error is None and set(good.views) == {"filters", "channels"}


# ------------------------------------------------------------------ buffers

def test_mosaic_pixels_survive_the_next_two_calls(frame):
    processor = FrameProcessor()
    rng = np.random.default_rng(5)
    snapshots = [dataclasses.replace(Snapshot(), bank=FilterBank(tuple(
        Filter(f"r{i}", rng.standard_normal((3, 3, 3))) for i in range(4)))) for _ in range(3)]
    first = processor.process(frame, snapshots[0], smooth=False)
    kept = {key: view.pixels.copy() for key, view in first.views.items()}
    kept_values = first.views["filters"].values.copy()
    second = processor.process(frame, snapshots[1], smooth=False)
    third = processor.process(frame, snapshots[2], smooth=False)
    for key in kept:
        pixels = [r.views[key].pixels for r in (first, second, third)]
        assert not np.shares_memory(pixels[0], pixels[1])
        assert not np.shares_memory(pixels[0], pixels[2])
        assert not np.shares_memory(pixels[1], pixels[2])
        assert not np.array_equal(pixels[1], kept[key])  # the later calls drew something else
        np.testing.assert_array_equal(first.views[key].pixels, kept[key])
    np.testing.assert_array_equal(first.views["filters"].values, kept_values)


def test_a_mosaic_still_held_is_never_redrawn(frame):
    # the screen shows a mosaic's memory without a copy: while a result (or an image
    # item) holds it, later frames must draw elsewhere, however many come
    processor = FrameProcessor()
    held = processor.process(frame, Snapshot(), smooth=False)
    pixels = held.views["filters"].pixels
    before = pixels.copy()
    for t in (1.0, 2.0, 3.0, 4.0, 5.0):
        other = demo_frame(frame.shape[0], frame.shape[1], t) * 0.5
        result = processor.process(other, Snapshot(), smooth=False)
        assert result.views["filters"].pixels is not pixels
    np.testing.assert_array_equal(pixels, before)


def test_a_released_mosaic_is_reused(frame):
    processor = FrameProcessor()
    first = processor.process(frame, Snapshot(), smooth=False)
    address = first.views["filters"].pixels.__array_interface__["data"][0]
    del first
    second = processor.process(frame, Snapshot(), smooth=False)
    assert second.views["filters"].pixels.__array_interface__["data"][0] == address


def test_layout_change_gives_a_new_mosaic(frame):
    processor = FrameProcessor()
    a = processor.process(frame, Snapshot(), smooth=False).views["filters"]
    b = processor.process(frame, dataclasses.replace(Snapshot(), bank=_small_bank()), smooth=False).views["filters"]
    assert a.layout != b.layout
    assert b.pixels.shape == b.layout.shape


# ------------------------------------------------------------------ smoothing

def test_levels_ease_down_between_live_frames_and_reset_on_new_settings():
    processor = FrameProcessor()
    policy = LevelPolicy("minmax")
    view = ViewSettings(levels=policy)
    bank = _small_bank()
    snapshot = Snapshot(bank=bank, view=view)
    bright = demo_frame(60, 80)
    dim = bright * 0.25
    first = processor.process(bright, snapshot, smooth=True).views["filters"].levels.copy()
    eased = processor.process(dim, snapshot, smooth=True).views["filters"].levels
    own = processor.process(dim, snapshot, smooth=False).views["filters"].levels
    assert (own[:, 1] < first[:, 1]).all()
    assert (eased[:, 1] < first[:, 1]).all() and (eased[:, 1] > own[:, 1]).all()  # part of the way down
    # a settings change resets the history: the new frame shows its own levels at once
    processor.process(bright, snapshot, smooth=True)
    changed = dataclasses.replace(snapshot, layer=LayerSettings(padding="valid"))
    after = processor.process(dim, changed, smooth=True).views["filters"]
    fresh = FrameProcessor().process(dim, changed, smooth=False).views["filters"]
    np.testing.assert_allclose(after.levels, fresh.levels, rtol=1e-6)
    assert (after.levels[:, 1] < first[:, 1]).all()


@pytest.mark.parametrize("scale", [1.0, 0.25, 0.125])
def test_min_max_levels_are_the_full_maps_extremes_whatever_the_tile_size(scale):
    # tiles are shrunk by averaging, which flattens peaks: levels must not come from them
    frame = demo_frame(96, 128)
    view = ViewSettings(levels=LevelPolicy("minmax"), display_scale=scale)
    result = FrameProcessor().process(frame, Snapshot(view=view), smooth=False)
    maps = result.views["filters"].values
    np.testing.assert_allclose(result.views["filters"].levels[:, 1], np.abs(maps).max(axis=(0, 1)), rtol=1e-6)


def test_rounding_noise_on_a_flat_picture_stays_dark():
    # a flat picture gives ~1e-7 from an edge kernel: float rounding, not an edge
    flat = np.full((48, 64, 3), 0.37, np.float32)
    result = FrameProcessor().process(flat, Snapshot(layer=LayerSettings(padding="valid")), smooth=False)
    checked = 0
    for key in ("filters", "channels"):
        view = result.views[key]
        for index in range(len(view.cells)):
            if np.abs(view.tile(index)).max() < 1e-4:  # zero-sum kernels (edges): only noise here
                y, x = view.layout.origin(index)
                tile = view.pixels[y:y + view.layout.tile_h, x:x + view.layout.tile_w].astype(int)
                assert (np.abs(tile - 128) <= 1).all(), view.titles[index]  # the diverging middle
                checked += 1
    assert checked >= 10


def test_true_convolution_is_named_on_every_map(frame):
    result = FrameProcessor().process(frame, Snapshot(layer=LayerSettings(flip=True)), smooth=False)
    assert all("flipped" in title for title in result.views["filters"].titles)
    assert all("flipped" in title for title in result.views["channels"].titles)
    plain = FrameProcessor().process(frame, Snapshot(), smooth=False)
    assert not any("flipped" in title for title in plain.views["filters"].titles)
