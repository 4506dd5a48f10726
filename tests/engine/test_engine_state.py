"""The engine reuses buffers between calls: earlier results must never change, a call
must not see the previous call's data, and concurrent calls must not mix."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from reference import (
    assert_conv_close,
    conv2d_per_channel_ref,
    conv2d_ref,
    conv2d_taps_ref,
    pool2d_ref,
    pool2d_taps_ref,
)

from playground.engine import conv2d, conv2d_per_channel, pool2d


def _images(count, shape, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(np.float32) for _ in range(count)]


def test_earlier_results_are_not_overwritten():
    rng = np.random.default_rng(40)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    xs = _images(4, (20, 24, 3), 41)
    results = [conv2d(x, w, padding="same") for x in xs]
    copies = [np.array(r, copy=True) for r in results]
    for _ in range(3):  # more calls with the same geometry
        conv2d(xs[0] * 2, w, padding="same")
    for r, c, x in zip(results, copies, xs, strict=True):
        np.testing.assert_array_equal(r, c)
        assert_conv_close(r, conv2d_ref(x, w, padding="same"), x, w)


def test_views_of_earlier_results_are_not_overwritten():
    rng = np.random.default_rng(42)
    w = rng.standard_normal((3, 3, 2, 3)).astype(np.float32)
    x1, x2 = _images(2, (16, 16, 2), 43)
    first = conv2d(x1, w)
    one_map = first[:, :, 1]  # keep only a view of one filter's map
    expected = np.array(one_map, copy=True)
    del first
    for _ in range(3):
        conv2d(x2, w)
    np.testing.assert_array_equal(one_map, expected)


def test_earlier_pool_and_per_channel_results_are_kept():
    rng = np.random.default_rng(44)
    x1, x2 = _images(2, (2, 12, 12, 3), 45)
    p1 = pool2d(x1, 2)
    p1_copy = np.array(p1, copy=True)
    w = rng.standard_normal((3, 3, 3, 2)).astype(np.float32)
    c1 = conv2d_per_channel(x1, w)
    c1_copy = np.array(c1, copy=True)
    pool2d(x2, 2)
    conv2d_per_channel(x2, w)
    conv2d(x2, w)
    np.testing.assert_array_equal(p1, p1_copy)
    np.testing.assert_array_equal(c1, c1_copy)


def test_results_do_not_alias_each_other():
    rng = np.random.default_rng(46)
    w = rng.standard_normal((3, 3, 1, 2)).astype(np.float32)
    x1, x2 = _images(2, (10, 10, 1), 47)
    a = conv2d(x1, w)
    b = conv2d(x2, w)
    assert not np.shares_memory(a, b)
    a[...] = 0  # writing into one result leaves the next calls alone
    assert_conv_close(conv2d(x2, w), conv2d_ref(x2, w), x2, w)


def test_repeated_calls_with_changing_geometry():
    # alternate geometries so that cached work buffers are reused, evicted and rebuilt
    rng = np.random.default_rng(48)
    geoms = [
        ((9, 11, 2), (3, 3), dict(padding="same")),
        ((9, 11, 2), (4, 2), dict(padding=((2, 0), (0, 3)), stride=2)),
        ((9, 11, 2), (3, 3), dict(padding="valid", dilation=2)),
        ((2, 9, 11, 2), (3, 3), dict(padding="same", stride=(2, 1))),
    ]
    for rnd in range(3):
        for shape, f, kw in geoms:
            x = (rng.standard_normal(shape) * (rnd + 1)).astype(np.float32)
            w = rng.standard_normal((f[0], f[1], 2, 3)).astype(np.float32)
            assert_conv_close(conv2d(x, w, **kw), conv2d_ref(x, w, **kw), x, w)
            assert_conv_close(conv2d_per_channel(x, w, **kw), conv2d_per_channel_ref(x, w, **kw), x, w)
    # many distinct geometries, then the first again
    x0 = rng.standard_normal((8, 8, 1)).astype(np.float32)
    w0 = rng.standard_normal((3, 3, 1, 1)).astype(np.float32)
    assert_conv_close(conv2d(x0, w0, padding=1), conv2d_ref(x0, w0, padding=1), x0, w0)
    for n in range(6, 30):
        x = rng.standard_normal((n, n, 1)).astype(np.float32)
        conv2d(x, w0, padding=1)
        pool2d(x, 2)
    x0 = rng.standard_normal((8, 8, 1)).astype(np.float32)
    assert_conv_close(conv2d(x0, w0, padding=1), conv2d_ref(x0, w0, padding=1), x0, w0)


def test_pool_after_pool_with_other_data():
    xs = _images(3, (7, 7, 2), 49)
    for x in xs:
        for mode in ("max", "avg"):
            np.testing.assert_allclose(pool2d(x, 3, 2, 1, mode), pool2d_ref(x, 3, 2, 1, mode), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("what", ["conv2d", "conv2d_per_channel", "pool2d"])
def test_concurrent_calls_with_the_same_geometry(what):
    """Workers (live view, export) may call the engine at once; results must not mix."""
    rng = np.random.default_rng(50)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    xs = _images(8, (120, 160, 3), 51)
    if what == "conv2d":
        def run(x):
            return conv2d(x, w, padding="same")

        def expect(x):
            return conv2d_taps_ref(x, w, padding="same")
    elif what == "conv2d_per_channel":
        def run(x):
            return conv2d_per_channel(x, w, padding="same")

        def expect(x):
            return np.stack([conv2d_taps_ref(x[..., c:c + 1], w[:, :, c:c + 1], padding="same") for c in range(3)],
                            axis=-2)
    else:
        def run(x):
            return pool2d(x, 3, 2, 1, "max")

        def expect(x):
            return pool2d_taps_ref(x, 3, 2, 1, "max")

    expected = [expect(x) for x in xs]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            got = list(pool.map(lambda x: np.array(run(x), copy=True), xs))
            for g, e, x in zip(got, expected, xs, strict=True):
                if what == "pool2d":
                    np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-6)
                else:
                    assert_conv_close(g, e, x, w)


def test_asnumpy_returns_host_arrays_unchanged():
    from playground.engine import asnumpy

    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert asnumpy(a) is a
    assert isinstance(asnumpy([1, 2]), np.ndarray)
