"""OnDemandArray: shape at once, values computed once on first read, from any thread."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from playground.live.on_demand import OnDemandArray, SharedResult


def test_shape_without_computing():
    calls = []
    lazy = OnDemandArray((4, 5, 2), lambda: calls.append(1) or np.zeros((4, 5, 2), np.float32))
    assert lazy.shape == (4, 5, 2) and lazy.ndim == 3 and lazy.size == 40 and len(lazy) == 4
    assert lazy.dtype == np.float32
    assert not calls and not lazy.computed


def test_first_read_computes_once():
    calls = []
    values = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    lazy = OnDemandArray(values.shape, lambda: calls.append(1) or values)
    assert lazy[1, 2, 3] == 23
    np.testing.assert_array_equal(np.asarray(lazy), values)
    assert lazy.max() == 23 and lazy.copy().sum() == values.sum()
    np.testing.assert_array_equal(lazy[:, :, 1], values[:, :, 1])
    assert calls == [1] and lazy.computed


def test_point_reads_do_not_compute_the_whole_array():
    calls = []
    lazy = OnDemandArray((3, 4, 2), lambda: calls.append(1) or np.zeros((3, 4, 2)),
                         point=lambda row, col: np.array([row * 10.0 + col, -1.0]))
    assert lazy[2, 3, 0] == 23.0 and lazy[-1, -1, 1] == -1.0
    with pytest.raises(IndexError):
        lazy[3, 0, 0]
    assert not calls


def test_arrays_sharing_one_result_compute_it_once():
    calls = []
    shared = SharedResult(lambda: calls.append(1) or (np.ones((2, 2)), np.zeros((2, 2))))
    a = OnDemandArray((2, 2), shared, pick=lambda pair: pair[0])
    b = OnDemandArray((2, 2), shared, pick=lambda pair: pair[1])
    assert a.sum() == 4
    assert b.computed  # the shared run made both
    assert b.sum() == 0
    assert calls == [1]


def test_concurrent_readers_share_one_computation():
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.05)
        return np.ones((8, 8), np.float32)

    lazy = OnDemandArray((8, 8), slow)
    results = []
    threads = [threading.Thread(target=lambda: results.append(float(lazy.sum()))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [64.0] * 4 and calls == [1]
