"""Colour tables for maps: 256 RGB entries, built from a few anchor colours.

Diverging (signed maps, zero in the middle) and sequential (maps ≥ 0 after ReLU
or |·|). 256 entries exactly: larger tables slow the display's conversion.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DIVERGING", "SEQUENTIAL", "GRAY", "lut", "colorize"]

# Anchors (position 0..1, RGB 0..255). Diverging: blue – near-black – red, so on a
# dark background flat areas recede and edges of either sign glow.
DIVERGING = (
    (0.00, (120, 200, 255)),
    (0.20, (40, 130, 230)),
    (0.42, (20, 45, 105)),
    (0.50, (12, 12, 16)),
    (0.58, (110, 30, 25)),
    (0.80, (230, 95, 45)),
    (1.00, (255, 220, 150)),
)
# Sequential: black – purple – orange – pale yellow (perceptually ordered, like inferno).
SEQUENTIAL = (
    (0.00, (0, 0, 4)),
    (0.25, (66, 10, 104)),
    (0.50, (147, 38, 103)),
    (0.75, (221, 81, 58)),
    (0.90, (249, 152, 14)),
    (1.00, (252, 255, 164)),
)
GRAY = ((0.0, (0, 0, 0)), (1.0, (255, 255, 255)))

_CACHE: dict[tuple, np.ndarray] = {}


def lut(anchors=DIVERGING) -> np.ndarray:
    """A 256-entry colour table interpolated linearly between the anchors.

    Returns
    -------
    numpy.ndarray, uint8, (256, 3), read-only
    """
    key = tuple(anchors)
    table = _CACHE.get(key)
    if table is None:
        positions = np.array([p for p, _ in anchors])
        colours = np.array([c for _, c in anchors], np.float64)
        x = np.linspace(0.0, 1.0, 256)
        table = np.stack([np.interp(x, positions, colours[:, i]) for i in range(3)], axis=1)
        table = np.round(table).astype(np.uint8)
        table.flags.writeable = False
        _CACHE[key] = table
    return table


def colorize(indices: np.ndarray, table: np.ndarray) -> np.ndarray:
    """uint8 indices (…) → RGB uint8 (…, 3) through ``table``."""
    return table[indices]
