"""Headless export: ``python main.py export --source PATH|demo --out DIR [options]``.

Runs with no display (no Qt is imported) and writes the same files as the app's
export, computed by the same :class:`~playground.live.processor.FrameProcessor`,
so the pictures have exactly the levels and colours the app would show.

Frames: a picture (or ``sample:NAME``, ``webcam``) gives 1 frame by default, the
demo 1, a video its first 10 (``--frames N`` changes it, at most
:data:`MAX_FRAMES`; a video never gives more than it holds: a file that ends
before its header says stops at its last readable frame, with a note), a
folder of pictures every picture in name order (at most ``N`` with ``--frames``).
One frame is written straight into the export folder; several go into one
sub-folder each (``frame-0001``…, or ``0001_<picture>`` for a folder of
pictures), with a progress bar on the terminal. A matrix source is one frame,
like a picture.

``--network SPEC|FILE.json`` exports a network instead of one layer: each frame's
folder then holds ``layer1/``, ``layer2/``… (each as a one-layer export of that
layer, its frame.npy the layer's input) and a ``meta.json`` with the whole
network (see :mod:`playground.export.network_export`). Without it the layout is
one layer's, as before.

The export folder is ``--out DIR``; when DIR exists, ``DIR-2``, ``DIR-3``… (an
existing export is never overwritten). It appears only once complete: a failed
or interrupted export leaves nothing behind.

Exit codes: 0 success; 1 the files could not be written; 2 bad arguments or
input (source, bank file, settings that leave no output); 130 interrupted
(Ctrl+C), 143 stopped by SIGTERM, 129 by SIGHUP (nothing is left behind).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import signal
import sys
import threading
from pathlib import Path

import cv2

from playground.engine import set_backend
from playground.engine.layer import MAX_DILATION, MAX_PADDING, MAX_POOL, MAX_STRIDE, LayerSettings, PoolSettings
from playground.kernels import starter_bank
from playground.live.processor import FrameProcessor
from playground.live.snapshot import Snapshot, ViewSettings
from playground.sources import SourceError, open_source
from playground.sources.quiet import silence_libraries
from playground.sources.video import EndOfVideo

from . import budget
from .atomic import ExportError, StagedFolder, check_folder
from .bank_io import BankFileError, load_bank
from .maps_export import check_exportable, write_frame
from .naming import slugify
from .network_export import write_network_frame

__all__ = ["build_parser", "main", "shorten", "one_line", "DEFAULT_FRAMES", "DEFAULT_VIDEO_FRAMES", "MAX_FRAMES"]

PROG = "kernel-playground export"
DEFAULT_FRAMES = 1         # demo, picture, webcam
DEFAULT_VIDEO_FRAMES = 10  # a video's first frames
MAX_FRAMES = 300           # 5 s of the 60 fps demo; each frame is a folder of full-size maps
_ECHO = 60                 # characters of a person's value repeated in a message
# the processor also draws the screen's mosaics; nobody sees them here, and at the
# smallest scale they cost least (a 960² frame with 32 filters: 70 MB instead of 420 MB)
_TILE_SCALE = 0.05
_LONG_QUOTE = 300          # characters of a quoted path past which it is shortened too
_NAME_MAX = 255            # no file system allows a longer name: a longer run is not a path worth showing
_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".jpe", ".bmp", ".dib", ".tif", ".tiff", ".webp",
                             ".pbm", ".pgm", ".ppm", ".pnm", ".pfm", ".sr", ".ras", ".hdr", ".pic", ".exr", ".jp2"})


class _UsageError(Exception):
    """Bad command-line arguments (reported on one line, exit 2)."""


def shorten(text: str, limit: int = _ECHO) -> str:
    """``text`` cut to ``limit`` characters with "…" in the middle (so a file name's end still shows)."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


def _shorten_quoted(message: str) -> str:
    """Every quoted value in ``message`` (argparse's own messages echo them whole) cut to :data:`_ECHO`."""
    return re.sub(r"'([^']*)'", lambda m: repr(shorten(m.group(1))), message)


def _shorten_runs(message: str, longer_than: int) -> str:
    """Runs without a space or slash longer than ``longer_than`` cut to :data:`_ECHO` characters."""
    return re.sub(rf"[^\s/']{{{longer_than + 1},}}", lambda m: shorten(m.group(0)), message)


class _Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is, so the staging folder is removed as for Ctrl+C."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_stop_like_ctrl_c():
    """While inside, SIGTERM and SIGHUP (a ``kill``, a closed terminal) raise :class:`_Stopped`."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    wanted = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]

    def stop(signum, frame):
        for other in wanted:  # a second signal must not cut the clean-up short
            signal.signal(other, signal.SIG_IGN)
        raise _Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in wanted}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print the usage too: one line is wanted
        raise _UsageError(_shorten_runs(_shorten_quoted(message), _ECHO))


def _padding(text: str):
    value = text.strip().lower()
    if value in ("valid", "same"):
        return value
    if value.isdigit() and len(value) < 6:  # int() of thousands of digits is slow, and far past the limit
        return int(value)
    raise argparse.ArgumentTypeError(f"must be 'valid', 'same' or a number of pixels; got {shorten(text)!r}")


def _whole(text: str, low: int, high: int | None = None) -> int:
    value = text.strip()
    if not value.isdigit() or len(value) > 6 or int(value) < low or (high is not None and int(value) > high):
        what = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise argparse.ArgumentTypeError(f"must be a whole number {what}; got {shorten(text)!r}")
    return int(value)


def _positive(text: str) -> int:
    return _whole(text, 1)


def _frames(text: str) -> int:
    return _whole(text, 1, MAX_FRAMES)


def build_parser() -> argparse.ArgumentParser:
    """The parser for the arguments after ``export``."""
    parser = _Parser(
        prog=PROG,
        description="Compute the feature maps of a picture, video, folder of pictures or the demo and "
                    "export them (PNG as displayed, float32 .npy, contact sheet, meta.json) with no display. "
                    f"One export uses at most about {budget.size_text(budget.MEMORY_BUDGET)} of memory: "
                    "estimated from the frame and bank before computing, per-channel maps past it are left out "
                    "and an export past it even without them is refused.",
    )
    parser.add_argument("--source", required=True, metavar="PATH|demo",
                        help="'demo', 'sample:NAME', 'webcam[:N]', a picture, a video or a folder of pictures")
    parser.add_argument("--out", metavar="DIR",
                        help="the new export folder to create (DIR-2, DIR-3… when DIR exists); required "
                             "unless --record is given")
    parser.add_argument("--record", metavar="VIDEO.mp4",
                        help="record the input beside its maps to a video instead (MP4, or Motion-JPEG .avi), "
                             "one video frame per frame: use --frames N")
    parser.add_argument("--bank", metavar="BANK.json", help="filter bank file (default: the app's starter bank)")
    parser.add_argument("--network", metavar="SPEC|FILE.json",
                        help="export every layer of a network (a SPEC, or a network or bank file) into "
                             "layer1/, layer2/… with a meta.json of the whole network; the layer options "
                             "below and --bank do not apply")
    parser.add_argument("--frames", type=_frames, metavar="N",
                        help=f"how many frames, 1–{MAX_FRAMES}: default {DEFAULT_FRAMES} for the demo or a picture, "
                             f"{DEFAULT_VIDEO_FRAMES} for a video, every picture of a folder (at most {MAX_FRAMES})")
    parser.add_argument("--stride", type=_positive, default=1, metavar="S",
                        help=f"stride s, 1–{MAX_STRIDE} (default 1)")
    parser.add_argument("--padding", type=_padding, default="same", metavar="valid|same|P",
                        help=f"zero padding: valid, same or P pixels per side, at most {MAX_PADDING} (default same)")
    parser.add_argument("--dilation", type=_positive, default=1, metavar="D",
                        help=f"kernel dilation, 1–{MAX_DILATION} (default 1)")
    parser.add_argument("--flip", action="store_true",
                        help="true convolution (kernels rotated 180°) instead of cross-correlation")
    parser.add_argument("--activation", choices=("none", "relu", "abs"), default="none",
                        help="after the bias (default none)")
    parser.add_argument("--pool", choices=("max", "avg"), help="pool the maps after the activation")
    parser.add_argument("--pool-size", type=_positive, default=2, metavar="F",
                        help=f"pool window f, 1–{MAX_POOL} (default 2)")
    parser.add_argument("--pool-stride", type=_positive, metavar="S",
                        help=f"pool stride, 1–{MAX_POOL} (default: the pool size)")
    parser.add_argument("--no-per-channel", action="store_true",
                        help="skip the per-input-channel maps (they are left out, with a note, when they would take "
                             f"the export past its memory budget of {budget.size_text(budget.MEMORY_BUDGET)})")
    parser.add_argument("--tiff", action="store_true", help="also write float32 multi-page TIFF files")
    parser.add_argument("--no-contact-sheet", action="store_true", help="skip contact_sheet.png")
    parser.add_argument("--backend", choices=("auto", "numpy", "cupy"), default="auto",
                        help="where to compute (default auto: the GPU when CuPy works)")
    return parser


class ProgressBar:
    """``[#####.....] 5/10 frames`` on a stream: redrawn in place on a terminal, a line each otherwise."""

    def __init__(self, total: int, stream=None, width: int = 20, unit: str = "frames"):
        self.total, self.width, self.unit = total, width, unit
        self.stream = sys.stderr if stream is None else stream
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())

    def text(self, done: int) -> str:
        filled = round(self.width * done / self.total) if self.total else self.width
        return f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} {self.unit}"

    def update(self, done: int) -> None:
        if self.live:
            end = "\n" if done >= self.total else ""
            self.stream.write("\r" + self.text(done) + end)
        else:
            self.stream.write(self.text(done) + "\n")
        self.stream.flush()


