"""JSON text people can read: innermost number lists on one line, float32 values short.

``json.dumps(indent=2)`` puts every number of a 3×3×3 kernel on a line of its own;
here each innermost list of numbers stays on one line. Float32 values are written
with the fewest digits that give back the same float32 (``0.1``, not
``0.10000000149011612``), so ``np.float32(value)`` restores them exactly.
"""

from __future__ import annotations

import json
import re

import numpy as np

__all__ = ["dumps", "float32_lists", "float32_number"]

# an innermost list: "[" then only numbers, commas and white space, then "]"
_NUMBER_LIST = re.compile(r"\[\s*(-?[0-9][-+0-9.eE]*(?:\s*,\s*-?[0-9][-+0-9.eE]*)*)\s*\]")


def float32_number(value) -> float:
    """The shortest Python float that rounds back to the same float32 (the exact value if none is)."""
    exact = np.float32(value)
    if not np.isfinite(exact):
        return float(exact)
    short = float(np.format_float_positional(exact, unique=True, trim="0"))
    # a short decimal read as a double and rounded again to float32 could, very rarely,
    # land on the neighbour; then the exact value (always round-trips) is written
    return short if np.float32(short) == exact else float(exact)


def float32_lists(array) -> list:
    """A float32 array as nested lists of :func:`float32_number` values (same nesting as the shape)."""
    values = np.asarray(array, np.float32)
    if values.ndim == 0:
        return float32_number(values)
    return [float32_lists(part) for part in values]


def dumps(data) -> str:
    """``data`` as indented JSON with number lists kept on one line.

    Raises
    ------
    ValueError
        For NaN or infinity (not JSON; the files must load anywhere).
    """
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    return _NUMBER_LIST.sub(lambda m: "[" + ", ".join(part.strip() for part in m.group(1).split(",")) + "]", text)
