"""A one-value mailbox between threads: the newest value wins, older ones are dropped.

Never a queue: a slow reader sees the latest frame, not a backlog (queued frames
grew latency to seconds; one overwritten slot keeps it to one frame).
"""

from __future__ import annotations

import threading

__all__ = ["LatestSlot"]


class LatestSlot:
    """Holds at most one value. ``put`` replaces it; ``take`` empties it."""

    def __init__(self):
        self._cond = threading.Condition()
        self._value = None
        self._full = False
        self.dropped = 0      # values overwritten before anyone took them
        self.version = 0      # puts so far

    def put(self, value) -> None:
        with self._cond:
            if self._full:
                self.dropped += 1
            self._value, self._full = value, True
            self.version += 1
            self._cond.notify_all()

    def take(self):
        """The newest value, or None if nothing new since the last take."""
        with self._cond:
            value, self._value, self._full = self._value, None, False
            self._cond.notify_all()
            return value

    def peek(self):
        """The newest value without taking it (None when empty)."""
        with self._cond:
            return self._value

    def wait_value(self, timeout: float | None = None) -> bool:
        """Block until a value is there (True) or the timeout passes (False)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._full, timeout)

    def wait_empty(self, timeout: float | None = None) -> bool:
        """Block until the value has been taken (True) or the timeout passes (False)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._full, timeout)

    def wake(self) -> None:
        """Wake every waiter (used when stopping)."""
        with self._cond:
            self._cond.notify_all()
