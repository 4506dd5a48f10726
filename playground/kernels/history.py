"""Undo / redo for the filter bank: banks are immutable values, so history is a list of them."""

from __future__ import annotations

from .model import FilterBank

__all__ = ["BankHistory"]


class BankHistory:
    """The banks a person went through, with a cursor.

    Parameters
    ----------
    bank : FilterBank
        Where history starts.
    limit : int
        Oldest entries are forgotten beyond this many.
    """

    def __init__(self, bank: FilterBank, limit: int = 200):
        self._banks = [bank]
        self._at = 0
        self._limit = max(2, limit)

    @property
    def current(self) -> FilterBank:
        return self._banks[self._at]

    @property
    def can_undo(self) -> bool:
        return self._at > 0

    @property
    def can_redo(self) -> bool:
        return self._at < len(self._banks) - 1

    def record(self, bank: FilterBank) -> None:
        """A new edit: ``bank`` becomes current and the redo branch is dropped."""
        if bank == self.current:
            return
        del self._banks[self._at + 1:]
        self._banks.append(bank)
        if len(self._banks) > self._limit:
            del self._banks[0]
        self._at = len(self._banks) - 1

    def undo(self) -> FilterBank | None:
        """The bank before the current one (now current), or None at the start."""
        if not self.can_undo:
            return None
        self._at -= 1
        return self.current

    def redo(self) -> FilterBank | None:
        """The bank undone last (now current again), or None."""
        if not self.can_redo:
            return None
        self._at += 1
        return self.current
