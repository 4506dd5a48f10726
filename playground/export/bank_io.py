"""Filter bank files: the bank as JSON, validated field by field.

The schema is documented in ``BANK_SCHEMA.md`` beside this file. A bad file
raises :class:`BankFileError` whose message names the field and the problem,
e.g. ``filters[2].weights: expected shape 3×3×3, got 3×2×3``; loading never
changes the bank in use (a new bank is returned, or nothing).
"""

from __future__ import annotations

import json
import math
import numbers
import os
from pathlib import Path

import numpy as np

from playground.kernels.model import MAX_FILTERS, MAX_SIZE, Filter, FilterBank

from .atomic import ExportError, atomic_write_json, sweep_stale
from .jsonfmt import DuplicateKeyError, HugeNumber, float32_lists, strict_loads

__all__ = [
    "BankFileError",
    "BANK_FORMAT",
    "BANK_VERSION",
    "MAX_CHANNELS",
    "bank_to_dict",
    "bank_from_dict",
    "save_bank",
    "load_bank",
]

BANK_FORMAT = "kernel-playground-bank"
BANK_VERSION = 1
MAX_CHANNELS = 64
MAX_WEIGHT = 1e6
_MAX_FILE_BYTES = 16 << 20  # 32 filters of 11×11×64 are ~1 MB of JSON; larger is not a bank
_TOP_KEYS = ("format", "version", "size", "channels", "filters")
_FILTER_KEYS = ("name", "weights", "bias", "enabled", "linked")


class BankFileError(ExportError):
    """A bank file (JSON or ``.npy``) that cannot be used; the message names the field and the problem."""


def _shape_text(shape) -> str:
    return "×".join(str(n) for n in shape) if shape else "a single number"


def _digits(value: int) -> int:
    """Decimal digits of a whole number, without ``str()`` (Python refuses it past 4300 digits)."""
    size = abs(value)
    if size < 10 ** 30:
        return len(str(size))
    estimate = int(size.bit_length() * 0.30102999566398120)  # log10(2): exact or one short
    return estimate + 1 if size >= 10 ** estimate else estimate


