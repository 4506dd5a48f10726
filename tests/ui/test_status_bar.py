"""Passing messages in the status bar end in "…" where the read-outs begin."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6 import QtWidgets  # noqa: E402

pytestmark = pytest.mark.qt


def test_a_long_message_is_shortened_to_the_room_the_read_outs_leave(qtbot):
    from playground.ui.status_bar import ElidingStatusBar

    window = QtWidgets.QMainWindow()
    qtbot.addWidget(window)
    bar = ElidingStatusBar()
    window.setStatusBar(bar)
    readouts = [QtWidgets.QLabel("vertical_edge.txt 6 × 6 × 1"), QtWidgets.QLabel("81.6 FPS")]
    for label in readouts:
        bar.addPermanentWidget(label)
    window.resize(500, 200)
    window.show()
    text = "Layer 1 now takes 1 input channel: its filters' slices were summed into one (Ctrl+Z undoes)"
    bar.showMessage(text, 60_000)
    label = bar.findChildren(QtWidgets.QLabel)[0]
    qtbot.waitUntil(lambda: label.shown_text().endswith("…"))
    assert bar.currentMessage() == text
    # the message ends before the first read-out starts
    assert label.geometry().right() < min(r.geometry().left() for r in readouts)
    # Qt's index among the permanent widgets: a progress bar inserted first comes first
    progress = QtWidgets.QProgressBar()
    bar.insertPermanentWidget(0, progress)
    qtbot.waitUntil(lambda: progress.isVisible() and progress.geometry().right() <= readouts[0].geometry().left())
    bar.clearMessage()
    assert bar.currentMessage() == ""


def test_a_message_with_a_timeout_goes_away(qtbot):
    from playground.ui.status_bar import ElidingStatusBar

    bar = ElidingStatusBar()
    qtbot.addWidget(bar)
    bar.showMessage("saved", 50)
    assert bar.currentMessage() == "saved"
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=2000)


def test_a_hovered_items_status_tip_is_shortened_too(qtbot, window):
    """Qt's main window hands status tips to the C++ showMessage, which drew a tester's
    "…float32 .npy array:" straight into "Demo 640×480"."""
    from PySide6 import QtGui

    bar = window.statusBar()
    tip = "Export the maps as PNG pictures, a contact sheet and a float32 .npy array " * 3
    QtWidgets.QApplication.sendEvent(window.menuBar(), QtGui.QStatusTipEvent(tip))   # from a child, as a hover
    assert bar.currentMessage() == tip
    from playground.ui.elided_label import ElidedLabel

    label = bar.findChild(ElidedLabel)
    qtbot.waitUntil(lambda: label.shown_text().endswith("…"))
    QtWidgets.QApplication.sendEvent(window.menuBar(), QtGui.QStatusTipEvent(""))      # the pointer left
    assert bar.currentMessage() == ""


def test_a_status_tip_covers_a_message_and_gives_it_back(qtbot, window):
    from PySide6 import QtGui

    bar = window.statusBar()
    bar.showMessage("Layer 1 now takes 1 input channel", 60_000)
    QtWidgets.QApplication.sendEvent(window.menuBar(), QtGui.QStatusTipEvent("Export the maps"))
    assert bar.currentMessage() == "Export the maps"
    QtWidgets.QApplication.sendEvent(window.menuBar(), QtGui.QStatusTipEvent("Take a screenshot"))
    QtWidgets.QApplication.sendEvent(window.menuBar(), QtGui.QStatusTipEvent(""))
    assert bar.currentMessage() == "Layer 1 now takes 1 input channel"   # back, with its time left
    bar.showMessage("saved", 80)
    QtWidgets.QApplication.sendEvent(window.menuBar(), QtGui.QStatusTipEvent("Export the maps"))
    QtWidgets.QApplication.sendEvent(window.menuBar(), QtGui.QStatusTipEvent(""))
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=2000)   # its time still runs out
