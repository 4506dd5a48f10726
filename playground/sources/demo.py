"""The built-in demo picture: synthetic, animated, needs no camera and no file.

It is drawn so that every starting kernel has something to find: a bright/dark
vertical edge, a horizontal edge, a 45° diagonal edge, coloured blocks whose
channels differ, and a soft disc that moves with ``t`` (all edge directions at
once, and proof that the view is live).
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Callable

import numpy as np

from .base import Source
from .frames import check_downscale, fitted_size, size_text

__all__ = ["demo_frame", "DemoRenderer", "DemoSource"]

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
    _check_size(height, width)
    if not math.isfinite(t):
        raise ValueError(f"t must be a finite number of seconds; got {t!r}")
    return _renderer_for(int(height), int(width)).render(t)


@functools.lru_cache(maxsize=4)
def _renderer_for(height: int, width: int) -> DemoRenderer:
    """A renderer per recent size, so repeated demo_frame calls skip the background."""
    return DemoRenderer(height, width)


def _check_size(height: int, width: int) -> None:
    for name, value in (("height", height), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")


class DemoRenderer:
    """Draws demo frames of one size quickly: the still background is drawn once.

    Only the moving disc changes with time, so each frame is a copy of the cached
    background with the disc blended into its bounding box. The result equals
    :func:`demo_frame` bit for bit (the disc's coverage is exactly 0 outside the box).

    Parameters
    ----------
    height, width : int
        Size in pixels (n_H, n_W); both at least 1 (not validated here: use
        :func:`demo_frame` or :class:`~playground.sources.DemoSource`).

    Attributes
    ----------
    background : numpy.ndarray, float32, shape (height, width, 3), read-only
        The picture without the disc.
    """

    def __init__(self, height: int, width: int) -> None:
        self.height, self.width = height, width
        # Pixel centres, for the shapes that are not axis-aligned.
        self._ys = np.arange(height, dtype=np.float32)[:, None] + 0.5
        self._xs = np.arange(width, dtype=np.float32)[None, :] + 0.5
        self.background = self._draw_background()
        self.background.flags.writeable = False

    def _draw_background(self) -> np.ndarray:
        h, w = self.height, self.width
        ys, xs = self._ys, self._xs
        frame = np.empty((h, w, 3), np.float32)
        split_x = round(_SPLIT_X * w)
        split_y = round(_SPLIT_Y * h)
        frame[:, :split_x] = _LIGHT
        frame[:, split_x:] = _DARK

        # Coloured blocks across the bottom: three equal thirds.
        edges = [round(i * w / 3) for i in range(4)]
        for colour, (x0, x1) in zip(_BLOCKS, itertools.pairwise(edges), strict=True):
            frame[split_y:, x0:x1] = colour

        # Right-angled triangle in the dark region: corner at bottom right, hypotenuse at 45°.
        size = 0.8 * min(split_y, w - split_x)
        right, bottom = w - 0.06 * w, split_y - 0.06 * h
        triangle = (xs <= right) & (ys <= bottom) & ((right - xs) + (bottom - ys) <= size)
        frame[triangle] = _TRIANGLE
        return frame

    def render(self, t: float = 0.0) -> np.ndarray:
        """The frame at time ``t`` (seconds; finite, not validated here).

        Returns
        -------
        numpy.ndarray, float32, shape (height, width, 3)
            A new, writeable, C-contiguous RGB array in [0, 1].
        """
        h, w = self.height, self.width
        frame = self.background.copy()
        # Disc moving on a small circle inside the bright region; coverage blending keeps
        # its outline smooth, so motion is sub-pixel rather than jumping a pixel at a time.
        angle = 2.0 * math.pi * t / _DISC_PERIOD
        radius = 0.09 * min(h, w)
        cx = (0.25 + 0.12 * math.cos(angle)) * w
        cy = (0.30 + 0.12 * math.sin(angle)) * h
        # Coverage is > 0 only where the pixel centre is within radius + 0.5 of the
        # centre; the box adds a pixel of margin on each side.
        x0, x1 = max(0, math.floor(cx - radius) - 2), min(w, math.ceil(cx + radius) + 2)
        y0, y1 = max(0, math.floor(cy - radius) - 2), min(h, math.ceil(cy + radius) + 2)
        if x0 >= x1 or y0 >= y1:
            return frame
        xs, ys = self._xs[:, x0:x1], self._ys[y0:y1]
        coverage = np.clip(radius + 0.5 - np.hypot(xs - cx, ys - cy), 0.0, 1.0)[..., None]
        box = frame[y0:y1, x0:x1]
        box += coverage * (np.asarray(_DISC, np.float32) - box)
        return frame


class DemoSource(Source):
    """The demo picture as a live source: the disc moves with the clock.

    Parameters
    ----------
    width, height : int
        Size of the picture in pixels (before ``downscale``).
    clock : callable
        Returns seconds; frame ``t`` is ``clock()`` minus its value at creation.
        ``time.monotonic`` unless a test injects its own.
    downscale : int
        1, 2, 3 or 4: the picture is drawn directly at 1/downscale of the size
        (rounded), which is faster than drawing it large and shrinking it.

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``downscale`` is out of range.

    Notes
    -----
    Each :meth:`read` returns a new ``(H, W, 3)`` float32 array equal to
    ``demo_frame(H, W, t)``; the still background is drawn once (see
    :class:`DemoRenderer`), so a 640×480 frame takes about 0.35 ms.
    """

    kind = "demo"
    spec = "demo"
    live = True
    frame_interval = 1.0 / 60.0

    def __init__(
        self,
        width: int = 640,
        height: int = 480,
        clock: Callable[[], float] = time.monotonic,
        *,
        downscale: int = 1,
    ) -> None:
        super().__init__()
        self.downscale = check_downscale(downscale)
        _check_size(height, width)
        h, w = fitted_size(int(height), int(width), max(height, width), self.downscale)
        self._renderer = DemoRenderer(h, w)
        self._clock = clock
        self._start = clock()
        self.notices = ()
        shrink = f" (1/{self.downscale})" if self.downscale > 1 else ""
        self.description = f"Demo {size_text(h, w)}{shrink}"

    def _read(self) -> np.ndarray:
        return self._renderer.render(self._clock() - self._start)
