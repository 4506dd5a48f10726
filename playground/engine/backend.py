"""The one backend switch: NumPy on the CPU or CuPy on a CUDA GPU.

Every function in :mod:`playground.engine` asks :func:`array_module` for ``xp``
(and :func:`backend_for` for the matching helpers) instead of testing for CuPy
itself, so adding or fixing a backend happens here and nowhere else.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from types import ModuleType

import numpy as np

__all__ = ["BackendInfo", "set_backend", "get_backend", "array_module", "asnumpy", "backend_for"]

_CHOICES = ("auto", "numpy", "cupy")


# Pieces per worker thread in run_bands: enough that a thread descheduled for a
# while leaves its share to the others, few enough that each piece still fills
# a cache-sized chunk of rows.
_PIECES_PER_WORKER = 4

@dataclass(frozen=True)
class BackendInfo:
    """What the engine computes on.

    Attributes
    ----------
    name : str
        ``"numpy"`` or ``"cupy"``.
    device : str
        Human-readable device, e.g. ``"CPU (2 threads)"`` or ``"NVIDIA H100 (CUDA 12.8)"``.
    requested : str
        What was asked for: ``"auto"``, ``"numpy"`` or ``"cupy"``.
    note : str
        Why ``"auto"`` settled where it did (empty when nothing to say).
    """

    name: str
    device: str
    requested: str = "numpy"
    note: str = ""

    def __str__(self) -> str:  # used verbatim in status bars and CLI output
        label = "NumPy" if self.name == "numpy" else "CuPy"
        return f"{label} · {self.device}"


class _Backend:
    """Array module plus the few operations whose best form differs per device."""

    def __init__(self, xp: ModuleType, info: BackendInfo, workers: int, cache_bytes: int | None):
        self.xp = xp
        self.info = info
        self.workers = max(1, workers)
        # How much scratch a worker should fill before using it: about a core's L2 on
        # the CPU (1.5 MB measured best here, of 2 MB); None on the GPU, where one
        # big launch beats many small ones.
        self.cache_bytes = cache_bytes
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        if xp is np:
            from numpy.lib.stride_tricks import as_strided
        else:
            from cupy.lib.stride_tricks import as_strided  # type: ignore[no-redef]
        self.as_strided = as_strided

    def asarray(self, a, dtype=None):
        """``a`` as an array of this backend's module (copied across devices if needed)."""
        if self.xp is np:
            return np.asarray(asnumpy(a), dtype=dtype)
        return self.xp.asarray(a, dtype=dtype)

    def run_bands(self, n: int, job: Callable[[int, int], None]) -> None:
        """Run ``job(start, stop)`` over ``range(n)`` split into bands.

        On the CPU the bands run on a small thread pool: NumPy's copies and BLAS
        calls release the GIL, so two cores give close to twice the speed. On the
        GPU one launch already uses the whole device, so there is one band. A
        ``job`` must not call ``run_bands`` itself: the workers it would wait for
        are the ones running it.

        The range is cut into up to ``_PIECES_PER_WORKER`` pieces per worker, and
        each thread takes the next piece left until none is: in the app the GUI
        thread shares the cores, and with one fixed band per thread a descheduled
        worker held up the join while the other core sat idle (in the app a
        3-layer network's frame took 1.9× its time alone). The pieces are the
        same on every call, so a job that sums per piece in a fixed order gives
        the same result whichever thread ran which piece.
        """
        bands = min(self.workers, n)
        if bands <= 1:
            job(0, n)
            return
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="engine")
        pieces = min(n, bands * _PIECES_PER_WORKER)
        edges = [round(i * n / pieces) for i in range(pieces + 1)]
        spans = [(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
        taken = itertools.count()   # next() on a count is atomic under the GIL

        def take_pieces() -> None:
            for index in taken:
                if index >= len(spans):
                    return
                job(*spans[index])

        # the caller takes pieces too: one hand-off fewer per call (the pool's
        # submit/wait round trip cost about 0.085 ms, a sixth of a small layer)
        futures = [self._pool.submit(take_pieces) for _ in range(bands - 1)]
        try:
            take_pieces()
        finally:
            wait(futures)  # every piece ends before an error surfaces: none still writes
        for future in futures:
            future.result()  # re-raises a worker's exception here


# Cores left to other threads (see reserve_cores).
_reserved = 0


def usable_cores() -> int:
    """Cores this process may run on: its CPU affinity set, not the host's count."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _cpu_backend(requested: str, note: str = "") -> _Backend:
    cores = usable_cores()
    workers = max(1, min(cores - _reserved, 8))
    left = min(_reserved, cores - workers)   # not the cores the cap of 8 leaves idle
    spare = f", {left} left to the window" if left > 0 else ""
    info = BackendInfo("numpy", f"CPU ({workers} thread{'s' if workers != 1 else ''}{spare})", requested, note)
    return _Backend(np, info, workers, cache_bytes=3 << 19)


def reserve_cores(count: int) -> BackendInfo:
    """Leave ``count`` cores to other threads: the engine's CPU bands use the rest (at least one).

    The window's GUI thread paints while the engine computes the next frame. With
    as many bands as cores, a band waited for the core the GUI thread held (and
    PySide holds Python's lock while Qt paints). Measured on a 2-core Zen 3 with a
    3-layer network in the app, interleaved runs: one band gave 20–22 FPS with
    latency p95 75–85 ms and 11 ms of GUI work a frame, two bands 19–21 FPS, p95
    86–89 ms and 15 ms. The command-line tools (export, learn, summary) do not call
    this and keep every core; in the window, the Learn panel, exports and recording
    share the reduced count. On a 2-core machine the window's engine thus runs on one
    thread, and :meth:`_Backend.run_bands`'s sharing of pieces matters from 3 cores up.

    Returns
    -------
    BackendInfo
        The backend now in use (rebuilt when it is the CPU one).
    """
    global _reserved, _current, _cached_cpu
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"cores to reserve must be a whole number ≥ 0; got {count!r}")
    _reserved = count
    _cached_cpu = None
    if _current.xp is np:
        _current = _cpu_backend(_current.info.requested, _current.info.note)
    return _current.info


def _probe_cupy() -> tuple[ModuleType | None, str]:
    """Import CuPy and run a real computation on the device.

    ``import cupy`` succeeds on machines with no driver or no GPU, and
    ``cupy.is_available()`` can be True while kernels still fail to compile, so
    only a small matmul that comes back right counts as "CuPy works".

    Returns
    -------
    (module or None, reason)
        The module when the smoke test passed, otherwise None and why not.
    """
    try:
        import cupy
    except Exception as exc:  # ImportError, or a broken CUDA install raising at import
        return None, f"CuPy is not installed or failed to import ({type(exc).__name__}: {exc})"
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None, "CuPy is installed but no CUDA device was found"
        host = np.arange(12, dtype=np.float32).reshape(3, 4)
        device = cupy.asarray(host)
        if float((device @ device.T).sum()) != float((host @ host.T).sum()):
            return None, "CuPy's smoke test on the GPU returned a wrong result"
    except Exception as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        return None, f"CuPy cannot run on this machine ({type(exc).__name__}: {first_line})"
    return cupy, ""


def _gpu_backend(cupy: ModuleType, requested: str) -> _Backend:
    props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
    name = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
    version = cupy.cuda.runtime.runtimeGetVersion()
    info = BackendInfo("cupy", f"{name} (CUDA {version // 1000}.{version % 1000 // 10})", requested)
    return _Backend(cupy, info, workers=1, cache_bytes=None)


_current: _Backend = _cpu_backend("numpy")
# Probing and querying the device is slow: do it once.
_cached_gpu: _Backend | None = None
# The CPU backend for NumPy inputs while the GPU is selected.
_cached_cpu: _Backend | None = None


def _gpu_or_raise(requested: str) -> _Backend:
    global _cached_gpu
    if _cached_gpu is None:
        cupy, reason = _probe_cupy()
        if cupy is None:
            raise RuntimeError(reason)
        _cached_gpu = _gpu_backend(cupy, requested)
    return _cached_gpu


def set_backend(name: str = "auto") -> BackendInfo:
    """Choose where the engine computes.

    Parameters
    ----------
    name : {"auto", "numpy", "cupy"}
        ``"auto"`` uses CuPy only when a smoke test on the GPU succeeds and falls
        back to NumPy otherwise; ``"cupy"`` insists and raises when it cannot run.

    Returns
    -------
    BackendInfo
        The backend now in use.

    Raises
    ------
    ValueError
        For an unknown name.
    RuntimeError
        For ``"cupy"`` when CuPy cannot run here; the message says why.
    """
    global _current
    if not isinstance(name, str) or name.lower() not in _CHOICES:
        raise ValueError(f"backend must be one of {', '.join(_CHOICES)}; got {name!r}")
    name = name.lower()
    if name == "numpy":
        _current = _cpu_backend("numpy")
        return _current.info
    try:
        gpu = _gpu_or_raise(name)
        gpu.info = replace(gpu.info, requested=name)
        _current = gpu
    except RuntimeError as exc:
        if name == "cupy":
            raise RuntimeError(f"cannot use the CuPy backend: {exc}") from None
        _current = _cpu_backend("auto", note=f"using NumPy: {exc}")
    return _current.info


def get_backend() -> BackendInfo:
    """The backend in use (name, device description, what was requested)."""
    return _current.info


def array_module() -> ModuleType:
    """``numpy`` or ``cupy``: the module new arrays are made with."""
    return _current.xp


def asnumpy(array) -> np.ndarray:
    """A NumPy array on the host: CuPy arrays are copied back (waiting for the GPU),
    NumPy arrays and array-likes pass through ``np.asarray``."""
    return array.get() if type(array).__module__.split(".")[0] == "cupy" else np.asarray(array)


def backend_for(arrays: Sequence[object]) -> _Backend:
    """The backend that matches where ``arrays`` live.

    NumPy inputs are computed with NumPy and CuPy inputs with CuPy, whatever the
    global choice, so a result is always on the same array module as its input.
    The global choice decides only for inputs that are neither (lists, scalars).
    """
    for a in arrays:
        module = type(a).__module__.split(".")[0]
        if module == "cupy":
            return _current if _current.xp is not np else _gpu_or_raise("cupy")
        if module == "numpy":
            if _current.xp is np:
                return _current
            global _cached_cpu
            if _cached_cpu is None:
                _cached_cpu = _cpu_backend("numpy")
            return _cached_cpu
    return _current
