"""The learner: Sobel x recovered from random weights (the issue's "Done means", on one
sample in the test; every sample is in benchmarks/bench_learn.py), a 2-layer student
through max pooling, and a clear stop instead of garbage."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.engine.layer import LayerSettings, PoolSettings
from playground.kernels.presets import preset_weights
from playground.live.learner import Learner, he_init
from playground.sources import open_source


def _sample(name: str):
    source = open_source(f"sample:{name}")
    try:
        return source.read()
    finally:
        source.close()


def _sobel_teacher():
    return [(preset_weights("Sobel x", 3)[:, :, :, None], np.zeros(1, np.float32), LayerSettings(padding="same"))]


def test_sobel_x_is_recovered_within_5_percent_with_the_defaults():
    frame = _sample("texture")  # the quickest sample (about 510 steps; city about 630: the bench has all)
    learner = Learner(_sobel_teacher())  # the defaults: Adam, whitened patches, 96×96 crops
    first = learner.evaluate(frame)
    assert learner.distance() > 0.9  # really starts from random weights
    for _ in range(3000):
        result = learner.step(frame)
        if result.distance < 0.05:
            break
    assert result.distance < 0.05, f"distance {result.distance:.3f} after {result.step} steps"
    assert first / learner.evaluate(frame) >= 1000
    np.testing.assert_allclose(learner.student[0].w[..., 0], preset_weights("Sobel x", 3), atol=0.3)


def test_two_layer_student_learns_through_max_pooling():
    frame = _sample("texture")[:128, :128]
    rng = np.random.default_rng(0)
    first_layer = np.stack([preset_weights(name, 3) for name in ("Sobel x", "Sobel y")], axis=-1)
    teacher = [
        (first_layer, np.zeros(2, np.float32), LayerSettings(padding="same", activation="relu",
                                                             pool=PoolSettings("max", 2, 2))),
        ((rng.standard_normal((3, 3, 2, 1)) * 0.5).astype(np.float32), np.zeros(1, np.float32),
         LayerSettings(padding="same")),
    ]
    # lr 0.03 and seed 1: measured to pass 100× within ~100 steps (the default 0.01 needs ~500)
    learner = Learner(teacher, trainable=(0, 1), crop=64, lr=0.03, seed=1)
    first = learner.evaluate(frame)
    for _ in range(150):
        assert not learner.step(frame).stopped
    assert first / learner.evaluate(frame) >= 100
    assert learner.distance() > 0  # both layers moved from the random start
    assert not np.array_equal(learner.student[1].w, teacher[1][0])


def test_a_learning_rate_far_too_large_stops_with_a_reason_and_keeps_good_weights():
    frame = _sample("shapes")[:100, :100]
    learner = Learner(_sobel_teacher(), optimizer="sgd", lr=1e3, precondition=False, crop=64)
    results = [learner.step(frame) for _ in range(60)]
    stopped = [r for r in results if r.stopped]
    assert stopped, "a diverging run must stop"
    reason = stopped[0].stopped
    assert "learning rate 1000" in reason
    assert all(np.isfinite(learner.student[0].w).all() for _ in range(1))
    weights = learner.student[0].w.copy()
    again = learner.step(frame)
    assert again.stopped == reason and np.array_equal(learner.student[0].w, weights)  # nothing changes
    learner.reset()
    assert learner.stopped is None and learner.steps == 0


def test_lr_changes_between_steps_and_is_validated():
    frame = _sample("texture")[:64, :64]
    learner = Learner(_sobel_teacher(), optimizer="sgd", precondition=False, lr=0.01)
    before = learner.student[0].w.copy()
    learner.step(frame)
    small = np.abs(learner.student[0].w - before).max()
    learner.reset()
    learner.lr = 0.1
    learner.step(frame)
    assert np.abs(learner.student[0].w - before).max() == pytest.approx(10 * small, rel=1e-4)
    for bad in (0, -1, math.nan, "fast"):
        with pytest.raises(ValueError, match="learning rate"):
            learner.lr = bad


def test_same_seed_same_run_and_steps_per_frame():
    frame = _sample("texture")[:80, :80]
    runs = []
    for _ in range(2):
        learner = Learner(_sobel_teacher(), seed=3, steps_per_frame=4, crop=32)
        results = learner.train_on_frame(frame)
        runs.append((learner.student[0].w.copy(), [r.loss for r in results]))
    assert len(runs[0][1]) == 4 and runs[0][1] == runs[1][1]
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    other = Learner(_sobel_teacher(), seed=4)
    assert not np.array_equal(other.student[0].w, runs[0][0])


def test_keep_starts_from_the_teachers_weights_and_he_init_scale():
    learner = Learner(_sobel_teacher(), init="keep")
    assert learner.distance() == 0.0
    w = he_init((3, 3, 64, 64), np.random.default_rng(0))
    assert w.std() == pytest.approx(math.sqrt(2 / (3 * 3 * 64)), rel=0.02)
    with pytest.raises(ValueError, match="layers to learn"):
        Learner(_sobel_teacher(), trainable=(1,))


@pytest.mark.gpu
def test_learner_on_cupy_frames_follows_numpy():
    cp = pytest.importorskip("cupy")
    try:
        if cp.cuda.runtime.getDeviceCount() < 1:
            pytest.skip("no CUDA device")
    except Exception:
        pytest.skip("no CUDA device")
    frame = _sample("texture")[:160, :160]
    cpu, gpu = Learner(_sobel_teacher(), seed=5), Learner(_sobel_teacher(), seed=5)
    for _ in range(20):
        on_cpu, on_gpu = cpu.step(frame), gpu.step(cp.asarray(frame))
    assert isinstance(gpu.student[0].w, cp.ndarray)  # the weights moved to the frame's device
    assert on_gpu.loss == pytest.approx(on_cpu.loss, rel=1e-2)  # cuBLAS and OpenBLAS round differently
    assert on_gpu.distance == pytest.approx(on_cpu.distance, rel=1e-2)
