"""Display levels: LevelPolicy validation, compute_levels in every mode, the histogram
percentile against NumPy, and LevelSmoother's rise-at-once / fall-gradually easing."""

from __future__ import annotations

import numpy as np
import pytest

from playground.render.levels import (
    LEVEL_MODES,
    LevelPolicy,
    LevelSmoother,
    compute_levels,
    map_levels,
    sample_levels,
    sample_places,
)
from playground.render.levels import _percentile_rows as percentile_rows


def _stack(seed=0, shape=(64, 80, 3), scales=(1.0, 5.0, 0.1)):
    rng = np.random.default_rng(seed)
    stack = rng.standard_normal(shape).astype(np.float32)
    return stack * np.asarray(scales, np.float32)


def _per_map(stack):
    return np.asarray(stack, np.float64).reshape(-1, stack.shape[-1]).T  # (N, pixels)


# ------------------------------------------------------------------ LevelPolicy

def test_policy_defaults():
    policy = LevelPolicy()
    assert (policy.mode, policy.percentile, policy.fixed, policy.shared) == ("percentile", 99.0, 1.0, False)
    assert set(LEVEL_MODES) == {"percentile", "minmax", "fixed"}


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"mode": "auto"}, "mode"),
        ({"mode": "Percentile"}, "mode"),
        ({"percentile": 49.9}, "percentile"),
        ({"percentile": 100.1}, "percentile"),
        ({"percentile": float("nan")}, "percentile"),
        ({"fixed": 0.0}, "fixed"),
        ({"fixed": -1.0}, "fixed"),
        ({"fixed": float("inf")}, "fixed"),
        ({"fixed": float("nan")}, "fixed"),
    ],
)
def test_policy_validation_names_the_parameter(kwargs, word):
    with pytest.raises(ValueError, match=word):
        LevelPolicy(**kwargs)


@pytest.mark.parametrize("percentile", [50, 50.0, 99.5, 100])
def test_policy_percentile_bounds_are_inclusive(percentile):
    assert LevelPolicy(percentile=percentile).percentile == percentile


def test_policy_is_immutable_and_hashable():
    policy = LevelPolicy("minmax", shared=True)
    with pytest.raises(AttributeError):
        policy.mode = "fixed"  # type: ignore[misc]
    assert policy == LevelPolicy("minmax", shared=True)
    assert hash(policy) == hash(LevelPolicy("minmax", shared=True))


# ------------------------------------------------------------ compute_levels

def test_signed_percentile_is_symmetric_around_zero():
    stack = _stack()
    levels = compute_levels(stack, LevelPolicy(percentile=99), signed=True, step=1)
    assert levels.shape == (3, 2) and levels.dtype == np.float64
    np.testing.assert_array_equal(levels[:, 0], -levels[:, 1])
    values = np.abs(_per_map(stack))
    bin_width = values.max(axis=1) / 1023
    expected = np.percentile(values, 99, axis=1)
    assert (np.abs(levels[:, 1] - expected) <= bin_width * 1.01).all(), (levels, expected)
    # the three maps have different scales: per-map levels follow them
    assert levels[1, 1] > 10 * levels[2, 1]


def test_unsigned_percentile_starts_at_zero():
    stack = np.abs(_stack(1))
    levels = compute_levels(stack, LevelPolicy(percentile=90), signed=False, step=1)
    np.testing.assert_array_equal(levels[:, 0], 0.0)
    values = _per_map(stack)
    bin_width = values.max(axis=1) / 1023
    expected = np.percentile(values, 90, axis=1)
    assert (np.abs(levels[:, 1] - expected) <= bin_width * 1.01).all(), (levels, expected)


def test_unsigned_levels_start_at_zero_even_when_the_map_does_not():
    stack = np.full((8, 8, 1), 5.0, np.float32)
    stack[0, 0, 0] = 9.0
    levels = compute_levels(stack, LevelPolicy(percentile=100), signed=False, step=1)
    np.testing.assert_array_equal(levels, [[0.0, 9.0]])


def test_percentile_100_is_the_maximum():
    stack = _stack(2)
    levels = compute_levels(stack, LevelPolicy(percentile=100), signed=True, step=1)
    np.testing.assert_allclose(levels[:, 1], np.abs(_per_map(stack)).max(axis=1), rtol=1e-6)


