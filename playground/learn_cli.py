"""Headless learning: ``python main.py learn --source SRC --teacher NAME|BANK.json|NETWORK.json
[--network SPEC] [--layers 1,2] --out FILE.json``.

The student is a copy of the teacher whose chosen layers (``--layers``, 1-based;
default: every conv layer) start from seeded random weights and learn, by
backpropagation, to give the teacher's output maps on the source's frames (see
:mod:`playground.live.learner`). A progress bar goes to stderr; the last line on
stdout is ``steps=N loss_first=A loss_last=B distance=D seconds=T`` (A and B: the
MSE on the whole first and last frame, before and after learning, not on one
crop; D: ‖w − w_teacher‖ / ‖w_teacher‖; T: the seconds learning took); the
learned bank is written atomically as a bank file the app opens.

Teachers, resolved in one place (:func:`resolve_teacher`):

- a preset by name (``"Sobel x"``) or slug (``sobel-x``), or a bank file: one conv
  layer with "same" padding, as the app runs it; the learned *bank* is written;
- a network file, or ``--network SPEC`` (its random weights seeded with 0, as the
  app's ``--network``): that network; frames are fitted to its input size and
  channels; the learned *network* is written. ``--teacher NAME --network SPEC``
  is the SPEC's network with every filter of its first layer set to the preset
  (at that layer's f; an f smaller than the preset's own is refused).

Each step trains on a random 96×96 crop of the frame (``--crop``); still pictures
are read once, live sources (demo, video, webcam) give a new frame every
``--steps-per-frame`` steps.

Exit codes: 0 success; 1 learning stopped (NaN, a loss that blew up) or the file
could not be written; 2 bad arguments (unknown teacher, lr ≤ 0, steps < 1, a
missing source…); 130 interrupted. Nothing is written unless learning finished.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from playground.engine.layer import LayerSettings
from playground.engine.network import prepare_input
from playground.engine.optim import OPTIMIZERS
from playground.engine.train import Stage
from playground.export.atomic import ExportError
from playground.export.bank_io import BankFileError, load_bank, save_bank
from playground.export.cli import ProgressBar, report_error, shorten
from playground.export.naming import slugify
from playground.export.network_io import NETWORK_FORMAT, load_network, save_network
from playground.kernels.model import Filter, FilterBank
from playground.kernels.network import Network
from playground.kernels.presets import PRESETS, preset_weights
from playground.kernels.spec import parse_spec
from playground.live.learner import DEFAULT_CROP, DEFAULT_LR, DEFAULT_OPTIMIZER, Learner
from playground.sources import SourceError, open_source

__all__ = ["Teacher", "build_parser", "main", "resolve_teacher", "DEFAULT_STEPS"]

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
    parser = _Parser(
        prog=PROG, description="Learn kernels by backpropagation from a teacher's maps: a student copy of the "
        "teacher whose chosen layers start from random weights learns to give the teacher's output.",
        epilog="Examples: --teacher sobel-x (one layer, writes a bank); --teacher net.json (a network file, "
        "writes a network); --network '48x64x3 conv:f=3,k=4,a=relu maxpool:f=2 conv:f=3,k=4' (the SPEC's "
        "network, random weights seeded with 0, is the teacher; writes a network); --teacher sobel-x "
        "--network SPEC (the SPEC's network with every first-layer filter set to Sobel x).")
    parser.add_argument("--source", required=True, metavar="SRC",
                        help="'demo', 'sample:NAME', 'webcam[:N]', or an image/video file")
    parser.add_argument("--teacher", metavar="NAME|BANK.json|NETWORK.json",
                        help="a preset name or slug (e.g. sobel-x), a bank file, or a network file; "
                        "may be left out when --network is given")
    parser.add_argument("--network", metavar="SPEC",
                        help="the teacher network as a SPEC (see 'summary --help'), its random weights seeded "
                        "with 0; with --teacher NAME, every filter of its first layer is the preset")
    parser.add_argument("--layers", type=_layers, default=None, metavar="L[,L…]",
                        help="conv layers the student learns, numbered from 1 (default: all)")
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
    parser.add_argument("--out", required=True, metavar="FILE.json",
                        help="where to write what was learned: a bank for a preset or bank teacher, "
                        "a network for a network teacher")
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


@dataclass(frozen=True)
class Teacher:
    """What the student learns from.

    Attributes
    ----------
    stages : tuple of Stage
        The teacher as engine stages.
    network : Network or None
        The teacher network (a network file or SPEC): frames are fitted to its input
        and the learned network is written. None for a preset or bank: one layer,
        the learned bank is written.
    names : tuple of str
        The names of the first layer's filters (the learned bank's, with "(learned)").
    """

    stages: tuple
    network: Network | None
    names: tuple[str, ...]

    @property
    def input_size(self):
        return None if self.network is None else self.network.input_size

    @property
    def input_channels(self) -> int:
        return int(self.stages[0].w.shape[2])


def _is_network_file(path: str) -> bool:
    """Whether a .json file holds a network (its "format", or "layers"); anything else is read as a bank."""
    try:
        data = json.loads(Path(path).expanduser().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # the bank reader reports what is wrong with it
    return isinstance(data, dict) and (data.get("format") == NETWORK_FORMAT or "layers" in data)


def _with_preset(network: Network, name: str) -> Network:
    """``network`` with every filter of its first layer set to preset ``name`` at that layer's f."""
    layer = network.layers[0]
    weights = preset_weights(name, layer.bank.size, network.input_channels)
    linked = bool(np.all(weights == weights[:, :, :1]))
    count = len(layer.bank)
    filters = tuple(Filter(name if count == 1 else f"{name} {k + 1}", weights, linked=linked) for k in range(count))
    return replace(network, layers=(replace(layer, bank=FilterBank(filters), random=()), *network.layers[1:]))


