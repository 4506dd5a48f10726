"""Application start-up: QApplication, theme, the window, and the one-shot screenshot."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from playground import __version__
from playground.engine import set_backend

from . import theme
from .preview_window import PreviewWindow

__all__ = ["run", "configure_pyqtgraph"]

# If the first paint never comes (it always should), grab anyway after this long.
_SCREENSHOT_FALLBACK_MS = 5000

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


class _ScreenshotOnFirstPaint(QtCore.QObject):
    """Saves ``window`` to ``path`` once it has painted, then quits the application.

    The grab waits for the first paint event and then one more turn of the event
    loop, so layouts and pyqtgraph's view ranges have settled.
    """

    def __init__(self, window: QtWidgets.QWidget, path: Path):
        super().__init__(window)
        self._window = window
        self._path = path
        self._done = False
        self.ok = False
        self.error = ""
        window.installEventFilter(self)
        QtCore.QTimer.singleShot(_SCREENSHOT_FALLBACK_MS, self._grab)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self._window and event.type() == QtCore.QEvent.Type.Paint and not self._done:
            QtCore.QTimer.singleShot(0, self._grab)
        return False

    def _grab(self) -> None:
        if self._done:
            return
        self._done = True
        self._window.removeEventFilter(self)
        try:
            self.ok = self._window.grab().save(str(self._path), "PNG")
            if not self.ok:
                self.error = f"could not write the screenshot to {str(self._path)!r}"
        except Exception as exc:  # report it as a message and a non-zero exit, not a Qt-swallowed traceback
            self.error = f"screenshot failed: {exc}"
        QtWidgets.QApplication.quit()


def run(*, screenshot: str | os.PathLike | None = None, backend: str | None = None) -> int:
    """Open the Kernel Playground window and run the event loop.

    Parameters
    ----------
    screenshot : path, optional
        Save a PNG of the window after its first paint, then exit.
    backend : {"auto", "numpy", "cupy"}, optional
        Applied with :func:`playground.engine.set_backend` before the window
        opens; None keeps the current choice (the CLI applies it itself, earlier).

    Returns
    -------
    int
        Exit code: 0 on success, 1 when the screenshot could not be written.

    Raises
    ------
    ValueError, RuntimeError
        From ``set_backend`` for an unknown or unusable backend.
    """
    if backend is not None:
        set_backend(backend)
    configure_pyqtgraph()
    QtCore.qInstallMessageHandler(_print_qt_message)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    app.setApplicationName("Kernel Playground")
    app.setApplicationVersion(__version__)
    theme.apply_dark_theme(app)

    window = PreviewWindow()
    grabber = _ScreenshotOnFirstPaint(window, Path(screenshot)) if screenshot is not None else None
    window.show()
    code = app.exec()
    if grabber is not None and not grabber.ok:
        print(f"kernel-playground: error: {grabber.error or 'the window never painted'}", file=sys.stderr)
        return 1
    return code
