"""Learning speed and convergence: what one training step costs, and how fast Sobel x is learned.

Run:  python benchmarks/bench_learn.py [--rounds 7] [--runs 15] [--skip-convergence] [--backend numpy|cupy]

Part 1, step vs forward (one layer: 8 filters 3×3 on RGB, "same" padding, on a
640×480 frame). In each round, interleaved in this one process so a busy machine
slows both alike: the forward pass (``run_layer`` without per-channel maps, what
the app computes for the maps) and a full-frame training step (forward with
caches, MSE against a fixed target, backward for the weights and bias, an Adam
update). Also the learner's own step as the app runs it: a random 96×96 crop,
teacher and student forward, backward, the whitened Adam update. Medians of
``--runs`` calls per round; the ratio's median and range over ``--rounds``.

Part 2, convergence (the issue's "Done means"): from seeded random weights, with
the learner's defaults, the steps and seconds (learning time) until
‖w − w_Sobel‖/‖w_Sobel‖ < 5 %, and until the loss on the whole frame has fallen
1000× (checked every 25 steps), on every built-in sample and the demo, at most
3,000 steps each; then the loss fall and distance where it stopped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the app: the engine's bands are the threads

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.engine import adam_step, backward_network, forward_train, mse_loss, set_backend  # noqa: E402
from playground.engine.layer import LayerSettings, run_layer  # noqa: E402
from playground.kernels.presets import preset_weights  # noqa: E402
from playground.live.learner import DEFAULT_CROP, DEFAULT_LR, Learner  # noqa: E402
from playground.sources import open_source, sample_images  # noqa: E402
from playground.sources.demo import demo_frame  # noqa: E402


def machine() -> str:
    """The CPU model and its vector extensions, e.g. 'AMD EPYC (AVX2, AVX-512) · 2 cores'."""
    model, flags = "unknown CPU", set()
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name":
                model = value.strip()
            elif key.strip() == "Flags":
                flags = set(value.split())
    except OSError:
        pass
    vectors = [name for flag, name in (("avx2", "AVX2"), ("avx512f", "AVX-512")) if flag in flags]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{model} ({', '.join(vectors) or 'no AVX2'}) · {cores} cores"


def median_ms(fn, runs: int, sync) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def step_vs_forward(xp, rounds: int, runs: int, sync) -> None:
    rng = np.random.default_rng(0)
    frame = xp.asarray(demo_frame(480, 640))
    settings = LayerSettings(padding="same")
    teacher_w = rng.standard_normal((3, 3, 3, 8)).astype(np.float32)
    target, _ = forward_train(frame, [(xp.asarray(teacher_w), xp.zeros(8, np.float32), settings)])
    params = [xp.asarray(rng.standard_normal((3, 3, 3, 8)).astype(np.float32) * 0.27), xp.zeros(8, np.float32)]
    state = [None]

    def forward():
        run_layer(frame, params[0], params[1], settings, per_channel=False)

    def train_step():
        output, cache = forward_train(frame, [(params[0], params[1], settings)])
        _, grad = mse_loss(output, target)
        (grad_w, grad_b), = backward_network(cache, grad)
        new, state[0] = adam_step(params, [grad_w, grad_b], state[0], lr=1e-3)
        params[:] = [p.astype(np.float32) for p in new]

    learner = Learner([(teacher_w, np.zeros(8, np.float32), settings)])

    def learner_step():
        learner.step(frame)

    for fn in (forward, train_step, learner_step):  # warm-up: buffers, thread pool, BLAS
        for _ in range(5):
            fn()
    sync()
    rows = {"forward": [], "step": [], "learner": []}
    for _ in range(rounds):
        rows["forward"].append(median_ms(forward, runs, sync))
        rows["step"].append(median_ms(train_step, runs, sync))
        rows["learner"].append(median_ms(learner_step, runs, sync))
    ratios = [s / f for s, f in zip(rows["step"], rows["forward"], strict=True)]
    crop_ratios = [s / f for s, f in zip(rows["learner"], rows["forward"], strict=True)]

    def spread(values):
        return f"median {statistics.median(values):6.2f}  range {min(values):6.2f} – {max(values):6.2f}"

    print("one layer, 8 filters 3×3 on RGB, 'same', 640×480 frame (ms; medians of "
          f"{runs} calls, {rounds} interleaved rounds)")
    print(f"  forward (run_layer)                  {spread(rows['forward'])}")
    print(f"  training step, whole frame           {spread(rows['step'])}")
    print(f"  learner step, {DEFAULT_CROP}×{DEFAULT_CROP} crop + whitening  {spread(rows['learner'])}")
    print(f"  ratio step / forward (whole frame)   {spread(ratios)}   (budget ≤ 3)")
    print(f"  ratio learner step / forward         {spread(crop_ratios)}")


def _frames():
    for name in sorted(sample_images()):
        source = open_source(f"sample:{name}")
        try:
            yield name, source.read()
        finally:
            source.close()
    yield "demo", demo_frame(480, 640)


def convergence(xp, max_steps: int, precondition: bool = True) -> None:
    teacher = [(preset_weights("Sobel x", 3)[:, :, :, None], np.zeros(1, np.float32), LayerSettings(padding="same"))]
    steps = "whitened patches" if precondition else "plain steps (--no-precondition)"
    print(f"\nSobel x from random weights (Adam lr {DEFAULT_LR}, {steps}, {DEFAULT_CROP}×{DEFAULT_CROP} "
          f"crops, seed 0), at most {max_steps} steps")
    print(f"  {'picture':8} {'size':>9} {'steps to 5 %':>13} {'s':>6} {'steps to 1000×':>15} {'s':>6} "
          f"{'loss fall':>10} {'distance':>9} {'ms/step':>8}")
    for name, frame in _frames():
        frame = xp.asarray(frame)
        learner = Learner(teacher, precondition=precondition)
        first = learner.evaluate(frame)
        hit = fell = None
        seconds = hit_seconds = fell_seconds = 0.0
        fall = 1.0
        for _ in range(max_steps):
            started = time.perf_counter()
            result = learner.step(frame)
            seconds += time.perf_counter() - started  # learning time only: the checks below are not counted
            if hit is None and result.distance < 0.05:
                hit, hit_seconds = result.step, seconds
            if result.step % 25 == 0 or result.step == hit:
                fall = first / max(learner.evaluate(frame), 1e-30)  # the whole frame, not one crop
                if fell is None and fall >= 1000:
                    fell, fell_seconds = result.step, seconds
            if hit is not None and fell is not None:
                break
        fall = first / max(learner.evaluate(frame), 1e-30)
        size = f"{frame.shape[1]}×{frame.shape[0]}"
        print(f"  {name:8} {size:>9} {hit or 'not reached':>13} {hit_seconds:6.1f} {fell or 'not reached':>15} "
              f"{fell_seconds:6.1f} {fall:10.3g} {result.distance:9.4f} {1e3 * seconds / result.step:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--max-steps", type=int, default=3000)
    parser.add_argument("--skip-convergence", action="store_true")
    parser.add_argument("--no-precondition", action="store_true",
                        help="convergence with the plain optimizer steps, to see why the learner whitens")
    parser.add_argument("--backend", choices=("numpy", "cupy"), default="numpy")
    args = parser.parse_args()
    info = set_backend(args.backend)
    if info.name == "cupy":
        import cupy

        xp, sync = cupy, cupy.cuda.Device().synchronize
    else:
        xp, sync = np, (lambda: None)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} "
          "(a shared machine: other work slows both sides)")
    print(f"backend: {info}   numpy {np.__version__}")
    step_vs_forward(xp, args.rounds, args.runs, sync)
    if not args.skip_convergence:
        convergence(xp, args.max_steps, precondition=not args.no_precondition)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
