"""Application start-up: QApplication, theme, settings, the window; one-shot screenshot and benchmark."""

from __future__ import annotations

import collections
import os
import signal
import sys
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from playground import __version__
from playground.engine import set_backend
from playground.engine.backend import reserve_cores
from playground.live.snapshot import Snapshot
from playground.sources import SourceError, open_source

from . import theme
from .main_window import MainWindow
from .settings_store import (
    GEOMETRY_KEY,
    is_saved_geometry,
    open_settings,
    reset_damaged,
    restore_settings,
    save_snapshot,
)
from .window_layout import default_window_size

__all__ = ["run", "open_window", "configure_pyqtgraph"]

# Frames to render before a --screenshot: levels ease in over the first frames,
# and the status bar's FPS needs a second of frames.
_SCREENSHOT_FRAMES = 40
# A one-shot run that sees no new frame for this long ends with what it has.
_STALL_MS = 10000

# Qt warnings that say nothing to a user (the offscreen platform, used for
# --screenshot without a display, prints this for every top-level window).
_HARMLESS_QT_MESSAGES = frozenset({"This plugin does not support propagateSizeHints()"})


def _print_qt_message(mode: QtCore.QtMsgType, context: QtCore.QMessageLogContext, message: str) -> None:
    if message not in _HARMLESS_QT_MESSAGES:
        print(message, file=sys.stderr)


def configure_pyqtgraph() -> None:
    """Global pyqtgraph options; call before the first pyqtgraph widget exists.

    Row-major means an ImageItem takes arrays as (n_H, n_W[, 3]), the engine's own
    layout, so maps go to the screen without a transpose.
    """
    pg.setConfigOptions(imageAxisOrder="row-major", background=theme.WINDOW, foreground=theme.TEXT,
                        antialias=True)


class _AfterFrames(QtCore.QObject):
    """Counts displayed frames; after ``count`` of them calls ``done(window)`` once.

    For --screenshot (a few frames so levels and layout have settled) and
    --benchmark (N frames through the whole pipeline). It gives up, and calls
    ``done`` with what it has, when no frame came for ``_STALL_MS`` or when the
    source fails (a one-shot run must end, not wait for a camera that is gone).
    """

    def __init__(self, window, count: int, done, report: dict):
        super().__init__(window)
        self._window, self._count, self._done, self._report = window, count, done, report
        self._seen = 0
        self._fired = False
        window.frame_displayed.connect(self._on_frame)
        window._bridge.error.connect(self._on_error)
        self._stall = QtCore.QTimer(self)
        self._stall.setSingleShot(True)
        self._stall.setInterval(_STALL_MS)
        self._stall.timeout.connect(self._give_up)
        self._stall.start()

    @QtCore.Slot(object)
    def _on_frame(self, _result) -> None:
        self._seen += 1
        self._stall.start()  # restart: frames are coming
        if self._seen >= self._count and not self._fired:
            self._fired = True
            QtCore.QTimer.singleShot(0, lambda: self._done(self._window))

    @QtCore.Slot(str)
    def _on_error(self, message: str) -> None:
        if self._window.runner.source_failed and not self._fired:
            self._report["source_error"] = message
            self._give_up()

    @QtCore.Slot()
    def _give_up(self) -> None:
        if not self._fired:
            self._fired = True
            self._done(self._window)


def _save_screenshot(window, path: Path, report: dict) -> None:
    if window.last_frame is None or not window.last_frame.views:
        report.update(ok=False, error=report.get("source_error") or "no feature maps were shown "
                      "(the source gave no frames); nothing was saved")
        window.close()
        return
    try:
        report["ok"] = window.grab().save(str(path), "PNG")
        if not report["ok"]:
            report["error"] = f"could not write the screenshot to {str(path)!r}"
    except Exception as exc:  # a message and a non-zero exit, not a Qt-swallowed traceback
        report.update(ok=False, error=f"screenshot failed: {exc}")
    window.close()


