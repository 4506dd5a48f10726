"""Reused buffers must never change a result the caller still holds."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from playground.engine import conv2d, conv_maps, pool2d


@pytest.fixture
def frame():
    return np.random.default_rng(3).random((48, 64, 3), dtype=np.float32)


def _bank(seed, k=4):
    return np.random.default_rng(seed).standard_normal((3, 3, 3, k)).astype(np.float32)


def test_earlier_result_survives_later_calls(frame):
    first = conv2d(frame, _bank(1), padding="same")
    kept = first.copy()
    for seed in range(2, 6):  # more calls than the recycler keeps buffers
        conv2d(frame, _bank(seed), padding="same")
    np.testing.assert_array_equal(first, kept)


def test_view_of_a_result_keeps_it_alive(frame):
    first = conv2d(frame, _bank(1), padding="same")
    channel = first[..., 2]
    kept = channel.copy()
    del first
    for seed in range(2, 6):
        conv2d(frame, _bank(seed), padding="same")
    np.testing.assert_array_equal(channel, kept)


def test_released_result_buffer_is_reused(frame):
    # Reuse is the point (fresh big arrays page-fault every frame): once the
    # caller drops a result, the next call with the same shape writes into it.
    first = conv2d(frame, _bank(1), padding="same")
    address = first.__array_interface__["data"][0]
    del first
    second = conv2d(frame, _bank(2), padding="same")
    assert second.__array_interface__["data"][0] == address
    np.testing.assert_allclose(second, conv2d(frame, _bank(2), padding="same"))


def test_pooled_result_survives_later_pooling(frame):
    maps = conv2d(frame, _bank(1), padding="same")
    pooled = pool2d(maps, 2)
    kept = pooled.copy()
    pool2d(maps * 2, 2)
    pool2d(maps * 3, 2, mode="avg")
    np.testing.assert_array_equal(pooled, kept)


def test_concurrent_callers_with_the_same_geometry_get_their_own_answers():
    # A GUI thread and a worker may run the same layer at once: scratch stacks
    # must not be shared between them.
    # different frames of one size (the stack holds the frame), big enough that
    # the copies and GEMMs release the GIL for a while
    rng = np.random.default_rng(4)
    frames = [rng.random((240, 320, 3), dtype=np.float32) for _ in range(4)]
    banks = [_bank(seed, k=6) for seed in range(4)]
    expected = [np.ascontiguousarray(conv_maps(f, w, padding="same")[1]) for f, w in zip(frames, banks, strict=True)]
    errors = []

    def worker(index):
        w = banks[index]
        for _ in range(15):
            _, per_channel = conv_maps(frames[index], w, padding="same")
            if not np.allclose(per_channel, expected[index], atol=1e-5):
                errors.append(index)
                return

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(banks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
