"""The filter bank model, presets and kernel tools (Qt-free)."""

from .channels import follow_channels, follow_channels_text
from .model import CHANNEL_NAMES, MAX_FILTERS, MAX_SIZE, Filter, FilterBank
from .presets import PRESETS, preset_filter, preset_names, preset_weights, starter_bank
from .tools import TOOLS, clear, flip, negate, normalize, randomize, transpose, zero_mean

__all__ = [
    "Filter", "FilterBank", "MAX_FILTERS", "MAX_SIZE", "CHANNEL_NAMES",
    "PRESETS", "preset_filter", "preset_names", "preset_weights", "starter_bank",
    "follow_channels", "follow_channels_text",
    "TOOLS", "normalize", "zero_mean", "flip", "transpose", "negate", "randomize", "clear",
]
