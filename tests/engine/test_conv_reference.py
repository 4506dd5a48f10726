"""conv2d / conv2d_per_channel against the float64 loop reference in reference.py."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from reference import (
    assert_conv_close,
    conv2d_per_channel_ref,
    conv2d_ref,
    conv2d_taps_ref,
    conv_tolerance,
    effective_size,
    resolve_padding,
)

from playground.engine import conv2d, conv2d_per_channel

# (x_shape, (f_H, f_W), K, stride, padding, dilation, flip, bias)
CASES = [
    # odd square kernels, the plain cases
    ((7, 7, 1), (3, 3), 1, 1, "valid", 1, False, False),
    ((7, 8, 3), (3, 3), 2, 1, "valid", 1, False, True),
    ((6, 6, 3), (1, 1), 5, 1, "valid", 1, False, True),
    ((9, 9, 2), (5, 5), 3, 1, "valid", 1, True, True),
    ((8, 7, 4), (3, 3), 4, 1, "same", 1, False, True),
    ((8, 7, 1), (5, 5), 2, 1, "same", 1, True, False),
    ((5, 6, 2), (3, 3), 1, 1, 1, 1, False, True),
    ((5, 6, 2), (3, 3), 2, 1, 2, 1, False, False),
    # even and rectangular kernels
    ((7, 7, 2), (2, 2), 3, 1, "valid", 1, False, True),
    ((7, 8, 1), (4, 4), 2, 1, "valid", 1, True, False),
    ((6, 9, 3), (6, 6), 2, 1, "valid", 1, False, True),
    ((8, 8, 2), (2, 2), 2, 1, "same", 1, False, True),
    ((7, 9, 3), (4, 4), 1, 1, "same", 1, True, False),
    ((8, 8, 2), (6, 6), 2, 1, "same", 1, False, True),
    ((7, 9, 2), (2, 3), 3, 1, "valid", 1, False, True),
    ((9, 7, 3), (3, 2), 2, 1, "valid", 1, True, True),
    ((8, 9, 1), (1, 4), 2, 1, "same", 1, False, False),
    ((8, 9, 2), (5, 2), 2, 1, "same", 1, True, True),
    ((6, 10, 2), (3, 5), 4, 1, (1, 2), 1, False, True),
    # strides, ints and pairs
    ((9, 9, 3), (3, 3), 2, 2, "valid", 1, False, True),
    ((10, 11, 2), (3, 3), 3, 3, "valid", 1, False, True),
    ((10, 10, 1), (4, 4), 1, 2, "valid", 1, True, False),
    ((11, 9, 2), (3, 3), 2, (1, 2), "valid", 1, False, True),
    ((11, 9, 2), (2, 3), 2, (3, 1), 1, 1, False, True),
    ((12, 12, 3), (5, 5), 2, (2, 3), 2, 1, True, True),
    # "same" with stride and even kernels: output size == input size
    ((9, 9, 2), (3, 3), 2, 2, "same", 1, False, True),
    ((10, 10, 2), (3, 3), 2, 2, "same", 1, False, True),
    ((10, 11, 1), (4, 4), 3, 2, "same", 1, False, True),
    ((7, 8, 3), (2, 2), 2, 3, "same", 1, True, True),
    ((11, 10, 2), (5, 4), 2, 3, "same", 1, False, False),
    ((9, 10, 2), (3, 2), 1, (2, 3), "same", 1, False, True),
    ((6, 6, 1), (6, 6), 1, 2, "same", 1, False, False),
    # explicit asymmetric padding
    ((6, 7, 2), (3, 3), 2, 1, ((0, 2), (1, 0)), 1, False, True),
    ((6, 7, 2), (4, 2), 2, 2, ((1, 2), (3, 0)), 1, True, True),
    ((5, 5, 1), (3, 3), 1, 1, ((2, 0), (0, 2)), 1, False, False),
    ((5, 5, 3), (2, 3), 3, (1, 2), ((0, 1), (2, 1)), 1, False, True),
    # kernel larger than the input but not than the padded input
    ((4, 4, 1), (5, 5), 1, 1, 1, 1, False, True),
    ((3, 5, 2), (6, 3), 2, 1, ((2, 1), (0, 0)), 1, False, False),
    # dilation
    ((9, 9, 1), (3, 3), 1, 1, "valid", 2, False, False),
    ((11, 10, 2), (3, 3), 2, 1, "valid", 3, False, True),
    ((9, 9, 2), (2, 2), 2, 1, "valid", 2, True, True),
    ((10, 9, 3), (3, 2), 2, 2, "valid", 2, False, True),
    ((8, 8, 2), (3, 3), 2, 1, "same", 2, False, True),
    ((9, 8, 2), (2, 2), 2, 1, "same", 3, True, True),
    ((10, 10, 1), (3, 3), 2, 2, "same", 2, False, True),
    ((10, 9, 2), (4, 3), 1, 3, "same", 2, True, False),
    ((9, 9, 2), (3, 3), 2, 2, 1, 2, False, True),
    ((9, 9, 2), (3, 3), 2, 1, ((0, 3), (2, 1)), 2, True, True),
    # batches
    ((1, 6, 6, 3), (3, 3), 2, 1, "valid", 1, False, True),
    ((2, 7, 6, 2), (3, 3), 3, 2, "same", 1, False, True),
    ((3, 6, 7, 1), (2, 2), 1, 1, "valid", 1, True, False),
    ((2, 8, 8, 3), (4, 4), 2, 2, ((1, 0), (0, 1)), 1, False, True),
    ((3, 9, 8, 2), (3, 3), 2, (1, 2), "same", 2, True, True),
    ((2, 5, 5, 4), (1, 1), 5, 1, "valid", 1, False, True),
    # single-pixel outputs
    ((3, 3, 2), (3, 3), 2, 1, "valid", 1, False, True),
    ((5, 5, 1), (3, 3), 1, 3, "valid", 2, False, True),
]


def _case_id(case):
    shape, f, K, s, p, d, flip, bias = case
    kind = "flip" if flip else "xcorr"
    return f"x{'x'.join(map(str, shape))}-f{f[0]}x{f[1]}-K{K}-s{s}-p{p}-d{d}-{kind}{'-b' if bias else ''}"


def _data(seed, shape, f, K, bias):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((f[0], f[1], shape[-1], K)).astype(np.float32)
    b = rng.standard_normal(K).astype(np.float32) if bias else None
    return x, w, b


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_conv2d_matches_loop_reference(case):
    shape, f, K, stride, padding, dilation, flip, bias = case
    x, w, b = _data(zlib.crc32(_case_id(case).encode()), shape, f, K, bias)
    x0, w0 = x.copy(), w.copy()
    got = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, flip=flip)
    assert isinstance(got, np.ndarray)
    assert got.dtype == np.float32
    expected = conv2d_ref(x, w, b, stride=stride, padding=padding, dilation=dilation, flip=flip)
    assert_conv_close(got, expected, x, w, b)
    # inputs are never modified
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)


@pytest.mark.parametrize("case", CASES[::2], ids=[_case_id(c) for c in CASES[::2]])
def test_conv2d_per_channel_matches_loop_reference(case):
    shape, f, K, stride, padding, dilation, flip, bias = case
    x, w, b = _data(zlib.crc32(_case_id(case).encode()) + 1, shape, f, K, bias)
    got = conv2d_per_channel(x, w, stride=stride, padding=padding, dilation=dilation, flip=flip)
    assert isinstance(got, np.ndarray)
    assert got.dtype == np.float32
    expected = conv2d_per_channel_ref(x, w, stride=stride, padding=padding, dilation=dilation, flip=flip)
    assert_conv_close(got, expected, x, w)
    # summing the channel contributions and adding b gives conv2d
    full = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, flip=flip)
    summed = np.asarray(got, dtype=np.float64).sum(axis=-2)
    if b is not None:
        summed = summed + b
    assert_conv_close(full, summed, x, w, b)


SAME_CASES = [
    (n_H, n_W, f, s, d)
    for (n_H, n_W) in [(7, 7), (8, 6), (5, 9), (1, 4)]
    for f in (1, 2, 3, 4, 5)
    for s in (1, 2, 3)
    for d in (1, 2)
]


@pytest.mark.parametrize("n_H,n_W,f,s,d", SAME_CASES)
def test_same_padding_keeps_input_size_for_any_stride(n_H, n_W, f, s, d):
    rng = np.random.default_rng(n_H * 1000 + n_W * 100 + f * 10 + s + d)
    x = rng.standard_normal((n_H, n_W, 2)).astype(np.float32)
    w = rng.standard_normal((f, f, 2, 3)).astype(np.float32)
    got = conv2d(x, w, stride=s, padding="same", dilation=d)
    assert got.shape == (n_H, n_W, 3)
    if n_H * n_W <= 42:  # values too, on the smaller ones
        assert_conv_close(got, conv2d_ref(x, w, stride=s, padding="same", dilation=d), x, w)


@pytest.mark.parametrize("shape,f,stride,padding,dilation,flip", [
    ((7, 7), (3, 3), 1, "valid", 1, False),
    ((7, 9), (3, 3), 1, "same", 1, True),
    ((8, 8), (2, 4), 2, "same", 1, False),
    ((9, 8), (3, 3), (2, 1), ((1, 0), (2, 2)), 2, True),
    ((6, 6), (1, 1), 1, 0, 1, False),
    ((10, 10), (5, 5), 3, 2, 1, False),
])
def test_conv2d_two_dimensional_input_and_kernel(shape, f, stride, padding, dilation, flip):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal(f).astype(np.float32)
    got = conv2d(x, w, stride=stride, padding=padding, dilation=dilation, flip=flip)
    assert got.ndim == 2
    assert got.dtype == np.float32
    expected = conv2d_ref(x, w, stride=stride, padding=padding, dilation=dilation, flip=flip)
    assert_conv_close(got, expected, x, w)
    # and the same as the 3-D form with one channel and one filter
    got3 = conv2d(x[:, :, None], w[:, :, None, None], stride=stride, padding=padding, dilation=dilation, flip=flip)
    assert_conv_close(got3[:, :, 0], expected, x, w)


def test_batched_equals_each_image_alone():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 9, 8, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    batch = conv2d(x, w, b, stride=2, padding="same")
    assert batch.shape == (3, 9, 8, 4)
    for i in range(3):
        single = conv2d(x[i], w, b, stride=2, padding="same")
        assert single.shape == (9, 8, 4)
        np.testing.assert_allclose(batch[i], single, rtol=1e-5, atol=1e-5)
    pc = conv2d_per_channel(x, w, stride=2, padding="same")
    assert pc.shape == (3, 9, 8, 3, 4)
    np.testing.assert_allclose(pc[1], conv2d_per_channel(x[1], w, stride=2, padding="same"), rtol=1e-5, atol=1e-5)


def test_padding_forms_agree():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((7, 8, 2)).astype(np.float32)
    w = rng.standard_normal((3, 3, 2, 2)).astype(np.float32)
    a = conv2d(x, w, padding=1)
    for form in [(1, 1), ((1, 1), (1, 1)), "same"]:
        np.testing.assert_allclose(conv2d(x, w, padding=form), a, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(conv2d(x, w, padding=0), conv2d(x, w, padding="valid"), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(conv2d(x, w, stride=(2, 2)), conv2d(x, w, stride=2), rtol=1e-5, atol=1e-5)


def test_flip_equals_cross_correlation_with_rotated_kernel():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 8, 9, 3)).astype(np.float32)
    w = rng.standard_normal((3, 4, 3, 2)).astype(np.float32)
    flipped = conv2d(x, w, flip=True, padding="same", stride=2)
    rotated = conv2d(x, np.ascontiguousarray(w[::-1, ::-1]), padding="same", stride=2)
    np.testing.assert_allclose(flipped, rotated, rtol=1e-5, atol=1e-5)
    # and an asymmetric kernel really changes the result
    assert not np.allclose(flipped, conv2d(x, w, padding="same", stride=2), atol=1e-3)


# ---------------------------------------------------------------- layouts and dtypes

def _layouts():
    rng = np.random.default_rng(21)
    base = rng.standard_normal((12, 14, 6)).astype(np.float32)
    return {
        "transposed": base.transpose(1, 0, 2)[:, :, :3],
        "strided-slice": base[::2, 1::2, ::2],
        "negative-strides": base[::-1, ::-1, :3],
        "fortran": np.asfortranarray(base[:, :, 1:4]),
        "channel-first-view": np.ascontiguousarray(base[:, :, :3].transpose(2, 0, 1)).transpose(1, 2, 0),
    }


@pytest.mark.parametrize("layout", list(_layouts()))
def test_non_contiguous_inputs(layout):
    x = _layouts()[layout]
    rng = np.random.default_rng(22)
    wbase = rng.standard_normal((4, 3, 6, 4)).astype(np.float32)
    w = wbase[::-1, :, ::2, :]  # a non-contiguous kernel too
    b = rng.standard_normal(4).astype(np.float32)
    for kwargs in ({}, {"stride": 2, "padding": "same"}, {"padding": ((1, 0), (0, 2)), "dilation": 2, "flip": True}):
        got = conv2d(x, w, b, **kwargs)
        assert_conv_close(got, conv2d_ref(x, w, b, **kwargs), x, w, b)
    got = conv2d_per_channel(x, w, stride=(1, 2), padding=1)
    assert_conv_close(got, conv2d_per_channel_ref(x, w, stride=(1, 2), padding=1), x, w)


def test_non_contiguous_batch():
    rng = np.random.default_rng(23)
    base = rng.standard_normal((4, 10, 9, 3)).astype(np.float32)
    x = base[::2].transpose(0, 2, 1, 3)  # (2, 9, 10, 3), non-contiguous
    w = rng.standard_normal((3, 3, 3, 2)).astype(np.float32)
    got = conv2d(x, w, stride=2, padding="same")
    assert_conv_close(got, conv2d_ref(x, w, stride=2, padding="same"), x, w)


def test_float64_inputs_give_float32():
    rng = np.random.default_rng(24)
    x = rng.standard_normal((7, 6, 2))
    w = rng.standard_normal((3, 3, 2, 3))
    b = rng.standard_normal(3)
    got = conv2d(x, w, b, padding="same")
    assert got.dtype == np.float32
    assert_conv_close(got, conv2d_ref(x, w, b, padding="same"), x, w, b)
    pc = conv2d_per_channel(x, w)
    assert pc.dtype == np.float32
    assert_conv_close(pc, conv2d_per_channel_ref(x, w), x, w)


def test_uint8_image_gives_float32_without_overflow():
    rng = np.random.default_rng(25)
    x = rng.integers(0, 256, size=(9, 10, 3), dtype=np.uint8)
    x[2:5, 2:5] = 255  # a bright block so that sums overflow any 8-bit arithmetic
    w = np.ones((3, 3, 3, 2), dtype=np.float32)
    w[..., 1] = rng.standard_normal((3, 3, 3))
    got = conv2d(x, w, padding=1)
    assert got.dtype == np.float32
    expected = conv2d_ref(x, w, padding=1)
    assert_conv_close(got, expected, x, w)
    assert got[3, 3, 0] == pytest.approx(27 * 255)
    # uint8 weights too
    wu = np.full((2, 2, 3, 1), 200, dtype=np.uint8)
    got = conv2d(x, wu)
    assert got.dtype == np.float32
    assert_conv_close(got, conv2d_ref(x, wu), x, wu)


def test_integer_stride_and_padding_types():
    x = np.arange(64, dtype=np.float32).reshape(8, 8, 1)
    w = np.ones((3, 3, 1, 1), dtype=np.float32)
    got = conv2d(x, w, stride=np.int64(2), padding=np.int64(1))
    assert_conv_close(got, conv2d_ref(x, w, stride=2, padding=1), x, w)


# ---------------------------------------------------------------- big images (fast paths)

BIG_CASES = [
    # (x_shape, f, n_c->K, stride, padding, dilation, flip)
    ((480, 640, 3), 3, 8, 1, "valid", 1, False),
    ((480, 640, 3), 3, 8, 1, "same", 1, False),
    ((480, 640, 3), 3, 8, 2, "valid", 1, False),
    ((480, 640, 3), 3, 8, 2, "same", 1, True),
    ((240, 320, 3), 5, 4, 1, "same", 2, False),
    ((2, 120, 160, 3), 4, 6, (2, 1), "same", 1, False),
    ((96, 128, 16), 3, 16, 1, "same", 1, False),
    ((200, 300, 1), 7, 3, 3, ((2, 1), (0, 3)), 1, True),
    ((360, 480, 8), 1, 5, 1, "valid", 1, False),
]


BIG_IDS = [f"{'x'.join(map(str, c[0]))}-f{c[1]}-K{c[2]}-s{c[3]}-{c[4]}-d{c[5]}" for c in BIG_CASES]


@pytest.mark.parametrize("case", BIG_CASES, ids=BIG_IDS)
def test_big_images_match_taps_reference(case):
    shape, f, K, stride, padding, dilation, flip = case
    rng = np.random.default_rng(sum(shape) + f + K)
    x = rng.random(shape, dtype=np.float32)
    w = rng.standard_normal((f, f, shape[-1], K)).astype(np.float32)
    b = rng.standard_normal(K).astype(np.float32)
    got = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, flip=flip)
    assert got.dtype == np.float32
    expected = conv2d_taps_ref(x, w, b, stride=stride, padding=padding, dilation=dilation, flip=flip)
    assert_conv_close(got, expected, x, w, b)
    if padding == "same":
        assert got.shape[-3:-1] == shape[-3:-1]


def test_big_image_per_channel_matches_taps_reference():
    rng = np.random.default_rng(31)
    x = rng.random((240, 320, 3), dtype=np.float32)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    got = conv2d_per_channel(x, w, padding="same", stride=2)
    assert got.shape == (240, 320, 3, 4)
    for c in range(3):
        # channel c alone: zero the other channels' weights
        wc = np.zeros_like(w)
        wc[:, :, c, :] = w[:, :, c, :]
        expected = conv2d_taps_ref(x, wc, padding="same", stride=2)
        np.testing.assert_allclose(got[:, :, c, :], expected, rtol=1e-4, atol=conv_tolerance(x, w))


def test_big_uint8_frame():
    rng = np.random.default_rng(32)
    x = rng.integers(0, 256, size=(480, 640, 3), dtype=np.uint8)
    w = rng.standard_normal((3, 3, 3, 8)).astype(np.float32)
    got = conv2d(x, w, padding="same")
    assert got.dtype == np.float32
    assert_conv_close(got, conv2d_taps_ref(x, w, padding="same"), x, w)


# ---------------------------------------------------------------- seeded random sweep

def _random_cases(count, seed=2024):
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < count:
        batched = rng.random() < 0.3
        n_H, n_W = (int(v) for v in rng.integers(3, 13, 2))
        n_c, K = int(rng.integers(1, 5)), int(rng.integers(1, 6))
        f_H, f_W = (int(v) for v in rng.integers(1, 7, 2))
        stride = int(rng.integers(1, 4)) if rng.random() < 0.5 else tuple(int(v) for v in rng.integers(1, 5, 2))
        dilation = int(rng.integers(1, 4))
        form = int(rng.integers(0, 5))
        padding = ["valid", "same", int(rng.integers(0, 4)), tuple(int(v) for v in rng.integers(0, 4, 2)),
                   tuple(tuple(int(v) for v in rng.integers(0, 4, 2)) for _ in range(2))][form]
        shape = ((int(rng.integers(1, 4)),) if batched else ()) + (n_H, n_W, n_c)
        # keep only geometries where the (dilated) kernel fits the padded input
        s_H, s_W = (stride, stride) if isinstance(stride, int) else stride
        fe = (effective_size(f_H, dilation), effective_size(f_W, dilation))
        (t, bt), (lf, r) = resolve_padding(padding, n_H, n_W, fe[0], fe[1], s_H, s_W)
        if fe[0] > n_H + t + bt or fe[1] > n_W + lf + r:
            continue
        cases.append((shape, (f_H, f_W), K, stride, padding, dilation, bool(rng.integers(2)), bool(rng.integers(2))))
    return cases


RANDOM_CASES = _random_cases(80)


@pytest.mark.parametrize("case", RANDOM_CASES, ids=[_case_id(c) for c in RANDOM_CASES])
def test_random_geometries_match_loop_reference(case):
    shape, f, K, stride, padding, dilation, flip, bias = case
    x, w, b = _data(zlib.crc32(_case_id(case).encode()) + 7, shape, f, K, bias)
    kw = dict(stride=stride, padding=padding, dilation=dilation, flip=flip)
    got = conv2d(x, w, b, **kw)
    assert_conv_close(got, conv2d_ref(x, w, b, **kw), x, w, b)
    pc = conv2d_per_channel(x, w, **kw)
    assert_conv_close(pc, conv2d_per_channel_ref(x, w, **kw), x, w)


def test_big_dilated_strided_batch():
    rng = np.random.default_rng(33)
    x = rng.random((2, 150, 170, 2), dtype=np.float32)
    w = rng.standard_normal((3, 4, 2, 5)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    for kw in ({"stride": 2, "dilation": 3, "padding": "same"},
               {"stride": (3, 2), "dilation": 2, "padding": ((3, 0), (1, 4)), "flip": True},
               {"stride": 4, "dilation": 2, "padding": "valid"}):
        got = conv2d(x, w, b, **kw)
        assert_conv_close(got, conv2d_taps_ref(x, w, b, **kw), x, w, b)
    pc = conv2d_per_channel(x, w, stride=2, dilation=3, padding="same")
    summed = np.asarray(pc, dtype=np.float64).sum(axis=-2) + b
    assert_conv_close(conv2d(x, w, b, stride=2, dilation=3, padding="same"), summed, x, w, b)