def test_signed_minmax_uses_the_largest_magnitude():
    stack = _stack(3)
    stack[5, 5, 0] = -40.0  # the most negative value dominates the first map
    levels = compute_levels(stack, LevelPolicy("minmax"), signed=True, step=1)
    top = np.abs(_per_map(stack)).max(axis=1)
    np.testing.assert_allclose(levels, np.stack([-top, top], axis=1), rtol=1e-6)
    assert levels[0, 1] == pytest.approx(40.0)


def test_unsigned_minmax_goes_from_min_to_max():
    stack = _stack(4) + 10.0
    levels = compute_levels(stack, LevelPolicy("minmax"), signed=False, step=1)
    values = _per_map(stack)
    np.testing.assert_allclose(levels, np.stack([values.min(axis=1), values.max(axis=1)], axis=1), rtol=1e-6)


@pytest.mark.parametrize("signed", [True, False])
def test_fixed_levels(signed):
    stack = _stack(5)
    levels = compute_levels(stack, LevelPolicy("fixed", fixed=2.5), signed=signed)
    low = -2.5 if signed else 0.0
    np.testing.assert_array_equal(levels, [[low, 2.5]] * 3)


@pytest.mark.parametrize("mode", ["percentile", "minmax"])
def test_shared_gives_one_level_set_for_all_maps(mode):
    stack = _stack(6)
    shared = compute_levels(stack, LevelPolicy(mode, percentile=99, shared=True), signed=True, step=1)
    own = compute_levels(stack, LevelPolicy(mode, percentile=99), signed=True, step=1)
    assert (shared == shared[0]).all()
    assert not (own == own[0]).all()
    values = np.abs(_per_map(stack)).ravel()
    if mode == "minmax":
        assert shared[0, 1] == pytest.approx(values.max())
    else:
        assert abs(shared[0, 1] - np.percentile(values, 99)) <= values.max() / 1023 * 1.01


def test_shared_unsigned_minmax_uses_the_overall_range():
    stack = np.stack([np.full((4, 4), 1.0), np.full((4, 4), 3.0), np.linspace(2, 7, 16).reshape(4, 4)], axis=-1)
    levels = compute_levels(stack.astype(np.float32), LevelPolicy("minmax", shared=True), signed=False, step=1)
    np.testing.assert_allclose(levels, [[1.0, 7.0]] * 3)


@pytest.mark.parametrize("mode", ["percentile", "minmax"])
@pytest.mark.parametrize("signed", [True, False])
def test_all_zero_map_gets_a_unit_span(mode, signed):
    stack = _stack(7)
    stack[:, :, 1] = 0.0
    levels = compute_levels(stack, LevelPolicy(mode), signed=signed, step=1)
    expected = [-1.0, 1.0] if signed else [0.0, 1.0]
    np.testing.assert_array_equal(levels[1], expected)
    assert (levels[:, 1] > levels[:, 0]).all()
    assert levels[0, 1] != 1.0  # the other maps keep their own levels


def test_flat_nonzero_unsigned_minmax_map_gets_a_unit_span():
    stack = np.full((6, 6, 1), 3.0, np.float32)
    levels = compute_levels(stack, LevelPolicy("minmax"), signed=False, step=1)
    np.testing.assert_array_equal(levels, [[3.0, 4.0]])


def test_levels_of_a_map_with_few_zeros_are_its_percentile():
    stack = np.zeros((100, 100, 1), np.float32)
    stack[:50, :, 0] = np.linspace(1, 8, 5000).reshape(50, 100)  # half zero, half 1…8
    levels = compute_levels(stack, LevelPolicy(percentile=90), signed=True, step=1)
    expected = np.percentile(np.abs(stack), 90)
    assert abs(levels[0, 1] - expected) <= 8.0 / 1023 and levels[0, 0] == -levels[0, 1]


def test_mostly_zero_map_falls_back_to_its_maximum():
    # 99th percentile of a map with 0.5 % non-zero pixels is 0: show the maximum instead
    stack = np.zeros((100, 100, 1), np.float32)
    stack[:5, :10, 0] = np.linspace(1, 8, 50).reshape(5, 10)
    levels = compute_levels(stack, LevelPolicy(percentile=99), signed=True, step=1)
    np.testing.assert_allclose(levels, [[-8.0, 8.0]])


