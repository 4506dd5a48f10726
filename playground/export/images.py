"""Maps as pictures: full-size coloured PNG images and the contact sheet.

A map is coloured exactly as the app draws it: scaled by its display levels
(``low`` → index 0, ``high`` → 255, clipped; :func:`playground.render.mosaic.to_indices`)
and looked up in the view's colour table (diverging for signed maps, sequential
for maps ≥ 0).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import cv2
import numpy as np

from playground.render.colormaps import DIVERGING, SEQUENTIAL, lut
from playground.render.mosaic import to_indices

__all__ = ["color_table", "map_to_rgb", "SheetSection", "contact_sheet", "thumbnail_size", "ascii_text"]

_BACKGROUND = (24, 24, 28)
_TEXT = (225, 225, 225)
_HEADING = (255, 200, 120)
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_TITLE_SCALE = 0.42
_HEADING_SCALE = 0.6
_GAP = 10
_TITLE_H = 18
_HEADING_H = 28


def color_table(signed: bool) -> np.ndarray:
    """The view's colour table, uint8 (256, 3): diverging when ``signed``, else sequential."""
    return lut(DIVERGING if signed else SEQUENTIAL)


def map_to_rgb(map2d: np.ndarray, low: float, high: float, signed: bool,
               size: tuple[int, int] | None = None) -> np.ndarray:
    """Colour one map as the app displays it.

    Parameters
    ----------
    map2d : numpy.ndarray, float32, (h, w)
    low, high : float
        Display levels: the values shown at the two ends of the colour table.
    signed : bool
        Diverging colours (levels symmetric around 0) or sequential.
    size : (height, width), optional
        Shrink first (pixel-area averaging, as the app's mosaic does); default full size.

    Returns
    -------
    numpy.ndarray, uint8, (h, w, 3) RGB
    """
    values = np.asarray(map2d, np.float32)
    if size is not None and tuple(size) != values.shape:
        values = cv2.resize(np.ascontiguousarray(values), (size[1], size[0]), interpolation=cv2.INTER_AREA)
    return color_table(signed)[to_indices(values, float(low), float(high))]


@dataclass(frozen=True)
class SheetSection:
    """A titled group of the contact sheet.

    Attributes
    ----------
    heading : str
    titles : tuple of str, one per picture
    pictures : tuple of numpy.ndarray uint8 (h, w, 3), all the same size
    cols : int or None
        Pictures per row (None: about a square grid).
    """

    heading: str
    titles: tuple
    pictures: tuple
    cols: int | None = None


def ascii_text(text: str) -> str:
    """What OpenCV's Hershey fonts can draw: ``·`` → ``-``, ``×`` → ``x``, accents dropped."""
    text = str(text).replace("·", "-").replace("×", "x").replace("→", "->").replace("…", "...")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _fit(text: str, width: int, scale: float) -> str:
    text = ascii_text(text)
    if cv2.getTextSize(text, _FONT, scale, 1)[0][0] <= width:
        return text
    while text and cv2.getTextSize(text + "...", _FONT, scale, 1)[0][0] > width:
        text = text[:-1]
    return text + "..." if text else ""


def thumbnail_size(shape: tuple[int, int], longest: int) -> tuple[int, int]:
    """(h, w) scaled so the longer side is at most ``longest`` (never enlarged)."""
    h, w = shape[:2]
    scale = min(1.0, longest / max(h, w))
    return max(1, round(h * scale)), max(1, round(w * scale))


def _section_grid(section: SheetSection) -> tuple[int, int, int, int]:
    n = len(section.pictures)
    cols = section.cols or max(1, int(np.ceil(np.sqrt(n))))
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    h, w = section.pictures[0].shape[:2]
    return rows, cols, h, w


def contact_sheet(sections: list[SheetSection]) -> np.ndarray:
    """All pictures in one RGB image, each under its title, grouped under headings.

    Returns
    -------
    numpy.ndarray, uint8, (H, W, 3) RGB
    """
    sections = [s for s in sections if s.pictures]
    if not sections:
        raise ValueError("nothing to put on a contact sheet")
    grids = [_section_grid(s) for s in sections]
    width = _GAP + max(cols * (w + _GAP) for _, cols, _, w in grids)
    height = _GAP + sum(_HEADING_H + rows * (_TITLE_H + h + _GAP) for rows, _, h, _ in grids)
    sheet = np.empty((height, width, 3), np.uint8)
    sheet[:] = _BACKGROUND
    y = _GAP
    for section, (rows, cols, h, w) in zip(sections, grids, strict=True):
        cv2.putText(sheet, _fit(section.heading, width - 2 * _GAP, _HEADING_SCALE), (_GAP, y + _HEADING_H - 10),
                    _FONT, _HEADING_SCALE, _HEADING, 1, cv2.LINE_AA)
        y += _HEADING_H
        for i, (title, picture) in enumerate(zip(section.titles, section.pictures, strict=True)):
            row, col = divmod(i, cols)
            top = y + row * (_TITLE_H + h + _GAP)
            left = _GAP + col * (w + _GAP)
            cv2.putText(sheet, _fit(title, w, _TITLE_SCALE), (left, top + _TITLE_H - 5),
                        _FONT, _TITLE_SCALE, _TEXT, 1, cv2.LINE_AA)
            sheet[top + _TITLE_H:top + _TITLE_H + h, left:left + w] = picture
        y += rows * (_TITLE_H + h + _GAP)
    return sheet
