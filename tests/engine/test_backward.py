"""Backward passes: finite differences (float64, tiny shapes, every setting), the float32
fast path against the float64 one, adjoint identities at real sizes, and PyTorch's
autograd where PyTorch happens to be installed."""

from __future__ import annotations

import numpy as np
import pytest
from reference import conv2d_ref

from playground.engine import abs_backward, conv2d, conv2d_backward, mse_loss, pool2d, pool2d_backward, relu_backward
from playground.engine.backward import conv2d_forward, pool2d_forward

# (stride, padding, dilation, flip): every padding form, strides that leave a
# remainder, dilation, and true convolution
SETTINGS = [
    (1, "valid", 1, False),
    (1, "same", 1, False),
    (2, "same", 1, False),        # "same" with stride: the notes' p = (n·s − n + f − s)/2
    (2, "valid", 1, True),
    (1, 2, 1, False),             # int padding wider than f − 1 - p_before
    (3, 1, 1, True),
    (1, ((0, 2), (1, 0)), 1, False),  # asymmetric
    (2, ((1, 2), (0, 3)), 2, True),
    (1, "same", 2, False),
    (2, "same", 2, True),
]
KERNELS = [(3, 3), (2, 3)]  # an even f_H gives "same" an uneven split


def _directional(fun, array, grad, rng, directions=6, eps=1e-6):
    """Central differences of ``fun()`` along random directions of ``array``, each checked
    against ⟨grad, direction⟩: a wrong cell of ``grad`` shows in every direction."""
    for _ in range(directions):
        v = rng.standard_normal(array.shape)
        keep = array.copy()
        array += eps * v
        up = fun()
        array[...] = keep - eps * v
        down = fun()
        array[...] = keep
        assert (up - down) / (2 * eps) == pytest.approx(float(np.vdot(grad, v)), rel=1e-6, abs=1e-7)


def _numeric_grad(fun, array, eps=1e-6):
    """Central differences of the scalar ``fun()`` with respect to every cell of ``array``."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        keep = array[index]
        array[index] = keep + eps
        up = fun()
        array[index] = keep - eps
        down = fun()
        array[index] = keep
        grad[index] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(("stride", "padding", "dilation", "flip"), SETTINGS)
def test_conv_backward_matches_finite_differences(stride, padding, dilation, flip, kernel):
    rng = np.random.default_rng(hash((stride, str(padding), dilation, flip, kernel)) % 2**32)
    x = rng.standard_normal((2, 7, 8, 2))
    w = rng.standard_normal((*kernel, 2, 3))
    b = rng.standard_normal(3)
    opts = dict(stride=stride, padding=padding, dilation=dilation, flip=flip)
    g = rng.standard_normal(conv2d_forward(x, w, b, **opts).shape)

    def loss():
        return float(np.sum(conv2d_forward(x, w, b, **opts) * g))

    grad_x, grad_w, grad_b = conv2d_backward(x, w, g, **opts)
    assert grad_x.dtype == grad_w.dtype == np.float64
    _directional(loss, x, grad_x, rng)  # the input has too many cells to do one by one in time
    np.testing.assert_allclose(grad_w, _numeric_grad(loss, w), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(grad_b, _numeric_grad(loss, b), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(("stride", "padding", "dilation", "flip"), SETTINGS)
def test_float64_forward_is_the_engines_conv(stride, padding, dilation, flip, kernel):
    """The float64 forward the finite differences use computes what the app computes."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 7, 8, 2))
    w = rng.standard_normal((*kernel, 2, 3))
    opts = dict(stride=stride, padding=padding, dilation=dilation, flip=flip)
    ours = conv2d_forward(x, w, **opts)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, conv2d_ref(x, w, **opts), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours, conv2d(x, w, **opts), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(("stride", "padding", "dilation", "flip"), SETTINGS)
def test_float32_fast_path_matches_float64(stride, padding, dilation, flip, kernel):
    """Row-stack weight gradient and transposed-conv input gradient against the exact path."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 9, 11, 3))
    w = rng.standard_normal((*kernel, 3, 4))
    opts = dict(stride=stride, padding=padding, dilation=dilation, flip=flip)
    g = rng.standard_normal(conv2d_forward(x, w, **opts).shape)
    exact = conv2d_backward(x, w, g, **opts)
    fast = conv2d_backward(x.astype(np.float32), w.astype(np.float32), g.astype(np.float32), **opts)
    for got, want in zip(fast, exact, strict=True):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_unbatched_input_gives_unbatched_gradient_and_need_x_skips_it():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 5, 2)).astype(np.float32)
    w = rng.standard_normal((3, 3, 2, 4)).astype(np.float32)
    g = rng.standard_normal((6, 5, 4)).astype(np.float32)
    grad_x, grad_w, grad_b = conv2d_backward(x, w, g, padding="same")
    assert grad_x.shape == x.shape and grad_w.shape == w.shape and grad_b.shape == (4,)
    none_x, same_w, _ = conv2d_backward(x, w, g, padding="same", need_x=False)
    assert none_x is None
    np.testing.assert_array_equal(same_w, grad_w)
    with pytest.raises(ValueError, match="grad_out must have the conv output's shape"):
        conv2d_backward(x, w, g[:-1], padding="same")


@pytest.mark.parametrize(("stride", "padding", "dilation", "flip"),
                         [(1, "same", 1, False), (2, "same", 1, True), (2, ((1, 2), (0, 1)), 2, False)])
def test_adjoint_identities_at_a_real_size(stride, padding, dilation, flip):
    """⟨conv(x, w), g⟩ = ⟨x, grad_x⟩ = ⟨w, grad_w⟩ (the conv is linear in each) on 240×320×3, 8 filters."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((240, 320, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 8)).astype(np.float32)
    opts = dict(stride=stride, padding=padding, dilation=dilation, flip=flip)
    z = conv2d(x, w, **opts)
    g = rng.standard_normal(z.shape).astype(np.float32)
    grad_x, grad_w, grad_b = conv2d_backward(x, w, g, **opts)
    inner = np.vdot(z.astype(np.float64), g.astype(np.float64))
    scale = np.sqrt(np.vdot(z, z) * np.vdot(g, g))  # Cauchy–Schwarz bound: float32 rounding is relative to it
    assert abs(np.vdot(x.astype(np.float64), grad_x.astype(np.float64)) - inner) < 1e-5 * scale
    assert abs(np.vdot(w.astype(np.float64), grad_w.astype(np.float64)) - inner) < 1e-5 * scale
    np.testing.assert_allclose(grad_b, g.sum(axis=(0, 1), dtype=np.float64), rtol=1e-4)


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize(("f", "stride"), [(2, 2), (3, 2), (2, 1), (3, 3)])
def test_pool_backward_matches_finite_differences(mode, f, stride):
    rng = np.random.default_rng(f * 10 + stride)
    x = rng.standard_normal((2, 7, 6, 3))  # continuous values: no ties, max is differentiable
    g = rng.standard_normal(pool2d_forward(x, f, stride, mode).shape)

    def loss():
        return float(np.sum(pool2d_forward(x, f, stride, mode) * g))

    np.testing.assert_allclose(pool2d_backward(x, g, f, stride, mode), _numeric_grad(loss, x), rtol=1e-6,
                               atol=1e-8)
    np.testing.assert_allclose(pool2d_forward(x, f, stride, mode), pool2d(x, f, stride, mode=mode), atol=1e-5)