@pytest.mark.parametrize("with_zero", [False, True])
def test_one_extreme_pixel_does_not_set_the_percentile_level(with_zero):
    rng = np.random.default_rng(12)
    stack = rng.uniform(-0.5, 0.5, (100, 100, 1)).astype(np.float32)
    stack[stack == 0] = 0.25
    if with_zero:
        stack[7, 7, 0] = 0.0
    stack[50, 50, 0] = 2000.0  # one hot pixel: the 99th percentile must ignore it
    top = compute_levels(stack, LevelPolicy(percentile=99), signed=True, step=1)[0, 1]
    values = np.abs(stack)
    assert (values > top).mean() <= 0.02          # ~1 % of the pixels saturate, not all of them
    assert top <= 2000.0 / 1023 * 1.01             # within one bin of the true 0.495, far below the hot pixel
    assert top >= np.percentile(values, 99) - 2000.0 / 1023


def test_step_samples_every_step_th_pixel():
    stack = np.zeros((16, 16, 1), np.float32)
    stack[1, 1, 0] = 100.0   # not on the every-4th grid
    stack[4, 8, 0] = 3.0     # on it
    assert compute_levels(stack, LevelPolicy("minmax"), True, step=4)[0, 1] == pytest.approx(3.0)
    assert compute_levels(stack, LevelPolicy("minmax"), True, step=1)[0, 1] == pytest.approx(100.0)


def test_strided_stack_views_are_accepted():
    base = _stack(8, shape=(40, 50, 3)).transpose(0, 2, 1).copy()  # (40, 3, 50)
    view = base.transpose(0, 2, 1)  # (40, 50, 3), non-contiguous
    levels = compute_levels(view, LevelPolicy("minmax"), signed=True, step=1)
    np.testing.assert_allclose(levels[:, 1], np.abs(_per_map(view)).max(axis=1), rtol=1e-6)


# ------------------------------------------- the histogram percentile vs NumPy

@pytest.mark.parametrize("percentile", [50.0, 90.0, 99.0, 99.9])
@pytest.mark.parametrize("mostly_zero", [False, True])
def test_histogram_percentile_is_within_one_bin_of_numpy(percentile, mostly_zero):
    rng = np.random.default_rng(int(percentile * 10) + mostly_zero)
    for _ in range(20):
        n = int(rng.integers(200, 6000))
        values = np.abs(rng.standard_normal((4, n))).astype(np.float32) * rng.uniform(0.01, 100)
        if mostly_zero:
            values[:, rng.random(n) < 0.9] = 0.0
        got = percentile_rows(values, percentile)
        bin_width = (values.max(axis=1) - values.min(axis=1)) / 1023
        # the value at the rank ceil(p·n) (NumPy's "inverted_cdf"): the top edge of its bin
        rank_value = np.percentile(values, percentile, axis=1, method="inverted_cdf")
        assert (got >= rank_value - 1e-4 * bin_width).all()
        assert (got <= rank_value + bin_width * (1 + 1e-4)).all()


@pytest.mark.parametrize("percentile", [50.0, 95.0, 99.0])
@pytest.mark.parametrize("mostly_zero", [False, True])
def test_histogram_percentile_matches_numpy_default_on_big_maps(percentile, mostly_zero):
    rng = np.random.default_rng(3)
    values = rng.random((3, 300 * 300)).astype(np.float32) * np.array([[1.0], [50.0], [0.02]], np.float32)
    if mostly_zero:
        values[:, rng.random(values.shape[1]) < 0.8] = 0.0
    got = percentile_rows(values, percentile)
    expected = np.percentile(values, percentile, axis=1)
    bin_width = values.max(axis=1) / 1023
    assert (np.abs(got - expected) <= bin_width * 1.001).all(), (got, expected, bin_width)


def test_histogram_percentile_of_a_constant_row_is_that_value():
    values = np.full((2, 100), 4.0, np.float32)
    np.testing.assert_allclose(percentile_rows(values, 99.0), [4.0, 4.0])


def _histogram_top_edge(values: np.ndarray, percentile: float, bins: int = 1024) -> np.ndarray:
    """The level rule spelled out: count values into 1024 bins from each row's minimum,
    take the top edge of the first bin whose running count reaches the rank."""
    rows, n = values.shape
    low = values.min(axis=1, keepdims=True)
    span = values.max(axis=1, keepdims=True) - low
    scale = np.where(span > 0, (bins - 1) / np.where(span > 0, span, 1), 0.0).astype(np.float32)
    index = ((values - low) * scale).astype(np.int32)
    wanted = np.ceil(percentile / 100.0 * n)
    tops = []
    for r in range(rows):
        counts = np.bincount(index[r], minlength=bins)
        edge = int((np.cumsum(counts) < wanted).sum())
        top = min(float(low[r, 0]) + (edge + 1) * float(span[r, 0]) / (bins - 1), float(values[r].max()))
        tops.append(float(low[r, 0]) if (values[r] == low[r, 0]).sum() >= wanted else top)
    return np.array(tops)


