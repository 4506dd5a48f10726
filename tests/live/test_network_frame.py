"""The frame loop on a network: the selected layer's views, the layers around it, the overview."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from playground.engine.layer import LayerSettings
from playground.engine.network import prepare_input, run_network
from playground.kernels import FilterBank
from playground.kernels.network import ConvLayer, random_filter
from playground.kernels.network_presets import edges_to_corners, lenet
from playground.kernels.spec import parse_spec
from playground.live.network_frame import OVERVIEW_SIDE, display_rgb, fit_input, overview
from playground.live.processor import FrameProcessor
from playground.live.snapshot import Snapshot
from playground.sources.demo import demo_frame


@pytest.fixture(scope="module")
def frame():
    return demo_frame(120, 160)


def _reference(frame, network):
    return run_network(prepare_input(frame, network.input_size, network.input_channels), network.stages())


@pytest.mark.parametrize("selected", [0, 1])
def test_selected_layer_views_are_that_layers_maps(frame, selected):
    network = lenet()
    result = FrameProcessor().process(frame, Snapshot(network=network, selected=selected), smooth=False)
    assert result.error is None
    expected = _reference(frame, network)[selected]
    np.testing.assert_allclose(np.asarray(result.views["filters"].values), expected.maps, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(result.views["pooled"].values), expected.pooled, rtol=1e-4, atol=1e-5)
    n_c = 3 if selected == 0 else 8
    assert result.views["channels"].values.shape == expected.maps.shape[:2] + (n_c, len(network.layers[selected].bank))
    assert result.network_input.shape == (32, 32, 3) and result.input_rgb.shape == (32, 32, 3)
    # layers after the selected one may run beside the drawing: each within the frame's time
    # (computing and drawing), though not always within the computing's share of it
    assert len(result.layer_ms) == 2
    assert result.engine_ms + result.render_ms >= max(result.layer_ms) * 0.99
    layer_input = _reference(frame, network)[0].pooled if selected else result.network_input
    np.testing.assert_allclose(result.layer_input, layer_input, rtol=1e-5, atol=1e-6)


def test_per_channel_rows_are_named_by_the_previous_layers_filters(frame):
    network = lenet()
    result = FrameProcessor().process(frame, Snapshot(network=network, selected=1), smooth=False)
    names = [f.name for f in network.layers[0].bank.filters]
    first_column = [result.views["channels"].titles[c * len(network.layers[1].bank)] for c in range(8)]
    assert [title.split(" · ")[1] for title in first_column] == names


def test_overview_shows_every_layers_output(frame):
    network = edges_to_corners()
    result = FrameProcessor().process(frame, Snapshot(network=network, selected=0), smooth=False)
    assert [entry.index for entry in result.overview] == [0, 1]
    assert [entry.shape for entry in result.overview] == [(60, 80, 4), (30, 40, 4)]
    assert result.overview[1].title == "CONV2 · pooled 30×40×4"
    for entry in result.overview:
        assert max(entry.layout.tile_h, entry.layout.tile_w) <= OVERVIEW_SIDE
        assert entry.pixels.shape == entry.layout.shape and entry.pixels.any()


def test_overview_tiles_follow_the_maps():
    outputs = _reference(demo_frame(64, 64), edges_to_corners())
    first = overview(outputs, edges_to_corners())[0]
    # 32×32 pooled maps fit the side: drawn 1:1, the brightest tile pixel is the map's maximum
    assert (first.layout.tile_h, first.layout.tile_w) == (32, 32)
    pooled = outputs[0].pooled[:, :, 0]
    y, x = first.layout.origin(0)
    tile = first.pixels[y:y + 32, x:x + 32]
    assert np.unravel_index(tile.argmax(), tile.shape) == np.unravel_index(pooled.argmax(), pooled.shape)


def test_overview_levels_are_each_maps_99th_percentile():
    outputs = _reference(demo_frame(64, 64), edges_to_corners())
    first = overview(outputs, edges_to_corners())[0]
    pooled = np.asarray(outputs[0].pooled)
    for i in range(pooled.shape[2]):
        y, x = first.layout.origin(i)
        tile = first.pixels[y:y + 32, x:x + 32].astype(int)
        top = np.percentile(np.abs(pooled[:, :, i]), 99)
        if top <= 1e-6:
            continue
        # after ReLU: 0 → index 0, the percentile → 255, in between linearly, clipped above
        expected = np.clip(np.rint(pooled[:, :, i] / top * 255), 0, 255)
        assert np.abs(tile - expected).max() <= 1


def test_a_disabled_filter_feeds_a_zero_channel_to_the_next_layer(frame):
    network = edges_to_corners()
    off = dataclasses.replace(network.layers[0].bank.filters[1], enabled=False)
    network = network.set_filter(0, 1, off)
    result = FrameProcessor().process(frame, Snapshot(network=network, selected=0), smooth=False)
    assert result.views["filters"].values.shape[2] == 3   # the views show the enabled filters
    expected = _reference(frame, network)[1]
    last = result.overview[1]
    assert last.shape == expected.pooled.shape


def test_a_gray_source_makes_the_first_layer_take_one_channel():
    matrix = np.zeros((6, 6, 1), np.float32)
    matrix[:, :3] = 10.0
    result = FrameProcessor().process(matrix, Snapshot(), smooth=False)
    assert result.error is None
    assert result.snapshot.network.input_channels == 1 and result.snapshot.bank.channels == 1
    assert result.input_rgb.shape == (6, 6, 3) and result.input_rgb[0, 0, 0] == 255 and result.input_rgb[0, 5, 0] == 0


def test_a_source_with_channels_no_network_takes_is_a_message():
    result = FrameProcessor().process(np.zeros((8, 8, 65), np.float32), Snapshot(), smooth=False)
    assert result.error is not None and "65 channels" in result.error and not result.views


def test_a_matrix_of_5_channels_is_the_network_input():
    x = np.random.default_rng(3).random((8, 8, 5)).astype(np.float32)
    result = FrameProcessor().process(x, Snapshot(), smooth=False)
    assert result.error is None and result.snapshot.network.input_channels == 5
    assert result.views["filters"].values.shape[:2] == (8, 8)
    assert result.input_rgb.shape == (8, 8, 3)   # drawn from the first channel, gray
    assert result.views["channels"].titles[0].split(" · ")[1] == "C1"


def test_a_layer_with_no_output_is_a_message(frame):
    # 32×32 input: after two conv + pool layers 5×5 is left, a third layer's valid 7×7 has no output
    bank = FilterBank(tuple(random_filter(f"r{i}", 7, 16, i) for i in range(2)))
    network = lenet().insert_layer(2, ConvLayer(bank, LayerSettings(padding="valid")))
    result = FrameProcessor().process(frame, Snapshot(network=network, selected=0), smooth=False)
    assert result.error is not None and result.error.startswith("layer 3:")


def test_the_layers_after_the_selected_one_give_the_same_frame_on_a_second_thread(frame, monkeypatch):
    import playground.live.processor as processor_module

    network = parse_spec("120x160x3 conv:f=3,k=4,p=same,a=relu maxpool:f=2 conv:f=3,k=6,p=same,a=relu "
                         "maxpool:f=2 conv:f=3,k=5,p=same")
    snapshot = Snapshot(network=network, selected=0)
    results = {}
    for parallel in (False, True):
        monkeypatch.setattr(processor_module, "_PARALLEL", parallel)
        processor = FrameProcessor()
        processor.process(frame, snapshot, smooth=False)   # a new geometry's first frame runs here
        results[parallel] = processor.process(frame, snapshot, smooth=False)
        assert (processor._helper is not None) == parallel   # the work ran where it was meant to
    serial, beside = results[False], results[True]
    assert serial.error is None and beside.error is None and len(beside.layer_ms) == 3
    # the last, linear layer is shown by tiles read from its input
    assert [entry.shape for entry in beside.overview] == [(60, 80, 4), (30, 40, 6), (30, 40, 5)]
    for one, other in zip(serial.overview, beside.overview, strict=True):
        assert one.title == other.title
        assert np.abs(one.pixels.astype(int) - other.pixels).max() <= 1   # the same frame either way
    for key in serial.views:
        assert np.array_equal(serial.views[key].pixels, beside.views[key].pixels)
    second = beside.overview[1]
    y, x = second.layout.origin(0)
    tile = second.pixels[y:y + second.layout.tile_h, x:x + second.layout.tile_w]
    pooled = np.asarray(_reference(frame, network)[1].pooled)[:, :, 0]
    assert np.unravel_index(tile.argmax(), tile.shape) == np.unravel_index(pooled.argmax(), pooled.shape)


@pytest.mark.parametrize("parallel", [False, True])
def test_each_layers_time_is_its_own(frame, monkeypatch, parallel):
    import time

    import playground.live.processor as processor_module

    network = parse_spec("120x160x3 conv:f=3,k=4,p=same,a=relu maxpool:f=2 conv:f=3,k=6,p=same,a=relu")
    real = processor_module.run_layers

    def slow_later_layers(x, network, start, stop):
        if start > 0:
            time.sleep(0.3)
        return real(x, network, start, stop)

    monkeypatch.setattr(processor_module, "_PARALLEL", parallel)
    monkeypatch.setattr(processor_module, "run_layers", slow_later_layers)
    processor = FrameProcessor()
    processor.process(frame, Snapshot(network=network, selected=0), smooth=False)   # (its first frame runs here)
    result = processor.process(frame, Snapshot(network=network, selected=0), smooth=False)
    assert result.error is None
    assert result.layer_ms[0] < 200   # CONV1 is not charged for the (slowed) layers after it
    assert result.engine_ms + result.render_ms >= 300    # the whole frame still takes it


@pytest.mark.parametrize("parallel", [False, True])
def test_a_later_layer_with_no_output_is_a_message_on_either_thread(frame, monkeypatch, parallel):
    import playground.live.processor as processor_module

    monkeypatch.setattr(processor_module, "_PARALLEL", parallel)
    network = parse_spec("120x160x3 conv:f=3,k=4,p=same,a=relu maxpool:f=2 conv:f=3,k=6,p=same")
    broken = network.insert_layer(2, ConvLayer(FilterBank((random_filter("r", 11, 6, 1),)),
                                               LayerSettings(padding="valid", dilation=8)))
    processor = FrameProcessor()
    for _ in range(2):   # the geometry's first frame (its rest here), then a later one (beside, in parallel)
        failed = processor.process(frame, Snapshot(network=broken, selected=0), smooth=False)
        assert failed.error is not None and failed.error.startswith("layer 3:")


def test_a_new_geometrys_first_frame_runs_the_later_layers_alone(frame, monkeypatch):
    """Its ways are measured on that frame (engine paths, overview tiles): not while the
    selected layer's views measure theirs on the other thread."""
    import threading

    import playground.live.processor as processor_module

    monkeypatch.setattr(processor_module, "_PARALLEL", True)
    real = processor_module._rest_of_network
    threads = []

    def recorded(*args):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args)

    monkeypatch.setattr(processor_module, "_rest_of_network", recorded)
    network = parse_spec("120x160x3 conv:f=3,k=4,p=same conv:f=3,k=6,s=2,p=same")
    processor = FrameProcessor()
    for selected in (0, 0, 0):
        processor.process(frame, Snapshot(network=network, selected=selected), smooth=False)
    wider = network.set_filter_count(1, 7)          # another geometry: alone again, then beside
    for _ in range(2):
        processor.process(frame, Snapshot(network=wider, selected=0), smooth=False)
    assert threads == [True, False, False, True, False]


