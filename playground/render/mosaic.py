"""Many maps in one 8-bit picture: the display draws one image, not one per map.

Each map is scaled by its levels into 0…255 and written straight into its tile of
a reused mosaic (OpenCV reads the engine's strided map views without a copy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["MosaicLayout", "grid_layout", "MosaicCanvas", "to_indices"]


@dataclass(frozen=True)
class MosaicLayout:
    """Tiles of one size in a rows × cols grid, ``gap`` pixels apart.

    Tile ``i`` sits at row ``i // cols``, column ``i % cols``.
    """

    count: int
    tile_h: int
    tile_w: int
    rows: int
    cols: int
    gap: int = 8

    @property
    def shape(self) -> tuple[int, int]:
        """(height, width) of the whole mosaic in pixels."""
        return (self.rows * self.tile_h + (self.rows - 1) * self.gap,
                self.cols * self.tile_w + (self.cols - 1) * self.gap)

    def origin(self, index: int) -> tuple[int, int]:
        """(y, x) of tile ``index``'s top-left pixel."""
        row, col = divmod(index, self.cols)
        return row * (self.tile_h + self.gap), col * (self.tile_w + self.gap)

    def tile_at(self, y: float, x: float) -> tuple[int, int, int] | None:
        """(index, row in tile, column in tile) under mosaic pixel (y, x), or None (gap/outside)."""
        if y < 0 or x < 0:
            return None
        row, dy = divmod(int(y), self.tile_h + self.gap)
        col, dx = divmod(int(x), self.tile_w + self.gap)
        if dy >= self.tile_h or dx >= self.tile_w or row >= self.rows or col >= self.cols:
            return None
        index = row * self.cols + col
        return (index, dy, dx) if index < self.count else None


def grid_layout(count: int, tile_shape: tuple[int, int], cols: int | None = None,
                aspect: float = 1.6, gap: int = 8) -> MosaicLayout:
    """A grid for ``count`` tiles of ``tile_shape`` (h, w).

    ``cols`` fixed (e.g. n_c for the per-channel view), or chosen so the mosaic's
    width/height ratio is near ``aspect``.
    """
    count = max(1, count)
    tile_h, tile_w = tile_shape
    if cols is None:
        best = None
        for c in range(1, count + 1):
            r = math.ceil(count / c)
            ratio = (c * tile_w) / (r * tile_h)
            score = abs(math.log(ratio / aspect)) + 0.05 * (r * c - count)  # few empty cells
            if best is None or score < best[0]:
                best = (score, c)
        cols = best[1]
    cols = max(1, min(cols, count))
    return MosaicLayout(count, tile_h, tile_w, math.ceil(count / cols), cols, gap)


def to_indices(map2d, low: float, high: float, out: np.ndarray | None = None) -> np.ndarray:
    """Scale a float map to colour-table indices: ``low`` → 0, ``high`` → 255, clipped.

    Parameters
    ----------
    map2d : numpy.ndarray, (h, w) float32 (strided rows are fine)
    low, high : float
    out : numpy.ndarray uint8 (h, w), optional (may be a view into a mosaic)
    """
    alpha = 255.0 / (high - low)
    beta = -low * alpha
    # addWeighted with a zero second weight is OpenCV's saturating convertTo
    return cv2.addWeighted(map2d, alpha, map2d, 0.0, beta, dst=out, dtype=cv2.CV_8U)


class MosaicCanvas:
    """A reused uint8 mosaic for one layout, filled tile by tile each frame."""

    def __init__(self, layout: MosaicLayout, background: int = 0):
        self.layout = layout
        self.background = background
        self.pixels = np.full(layout.shape, background, np.uint8)
        self._small: np.ndarray | None = None  # scratch for shrinking maps to the tile

    def draw(self, index: int, map2d, low: float, high: float) -> None:
        """Write map ``index`` scaled by its levels into its tile.

        A map larger than the tile is first shrunk by pixel-area averaging (thin
        edges fade a little rather than vanish, as with nearest-pixel sampling).
        """
        y, x = self.layout.origin(index)
        th, tw = self.layout.tile_h, self.layout.tile_w
        tile = self.pixels[y:y + th, x:x + tw]
        if map2d.shape != (th, tw):
            if self._small is None:
                self._small = np.empty((th, tw), np.float32)
            map2d = cv2.resize(map2d, (tw, th), dst=self._small, interpolation=cv2.INTER_AREA)
        to_indices(map2d, low, high, out=tile)
