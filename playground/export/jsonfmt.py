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

__all__ = ["dumps", "float32_lists", "float32_number", "strict_loads", "HugeNumber", "DuplicateKeyError"]

_MAX_INT_DIGITS = 30  # far past any weight or size; beyond it a number is only described, never converted

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


class HugeNumber:
    """A number in JSON text too long to be any sensible value (a 401-digit weight).

    Kept as its length only: ``int()`` of a 5000-digit text raises Python's digit
    limit error and ``float()`` of a 401-digit one overflows, and neither may
    reach a person; the checks that meet one name the field and say "a 401-digit
    number" instead.
    """

    def __init__(self, text: str):
        digits = text.lstrip("+-")
        self.whole = digits.isdigit()
        self.description = f"a {len(digits)}-digit number" if self.whole else f"a {len(text)}-character number"

    def __repr__(self) -> str:
        return self.description


class DuplicateKeyError(ValueError):
    """A JSON object names the same key twice (``json`` would silently keep the last)."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(f"duplicate key {key!r} (each key may appear once in an object)")


def _int(text: str):
    return int(text) if len(text) <= _MAX_INT_DIGITS else HugeNumber(text)


def _float(text: str):
    value = float(text)
    # "Infinity" and "NaN" come through parse_constant; inf here is a decimal too long for a float
    return value if value not in (float("inf"), float("-inf")) else HugeNumber(text)


def _unique_keys(pairs: list) -> dict:
    data = {}
    for key, value in pairs:
        if key in data:
            raise DuplicateKeyError(key)
        data[key] = value
    return data


def strict_loads(text: str):
    """Parse JSON text, refusing duplicate keys and keeping huge numbers as :class:`HugeNumber`.

    ``NaN`` and ``Infinity`` are read (as Python does) so that a check can say
    which field holds one.

    Raises
    ------
    json.JSONDecodeError
        Not JSON (with line and column).
    DuplicateKeyError
        An object holds the same key twice.
    RecursionError
        Nested too deeply.
    """
    return json.loads(text, object_pairs_hook=_unique_keys, parse_int=_int, parse_float=_float)
