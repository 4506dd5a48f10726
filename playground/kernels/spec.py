"""A network written as one line of text (SPEC), for the command line and tests.

Grammar (space-separated tokens)::

    HxWxC                      input, first: 32x32x3 (C is 3 for RGB, 1 for gray)
    conv:f=F,k=K[,s=S][,p=P|same|valid][,d=D][,a=relu|abs|none]
                               defaults s=1, p=0 (as in the notes), d=1, a=none
    maxpool:f=F[,s=S]          s defaults to f
    avgpool:f=F[,s=S]
    fc:N                       fully connected, N units (flattens first)

The notes' LeNet-style table::

    32x32x3 conv:f=5,k=8 maxpool:f=2,s=2 conv:f=5,k=16 maxpool:f=2,s=2 fc:120 fc:10

A pool token is the pooling of the conv layer right before it (a layer is conv
→ activation → pool), so a pool with no conv before it, or two pools in a row,
is refused, as is a conv after an FC. Every error is one line naming the token.

Weights, since a SPEC gives none: a first layer on RGB takes the starting bank's
kernels (:func:`playground.kernels.presets.starter_bank`, zero-padded to f ≥ 3)
as far as K asks, then seeded random He weights; deeper layers (and a first
layer on gray, or with f < 3) are seeded random He weights. Random filters are
flagged in :attr:`ConvLayer.random`, so the UI can say which they are.
"""

from __future__ import annotations

import re
from dataclasses import replace

from playground.engine.layer import ACTIVATIONS, LayerSettings, PoolSettings

from .model import MAX_FILTERS, MAX_SIZE, FilterBank, resize_centered
from .network import MAX_FC_LAYERS, MAX_FC_UNITS, MAX_INPUT_SIDE, MAX_LAYERS, ConvLayer, Network, random_filter
from .presets import starter_bank
from .volumes import conv_output_shape, pool_output_shape

__all__ = ["SpecError", "parse_spec", "EXAMPLE_SPEC"]

EXAMPLE_SPEC = "32x32x3 conv:f=5,k=8 maxpool:f=2,s=2 conv:f=5,k=16 maxpool:f=2,s=2 fc:120 fc:10"
_INPUT = re.compile(r"^(\S+?)[x×](\S+?)[x×](\S+)$", re.IGNORECASE)
_CONV_KEYS = ("f", "k", "s", "p", "d", "a")
_POOL_KEYS = ("f", "s")
_LIMITS = {"f": MAX_SIZE, "k": MAX_FILTERS, "s": 16, "d": 8, "p": 64}
_ECHO = 60  # characters of a token repeated in a message (as the export command does)
_NAMES = {"f": "kernel size f", "k": "number of filters k", "s": "stride s", "d": "dilation d", "p": "padding p"}


def limits_text() -> str:
    """The SPEC's limits in one sentence, for a command's --help."""
    return (f"Limits: H and W 1 to {MAX_INPUT_SIDE}, C 1 or 3; conv f 1 to {_LIMITS['f']}, k 1 to {_LIMITS['k']}, "
            f"s 1 to {_LIMITS['s']}, d 1 to {_LIMITS['d']}, p 0 to {_LIMITS['p']} (or same, valid); pool f and s "
            f"1 to 16; at most {MAX_LAYERS} conv layers and {MAX_FC_LAYERS} fc layers of 1 to {MAX_FC_UNITS} units.")


class SpecError(ValueError):
    """A SPEC that cannot be read; the message is one line naming the token and the problem."""


def _quoted(text: str) -> str:
    """``text`` quoted for a message, cut to about 60 characters: a pasted 5000-character token is not echoed."""
    text = str(text)
    if len(text) > _ECHO:
        head = (_ECHO - 1) // 2
        text = text[:head] + "…" + text[len(text) - (_ECHO - 1 - head):]
    return repr(text)


def _number(token: str, text: str, low: int, high: int, what: str) -> int:
    if not re.fullmatch(r"[0-9]+", text):
        raise SpecError(f"{_quoted(token)}: {what} must be a whole number; got {_quoted(text)}")
    if len(text.lstrip("0")) > len(str(high)):  # int() of 4300+ digits raises Python's own message
        raise SpecError(f"{_quoted(token)}: {what} must be {low} to {high}; got a {len(text)}-digit number")
    value = int(text)
    if not low <= value <= high:
        raise SpecError(f"{_quoted(token)}: {what} must be {low} to {high}; got {value}")
    return value


def _options(token: str, body: str, allowed: tuple[str, ...]) -> dict[str, str]:
    options: dict[str, str] = {}
    for part in body.split(","):
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or not key or not value.strip():
            raise SpecError(f"{_quoted(token)}: expected key=value pairs separated by commas; got {_quoted(part)}")
        if key not in allowed:
            raise SpecError(f"{_quoted(token)}: unknown key {_quoted(key)} (allowed: {', '.join(allowed)})")
        if key in options:
            raise SpecError(f"{_quoted(token)}: {key} is given twice")
        options[key] = value.strip()
    return options


def _input(token: str) -> tuple[int, int, int]:
    match = _INPUT.match(token)
    if match is None:
        raise SpecError(f"{_quoted(token)}: the SPEC starts with the input size HxWxC, e.g. 32x32x3")
    n_h = _number(token, match.group(1), 1, MAX_INPUT_SIDE, "height H")
    n_w = _number(token, match.group(2), 1, MAX_INPUT_SIDE, "width W")
    if match.group(3) not in ("1", "3"):
        raise SpecError(f"{_quoted(token)}: channels C must be 3 (RGB) or 1 (gray); got {_quoted(match.group(3))}")
    return n_h, n_w, int(match.group(3))


