"""Undo / redo: banks and networks are immutable values, so history is a list of them."""

from __future__ import annotations

__all__ = ["History", "BankHistory"]


class History:
    """The values (banks, networks) a person went through, with a cursor.

    Any immutable value compared with ``==`` works; the window keeps
    ``(network, selected layer)`` pairs, so an undo also shows the layer edited.

    Parameters
    ----------
    bank : object
        Where history starts.
    limit : int
        Oldest entries are forgotten beyond this many.
    """

    def __init__(self, bank, limit: int = 200):
        self._banks = [bank]
        self._at = 0
        self._limit = max(2, limit)

    @property
    def current(self):
        return self._banks[self._at]

    @property
    def can_undo(self) -> bool:
        return self._at > 0

    @property
    def can_redo(self) -> bool:
        return self._at < len(self._banks) - 1

    def record(self, bank) -> None:
        """A new edit: ``bank`` becomes current and the redo branch is dropped."""
        if bank == self.current:
            return
        del self._banks[self._at + 1:]
        self._banks.append(bank)
        if len(self._banks) > self._limit:
            del self._banks[0]
        self._at = len(self._banks) - 1

    def undo(self):
        """The bank before the current one (now current), or None at the start."""
        if not self.can_undo:
            return None
        self._at -= 1
        return self.current

    def redo(self):
        """The bank undone last (now current again), or None."""
        if not self.can_redo:
            return None
        self._at += 1
        return self.current


BankHistory = History   # the name older callers use