def _layer(args) -> LayerSettings:
    pool = None
    if args.pool is not None:
        pool = PoolSettings(args.pool, args.pool_size, args.pool_stride or args.pool_size)
    return LayerSettings(padding=args.padding, stride=args.stride, dilation=args.dilation, flip=args.flip,
                         activation=args.activation, pool=pool)


def _video_length(spec: str) -> int | None:
    """Frames in a video file as its container says (None when it does not)."""
    capture = cv2.VideoCapture(spec)
    try:
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if capture.isOpened() else 0
    finally:
        capture.release()
    return count if count > 0 else None


def _folder_images(folder: Path, limit: int | None) -> list[Path]:
    pictures = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _IMAGE_SUFFIXES)
    if not pictures:
        raise SourceError(f"cannot open '{folder}': the folder holds no pictures (.png, .jpg, .bmp, .tif…)")
    return pictures[:limit] if limit else pictures


def _jobs(spec: str, limit: int | None):
    """``(count, frames, source)``: how many frames, an iterator of (sub-folder, frame, source text),
    and the open source to close afterwards (None for a folder: each picture is opened and closed in turn)."""
    path = Path(spec).expanduser()
    if spec.strip().lower() not in ("demo", "webcam") and path.is_dir():
        pictures = _folder_images(path, limit)

        def from_folder():
            for i, picture in enumerate(pictures, start=1):
                with open_source(str(picture)) as source:
                    yield f"{i:04d}_{slugify(picture.stem, 'picture')}", source.read(), source.spec

        return len(pictures), from_folder(), None

    source = open_source(spec)
    length = None
    if source.kind == "video":
        source.loop = False  # a file that ends early must not hand its first frames out again as later ones
        count = limit or DEFAULT_VIDEO_FRAMES
        length = _video_length(source.spec)
        if length is not None and count > length:
            print(f"{PROG}: note: the video has {length} frames; exporting {length}", file=sys.stderr)
            count = length
    elif source.kind in ("image", "matrix"):
        if limit and limit > 1:
            print(f"{PROG}: note: a {'picture' if source.kind == 'image' else 'matrix'} is one frame; "
                  "exporting 1", file=sys.stderr)
        count = 1
    else:
        count = limit or DEFAULT_FRAMES

    def from_source():
        for i in range(1, count + 1):
            try:
                frame = source.read()
            except EndOfVideo as end:
                claimed = f" (its header says {length})" if length else ""
                print(f"{PROG}: note: the video ended after {end.frames} frames{claimed}; "
                      f"exporting {end.frames}", file=sys.stderr)
                return
            yield f"frame-{i:04d}", frame, source.spec

    return count, from_source(), source


