"""Network files: the network as JSON, validated field by field like bank files.

Schema (version 1)::

    {
      "format": "kernel-playground-network", "version": 1,
      "input": {"channels": 3, "size": [32, 32]},          # size may be null
      "layers": [                                          # 1 to 6 conv layers
        {"bank": {…a bank file's object, see BANK_SCHEMA.md…},
         "settings": {"padding": 0 | "same" | "valid" | [[top, bottom], [left, right]],
                      "stride": 1, "dilation": 1, "flip": false, "activation": "none",
                      "pool": null | {"mode": "max", "size": 2, "stride": 2}},
         "random": [false, …]},                            # optional, one per filter
        …],
      "fc": [120, 10]                                      # optional
    }

A bad file raises :class:`NetworkFileError` naming the field and the problem,
e.g. ``layers[1].bank.filters[0].weights: expected shape 5×5×8, got 5×5×3``;
loading never changes the network in use (a new one is returned, or nothing).
A bank file opens as a one-layer network.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playground.engine.layer import ACTIVATIONS, POOL_MODES, LayerSettings, PoolSettings
from playground.kernels.network import (
    INPUT_CHANNELS,
    MAX_FC_LAYERS,
    MAX_FC_UNITS,
    MAX_INPUT_CHANNELS,
    MAX_INPUT_SIDE,
    MAX_LAYERS,
    ConvLayer,
    Network,
    takes_input_channels,
)

from .atomic import atomic_write_json
from .bank_io import (
    BANK_FORMAT,
    BankFileError,
    _describe,
    _huge,
    _is_whole,
    bank_from_dict,
    bank_to_dict,
    read_json_file,
)

__all__ = [
    "NetworkFileError", "NETWORK_FORMAT", "NETWORK_VERSION",
    "network_to_dict", "network_from_dict", "settings_to_dict", "settings_from_dict",
    "save_network", "load_network",
]

NETWORK_FORMAT = "kernel-playground-network"
NETWORK_VERSION = 1
_MAX_FILE_BYTES = 64 << 20  # six banks of up to 64 filters of 11×11×64 (a bank file allows 16 MB)
_TOP_KEYS = ("format", "version", "input", "layers", "fc")
_LAYER_KEYS = ("bank", "settings", "random")
_SETTINGS_KEYS = ("padding", "stride", "dilation", "flip", "activation", "pool")
_POOL_KEYS = ("mode", "size", "stride")


class NetworkFileError(BankFileError):
    """A network file that cannot be used; the message names the field and the problem."""


# --- writing ---------------------------------------------------------------------------
def settings_to_dict(settings: LayerSettings) -> dict:
    """A layer's settings as plain JSON data (padding as given: a number, "same", "valid" or pairs)."""
    padding = settings.padding
    if isinstance(padding, tuple):
        padding = [list(pair) for pair in padding]
    pool = settings.pool
    return {"padding": padding, "stride": settings.stride, "dilation": settings.dilation, "flip": settings.flip,
            "activation": settings.activation,
            "pool": None if pool is None else {"mode": pool.mode, "size": pool.size, "stride": pool.stride}}


def network_to_dict(network: Network) -> dict:
    """The network as plain JSON-ready data (schema version :data:`NETWORK_VERSION`)."""
    return {
        "format": NETWORK_FORMAT,
        "version": NETWORK_VERSION,
        "input": {"channels": network.input_channels,
                  "size": None if network.input_size is None else list(network.input_size)},
        "layers": [{"bank": bank_to_dict(layer.bank), "settings": settings_to_dict(layer.settings),
                    "random": list(layer.random)} for layer in network.layers],
        "fc": list(network.fc),
    }


def save_network(network: Network, path: str | os.PathLike[str]) -> Path:
    """Write the network as JSON to ``path`` atomically (an existing file is replaced whole).

    Raises
    ------
    ExportError
        When the folder is missing or not writable, or the disk is full.
    """
    return atomic_write_json(path, network_to_dict(network))