def _huge(value) -> str | None:
    """"a 401-digit number" for a number too large to show or convert, else None."""
    if isinstance(value, HugeNumber):
        return repr(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and _digits(int(value)) > 30:
        return f"a {_digits(int(value))}-digit number"
    return None


def _is_whole(value) -> bool:
    """A whole number as JSON gives one (not a boolean), however many digits."""
    if isinstance(value, HugeNumber):
        return value.whole
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _describe(value) -> str:
    huge = _huge(value)
    if huge is not None:
        return huge
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 30 else repr(value[:27] + "...")
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return repr(value)


# --- writing ---------------------------------------------------------------------------
def bank_to_dict(bank: FilterBank) -> dict:
    """The bank as plain JSON-ready data (schema version :data:`BANK_VERSION`).

    Every filter is written, enabled or not; weights as nested lists (f, f, n_c)
    of the shortest decimals that give back the same float32.
    """
    return {
        "format": BANK_FORMAT,
        "version": BANK_VERSION,
        "size": bank.size,
        "channels": bank.channels,
        "filters": [
            {
                "name": item.name,
                "weights": float32_lists(item.weights),
                "bias": item.bias,  # a Python float: JSON keeps it exactly
                "enabled": item.enabled,
                "linked": item.linked,
            }
            for item in bank.filters
        ],
    }


def save_bank(bank: FilterBank, path: str | os.PathLike[str]) -> Path:
    """Write the bank as JSON to ``path`` atomically (an existing file is replaced whole).

    Raises
    ------
    ExportError
        When the folder is missing or not writable, or the disk is full.
    """
    written = atomic_write_json(path, bank_to_dict(bank))
    sweep_stale(written.parent)  # temp files of saves that were killed there
    return written


# --- reading ---------------------------------------------------------------------------
def _whole_number(data: dict, key: str, low: int, high: int) -> int:
    if key not in data:
        raise BankFileError(f"{key}: missing (the kernel {'size f' if key == 'size' else 'channel count n_c'})")
    value = data[key]
    if _is_whole(value) and _huge(value) is not None:
        raise BankFileError(f"{key}: must be {low} to {high}, got {_huge(value)}")
    if not _is_whole(value):
        raise BankFileError(f"{key}: must be a whole number, got {_describe(value)}")
    if not low <= value <= high:
        raise BankFileError(f"{key}: must be {low} to {high}, got {value}")
    return int(value)


def _nested_shape(value, where: str) -> tuple[int, ...]:
    """Shape of nested lists; BankFileError where the nesting is ragged."""
    if not isinstance(value, list):
        return ()
    if not value:
        return (0,)
    first = _nested_shape(value[0], f"{where}[0]")
    for i, item in enumerate(value[1:], start=1):
        shape = _nested_shape(item, f"{where}[{i}]")
        if shape != first:
            raise BankFileError(
                f"{where}[{i}]: ragged weights: shape {_shape_text(shape)}, but {where}[0] has {_shape_text(first)}"
            )
    return (len(value),) + first


def _check_number(value, where: str) -> float:
    huge = _huge(value)
    if huge is not None:  # float() would overflow, or Python refuse the digits
        raise BankFileError(f"{where}: must lie within ±1e6, got {huge}")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise BankFileError(f"{where}: must be a number, got {_describe(value)}")
    number = float(value)
    if math.isnan(number):
        raise BankFileError(f"{where}: NaN is not allowed")
    if math.isinf(number):
        raise BankFileError(f"{where}: infinity is not allowed")
    if abs(number) > MAX_WEIGHT:
        raise BankFileError(f"{where}: must lie within ±1e6, got {value!r}")
    return number


def _weights(value, where: str, f: int, n_c: int) -> np.ndarray:
    expected = (f, f, n_c)
    if not isinstance(value, list):
        raise BankFileError(f"{where}: must be nested lists of shape {_shape_text(expected)}, got {_describe(value)}")
    shape = _nested_shape(value, where)
    if shape != expected:
        raise BankFileError(f"{where}: expected shape {_shape_text(expected)}, got {_shape_text(shape)}")
    out = np.empty(expected, np.float32)
    for i, row in enumerate(value):
        for j, cell in enumerate(row):
            for c, number in enumerate(cell):
                out[i, j, c] = _check_number(number, f"{where}[{i}][{j}][{c}]")
    return out


def _flag(entry: dict, key: str, where: str, default: bool) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise BankFileError(f"{where}.{key}: must be true or false, got {_describe(value)}")
    return value


def _filter(entry, where: str, f: int, n_c: int) -> Filter:
    if not isinstance(entry, dict):
        raise BankFileError(f"{where}: must be an object with name and weights, got {_describe(entry)}")
    unknown = [key for key in entry if key not in _FILTER_KEYS]
    if unknown:
        raise BankFileError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(_FILTER_KEYS)})")
    for key in ("name", "weights"):
        if key not in entry:
            raise BankFileError(f"{where}.{key}: missing")
    name = entry["name"]
    if not isinstance(name, str) or not name.strip():
        raise BankFileError(f"{where}.name: must be a non-empty text, got {_describe(name)}")
    if len(name.strip()) > 40:
        raise BankFileError(f"{where}.name: at most 40 characters, got {len(name.strip())}")
    weights = _weights(entry["weights"], f"{where}.weights", f, n_c)
    bias = _check_number(entry.get("bias", 0.0), f"{where}.bias")
    enabled = _flag(entry, "enabled", where, True)
    linked = _flag(entry, "linked", where, bool(np.all(weights == weights[:, :, :1])))
    try:
        return Filter(name, weights, bias=bias, enabled=enabled, linked=linked)
    except ValueError as exc:  # the model's own rules, should the schema ever allow more
        raise BankFileError(f"{where}: {exc}") from None