def _per_channel_in_budget(frame_shape: tuple, bank, layer, wanted: bool, tiff: bool, noted: list) -> bool:
    """Whether this frame's export may include per-channel maps under :data:`budget.MEMORY_BUDGET`.

    Raises ValueError (exit 2, nothing written) when even the maps alone would not fit;
    the note about leaving per-channel maps out is printed once (``noted`` remembers).
    """
    cost = budget.export_cost(frame_shape, bank, layer, tiff=tiff)
    limit = budget.MEMORY_BUDGET
    h, w = frame_shape[:2]
    n_h, n_w = cost.out_shape
    k = len(bank.active)
    if cost.total(per_channel=False) > limit:
        raise ValueError(f"this export would need about {budget.size_text(cost.total(per_channel=False))} of "
                         f"memory (a {h}×{w} frame, {k} maps of {n_h}×{n_w}), more than the "
                         f"{budget.size_text(limit)} an export may use; use fewer filters, a stride, pooling "
                         "or a smaller picture")
    if wanted and cost.total(per_channel=True) > limit:
        if not noted:
            print(f"{PROG}: note: the per-channel maps of a {h}×{w} frame with {k} filters would take the export "
                  f"to about {budget.size_text(cost.total(per_channel=True))} of memory, more than its budget of "
                  f"{budget.size_text(limit)}: exporting without them", file=sys.stderr)
            noted.append(True)
        return False
    return wanted