def test_an_overflowing_layer_still_draws_its_overview_without_warnings():
    import warnings

    from playground.engine.layer import LayerOutput

    maps = np.random.default_rng(2).random((32, 32, 4)).astype(np.float32)
    maps[0, 0, 0] = np.nan
    maps[1, 1, 1] = np.inf
    maps[:, :, 2] = np.inf
    output = LayerOutput(maps, None, maps, ((0, 0), (0, 0)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = overview([output, output], edges_to_corners())[0]
    y, x = first.layout.origin(3)
    assert first.pixels[y:y + 32, x:x + 32].max() == 255   # a sound map keeps its full scale


def test_fit_input_keeps_a_frame_that_fits(frame):
    network = Snapshot().network
    same, x = fit_input(frame, network)
    assert same is network and x is frame


def test_display_scales_raw_values():
    shown = display_rgb(np.array([[[0.0], [30.0]]], np.float32))
    assert shown.tolist() == [[[0, 0, 0], [255, 255, 255]]]


# --------------------------------------------------------------- whole banks from the editor, as edits

def _edges():
    return edges_to_corners()


def test_removing_a_filter_removes_the_next_layers_matching_slice():
    network = _edges()
    bank = network.layers[0].bank.remove(1)
    edited = Snapshot(network=network, selected=0)
    edited = dataclasses.replace(edited, bank=bank).network
    expected = network.remove_filter(0, 1)
    assert edited == expected
    np.testing.assert_array_equal(edited.layers[1].bank.filters[0].weights,
                                  np.delete(network.layers[1].bank.filters[0].weights, 1, axis=2))


def test_adding_moving_and_duplicating_filters_carry_the_next_layers_slices():
    network = _edges()
    bank = network.layers[0].bank
    moved = dataclasses.replace(Snapshot(network=network), bank=bank.move(0, 2)).network
    assert moved == network.move_filter(0, 0, 2)
    duplicated = dataclasses.replace(Snapshot(network=network), bank=bank.duplicate(1)).network
    assert duplicated.layers[1].bank.channels == 5
    np.testing.assert_array_equal(duplicated.layers[1].bank.filters[0].weights[:, :, 2],
                                  network.layers[1].bank.filters[0].weights[:, :, 1])
    new = dataclasses.replace(bank.filters[0], name="new one", weights=np.ones_like(bank.filters[0].weights))
    added = dataclasses.replace(Snapshot(network=network), bank=bank.add(new, 2)).network
    assert added == network.add_filter(0, new, 2)
    assert not added.layers[1].bank.filters[0].weights[:, :, 2].any()   # a new channel starts at zero


def test_a_kernel_edit_clears_only_that_filters_random_mark():
    network = lenet()
    bank = network.layers[1].bank
    edited_filter = bank.filters[3].with_weights(np.zeros_like(bank.filters[3].weights))
    edited = dataclasses.replace(Snapshot(network=network, selected=1), bank=bank.replace_filter(3, edited_filter))
    assert edited.network.layers[1].random == tuple(i != 3 for i in range(16))


def test_a_linear_last_layer_overview_comes_from_tiles_and_matches_its_maps(frame):
    import cv2

    network = edges_to_corners()
    settings = dataclasses.replace(network.layers[1].settings, activation="none", pool=None)
    network = network.set_settings(1, settings)
    result = FrameProcessor().process(frame, Snapshot(network=network, selected=0), smooth=False)
    assert len(result.layer_ms) == 2 and result.error is None
    entry = result.overview[1]
    maps = _reference(frame, network)[1].maps                       # 60×80×4: tiles of 30×40
    assert entry.shape == maps.shape and (entry.layout.tile_h, entry.layout.tile_w) == (30, 40)
    small = cv2.resize(np.ascontiguousarray(maps[:, :, 2]), (40, 30), interpolation=cv2.INTER_AREA)
    high = np.percentile(np.abs(small), 99)
    expected = np.clip(np.round((small + high) * 255 / (2 * high)), 0, 255)
    y, x = entry.layout.origin(2)
    drawn = entry.pixels[y:y + 30, x:x + 40].astype(float)
    assert np.abs(drawn - expected).max() <= 2


@pytest.mark.parametrize("way", ["taps", "conv"])
@pytest.mark.parametrize("settings", [LayerSettings(padding="same", stride=2), LayerSettings(padding=1, stride=1),
                                      LayerSettings(padding="valid", stride=2, dilation=2, flip=True)],
                         ids=["same-stride2", "p1", "valid-s2-d2-flip"])
def test_linear_tiles_equal_the_maps_shrunk_either_way(way, settings):
    """A deep last layer's overview tiles, by block means or by one strided convolution of the
    part they reach ("same" at stride 2 pads 48×64 to 97×129: most tiles read padding only)."""
    import cv2

    from playground.engine import kernel_paths
    from playground.engine.layer import run_layer
    from playground.live.network_frame import linear_tiles

    rng = np.random.default_rng(7)
    x = rng.random((48, 64, 8), dtype=np.float32)
    network = parse_spec("48x64x3 conv:f=3,k=8 conv:f=3,k=5")   # layer 2 takes 8 channels
    network = network.set_settings(1, settings)
    w, b, _ = network.layers[1].stage
    maps = np.asarray(run_layer(x, w, b, settings).maps)
    kernel_paths.forced_path(way)
    try:
        small = linear_tiles(x, network, 1, side=16)
    finally:
        kernel_paths.forced_path(None)
    assert small.shape == maps.shape
    th, tw = small.tiles.shape[:2]
    for k in range(5):
        expected = cv2.resize(np.ascontiguousarray(maps[:, :, k]), (tw, th), interpolation=cv2.INTER_AREA)
        np.testing.assert_allclose(small.tiles[:, :, k], expected, atol=3e-5)


def test_layers_around_the_selected_one_skip_per_channel_contributions():
    """Only the selected layer's contributions are shown; an 8→16 layer's would be 16× its maps."""
    from playground.kernels.spec import parse_spec
    from playground.live.network_frame import run_layers

    network = parse_spec("24x32x3 conv:f=3,k=4,p=same,a=relu conv:f=3,k=6,p=same")
    x = np.random.default_rng(0).random((24, 32, 3), dtype=np.float32)
    outputs, _, last = run_layers(x, network, 0, 2)
    assert [out.contributions for out in outputs] == [None, None]
    assert np.asarray(outputs[1].maps).shape == (24, 32, 6) and np.asarray(last).shape == (24, 32, 6)


def test_the_selected_layer_rerun_for_the_next_one_skips_contributions(frame, monkeypatch):
    """A linear selected layer's maps are computed on demand; the copy run for the layer
    after it must not compute per-channel contributions (16× the maps for a 16→16 layer)."""
    import playground.live.processor as processor_module
    from playground.kernels.spec import parse_spec

    calls = []
    real = processor_module.run_layer

    def recording(*args, **kwargs):
        calls.append(kwargs.get("per_channel", True))
        return real(*args, **kwargs)

    monkeypatch.setattr(processor_module, "run_layer", recording)
    network = parse_spec("120x160x3 conv:f=3,k=4,p=same conv:f=3,k=4,p=same,a=relu")
    result = FrameProcessor().process(frame, Snapshot(network=network, selected=0), smooth=False)
    assert result.error is None and calls == [False]