def _conv(token: str, body: str) -> tuple[int, int, LayerSettings]:
    options = _options(token, body, _CONV_KEYS)
    for key in ("f", "k"):
        if key not in options:
            raise SpecError(f"{_quoted(token)}: missing {key} (the {_NAMES[key]}), e.g. conv:f=3,k=8")
    values = {key: _number(token, options[key], 1, _LIMITS[key], _NAMES[key])
              for key in ("f", "k", "s", "d") if key in options}
    padding: object = 0
    if "p" in options:
        padding = options["p"].lower()
        if padding not in ("same", "valid"):
            padding = _number(token, options["p"], 0, _LIMITS["p"], _NAMES["p"])
    activation = options.get("a", "none").lower()
    if activation not in ACTIVATIONS:
        raise SpecError(f"{_quoted(token)}: activation a must be one of {', '.join(ACTIVATIONS)}; "
                        f"got {_quoted(options['a'])}")
    settings = LayerSettings(padding=padding, stride=values.get("s", 1), dilation=values.get("d", 1),
                             activation=activation)
    return values["f"], values["k"], settings


def _pool(token: str, mode: str, body: str) -> PoolSettings:
    options = _options(token, body, _POOL_KEYS)
    if "f" not in options:
        raise SpecError(f"{_quoted(token)}: missing f (the pool window size), e.g. maxpool:f=2,s=2")
    size = _number(token, options["f"], 1, 16, "pool size f")
    stride = _number(token, options["s"], 1, 16, "pool stride s") if "s" in options else size
    return PoolSettings(mode, size, stride)


def _bank(layer_index: int, size: int, count: int, channels: int, seed: int) -> tuple[FilterBank, tuple[bool, ...]]:
    """K filters: the starter kernels first where they fit (layer 1 on RGB, f ≥ 3), then random."""
    filters, flags = [], []
    if layer_index == 0 and channels == 3 and size >= 3:
        for item in starter_bank().filters[:count]:
            filters.append(item.with_weights(resize_centered(item.weights, size)))
            flags.append(False)
    for i in range(len(filters), count):
        filters.append(random_filter(f"random {i + 1}", size, channels, (seed, layer_index, i)))
        flags.append(True)
    return FilterBank(tuple(filters)), tuple(flags)


def parse_spec(text: str, seed: int = 0) -> Network:
    """Build the network a SPEC describes.

    Parameters
    ----------
    text : str
        See the module notes for the grammar.
    seed : int
        Seeds the random weights (the same SPEC and seed always give the same network).

    Returns
    -------
    Network
        With ``input_size`` fixed to H×W, one :class:`ConvLayer` per conv token
        (its pool from the pool token after it), ``fc`` from the fc tokens.

    Raises
    ------
    SpecError
        Unknown token, missing k or f, a number that is not one or is out of
        range, a kernel or pool window larger than its input, tokens out of
        order, too many layers; one line naming the token.
    """
    tokens = str(text).split()
    if not tokens:
        raise SpecError(f"empty SPEC; e.g. {EXAMPLE_SPEC!r}")
    n_h, n_w, n_c = _input(tokens[0])
    shape = (n_h, n_w, n_c)
    layers: list[ConvLayer] = []
    fc: list[int] = []
    previous = "input"
    for token in tokens[1:]:
        kind, sep, body = token.partition(":")
        kind = kind.lower()
        if kind not in ("conv", "maxpool", "avgpool", "fc") or not sep:
            raise SpecError(f"{_quoted(token)}: unknown token (expected conv:…, maxpool:…, avgpool:… or fc:N)")
        if kind == "fc":
            if len(fc) >= MAX_FC_LAYERS:
                raise SpecError(f"{_quoted(token)}: at most {MAX_FC_LAYERS} fc layers")
            fc.append(_number(token, body, 1, MAX_FC_UNITS, "the number of units N"))
        elif previous == "fc":
            raise SpecError(f"{_quoted(token)}: fully-connected layers come last; no {kind} after an fc")
        elif kind == "conv":
            if len(layers) >= MAX_LAYERS:
                raise SpecError(f"{_quoted(token)}: a network has at most {MAX_LAYERS} conv layers")
            size, count, settings = _conv(token, body)
            try:
                shape = conv_output_shape(shape, size, count, settings)
            except ValueError as exc:
                raise SpecError(f"{_quoted(token)}: {exc}") from None
            bank, flags = _bank(len(layers), size, count, n_c if not layers else len(layers[-1].bank), seed)
            layers.append(ConvLayer(bank, settings, flags))
        else:
            if previous != "conv":
                where = "the input" if previous == "input" else "another pool"
                raise SpecError(f"{_quoted(token)}: a pool follows a conv layer (it pools that layer's maps), "
                                f"not {where}")
            pool = _pool(token, kind[:3], body)
            try:
                shape = pool_output_shape(shape, pool)
            except ValueError as exc:
                raise SpecError(f"{_quoted(token)}: {exc}") from None
            last = layers[-1]
            layers[-1] = replace(last, settings=replace(last.settings, pool=pool))
        previous = kind if kind in ("conv", "fc") else "pool"
    if not layers:
        raise SpecError(f"{_quoted(text.strip())}: a network needs at least one conv layer")
    return Network(tuple(layers), input_channels=n_c, input_size=(n_h, n_w), fc=tuple(fc))
