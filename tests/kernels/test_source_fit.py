"""Layer 1 following the source's channels: RGB → gray → RGB gives the colour kernels back."""

from __future__ import annotations

import numpy as np

from playground.kernels import starter_bank
from playground.kernels.network import Network
from playground.kernels.source_fit import fit_to_source


def _rgb_network() -> Network:
    return Network.single(starter_bank())


def test_gray_sums_the_slices_and_rgb_again_gives_the_originals_back():
    rgb = _rgb_network()
    gray, fit = fit_to_source(rgb, 1)
    assert gray.input_channels == 1 and fit is not None
    for before, after in zip(rgb.layers[0].bank.filters, gray.layers[0].bank.filters, strict=True):
        assert np.allclose(after.weights[:, :, 0], np.asarray(before.weights, np.float64).sum(axis=2))
    back, fit = fit_to_source(gray, 3, fit)
    assert back == rgb and fit is None
    # the plain rule would have repeated the summed slice: not the originals
    assert gray.with_input(channels=3) != rgb


def test_an_edited_layer_is_refitted_by_the_rule_not_replaced_by_the_memory():
    rgb = _rgb_network()
    gray, fit = fit_to_source(rgb, 1)
    first = gray.layers[0].bank.filters[0]
    edited = gray.set_filter(0, 0, first.with_weights(np.full_like(first.weights, 2.0)))
    back, fit = fit_to_source(edited, 3, fit)
    assert back.input_channels == 3 and back != rgb
    assert np.allclose(back.layers[0].bank.filters[0].weights, 2.0)   # 1 → 3 repeats the edit
    assert fit is not None and fit.before == edited.layers[0]


def test_deeper_layers_and_a_matching_source_are_left_alone():
    rgb = _rgb_network().set_filter_count(0, 4).insert_layer()
    same, fit = fit_to_source(rgb, 3)
    assert same is rgb and fit is None
    gray, fit = fit_to_source(rgb, 1)
    assert gray.layers[1] == rgb.layers[1]
    back, _ = fit_to_source(gray.set_settings(1, gray.layers[1].settings), 3, fit)
    assert back == rgb
