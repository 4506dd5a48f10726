"""Filter weights as ``.npy`` arrays in the layouts of PyTorch and Keras.

* PyTorch ``nn.Conv2d.weight``: ``(K, n_c, f, f)`` (out channels, in channels, rows, columns)
* Keras ``Conv2D`` kernel and the app / lecture notes: ``(f, f, n_c, K)``

Both are cross-correlation weights, the orientation the app's bank holds, so
only the axes move. Biases are not part of these files (PyTorch and Keras keep
them separately); :func:`weights_from_npy` takes names and biases from a
template bank when the filter count matches.
"""

from __future__ import annotations

import os
from pathlib import Path
from tokenize import TokenError

import numpy as np

from playground.kernels.model import MAX_FILTERS, MAX_SIZE, Filter, FilterBank

from .atomic import atomic_save_npy, sweep_stale
from .bank_io import MAX_CHANNELS, MAX_WEIGHT, BankFileError, require_file

__all__ = ["LAYOUTS", "to_layout", "from_layout", "weights_to_npy", "weights_from_npy"]

LAYOUTS = {
    "pytorch": "(K, n_c, f, f)",
    "keras": "(f, f, n_c, K)",
}


def _check_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be 'pytorch' {LAYOUTS['pytorch']} or 'keras' {LAYOUTS['keras']}; got {layout!r}")
    return layout


def to_layout(weights: np.ndarray, layout: str) -> np.ndarray:
    """App weights ``(f, f, n_c, K)`` → the ``layout``'s axes, float32, C-contiguous.

    Parameters
    ----------
    weights : numpy.ndarray, (f, f, n_c, K)
    layout : {"pytorch", "keras"}

    Returns
    -------
    numpy.ndarray, float32, (K, n_c, f, f) for "pytorch", (f, f, n_c, K) for "keras"
    """
    weights = np.asarray(weights, np.float32)
    if _check_layout(layout) == "pytorch":
        weights = weights.transpose(3, 2, 0, 1)
    return np.ascontiguousarray(weights)


def from_layout(array: np.ndarray, layout: str) -> np.ndarray:
    """The ``layout``'s array → app weights ``(f, f, n_c, K)`` float32 (inverse of :func:`to_layout`)."""
    array = np.asarray(array, np.float32)
    if _check_layout(layout) == "pytorch":
        array = array.transpose(2, 3, 1, 0)
    return np.ascontiguousarray(array)


def weights_to_npy(bank: FilterBank, path: str | os.PathLike[str], layout: str = "pytorch",
                   enabled_only: bool = False) -> Path:
    """Save the bank's weights as a ``.npy`` file in ``layout``, atomically.

    Parameters
    ----------
    bank : FilterBank
    path : path of the ``.npy`` file
    layout : {"pytorch", "keras"}
        ``(K, n_c, f, f)`` or ``(f, f, n_c, K)``.
    enabled_only : bool
        Only the enabled filters (what the layer computes); default: every filter,
        in bank order, so loading the file back gives the whole bank.

    Raises
    ------
    ExportError
        When the file cannot be written.
    """
    _check_layout(layout)
    chosen = bank.active if enabled_only else range(len(bank))
    if not chosen:
        raise ValueError("no filter is enabled: nothing to save")
    weights = np.stack([bank[i].weights for i in chosen], axis=-1)
    written = atomic_save_npy(path, to_layout(weights, layout))
    sweep_stale(written.parent)  # temp files of saves that were killed there
    return written


def _read_array(path: Path, layout: str) -> np.ndarray:
    """The file's array, after its header's shape has passed :func:`_check_shape`.

    The header is checked first so that a file claiming a shape of 100000×100000…
    is refused with the reason instead of numpy trying to allocate terabytes.
    """
    label = f"weights file '{path}'"
    require_file(path, label)
    try:
        with open(path, "rb") as handle:
            if handle.read(6) != b"\x93NUMPY":  # what numpy.save writes first; anything else is not an array file
                raise BankFileError(f"{label}: not a .npy file (save the array with numpy.save)")
            handle.seek(0)
            version = np.lib.format.read_magic(handle)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)  # 3.0 differs only in text encoding
            shape, _, dtype = read_header(handle, max_header_size=10_000)
            _check_shape(shape, dtype, layout, label)
            handle.seek(0)
            array = np.load(handle, allow_pickle=False)
    # a pickle of Python objects, a truncated file, or a header numpy cannot parse: its
    # tokenizer raises TokenError (not a ValueError) for an unclosed bracket or string
    except (ValueError, EOFError, SyntaxError, TokenError, RecursionError) as exc:
        reason = "it holds Python objects, not numbers" if "object" in str(exc).lower() else "a damaged .npy file"
        raise BankFileError(f"{label}: {reason}") from None
    except MemoryError:  # the checked shape is at most 11·11·64·MAX_FILTERS numbers: only when memory is short
        raise BankFileError(f"{label}: not enough memory to read it") from None
    except OSError as exc:
        raise BankFileError(f"{label}: cannot read it ({exc.strerror or exc})") from None
    return array


