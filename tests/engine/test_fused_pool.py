"""Pooling inside the conv's bands (``rows_done``) equals pooling the finished maps.

Tiny chunks make every band boundary fall inside the image, so a window split
between two bands, or a band that does not start on a window, would show.
"""

from __future__ import annotations

import numpy as np
import pytest

import playground.engine.backend as backend_module
from playground.engine import conv_maps, kernel_paths, set_backend
from playground.engine.layer import LayerSettings, PoolSettings, run_layer
from playground.engine.row_stack import chunk_rows


@pytest.fixture
def tiny_chunks(monkeypatch):
    set_backend("numpy")
    monkeypatch.setattr(backend_module._current, "cache_bytes", 1)  # → 8-row chunks (a multiple of s)
    yield
    kernel_paths.forced_path(None)
    set_backend("numpy")


def _random_layer(seed: int, shape: tuple, k: int) -> tuple[np.ndarray, np.ndarray]:
    """A random (n_H, n_W, n_c) input and (3, 3, n_c, k) kernels."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape).astype(np.float32),
            rng.standard_normal((3, 3, shape[2], k)).astype(np.float32))


def _pool_ref(maps: np.ndarray, f: int, s: int, mode: str) -> np.ndarray:
    """Plain-loop pooling of (H, W, K) maps: square windows, no padding."""
    h, w, k = maps.shape
    out = np.empty(((h - f) // s + 1, (w - f) // s + 1, k), np.float64)
    for r in range(out.shape[0]):
        for q in range(out.shape[1]):
            window = maps[r * s:r * s + f, q * s:q * s + f].astype(np.float64)
            out[r, q] = window.max(axis=(0, 1)) if mode == "max" else window.mean(axis=(0, 1))
    return out


CASES = [
    # (n_H, n_W, n_c, K, f, padding, stride, activation, pool f, pool s, mode)
    (37, 29, 3, 4, 3, "same", 1, "relu", 2, 2, "max"),   # an odd row and column left over
    (41, 33, 2, 3, 3, 1, 1, "none", 3, 3, "avg"),        # bands of 9 rows: a multiple of 3
    (52, 31, 3, 2, 5, "valid", 2, "abs", 2, 3, "max"),   # windows smaller than the stride
    (30, 22, 1, 5, 3, "same", 1, "relu", 1, 1, "max"),   # 1×1 pooling: a copy
]


@pytest.mark.parametrize("path", kernel_paths.PATHS)
@pytest.mark.parametrize("n_h, n_w, n_c, k, f, padding, stride, activation, pf, ps, mode", CASES)
def test_pooling_in_the_bands_matches_pooling_the_maps(tiny_chunks, monkeypatch, path, n_h, n_w, n_c, k, f, padding,
                                                       stride, activation, pf, ps, mode):
    import playground.engine.layer as layer_module

    def no_second_pass(*args, **kwargs):
        raise AssertionError("windows that do not overlap are pooled in the conv's bands")

    monkeypatch.setattr(layer_module, "pool2d", no_second_pass)
    kernel_paths.forced_path(path)
    rng = np.random.default_rng(n_h * 7 + n_w)
    x = rng.standard_normal((n_h, n_w, n_c)).astype(np.float32)
    w = rng.standard_normal((f, f, n_c, k)).astype(np.float32)
    b = rng.standard_normal(k).astype(np.float32)
    settings = LayerSettings(padding=padding, stride=stride, activation=activation, pool=PoolSettings(mode, pf, ps))
    out = run_layer(x, w, b, settings, per_channel=False)
    maps = np.array(out.maps)
    assert maps.shape[0] > 16, "the case must span several bands"
    expected = _pool_ref(maps, pf, ps, mode)
    assert out.pooled.shape == expected.shape
    np.testing.assert_allclose(out.pooled, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("path", kernel_paths.PATHS)
def test_a_dilated_layer_with_per_channel_maps_pools_in_the_bands_too(tiny_chunks, path):
    kernel_paths.forced_path(path)
    settings = LayerSettings(padding=2, dilation=2, activation="relu", pool=PoolSettings("max", 2, 2))
    out = run_layer(*_random_layer(11, (44, 26, 2), 3), None, settings, per_channel=True)
    np.testing.assert_allclose(out.pooled, _pool_ref(np.array(out.maps), 2, 2, "max"), rtol=1e-5, atol=1e-5)
    # the contributions stay before the activation and sum to the maps' values
    assert np.allclose(np.maximum(np.asarray(out.contributions).sum(axis=2), 0), out.maps, atol=1e-4)


def test_overlapping_windows_are_pooled_after_the_conv(tiny_chunks):
    settings = LayerSettings(padding="same", activation="relu", pool=PoolSettings("max", 3, 2))
    out = run_layer(*_random_layer(5, (40, 24, 2), 3), None, settings, per_channel=False)
    np.testing.assert_allclose(out.pooled, _pool_ref(np.array(out.maps), 3, 2, "max"), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("path", kernel_paths.PATHS)
def test_bands_are_disjoint_aligned_and_cover_every_row(tiny_chunks, path):
    kernel_paths.forced_path(path)
    rng = np.random.default_rng(9)
    x = rng.standard_normal((47, 20, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 2)).astype(np.float32)
    seen = []

    def rows_done(first, last, rows):
        assert rows.shape == (last - first, 2, 20)
        seen.append((first, last, np.array(rows)))

    maps, _ = conv_maps(x, w, padding="same", per_channel=False, rows_done=rows_done, row_multiple=3)
    bands = sorted({(first, last): rows for first, last, rows in seen}.items())
    covered = [row for (first, last), _ in bands for row in range(first, last)]
    assert covered == list(range(47))   # every row once (re-runs while choosing a path repeat bands)
    assert all(first % 3 == 0 for (first, _), _ in bands)
    for (first, last), rows in bands:   # the band handed over is the finished maps' rows
        np.testing.assert_allclose(rows.transpose(0, 2, 1), maps[first:last], atol=1e-6)


def test_bands_take_one_image_at_a_time():
    x = np.zeros((2, 8, 8, 1), np.float32)
    with pytest.raises(ValueError, match="one image at a time"):
        conv_maps(x, np.ones((3, 3, 1, 1), np.float32), rows_done=lambda *a: None)


def test_chunks_are_a_multiple_of_the_pooling_stride():
    assert chunk_rows(480, 23_040, 1, 1, 3 << 19, multiple=2) % 2 == 0
    assert chunk_rows(480, 23_040, 1, 1, 3 << 19, multiple=3) % 3 == 0
    assert chunk_rows(100, 1_000_000, 1, 1, 1, multiple=5) == 10   # at least 8 rows, rounded up to 10
    assert chunk_rows(90, 23_040, 1, 3, 3 << 19, multiple=2) % 6 == 0   # the row phases' 3 and the 2
