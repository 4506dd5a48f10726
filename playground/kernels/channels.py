"""Making a filter bank follow its input's channels: colour ↔ gray, as pure functions.

When the input switches between RGB (3 channels) and gray (1), the first layer's
filters must change from f×f×3 to f×f×1 or back (the notes: "# channels in a
filter must match channels in the input"). The rule keeps each filter doing what
it did on a gray picture:

* 3 → 1 sums the channel slices. A gray picture as RGB has R = G = B = g, so the
  3-channel filter gave Σ_c w_c ∗ g = (Σ_c w_c) ∗ g: the summed kernel gives the
  same numbers on the gray input.
* 1 → 3 repeats the slice on every channel (what the presets do), so the kernel
  looks for the same pattern in R, G and B. On a gray picture the response is
  3× the 1-channel one — the sum over three equal channels.
* Any other change keeps the slices both sides have, by position, and gives new
  slices zeros (a matrix input can have up to 64 channels).

The result is a new bank (the old one is untouched), so the UI's undo history
keeps the old bank as it keeps any other edit.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .model import Filter, FilterBank

__all__ = ["follow_channels", "follow_channels_text", "filter_for_channels"]


def _weights_for(weights: np.ndarray, channels: int) -> np.ndarray:
    have = weights.shape[2]
    if have == channels:
        return weights
    if channels == 1:
        # summed in float64: the sum a gray picture saw, without float32 drift
        return weights.astype(np.float64).sum(axis=2, keepdims=True).astype(np.float32)
    if have == 1:
        return np.repeat(weights, channels, axis=2)
    out = np.zeros(weights.shape[:2] + (channels,), np.float32)
    keep = min(have, channels)
    out[:, :, :keep] = weights[:, :, :keep]
    return out


def filter_for_channels(item: Filter, channels: int) -> Filter:
    """One filter with its weights made (f, f, ``channels``) by the module's rule.

    ``linked`` (the editor writes every channel at once) stays on only while the
    channel slices are all equal.
    """
    channels = _check(channels)
    if item.channels == channels:
        return item
    weights = _weights_for(np.array(item.weights), channels)
    linked = item.linked and bool(np.all(weights == weights[:, :, :1]))
    return replace(item, weights=weights, linked=linked)


def follow_channels(bank: FilterBank, channels: int) -> FilterBank:
    """The bank with every filter made f×f×``channels``.

    Parameters
    ----------
    bank : FilterBank
        K filters of f×f×n_c.
    channels : int
        The input's channel count (3 for RGB, 1 for gray, up to 64 for a matrix).

    Returns
    -------
    FilterBank
        ``bank`` itself when it already has ``channels``; otherwise a new bank:
        3 → 1 sums the slices, 1 → 3 repeats the slice, other changes keep the
        common slices and add zero ones. Names, biases and enabled flags are kept.

    Raises
    ------
    ValueError
        If ``channels`` is not a whole number of at least 1.

    Examples
    --------
    >>> from playground.kernels import starter_bank
    >>> follow_channels(starter_bank(), 1).channels
    1
    """
    channels = _check(channels)
    if bank.channels == channels:
        return bank
    return FilterBank(tuple(filter_for_channels(item, channels) for item in bank.filters))


def follow_channels_text(have: int, channels: int) -> str:
    """What :func:`follow_channels` does, in words, for a status message or an undo entry.

    Examples
    --------
    >>> follow_channels_text(3, 1)
    'filters summed over their 3 channel slices into 1 (same numbers on a gray picture)'
    """
    have, channels = _check(have), _check(channels)
    if have == channels:
        return f"filters already have {channels} channel{'s' if channels != 1 else ''}"
    if channels == 1:
        return f"filters summed over their {have} channel slices into 1 (same numbers on a gray picture)"
    if have == 1:
        return f"each filter's kernel repeated on all {channels} channels"
    if channels < have:
        return f"filters keep their first {channels} of {have} channel slices"
    return f"filters keep their {have} channel slices; {channels - have} new ones are zeros"


def _check(channels) -> int:
    if isinstance(channels, bool) or not isinstance(channels, (int, np.integer)) or channels < 1:
        raise ValueError(f"the number of channels must be a whole number of at least 1; got {channels!r}")
    return int(channels)
