"""Exporting the maps of a later layer: frame.npy is that layer's input, and meta.json reproduces its maps."""

from __future__ import annotations

import json

import numpy as np
import pytest

from playground.engine.layer import LayerSettings, PoolSettings
from playground.engine.network import prepare_input, run_network
from playground.export import export_frame
from playground.export.network_io import network_from_dict
from playground.kernels.network_presets import lenet
from playground.live.processor import FrameProcessor
from playground.live.snapshot import Snapshot, ViewSettings
from playground.sources import demo_frame


@pytest.fixture(scope="module")
def frame():
    return demo_frame(120, 160, t=1.0)


def _export(tmp_path, frame, view: ViewSettings, per_channel: bool = True):
    network = lenet()
    rendered = FrameProcessor().process(frame, Snapshot(network=network, selected=1, view=view), smooth=False)
    assert rendered.error is None
    folder = export_frame(rendered, tmp_path, name="layer2", per_channel=per_channel)
    return network, rendered, folder, json.loads((folder / "meta.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("per_channel_view", [True, False])
def test_layer_2_export_reproduces_its_maps_from_its_own_input(tmp_path, frame, per_channel_view):
    network, rendered, folder, meta = _export(tmp_path, frame, ViewSettings(per_channel=per_channel_view))
    assert ("channels" in rendered.views) is per_channel_view
    x = np.load(folder / "frame.npy")
    reference = run_network(prepare_input(frame, network.input_size, network.input_channels), network.stages())
    # frame.npy is layer 1's pooled output (14×14×8), not the 32×32×3 picture
    assert x.shape == (14, 14, 8) and meta["frame_shape"] == [14, 14, 8]
    np.testing.assert_allclose(x, reference[0].pooled, rtol=1e-5, atol=1e-6)

    w, b = np.array(meta["weights"], np.float32), np.array(meta["bias"], np.float32)
    assert w.shape == (5, 5, 8, 16)
    pool = meta["pool"]
    settings = LayerSettings(padding=meta["padding"], stride=meta["stride"][0], dilation=meta["dilation"][0],
                             flip=meta["flip"], activation=meta["activation"],
                             pool=PoolSettings(pool["mode"], pool["size"], pool["stride"]))
    again = run_network(x, [(w, b, settings)], per_channel_layer=0)[0]
    maps = np.load(folder / "maps.npy")
    assert maps.shape == (10, 10, 16)
    np.testing.assert_allclose(maps, again.maps, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(maps, reference[1].maps, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.load(folder / "pooled.npy"), again.pooled, rtol=1e-5, atol=1e-5)
    per_channel = np.load(folder / "per_channel.npy")
    assert per_channel.shape == (10, 10, 8, 16)
    np.testing.assert_allclose(per_channel, again.contributions, rtol=1e-5, atol=1e-5)

    # the layer and the network are named; the network in meta.json is the one that ran
    assert meta["layer"] == {"index": 2, "name": "CONV2", "of": 2}
    assert meta["source_frame_shape"] == [120, 160, 3]
    reopened = network_from_dict(meta["network"])
    np.testing.assert_array_equal(reopened.layers[1].stage[0], w)
    titles = meta["images"]["channels"]["titles"]
    first_layer_names = [item.name for item in network.layers[0].bank.filters]
    assert titles[0].startswith(f"{network.layers[1].bank.filters[0].name} · {first_layer_names[0]}")
    assert len(list((folder / "per_channel").iterdir())) == 8 * 16
    assert (folder / "input.png").is_file() and (folder / "contact_sheet.png").is_file()


def test_layer_1_export_writes_the_resized_input(tmp_path, frame):
    network = lenet()
    rendered = FrameProcessor().process(frame, Snapshot(network=network, selected=0), smooth=False)
    folder = export_frame(rendered, tmp_path, name="layer1")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    x = np.load(folder / "frame.npy")
    assert x.shape == (32, 32, 3) and meta["layer"]["index"] == 1
    w, b = np.array(meta["weights"], np.float32), np.array(meta["bias"], np.float32)
    again = run_network(x, [(w, b, network.layers[0].settings)])[0]
    np.testing.assert_allclose(np.load(folder / "maps.npy"), again.maps, rtol=1e-5, atol=1e-5)
