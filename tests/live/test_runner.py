"""LiveRunner: capture and compute threads, newest frame wins, errors become messages.

Every wait is on a condition with a generous deadline; nothing is asserted on the
strength of a sleep.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from playground.engine.layer import LayerSettings, PoolSettings, run_layer
from playground.kernels import Filter, FilterBank
from playground.live.processor import FrameProcessor, RenderedFrame
from playground.live.runner import LiveRunner
from playground.live.snapshot import Snapshot, ViewSettings
from playground.sources.base import Source, SourceError
from playground.sources.demo import demo_frame

WAIT = 15.0   # generous: other test runs share the two cores
QUIET = 0.4   # how long "nothing more happens" is watched for


def _bank(seed: int, k: int = 2) -> FilterBank:
    rng = np.random.default_rng(seed)
    return FilterBank(tuple(Filter(f"f{seed}-{i}", rng.standard_normal((3, 3, 3))) for i in range(k)))


def _snapshot(seed: int = 1, **layer) -> Snapshot:
    return Snapshot(bank=_bank(seed), layer=LayerSettings(**layer), view=ViewSettings(per_channel=False))


class FakeSource(Source):
    """Frames of the demo picture, each marked with its read number and the source's id.

    ``frame[0, 0, 0] * 1000`` is the read number (1, 2, …), ``frame[0, 0, 1] * 10`` the id.
    """

    kind = "demo"

    def __init__(self, ident: int = 1, *, live: bool = True, interval: float | None = 0.005,
                 size=(24, 32), error: Exception | None = None, gate: threading.Event | None = None):
        super().__init__()
        self.ident = ident
        self.spec = f"fake:{ident}"
        self.description = f"fake source {ident}"
        self.live = live
        self.frame_interval = interval
        self.error = error
        self.gate = gate
        self.reads = 0
        self.attempts = 0
        self.reading = threading.Event()
        self.released = threading.Event()
        self._base = demo_frame(*size)

    def _read(self) -> np.ndarray:
        self.attempts += 1
        self.reading.set()
        if self.gate is not None:
            assert self.gate.wait(WAIT)
        if self.error is not None:
            raise self.error
        self.reads += 1
        frame = self._base.copy()
        frame[0, 0, 0] = self.reads / 1000
        frame[0, 0, 1] = self.ident / 10
        return frame

    def _release(self) -> None:
        self.released.set()


def _read_number(result: RenderedFrame) -> int:
    return round(float(result.frame[0, 0, 0]) * 1000)


def _source_id(result: RenderedFrame) -> int:
    return round(float(result.frame[0, 0, 1]) * 10)


class Collector:
    """on_result / on_error callbacks; takes each result at once (a fast GUI) unless told not to."""

    def __init__(self, take: bool = True):
        self.take = take
        self.runner: LiveRunner | None = None
        self.results: list[RenderedFrame] = []
        self.notified: list[RenderedFrame] = []   # the newest result at each on_result
        self.errors: list[str] = []
        self.threads: set[str] = set()
        self._cond = threading.Condition()

    def on_result(self) -> None:
        result = self.runner.results.take() if self.take else self.runner.results.peek()
        with self._cond:
            self.threads.add(threading.current_thread().name)
            self.notified.append(result)
            if self.take and result is not None:
                self.results.append(result)
            self._cond.notify_all()

    def on_error(self, message: str) -> None:
        with self._cond:
            self.errors.append(message)
            self._cond.notify_all()

    def wait_for(self, predicate, timeout: float = WAIT) -> bool:
        with self._cond:
            return self._cond.wait_for(predicate, timeout)


def _wait_until(predicate, timeout: float = WAIT) -> bool:
    """Poll a condition that has no event of its own (e.g. a counter on the runner)."""
    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            return False
        tick.wait(0.005)
    return True


@pytest.fixture
def make_runner():
    made: list[LiveRunner] = []

    def make(source: Source, snapshot: Snapshot | None = None, processor=None, take: bool = True):
        collector = Collector(take)
        runner = LiveRunner(source, snapshot or _snapshot(), collector.on_result, collector.on_error, processor)
        collector.runner = runner
        made.append(runner)
        return runner, collector

    yield make
    for runner in made:
        runner.stop(WAIT)


# ----------------------------------------------------------------- frames flow

def test_results_arrive_through_on_result(make_runner):
    source = FakeSource()
    snapshot = _snapshot()
    runner, got = make_runner(source, snapshot)
    runner.start()
    assert got.wait_for(lambda: len(got.results) >= 3)
    assert runner.running
    assert got.threads == {"compute"}  # called on the compute thread, not the caller's
    for result in got.results[:3]:
        assert isinstance(result, RenderedFrame)
        assert result.error is None and result.snapshot is snapshot
        assert result.index == _read_number(result)  # index counts captured frames
        expected = run_layer(result.frame, snapshot.bank.weights(), snapshot.bank.biases(), snapshot.layer).maps
        np.testing.assert_allclose(result.views["filters"].values, expected, rtol=1e-5, atol=1e-5)
    indices = [r.index for r in got.results]
    assert indices == sorted(set(indices))  # strictly increasing: never an older frame after a newer one
    assert got.errors == []


def test_stop_ends_both_threads_and_closes_the_source(make_runner):
    source = FakeSource()
    runner, got = make_runner(source)
    runner.start()
    assert got.wait_for(lambda: len(got.results) >= 1)
    started = time.monotonic()
    assert runner.stop(3.0) is True
    assert time.monotonic() - started < 3.0
    assert not runner.running
    assert source.closed and source.released.is_set()
    count = len(got.notified)
    assert not got.wait_for(lambda: len(got.notified) > count, QUIET)  # nothing after stop


def test_stop_while_paused_and_without_start(make_runner):
    source = FakeSource()
    runner, _ = make_runner(source)
    runner.pause()
    runner.start()
    assert runner.stop(3.0) is True and not runner.running and source.closed
    other = FakeSource(2)
    never_started, _ = make_runner(other)
    assert never_started.stop(3.0) is True and other.closed


# ------------------------------------------------------------ newest frame wins

class GatedProcessor(FrameProcessor):
    """Blocks in its first process() call until ``gate`` is set."""

    def __init__(self, gate: threading.Event):
        super().__init__()
        self.gate = gate
        self.entered = threading.Event()
        self.calls = 0
        self.first_index = None

    def process(self, frame, snapshot, index=0, *args, **kwargs):
        self.calls += 1
        if self.calls == 1:
            self.first_index = index
            self.entered.set()
            assert self.gate.wait(WAIT)
        return super().process(frame, snapshot, index, *args, **kwargs)


def test_slow_compute_skips_to_the_newest_frame(make_runner):
    gate = threading.Event()
    processor = GatedProcessor(gate)
    source = FakeSource(interval=0.002)
    runner, got = make_runner(source, processor=processor)
    runner.start()
    assert processor.entered.wait(WAIT)
    # Capture may deliver a frame or two before compute takes its first: which one compute
    # took is whatever it was handed, and frames keep coming while it is busy.
    first_index = processor.first_index
    assert _wait_until(lambda: runner.captured >= first_index + 7)
    gate.set()
    assert got.wait_for(lambda: len(got.results) >= 2)
    first, second = got.results[:2]
    assert first.index == first_index
    assert second.index >= first_index + 7  # the frames captured meanwhile were dropped, not queued
    assert _read_number(second) == second.index
    assert runner.computed < runner.captured


def test_slow_consumer_keeps_only_the_newest_result(make_runner):
    source = FakeSource(interval=0.002)
    runner, got = make_runner(source, take=False)  # a GUI that never takes results
    runner.start()
    assert got.wait_for(lambda: len(got.notified) >= 3)
    assert runner.stop(WAIT)
    notified = got.notified
    assert runner.results.version == len(notified)
    assert runner.results.dropped == len(notified) - 1  # one pending at most: older ones were replaced
    newest = runner.results.take()
    assert newest is notified[-1]
    assert runner.results.take() is None
    indices = [r.index for r in notified]
    assert indices == sorted(set(indices))
    assert indices[-1] - indices[0] > len(indices) - 1  # frame numbers skip: stale frames were dropped


# ------------------------------------------------------------- pause and step

def test_paused_runner_shows_nothing_until_step(make_runner):
    source = FakeSource()
    runner, got = make_runner(source)
    runner.pause()
    runner.start()
    assert not got.wait_for(lambda: got.notified, QUIET)
    assert runner.captured == 0 and source.reads == 0
    assert runner.paused


def test_step_delivers_exactly_one_new_frame(make_runner):
    source = FakeSource()
    runner, got = make_runner(source)
    runner.pause()
    runner.start()
    runner.step()
    assert got.wait_for(lambda: len(got.results) >= 1)
    assert got.results[0].index == 1 and _read_number(got.results[0]) == 1
    assert not got.wait_for(lambda: len(got.notified) > 1, QUIET)
    assert runner.captured == 1 and source.reads == 1
    runner.step()
    assert got.wait_for(lambda: len(got.results) >= 2)
    assert got.results[1].index == 2 and _read_number(got.results[1]) == 2
    assert not got.wait_for(lambda: len(got.notified) > 2, QUIET)
    assert runner.captured == 2 and runner.paused


def test_step_pauses_a_running_runner_and_resume_goes_on(make_runner):
    source = FakeSource()
    runner, got = make_runner(source)
    runner.start()
    assert got.wait_for(lambda: len(got.results) >= 2)
    runner.step()
    before = runner.captured
    assert runner.paused
    # the step's frame, and at most one read that was already under way; then nothing
    assert not _wait_until(lambda: runner.captured > before + 2, QUIET)
    settled = runner.captured
    assert not _wait_until(lambda: runner.captured > settled, QUIET)
    runner.resume()
    assert _wait_until(lambda: runner.captured > settled + 2)
    assert got.wait_for(lambda: got.results[-1].index > settled)


def test_set_snapshot_while_paused_recomputes_the_held_frame(make_runner):
    source = FakeSource()
    runner, got = make_runner(source, _snapshot(1))
    runner.pause()
    runner.start()
    runner.step()
    assert got.wait_for(lambda: len(got.results) >= 1)
    held = got.results[0]
    new = _snapshot(2, activation="relu")
    runner.set_snapshot(new)
    assert got.wait_for(lambda: len(got.results) >= 2)
    redone = got.results[1]
    assert redone.snapshot is new and runner.snapshot is new
    assert redone.index == held.index == 1
    np.testing.assert_array_equal(redone.frame, held.frame)
    assert source.reads == 1 and runner.captured == 1  # recomputed, not re-read
    expected = run_layer(held.frame, new.bank.weights(), new.bank.biases(), new.layer).maps
    np.testing.assert_allclose(redone.views["filters"].values, expected, rtol=1e-5, atol=1e-5)
    assert redone.views["filters"].signed is False
    assert not got.wait_for(lambda: len(got.notified) > 2, QUIET)  # once per change


def test_still_source_is_read_once_and_recomputed_on_settings_change(make_runner):
    source = FakeSource(live=False, interval=None)
    runner, got = make_runner(source, _snapshot(1))
    runner.start()
    assert got.wait_for(lambda: len(got.results) >= 1)
    assert not got.wait_for(lambda: len(got.notified) > 1, QUIET)
    assert source.reads == 1
    new = _snapshot(3)
    runner.set_snapshot(new)
    assert got.wait_for(lambda: len(got.results) >= 2)
    assert got.results[1].snapshot is new and got.results[1].index == 1
    assert source.reads == 1


# ---------------------------------------------------------------------- errors

def test_source_error_is_reported_and_the_runner_keeps_running(make_runner):
    bad = FakeSource(1, error=SourceError("camera 0 stopped delivering frames"))
    runner, got = make_runner(bad)
    runner.start()
    assert got.wait_for(lambda: got.errors)
    assert got.errors[0] == "camera 0 stopped delivering frames"
    assert runner.running
    assert not got.wait_for(lambda: len(got.errors) > 1, QUIET)  # said once, not every 0.1 s
    assert bad.attempts == 1  # a failed source is not hammered with retries
    assert got.notified == []
    good = FakeSource(2)
    runner.set_source(good)
    assert runner.source is good
    assert got.wait_for(lambda: len(got.results) >= 2)
    assert all(_source_id(r) == 2 for r in got.results)
    assert bad.released.wait(WAIT)  # the old source was closed by the capture thread
    assert not good.closed
    assert got.errors == ["camera 0 stopped delivering frames"]


def test_unexpected_read_exception_becomes_a_message(make_runner):
    bad = FakeSource(1, error=RuntimeError("decoder exploded"))
    runner, got = make_runner(bad)
    runner.start()
    assert got.wait_for(lambda: got.errors)
    assert "fake source 1" in got.errors[0] and "decoder exploded" in got.errors[0]
    assert runner.running
    runner.set_source(FakeSource(2))
    assert got.wait_for(lambda: len(got.results) >= 1)


def test_set_source_switches_frames_and_closes_the_old_source(make_runner):
    first = FakeSource(1)
    runner, got = make_runner(first)
    runner.start()
    assert got.wait_for(lambda: len(got.results) >= 1)
    second = FakeSource(2)
    runner.set_source(second)
    assert first.released.wait(WAIT)
    assert got.wait_for(lambda: got.results and _source_id(got.results[-1]) == 2)
    assert _wait_until(lambda: second.reads >= 2)
    assert not second.closed
    reads_after_close = first.reads
    assert not _wait_until(lambda: first.reads > reads_after_close, QUIET)


class FailingProcessor(FrameProcessor):
    def __init__(self, failures: int):
        super().__init__()
        self.failures = failures
        self.calls = 0

    def process(self, *args, **kwargs):
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError(f"boom {self.calls}")
        return super().process(*args, **kwargs)


def test_processor_exception_becomes_on_error_and_the_loop_continues(make_runner):
    processor = FailingProcessor(failures=2)
    runner, got = make_runner(FakeSource(), processor=processor)
    runner.start()
    assert got.wait_for(lambda: len(got.results) >= 2)
    assert got.errors[:2] == ["computing the maps failed: RuntimeError: boom 1",
                              "computing the maps failed: RuntimeError: boom 2"]
    assert runner.running
    assert all(r.error is None for r in got.results)
    assert got.results[0].index >= 3  # the frames that failed gave no result


def test_settings_that_leave_no_output_give_a_message_and_a_result(make_runner):
    source = FakeSource(size=(6, 6))
    snapshot = Snapshot(bank=_bank(1).resized(11), layer=LayerSettings(padding="valid"))
    runner, got = make_runner(source, snapshot)
    runner.start()
    assert got.wait_for(lambda: got.results and got.errors)
    result = got.results[0]
    assert result.error and "11×11" in result.error
    assert got.errors[0] == result.error
    assert result.views == {}
    assert runner.running
    runner.set_snapshot(_snapshot(1))  # a fix by the person: maps come back
    assert got.wait_for(lambda: got.results[-1].error is None and got.results[-1].views)


def test_stop_closes_a_source_replaced_during_a_read(make_runner):
    gate = threading.Event()
    old = FakeSource(1, gate=gate)
    runner, _ = make_runner(old)
    runner.start()
    assert old.reading.wait(WAIT)       # the capture thread is inside old.read()
    new = FakeSource(2)
    runner.set_source(new)
    threading.Timer(1.0, gate.set).start()  # the read returns while stop() is waiting
    assert runner.stop(WAIT) is True
    assert new.closed
    assert old.closed


def test_two_quick_switches_close_both_replaced_sources(make_runner):
    # a webcam left open stays busy: every source switched away from must be closed
    gate = threading.Event()
    first = FakeSource(1, gate=gate)
    runner, _ = make_runner(first)
    runner.start()
    assert first.reading.wait(WAIT)
    second, third = FakeSource(2), FakeSource(3)
    runner.set_source(second)
    runner.set_source(third)        # before the capture thread looked again
    gate.set()
    assert _wait_until(lambda: first.closed and second.closed)
    assert not third.closed
    assert runner.stop(WAIT) is True
    assert third.closed


def test_a_lasting_error_is_reported_once(make_runner):
    source = FakeSource(1, size=(12, 16))   # 10×14 maps: a 16×16 pool window does not fit
    too_big = Snapshot(bank=_bank(3), layer=LayerSettings(padding="valid", pool=PoolSettings("max", 16, 16)))
    runner, collector = make_runner(source, too_big)
    runner.start()
    assert collector.wait_for(lambda: len(collector.results) >= 5)
    assert len(collector.errors) == 1, collector.errors
    assert runner.stop(WAIT)