def bank_from_dict(data, channels: int | None = None) -> FilterBank:
    """Validate bank data (as read from JSON) and build the bank.

    Parameters
    ----------
    data : dict
        See ``BANK_SCHEMA.md``.
    channels : int, optional
        The n_c the caller needs (3 for the app's RGB frames); a bank with
        another count is refused with a message saying so.

    Returns
    -------
    FilterBank

    Raises
    ------
    BankFileError
        Naming the first bad field, e.g. ``filters[0].bias: must be a number, got 'abc'``.
    """
    if not isinstance(data, dict):
        raise BankFileError(f"the file must hold a JSON object with {', '.join(_TOP_KEYS)}; got {_describe(data)}")
    unknown = [key for key in data if key not in _TOP_KEYS]
    if unknown:
        raise BankFileError(f"unknown key {unknown[0]!r} (allowed: {', '.join(_TOP_KEYS)})")
    if "format" in data and data["format"] != BANK_FORMAT:
        raise BankFileError(f"format: expected {BANK_FORMAT!r}, got {_describe(data['format'])}")
    if "version" not in data:
        raise BankFileError("version: missing (the schema version, 1)")
    version = data["version"]
    if not _is_whole(version):
        raise BankFileError(f"version: must be a whole number, got {_describe(version)}")
    if _huge(version) is not None or version != BANK_VERSION:
        raise BankFileError(f"version: this app reads version {BANK_VERSION} bank files, "
                            f"got version {_describe(version)}")
    f = _whole_number(data, "size", 1, MAX_SIZE)
    n_c = _whole_number(data, "channels", 1, MAX_CHANNELS)
    if channels is not None and n_c != channels:
        raise BankFileError(f"channels: the frames have {channels} channels (RGB), but the bank's filters have {n_c}")
    if "filters" not in data:
        raise BankFileError("filters: missing (the list of filters)")
    entries = data["filters"]
    if not isinstance(entries, list):
        raise BankFileError(f"filters: must be a list of filters, got {_describe(entries)}")
    if not 1 <= len(entries) <= MAX_FILTERS:
        raise BankFileError(f"filters: a bank holds 1 to {MAX_FILTERS} filters, got {len(entries)}")
    filters = tuple(_filter(entry, f"filters[{i}]", f, n_c) for i, entry in enumerate(entries))
    return FilterBank(filters)


def require_file(path: Path, label: str) -> None:
    """BankFileError unless ``path`` is an existing file (``label`` names it in the message)."""
    if not path.exists():
        raise BankFileError(f"{label}: no such file")
    if path.is_dir():
        raise BankFileError(f"{label}: it is a folder, not a file")


def read_json_file(path: Path, label: str, error: type[BankFileError], kind: str):
    """The JSON value in ``path``: every way a file can fail is one ``error`` naming ``label``.

    Parameters
    ----------
    path : pathlib.Path
    label : str
        How messages name the file ("bank file 'x.json'").
    error : BankFileError or a subclass
        What is raised.
    kind : str
        "bank", "network": for "too large for a bank file", "not a bank (nested too deeply)".
    """
    try:
        require_file(path, label)
    except BankFileError as exc:
        raise error(str(exc)) from None
    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            raise error(f"{label}: too large for a {kind} file ({path.stat().st_size} bytes)")
        text = path.read_text(encoding="utf-8-sig")  # a BOM, as Windows Notepad writes, is not an error
    except UnicodeDecodeError:
        raise error(f"{label}: not a text (UTF-8) file") from None
    except OSError as exc:
        raise error(f"{label}: cannot read it ({exc.strerror or exc})") from None
    try:
        # NaN, Infinity and huge numbers are read so the checks after this can say
        # exactly which weight holds one
        return strict_loads(text)
    except DuplicateKeyError as exc:
        raise error(f"{label}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{label}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise error(f"{label}: not a {kind} (nested too deeply)") from None


def load_bank(path: str | os.PathLike[str], channels: int | None = None) -> FilterBank:
    """Read and validate a bank JSON file.

    Parameters
    ----------
    path : path of a ``.json`` file written by :func:`save_bank` (or by hand).
    channels : int, optional
        Required n_c (see :func:`bank_from_dict`).

    Returns
    -------
    FilterBank
        A new bank; nothing else changes, so on an error the bank in use stays.

    Raises
    ------
    BankFileError
        ``bank file 'x.json': <field>: <problem>``, or that the file is missing,
        unreadable or not JSON (with the line and column).
    """
    path = Path(path).expanduser()
    label = f"bank file '{path}'"
    data = read_json_file(path, label, BankFileError, "bank")
    try:
        return bank_from_dict(data, channels=channels)
    except BankFileError as exc:
        raise BankFileError(f"{label}: {exc}") from None
