"""Kernel tools: each takes a (f, f, n_c) kernel and returns a new one.

Tools act on the whole kernel (every channel) unless given one channel's slice.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TOOLS", "normalize", "zero_mean", "flip", "transpose", "negate", "randomize", "clear"]


def normalize(kernel: np.ndarray) -> np.ndarray:
    """Scale so the weights sum to 1 (a blur that keeps brightness).

    Raises ValueError when the sum is 0 (edge detectors): there is nothing to scale by.
    """
    total = float(np.sum(kernel, dtype=np.float64))
    # relative test: after zero-mean, float32 rounding leaves a sum near 1e-8, which
    # would blow the weights up to ~1e7 instead of being recognised as zero
    if abs(total) <= 1e-6 * float(np.abs(kernel).sum(dtype=np.float64)):
        raise ValueError("the weights sum to 0, so they cannot be scaled to sum 1 (edge kernels do); "
                         "try zero-mean or negate instead")
    return (np.asarray(kernel, np.float64) / total).astype(np.float32)


def zero_mean(kernel: np.ndarray) -> np.ndarray:
    """Subtract the mean: flat regions then give 0, only changes respond."""
    array = np.asarray(kernel, np.float64)
    return (array - array.mean()).astype(np.float32)


def flip(kernel: np.ndarray) -> np.ndarray:
    """Rotate 180° (rows and columns reversed): cross-correlation with it is true convolution."""
    return np.ascontiguousarray(np.asarray(kernel, np.float32)[::-1, ::-1])


def transpose(kernel: np.ndarray) -> np.ndarray:
    """Swap rows and columns: a vertical-edge kernel becomes a horizontal one."""
    return np.ascontiguousarray(np.swapaxes(np.asarray(kernel, np.float32), 0, 1))


def negate(kernel: np.ndarray) -> np.ndarray:
    """Change every sign: dark-to-bright edges light up instead of bright-to-dark."""
    return -np.asarray(kernel, np.float32)


def randomize(kernel: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """Random weights N(0, 1/(f·f)) — like a freshly initialised CNN layer."""
    rng = np.random.default_rng() if rng is None else rng
    array = np.asarray(kernel)
    scale = 1.0 / np.sqrt(array.shape[0] * array.shape[1])
    return (rng.standard_normal(array.shape) * scale).astype(np.float32)


def clear(kernel: np.ndarray) -> np.ndarray:
    """All zeros."""
    return np.zeros(np.shape(kernel), np.float32)


# (label, function, tooltip) in toolbar order
TOOLS = (
    ("Normalize", normalize, "Scale the weights so they sum to 1"),
    ("Zero-mean", zero_mean, "Subtract the mean so flat regions give 0"),
    ("Flip", flip, "Rotate 180°: cross-correlating with the flipped kernel is true convolution"),
    ("Transpose", transpose, "Swap rows and columns (vertical ↔ horizontal)"),
    ("Negate", negate, "Change every sign"),
    ("Randomize", randomize, "Random weights, as a CNN starts before training"),
    ("Clear", clear, "Set every weight to 0"),
)
