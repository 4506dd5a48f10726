"""The lecture notes' worked examples, number for number."""

from __future__ import annotations

import numpy as np
import pytest
from reference import conv2d_ref, pool2d_ref, pool2d_taps_ref

from playground.engine import conv2d, conv2d_per_channel, conv_params, output_size, pool2d, relu, same_padding

VERTICAL = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=np.float32)
HORIZONTAL = np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], dtype=np.float32)
SOBEL_V = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=np.float32)
SCHARR_V = np.array([[3, 0, -3], [10, 0, -10], [3, 0, -3]], dtype=np.float32)


def _bright_left(n=6, bright=10.0):
    img = np.zeros((n, n), dtype=np.float32)
    img[:, : n // 2] = bright
    return img


# ---------------------------------------------------------------- edge detection

def test_vertical_edge_6x6_gives_4x4_with_30s_in_the_middle():
    out = conv2d(_bright_left(), VERTICAL)
    assert out.shape == (4, 4)
    np.testing.assert_allclose(out, np.array([[0, 30, 30, 0]] * 4, dtype=np.float32), atol=1e-5)


def test_vertical_edge_on_three_dimensional_image():
    img = _bright_left()[:, :, None]
    out = conv2d(img, VERTICAL[:, :, None, None])
    assert out.shape == (4, 4, 1)
    np.testing.assert_allclose(out[:, :, 0], np.array([[0, 30, 30, 0]] * 4), atol=1e-5)


def test_dark_to_bright_reverses_the_sign():
    img = _bright_left()[:, ::-1]  # left half 0, right half 10
    out = conv2d(img, VERTICAL)
    np.testing.assert_allclose(out, np.array([[0, -30, -30, 0]] * 4), atol=1e-5)
    assert out.min() == pytest.approx(-30)
    np.testing.assert_allclose(np.abs(out), np.array([[0, 30, 30, 0]] * 4), atol=1e-5)


def test_vertical_edge_on_a_textured_image():
    img = np.array(
        [[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3],
         [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]],
        dtype=np.float32,
    )
    expected = np.array([[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]])
    np.testing.assert_allclose(conv2d(img, VERTICAL), expected, atol=1e-4)


def test_horizontal_edge_bright_top_is_positive():
    img = np.zeros((6, 6), dtype=np.float32)
    img[:3, :] = 10  # bright on top, dark below
    out = conv2d(img, HORIZONTAL)
    assert out.shape == (4, 4)
    np.testing.assert_allclose(out, np.array([[0] * 4, [30] * 4, [30] * 4, [0] * 4]), atol=1e-5)
    # and dark on top is negative
    np.testing.assert_allclose(conv2d(img[::-1], HORIZONTAL), -out, atol=1e-5)
    # the vertical kernel does not see a horizontal edge
    np.testing.assert_allclose(conv2d(img, VERTICAL), 0, atol=1e-5)


@pytest.mark.parametrize("kernel,peak", [(SOBEL_V, 40.0), (SCHARR_V, 160.0)])
def test_sobel_and_scharr_respond_positive_at_bright_left_edge(kernel, peak):
    out = conv2d(_bright_left(8), kernel)
    assert out.shape == (6, 6)
    # columns whose window straddles the edge respond, the others are 0
    expected = np.zeros((6, 6))
    expected[:, 2] = peak
    expected[:, 3] = peak
    np.testing.assert_allclose(out, expected, atol=1e-4)
    assert (out >= -1e-5).all() and out.max() > 0


# ---------------------------------------------------------------- padding and stride

@pytest.mark.parametrize("n,f,p", [(6, 3, 0), (6, 3, 1), (6, 5, 2), (8, 3, 2), (5, 5, 0), (4, 5, 1), (7, 1, 3)])
def test_padding_rule_n_plus_2p_minus_f_plus_1(n, f, p):
    x = np.ones((n, n, 1), dtype=np.float32)
    w = np.ones((f, f, 1, 1), dtype=np.float32)
    out = conv2d(x, w, padding=p)
    assert out.shape == (n + 2 * p - f + 1,) * 2 + (1,)
    assert output_size(n, f, p) == n + 2 * p - f + 1
    # zero padding: the corner sees only the real cells of its window
    real = max(0, min(f - p, n)) ** 2
    assert out[0, 0, 0] == pytest.approx(real)


@pytest.mark.parametrize("f", [1, 3, 5, 7])
def test_same_convolution_p_is_f_minus_1_over_2(f):
    assert same_padding(6, f) == ((f - 1) // 2, (f - 1) // 2)
    rng = np.random.default_rng(f)
    x = rng.standard_normal((6, 6, 1)).astype(np.float32)
    w = rng.standard_normal((f, f, 1, 1)).astype(np.float32)
    same = conv2d(x, w, padding="same")
    assert same.shape == (6, 6, 1)
    np.testing.assert_allclose(same, conv2d(x, w, padding=(f - 1) // 2), rtol=1e-5, atol=1e-5)


def test_even_kernel_same_puts_extra_cell_bottom_right():
    assert same_padding(6, 4) == (1, 2)
    assert same_padding(6, 2) == (0, 1)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((6, 6, 1)).astype(np.float32)
    w = rng.standard_normal((4, 4, 1, 1)).astype(np.float32)
    same = conv2d(x, w, padding="same")
    explicit = conv2d(x, w, padding=((1, 2), (1, 2)))
    assert same.shape == explicit.shape == (6, 6, 1)
    np.testing.assert_allclose(same, explicit, rtol=1e-5, atol=1e-5)
    # the other split really is different, so the test can tell them apart
    other = conv2d(x, w, padding=((2, 1), (2, 1)))
    assert not np.allclose(same, other, atol=1e-3)


def test_strided_7x7_with_3x3_stride_2_gives_3x3():
    img = np.array(
        [[2, 3, 7, 4, 6, 2, 9], [6, 6, 9, 8, 7, 4, 3], [3, 4, 8, 3, 8, 9, 7], [7, 8, 3, 6, 6, 3, 4],
         [4, 2, 1, 8, 3, 4, 6], [3, 2, 4, 1, 9, 8, 3], [0, 1, 3, 9, 2, 1, 4]],
        dtype=np.float32,
    )
    w = np.array([[3, 4, 4], [1, 0, 2], [-1, 0, 3]], dtype=np.float32)
    out = conv2d(img, w, stride=2)
    assert out.shape == (3, 3)
    # top-left by hand: 2*3+3*4+7*4 + 6*1+6*0+9*2 + 3*(-1)+4*0+8*3 = 91
    assert out[0, 0] == pytest.approx(91)
    np.testing.assert_allclose(out, [[91, 100, 88], [69, 91, 117], [44, 72, 74]], atol=1e-4)
    assert output_size(7, 3, 0, 2) == 3


@pytest.mark.parametrize("n,f,p,s,expected", [
    (7, 3, 0, 2, 3), (8, 3, 0, 2, 3), (6, 3, 1, 2, 3), (9, 4, 0, 3, 2), (10, 3, 1, 3, 4), (5, 5, 0, 4, 1),
])
def test_strided_output_size_takes_the_floor(n, f, p, s, expected):
    assert output_size(n, f, p, s) == expected
    x = np.ones((n, n + 1, 1), dtype=np.float32)
    w = np.ones((f, f, 1, 1), dtype=np.float32)
    out = conv2d(x, w, padding=p, stride=s)
    assert out.shape == (expected, (n + 1 + 2 * p - f) // s + 1, 1)


@pytest.mark.parametrize("n,f,s", [(6, 3, 2), (7, 3, 2), (6, 4, 2), (5, 4, 2), (9, 5, 3), (10, 2, 3), (6, 3, 1)])
def test_same_with_stride_p_formula(n, f, s):
    total = n * s - n + f - s
    assert same_padding(n, f, s) == (total // 2, total - total // 2)
    rng = np.random.default_rng(n * 100 + f * 10 + s)
    x = rng.standard_normal((n, n, 2)).astype(np.float32)
    w = rng.standard_normal((f, f, 2, 1)).astype(np.float32)
    out = conv2d(x, w, stride=s, padding="same")
    assert out.shape == (n, n, 1)
    explicit = conv2d(x, w, stride=s, padding=((total // 2, total - total // 2),) * 2)
    np.testing.assert_allclose(out, explicit, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out, conv2d_ref(x, w, stride=s, padding="same"), rtol=1e-4, atol=1e-4)


def test_same_padding_examples():
    assert same_padding(6, 3) == (1, 1)
    assert same_padding(7, 3, 2) == (4, 4)  # 14 - 7 + 3 - 2 = 8
    assert same_padding(5, 4, 2) == (3, 4)  # 7: extra cell after
    assert same_padding(6, 2, 2) == (3, 3)
    assert same_padding(1, 1) == (0, 0)
    assert same_padding(32, 5) == (2, 2)


# ---------------------------------------------------------------- flip

def test_flip_is_true_convolution():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 6)).astype(np.float32)
    w = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=np.float32)
    np.testing.assert_allclose(conv2d(x, w, flip=True), conv2d(x, w[::-1, ::-1].copy()), rtol=1e-5, atol=1e-5)
    # the textbook definition at one position: sum x[i+a, j+b] * w[2-a, 2-b]
    direct = sum(x[1 + a, 2 + b] * w[2 - a, 2 - b] for a in range(3) for b in range(3))
    assert conv2d(x, w, flip=True)[1, 2] == pytest.approx(direct, abs=1e-4)
    xcorr = sum(x[1 + a, 2 + b] * w[a, b] for a in range(3) for b in range(3))
    assert conv2d(x, w)[1, 2] == pytest.approx(xcorr, abs=1e-4)
    # a symmetric kernel gives the same either way
    sym = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float32)
    np.testing.assert_allclose(conv2d(x, sym, flip=True), conv2d(x, sym), rtol=1e-5, atol=1e-5)


def test_vertical_edge_flipped_changes_sign():
    np.testing.assert_allclose(conv2d(_bright_left(), VERTICAL, flip=True), np.array([[0, -30, -30, 0]] * 4), atol=1e-5)


# ---------------------------------------------------------------- volumes and layers

def test_volume_6x6x3_with_3x3x3_gives_4x4x1():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((6, 6, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 1)).astype(np.float32)
    out = conv2d(x, w)
    assert out.shape == (4, 4, 1)
    # one number per position: the sum over all 27 products
    assert out[2, 1, 0] == pytest.approx(float(np.sum(x[2:5, 1:4, :] * w[:, :, :, 0])), abs=1e-4)


def test_red_channel_only_edge_filter():
    # a filter that detects vertical edges in the red channel only
    x = np.zeros((6, 6, 3), dtype=np.float32)
    x[:, :3, 0] = 10  # edge in red
    x[:3, :, 1] = 10  # horizontal edge in green, ignored
    w = np.zeros((3, 3, 3, 1), dtype=np.float32)
    w[:, :, 0, 0] = VERTICAL
    out = conv2d(x, w)
    np.testing.assert_allclose(out[:, :, 0], np.array([[0, 30, 30, 0]] * 4), atol=1e-5)
    pc = conv2d_per_channel(x, w)
    assert pc.shape == (4, 4, 3, 1)
    np.testing.assert_allclose(pc[:, :, 0, 0], np.array([[0, 30, 30, 0]] * 4), atol=1e-5)
    np.testing.assert_allclose(pc[:, :, 1:, 0], 0, atol=1e-5)


def test_ten_filters_give_4x4x10():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((6, 6, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 10)).astype(np.float32)
    out = conv2d(x, w)
    assert out.shape == (4, 4, 10)
    for k in range(10):  # each output channel is that filter's map
        np.testing.assert_allclose(out[:, :, k], conv2d(x, w[:, :, :, k : k + 1])[:, :, 0], rtol=1e-5, atol=1e-5)
    pc = conv2d_per_channel(x, w)
    assert pc.shape == (4, 4, 3, 10)


def test_simple_cnn_first_layer_39x39x3():
    rng = np.random.default_rng(10)
    x = rng.standard_normal((39, 39, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 10)).astype(np.float32)
    b = rng.standard_normal(10).astype(np.float32)
    out = conv2d(x, w, b, stride=1, padding=0)
    assert out.shape == (37, 37, 10)
    assert output_size(39, 3, 0, 1) == 37
    assert conv_params(3, 3, 10) == 280
    assert conv_params(3, 3, 10, bias=False) == 270


def test_parameter_counts():
    assert conv_params(5, 3, 6) == 456  # (5*5*3 + 1) * 6
    assert conv_params(5, 3, 8) == 608  # LeNet-like CONV1
    assert conv_params(5, 8, 16) == 3216  # CONV2
    assert conv_params(1, 32, 5) == 165
    assert conv_params(5, 3, 6, bias=False) == 450
    assert conv_params(1, 1, 1, bias=False) == 1


def test_one_layer_bias_then_relu():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((6, 6, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 10)).astype(np.float32)
    b = rng.standard_normal(10).astype(np.float32)
    z = conv2d(x, w, b)
    assert z.shape == (4, 4, 10)
    np.testing.assert_allclose(z, conv2d(x, w) + b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(z, conv2d_ref(x, w, b), rtol=1e-4, atol=1e-4)
    assert (z < 0).any() and (z > 0).any()
    a = relu(z)
    assert a.shape == z.shape
    assert (a >= 0).all()
    np.testing.assert_array_equal(a, np.maximum(z, 0))


def test_relu():
    x = np.array([[-2.0, -0.0, 0.5], [3.0, -1e-7, 0.0]], dtype=np.float32)
    x0 = x.copy()
    out = relu(x)
    np.testing.assert_array_equal(out, [[0, 0, 0.5], [3, 0, 0]])
    np.testing.assert_array_equal(x, x0)  # not in place
    assert isinstance(out, np.ndarray)


# ---------------------------------------------------------------- pooling

POOL_4x4 = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=np.float32)


def test_max_pool_4x4_f2_s2():
    out = pool2d(POOL_4x4[:, :, None], 2, 2)
    assert out.shape == (2, 2, 1)
    np.testing.assert_array_equal(out[:, :, 0], [[9, 2], [6, 3]])
    # stride defaults to f
    np.testing.assert_array_equal(pool2d(POOL_4x4[:, :, None], 2)[:, :, 0], [[9, 2], [6, 3]])


def test_max_pool_f3_s1_overlapping():
    x = np.array(
        [[1, 3, 2, 1, 3], [2, 9, 1, 1, 5], [1, 3, 2, 3, 2], [8, 3, 5, 1, 0], [5, 6, 1, 2, 9]], dtype=np.float32
    )
    out = pool2d(x[:, :, None], 3, stride=1)
    np.testing.assert_array_equal(out[:, :, 0], [[9, 9, 5], [9, 9, 5], [8, 6, 9]])


def test_avg_pool_4x4():
    out = pool2d(POOL_4x4[:, :, None], 2, 2, mode="avg")
    assert out.shape == (2, 2, 1)
    np.testing.assert_allclose(out[:, :, 0], [[3.75, 1.25], [3.75, 2.0]], rtol=1e-6)


def test_max_pool_4x4x10_is_per_channel():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((4, 4, 10)).astype(np.float32)
    x[:, :, 0] = POOL_4x4
    x[:, :, 1] = -POOL_4x4  # max of negatives: the smallest magnitudes
    x[:, :, 2] = POOL_4x4.T
    out = pool2d(x, 2, 2, mode="max")
    assert out.shape == (2, 2, 10)
    np.testing.assert_array_equal(out[:, :, 0], [[9, 2], [6, 3]])
    np.testing.assert_array_equal(out[:, :, 1], [[-1, -1], [-1, -1]])
    np.testing.assert_array_equal(out[:, :, 2], [[9, 6], [2, 3]])
    for c in range(10):
        expected = x[:, :, c].reshape(2, 2, 2, 2).max(axis=(1, 3))
        np.testing.assert_array_equal(out[:, :, c], expected)
    avg = pool2d(x, 2, 2, mode="avg")
    assert avg.shape == (2, 2, 10)
    np.testing.assert_allclose(avg, x.reshape(2, 2, 2, 2, 10).mean(axis=(1, 3)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape,f,s,p,mode", [
    ((5, 5, 2), 2, 2, 0, "max"), ((5, 5, 2), 2, 2, 0, "avg"),
    ((7, 6, 3), 3, 2, 1, "max"), ((7, 6, 3), 3, 2, 1, "avg"),
    ((6, 7, 1), 3, 1, 1, "avg"), ((8, 8, 2), 4, 3, 2, "max"), ((8, 8, 2), 4, 3, 2, "avg"),
    ((2, 6, 5, 3), 2, 1, 0, "max"), ((3, 5, 6, 2), 3, 3, 1, "avg"), ((9, 9, 1), 1, 2, 0, "max"),
])
def test_pool_matches_loop_reference(shape, f, s, p, mode):
    rng = np.random.default_rng(sum(shape) + f + s + p)
    x = rng.standard_normal(shape).astype(np.float32) - 3.0  # negative: zero padding would show
    x0 = x.copy()
    out = pool2d(x, f, s, p, mode)
    expected = pool2d_ref(x, f, s, p, mode)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(x, x0)
    assert out.shape[-3] == (shape[-3] + 2 * p - f) // s + 1


def test_max_pool_pads_with_minus_infinity_and_avg_counts_real_cells():
    x = np.full((4, 4, 1), -5.0, dtype=np.float32)
    mx = pool2d(x, 3, 1, 1, "max")
    assert mx.shape == (4, 4, 1)
    np.testing.assert_array_equal(mx, -5.0)  # zero padding would give 0 at the border
    av = pool2d(x, 3, 1, 1, "avg")
    np.testing.assert_allclose(av, -5.0, rtol=1e-6)  # counting padded zeros would give -20/9 at a corner
    ramp = np.arange(16, dtype=np.float32).reshape(4, 4, 1)
    av = pool2d(ramp, 2, 2, 1, "avg")
    assert av.shape == (3, 3, 1)
    assert av[0, 0, 0] == pytest.approx(0.0)  # only the real corner cell
    assert av[0, 1, 0] == pytest.approx((1 + 2) / 2)
    assert av[1, 1, 0] == pytest.approx((5 + 6 + 9 + 10) / 4)


@pytest.mark.parametrize("shape,f,s,p,mode", [
    ((480, 640, 8), 2, 2, 0, "max"), ((480, 640, 8), 2, 2, 0, "avg"),
    ((2, 241, 323, 3), 3, 2, 1, "max"), ((2, 241, 323, 3), 3, 2, 1, "avg"), ((200, 300, 4), 5, 3, 2, "avg"),
])
def test_pool_big_inputs_match_vectorised_reference(shape, f, s, p, mode):
    rng = np.random.default_rng(sum(shape) + f)
    x = rng.standard_normal(shape).astype(np.float32) - 2.0
    out = pool2d(x, f, s, p, mode)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, pool2d_taps_ref(x, f, s, p, mode), rtol=1e-5, atol=1e-5)


def test_pool_keeps_float32_and_batches():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((3, 6, 6, 4))
    out = pool2d(x, 2)
    assert out.shape == (3, 3, 3, 4)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[1], pool2d(x[1], 2), rtol=1e-6)


# ---------------------------------------------------------------- 1x1 convolutions

def test_one_by_one_single_channel_doubles():
    rng = np.random.default_rng(14)
    x = rng.standard_normal((6, 6, 1)).astype(np.float32)
    out = conv2d(x, np.full((1, 1, 1, 1), 2.0, dtype=np.float32))
    assert out.shape == (6, 6, 1)
    np.testing.assert_allclose(out, 2 * x, rtol=1e-6, atol=1e-6)


def test_one_by_one_32_channels_to_5_is_per_pixel_matmul():
    rng = np.random.default_rng(15)
    x = rng.standard_normal((6, 6, 32)).astype(np.float32)
    W = rng.standard_normal((32, 5)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    out = conv2d(x, W.reshape(1, 1, 32, 5), b)
    assert out.shape == (6, 6, 5)
    expected = x.astype(np.float64) @ W.astype(np.float64) + b
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
    a = relu(out)
    np.testing.assert_allclose(a, np.maximum(expected, 0), rtol=1e-4, atol=1e-4)
    # every one of the 36 positions is its own fully connected neuron layer
    assert out[4, 2, 3] == pytest.approx(float(x[4, 2] @ W[:, 3] + b[3]), abs=1e-4)


def test_one_by_one_with_as_many_filters_keeps_channels():
    rng = np.random.default_rng(16)
    x = rng.standard_normal((5, 5, 8)).astype(np.float32)
    out = conv2d(x, np.eye(8, dtype=np.float32).reshape(1, 1, 8, 8))
    np.testing.assert_allclose(out, x, rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------- output_size and the notes' table

@pytest.mark.parametrize("args,expected", [
    ((6, 3), 4), ((6, 3, 1), 6), ((6, 3, 0, 1), 4), ((7, 3, 0, 2), 3), ((39, 3, 0, 1), 37),
    ((32, 5), 28), ((28, 2, 0, 2), 14), ((14, 5), 10), ((10, 2, 0, 2), 5),
    ((8, 3, 0, 2), 3), ((5, 5), 1), ((6, 5, 2), 6),
])
def test_output_size(args, expected):
    assert output_size(*args) == expected
    assert isinstance(output_size(*args), int)


def test_output_size_with_dilation():
    assert output_size(7, 3, 0, 1, dilation=2) == 3  # effective kernel 5
    assert output_size(9, 3, 0, 2, dilation=3) == 2  # effective 7: (9-7)//2+1
    assert output_size(10, 2, 1, 1, dilation=4) == 8  # effective 5: 10+2-5+1


def test_lenet_table_shapes():
    rng = np.random.default_rng(17)
    x = rng.standard_normal((32, 32, 3)).astype(np.float32)
    w1 = rng.standard_normal((5, 5, 3, 8)).astype(np.float32)
    b1 = np.zeros(8, dtype=np.float32)
    a1 = relu(conv2d(x, w1, b1))
    assert a1.shape == (28, 28, 8) and a1.size == 6272
    p1 = pool2d(a1, 2, 2)
    assert p1.shape == (14, 14, 8) and p1.size == 1568
    w2 = rng.standard_normal((5, 5, 8, 16)).astype(np.float32)
    a2 = relu(conv2d(p1, w2, np.zeros(16, dtype=np.float32)))
    assert a2.shape == (10, 10, 16) and a2.size == 1600
    p2 = pool2d(a2, 2, 2)
    assert p2.shape == (5, 5, 16) and p2.size == 400
    assert conv_params(5, 3, 8) + conv_params(5, 8, 16) == 608 + 3216