def _out_folder(raw: str) -> tuple[Path, str]:
    # ".", "..", "" and "/" name a folder that exists (or none): resolved, they used to
    # put the export beside the current folder as ../<folder>-2; "~" and "~user" (a
    # home folder) likewise gave /home/<user>-2, outside the home folder
    name = Path(raw.strip()).name
    if name in ("", ".", "..") or (name.startswith("~") and "/" not in raw.strip().rstrip("/")):
        raise _UsageError(f"--out {shorten(raw)!r}: give the name of a new folder to create, such as maps")
    path = Path(os.path.abspath(Path(raw).expanduser()))
    return path.parent, path.name


def _run(args) -> int:
    set_backend(args.backend)
    layer = _layer(args)
    # checked against the source's channel count at its first frame (a 1-channel bank for a typed matrix)
    bank = load_bank(args.bank) if args.bank else starter_bank()
    network = _network(args)
    if args.record:   # a video of the maps instead of a folder of them (issue 11)
        from .record_maps import record_export
        return record_export(args, layer, bank, _jobs)
    if args.out is None:
        raise _UsageError("the following arguments are required: --out (or --record VIDEO.mp4)")
    parent, stem = _out_folder(args.out)
    check_folder(parent)  # before opening a camera or a video: the cheap mistake first
    count, frames, source = _jobs(args.source, args.frames)
    processor = FrameProcessor()
    bar = ProgressBar(count)
    noted: list = []
    written = 0
    try:
        with StagedFolder(parent, stem) as staged:
            for index, (sub, frame, source_text) in enumerate(frames):
                # before computing: the full-size maps are what an export's memory goes to
                folder = staged.path
                if count > 1:
                    folder = staged.path / sub
                    try:
                        folder.mkdir()
                    except OSError as exc:
                        raise ExportError(f"cannot create '{folder}': {exc.strerror or exc}") from None
                if network is not None:
                    def in_budget(_i, shape, layer_bank, settings):
                        return _per_channel_in_budget(shape, layer_bank, settings, not args.no_per_channel,
                                                      args.tiff, noted)
                    write_network_frame(processor, frame, network, folder, index=index, per_channel=in_budget,
                                        scale=_TILE_SCALE, tiff=args.tiff, contact_sheet=not args.no_contact_sheet,
                                        source_text=source_text)
                    written = index + 1
                    bar.update(written)
                    continue
                if args.bank and bank.channels != frame.shape[2]:
                    load_bank(args.bank, channels=frame.shape[2])   # raises, naming the field and both counts
                per_channel = _per_channel_in_budget(frame.shape, bank, layer, not args.no_per_channel, args.tiff,
                                                     noted)
                view = ViewSettings(per_channel=per_channel, display_scale=_TILE_SCALE)
                snapshot = Snapshot(bank=bank, layer=layer, view=view)
                options = dict(per_channel=per_channel, tiff=args.tiff, contact_sheet=not args.no_contact_sheet)
                rendered = processor.process(frame, snapshot, index=index, smooth=False)
                if rendered.error:
                    raise ValueError(rendered.error)
                check_exportable(rendered)
                write_frame(rendered, folder, source_text=source_text, **options)
                written = index + 1
                bar.update(written)
            final = staged.commit()
    finally:
        if source is not None:
            source.close()
    note = "" if final.name == stem else f" ('{stem}' exists)"
    print(f"exported {written} frame{'s' if written != 1 else ''} to {final}{note}")
    return 0


