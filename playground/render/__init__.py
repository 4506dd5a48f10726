"""Float maps → what the screen shows: levels, colour tables, mosaics (Qt-free)."""

from .colormaps import DIVERGING, GRAY, SEQUENTIAL, colorize, lut
from .inspector import ConvCellExplanation, PoolCellExplanation, explain_conv_cell, explain_pool_cell
from .inspector_text import conv_cell_lines, pool_cell_lines
from .levels import LEVEL_MODES, LevelPolicy, LevelSmoother, compute_levels
from .mosaic import MosaicCanvas, MosaicLayout, grid_layout, to_indices
from .numbers import format_cell, format_cells, map_scale, response_scale
from .receptive_field import LayerGeometry, Region, cells_fed_by, layer_sizes, receptive_field
from .sliding_window import SlidingWindow, WindowStep

__all__ = [
    "DIVERGING", "SEQUENTIAL", "GRAY", "lut", "colorize",
    "LevelPolicy", "LEVEL_MODES", "compute_levels", "LevelSmoother",
    "MosaicLayout", "grid_layout", "MosaicCanvas", "to_indices",
    "format_cell", "format_cells", "map_scale", "response_scale",
    "ConvCellExplanation", "PoolCellExplanation", "explain_conv_cell", "explain_pool_cell",
    "Region", "LayerGeometry", "receptive_field", "cells_fed_by", "layer_sizes",
    "SlidingWindow", "WindowStep", "conv_cell_lines", "pool_cell_lines",
]
