"""Command line: ``python main.py [--source SPEC] [--backend B] [--screenshot PATH] [--benchmark N]``,
and ``python main.py export …`` for the headless export (see ``python main.py export --help``).

Qt is imported only inside :func:`main`, once the arguments are known to be good,
so importing this module (and everything else outside ``playground.ui``) stays
Qt-free and the errors a person can cause are reported before a window opens.

Exit codes: 0 success, 1 the GUI could not start or the screenshot could not be
written, 2 bad arguments or a backend that cannot run here.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# The engine splits every layer into row bands on its own threads; letting BLAS
# start threads of its own inside each band oversubscribes the cores (measured:
# 1280×720, 32 filters 3×3: 17–23 ms with one BLAS thread, 25–69 ms without).
# Must be set before NumPy is first imported, so here at the top of the entry point.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from playground import __version__

__all__ = ["build_parser", "main"]

PROG = "kernel-playground"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (separate from :func:`main` so tests and docs can inspect it)."""
    from playground.sources.image import MAX_IMAGE_PIXELS

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Kernel Playground: see convolutions work on live pictures.",
        epilog=f"Pictures larger than {MAX_IMAGE_PIXELS // 1_000_000} megapixels are refused before decoding "
        "(JPEGs are decoded at 1/2, 1/4 or 1/8 size instead when that fits).",
    )
    parser.add_argument(
        "--backend",
        choices=("auto", "numpy", "cupy"),
        default="auto",
        help="where the engine computes: 'auto' uses CuPy when a CUDA GPU works and NumPy "
        "otherwise; 'cupy' insists on the GPU (default: %(default)s)",
    )
    parser.add_argument(
        "--screenshot",
        metavar="PATH",
        help="open the window, render it once, save it as a PNG to PATH and exit "
        "(works without a display)",
    )
    parser.add_argument(
        "--source",
        metavar="SPEC",
        help="what to show: 'demo', 'webcam' or 'webcam:N', 'sample:NAME', or an image/video file "
        "(default: the last source used, else the demo)",
    )
    parser.add_argument(
        "--network",
        metavar="SPEC|FILE.json",
        help="the network to run: a SPEC such as '32x32x3 conv:f=5,k=8,a=relu maxpool:f=2 conv:f=5,k=16' "
        "(see 'summary --help'), or a network or bank file (.json); default: the remembered one, "
        "else one layer of the starting bank",
    )
    parser.add_argument(
        "--benchmark",
        metavar="N",
        type=_positive_int,
        help="run N frames through the whole pipeline (works without a display), print "
        "'frames=N fps=X latency_p50_ms=Y latency_p95_ms=Z' and exit",
    )
    parser.add_argument(
        "--window-size",
        metavar="WxH",
        type=_window_size,
        help="open the window at this size, e.g. 1280x720 (default: 1600x1000, or the screen's "
        "free area when that is smaller); with --screenshot, the size of the PNG",
    )
    parser.add_argument(
        "--presentation",
        action="store_true",
        help="start in presentation mode: full screen, the input and the selected filter's map large, "
        "side panels hidden (F5 toggles it, Esc leaves)",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of frames, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _window_size(text: str) -> tuple[int, int]:
    """``WxH`` as (width, height); 640x480 up to 7680x4320 (smaller cannot hold the panels)."""
    parts = text.lower().replace("×", "x").split("x")
    if len(parts) != 2 or not all(part.strip().isdigit() for part in parts):
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1280x720, got {text!r}")
    width, height = (int(part) for part in parts)
    if not (640 <= width <= 7680 and 480 <= height <= 4320):
        raise argparse.ArgumentTypeError(f"{width}x{height} is outside 640x480 … 7680x4320")
    return width, height


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _has_display() -> bool:
    """Whether Qt can open a window; only Linux/BSD desktops need a display server."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith(("linux", "freebsd")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _check_screenshot_path(raw: str) -> Path:
    path = Path(raw).expanduser()
    if path.suffix.lower() != ".png":
        raise ValueError(f"--screenshot {raw!r}: the screenshot is a PNG; give a file name ending in .png")
    if path.is_dir():
        raise ValueError(f"--screenshot {raw!r} is a directory; give a file name such as shot.png")
    if not path.parent.is_dir():
        raise ValueError(f"--screenshot {raw!r}: folder {str(path.parent)!r} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise ValueError(f"--screenshot {raw!r}: folder {str(path.parent)!r} is not writable")
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when omitted.
    """
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except KeyboardInterrupt:  # Ctrl+C before a command's own handler is in place: no traceback
        return 130


def _main(argv: list[str]) -> int:
    from playground.sources.quiet import silence_libraries

    silence_libraries()  # a damaged file: our one line, not libpng's and FFmpeg's first
    if argv[:1] == ["export"]:
        from playground.export.cli import main as export_main

        return export_main(argv[1:])
    if argv[:1] == ["learn"]:
        from playground.learn_cli import main as learn_main

        return learn_main(argv[1:])
    if argv[:1] == ["summary"]:
        from playground.summary_cli import main as summary_main

        return summary_main(argv[1:])
    args = build_parser().parse_args(argv)  # bad usage: argparse prints why and exits 2

    if args.source is not None:
        from playground.sources import SourceError, parse_source_spec

        try:
            parse_source_spec(args.source)
        except SourceError as exc:
            _error(str(exc))
            return 2

    network = None
    if args.network is not None:
        try:
            from playground.export.network_option import load_network_option

            network = load_network_option(args.network)
        except ValueError as exc:
            _error(str(exc))
            return 2

    screenshot = None
    if args.screenshot is not None:
        try:
            screenshot = _check_screenshot_path(args.screenshot)
        except ValueError as exc:
            _error(str(exc))
            return 2

    # Choose the backend before loading Qt: a failing --backend cupy is reported at once.
    from playground.engine import set_backend

    try:
        set_backend(args.backend)
    except (ValueError, RuntimeError) as exc:
        _error(str(exc))
        return 2

    if not _has_display():
        if screenshot is None and args.benchmark is None:
            _error("no display found (DISPLAY and WAYLAND_DISPLAY are unset); "
                   "to render without one, use --screenshot PATH.png or --benchmark N")
            return 1
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot or benchmark needs no screen

    from playground.platform_check import check_qt_platform

    if check_qt_platform() != 0:  # Qt's X11 plugin lacks system libraries: name the packages, not Qt's abort
        return 2

    try:
        from playground.ui.app import run
    except ImportError as exc:  # missing PySide6/pyqtgraph, or Qt's system libraries
        _error(f"cannot load the GUI ({exc}); reinstall with: python3 -m pip install -e .")
        return 1

    try:
        return run(screenshot=screenshot, source=args.source, benchmark=args.benchmark, size=args.window_size,
                   network=network, presentation=args.presentation)
    except KeyboardInterrupt:
        return 130
