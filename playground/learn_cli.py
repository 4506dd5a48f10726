"""Headless learning: ``python main.py learn --source SRC --teacher NAME|BANK.json --out FILE.json``.

A student layer starts from seeded random weights and learns, by backpropagation,
to give the teacher's maps on the source's frames (see
:mod:`playground.live.learner`). A progress bar goes to stderr; the last line on
stdout is ``steps=N loss_first=A loss_last=B distance=D seconds=T`` (A and B: the
MSE on the whole first and last frame, before and after learning, not on one
crop; D: ‖w − w_teacher‖ / ‖w_teacher‖; T: the seconds learning took); the
learned bank is written atomically as a bank file the app opens.

Teachers: a preset by name (``"Sobel x"``) or slug (``sobel-x``), or a bank file;
each is one conv layer with "same" padding, as the app runs it. (A network
teacher, ``--network SPEC|NETWORK.json``, comes with the network model: the
teacher is resolved to engine stages in one place, :func:`resolve_teacher`.)

Each step trains on a random 96×96 crop of the frame (``--crop``); still pictures
are read once, live sources (demo, video, webcam) give a new frame every
``--steps-per-frame`` steps.

Exit codes: 0 success; 1 learning stopped (NaN, a loss that blew up) or the file
could not be written; 2 bad arguments (unknown teacher, lr ≤ 0, steps < 1, a
missing source…); 130 interrupted. Nothing is written unless learning finished.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from playground.engine.layer import LayerSettings
from playground.engine.optim import OPTIMIZERS
from playground.engine.train import Stage
from playground.export.atomic import ExportError
from playground.export.bank_io import BankFileError, load_bank, save_bank
from playground.export.cli import ProgressBar, one_line, shorten
from playground.export.naming import slugify
from playground.kernels.model import Filter, FilterBank
from playground.kernels.presets import PRESETS, preset_weights
from playground.live.learner import DEFAULT_CROP, DEFAULT_LR, DEFAULT_OPTIMIZER, Learner
from playground.sources import SourceError, open_source

__all__ = ["build_parser", "main", "resolve_teacher", "DEFAULT_STEPS"]

PROG = "kernel-playground learn"
DEFAULT_STEPS = 3000
_MAX_NAME = 40


class _UsageError(Exception):
    """Bad command-line arguments (one line, exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        raise _UsageError(message)


def _whole(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            if text.strip().lstrip("+-").isdigit():  # past Python's 4300 digits for int(text)
                raise argparse.ArgumentTypeError(f"too large; got a {len(text.strip())}-character number") from None
            raise argparse.ArgumentTypeError(f"must be a whole number; got {shorten(text)!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}; got {value}")
        return value
    return parse


def _learning_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number; got {text!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0; got {text!r}")
    return value


def _layers(text: str) -> tuple[int, ...]:
    try:
        layers = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be layer numbers like 1 or 1,2; got {text!r}") from None
    if any(layer < 1 for layer in layers):
        raise argparse.ArgumentTypeError(f"layers are numbered from 1; got {text!r}")
    return layers


def build_parser() -> argparse.ArgumentParser:
    """The parser for the arguments after ``learn``."""
    parser = _Parser(prog=PROG, description="Learn a layer's kernels by backpropagation from a teacher's maps.")
    parser.add_argument("--source", required=True, metavar="SRC",
                        help="'demo', 'sample:NAME', 'webcam[:N]', or an image/video file")
    parser.add_argument("--teacher", required=True, metavar="NAME|BANK.json",
                        help="a preset name or slug (e.g. sobel-x) or a bank file")
    parser.add_argument("--layers", type=_layers, default=(1,), metavar="L[,L…]",
                        help="layers the student learns, from 1 (default: 1)")
    parser.add_argument("--steps", type=_whole(1), default=DEFAULT_STEPS, help="steps (default: %(default)s)")
    parser.add_argument("--lr", type=_learning_rate, default=DEFAULT_LR, help="learning rate (default: %(default)s)")
    parser.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default=DEFAULT_OPTIMIZER,
                        help="(default: %(default)s)")
    parser.add_argument("--seed", type=_whole(0), default=0, help="seeds the initial weights and crops (default: 0)")
    parser.add_argument("--crop", type=_whole(8), default=DEFAULT_CROP,
                        help="side of the random square crop each step trains on (default: %(default)s)")
    parser.add_argument("--steps-per-frame", type=_whole(1), default=1,
                        help="steps on each frame of a live source (default: 1)")
    parser.add_argument("--no-precondition", action="store_true",
                        help="plain gradient steps instead of steps on whitened input patches")
    parser.add_argument("--out", required=True, metavar="FILE.json", help="where to write the learned bank")
    return parser


def _preset_named(text: str) -> str | None:
    wanted = text.strip()
    for name in PRESETS:
        if wanted.lower() == name.lower() or slugify(wanted) == slugify(name):
            return name
    return None


def _is_file(text: str) -> bool:
    try:
        return Path(text).expanduser().is_file()
    except (OSError, ValueError):  # a name too long for any file system, a NUL byte: not a file, a preset name
        return False


def resolve_teacher(text: str) -> tuple[list[Stage], list[str]]:
    """The teacher as engine stages, and the names of its first layer's filters.

    Raises
    ------
    ValueError
        An unknown preset (listing the slugs), or BankFileError for a bad bank file.
    """
    settings = LayerSettings(padding="same")  # the app's layer: "same" keeps the picture's size
    if text.lower().endswith(".json") or _is_file(text):
        bank = load_bank(text)
        if not bank.active:
            raise ValueError(f"bank file '{text}': every filter is disabled; nothing to learn")
        return [Stage(bank.weights(), bank.biases(), settings)], list(bank.names())
    name = _preset_named(text)
    if name is None:
        slugs = ", ".join(slugify(n) for n in PRESETS)
        raise ValueError(f"unknown teacher {shorten(text)!r}: give a preset ({slugs}) or a bank .json file")
    weights = preset_weights(name, max(3, PRESETS[name].natural))[:, :, :, None]
    return [Stage(weights, np.zeros(1, np.float32), settings)], [name]


def _learned_bank(learner: Learner, names: list[str]) -> FilterBank:
    w, b, _ = learner.student[0]
    w, b = np.asarray(w), np.asarray(b)
    filters = []
    for k, name in enumerate(names):
        label = f"{name[:_MAX_NAME - 10]} (learned)"
        filters.append(Filter(label, w[..., k], bias=float(b[k]), linked=False))
    return FilterBank(tuple(filters))


def _check_out(raw: str) -> Path:
    path = Path(raw).expanduser()
    if path.suffix.lower() != ".json":
        raise ValueError(f"--out {raw!r}: the learned bank is a JSON file; give a name ending in .json")
    if path.is_dir():
        raise ValueError(f"--out {raw!r} is a folder; give a file name such as learned.json")
    if not path.parent.is_dir():
        raise ValueError(f"--out {raw!r}: folder {str(path.parent)!r} does not exist")
    return path


def _run(args) -> int:
    out = _check_out(args.out)
    stages, names = resolve_teacher(args.teacher)
    if max(args.layers) > len(stages):
        raise ValueError(f"--layers {','.join(map(str, args.layers))}: the teacher has {len(stages)} layer(s)")
    learner = Learner(stages, [layer - 1 for layer in args.layers], seed=args.seed, optimizer=args.optimizer,
                      lr=args.lr, crop=args.crop, steps_per_frame=args.steps_per_frame,
                      precondition=not args.no_precondition)
    source = open_source(args.source)
    try:
        bar = ProgressBar(args.steps, unit="steps")
        # redraw about 50 times on a terminal, 10 lines into a log: the bar must not cost steps
        every = max(1, args.steps // (50 if bar.live else 10))
        frame = source.read()
        started = time.perf_counter()
        first, last = learner.evaluate(frame), None
        for step in range(args.steps):
            if source.live and step and step % args.steps_per_frame == 0:
                frame = source.read()
            result = learner.step(frame)
            if result.stopped:
                return _error(f"learning stopped: {result.stopped}; nothing was written", 1)
            last = result
            if (step + 1) % every == 0 or step + 1 == args.steps:
                bar.update(step + 1)
        loss_last = learner.evaluate(frame)
        seconds = time.perf_counter() - started
    finally:
        source.close()
    save_bank(_learned_bank(learner, names), out)
    print(f"steps={last.step} loss_first={first:.6g} loss_last={loss_last:.6g} "
          f"distance={last.distance:.6g} seconds={seconds:.2f}")
    return 0


def _error(message: str, code: int) -> int:
    print(f"{PROG}: error: {one_line(message)}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run the headless learner; returns the exit code (a person's mistake is one line, never a traceback).

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``learn``; ``sys.argv[1:]`` when omitted.
    """
    try:
        args = build_parser().parse_args(argv)
    except _UsageError as exc:
        return _error(f"{exc} (see --help)", 2)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        return _run(args)
    except KeyboardInterrupt:
        return _error("interrupted; nothing was written", 130)
    except BankFileError as exc:  # bad input file (before ExportError, its base: a failure to write)
        return _error(str(exc), 2)
    except ExportError as exc:
        return _error(str(exc), 1)
    except (SourceError, ValueError) as exc:
        return _error(str(exc), 2)
    except Exception as exc:  # one line, never a traceback
        return _error(f"learning failed: {type(exc).__name__}: {exc}", 1)


if __name__ == "__main__":
    raise SystemExit(main())
