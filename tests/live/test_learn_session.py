"""The Learn panel's Qt-free parts: teachers, the learned weights written back, and the
learning thread's commands (step, follow the teacher, stop on a changed shape)."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from playground.engine.layer import LayerSettings
from playground.kernels import starter_bank
from playground.kernels.network import Network
from playground.kernels.presets import preset_weights
from playground.live.learn_session import LearnSession, LearnSetup
from playground.live.learn_teacher import WINDOW, kept_network, learned_network, teacher_network


def picture(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((48, 64, 3), dtype=np.float32)


def window_network() -> Network:
    bank = starter_bank()
    bank = bank.replace_filter(1, replace(bank[1], enabled=False))
    return Network.single(bank, LayerSettings(padding="same", stride=2))


def student_like(network: Network, value: float):
    return tuple((np.full_like(w, value), np.full_like(b, -value), s) for w, b, s in network.stages())


def test_a_preset_teacher_takes_the_windows_first_layer_settings_and_channels():
    gray = window_network().with_input(channels=1)
    teacher = teacher_network("Preset: Sobel x", gray)
    assert teacher.depth == 1 and teacher.input_channels == 1
    assert teacher.layers[0].settings == gray.layers[0].settings
    np.testing.assert_array_equal(teacher.layers[0].bank[0].weights, preset_weights("Sobel x", 3, 1))
    assert teacher_network(WINDOW, gray) is gray
    with pytest.raises(ValueError, match="unknown teacher"):
        teacher_network("Preset: nothing", gray)


def test_kept_weights_fill_the_enabled_filters_and_leave_disabled_ones_as_typed():
    network = window_network()
    kept = kept_network(network, network, True, student_like(network, 0.25), (0,))
    bank = kept.layers[0].bank
    assert kept.layers[0].settings == network.layers[0].settings
    for k, item in enumerate(bank.filters):
        if k == 1:   # disabled: the person's weights stay
            assert item == network.layers[0].bank[1]
        else:
            np.testing.assert_array_equal(item.weights, 0.25)
            assert item.bias == -0.25 and item.name.endswith("(learned)")


def test_a_one_layer_teacher_becomes_the_first_layer_and_a_changed_shape_is_refused():
    network = window_network()
    teacher = teacher_network("Preset: Sobel y", network)
    kept = kept_network(network, teacher, False, student_like(teacher, 0.5), (0,))
    assert kept.layers[0].bank.names() == ("Sobel y (learned)",)
    assert kept.layers[0].settings == network.layers[0].settings
    grown = network.set_filter_count(0, 9)
    with pytest.raises(ValueError, match="shape changed"):
        kept_network(grown, network, True, student_like(network, 0.5), (0,))
    deep = Network.single(starter_bank()).insert_layer()
    learned = learned_network(deep, student_like(deep, 1.0), (1,), rename=False)
    assert learned.layers[0] == deep.layers[0] and np.all(learned.layers[1].bank[0].weights == 1.0)


def wait_for(session: LearnSession, predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        update = session.updates.peek()
        if update is not None and predicate(update):
            return update
        time.sleep(0.005)
    raise AssertionError(f"no update met the condition; the last was {session.updates.peek()}")


@pytest.fixture
def session():
    running = LearnSession(lambda: None)
    running.start()
    yield running
    assert running.stop()


def test_step_is_one_step_and_a_followed_teacher_keeps_the_run(session):
    network = Network.single(starter_bank())
    session.setup(LearnSetup(network))
    session.feed(picture())
    session.step()
    first = wait_for(session, lambda u: u.steps == 1)
    assert not first.playing and first.preview is not None and first.history.shape == (1, 3)
    edited_bank = network.layers[0].bank.replace_filter(0, network.layers[0].bank[0].with_cell(0, 0, None, 3.0))
    edited = network.set_bank(0, edited_bank)
    session.set_teacher(edited)
    session.step()
    second = wait_for(session, lambda u: u.steps == 2)
    assert second.run == first.run and second.teacher == edited and second.stopped is None
    session.set_teacher(network.set_kernel_size(0, 5))          # another shape: the run cannot go on
    stopped = wait_for(session, lambda u: u.stopped is not None)
    assert "Reset" in stopped.stopped and stopped.steps == 2 and not stopped.playing


def test_playing_follows_the_frames_and_pause_holds_the_counter(session):
    session.setup(LearnSetup(Network.single(starter_bank()), steps_per_frame=2))
    session.feed(picture())
    session.play()
    wait_for(session, lambda u: u.steps >= 6)
    session.pause()
    paused = wait_for(session, lambda u: not u.playing)
    session.feed(picture(1))                                     # new frames, but paused: no steps
    time.sleep(0.2)
    assert session.updates.peek().steps == paused.steps
    assert np.all(np.diff(paused.history[:, 0]) == 1)


def test_current_weights_start_the_student_and_other_shapes_start_it_at_random(session):
    teacher = Network.single(starter_bank(), LayerSettings(padding="same"))
    typed = teacher.set_bank(0, teacher.layers[0].bank.replace_filter(0, teacher.layers[0].bank[0].with_cell(
        1, 1, None, 7.0)))
    session.setup(LearnSetup(teacher, init="current", start=typed))
    session.feed(picture())
    first = wait_for(session, lambda u: u.run == 1)
    np.testing.assert_array_equal(first.student[0].w, typed.stages()[0].w)   # not the teacher's, not random
    assert first.steps == 0 and first.distance > 0
    session.setup(LearnSetup(teacher, init="current", start=typed.set_filter_count(0, 3)))
    second = wait_for(session, lambda u: u.run == 2)
    assert not np.allclose(second.student[0].w, teacher.stages()[0].w)      # random: the shapes did not fit
