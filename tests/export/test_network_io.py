"""Network files (round trips, bad files naming the field, bank files as one-layer networks)
and 'Copy as PyTorch' for a network (the text, and a torch oracle where torch is installed)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from playground.engine.layer import LayerSettings, PoolSettings
from playground.engine.network import run_network
from playground.export.bank_io import BankFileError, save_bank
from playground.export.network_io import (
    NetworkFileError,
    load_network,
    network_from_dict,
    network_to_dict,
    save_network,
)
from playground.export.pytorch_network import pytorch_network_snippet
from playground.kernels import Filter, starter_bank
from playground.kernels.spec import EXAMPLE_SPEC, parse_spec


def rich_network():
    """Every kind of setting, a disabled filter, random flags, a fixed size and FC layers."""
    network = parse_spec("24x20x3 conv:f=3,k=9,p=same,a=relu maxpool:f=2 conv:f=4,k=3,p=same,s=2,d=1,a=abs "
                         "avgpool:f=2,s=1 conv:f=1,k=2,p=1 fc:7 fc:3")
    bank = network.layers[0].bank
    network = network.set_filter(0, 1, Filter(bank[1].name, bank[1].weights, bias=0.1, enabled=False))
    settings = LayerSettings(padding=((0, 1), (1, 0)), flip=True, pool=PoolSettings("max", 2, 2))
    return network.set_settings(2, settings)


# --- files ---------------------------------------------------------------------------------
def test_round_trip_through_a_file_is_exact(tmp_path):
    network = rich_network()
    path = save_network(network, tmp_path / "net.json")
    loaded = load_network(path)
    assert loaded == network
    assert loaded.layers[0].random == network.layers[0].random == (False,) * 8 + (True,)
    assert loaded.layers[2].settings.padding == ((0, 1), (1, 0))
    data = json.loads(path.read_text())
    assert data["format"] == "kernel-playground-network" and data["version"] == 1
    assert data["input"] == {"channels": 3, "size": [24, 20]} and data["fc"] == [7, 3]
    assert data["layers"][1]["settings"]["pool"] == {"mode": "avg", "size": 2, "stride": 1}


def test_a_gray_network_without_a_fixed_size_round_trips():
    network = parse_spec("8x8x1 conv:f=3,k=2").with_input(size=None)
    assert network_from_dict(json.loads(json.dumps(network_to_dict(network)))) == network


def test_a_32_channel_matrix_network_round_trips():
    # the notes' 6×6×32 → 6×6×5 1×1 example, as the app remembers it between runs
    from playground.sources.notes_examples import notes_example

    example = notes_example("one_by_one_32_to_5")
    network = parse_spec("6x6x3 conv:f=1,k=5").with_input(channels=32, size=None).set_bank(0, example.bank())
    assert network_from_dict(json.loads(json.dumps(network_to_dict(network)))) == network


def test_a_bank_file_opens_as_a_one_layer_network(tmp_path):
    path = save_bank(starter_bank(), tmp_path / "bank.json")
    network = load_network(path)
    assert network.depth == 1 and network.layers[0].bank == starter_bank()
    assert network.layers[0].settings == LayerSettings() and network.input_size is None
    strided = load_network(path, settings=LayerSettings(stride=2))
    assert strided.layers[0].settings.stride == 2


def broken(mutate):
    data = network_to_dict(rich_network())
    mutate(data)
    return data


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d.update(format="other"), "format: expected 'kernel-playground-network', got 'other'"),
    (lambda d: d.update(version=2), "version: this app reads version 1 network files, got 2"),
    (lambda d: d.pop("version"), "version: missing"),
    (lambda d: d.update(extra=1), r"the file\.extra: unknown key"),
    (lambda d: d["input"].update(channels=65), r"input.channels: must be 1 to 64 \(3 for RGB, 1 for gray\), got 65"),
    (lambda d: d["input"].update(channels=0), "input.channels: must be 1 to 64 .3 for RGB, 1 for gray., got 0"),
    (lambda d: d["input"].update(channels=[3]),
     "input.channels: must be 1 to 64 .3 for RGB, 1 for gray., got a list of 1"),
    (lambda d: d["input"].update(size=[32]), r"input.size: must be \[n_H, n_W\] or null"),
    (lambda d: d["input"].update(size=[32, 0]), r"input.size\[1\]: must be 1 to 4096, got 0"),
    (lambda d: d.update(layers=[]), "layers: must be a list of 1 to 6 conv layers"),
    (lambda d: d["layers"][0].pop("bank"), r"layers\[0\].bank: missing"),
    (lambda d: d["layers"][1]["bank"]["filters"][0].update(bias="x"),
     r"layers\[1\].bank.filters\[0\].bias: must be a number, got 'x'"),
    (lambda d: d["layers"][1]["bank"]["filters"][2]["weights"][0][0].pop(),
     r"layers\[1\].bank.filters\[2\].weights\[0\]\[1\]: ragged weights"),
    (lambda d: d["layers"][1]["bank"].update(channels=3),
     r"layers\[1\].bank.filters\[0\].weights: expected shape 4×4×3"),
    (lambda d: d["layers"].pop(0), r"layers\[0\].bank.channels: the layer takes 3 channels .the input's., got 9"),
    (lambda d: d["layers"][1]["bank"].update(bogus=1), r"layers\[1\].bank: unknown key 'bogus'"),
    (lambda d: d["layers"][0]["settings"].update(stride=0), r"layers\[0\].settings.stride: must be 1 to 16, got 0"),
    (lambda d: d["layers"][0]["settings"].update(padding="half"), r"layers\[0\].settings.padding: must be one of"),
    (lambda d: d["layers"][0]["settings"].update(padding=[[1, 2]]), r"layers\[0\].settings.padding: padding pairs"),
    (lambda d: d["layers"][0]["settings"].update(flip="yes"), r"layers\[0\].settings.flip: must be true or false"),
    (lambda d: d["layers"][0]["settings"].update(activation="tanh"), r"layers\[0\].settings.activation: must be"),
    (lambda d: d["layers"][0]["settings"]["pool"].update(mode="min"), r"layers\[0\].settings.pool.mode: must be"),
    (lambda d: d["layers"][0]["settings"]["pool"].pop("size"), r"layers\[0\].settings.pool.size: missing"),
    (lambda d: d["layers"][0].update(random=[True]), r"layers\[0\].random: must be a list of 9 true/false flags"),
    (lambda d: d.update(fc=[10, -1]), r"fc\[1\]: must be 1 to 100000, got -1"),
    (lambda d: d.update(fc=[1, 2, 3, 4, 5]), "fc: must be a list of at most 4 sizes"),
])
def test_bad_network_data_names_the_field(mutate, message):
    with pytest.raises(NetworkFileError, match=message) as caught:
        network_from_dict(broken(mutate))
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, BankFileError)  # callers catching bank-file errors catch these too


def test_bad_files_name_the_file_and_the_problem(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(NetworkFileError, match="nope.json'?: no such file"):
        load_network(missing)
    with pytest.raises(NetworkFileError, match="it is a folder"):
        load_network(tmp_path)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"format": "kernel-playground-network",\n "version": }')
    with pytest.raises(NetworkFileError, match=r"not valid JSON: .* \(line 2, column"):
        load_network(bad_json)
    twice = tmp_path / "twice.json"
    twice.write_text('{"version": 1, "version": 1}')
    with pytest.raises(NetworkFileError, match="duplicate key 'version'"):
        load_network(twice)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(NetworkFileError, match="not a text"):
        load_network(binary)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(broken(lambda d: d["layers"][0]["settings"].update(dilation=9))))
    with pytest.raises(NetworkFileError, match=r"network file '.*wrong.json': layers\[0\].settings.dilation"):
        load_network(wrong)
    bank = tmp_path / "five.json"
    five = starter_bank()
    data = {"format": "kernel-playground-bank", "version": 1, "size": 3, "channels": 5,
            "filters": [{"name": "a", "weights": np.zeros((3, 3, 5)).tolist()}]}
    bank.write_text(json.dumps(data))
    with pytest.raises(NetworkFileError, match="RGB .3. or gray .1.; this bank's filters have 5 channels"):
        load_network(bank)
    assert five == starter_bank()


# --- PyTorch --------------------------------------------------------------------------------
def test_pytorch_text_describes_every_layer():
    text = pytorch_network_snippet(parse_spec(EXAMPLE_SPEC))
    compile(text, "<snippet>", "exec")
    assert "nn.Conv2d(3, 8, kernel_size=5, stride=1, padding=0, dilation=1),  # CONV1 (f=5, s=1)" in text
    assert "nn.MaxPool2d(kernel_size=2, stride=2),  # POOL1" in text
    assert "nn.Conv2d(8, 16, kernel_size=5" in text
    assert "nn.Linear(400, 120),  # FC3" in text and "nn.Linear(120, 10),  # FC4" in text
    assert "(K, n_c, f, f) = (16, 8, 5, 5)" in text
    assert "# Vertical edge" in text  # layer 2's channels are named after layer 1's filters


def test_pytorch_weights_are_the_networks_with_disabled_filters_as_zeros():
    network = rich_network()
    text = pytorch_network_snippet(network)
    start = text.index("model[0].weight.copy_(torch.tensor(") + len("model[0].weight.copy_(torch.tensor(")
    body = re.sub(r"#[^\n]*", "", text[start:text.index("], dtype=torch.float32))", start) + 1])
    weights = np.array(eval(body), np.float32)  # our own generated literal
    np.testing.assert_array_equal(weights.transpose(2, 3, 1, 0), network.layers[0].stage.w)
    assert not weights[1].any()
    assert "# 1: Horizontal edge (disabled: zeros)" in text
    assert "Abs()" in text and "nn.ZeroPad2d((1, 0, 0, 1))" in text  # (left, right, top, bottom)


def test_same_padding_with_stride_needs_a_size():
    network = parse_spec("16x16x3 conv:f=3,k=2,p=same,s=2").with_input(size=None)
    with pytest.raises(ValueError, match="frame_shape"):
        pytorch_network_snippet(network)
    text = pytorch_network_snippet(network, frame_shape=(15, 16, 3))
    assert "nn.ZeroPad2d" in text or "padding=1" in text
    plain = parse_spec("16x16x3 conv:f=3,k=2 fc:4").with_input(size=None)
    assert "nn.LazyLinear(4)" in pytorch_network_snippet(plain)


ORACLE = [
    EXAMPLE_SPEC,
    "24x20x3 conv:f=3,k=9,p=same,a=relu maxpool:f=2 conv:f=4,k=3,p=same,s=2,a=abs avgpool:f=2,s=1 conv:f=1,k=2,p=1",
    "17x19x1 conv:f=3,k=4,d=2,p=same,a=relu conv:f=3,k=3,s=2,p=same",
]


@pytest.mark.parametrize("spec", ORACLE)
def test_the_pytorch_code_computes_what_run_network_computes(spec):
    torch = pytest.importorskip("torch")
    network = parse_spec(spec)
    if spec == ORACLE[1]:
        network = rich_network()
    namespace: dict = {}
    exec(pytorch_network_snippet(network), namespace)  # noqa: S102 - our own generated code
    n_h, n_w = network.input_size
    frame = np.random.default_rng(4).random((n_h, n_w, network.input_channels)).astype(np.float32)
    outputs = run_network(frame, network.stages())
    with torch.no_grad():
        got = namespace["conv_outputs"](torch.from_numpy(frame).permute(2, 0, 1)[None])
        if network.fc:
            assert namespace["model"](torch.from_numpy(frame).permute(2, 0, 1)[None]).shape == (1, network.fc[-1])
    for ours, theirs in zip(outputs, got, strict=True):
        expected = np.array(ours.pooled if ours.pooled is not None else ours.maps)
        np.testing.assert_allclose(theirs[0].permute(1, 2, 0).numpy(), expected, rtol=1e-4, atol=1e-4)
