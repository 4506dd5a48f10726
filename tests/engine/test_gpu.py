"""CuPy backend: same numbers as NumPy, and CuPy in -> CuPy out.

Skipped cleanly where CuPy cannot import or sees no CUDA device (CI)."""

from __future__ import annotations

import numpy as np
import pytest

cp = pytest.importorskip("cupy")
try:
    _N_DEVICES = cp.cuda.runtime.getDeviceCount()
except Exception:  # no driver, no device, broken install
    _N_DEVICES = 0
if _N_DEVICES < 1:
    pytest.skip("CuPy has no usable CUDA device", allow_module_level=True)

from reference import conv2d_per_channel_ref, conv2d_ref, conv2d_taps_ref, conv_tolerance, pool2d_ref  # noqa: E402

from playground.engine import conv2d, conv2d_per_channel, get_backend, pool2d, relu, set_backend  # noqa: E402

pytestmark = pytest.mark.gpu


@pytest.fixture(autouse=True)
def cupy_backend():
    set_backend("cupy")
    assert get_backend().name == "cupy"
    yield
    set_backend("numpy")


def _numpy_result(fn, *args, **kwargs):
    set_backend("numpy")
    try:
        return fn(*args, **kwargs)
    finally:
        set_backend("cupy")


def _check_cupy(out, expected, tol):
    assert isinstance(out, cp.ndarray), type(out)
    assert out.dtype == cp.float32
    host = cp.asnumpy(out)
    assert host.shape == expected.shape
    np.testing.assert_allclose(host.astype(np.float64), expected, rtol=1e-4, atol=tol)


CASES = [
    # (x_shape, (f_H, f_W), K, stride, padding, dilation, flip)
    ((7, 8, 3), (3, 3), 2, 1, "valid", 1, False),
    ((9, 9, 2), (4, 4), 3, 2, "same", 1, True),
    ((2, 10, 9, 3), (3, 2), 4, (1, 2), ((0, 2), (1, 0)), 1, False),
    ((3, 8, 8, 1), (3, 3), 2, 1, "same", 2, False),
    ((6, 6, 4), (1, 1), 5, 1, "valid", 1, False),
    ((11, 10, 2), (5, 5), 2, 3, 2, 1, True),
]


@pytest.mark.parametrize("case", CASES)
def test_conv2d_cupy_matches_numpy(case):
    shape, f, K, stride, padding, dilation, flip = case
    rng = np.random.default_rng(len(shape) * 100 + f[0] * 10 + K)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((f[0], f[1], shape[-1], K)).astype(np.float32)
    b = rng.standard_normal(K).astype(np.float32)
    kw = dict(stride=stride, padding=padding, dilation=dilation, flip=flip)
    tol = conv_tolerance(x, w, b)

    out = conv2d(cp.asarray(x), cp.asarray(w), cp.asarray(b), **kw)
    _check_cupy(out, conv2d_ref(x, w, b, **kw), tol)
    np_out = _numpy_result(conv2d, x, w, b, **kw)
    np.testing.assert_allclose(cp.asnumpy(out), np_out, rtol=1e-4, atol=tol)

    pc = conv2d_per_channel(cp.asarray(x), cp.asarray(w), **kw)
    _check_cupy(pc, conv2d_per_channel_ref(x, w, **kw), tol)
    np.testing.assert_allclose(cp.asnumpy(pc), _numpy_result(conv2d_per_channel, x, w, **kw), rtol=1e-4, atol=tol)


def test_conv2d_cupy_two_dimensional():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((9, 7)).astype(np.float32)
    w = rng.standard_normal((3, 3)).astype(np.float32)
    out = conv2d(cp.asarray(x), cp.asarray(w), padding="same", stride=2)
    _check_cupy(out, conv2d_ref(x, w, padding="same", stride=2), conv_tolerance(x, w))


def test_conv2d_cupy_big_frame_and_uint8():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 256, size=(480, 640, 3), dtype=np.uint8)
    w = rng.standard_normal((3, 3, 3, 8)).astype(np.float32)
    for kw in ({"padding": "same"}, {"padding": "valid", "stride": 2}):
        out = conv2d(cp.asarray(x), cp.asarray(w), **kw)
        _check_cupy(out, conv2d_taps_ref(x, w, **kw), conv_tolerance(x, w))


def test_conv2d_cupy_non_contiguous():
    rng = np.random.default_rng(3)
    base = cp.asarray(rng.standard_normal((12, 14, 6)).astype(np.float32))
    x = base.transpose(1, 0, 2)[::2, :, 1:4]
    w = cp.asarray(rng.standard_normal((3, 3, 3, 2)).astype(np.float32))[::-1]
    out = conv2d(x, w, padding="same")
    xh, wh = cp.asnumpy(x), cp.asnumpy(w)
    _check_cupy(out, conv2d_ref(xh, wh, padding="same"), conv_tolerance(xh, wh))


@pytest.mark.parametrize("shape,f,s,p,mode", [
    ((4, 4, 10), 2, 2, 0, "max"), ((7, 6, 3), 3, 2, 1, "max"), ((7, 6, 3), 3, 2, 1, "avg"),
    ((2, 6, 5, 3), 2, 1, 0, "avg"), ((3, 9, 8, 2), 3, 3, 1, "max"),
])
def test_pool2d_cupy_matches_numpy(shape, f, s, p, mode):
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape).astype(np.float32) - 3.0
    out = pool2d(cp.asarray(x), f, s, p, mode)
    _check_cupy(out, pool2d_ref(x, f, s, p, mode), 1e-5)
    np.testing.assert_allclose(cp.asnumpy(out), _numpy_result(pool2d, x, f, s, p, mode), rtol=1e-5, atol=1e-5)


def test_relu_cupy():
    x = cp.asarray(np.array([-1.0, 0.0, 2.5], dtype=np.float32))
    out = relu(x)
    assert isinstance(out, cp.ndarray)
    np.testing.assert_array_equal(cp.asnumpy(out), [0, 0, 2.5])


def test_numpy_in_numpy_out_on_cupy_backend():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 6, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 2)).astype(np.float32)
    out = conv2d(x, w)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, conv2d_ref(x, w), rtol=1e-4, atol=conv_tolerance(x, w))
    assert isinstance(pool2d(x, 2), np.ndarray)


def test_cupy_errors_are_value_errors_too():
    x = cp.ones((6, 6, 3), dtype=cp.float32)
    w = cp.ones((3, 3, 4, 2), dtype=cp.float32)
    with pytest.raises(ValueError, match=r"(?i)channel"):
        conv2d(x, w)
    w = cp.ones((3, 3, 3, 2), dtype=cp.float32)
    w[0, 0, 0, 0] = cp.nan
    with pytest.raises(ValueError, match=r"(?i)nan|finite"):
        conv2d(x, w)