def _network(args):
    """The network --network names (None without it); a bad SPEC or file is a usage error."""
    if args.network is None:
        return None
    if args.bank:
        raise _UsageError("--network and --bank: give one (a bank file also works as --network BANK.json)")
    if args.record:
        raise _UsageError("--network with --record: a recording shows one layer; export the network to a folder")
    from .network_option import load_network_option

    try:
        return load_network_option(args.network)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None


def one_line(message) -> str:
    """``message`` as one line for a command's error, with pasted-by-mistake values shortened.

    A quoted value longer than any path a person types, or a run longer than any
    file name, is something pasted by mistake: its start and end are enough. The
    learn and summary commands use this too.
    """
    text = " ".join(str(message).split())
    text = re.sub(rf"'([^']{{{_LONG_QUOTE},}})'", lambda m: repr(shorten(m.group(1))), text)
    return _shorten_runs(text, _NAME_MAX)


def report_error(prog: str, message, code: int) -> int:
    """Print ``prog: error: message`` as one short line on stderr; return ``code`` (the exit code).

    The export, learn and summary commands all end a person's mistake this way.
    """
    print(f"{prog}: error: {one_line(message)}", file=sys.stderr)
    return code


def _error(message: str, code: int) -> int:
    return report_error(PROG, message, code)


def main(argv: list[str] | None = None) -> int:
    """Run the headless export; returns the exit code (never raises for a person's mistakes).

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``export``; ``sys.argv[1:]`` when omitted.
    """
    silence_libraries()  # decoders' own warnings would come before our one line
    try:
        args = build_parser().parse_args(argv)
    except _UsageError as exc:
        return _error(f"{exc} (see --help)", 2)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        with _signals_stop_like_ctrl_c():
            return _run(args)
    except _UsageError as exc:
        return _error(f"{exc} (see --help)", 2)
    except _Stopped as exc:  # the shell's convention: 128 + the signal's number
        return _error(f"interrupted ({signal.Signals(exc.signum).name}); nothing was written", 128 + exc.signum)
    except KeyboardInterrupt:
        return _error("interrupted; nothing was written", 130)
    except BankFileError as exc:  # bad input, before ExportError (its base): a failure to write
        return _error(str(exc), 2)
    except ExportError as exc:
        return _error(str(exc), 1)
    except (SourceError, ValueError, RuntimeError) as exc:
        return _error(str(exc), 2)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:  # a path argument no file system can hold
            return _error(f"{shorten(str(exc.filename))!r}: the name is too long for a file or folder", 2)
        return _error(f"export failed: {exc.strerror or exc}", 1)
    except Exception as exc:  # a command line answers in one line, never with a traceback
        return _error(f"export failed: {type(exc).__name__}: {exc}", 1)


if __name__ == "__main__":
    raise SystemExit(main())
