"""Exported pictures a teacher can use: small maps enlarged with their numbers, colour bars with values.

A 4×4 map written at its size is a 4-pixel PNG nobody can read. Maps smaller
than :data:`SMALL_MAP` pixels on their longer side are enlarged by a whole
factor with nearest-neighbour pixels (crisp cells, no blur) and, once a cell is
big enough, carry their numbers, written by the one cell rule
(:func:`~playground.render.numbers.format_cell`: rounding noise reads 0). The
contact sheet gets a colour bar per section, labelled with the values at its
ends and at 0. Qt-free (OpenCV draws the text).
"""

from __future__ import annotations

import cv2
import numpy as np

from playground.render.numbers import format_cell, map_scale

from .images import ascii_text, color_table

__all__ = ["SMALL_MAP", "ENLARGED_SIDE", "enlarge_factor", "enlarge_small", "colour_bar_picture"]

SMALL_MAP = 64        # maps below this many pixels on their longer side are enlarged
ENLARGED_SIDE = 384   # … to about this many pixels
NUMBER_CELL = 24      # cells at least this wide carry their number
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def enlarge_factor(shape: tuple[int, int], side: int = ENLARGED_SIDE) -> int:
    """The whole factor a map of ``shape`` (h, w) is enlarged by: 1 for maps of SMALL_MAP pixels or more."""
    longest = max(int(shape[0]), int(shape[1]))
    if longest >= SMALL_MAP:
        return 1
    return max(1, side // longest)


def _put_centred(picture: np.ndarray, text: str, centre: tuple[int, int], scale: float, colour) -> None:
    (width, height), _ = cv2.getTextSize(text, _FONT, scale, 1)
    x, y = centre
    cv2.putText(picture, text, (x - width // 2, y + height // 2), _FONT, scale, colour, 1, cv2.LINE_AA)


def enlarge_small(rgb: np.ndarray, values=None, side: int = ENLARGED_SIDE) -> np.ndarray:
    """A small map's picture enlarged with crisp pixels, each cell with its number when it fits.

    Parameters
    ----------
    rgb : numpy.ndarray uint8 (h, w, 3)
        The map coloured as displayed.
    values : array (h, w), optional
        The map's numbers, written on the cells (noise read as 0 against the map's size).
    side : int
        About how long the longer side becomes.

    Returns
    -------
    numpy.ndarray uint8 (h·k, w·k, 3)
        ``rgb`` itself when the map is not small (k = 1).
    """
    h, w = rgb.shape[:2]
    k = enlarge_factor((h, w), side)
    if k == 1:
        return rgb
    big = np.ascontiguousarray(np.repeat(np.repeat(rgb, k, axis=0), k, axis=1))
    if values is None or k < NUMBER_CELL:
        return big
    values = np.asarray(values, np.float64)
    scale = map_scale(values)
    texts = [[format_cell(v, scale) for v in row] for row in values]
    longest = max(len(text) for row in texts for text in row)
    # the font fills about 70% of a cell's width with the longest number
    font = min(k / 40.0, 0.7 * k / max(1, cv2.getTextSize("0" * longest, _FONT, 1.0, 1)[0][0]))
    for row in range(h):
        for col in range(w):
            light = float(np.mean(rgb[row, col])) > 140   # dark text on bright cells
            _put_centred(big, texts[row][col], (col * k + k // 2, row * k + k // 2), font,
                         (17, 17, 17) if light else (235, 235, 235))
    return big


def colour_bar_picture(signed: bool, low: float, high: float, width: int = 260, height: int = 44) -> np.ndarray:
    """A horizontal colour bar (the view's table) with its values written under it.

    Returns
    -------
    numpy.ndarray uint8 (height, width, 3) RGB, on the contact sheet's dark background
    """
    picture = np.empty((height, width, 3), np.uint8)
    picture[:] = (24, 24, 28)
    table = color_table(signed)
    bar_h = height // 2 - 2
    pad = 22
    indices = np.linspace(0, 255, width - 2 * pad).astype(np.intp)
    picture[2:2 + bar_h, pad:width - pad] = table[indices][None, :, :]
    scale = max(abs(low), abs(high))
    ticks = [(pad, low), (width - pad - 1, high)]
    if signed and low < 0 < high:
        ticks.append((pad + round((width - 2 * pad - 1) * (0 - low) / (high - low)), 0.0))
    for x, value in ticks:
        picture[2 + bar_h:6 + bar_h, x] = (225, 225, 225)
        _put_centred(picture, ascii_text(format_cell(value, scale)), (x, height - 9), 0.38, (225, 225, 225))
    return picture
