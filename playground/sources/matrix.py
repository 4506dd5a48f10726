"""Matrices of raw numbers as a source: typed, pasted, or read from a text file.

The text format, one image row per line::

    # the notes' 6×6 vertical edge (a comment: '#' to the end of the line)
    10 10 10 0 0 0
    10,10,10,0,0,0
    ...

Numbers are separated by spaces, tabs or commas. Channels are blocks separated
by one or more blank lines (three blocks: R, G, B). The values are kept exactly
as written — no scaling to [0, 1] — so the notes' 10s and 0s give the notes' 30s.

Everything a person can get wrong is refused with a :class:`MatrixError` naming
the line: ragged rows, a word where a number should be, NaN or infinity,
channels of different sizes, an empty or too large matrix.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from playground.kernels.model import MAX_CHANNELS

from .base import Source, SourceError

__all__ = [
    "MatrixError",
    "MatrixSource",
    "matrix_from_text",
    "matrix_to_text",
    "read_matrix_file",
    "check_matrix",
    "resize_matrix",
    "MAX_MATRIX_SIDE",
    "MAX_MATRIX_CHANNELS",
    "MAX_MATRIX_VALUE",
    "MAX_MATRIX_FILE_BYTES",
]

MAX_MATRIX_SIDE = 1024
# As many channels as a filter can have (the notes' 6×6×32 → 6×6×5 example needs 32).
MAX_MATRIX_CHANNELS = MAX_CHANNELS
# Kernel weights are limited to ±1e6 too, so every product (≤ 1e12) and every sum
# of an 11×11×64 window (< 1e17) stays far inside float32.
MAX_MATRIX_VALUE = 1e6
MAX_MATRIX_FILE_BYTES = 64 * 1024 * 1024

_SEPARATOR = re.compile(r"\s*,\s*|\s+")
# people paste from the notes and from word processors: a typographic minus is a minus
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})


class MatrixError(SourceError, ValueError):
    """A matrix text or file that cannot be read, with the line at fault.

    A :class:`~playground.sources.SourceError` (the command line and the source
    dialog report it as any other source failure) and a ``ValueError`` (the
    editable grid treats it as a bad value). ``line`` is the 1-based line number,
    or None when the problem is not one line (an empty text, a size limit).
    """

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _count(n: int) -> str:
    return f"{n} number" if n == 1 else f"{n} numbers"


def _parse_number(token: str, line: int, column: int) -> float:
    try:
        value = float(token.translate(_MINUS_SIGNS))
    except ValueError:
        shown = token if len(token) <= 20 else token[:20] + "…"
        raise MatrixError(f"line {line}: {shown!r} (number {column}) is not a number", line) from None
    shown = token if len(token) <= 20 else token[:20] + "…"  # a 5000-digit number is not echoed whole
    if "_" in token:  # float() accepts 1_000; a matrix file should not
        raise MatrixError(f"line {line}: {shown!r} (number {column}) is not a number", line)
    if not np.isfinite(value):
        raise MatrixError(f"line {line}: {shown!r} (number {column}) is not a finite number; "
                          "NaN and infinity are not allowed", line)
    if abs(value) > MAX_MATRIX_VALUE:
        raise MatrixError(f"line {line}: {shown} (number {column}) is outside ±{MAX_MATRIX_VALUE:g}", line)
    return value


def _split_row(text: str, line: int) -> list[float]:
    tokens = _SEPARATOR.split(text.strip())
    if tokens and tokens[-1] == "" and text.rstrip().endswith(","):
        tokens.pop()  # a trailing comma, as some spreadsheets write, ends the row
    for column, token in enumerate(tokens, start=1):
        if token == "":
            raise MatrixError(f"line {line}: number {column} is missing (nothing between two commas)", line)
    if len(tokens) > MAX_MATRIX_SIDE:  # before parsing a million of them
        raise MatrixError(f"line {line} has {_count(len(tokens))}; at most {MAX_MATRIX_SIDE} columns are allowed",
                          line)
    # a row at a time in C, as an array (4 bytes a number, not a Python float's 32: a 64 MiB file
    # holds 30 million); any problem, and the slow path below names the number and says why
    try:
        values = np.array([token.translate(_MINUS_SIGNS) for token in tokens], dtype=np.float64)
    except ValueError:
        values = None
    if (values is not None and "_" not in text and np.isfinite(values).all()
            and (values.size == 0 or np.abs(values).max() <= MAX_MATRIX_VALUE)):
        return values.astype(np.float32)  # what the matrix is kept as: the same rounding, half the memory
    return np.array([_parse_number(token, line, column) for column, token in enumerate(tokens, start=1)],
                    dtype=np.float32)


def _blocks(text: str) -> list[list[tuple[int, np.ndarray]]]:
    """Channel blocks of (line number, row values); blank lines separate blocks.

    Past the size limits it stops at the line that passes them, before reading the rest.
    """
    blocks: list[list[tuple[int, np.ndarray]]] = []
    current: list[tuple[int, np.ndarray]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.split("#", 1)[0]
        if not content.strip():
            # a comment-only line is not a separator: a header comment can sit on top of a block
            if not raw.strip() and current:
                blocks.append(current)
                current = []
            continue
        if len(current) == MAX_MATRIX_SIDE:
            raise MatrixError(f"line {number}: more than {MAX_MATRIX_SIDE} rows in channel {len(blocks) + 1}; "
                              f"at most {MAX_MATRIX_SIDE} rows are allowed", number)
        if not current and len(blocks) == MAX_MATRIX_CHANNELS:
            raise MatrixError(f"line {number} starts channel {len(blocks) + 1} (blocks separated by blank lines); "
                              f"at most {MAX_MATRIX_CHANNELS} are allowed", number)
        current.append((number, _split_row(content, number)))
    if current:
        blocks.append(current)
    return blocks


def matrix_from_text(text: str) -> np.ndarray:
    """Parse a typed or pasted matrix.

    Parameters
    ----------
    text : str
        One image row per line, numbers separated by spaces, tabs or commas;
        channels as blocks separated by blank lines; ``#`` starts a comment.

    Returns
    -------
    numpy.ndarray, float32, shape (n_H, n_W, n_c)
        The raw values, C-contiguous; n_c is the number of blocks.

    Raises
    ------
    MatrixError
        Naming the line: a value that is not a finite number within ±1e6, a row
        with another count of numbers than the first row of its channel, a
        channel of another size than the first; or no numbers at all, more than
        1024 rows/columns or MAX_MATRIX_CHANNELS (64) channels.

    Examples
    --------
    >>> matrix_from_text("10 10 0 0\\n10 10 0 0")[..., 0]
    array([[10., 10.,  0.,  0.],
           [10., 10.,  0.,  0.]], dtype=float32)
    """
    if not isinstance(text, str):
        raise MatrixError(f"a matrix must be text; got {type(text).__name__}")
    blocks = _blocks(text.lstrip("\ufeff"))
    if not blocks:
        raise MatrixError("the matrix is empty: write one row of numbers per line")
    if len(blocks) > MAX_MATRIX_CHANNELS:
        raise MatrixError(f"the matrix has {len(blocks)} channels (blocks separated by blank lines); "
                          f"at most {MAX_MATRIX_CHANNELS} are allowed", blocks[MAX_MATRIX_CHANNELS][0][0])
    first_line, first_row = blocks[0][0]
    n_h, n_w = len(blocks[0]), len(first_row)
    if max(n_h, n_w) > MAX_MATRIX_SIDE:
        raise MatrixError(f"the matrix is {n_h}×{n_w}; at most {MAX_MATRIX_SIDE} rows and columns are allowed")
    for channel, block in enumerate(blocks, start=1):
        block_first, block_row = block[0]
        for number, row in block:
            if len(row) != len(block_row):
                raise MatrixError(
                    f"line {number} has {_count(len(row))} but line {block_first} has {len(block_row)}: "
                    "every row of a matrix needs the same count", number)
        if (len(block), len(block_row)) != (n_h, n_w):
            raise MatrixError(
                f"channel {channel} (from line {block_first}) is {len(block)}×{len(block_row)} but channel 1 "
                f"(from line {first_line}) is {n_h}×{n_w}: every channel needs the same size", block_first)
    values = np.array([[row for _, row in block] for block in blocks], dtype=np.float32)  # (n_c, n_H, n_W)
    return np.ascontiguousarray(values.transpose(1, 2, 0), dtype=np.float32)


def check_matrix(values) -> np.ndarray:
    """A matrix checked against the limits of the text format, as a new float32 (n_H, n_W, n_c) array.

    The one check for every way a matrix comes in (text, file, the editable grid).

    Raises
    ------
    MatrixError
        Not 2-D or 3-D, empty, larger than 1024 × 1024 × 64, NaN/inf, beyond ±1e6.
    """
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise MatrixError("a matrix must hold numbers") from None
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or array.size == 0:
        raise MatrixError(f"a matrix must be (n_H, n_W) or (n_H, n_W, n_c) and not empty; got shape {array.shape}")
    n_h, n_w, n_c = array.shape
    if max(n_h, n_w) > MAX_MATRIX_SIDE or n_c > MAX_MATRIX_CHANNELS:
        raise MatrixError(f"the matrix is {n_h}×{n_w}×{n_c}; at most {MAX_MATRIX_SIDE}×{MAX_MATRIX_SIDE}"
                          f"×{MAX_MATRIX_CHANNELS} is allowed")
    if not np.isfinite(array).all() or np.abs(array).max() > MAX_MATRIX_VALUE:
        raise MatrixError(f"a matrix must hold finite numbers within ±{MAX_MATRIX_VALUE:g}")
    return np.ascontiguousarray(array, dtype=np.float32)


def resize_matrix(values, n_h: int, n_w: int, n_c: int | None = None) -> np.ndarray:
    """The editable grid's size change: keep the top-left values, fill new cells with 0.

    Parameters
    ----------
    values : array-like, (n_H, n_W) or (n_H, n_W, n_c)
    n_h, n_w : int
        The new size.
    n_c : int, optional
        The new channel count: a 1-channel matrix is repeated on every new
        channel (gray → the same numbers in R, G and B); otherwise the first
        channels are kept and new ones are 0.

    Returns
    -------
    numpy.ndarray, float32, (n_h, n_w, n_c), a new array

    Raises
    ------
    MatrixError
        A size outside the limits of :func:`check_matrix`.
    """
    old = check_matrix(values)
    n_c = old.shape[2] if n_c is None else n_c
    for name, n, top in (("rows", n_h, MAX_MATRIX_SIDE), ("columns", n_w, MAX_MATRIX_SIDE),
                         ("channels", n_c, MAX_MATRIX_CHANNELS)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= top:
            raise MatrixError(f"{name} must be a whole number from 1 to {top}; got {n!r}")
    if old.shape[2] == 1 and n_c > 1:
        old = np.repeat(old, n_c, axis=2)
    out = np.zeros((n_h, n_w, n_c), np.float32)
    h, w, c = (min(a, b) for a, b in zip(old.shape, out.shape, strict=True))
    out[:h, :w, :c] = old[:h, :w, :c]
    return out


def _number_text(value: float) -> str:
    """Shortest text that reads back as the same float32 ("30", "-1.25", "1e-5")."""
    value = np.float32(value)
    if value == 0:
        return "0"  # also for -0.0
    if 1e-4 <= abs(value) < 1e7:
        return np.format_float_positional(value, unique=True, trim="-")
    return np.format_float_scientific(value, unique=True, trim="-", exp_digits=1)


def matrix_to_text(array) -> str:
    """Write a matrix in the format :func:`matrix_from_text` reads.

    Parameters
    ----------
    array : array-like, shape (n_H, n_W) or (n_H, n_W, n_c)

    Returns
    -------
    str
        Right-aligned columns separated by spaces, channels as blocks separated
        by a blank line, a newline at the end. Every value reads back as the same
        float32 (the shortest such text: 30, not 30.000).

    Raises
    ------
    ValueError
        If the array is empty, not 2-D or 3-D, or holds NaN or infinity.
    """
    values = np.asarray(array)
    if values.ndim == 2:
        values = values[:, :, None]
    if values.ndim != 3 or values.size == 0:
        raise ValueError(f"a matrix must be (n_H, n_W) or (n_H, n_W, n_c) and not empty; got shape {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError("a matrix must hold finite numbers (found NaN or infinity)")
    blocks = []
    for channel in range(values.shape[2]):
        cells = [[_number_text(v) for v in row] for row in values[:, :, channel]]
        width = max(len(cell) for row in cells for cell in row)
        blocks.append("\n".join(" ".join(cell.rjust(width) for cell in row) for row in cells))
    return "\n\n".join(blocks) + "\n"


def read_matrix_file(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a matrix text file (see :func:`matrix_from_text` for the format).

    Returns
    -------
    numpy.ndarray, float32, shape (n_H, n_W, n_c)

    Raises
    ------
    MatrixError
        ``cannot open 'PATH': …`` for a missing, unreadable, empty, too large or
        non-text file, or for any problem of the matrix itself (with its line).
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise MatrixError(f"cannot open '{path}': no such file")
    if path.is_dir():
        raise MatrixError(f"cannot open '{path}': it is a folder, not a file")
    try:
        size = path.stat().st_size
        if size > MAX_MATRIX_FILE_BYTES:
            raise MatrixError(f"cannot open '{path}': {size / 2**20:.0f} MiB is too large for a matrix file "
                              f"(at most {MAX_MATRIX_FILE_BYTES // 2**20} MiB)")
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise MatrixError(f"cannot open '{path}': {reason[:1].lower() + reason[1:]}") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise MatrixError(f"cannot open '{path}': line {line} is not text (a matrix file is plain UTF-8 text "
                          "of numbers)", line) from None
    if not text.strip():
        raise MatrixError(f"cannot open '{path}': the file is empty")
    try:
        return matrix_from_text(text)
    except MatrixError as error:
        raise MatrixError(f"cannot open '{path}': {error}", error.line) from None


class MatrixSource(Source):
    """A matrix of raw numbers as a still frame.

    Parameters
    ----------
    matrix : array-like, shape (n_H, n_W) or (n_H, n_W, n_c)
        Raw values (not scaled), finite, within the limits of :func:`matrix_from_text`.
    name : str
        For the description, e.g. ``"notes 6×6 vertical edge"``.
    path : path, optional
        The file it came from; the spec is then ``matrix:PATH``.

    Attributes
    ----------
    raw : bool
        Always True: frames are raw numbers, not RGB in [0, 1]; an input-scale
        choice for pictures does not apply to them.
    matrix : numpy.ndarray, float32 (n_H, n_W, n_c), read-only
        What :meth:`read` returns, every time.

    Notes
    -----
    Unlike picture sources, a frame has any number of channels (1 to 64) and any
    range of values. A typed matrix (no ``path``) has the spec ``"matrix"``,
    which does not reopen it: keep its :func:`matrix_to_text` instead.
    """

    kind = "matrix"
    live = False
    frame_interval = None
    raw = True

    def __init__(self, matrix, *, name: str = "typed matrix", path: str | os.PathLike[str] | None = None) -> None:
        super().__init__()
        frame = check_matrix(matrix)
        n_h, n_w, n_c = frame.shape
        frame.flags.writeable = False
        self.matrix = frame
        self.path = Path(path).expanduser().absolute() if path is not None else None
        self.spec = f"matrix:{self.path}" if self.path is not None else "matrix"
        self.description = f"{name} {n_h} × {n_w} × {n_c} (raw values)"

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> MatrixSource:
        """Open a matrix text file; :class:`MatrixError` (with the line) when it cannot be read."""
        path = Path(path).expanduser()
        return cls(read_matrix_file(path), name=path.name, path=path)

    @classmethod
    def from_text(cls, text: str, name: str = "typed matrix") -> MatrixSource:
        """A typed or pasted matrix; :class:`MatrixError` (with the line) when it cannot be read."""
        return cls(matrix_from_text(text), name=name)

    def _read(self) -> np.ndarray:
        return self.matrix
