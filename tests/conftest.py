"""Shared test set-up: Qt runs offscreen, and tests marked ``gpu`` need a working CUDA GPU."""

from __future__ import annotations

import functools
import os

# Before anything imports Qt: no display is needed (CI has none). An explicit
# setting (e.g. QT_QPA_PLATFORM=xcb to watch the tests) is respected.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# As the app does (playground/cli.py): the engine runs its own row bands on threads, and BLAS
# threads inside each band oversubscribe the cores; under load a learner step then took
# 36-260 ms instead of 12-16. Set before anything imports NumPy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest


@functools.lru_cache(maxsize=1)
def gpu_available() -> bool:
    """Whether CuPy imports, sees a CUDA device and can run a tiny computation on it.

    ``import cupy`` alone succeeds on machines without a driver or a GPU, so the
    probe really computes something. Cached: it is slow the first time.
    """
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() < 1:
            return False
        return int(cupy.arange(3).sum()) == 3
    except Exception:  # ImportError, CUDARuntimeError, compiler errors…
        return False


@pytest.fixture(scope="session")
def has_gpu() -> bool:
    """True when tests marked ``gpu`` run here (see :func:`gpu_available`)."""
    return gpu_available()


def pytest_configure(config: pytest.Config) -> None:
    # Also declared in pyproject.toml; repeated so the marker exists under any rootdir.
    config.addinivalue_line("markers", "gpu: needs a CUDA GPU with CuPy (skipped without one)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    gpu_items = [item for item in items if item.get_closest_marker("gpu")]
    if not gpu_items or gpu_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU with CuPy (none usable here)")
    for item in gpu_items:
        item.add_marker(skip)
