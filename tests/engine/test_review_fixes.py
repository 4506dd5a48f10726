"""Regressions from review: memory bounds, error paths, messages, mixed inputs."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import playground.engine.backend as backend_module
from playground.engine import buffers, conv2d, conv2d_per_channel, output_size, set_backend


def _cached_bytes(cache) -> int:
    return sum(sum(b.nbytes for b in v) if isinstance(v, list) else v.nbytes for v in cache.values())


def test_idle_buffers_stay_within_the_byte_budget(monkeypatch):
    # Many geometries (as a person trying K and f in the app) must not pile up idle buffers.
    monkeypatch.setattr(buffers, "MAX_BYTES", 2 << 20)
    x = np.random.default_rng(0).random((120, 160, 3), dtype=np.float32)
    for k in range(4, 16):
        for f in (3, 5):
            conv2d(x, np.ones((f, f, 3, k), np.float32), padding="same")
    for cache in (buffers._results, buffers._scratch):
        newest = next(reversed(cache.values()))
        newest_bytes = sum(b.nbytes for b in newest) if isinstance(newest, list) else newest.nbytes
        assert _cached_bytes(cache) <= max(2 << 20, newest_bytes)
    # and results handed out before eviction are still intact
    a = conv2d(x, np.ones((3, 3, 3, 2), np.float32))
    kept = a.copy()
    for k in range(20, 30):
        conv2d(x, np.ones((3, 3, 3, k), np.float32))
    np.testing.assert_array_equal(a, kept)


def test_a_failing_band_surfaces_only_after_every_band_finished():
    set_backend("numpy")
    backend = backend_module._current
    if backend.workers < 2:
        pytest.skip("needs two worker threads")
    finished = threading.Event()

    def job(first, last):
        if first == 0:
            raise RuntimeError("band 0 failed")
        time.sleep(0.2)
        finished.set()

    with pytest.raises(RuntimeError, match="band 0 failed"):
        backend.run_bands(2, job)
    assert finished.is_set()


def test_float64_weights_beyond_float32_range_get_their_own_message():
    x = np.ones((5, 5, 1), np.float32)
    w = np.full((3, 3, 1, 1), 1e39)
    with pytest.raises(ValueError, match="float32"):
        conv2d(x, w)
    with pytest.raises(ValueError, match="NaN or inf"):
        conv2d(x, np.full((3, 3, 1, 1), np.inf))


def test_output_size_names_a_malformed_padding_pair():
    with pytest.raises(ValueError, match="padding must be p or \\(before, after\\)"):
        output_size(6, 3, (1, 2, 3))


def test_weights_given_as_lists_follow_x():
    x = np.random.default_rng(1).random((6, 6, 2), dtype=np.float32)
    w = [[[[1.0], [0.0]]] * 3] * 3  # (3, 3, 2, 1) as nested lists
    np.testing.assert_allclose(conv2d(x, w, [0.5]), conv2d(x, np.asarray(w, np.float32), np.float32([0.5])))
    assert conv2d_per_channel(x, w).shape == (4, 4, 2, 1)
