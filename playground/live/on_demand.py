"""Full-size maps computed when something reads them, not every frame.

The screen shows tiles at a fraction of the map size; the full-size maps are
needed only when a person hovers (one value), opens the inspector or exports.
:class:`OnDemandArray` stands where an array is expected (``MapView.values``,
``LayerOutput.maps``): its shape is known at once, and the first read of its
values computes the whole array (once, whichever thread asks first).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

__all__ = ["OnDemandArray", "SharedResult"]


class SharedResult:
    """A computation run at most once, on first request, by whichever thread asks."""

    def __init__(self, compute: Callable[[], object]):
        self._compute = compute
        self._lock = threading.Lock()
        self._value = None
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def get(self):
        if not self._done:
            with self._lock:
                if not self._done:
                    self._value = self._compute()
                    self._compute = None  # drop what it captured once it has run
                    self._done = True
        return self._value


class OnDemandArray:
    """An array of known shape whose values are computed on first read.

    Parameters
    ----------
    shape : tuple of int
    compute : callable () → array of ``shape``, or SharedResult
        Run at most once; several arrays can share one :class:`SharedResult`.
    point : callable (row, col) → numpy.ndarray of ``shape[2:]``, optional
        The values at one pixel, computed without the whole array: a single
        hover read-out then costs a few dozen multiplications.
    pick : callable (result) → array, optional
        This array's part of a shared result (e.g. ``lambda out: out.maps``).

    Notes
    -----
    Indexing, ``np.asarray`` and ndarray methods (``min``, ``copy``, …) read the
    computed array; arithmetic operators do not work on this object itself.
    """

    dtype = np.dtype(np.float32)

    def __init__(self, shape: tuple[int, ...], compute: Callable[[], object] | SharedResult,
                 point: Callable[[int, int], np.ndarray] | None = None,
                 pick: Callable[[object], object] | None = None):
        self.shape = tuple(int(n) for n in shape)
        self._result = compute if isinstance(compute, SharedResult) else SharedResult(compute)
        self._point = point
        self._pick = pick

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def computed(self) -> bool:
        """Whether the full array exists yet (reading values computes it)."""
        return self._result.done

    def array(self) -> np.ndarray:
        """The full array (computed now if needed)."""
        result = self._result.get()
        return np.asarray(self._pick(result) if self._pick is not None else result)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key):
        if (self._point is not None and not self.computed and isinstance(key, tuple)
                and len(key) == self.ndim and all(isinstance(k, (int, np.integer)) for k in key)):
            row, col = (int(k) for k in key[:2])
            if not (-self.shape[0] <= row < self.shape[0] and -self.shape[1] <= col < self.shape[1]):
                raise IndexError(f"pixel ({row}, {col}) is outside the {self.shape[0]}×{self.shape[1]} map")
            return self._point(row % self.shape[0], col % self.shape[1])[key[2:]]
        return self.array()[key]

    def __array__(self, dtype=None, copy=None):
        values = self.array()
        if dtype is not None and values.dtype != dtype:
            return values.astype(dtype)
        return values.copy() if copy else values

    def __getattr__(self, name):
        # ndarray methods and attributes (min, max, copy, strides, …) of the computed array
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.array(), name)

    def __repr__(self) -> str:
        state = "computed" if self.computed else "not computed yet"
        return f"OnDemandArray(shape={self.shape}, {state})"