def test_max_pool_ties_go_to_the_first_cell_in_row_major_order():
    x = np.zeros((4, 4, 1))
    x[0, 1] = x[1, 0] = x[1, 1] = 5.0  # a three-way tie in the top-left window
    grad = pool2d_backward(x, np.ones((2, 2, 1)), 2, 2, "max")[..., 0]
    assert grad[0, 1] == 1.0 and grad[1, 0] == grad[1, 1] == 0.0  # (0, 1) comes first
    assert grad[0, 2] == 1.0  # an all-zero window: its first cell
    assert grad.sum() == 4.0  # one per window: never split, never doubled
    # overlapping windows each send their own share
    overlap = pool2d_backward(np.arange(9.0).reshape(3, 3, 1), np.ones((2, 2, 1)), 2, 1, "max")[..., 0]
    assert overlap[2, 2] == 1.0 and overlap[1, 2] == 1.0 and overlap.sum() == 4.0


def test_activation_backward_and_mse():
    z = np.array([-2.0, 0.0, 3.0])
    g = np.array([1.0, 1.0, 1.0])
    np.testing.assert_array_equal(relu_backward(z, g), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(abs_backward(z, g), [-1.0, 0.0, 1.0])
    rng = np.random.default_rng(2)
    pred, target = rng.standard_normal((2, 4, 5, 3))
    loss, grad = mse_loss(pred.copy(), target)
    assert loss == pytest.approx(np.mean((pred - target) ** 2))

    def fun():
        return mse_loss(pred.copy(), target)[0]

    np.testing.assert_allclose(grad, _numeric_grad(fun, pred), rtol=1e-6, atol=1e-9)


def test_pytorch_autograd_agrees():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 9, 10, 3))
    w = rng.standard_normal((3, 3, 3, 4))
    b = rng.standard_normal(4)
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    wt = torch.tensor(w.transpose(3, 2, 0, 1), requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    # stride 2, padding 1, dilation 2: one of the engine's settings PyTorch shares
    zt = torch.nn.functional.conv2d(xt, wt, bt, stride=2, padding=1, dilation=2)
    pooled = torch.nn.functional.max_pool2d(torch.relu(zt), 2)
    g = rng.standard_normal(tuple(pooled.shape))
    (pooled * torch.tensor(g)).sum().backward()

    z = conv2d_forward(x, w, b, stride=2, padding=1, dilation=2)
    a = np.maximum(z, 0)
    grad_a = pool2d_backward(a, g.transpose(0, 2, 3, 1), 2, 2, "max")
    grad_x, grad_w, grad_b = conv2d_backward(x, w, relu_backward(z, grad_a), stride=2, padding=1, dilation=2)
    np.testing.assert_allclose(grad_x, xt.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(grad_w, wt.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(grad_b, bt.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.gpu
def test_cupy_matches_numpy():
    cp = pytest.importorskip("cupy")
    try:
        if cp.cuda.runtime.getDeviceCount() < 1:
            pytest.skip("no CUDA device")
    except Exception:
        pytest.skip("no CUDA device")
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 33, 40, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 5)).astype(np.float32)
    for opts in (dict(padding="same"), dict(stride=2, padding="same", dilation=2, flip=True)):
        g = rng.standard_normal(conv2d(x, w, **opts).shape).astype(np.float32)
        cpu = conv2d_backward(x, w, g, **opts)
        gpu = conv2d_backward(cp.asarray(x), cp.asarray(w), cp.asarray(g), **opts)
        for got, want in zip(gpu, cpu, strict=True):
            assert isinstance(got, cp.ndarray)
            np.testing.assert_allclose(cp.asnumpy(got), want, rtol=1e-4, atol=1e-3)
        grad = pool2d_backward(cp.asarray(x), cp.asarray(pool2d(x, 2)), 2, 2, "max")
        np.testing.assert_allclose(cp.asnumpy(grad), pool2d_backward(x, pool2d(x, 2), 2, 2, "max"))
