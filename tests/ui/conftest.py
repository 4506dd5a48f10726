"""Shared fixtures for window tests: the NumPy backend and a live MainWindow on the demo."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)  # so tests can import window_helpers under --import-mode=importlib

from window_helpers import WAIT_MS  # noqa: E402

from playground.engine import get_backend, set_backend  # noqa: E402


@pytest.fixture
def numpy_backend():
    previous = get_backend().name
    set_backend("numpy")
    yield
    set_backend(previous)


@pytest.fixture
def window(qtbot, tmp_path, numpy_backend):
    """A shown MainWindow on the demo, with settings in a temporary .ini, after its first frame.

    On teardown it waits for any export in progress and checks the worker threads stopped.
    """
    from PySide6 import QtCore

    from playground.sources import open_source
    from playground.ui.main_window import MainWindow

    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    win = MainWindow(open_source("demo"), settings=settings)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    if win.last_frame is None or not win.last_frame.views:
        with qtbot.waitSignal(win.frame_displayed, timeout=WAIT_MS):
            pass
    yield win
    qtbot.waitUntil(lambda: not win.export_actions.capture.exporting, timeout=WAIT_MS)
    assert win.shutdown(), "worker threads did not stop"
