"""Canary for PySide6 6.12.0 on Python 3.11: Qt calls returning nothing dropped a
reference to None each time, until "Fatal Python error: none_dealloc" killed the
process. pyproject.toml excludes that version; this test says so loudly if it
slips back in (e.g. through a pinned environment)."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6")

import PySide6
from PySide6 import QtWidgets

pytestmark = pytest.mark.qt

CALLS = 100_000


def test_pyside6_is_not_the_broken_release():
    assert PySide6.__version__ != "6.12.0", (
        "PySide6 6.12.0 crashes on Python 3.11 (none_dealloc); install another version, "
        "e.g. python3 -m pip install 'PySide6-Essentials>=6.6,!=6.12.0'"
    )


def test_void_qt_calls_keep_the_refcount_of_none(qtbot):
    widget = QtWidgets.QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        widget.update()  # returns None: a broken binding loses one reference per call
    drift = sys.getrefcount(None) - before
    assert abs(drift) < 1000, f"refcount of None moved by {drift} over {CALLS} void Qt calls"
