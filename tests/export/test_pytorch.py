"""'Copy as PyTorch': the snippet builds an nn.Conv2d that computes the app's maps."""

from __future__ import annotations

import re

import numpy as np
import pytest

from playground.engine.layer import LayerSettings, PoolSettings, run_layer
from playground.export import pytorch_snippet
from playground.kernels import Filter, FilterBank, starter_bank
from playground.sources import demo_frame


def test_snippet_is_python_with_the_layer_geometry():
    bank = starter_bank()
    text = pytorch_snippet(bank, LayerSettings(padding="valid", stride=2, dilation=2))
    compile(text, "<snippet>", "exec")
    assert "nn.Conv2d(in_channels=3, out_channels=8, kernel_size=3, stride=2," in text
    assert "padding=0, dilation=2, bias=True)" in text
    assert "(K, n_c, f, f) = (8, 3, 3, 3)" in text
    assert "# 2: Sobel x" in text
    # Sobel x in (K, n_c, f, f): each channel's rows as written in the notes
    assert "[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]" in text


def test_disabled_filters_are_left_out():
    bank = starter_bank()
    bank = bank.replace_filter(0, Filter(bank[0].name, bank[0].weights, enabled=False))
    text = pytorch_snippet(bank)
    assert "out_channels=7" in text and "Vertical edge" not in text


def test_weights_in_the_snippet_are_the_banks_exactly():
    rng = np.random.default_rng(3)
    bank = FilterBank(tuple(Filter(f"r{i}", rng.standard_normal((3, 3, 3)).astype(np.float32), bias=0.25 * i)
                            for i in range(3)))
    text = pytorch_snippet(bank)
    start = text.index("copy_(torch.tensor([") + len("copy_(torch.tensor(")
    body = text[start:text.index("], dtype=torch.float32))") + 1]
    body = re.sub(r"#[^\n]*", "", body)
    weights = np.array(eval(body), np.float32)  # our own generated literal
    assert weights.shape == (3, 3, 3, 3)
    assert np.array_equal(weights.transpose(2, 3, 1, 0), bank.weights())
    assert "conv.bias.copy_(torch.tensor([0.0, 0.25, 0.5]" in text


def test_same_padding_with_stride_needs_the_frame_size():
    with pytest.raises(ValueError, match="frame_shape"):
        pytorch_snippet(starter_bank(), LayerSettings(padding="same", stride=2))
    text = pytorch_snippet(starter_bank(), LayerSettings(padding="same", stride=2), frame_shape=(48, 64, 3))
    compile(text, "<snippet>", "exec")


CASES = [
    (starter_bank(), LayerSettings()),
    (starter_bank(), LayerSettings(padding="valid", stride=2, activation="relu", pool=PoolSettings("max", 2, 2))),
    (starter_bank().resized(4), LayerSettings(padding="same", flip=True, activation="abs")),  # asymmetric padding
    (starter_bank(), LayerSettings(padding="same", stride=3, dilation=2, pool=PoolSettings("avg", 3, 2))),
    (starter_bank().resized(5), LayerSettings(padding=((0, 2), (1, 3)), flip=True)),
]


@pytest.mark.parametrize(("bank", "layer"), CASES)
def test_snippet_computes_the_apps_maps(bank, layer):
    torch = pytest.importorskip("torch")
    frame = demo_frame(37, 50, t=2.0)
    text = pytorch_snippet(bank, layer, frame_shape=frame.shape)
    namespace: dict = {}
    exec(compile(text, "<snippet>", "exec"), namespace)
    with torch.no_grad():
        got = namespace["layer"](torch.from_numpy(frame).permute(2, 0, 1)[None])[0].permute(1, 2, 0).numpy()
    out = run_layer(frame, bank.weights(), bank.biases(), layer, per_channel=False)
    expected = out.pooled if layer.pool is not None else out.maps
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)
