"""Helpers shared by the window tests (importable: tests/ui/conftest.py puts this folder on sys.path)."""

from __future__ import annotations

WAIT_MS = 15000


def frame_where(qtbot, win, predicate):
    """The first displayed frame (from now on, or the current one) for which predicate holds."""
    if win.last_frame is not None and predicate(win.last_frame):
        return win.last_frame
    with qtbot.waitSignal(win.frame_displayed, timeout=WAIT_MS, check_params_cb=predicate) as blocker:
        pass
    return blocker.args[0]
