"""Bank history: undo walks back, redo forward, a new edit drops the redo branch, a limit holds."""

from __future__ import annotations

from playground.kernels import preset_filter, starter_bank
from playground.kernels.history import BankHistory


def test_undo_redo_and_a_new_edit_dropping_redo():
    a = starter_bank()
    b = a.resized(5)
    c = a.add(preset_filter("Box blur"))
    history = BankHistory(a)
    assert history.undo() is None and not history.can_undo
    history.record(b)
    history.record(b)  # the same bank again is not a new step
    assert history.undo() == a
    assert history.redo() == b
    assert history.redo() is None
    history.undo()
    history.record(c)
    assert not history.can_redo
    assert history.undo() == a


def test_old_entries_are_forgotten_beyond_the_limit():
    bank = starter_bank()
    history = BankHistory(bank, limit=3)
    for size in (4, 5, 6, 7):
        history.record(bank.resized(size))
    steps = 0
    while history.undo() is not None:
        steps += 1
    assert steps == 2
    assert history.current.size == 5
