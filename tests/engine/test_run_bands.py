"""run_bands: every piece runs once, and a stalled worker does not hold the others up."""

from __future__ import annotations

import threading
import time

import numpy as np

from playground.engine.backend import _PIECES_PER_WORKER, BackendInfo, _Backend


def _two_worker_backend() -> _Backend:
    # two workers whatever this machine has: the sharing is what is tested
    return _Backend(np, BackendInfo("numpy", "CPU (2 threads)", "numpy"), 2, cache_bytes=1 << 20)


def test_every_row_is_done_exactly_once():
    backend = _two_worker_backend()
    for n in (1, 2, 3, 7, 8, 9, 100):
        seen = np.zeros(n, int)
        lock = threading.Lock()

        def job(first, last, seen=seen, lock=lock):
            with lock:
                seen[first:last] += 1

        backend.run_bands(n, job)
        assert seen.tolist() == [1] * n, n


def test_the_pieces_are_the_same_on_every_call():
    backend = _two_worker_backend()
    runs = []
    for _ in range(3):
        spans = []
        backend.run_bands(40, lambda first, last, spans=spans: spans.append((first, last)))
        runs.append(sorted(spans))
    assert runs[0] == runs[1] == runs[2] and len(runs[0]) > 2


def test_a_stalled_worker_leaves_its_share_to_the_caller():
    """With one fixed band per thread, a worker descheduled by the GUI thread held up the
    join while the caller idled; now the caller takes every piece the stalled one did not."""
    backend = _two_worker_backend()
    caller = threading.get_ident()
    ran_by_caller = []

    def job(first, last):
        if threading.get_ident() != caller:
            time.sleep(0.3)   # the worker stalls on its first piece
        else:
            ran_by_caller.append((first, last))

    backend.run_bands(40, job)
    # the stalled worker ran at most one piece (it slept 0.3 s; the caller's pieces take µs)
    pieces = 2 * _PIECES_PER_WORKER
    assert len(ran_by_caller) >= pieces - 1


def test_reserved_cores_leave_the_engine_the_rest_and_at_least_one():
    from playground.engine import backend as backend_module

    cores = backend_module.usable_cores()
    try:
        info = backend_module.reserve_cores(1)
        assert backend_module._current.workers == max(1, min(cores - 1, 8))
        if cores > 1:
            assert "left to the window" in info.device
        backend_module.reserve_cores(cores + 5)
        assert backend_module._current.workers == 1
    finally:
        backend_module.reserve_cores(0)
    assert backend_module._current.workers == min(cores, 8)


def test_the_device_text_counts_only_the_reserved_cores(monkeypatch):
    from playground.engine import backend as backend_module

    monkeypatch.setattr(backend_module, "usable_cores", lambda: 16)
    try:
        info = backend_module.reserve_cores(1)
        assert backend_module._current.workers == 8   # the cap, not 15
        assert "(8 threads, 1 left to the window)" in info.device
    finally:
        monkeypatch.undo()
        backend_module.reserve_cores(0)
