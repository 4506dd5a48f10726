"""Reusable big buffers, so the frame loop does not page-fault on fresh memory.

Allocating a fresh multi-megabyte array per frame makes the OS map and zero new
pages every time (measured here: up to 7× slower for ≥ 32 MB results). Two kinds
of reuse:

* ``scratch`` buffers belong to the engine and are overwritten by the next call
  with the same geometry (their zero-padding border is written once and stays).
* ``recycled`` result buffers are handed out again only when nothing else refers
  to them any more, so a caller's earlier result is never overwritten.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict

import numpy as np

__all__ = ["scratch", "recycled"]

# Each cache forgets its least recently used entries beyond this many bytes. A
# forgotten buffer that is still in use stays valid for its holder; it is just not
# handed out again. 512 MB holds a 1280×720 frame's per-channel maps for K=32
# (118 MB) a few times over, and stops a session that tries many geometries from
# piling up gigabytes of idle buffers.
MAX_BYTES = 512 << 20
_lock = threading.Lock()
_scratch: OrderedDict[tuple, object] = OrderedDict()
_results: OrderedDict[tuple, list] = OrderedDict()


def _entry_bytes(value) -> int:
    return sum(b.nbytes for b in value) if isinstance(value, list) else value.nbytes


def _remember(cache: OrderedDict, key: tuple, value) -> None:
    """Put ``value`` under ``key`` as the newest entry, then drop the oldest beyond MAX_BYTES.

    Only for a new or grown entry: a hit needs just ``move_to_end`` (adding up every
    entry's bytes on each hit made a look-up cost 14 µs instead of 3 µs)."""
    cache[key] = value
    cache.move_to_end(key)
    total = sum(_entry_bytes(v) for v in cache.values())
    while total > MAX_BYTES and len(cache) > 1:  # keep at least the newest entry
        _, dropped = cache.popitem(last=False)
        total -= _entry_bytes(dropped)


def scratch(xp, tag: str, shape: tuple[int, ...], dtype=np.float32):
    """A zero-initialised work buffer private to the engine, reused per (tag, shape).

    Parameters
    ----------
    xp : module
        ``numpy`` or ``cupy``.
    tag : str
        What the buffer is for; callers with different layouts use different tags.
    shape : tuple of int
    dtype : dtype

    Notes
    -----
    The same buffer comes back for the same key, so a caller must overwrite the
    same cells every time (what it does not write keeps its first value, zero).
    Each calling thread gets its own buffers: a GUI thread and a worker (or two
    workers) computing the same geometry at once must not share a stack.
    """
    key = (xp.__name__, threading.get_ident(), tag, tuple(shape), np.dtype(dtype).str)
    with _lock:
        buf = _scratch.get(key)
        if buf is None:
            buf = xp.zeros(shape, dtype)
            _remember(_scratch, key, buf)
        else:
            _scratch.move_to_end(key)
    return buf


def recycled(xp, shape: tuple[int, ...], dtype=np.float32):
    """An uninitialised result buffer, reused once its previous holder let go.

    CuPy has its own memory pool, so on the GPU this is a plain ``empty``.
    """
    if xp is not np:
        return xp.empty(shape, dtype)
    key = (tuple(shape), np.dtype(dtype).str)
    with _lock:
        pool = _results.get(key)
        if pool is None:
            pool = []
            _remember(_results, key, pool)
        else:
            _results.move_to_end(key)
        for i in range(len(pool)):
            # References: the list, and getrefcount's own argument. Any view the
            # caller still holds points at this base array and adds one more.
            if sys.getrefcount(pool[i]) == 2:
                return pool[i]
        buf = np.empty(shape, dtype)
        if len(pool) < 3:  # a few in flight (e.g. GUI showing one, worker filling the next)
            pool.append(buf)
            _remember(_results, key, pool)  # re-count the bytes with the new buffer
        return buf
