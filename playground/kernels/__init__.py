"""The filter bank model, presets and kernel tools; the network, its SPEC and its table (Qt-free)."""

from .channels import follow_channels, follow_channels_text
from .mixing import MIX_PRESETS, mixing_bank, mixing_matrix, mixing_preset
from .model import CHANNEL_NAMES, MAX_CHANNELS, MAX_FILTERS, MAX_SIZE, Filter, FilterBank
from .network import MAX_LAYERS, ConvLayer, Network, channel_names
from .network_presets import NETWORK_PRESETS, network_preset
from .presets import PRESETS, preset_filter, preset_names, preset_weights, starter_bank
from .spec import SpecError, parse_spec
from .summary import NetworkTable, TableRow, network_table
from .tools import TOOLS, clear, flip, negate, normalize, randomize, transpose, zero_mean

__all__ = [
    "Filter", "FilterBank", "MAX_FILTERS", "MAX_CHANNELS", "MAX_SIZE", "CHANNEL_NAMES",
    "PRESETS", "preset_filter", "preset_names", "preset_weights", "starter_bank",
    "follow_channels", "follow_channels_text",
    "TOOLS", "normalize", "zero_mean", "flip", "transpose", "negate", "randomize", "clear",
    "Network", "ConvLayer", "channel_names", "MAX_LAYERS",
    "parse_spec", "SpecError", "network_table", "NetworkTable", "TableRow",
    "NETWORK_PRESETS", "network_preset", "MIX_PRESETS", "mixing_preset", "mixing_bank", "mixing_matrix",
]
