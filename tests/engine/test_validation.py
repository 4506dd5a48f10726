"""Wrong arguments raise ValueError with a message that names the parameter and the rule;
the backend switch behaves."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import conv2d, conv2d_per_channel, get_backend, pool2d, set_backend


def _xw(shape=(6, 6, 3), f=3, K=2):
    rng = np.random.default_rng(0)
    return (rng.standard_normal(shape).astype(np.float32),
            rng.standard_normal((f, f, shape[-1], K)).astype(np.float32))


CONV_FUNCS = [conv2d, conv2d_per_channel]


@pytest.fixture(params=CONV_FUNCS, ids=["conv2d", "conv2d_per_channel"])
def conv(request):
    return request.param


# ---------------------------------------------------------------- conv arguments

def test_kernel_larger_than_input(conv):
    x, _ = _xw((4, 4, 1))
    w = np.ones((5, 5, 1, 1), dtype=np.float32)
    with pytest.raises(ValueError, match=r"(?i)larger"):
        conv(x, w)
    with pytest.raises(ValueError, match=r"(?i)larger"):
        conv(x, np.ones((5, 3, 1, 1), dtype=np.float32))  # too tall only
    with pytest.raises(ValueError, match=r"(?i)larger"):
        conv(x, np.ones((3, 5, 1, 1), dtype=np.float32))  # too wide only
    # padding that makes room is fine
    assert conv(x, w, padding=1).shape[:2] == (2, 2)
    with pytest.raises(ValueError, match=r"(?i)larger"):
        conv(x, np.ones((7, 7, 1, 1), dtype=np.float32), padding=1)  # padded input is 6


def test_dilated_kernel_larger_than_input(conv):
    x, _ = _xw((6, 6, 1))
    w = np.ones((3, 3, 1, 1), dtype=np.float32)
    assert conv(x, w, dilation=2).shape[:2] == (2, 2)  # effective 5 fits
    with pytest.raises(ValueError, match=r"(?i)larger"):
        conv(x, w, dilation=3)  # effective 7 does not


def test_kernel_larger_than_input_2d():
    with pytest.raises(ValueError, match=r"(?i)larger"):
        conv2d(np.ones((3, 3), np.float32), np.ones((4, 4), np.float32))


def test_channel_mismatch(conv):
    x, _ = _xw((6, 6, 3))
    w = np.ones((3, 3, 4, 2), dtype=np.float32)
    with pytest.raises(ValueError, match=r"(?i)channel") as info:
        conv(x, w)
    msg = str(info.value)
    assert "4" in msg and "3" in msg  # says both counts
    with pytest.raises(ValueError, match=r"(?i)channel"):
        conv(np.ones((2, 6, 6, 3), np.float32), np.ones((3, 3, 1, 2), np.float32))


@pytest.mark.parametrize("stride", [0, -1, (1, 0), (0, 2), (-2, 1)])
def test_bad_stride(conv, stride):
    x, w = _xw()
    with pytest.raises(ValueError, match=r"(?i)stride"):
        conv(x, w, stride=stride)


@pytest.mark.parametrize("dilation", [0, -1])
def test_bad_dilation(conv, dilation):
    x, w = _xw()
    with pytest.raises(ValueError, match=r"(?i)dilation"):
        conv(x, w, dilation=dilation)


@pytest.mark.parametrize("padding", [-1, (1, -1), (-2, 0), ((0, -1), (0, 0)), ((0, 0), (-1, 1))])
def test_negative_padding(conv, padding):
    x, w = _xw()
    with pytest.raises(ValueError, match=r"(?i)pad"):
        conv(x, w, padding=padding)


@pytest.mark.parametrize("padding", ["full", "SAMEISH", "", "bogus"])
def test_bad_padding_string(conv, padding):
    x, w = _xw()
    with pytest.raises(ValueError, match=r"(?i)pad"):
        conv(x, w, padding=padding)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weights(conv, bad):
    x, w = _xw()
    w[1, 2, 0, 1] = bad
    with pytest.raises(ValueError, match=r"(?i)nan|finite"):
        conv(x, w)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_bias(bad):
    x, w = _xw()
    b = np.zeros(2, dtype=np.float32)
    b[1] = bad
    with pytest.raises(ValueError, match=r"(?i)nan|finite"):
        conv2d(x, w, b)


def test_non_finite_weights_2d():
    w = np.ones((3, 3), np.float32)
    w[1, 1] = np.nan
    with pytest.raises(ValueError, match=r"(?i)nan|finite"):
        conv2d(np.ones((5, 5), np.float32), w)


@pytest.mark.parametrize("b_len", [3, 5])
def test_wrong_bias_length(b_len):
    x, w = _xw(K=2)
    with pytest.raises(ValueError, match=r"(?i)bias|\bb\b"):
        conv2d(x, w, np.zeros(b_len, dtype=np.float32))


@pytest.mark.parametrize("x_shape", [(6,), (1, 2, 6, 6, 3)])
def test_wrong_x_ndim(conv, x_shape):
    x = np.ones(x_shape, dtype=np.float32)
    w = np.ones((3, 3, 3, 2), dtype=np.float32)
    with pytest.raises(ValueError, match=r"(?i)dim|shape|\bx\b"):
        conv(x, w)


@pytest.mark.parametrize("w_shape", [(3,), (3, 3, 3, 2, 1)])
def test_wrong_w_ndim(conv, w_shape):
    x = np.ones((6, 6, 3), dtype=np.float32)
    w = np.ones(w_shape, dtype=np.float32)
    with pytest.raises(ValueError, match=r"(?i)dim|shape|\bw\b"):
        conv(x, w)


def test_errors_leave_inputs_alone():
    x, w = _xw()
    x0, w0 = x.copy(), w.copy()
    with pytest.raises(ValueError):
        conv2d(x, w, stride=0)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)


def test_valid_edge_cases_do_not_raise():
    x, w = _xw((3, 3, 3), f=3)
    assert conv2d(x, w).shape == (1, 1, 2)  # kernel exactly the input size
    assert conv2d(x, w, stride=5).shape == (1, 1, 2)  # stride bigger than the input
    assert conv2d(x, w, padding=0).shape == (1, 1, 2)
    assert conv2d(x, w, padding=(0, 0)).shape == (1, 1, 2)


# ---------------------------------------------------------------- pool arguments

@pytest.mark.parametrize("f", [0, -1])
def test_pool_window_below_one(f):
    x = np.ones((4, 4, 2), np.float32)
    with pytest.raises(ValueError, match=r"(?i)\bf\b|window|size|pool"):
        pool2d(x, f)


@pytest.mark.parametrize("mode", ["median", "MAXX", "sum", ""])
def test_pool_bad_mode(mode):
    with pytest.raises(ValueError, match=r"(?i)mode"):
        pool2d(np.ones((4, 4, 2), np.float32), 2, mode=mode)


def test_pool_window_larger_than_input():
    x = np.ones((3, 3, 2), np.float32)
    with pytest.raises(ValueError, match=r"(?i)larger"):
        pool2d(x, 4)
    with pytest.raises(ValueError, match=r"(?i)larger"):
        pool2d(np.ones((6, 3, 1), np.float32), 4)
    assert pool2d(x, 3).shape == (1, 1, 2)


@pytest.mark.parametrize("stride", [0, -2])
def test_pool_bad_stride(stride):
    with pytest.raises(ValueError, match=r"(?i)stride"):
        pool2d(np.ones((4, 4, 2), np.float32), 2, stride=stride)


def test_pool_negative_padding():
    with pytest.raises(ValueError, match=r"(?i)pad"):
        pool2d(np.ones((4, 4, 2), np.float32), 2, padding=-1)


# ---------------------------------------------------------------- backend switch

def _cupy_usable() -> bool:
    try:
        import cupy  # noqa: F401

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


@pytest.fixture
def restore_backend():
    info = get_backend()
    before = getattr(info, "requested", info.name)
    yield
    set_backend(before)


def test_numpy_backend(restore_backend):
    set_backend("numpy")
    info = get_backend()
    assert info.name == "numpy"
    assert isinstance(info.device, str) and info.device
    x, w = _xw()
    out = conv2d(x, w)
    assert isinstance(out, np.ndarray) and out.shape == (4, 4, 2)


@pytest.mark.parametrize("name", ["nonsense", "torch", "", "CUDA-ish"])
def test_unknown_backend(restore_backend, name):
    set_backend("numpy")
    with pytest.raises(ValueError, match=r"(?i)backend|numpy|cupy|auto"):
        set_backend(name)
    assert get_backend().name == "numpy"  # unchanged


def test_auto_backend_picks_something_that_works(restore_backend):
    set_backend("auto")
    info = get_backend()
    assert info.name in ("numpy", "cupy")
    if not _cupy_usable():
        assert info.name == "numpy"
    x, w = _xw()
    out = conv2d(x, w)
    assert isinstance(out, np.ndarray)  # NumPy in, NumPy out, whatever the backend


@pytest.mark.skipif(_cupy_usable(), reason="CuPy works here; the GPU tests cover it")
def test_cupy_backend_unavailable_is_a_clear_error(restore_backend):
    set_backend("numpy")
    with pytest.raises((RuntimeError, ValueError), match=r"(?i)cupy|cuda|gpu|device") as info:
        set_backend("cupy")
    assert len(str(info.value)) > 10
    # and the engine still works on NumPy afterwards
    assert get_backend().name == "numpy"
    x, w = _xw()
    assert conv2d(x, w).shape == (4, 4, 2)
