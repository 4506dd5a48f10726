"""The Learn panel on the live demo: play, pause, step, keep + undo, a diverging run stopped,
and a teacher that follows the person's edits. Every wait is on the state it means."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")

from PySide6 import QtWidgets  # noqa: E402
from window_helpers import WAIT_MS  # noqa: E402

from playground.export.bank_io import save_bank  # noqa: E402
from playground.kernels import FilterBank, preset_filter  # noqa: E402

pytestmark = pytest.mark.qt

# Waits for steps: generous, since a loaded 2-core machine gives the learning thread (at a
# lower priority than the live view, by design) little time; a passing test never waits it out.
STEPS_WAIT_MS = 40_000


@pytest.fixture
def panel(window):
    from playground.ui.learn_panel import attach_learn_panel

    dock = attach_learn_panel(window)
    assert attach_learn_panel(window) is dock             # one dock per window
    learn = dock.panel                                    # built on first use (or when the dock is shown)
    assert dock.panel is learn and dock.widget().widget() is learn
    learn.spf_box.setValue(4)                              # more steps per frame: the tests need fewer seconds
    return learn


def steps_of(panel) -> int:
    return -1 if panel.latest is None else panel.latest.steps


def choose_teacher(panel, text: str) -> None:
    box = panel.teacher_box
    box.setCurrentIndex(box.findText(text))
    box.activated.emit(box.currentIndex())                          # what a click on the entry sends


def learned(qtbot, panel, steps: int) -> None:
    panel.play_button.click()
    qtbot.waitUntil(lambda: steps_of(panel) >= steps, timeout=STEPS_WAIT_MS)


def test_play_learns_and_pause_stops_the_counter(qtbot, window, panel):
    window.pause_action.setChecked(True)    # a held frame: the steps go by the clock, the test needs 22 of them
    choose_teacher(panel, "Preset: Sobel x")
    learned(qtbot, panel, 2)
    run = panel.latest.run
    panel.lr_box.setCurrentIndex(panel.lr_box.findData(0.03))       # changed while running: the run goes on
    qtbot.waitUntil(lambda: steps_of(panel) >= 22, timeout=STEPS_WAIT_MS)
    history = panel.latest.history
    assert panel.latest.run == run and np.all(np.diff(history[:, 0]) > 0)
    assert history[-5:, 1].mean() < history[:5, 1].mean() / 3      # the loss falls
    assert history[-1, 2] < history[0, 2]                            # and so does its running mean
    panel.play_button.click()                                      # pause
    qtbot.waitUntil(lambda: panel.latest is not None and not panel.latest.playing, timeout=WAIT_MS)
    paused_at = steps_of(panel)
    qtbot.wait(400)                                                 # the clock goes on; no step may follow
    assert steps_of(panel) == paused_at
    assert panel.play_button.text().endswith("Play")


def test_ctrl_l_step_and_a_teacher_file(qtbot, tmp_path, window, panel):
    """Ctrl+L shows the dock; Step is exactly one step; a bank file teaches, a bad one changes nothing."""
    dock = window.findChild(QtWidgets.QDockWidget, "learn-dock")
    toggle = dock.toggleViewAction()
    view = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "View")
    assert toggle in view.actions() and toggle.shortcut().toString() == "Ctrl+L"
    assert not dock.isVisible()
    toggle.trigger()
    assert dock.isVisible()
    panel.step_button.click()
    qtbot.waitUntil(lambda: steps_of(panel) == 1, timeout=WAIT_MS)
    panel.step_button.click()
    qtbot.waitUntil(lambda: steps_of(panel) == 2, timeout=WAIT_MS)
    qtbot.wait(300)
    assert steps_of(panel) == 2 and not panel.latest.playing

    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert not panel.use_teacher_file(str(bad))
    assert panel.message.isVisibleTo(panel) and "bad.json" in panel.message.text()
    assert panel.follows_window                                     # the teacher stayed the window's network
    good = tmp_path / "edges.json"
    bank = FilterBank((preset_filter("Sobel y", 3), preset_filter("Laplacian", 3)))
    save_bank(bank, good)
    before = panel.latest.run
    assert panel.use_teacher_file(str(good)) and not panel.follows_window
    panel.step_button.click()
    qtbot.waitUntil(lambda: panel.latest is not None and panel.latest.run > before and panel.latest.steps == 1,
                    timeout=WAIT_MS)
    assert panel.latest.teacher.layers[0].bank.names() == bank.names()
    assert [panel.kernel_filter.itemText(i) for i in range(panel.kernel_filter.count())] == list(bank.names())


def test_keep_writes_the_student_and_undo_brings_back_the_typed_bank(qtbot, window, panel):
    typed = window.snapshot.bank
    learned(qtbot, panel, 2)
    panel.play_button.click()
    qtbot.waitUntil(lambda: not panel.latest.playing, timeout=WAIT_MS)
    assert window.snapshot.bank == typed                            # learning alone never writes the network
    student_w, student_b, _ = panel.latest.student[0]
    assert panel.keep()
    kept = window.snapshot.bank
    np.testing.assert_allclose(kept.weights(), np.asarray(student_w)[..., list(typed.active)], atol=1e-6)
    np.testing.assert_allclose(kept.biases(), np.asarray(student_b)[list(typed.active)], atol=1e-6)
    assert not np.allclose(kept.weights(), typed.weights())
    window.edit_actions.undo()
    assert window.snapshot.bank == typed


def test_a_huge_learning_rate_pauses_with_a_message(qtbot, window, panel):
    typed = window.snapshot.bank
    window.pause_action.setChecked(True)
    choose_teacher(panel, "Preset: Sobel x")
    panel.optimizer_box.setCurrentIndex(panel.optimizer_box.findData("momentum"))
    panel.lr_box.setCurrentIndex(panel.lr_box.count() - 1)          # 1: diverges within ~10 steps
    panel.play_button.click()
    qtbot.waitUntil(lambda: panel.latest is not None and panel.latest.stopped is not None, timeout=STEPS_WAIT_MS)
    assert panel.message.isVisibleTo(panel) and "learning rate" in panel.message.text()
    assert not panel.play_button.isChecked()
    stopped_at = steps_of(panel)
    panel.play_button.click()                                       # refused until Reset
    qtbot.wait(200)
    assert steps_of(panel) == stopped_at and "Reset" in panel.message.text()
    assert panel.keep()                                             # the last good weights, never NaN
    kept = window.snapshot.bank
    assert kept.names() == ("Sobel x (learned)",) and np.isfinite(kept.weights()).all()
    window.edit_actions.undo()
    assert window.snapshot.bank == typed


def test_the_teacher_follows_edits_and_the_student_keeps_learning(qtbot, window, panel):
    window.pause_action.setChecked(True)    # the held frame is recomputed after the edit, as a live one would be
    learned(qtbot, panel, 8)
    bank = window.snapshot.bank
    edited = bank.replace_filter(0, bank[0].with_cell(0, 0, None, 5.0))
    window.editor.set_bank(edited)
    window.take_bank(edited)
    before = steps_of(panel)
    qtbot.waitUntil(lambda: panel.latest.teacher.layers[0].bank == edited and steps_of(panel) > before + 4,
                    timeout=STEPS_WAIT_MS)
    assert panel.latest.run == 1                                    # the same run: not restarted


def test_a_deeper_network_stops_the_run_and_reset_learns_its_layers(qtbot, window, panel):
    from playground.kernels.network_presets import network_preset

    window.pause_action.setChecked(True)
    panel.step_button.click()
    qtbot.waitUntil(lambda: steps_of(panel) == 1, timeout=STEPS_WAIT_MS)
    window.take_network(network_preset("Edges → corners"))
    qtbot.waitUntil(lambda: panel.latest.stopped is not None, timeout=WAIT_MS)
    assert "Reset" in panel.message.text() and panel.latest.steps == 1
    panel.reset_button.click()
    assert [check.text() for check in panel.layer_checks] == ["CONV1", "CONV2"]
    panel.layer_checks[1].setChecked(True)                         # a new run learning both layers
    panel.step_button.click()
    qtbot.waitUntil(lambda: panel.latest.trainable == (0, 1) and steps_of(panel) == 1, timeout=STEPS_WAIT_MS)
    assert panel.latest.stopped is None and panel.latest.teacher.depth == 2
    assert panel.kernel_layer.count() == 2


def test_opening_learn_on_a_narrow_screen_does_not_widen_the_window(window, qtbot):
    """The offscreen screen is 800 pixels wide: the dock takes less than its natural width,
    its rows scroll, and the window keeps its size (at 1280×720 it had grown to 1452)."""
    from playground.ui.learn_panel import LearnDock

    width = window.width()
    dock = window.learn_dock
    dock.show()
    qtbot.waitUntil(lambda: dock.isVisible() and dock.widget() is not None, timeout=WAIT_MS)
    QtWidgets.QApplication.processEvents()
    assert dock.minimumWidth() == dock.fitting_width() < LearnDock.WIDTH
    assert window.width() == width
    assert window.minimumSizeHint().width() <= width


def test_the_slow_weights_note_shows_while_it_holds_and_leaves_other_notes_alone(window, panel):
    """Fed updates by hand (a real run takes ~300 steps to get there): the note comes, goes,
    and never replaces a message about the run."""
    import dataclasses

    from playground.kernels import starter_bank
    from playground.kernels.network import Network
    from playground.live.learn_state import LearnUpdate

    means = np.geomspace(2.25, 0.00026, 150)
    history = np.stack([np.arange(1, 151) * 10.0, means, means], axis=1)
    slow = LearnUpdate(1, 1500, 0.00026, 0.354, history, Network.single(starter_bank()), (), (0,), True, None)
    panel._show_slow_note(slow)
    assert not panel.message.isHidden() and "35%" in panel.message.text()
    panel._show_slow_note(dataclasses.replace(slow, distance=0.05))     # close now: the note goes
    assert panel.message.isHidden()
    panel._show_message("the network's current weights do not fit", paused=False)
    panel._show_slow_note(slow)                                        # another note stays
    assert panel.message.text() == "the network's current weights do not fit"