def _network_teacher(network: Network) -> Teacher:
    return Teacher(network.stages(), network, tuple(network.layers[0].bank.names()))


def resolve_teacher(text: str | None, spec: str | None = None) -> Teacher:
    """The teacher ``--teacher TEXT`` and ``--network SPEC`` name.

    Raises
    ------
    ValueError
        An unknown preset (listing the slugs), a bad SPEC, a file given with a SPEC,
        or BankFileError (NetworkFileError) for a bad bank (network) file.
    """
    if text is None and spec is None:
        raise ValueError("give a teacher: --teacher NAME|BANK.json|NETWORK.json, or --network SPEC")
    is_file = text is not None and (text.lower().endswith(".json") or _is_file(text))
    if spec is not None:
        if is_file:
            raise ValueError(f"--teacher {shorten(text)!r} is a file, which is the whole teacher; "
                             "--network SPEC goes with a preset teacher or none")
        try:
            network = parse_spec(spec)
        except ValueError as exc:
            raise ValueError(f"--network: {exc}") from None
        if text is None:
            return _network_teacher(network)
    elif is_file:
        if _is_network_file(text):
            return _network_teacher(load_network(text))
        settings = LayerSettings(padding="same")  # the app's layer: "same" keeps the picture's size
        bank = load_bank(text)
        if not bank.active:
            raise ValueError(f"bank file '{text}': every filter is disabled; nothing to learn")
        return Teacher((Stage(bank.weights(), bank.biases(), settings),), None, tuple(bank.names()))
    name = _preset_named(text)
    if name is None:
        slugs = ", ".join(slugify(n) for n in PRESETS)
        raise ValueError(f"unknown teacher {shorten(text)!r}: give a preset ({slugs}), a bank or network "
                         ".json file, or --network SPEC")
    if spec is not None:
        try:
            return _network_teacher(_with_preset(network, name))
        except ValueError as exc:
            raise ValueError(f"--teacher {name} on the SPEC's first layer: {exc}") from None
    weights = preset_weights(name, max(3, PRESETS[name].natural))[:, :, :, None]
    return Teacher((Stage(weights, np.zeros(1, np.float32), LayerSettings(padding="same")),), None, (name,))


def _learned_name(name: str) -> str:
    return f"{name.removesuffix(' (learned)')[:_MAX_NAME - 10]} (learned)"


def _learned_filters(filters, w, b) -> tuple[Filter, ...]:
    learned = []
    for k, item in enumerate(filters):
        label = _learned_name(item.name)
        learned.append(replace(item, name=label, weights=w[..., k], bias=float(b[k]), linked=False))
    return tuple(learned)


def _learned_bank(learner: Learner, names) -> FilterBank:
    w, b, _ = learner.student[0]
    w, b = np.asarray(w), np.asarray(b)
    filters = []
    for k, name in enumerate(names):
        filters.append(Filter(_learned_name(name), w[..., k], bias=float(b[k]), linked=False))
    return FilterBank(tuple(filters))


def _learned_network(learner: Learner, network: Network) -> Network:
    """``network`` with the trained layers' weights and biases the student's (named "… (learned)")."""
    layers = list(network.layers)
    for index in learner.trainable:
        w, b, _ = learner.student[index]
        bank = FilterBank(_learned_filters(layers[index].bank.filters, np.asarray(w), np.asarray(b)))
        layers[index] = replace(layers[index], bank=bank, random=())
    return replace(network, layers=tuple(layers))


def _check_out(raw: str) -> Path:
    path = Path(raw).expanduser()
    if path.suffix.lower() != ".json":
        raise ValueError(f"--out {raw!r}: what is learned is written as a JSON file; give a name ending in .json")
    if path.is_dir():
        raise ValueError(f"--out {raw!r} is a folder; give a file name such as learned.json")
    if not path.parent.is_dir():
        raise ValueError(f"--out {raw!r}: folder {str(path.parent)!r} does not exist")
    return path


def _trainable(layers, depth: int) -> list[int]:
    if layers is None:
        return list(range(depth))
    if max(layers) > depth:
        raise ValueError(f"--layers {','.join(map(str, layers))}: the teacher has {depth} layer(s)")
    return [layer - 1 for layer in layers]


def _run(args) -> int:
    out = _check_out(args.out)
    teacher = resolve_teacher(args.teacher, args.network)
    learner = Learner(teacher.stages, _trainable(args.layers, len(teacher.stages)), seed=args.seed,
                      optimizer=args.optimizer, lr=args.lr, crop=args.crop, steps_per_frame=args.steps_per_frame,
                      precondition=not args.no_precondition)
    source = open_source(args.source)

    def read():  # fitted as the app fits frames: the network's fixed input size, its channels
        return prepare_input(source.read(), teacher.input_size, teacher.input_channels)

    try:
        bar = ProgressBar(args.steps, unit="steps")
        # redraw about 50 times on a terminal, 10 lines into a log: the bar must not cost steps
        every = max(1, args.steps // (50 if bar.live else 10))
        frame = read()
        started = time.perf_counter()
        first, last = learner.evaluate(frame), None
        for step in range(args.steps):
            if source.live and step and step % args.steps_per_frame == 0:
                frame = read()
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
    if teacher.network is None:
        save_bank(_learned_bank(learner, teacher.names), out)
    else:
        save_network(_learned_network(learner, teacher.network), out)
    print(f"steps={last.step} loss_first={first:.6g} loss_last={loss_last:.6g} "
          f"distance={last.distance:.6g} seconds={seconds:.2f}")
    return 0


def _error(message: str, code: int) -> int:
    return report_error(PROG, message, code)


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