def _app_shape(shape: tuple[int, ...], layout: str) -> tuple[int, ...]:
    """(f_H, f_W, n_c, K) of an array of ``shape`` in ``layout``."""
    return (shape[2], shape[3], shape[1], shape[0]) if layout == "pytorch" else tuple(shape)


def _check_shape(shape: tuple[int, ...], dtype: np.dtype, layout: str, label: str) -> None:
    """BankFileError unless an array of ``shape`` and ``dtype`` can be a bank's weights in ``layout``."""
    wanted = LAYOUTS[layout]
    if dtype.hasobject:
        raise BankFileError(f"{label}: it holds Python objects, not numbers")
    if dtype.kind not in "fiu":
        raise BankFileError(f"{label}: weights must be numbers, got dtype {dtype}")
    if len(shape) != 4:
        raise BankFileError(f"{label}: expected 4 axes {wanted} ({layout}), got shape {shape}")
    f_h, f_w, n_c, k = _app_shape(shape, layout)
    if f_h != f_w:
        other = "keras" if layout == "pytorch" else "pytorch"
        swapped = _app_shape(shape, other)
        hint = f"; it looks like the {other} layout {LAYOUTS[other]}" if swapped[0] == swapped[1] else ""
        raise BankFileError(f"{label}: kernels must be square f×f in layout {wanted}, got shape {shape}{hint}")
    if not 1 <= f_h <= MAX_SIZE:
        raise BankFileError(f"{label}: kernel size f must be 1 to {MAX_SIZE}, got {f_h} (shape {shape})")
    if not 1 <= n_c <= MAX_CHANNELS:
        raise BankFileError(f"{label}: n_c must be 1 to {MAX_CHANNELS}, got {n_c} (shape {shape})")
    if not 1 <= k <= MAX_FILTERS:
        raise BankFileError(f"{label}: a bank holds 1 to {MAX_FILTERS} filters, got K = {k} (shape {shape})")


def _check_array(array: np.ndarray, layout: str, label: str) -> np.ndarray:
    _check_shape(array.shape, array.dtype, layout, label)
    values = array.astype(np.float64)
    finite = np.isfinite(values)
    if not finite.all():
        where = tuple(int(i) for i in np.argwhere(~finite)[0])
        what = "NaN" if np.isnan(values[where]) else "infinity"
        raise BankFileError(f"{label}: element {list(where)}: {what} is not allowed")
    if np.abs(values).max() > MAX_WEIGHT:
        raise BankFileError(f"{label}: weights must lie within ±1e6")
    return from_layout(values, layout)


def weights_from_npy(path: str | os.PathLike[str], layout: str = "pytorch", template: FilterBank | None = None,
                     channels: int | None = None) -> FilterBank:
    """Load a bank from a ``.npy`` weights array in ``layout``.

    Parameters
    ----------
    path : path of the ``.npy`` file
    layout : {"pytorch", "keras"}
        How the file's axes are ordered: ``(K, n_c, f, f)`` or ``(f, f, n_c, K)``.
    template : FilterBank, optional
        When it has K filters with the file's n_c, the new bank keeps its names,
        biases, enabled and linked flags; otherwise filters are named "Filter 1"… with bias 0.
    channels : int, optional
        Required n_c (3 for the app's RGB frames).

    Returns
    -------
    FilterBank
        A new bank with exactly the file's float32 weights.

    Raises
    ------
    BankFileError
        The file is missing or not a ``.npy`` array of numbers, or its shape,
        values or channel count do not fit (the message says which).
    """
    layout = _check_layout(layout)
    path = Path(path).expanduser()
    label = f"weights file '{path}'"
    weights = _check_array(_read_array(path, layout), layout, label)
    f, _, n_c, k = weights.shape
    if channels is not None and n_c != channels:
        raise BankFileError(f"{label}: the frames have {channels} channels (RGB), but the weights have n_c = {n_c} "
                            f"(shape read as {layout} {LAYOUTS[layout]})")
    keep = template is not None and len(template) == k and template.channels == n_c
    filters = []
    for i in range(k):
        kernel = weights[:, :, :, i]
        linked = bool(np.all(kernel == kernel[:, :, :1]))
        if keep:
            old = template[i]
            # "linked" (edit every channel at once) only survives while the channels are equal
            filters.append(Filter(old.name, kernel, bias=old.bias, enabled=old.enabled, linked=old.linked and linked))
        else:
            filters.append(Filter(f"Filter {i + 1}", kernel, linked=linked))
    return FilterBank(tuple(filters))
