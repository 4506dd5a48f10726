"""The filter2D path gives the row-stack GEMMs' results, and each shape keeps the path
that measured faster."""

from __future__ import annotations

import time

import numpy as np
import pytest

from playground.engine import conv2d, conv2d_per_channel, conv_maps, kernel_paths
from playground.engine.kernel_paths import choose, filter2d_fits

from .reference import conv2d_per_channel_ref, conv2d_ref


@pytest.fixture
def force():
    yield kernel_paths.forced_path
    kernel_paths.forced_path(None)


def _both(force, fn):
    force("gemm")
    gemm = np.array(fn())
    force("filter2d")
    f2d = np.array(fn())
    return gemm, f2d


@pytest.mark.parametrize(("f", "n_c", "k"), [(3, 3, 8), (1, 3, 2), (2, 1, 3), (4, 2, 5), (5, 3, 1), (7, 4, 2)])
@pytest.mark.parametrize("flip", [False, True])
def test_filter2d_equals_the_gemms(force, f, n_c, k, flip):
    rng = np.random.default_rng(f * 10 + n_c)
    x = rng.random((2, 23, 31, n_c), dtype=np.float32)
    w = rng.standard_normal((f, f, n_c, k)).astype(np.float32)
    b = rng.standard_normal(k).astype(np.float32)
    assert filter2d_fits(x.shape, w.shape, (1, 1), (1, 1), _same(f), (23, 31))
    for fn in (lambda: conv2d(x, w, b, padding="same", flip=flip),
               lambda: conv2d_per_channel(x, w, padding="same", flip=flip),
               lambda: conv_maps(x[0], w, b, padding="same", flip=flip)[0],
               lambda: conv_maps(x[1], w, None, padding="same", flip=flip)[1]):
        gemm, f2d = _both(force, fn)
        np.testing.assert_allclose(f2d, gemm, rtol=1e-5, atol=1e-5)
    force("filter2d")
    np.testing.assert_allclose(conv2d(x, w, b, padding="same", flip=flip),
                               conv2d_ref(x, w, b, padding="same", flip=flip), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(conv2d_per_channel(x, w, padding="same", flip=flip),
                               conv2d_per_channel_ref(x, w, padding="same", flip=flip), rtol=1e-4, atol=1e-4)


def _same(f):
    return ((f - 1) // 2, f // 2), ((f - 1) // 2, f // 2)


def test_filter2d_reads_any_dtype_and_2d_pictures(force):
    rng = np.random.default_rng(3)
    x = rng.integers(0, 255, (17, 19, 3)).astype(np.uint8)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    gemm, f2d = _both(force, lambda: conv2d(x, w, padding="same"))
    np.testing.assert_allclose(f2d, gemm, rtol=1e-5, atol=1e-3)
    picture = np.zeros((6, 6))
    picture[:, :3] = 10
    edge = np.array([[1, 0, -1]] * 3)
    gemm, f2d = _both(force, lambda: conv2d(picture, edge, padding="same"))
    np.testing.assert_array_equal(f2d, gemm)   # the notes' integers: exact either way
    assert f2d[2].tolist() == [-30, 0, 30, 30, 0, 0]   # the zero padding is a dark edge on the left


@pytest.mark.parametrize(("stride", "dilation", "padding", "f", "fits"), [
    (1, 1, ((1, 1), (1, 1)), 3, True), (2, 1, ((1, 1), (1, 1)), 3, False), (1, 2, ((2, 2), (2, 2)), 3, False),
    (1, 1, ((0, 0), (0, 0)), 3, False), (1, 1, ((2, 0), (1, 1)), 3, True), (1, 1, ((3, 3), (3, 3)), 7, True),
    (1, 1, ((4, 3), (4, 3)), 8, False),   # 64 cells: OpenCV would switch to a DFT
])
def test_which_shapes_filter2d_fits(stride, dilation, padding, f, fits):
    n = 20
    out = tuple(n + sum(p) - dilation * (f - 1) - 1 + 1 if stride == 1 else (n + sum(p) - f) // stride + 1
                for p in padding)
    assert filter2d_fits((1, n, n, 3), (f, f, 3, 8), (stride, stride), (dilation, dilation), padding, out) == fits


def test_asymmetric_padding_that_keeps_the_size(force):
    rng = np.random.default_rng(5)
    x = rng.random((15, 16, 2), dtype=np.float32)
    w = rng.standard_normal((3, 3, 2, 3)).astype(np.float32)
    pads = ((2, 0), (0, 2))
    gemm, f2d = _both(force, lambda: conv2d(x, w, padding=pads))
    np.testing.assert_allclose(f2d, gemm, rtol=1e-5, atol=1e-5)


def test_each_shape_keeps_the_path_that_measured_faster():
    calls = {"gemm": 0, "gemm2": 0, "filter2d": 0}

    def runner(name, seconds):
        def run():
            calls[name] += 1
            time.sleep(seconds)
        return run

    key = ("test shape", time.time())
    paths = {"gemm": runner("gemm", 0.004), "gemm2": runner("gemm2", 0.003), "filter2d": runner("filter2d", 0.0005)}
    assert choose(key, paths) == "filter2d"
    assert min(calls.values()) >= 2                                 # all measured, in turn
    before = dict(calls)
    assert choose(key, {name: runner(name, 0.0) for name in calls}) == "filter2d"  # remembered
    assert calls == before
    other = ("another shape", time.time())
    assert choose(other, {"gemm": runner("gemm", 0.004), "gemm2": runner("gemm2", 0.0005)}) == "gemm2"
    assert choose(("one path", time.time()), {"gemm": runner("gemm", 0.0)}) == "gemm"


@pytest.mark.parametrize(("shape", "f", "stride", "padding"), [
    ((23, 31), 3, 1, "same"), ((24, 30), 5, 2, "valid"), ((17, 19), 2, 1, ((1, 0), (0, 1))),
    ((40, 33), 7, 3, "same"), ((9, 9), 3, 1, 2), ((30, 20), 3, (2, 1), "same"),
])
@pytest.mark.parametrize("flip", [False, True])
def test_two_rows_per_gemm_equal_the_reference(force, shape, f, stride, padding, flip):
    rng = np.random.default_rng(f * 7 + len(shape))
    x = rng.random((2,) + shape + (3,), dtype=np.float32)
    w = rng.standard_normal((f, f, 3, 5)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    force("gemm2")
    got = conv2d(x, w, b, stride=stride, padding=padding, flip=flip)
    expected = conv2d_ref(x, w, b, stride=stride, padding=padding, flip=flip)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    maps, _ = conv_maps(x[0], w, b, stride=stride, padding=padding, flip=flip, per_channel=False)
    np.testing.assert_allclose(maps, expected[0], rtol=1e-4, atol=1e-4)


def test_two_rows_per_gemm_across_tiny_chunks(force, monkeypatch):
    # 8-row chunks and odd chunk lengths: every pair boundary and lone last row
    import playground.engine.backend as backend_module
    from playground.engine import set_backend

    set_backend("numpy")
    monkeypatch.setattr(backend_module._current, "cache_bytes", 1)
    try:
        rng = np.random.default_rng(2)
        x = rng.random((37, 23, 3), dtype=np.float32)
        w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
        force("gemm2")
        np.testing.assert_allclose(conv2d(x, w, padding="same"), conv2d_ref(x, w, padding="same"),
                                   rtol=1e-4, atol=1e-4)
    finally:
        set_backend("numpy")


def test_forced_path_is_validated():
    with pytest.raises(ValueError, match="path"):
        kernel_paths.forced_path("fft")


# ------------------------------------------------------- stack budget from the L2 size

def _fake_cache(tmp_path, entries):
    for i, (level, kind, size) in enumerate(entries):
        folder = tmp_path / f"index{i}"
        folder.mkdir()
        (folder / "level").write_text(f"{level}\n")
        (folder / "type").write_text(f"{kind}\n")
        (folder / "size").write_text(f"{size}\n")
    return str(tmp_path)


def test_l2_size_is_read_from_the_cache_description(tmp_path):
    from playground.engine.row_stack import l2_bytes

    root = _fake_cache(tmp_path, [(1, "Data", "32K"), (1, "Instruction", "32K"), (2, "Unified", "512K"),
                                  (3, "Unified", "32768K")])
    assert l2_bytes(root) == 512 * 1024
    other = tmp_path / "other"
    other.mkdir()
    assert l2_bytes(_fake_cache(other, [(2, "Unified", "2M")])) == 2 * 1024 * 1024


def test_stack_budget_is_at_most_three_quarters_of_the_l2(monkeypatch):
    from playground.engine import row_stack

    monkeypatch.setattr(row_stack, "l2_bytes", lambda: 512 * 1024)
    assert row_stack.stack_budget(3 << 19) == 384 * 1024     # a 2 MB machine's 1.5 MB, on a 512 KB L2
    assert row_stack.stack_budget(1) == 1                    # a smaller figure stands (tests force tiny chunks)
    assert row_stack.stack_budget(None) is None              # the GPU: one chunk
    monkeypatch.setattr(row_stack, "l2_bytes", lambda: None)
    assert row_stack.stack_budget(3 << 19) == 3 << 19


def test_fastest_returns_the_chosen_ways_own_result_and_then_runs_only_it():
    runs = {"slow": 0, "fast": 0}

    def slow():
        runs["slow"] += 1
        time.sleep(0.004)
        return "slow result"

    def fast():
        runs["fast"] += 1
        return "fast result"

    key = ("test fastest", time.perf_counter())
    assert kernel_paths.fastest(key, {"slow": slow, "fast": fast}) == "fast result"
    assert runs["slow"] >= 2 and runs["fast"] >= 2
    measured = dict(runs)
    assert kernel_paths.fastest(key, {"slow": slow, "fast": fast}) == "fast result"
    assert runs == {"slow": measured["slow"], "fast": measured["fast"] + 1}


def test_forcing_several_paths_uses_the_first_one_offered(force):
    force("bands", "conv")
    assert choose(("test forced", 1), {"taps": lambda: None, "conv": lambda: None}) == "conv"
    force("conv", "taps")   # the forced order counts, not the candidates'
    assert choose(("test forced", 2), {"taps": lambda: None, "conv": lambda: None}) == "conv"
    assert kernel_paths.decided(("test forced", 3), ("taps", "conv")) == "conv"
    force(None)
    assert kernel_paths.decided(("test forced", 3), ("taps", "conv")) is None   # not measured yet
    with pytest.raises(ValueError, match="paths"):
        force("conv", "fft")