def _finish_benchmark(window, report: dict) -> None:
    log = np.asarray(list(window.display_log)[-report["frames"]:], float).reshape(-1, 4)
    frames = len(log)
    if frames >= 2:
        # frames per second between the first and last displayed frame (start-up excluded)
        fps = (frames - 1) / (log[-1, 0] - log[0, 0])
        report["line"] = (f"frames={frames} fps={fps:.1f} "
                          f"latency_p50_ms={np.percentile(log[:, 1], 50):.1f} "
                          f"latency_p95_ms={np.percentile(log[:, 1], 95):.1f}")
        if os.environ.get("KERNEL_PLAYGROUND_BENCH_DETAIL"):
            print(f"gui_ms_p50={np.percentile(log[:, 2], 50):.1f} gui_ms_p95={np.percentile(log[:, 2], 95):.1f} "
                  f"worker_ms_p50={np.percentile(log[:, 3], 50):.1f}",
                  file=sys.stderr)
    report["ok"] = frames >= report["frames"]
    if not report["ok"]:
        reason = report.get("source_error") or f"no new frame for {_STALL_MS // 1000} s"
        report["error"] = f"only {frames} of {report['frames']} frames were displayed: {reason}"
    window.close()


def open_window(*, source: str | None = None, settings_path: str | None = None, one_shot: bool = False,
                size: tuple[int, int] | None = None, network=None) -> MainWindow:
    """The window, with the remembered settings restored (not yet shown).

    Remembered values are validated first: a damaged entry is reset, the file kept
    as ``*.bad-<time>``, and the window says so; it never stops the start.

    Parameters
    ----------
    source : str, optional
        What to show; default: the last one used, else the demo.
    settings_path : str, optional
        An .ini file for remembered settings (default: the user's settings).
    one_shot : bool
        A --screenshot or --benchmark run: remembered settings are neither read nor written.
    size : (width, height), optional
        The window's size; default :func:`default_window_size`.
    network : Network, optional
        The network to start with (--network); default: the remembered one.

    Raises
    ------
    SourceError
        When ``source`` is given and cannot be opened.
    """
    settings = open_settings(settings_path)
    notes: list[str] = []
    restored = restore_settings(settings) if not one_shot else None
    snapshot = restored.snapshot if restored is not None else Snapshot()
    if network is not None:   # --network: the remembered view settings stay
        snapshot = Snapshot(network=network, view=snapshot.view)
    spec = source or (restored.source if restored is not None else None) or "demo"
    try:
        opened = open_source(str(spec))
    except SourceError as exc:
        if source is not None:
            raise
        notes.append(f"the last source could not be opened again ({exc}); showing the demo")
        opened = open_source("demo")
        spec = "demo"

    window = MainWindow(opened, snapshot, settings=None if one_shot else settings)
    window.sources.current_spec = str(spec)
    window.resize(*(size or default_window_size()))
    for note in notes + list(opened.notices):
        window.show_message(note, warning=False)
    if restored is not None:
        # Qt checks the content itself: refused bytes are damaged settings like any other,
        # but a real geometry refused for other screens is not (the default size stays)
        if (restored.geometry is not None and not window.restoreGeometry(restored.geometry)
                and not is_saved_geometry(restored.geometry)):
            restored.damaged[GEOMETRY_KEY] = "window size and position (not a saved window geometry)"
            reset_damaged(settings, restored)
        if restored.reset_message:  # last, so the message bar shows it
            window.show_message(restored.reset_message, warning=True)
    return window


