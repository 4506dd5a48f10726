"""Float maps → what the screen shows: levels, colour tables, mosaics (Qt-free)."""

from .colormaps import DIVERGING, GRAY, SEQUENTIAL, colorize, lut
from .levels import LEVEL_MODES, LevelPolicy, LevelSmoother, compute_levels
from .mosaic import MosaicCanvas, MosaicLayout, grid_layout, to_indices
from .numbers import format_cell, format_cells, map_scale, response_scale

__all__ = [
    "DIVERGING", "SEQUENTIAL", "GRAY", "lut", "colorize",
    "LevelPolicy", "LEVEL_MODES", "compute_levels", "LevelSmoother",
    "MosaicLayout", "grid_layout", "MosaicCanvas", "to_indices",
    "format_cell", "format_cells", "map_scale", "response_scale",
]
