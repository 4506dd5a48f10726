"""The CPU path computes output rows in cache-sized chunks, each thread reusing one
small stack. Force tiny chunks so every chunk boundary, the padding rows of the
first and last chunks, and the row phases of dilated, strided kernels are crossed
on small images, and compare with the loop reference."""

from __future__ import annotations

import numpy as np
import pytest
from reference import conv2d_per_channel_ref, conv2d_ref

import playground.engine.backend as backend_module
from playground.engine import conv2d, conv_maps, set_backend
from playground.engine.row_stack import chunk_rows


@pytest.fixture
def tiny_chunks(monkeypatch):
    set_backend("numpy")
    monkeypatch.setattr(backend_module._current, "cache_bytes", 1)  # → 8-row chunks
    yield
    set_backend("numpy")


CASES = [
    # (n_H, n_W, n_c, K, f, stride, padding, dilation)
    (37, 23, 3, 4, 3, 1, "same", 1),
    (41, 19, 2, 3, 5, 2, "same", 1),
    (60, 17, 3, 2, 3, (3, 1), ((4, 1), (0, 2)), 2),
    (50, 21, 1, 3, 3, (2, 2), 2, 3),
    (44, 16, 2, 2, 4, (1, 2), ((0, 3), (1, 1)), (2, 1)),
    (33, 12, 3, 5, 1, 1, 0, 1),
]


@pytest.mark.parametrize("n_h, n_w, n_c, k, f, stride, padding, dilation", CASES)
def test_many_small_chunks_match_the_reference(tiny_chunks, n_h, n_w, n_c, k, f, stride, padding, dilation):
    rng = np.random.default_rng(n_h * 100 + n_w)
    x = rng.standard_normal((2, n_h, n_w, n_c)).astype(np.float32)
    w = rng.standard_normal((f, f, n_c, k)).astype(np.float32)
    b = rng.standard_normal(k).astype(np.float32)
    kwargs = dict(stride=stride, padding=padding, dilation=dilation)
    expected = conv2d_ref(x, w, b, **kwargs)
    got = conv2d(x, w, b, **kwargs)
    assert got.shape[1] > 16, "the case must span several 8-row chunks"
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    maps, per_channel = conv_maps(x, w, b, **kwargs)
    np.testing.assert_allclose(maps, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(per_channel, conv2d_per_channel_ref(x, w, **kwargs), rtol=1e-4, atol=1e-4)


def test_chunk_rows_fit_the_cache_and_keep_row_phases_aligned():
    assert chunk_rows(480, 27_648, 1, 1, 3 << 19) == 54        # 1.5 MB fits 56 rows: 9 equal chunks of 54
    assert chunk_rows(480, 27_648, 2, 1, 3 << 19) == 27        # stride 2 reads twice the rows: 28 fit
    assert chunk_rows(480, 23_040, 1, 1, 3 << 19, workers=2) == 60  # 68 fit: 8 chunks, 4 per thread
    assert chunk_rows(240, 11_520, 2, 1, 3 << 19, workers=2) == 60  # not 68, 68, 68, 36
    assert chunk_rows(100, 10**9, 1, 1, 1 << 20) == 8          # never fewer than 8 rows
    assert chunk_rows(100, 100, 1, 3, 1 << 20) % 3 == 0        # multiple of d_H / gcd(s_H, d_H)
    assert chunk_rows(100, 100, 3, 3, 1 << 20) == 100          # gcd 3: any start is phase 0
    assert chunk_rows(480, 27_648, 1, 1, None) == 480          # GPU: one chunk