def run(*, screenshot: str | os.PathLike | None = None, backend: str | None = None, source: str | None = None,
        benchmark: int | None = None, settings_path: str | None = None, size: tuple[int, int] | None = None,
        network=None, presentation: bool = False) -> int:
    """Open the Kernel Playground window and run the event loop.

    Parameters
    ----------
    screenshot : path, optional
        Render a few frames, save the window as a PNG there, exit.
    backend : {"auto", "numpy", "cupy"}, optional
        Applied with :func:`playground.engine.set_backend` first; None keeps the current one.
    source : str, optional
        ``demo``, ``webcam[:N]``, ``sample:NAME`` or a path; default: the last one used, else the demo.
    benchmark : int, optional
        Run this many frames, print ``frames=N fps=X latency_p50_ms=Y latency_p95_ms=Z``, exit.
    settings_path : str, optional
        An .ini file for remembered settings (default: the user's settings).
    size : (width, height), optional
        The window's size (--window-size); default :func:`default_window_size`.
    network : Network, optional
        The network to run (--network); default: the remembered one.
    presentation : bool
        Start in presentation mode (--presentation; full screen).

    Returns
    -------
    int
        0 on success; 1 when the screenshot/benchmark failed; 2 when ``source`` cannot be opened.
    """
    # Ctrl+C from the very start: a KeyboardInterrupt raised inside a Qt callback while the
    # window is being built is printed and swallowed by Qt, and the app would run on.
    interrupted: list[bool] = []
    opened: list = []

    def on_interrupt(*_args) -> None:  # Ctrl+C in the terminal: close the window, exit 130
        interrupted.append(True)
        if opened:
            opened[0].close()

    previous_handler = signal.signal(signal.SIGINT, on_interrupt)
    try:
        return _run(interrupted, opened, screenshot=screenshot, backend=backend, source=source,
                    benchmark=benchmark, settings_path=settings_path, size=size, network=network,
                    presentation=presentation)
    finally:
        signal.signal(signal.SIGINT, previous_handler)


def _run(interrupted: list, opened: list, *, screenshot, backend, source, benchmark, settings_path, size,
         network, presentation) -> int:
    """:func:`run` with its Ctrl+C handler in place: ``opened`` receives the window."""
    # the GUI thread paints while the engine computes: leave it a core (see reserve_cores)
    reserve_cores(1)
    if backend is not None:
        set_backend(backend)
    configure_pyqtgraph()
    QtCore.qInstallMessageHandler(_print_qt_message)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    app.setApplicationName("Kernel Playground")
    app.setApplicationVersion(__version__)
    theme.apply_dark_theme(app)

    one_shot = screenshot is not None or benchmark is not None
    try:
        window = open_window(source=source, settings_path=settings_path, one_shot=one_shot, size=size,
                             network=network)
    except SourceError as exc:
        print(f"kernel-playground: error: {exc}", file=sys.stderr)
        return 2
    settings = window.settings
    opened.append(window)
    if interrupted:  # Ctrl+C while the window was being built
        window.shutdown()
        return 130

    # a one-shot run succeeds only when its work is done (closing the window early is a failure)
    report: dict = {"ok": not one_shot, "error": "the window was closed before it finished"}
    if one_shot:
        window.runner.still_as_stream = True  # a still image yields a stream of frames too
    if screenshot is not None:
        _AfterFrames(window, _SCREENSHOT_FRAMES, lambda w: _save_screenshot(w, Path(screenshot), report), report)
    elif benchmark is not None:
        report.update(frames=benchmark)
        window.display_log = collections.deque(maxlen=benchmark)  # every frame of the run
        _AfterFrames(window, benchmark, lambda w: _finish_benchmark(w, report), report)
    # Python runs signal handlers only between bytecodes; a timer lets it in while Qt waits
    wake = QtCore.QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    if presentation:
        window.presentation.enter()   # shows the window, full screen
    window.show()
    try:
        code = app.exec()
    finally:
        wake.stop()
    if not one_shot:  # also after Ctrl+C: the network a person built is kept for the next start
        settings.setValue(GEOMETRY_KEY, window.saveGeometry())
        save_snapshot(settings, window.snapshot)
        settings.sync()
    if interrupted:
        return 130
    if report.get("line"):
        print(report["line"])
    if not report["ok"]:
        print(f"kernel-playground: error: {report['error'] or 'the window never showed a frame'}", file=sys.stderr)
        return 1
    return code