@pytest.mark.parametrize("percentile", [50.0, 75.3, 90.0, 99.0, 99.9, 100.0])
def test_percentile_is_exactly_the_histogram_rule(percentile):
    # the sort finds the rank's bin without counting: every level must be the same number
    rng = np.random.default_rng(int(percentile * 10))
    for trial in range(60):
        n = int(rng.integers(1, 4000))
        values = np.abs(rng.standard_normal((3, n)) ** int(rng.integers(1, 4))).astype(np.float32)
        if trial % 3 == 0:
            values[:, : int(n * rng.random())] = 0.0     # mostly flat maps
        if trial % 4 == 0:
            values = np.round(values * 4) / 4            # many equal values
        np.testing.assert_array_equal(percentile_rows(values, percentile), _histogram_top_edge(values, percentile))


# ------------------------------------------------------------------ level samples

def test_sample_places_are_fixed_per_size_and_inside_the_map():
    rows, cols = sample_places(480, 640)
    assert len(rows) == len(cols) == 6000
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) == 6000
    assert rows.min() >= 0 and rows.max() < 480 and cols.min() >= 0 and cols.max() < 640
    again = sample_places(480, 640)
    np.testing.assert_array_equal(again[0], rows)
    np.testing.assert_array_equal(again[1], cols)


def test_small_maps_are_sampled_at_every_pixel():
    rows, cols = sample_places(30, 40)
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [(y, x) for y in range(30) for x in range(40)]


@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize("policy", [LevelPolicy(), LevelPolicy(percentile=90.0, shared=True), LevelPolicy("fixed")])
def test_levels_from_samples_equal_the_levels_of_the_full_maps(signed, policy):
    # the app computes sample values from the input; they must give the maps' own levels
    rng = np.random.default_rng(4)
    planar = rng.standard_normal((120, 5, 160)).astype(np.float32) * np.float32(3.0)
    if not signed:
        planar = np.abs(planar)
    floors = np.full(5, 1e-3)
    rows, cols = sample_places(120, 160)
    sample = np.ascontiguousarray(planar[rows, :, cols].T)   # (maps, samples)
    np.testing.assert_array_equal(sample_levels(sample, policy, signed, floors),
                                  map_levels(planar, policy, signed, floors))


def test_sample_levels_count_values_under_the_noise_floor_as_zeros():
    floors = np.array([1e-3, 1e-3, 1e-3])
    sample = np.zeros((3, 1000), np.float32)
    sample[0] = 1e-9                      # rounding noise only: a flat map, like all zeros
    sample[1, :995] = 1e-9                # noise and a few real values: the rank falls in
    sample[1, 995:] = 5e-2                # the noise, so the map shows its maximum
    sample[2, :995] = 0.0                 # the same with exact zeros: the same levels
    sample[2, 995:] = 5e-2
    levels = sample_levels(sample, LevelPolicy(), True, floors)
    np.testing.assert_allclose(levels, [[-1.0, 1.0], [-5e-2, 5e-2], [-5e-2, 5e-2]], rtol=1e-6)


def test_sample_levels_keep_values_above_the_noise_floor():
    sample = np.full((2, 100), 2e-3, np.float32)
    levels = sample_levels(sample, LevelPolicy(), True, np.array([1.5e-3, 5e-3]))
    np.testing.assert_allclose(levels, [[-2e-3, 2e-3], [-1.0, 1.0]], rtol=1e-6)   # the second: all noise


# ------------------------------------------------------------------ LevelSmoother

def _levels(*tops):
    return np.array([[-t, t] for t in tops], np.float64)


def test_smoother_first_update_is_the_levels():
    smoother = LevelSmoother(fall=0.25)
    out = smoother.update(_levels(2.0, 3.0))
    np.testing.assert_array_equal(out, _levels(2.0, 3.0))


def test_smoother_rises_at_once():
    smoother = LevelSmoother(fall=0.25)
    smoother.update(_levels(2.0, 3.0))
    out = smoother.update(_levels(5.0, 3.5))
    np.testing.assert_array_equal(out, _levels(5.0, 3.5))


