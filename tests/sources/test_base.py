"""The Source contract shared by every source: closing, context manager, errors."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from playground.sources import Source, SourceError


class CountingSource(Source):
    kind = "demo"
    spec = "counting"
    description = "Counting 2×2"
    live = True
    frame_interval = None

    def __init__(self, read_delay: float = 0.0) -> None:
        super().__init__()
        self.released = 0
        self.read_delay = read_delay
        self.reading = threading.Event()

    def _read(self) -> np.ndarray:
        self.reading.set()
        time.sleep(self.read_delay)
        return np.zeros((2, 2, 3), np.float32)

    def _release(self) -> None:
        self.released += 1


def test_source_error_is_an_exception_with_its_message():
    error = SourceError("cannot open 'x.txt': not an image")
    assert isinstance(error, Exception) and str(error) == "cannot open 'x.txt': not an image"


def test_source_is_abstract():
    with pytest.raises(TypeError):
        Source()


def test_close_releases_once():
    source = CountingSource()
    source.close()
    source.close()
    assert source.closed and source.released == 1


def test_context_manager_closes_even_on_error():
    with pytest.raises(RuntimeError), CountingSource() as source:
        raise RuntimeError("boom")
    assert source.released == 1


def test_read_after_close_names_the_source():
    source = CountingSource()
    source.close()
    with pytest.raises(SourceError, match="Counting 2×2 is closed"):
        source.read()


def test_close_waits_for_a_read_in_progress():
    source = CountingSource(read_delay=0.2)
    results = []
    worker = threading.Thread(target=lambda: results.append(source.read()))
    worker.start()
    assert source.reading.wait(2.0)
    source.close()  # must not release while the worker is inside _read
    assert results, "close() returned before the read in progress finished"
    worker.join()
    assert source.released == 1


def test_repr_says_what_and_whether_closed():
    source = CountingSource()
    assert "CountingSource" in repr(source) and "'counting'" in repr(source)
    source.close()
    assert "closed" in repr(source)
