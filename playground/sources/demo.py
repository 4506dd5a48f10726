"""The built-in demo picture: synthetic, animated, needs no camera and no file.

It is drawn so that every starting kernel has something to find: a bright/dark
vertical edge, a horizontal edge, a 45° diagonal edge, coloured blocks whose
channels differ, and a soft disc that moves with ``t`` (all edge directions at
once, and proof that the view is live).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

__all__ = ["demo_frame"]

# Colours (RGB in [0, 1]). The bottom blocks have similar brightness but different
# channels, so per-channel maps differ there while a grey picture would barely show it.
_LIGHT = (0.93, 0.89, 0.80)
_DARK = (0.07, 0.09, 0.20)
_BLOCKS = ((0.85, 0.22, 0.18), (0.20, 0.70, 0.30), (0.20, 0.35, 0.90))
_TRIANGLE = (0.98, 0.80, 0.15)
_DISC = (0.75, 0.20, 0.65)

_SPLIT_X = 0.5     # vertical edge, as a fraction of the width
_SPLIT_Y = 0.62    # horizontal edge, as a fraction of the height
_DISC_PERIOD = 6.0  # seconds for one turn of the moving disc


def demo_frame(height: int = 480, width: int = 640, t: float = 0.0) -> np.ndarray:
    """Render the demo picture at time ``t``.

    Parameters
    ----------
    height, width : int
        Size in pixels (n_H, n_W); both at least 1.
    t : float
        Time in seconds. The disc in the bright region turns once every 6 s;
        everything else is still.

    Returns
    -------
    numpy.ndarray, float32, shape (height, width, 3)
        RGB in [0, 1]:

        * top left bright, top right dark: a vertical edge at half the width;
        * below 62 % of the height, red, green and blue blocks: a horizontal edge
          along their top and vertical colour edges between them;
        * in the dark region, a yellow triangle whose hypotenuse is a 45° edge;
        * in the bright region, a magenta disc (anti-aliased) that moves with ``t``.

    Raises
    ------
    ValueError
        If ``height`` or ``width`` is not a positive integer, or ``t`` is not finite.

    Examples
    --------
    >>> frame = demo_frame(120, 160)
    >>> frame.shape, frame.dtype
    ((120, 160, 3), dtype('float32'))
    """
    for name, value in (("height", height), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    if not math.isfinite(t):
        raise ValueError(f"t must be a finite number of seconds; got {t!r}")
    h, w = int(height), int(width)

    frame = np.empty((h, w, 3), np.float32)
    split_x = round(_SPLIT_X * w)
    split_y = round(_SPLIT_Y * h)
    frame[:, :split_x] = _LIGHT
    frame[:, split_x:] = _DARK

    # Coloured blocks across the bottom: three equal thirds.
    edges = [round(i * w / 3) for i in range(4)]
    for colour, (x0, x1) in zip(_BLOCKS, itertools.pairwise(edges), strict=True):
        frame[split_y:, x0:x1] = colour

    # Pixel centres, for the shapes that are not axis-aligned.
    ys = np.arange(h, dtype=np.float32)[:, None] + 0.5
    xs = np.arange(w, dtype=np.float32)[None, :] + 0.5

    # Right-angled triangle in the dark region: corner at bottom right, hypotenuse at 45°.
    size = 0.8 * min(split_y, w - split_x)
    right, bottom = w - 0.06 * w, split_y - 0.06 * h
    triangle = (xs <= right) & (ys <= bottom) & ((right - xs) + (bottom - ys) <= size)
    frame[triangle] = _TRIANGLE

    # Disc moving on a small circle inside the bright region; coverage blending keeps
    # its outline smooth, so motion is sub-pixel rather than jumping a pixel at a time.
    angle = 2.0 * math.pi * t / _DISC_PERIOD
    radius = 0.09 * min(h, w)
    cx = (0.25 + 0.12 * math.cos(angle)) * w
    cy = (0.30 + 0.12 * math.sin(angle)) * h
    coverage = np.clip(radius + 0.5 - np.hypot(xs - cx, ys - cy), 0.0, 1.0)[..., None]
    frame += coverage * (np.asarray(_DISC, np.float32) - frame)
    return frame
