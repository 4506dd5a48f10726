"""Backend switching and mixed NumPy/CuPy inputs on a real GPU.

Marked ``gpu``: tests/conftest.py skips them where no CUDA device works (CI)."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import conv2d, get_backend, set_backend

pytestmark = pytest.mark.gpu


@pytest.fixture(autouse=True)
def back_to_numpy():
    yield
    set_backend("numpy")


def test_requested_name_is_reported_after_switching():
    assert set_backend("cupy").requested == "cupy"
    info = set_backend("auto")
    assert info.name == "cupy" and info.requested == "auto"
    assert get_backend().requested == "auto"


def test_result_lives_where_x_lives_whatever_the_weights():
    import cupy as cp

    rng = np.random.default_rng(0)
    x = rng.random((20, 24, 3), dtype=np.float32)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    expected = conv2d(x, w, b, padding="same")
    set_backend("cupy")
    on_host = conv2d(x, cp.asarray(w), cp.asarray(b), padding="same")
    assert isinstance(on_host, np.ndarray)
    np.testing.assert_allclose(on_host, expected, rtol=1e-5, atol=1e-5)
    on_gpu = conv2d(cp.asarray(x), w, b, padding="same")
    assert isinstance(on_gpu, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(on_gpu), expected, rtol=1e-4, atol=1e-4)