def test_smoother_falls_gradually():
    smoother = LevelSmoother(fall=0.25)
    smoother.update(_levels(4.0, 4.0))
    out = smoother.update(_levels(2.0, 4.0))
    np.testing.assert_allclose(out, _levels(3.5, 4.0))  # 4 + 0.25·(2 − 4)
    tops = [out[0, 1]]
    for _ in range(30):
        tops.append(smoother.update(_levels(2.0, 4.0))[0, 1])
    assert all(a > b for a, b in zip(tops, tops[1:], strict=False))  # keeps falling
    assert tops[-1] == pytest.approx(2.0, abs=0.01)              # towards the new level
    assert all(t > 2.0 for t in tops)


def test_smoother_each_map_on_its_own():
    smoother = LevelSmoother(fall=0.5)
    smoother.update(_levels(4.0, 1.0))
    out = smoother.update(_levels(2.0, 3.0))  # first falls, second rises
    np.testing.assert_allclose(out, _levels(3.0, 3.0))


def test_smoother_unsmoothed_update_takes_the_levels_and_restarts_from_them():
    smoother = LevelSmoother(fall=0.5)
    smoother.update(_levels(8.0))
    np.testing.assert_array_equal(smoother.update(_levels(2.0), smooth=False), _levels(2.0))
    np.testing.assert_allclose(smoother.update(_levels(1.0)), _levels(1.5))


def test_smoother_reset_forgets_the_history():
    smoother = LevelSmoother(fall=0.5)
    smoother.update(_levels(8.0))
    smoother.reset()
    np.testing.assert_array_equal(smoother.update(_levels(2.0)), _levels(2.0))


def test_smoother_shape_change_takes_the_new_levels():
    smoother = LevelSmoother(fall=0.5)
    smoother.update(_levels(8.0, 8.0))
    out = smoother.update(_levels(1.0, 1.0, 1.0))
    np.testing.assert_array_equal(out, _levels(1.0, 1.0, 1.0))


def test_smoother_does_not_keep_the_callers_array():
    smoother = LevelSmoother(fall=0.5)
    given = _levels(4.0)
    smoother.update(given)
    given[:] = 0.0  # the caller reuses its array
    np.testing.assert_allclose(smoother.update(_levels(2.0)), _levels(3.0))


def test_smoother_result_is_the_callers_to_keep():
    smoother = LevelSmoother(fall=0.5)
    shown = smoother.update(_levels(4.0))
    shown[:] = 0.0  # e.g. a view that adjusts the levels it was given
    np.testing.assert_allclose(smoother.update(_levels(2.0)), _levels(3.0))


def test_a_mostly_zero_map_takes_the_top_it_is_given_never_above_its_maximum():
    # after ReLU the demo's edge maps were zero at 99.2 % of their pixels: their 99th
    # percentile fell among the zeros and their maximum made the level, dimming the edges
    floors = np.full(3, 1e-6)
    sample = np.zeros((3, 1000), np.float32)
    sample[0, :5] = [6.8, 4.0, 2.0, 1.0, 0.5]      # mostly zero
    sample[1, :5] = [6.8, 4.0, 2.0, 1.0, 0.5]      # mostly zero, asked for more than its maximum
    sample[2] = np.linspace(0, 2, 1000)             # not mostly zero: its own percentile
    given = np.array([1.6, 9.0, 0.1])
    plain = sample_levels(sample.copy(), LevelPolicy(), False, floors)
    levels = sample_levels(sample.copy(), LevelPolicy(), False, floors, sparse_top=given)
    np.testing.assert_allclose(plain[:2, 1], [6.8, 6.8], rtol=1e-6)
    np.testing.assert_allclose(levels[:, 1], [1.6, 6.8, plain[2, 1]], rtol=1e-6)
    shared = sample_levels(sample[:2].copy(), LevelPolicy(shared=True), False, floors[:2],
                           sparse_top=np.array([1.6, 2.0]))
    np.testing.assert_allclose(shared[:, 1], [2.0, 2.0], rtol=1e-6)   # one level: the largest given
    planar = np.ascontiguousarray(sample[:, None, :].transpose(1, 0, 2))   # (1, 3, 1000): full maps too
    np.testing.assert_allclose(map_levels(planar, LevelPolicy(), False, floors, sparse_top=given)[:, 1],
                               levels[:, 1], rtol=1e-6)