# --- reading ---------------------------------------------------------------------------
def _object(value, where: str, keys: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise NetworkFileError(f"{where}: must be an object with {', '.join(keys)}, got {_describe(value)}")
    unknown = [key for key in value if key not in keys]
    if unknown:
        raise NetworkFileError(f"{where}.{unknown[0]}: unknown key (allowed: {', '.join(keys)})")
    return value


def _whole(value, where: str, low: int, high: int) -> int:
    if not _is_whole(value):
        raise NetworkFileError(f"{where}: must be a whole number, got {_describe(value)}")
    if _huge(value) is not None or not low <= value <= high:
        raise NetworkFileError(f"{where}: must be {low} to {high}, got {_describe(value)}")
    return int(value)


def _choice(value, where: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise NetworkFileError(f"{where}: must be one of {', '.join(repr(a) for a in allowed)}, got {_describe(value)}")
    return value


def _padding(value, where: str):
    if isinstance(value, str):
        return _choice(value, where, ("valid", "same"))
    if isinstance(value, list):
        if len(value) != 2 or not all(isinstance(pair, list) and len(pair) == 2 for pair in value):
            raise NetworkFileError(f"{where}: padding pairs are [[top, bottom], [left, right]], got {_describe(value)}")
        return tuple(tuple(_whole(n, f"{where}[{i}][{j}]", 0, 64) for j, n in enumerate(pair))
                     for i, pair in enumerate(value))
    return _whole(value, where, 0, 64)


def settings_from_dict(data, where: str = "settings") -> LayerSettings:
    """Validate a layer's settings (as :func:`settings_to_dict` writes them); missing keys take defaults
    (padding "same", stride 1, dilation 1, no flip, no activation, no pooling)."""
    data = _object(data, where, _SETTINGS_KEYS)
    flip = data.get("flip", False)
    if not isinstance(flip, bool):
        raise NetworkFileError(f"{where}.flip: must be true or false, got {_describe(flip)}")
    pool = data.get("pool")
    if pool is not None:
        pool = _object(pool, f"{where}.pool", _POOL_KEYS)
        for key in _POOL_KEYS:
            if key not in pool:
                raise NetworkFileError(f"{where}.pool.{key}: missing")
        pool = PoolSettings(_choice(pool["mode"], f"{where}.pool.mode", POOL_MODES),
                            _whole(pool["size"], f"{where}.pool.size", 1, 16),
                            _whole(pool["stride"], f"{where}.pool.stride", 1, 16))
    return LayerSettings(padding=_padding(data.get("padding", "same"), f"{where}.padding"),
                         stride=_whole(data.get("stride", 1), f"{where}.stride", 1, 16),
                         dilation=_whole(data.get("dilation", 1), f"{where}.dilation", 1, 8),
                         flip=flip, activation=_choice(data.get("activation", "none"), f"{where}.activation",
                                                       ACTIVATIONS),
                         pool=pool)


def _layer(entry, where: str, channels: int, source: str) -> ConvLayer:
    entry = _object(entry, where, _LAYER_KEYS)
    if "bank" not in entry:
        raise NetworkFileError(f"{where}.bank: missing (the layer's filters)")
    try:
        bank = bank_from_dict(entry["bank"])
    except BankFileError as exc:
        # "filters[0].bias: …" becomes "layers[1].bank.filters[0].bias: …"; a sentence gets a colon
        message = str(exc)
        joint = "." if re.match(r"[a-z_]+[\[.:]", message) else ": "
        raise NetworkFileError(f"{where}.bank{joint}{message}") from None
    if bank.channels != channels:
        raise NetworkFileError(f"{where}.bank.channels: the layer takes {channels} channels ({source}), "
                               f"got {bank.channels}")
    settings = settings_from_dict(entry.get("settings", {}), f"{where}.settings")
    random = entry.get("random", [])
    if not isinstance(random, list) or not all(isinstance(flag, bool) for flag in random) or \
            len(random) not in (0, len(bank)):
        raise NetworkFileError(f"{where}.random: must be a list of {len(bank)} true/false flags, "
                               f"got {_describe(random)}")
    return ConvLayer(bank, settings, tuple(random))


def network_from_dict(data, settings: LayerSettings | None = None) -> Network:
    """Validate network data (as read from JSON) and build the network.

    Parameters
    ----------
    data : dict
        A network object (module notes), or a bank file's object, which becomes
        a one-layer network on its channels (3 or 1) applied with ``settings``
        (default ``LayerSettings()``: bank files carry no settings).

    Raises
    ------
    NetworkFileError
        Naming the first bad field, e.g. ``layers[0].settings.stride: must be 1 to 16, got 0``.
    """
    if isinstance(data, dict) and (data.get("format") == BANK_FORMAT or ("filters" in data and "layers" not in data)):
        try:
            bank = bank_from_dict(data)
        except BankFileError as exc:
            raise NetworkFileError(str(exc)) from None
        if bank.channels not in INPUT_CHANNELS:
            raise NetworkFileError(f"channels: a network's input is RGB (3) or gray (1); this bank's filters "
                                   f"have {bank.channels} channels")
        return Network.single(bank, settings)
    data = _object(data, "the file", _TOP_KEYS)
    if data.get("format") != NETWORK_FORMAT:
        raise NetworkFileError(f"format: expected {NETWORK_FORMAT!r}, got {_describe(data.get('format'))}")
    if "version" not in data:
        raise NetworkFileError("version: missing (the schema version, 1)")
    version = _whole(data["version"], "version", 0, 1 << 30)
    if version != NETWORK_VERSION:
        raise NetworkFileError(f"version: this app reads version {NETWORK_VERSION} network files, got {version}")
    spec = _object(data.get("input", {}), "input", ("channels", "size"))
    channels = spec.get("channels", 3)
    # 3 (RGB) or 1 (gray) for pictures; a matrix source may have up to 64 (the notes' 6×6×32)
    if not _is_whole(channels) or _huge(channels) is not None or not takes_input_channels(channels):
        raise NetworkFileError(f"input.channels: must be 1 to {MAX_INPUT_CHANNELS} (3 for RGB, 1 for gray), "
                               f"got {_describe(channels)}")
    size = spec.get("size")
    if size is not None:
        if not isinstance(size, list) or len(size) != 2:
            raise NetworkFileError(f"input.size: must be [n_H, n_W] or null, got {_describe(size)}")
        size = tuple(_whole(n, f"input.size[{i}]", 1, MAX_INPUT_SIDE) for i, n in enumerate(size))
    entries = data.get("layers")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_LAYERS:
        raise NetworkFileError(f"layers: must be a list of 1 to {MAX_LAYERS} conv layers, got {_describe(entries)}")
    layers = []
    for i, entry in enumerate(entries):
        source = "the input's" if i == 0 else f"layer {i}'s filters"
        layers.append(_layer(entry, f"layers[{i}]", channels if i == 0 else len(layers[-1].bank), source))
    fc = data.get("fc", [])
    if not isinstance(fc, list) or len(fc) > MAX_FC_LAYERS:
        raise NetworkFileError(f"fc: must be a list of at most {MAX_FC_LAYERS} sizes, got {_describe(fc)}")
    fc = tuple(_whole(n, f"fc[{i}]", 1, MAX_FC_UNITS) for i, n in enumerate(fc))
    try:
        return Network(tuple(layers), input_channels=int(channels), input_size=size, fc=fc)
    except ValueError as exc:  # the model's own rules, should the schema ever allow more
        raise NetworkFileError(str(exc)) from None


def load_network(path: str | os.PathLike[str], settings: LayerSettings | None = None) -> Network:
    """Read and validate a network (or bank) JSON file.

    Parameters
    ----------
    path : path of a ``.json`` file written by :func:`save_network` or
        :func:`playground.export.bank_io.save_bank`.
    settings : LayerSettings, optional
        How a bank file's one layer is applied (see :func:`network_from_dict`).

    Returns
    -------
    Network
        A new network; nothing else changes, so on an error the network in use stays.

    Raises
    ------
    NetworkFileError
        ``network file 'x.json': <field>: <problem>``, or that the file is
        missing, unreadable or not JSON (with the line and column).
    """
    path = Path(path).expanduser()
    label = f"network file '{path}'"
    data = read_json_file(path, label, NetworkFileError, "network")
    try:
        return network_from_dict(data, settings)
    except NetworkFileError as exc:
        raise NetworkFileError(f"{label}: {exc}") from None
