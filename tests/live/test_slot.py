"""LatestSlot: a one-value mailbox where the newest value wins."""

from __future__ import annotations

import threading

from playground.live.slot import LatestSlot

WAIT = 10.0  # generous: other test runs share the machine


def test_empty_slot():
    slot = LatestSlot()
    assert slot.take() is None
    assert slot.peek() is None
    assert (slot.dropped, slot.version) == (0, 0)


def test_put_take():
    slot = LatestSlot()
    slot.put("a")
    assert slot.peek() == "a"
    assert slot.take() == "a"
    assert slot.take() is None  # take empties
    assert slot.peek() is None
    assert (slot.dropped, slot.version) == (0, 1)


def test_newest_wins_and_overwrites_are_counted():
    slot = LatestSlot()
    for value in range(5):
        slot.put(value)
    assert slot.take() == 4
    assert slot.dropped == 4
    assert slot.version == 5
    slot.put(10)
    assert slot.dropped == 4  # the slot was empty: nothing overwritten
    assert slot.take() == 10


def test_peek_does_not_take():
    slot = LatestSlot()
    slot.put(1)
    assert slot.peek() == 1 and slot.peek() == 1
    slot.put(2)
    assert slot.dropped == 1  # peeking did not empty it
    assert slot.take() == 2


def test_wait_value_times_out_when_empty():
    slot = LatestSlot()
    assert slot.wait_value(0.01) is False


def test_wait_value_returns_at_once_when_full():
    slot = LatestSlot()
    slot.put(0)
    assert slot.wait_value(0) is True


def test_wait_empty_returns_at_once_when_empty_and_times_out_when_full():
    slot = LatestSlot()
    assert slot.wait_empty(0) is True
    slot.put(1)
    assert slot.wait_empty(0.01) is False


def test_wait_value_wakes_on_put_from_another_thread():
    slot = LatestSlot()
    waiting = threading.Event()
    outcome = []

    def reader():
        waiting.set()
        outcome.append(slot.wait_value(WAIT))
        outcome.append(slot.take())

    thread = threading.Thread(target=reader)
    thread.start()
    assert waiting.wait(WAIT)
    slot.put("frame")
    thread.join(WAIT)
    assert not thread.is_alive()
    assert outcome == [True, "frame"]


def test_wait_empty_wakes_on_take_from_another_thread():
    slot = LatestSlot()
    slot.put("result")
    waiting = threading.Event()
    outcome = []

    def producer():
        waiting.set()
        outcome.append(slot.wait_empty(WAIT))

    thread = threading.Thread(target=producer)
    thread.start()
    assert waiting.wait(WAIT)
    assert slot.take() == "result"
    thread.join(WAIT)
    assert not thread.is_alive()
    assert outcome == [True]


def test_a_none_value_still_counts_as_full():
    slot = LatestSlot()
    slot.put(None)
    assert slot.wait_value(0) is True
    assert slot.wait_empty(0) is False
    slot.take()
    assert slot.wait_empty(0) is True


def test_many_writers_one_reader_loses_nothing_but_overwrites():
    slot = LatestSlot()
    taken = []
    done = threading.Event()

    def writer(base):
        for i in range(500):
            slot.put(base + i)

    def reader():
        while not done.is_set() or slot.peek() is not None:
            if slot.wait_value(0.05):
                value = slot.take()
                if value is not None:
                    taken.append(value)

    reading = threading.Thread(target=reader)
    reading.start()
    writers = [threading.Thread(target=writer, args=(base,)) for base in (0, 10_000, 20_000)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(WAIT)
    done.set()
    reading.join(WAIT)
    assert not reading.is_alive()
    assert slot.version == 1500
    assert len(taken) + slot.dropped == 1500  # every put was either taken or overwritten
    assert len(set(taken)) == len(taken)
    for base in (0, 10_000, 20_000):  # each writer's values arrive in order
        mine = [v for v in taken if base <= v < base + 500]
        assert mine == sorted(mine)


def test_wake_releases_nobody_without_a_change():
    slot = LatestSlot()
    slot.put(1)
    result = []
    started = threading.Event()

    def waiter():
        started.set()
        result.append(slot.wait_empty(0.5))

    thread = threading.Thread(target=waiter)
    thread.start()
    assert started.wait(WAIT)
    slot.wake()
    thread.join(WAIT)
    assert result == [False]  # woken, but the value is still there: it waits out its timeout
