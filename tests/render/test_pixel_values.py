"""The exact values at chosen pixels equal the full-size maps' values there."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import conv_maps
from playground.engine.shapes import resolve_padding
from playground.render.pixel_values import values_at

from .cases import random_case as _case


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
    from playground.render import pixel_values

    monkeypatch.setattr(pixel_values, "choose", lambda key, candidates: way)   # each way of reading, in turn
    pixel_values._TAP_INDEX.clear()

    x, w, _ = _case(3, (40, 52), f, 5)
    pads = resolve_padding(padding, (40, 52), (f, f), (stride, stride), (dilation, dilation))
    _, contributions = conv_maps(x, w, stride=stride, padding=pads, dilation=dilation)
    h, w_out = contributions.shape[:2]
    rng = np.random.default_rng(f)
    rows, cols = rng.integers(0, h, 400), rng.integers(0, w_out, 400)
    plan = pixel_values._gather_plan(x.shape, f, f, pads, stride, dilation, rows, cols)
    assert len(plan[0]) > 100 and len(plan[3]) > 20   # both ways of reading a window are used
    got = values_at(x, w, False, pads, stride, dilation, rows, cols)
    np.testing.assert_allclose(got.transpose(1, 0, 2), contributions[rows, cols], atol=1e-5)


def test_values_at_gathers_a_wide_deep_layer_in_bounded_blocks(monkeypatch):
    """64 channels × 11×11 taps at 6,000 pixels would gather 370 MB at once: blocks give the same values."""
    from playground.render import pixel_values

    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 50, 6)).astype(np.float32)
    w = rng.standard_normal((5, 5, 6, 3)).astype(np.float32)
    rows, cols = rng.integers(0, 36, 300), rng.integers(0, 46, 300)
    whole = pixel_values.values_at(x, w, False, ((0, 0), (0, 0)), 1, 1, rows, cols).copy()
    calls = []
    real_block = pixel_values._values_block

    def counted(*args, **kwargs):
        calls.append(len(args[5]))
        return real_block(*args, **kwargs)

    monkeypatch.setattr(pixel_values, "_MAX_GATHER", 6 * 25 * 64)  # 64 pixels a block
    monkeypatch.setattr(pixel_values, "_values_block", counted)
    blocked = pixel_values.values_at(x, w, False, ((0, 0), (0, 0)), 1, 1, rows, cols)
    assert max(calls) <= 64 and sum(calls) == 300
    np.testing.assert_allclose(blocked, whole, rtol=1e-5, atol=1e-5)


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
