"""A frame through the whole network, around the one layer the big views show. Qt-free.

The processor computes the *selected* layer's views with
:func:`~playground.live.shown.compute_shown` (per-channel contributions only
there, tiles at the drawing scale); this module does the rest of the network:

* :func:`fit_input` — the frame made ready for layer 1: resized to the network's
  fixed input size (area interpolation), and the network's input channels
  following the source (a gray picture or a 1-channel matrix makes layer 1 take
  1 channel, with the one channel rule of ``Network.with_input``);
* :func:`run_layers` — the plain layers before and after the selected one, each
  timed, so the status bar and ``bench_live`` can say where the time goes;
* :func:`overview` — every layer's output as a small 8-bit mosaic, so a person
  sees the picture move through the network.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import cv2
import numpy as np

from playground.engine import array_module, asnumpy
from playground.engine.backend import backend_for
from playground.engine.kernel_paths import fastest
from playground.engine.layer import LayerOutput, run_layer
from playground.engine.network import next_input, prepare_input
from playground.kernels.network import MAX_INPUT_CHANNELS, Network, takes_input_channels
from playground.kernels.summary import conv_output_shape, pool_output_shape
from playground.render.from_input import InputTiles, whole_factors
from playground.render.mosaic import MosaicLayout, grid_layout

__all__ = ["fit_input", "run_layers", "layer_input_shape", "SmallMaps", "linear_tiles", "tiles_suffice",
           "LayerOverview", "overview", "display_rgb", "OVERVIEW_SIDE"]

# Overview tiles are at most this many pixels on a side: 8 to 64 maps per layer must
# fit a strip a few hundred pixels wide. Smaller maps stay at their size and are
# enlarged on screen with crisp pixels.
OVERVIEW_SIDE = 40


def fit_input(frame: np.ndarray, network: Network) -> tuple[Network, np.ndarray]:
    """The network as it runs on ``frame``, and the frame ready for its first layer.

    Parameters
    ----------
    frame : numpy.ndarray float32 (n_H, n_W, n_c)
    network : Network

    Returns
    -------
    network : Network
        ``network`` itself, or — when the source's channels differ (1 for a gray
        picture or matrix, 3 for RGB, up to 64 for a matrix) — the network with its
        input following the source (layer 1 refitted by ``Network.with_input``).
    x : numpy.ndarray float32 (n_H', n_W', n_c)
        ``frame`` itself when nothing needs changing.

    Raises
    ------
    ValueError
        A source with a channel count a network's input cannot take.
    """
    channels = frame.shape[2] if frame.ndim == 3 else 1
    if channels != network.input_channels:
        if not takes_input_channels(channels):
            raise ValueError(f"the source gives {channels} channels; a network's input takes 1 to "
                             f"{MAX_INPUT_CHANNELS} (3 for RGB, 1 for gray)")
        network = network.with_input(channels=channels)
    return network, prepare_input(frame, network.input_size)


def run_layers(x, network: Network, start: int, stop: int) -> tuple[list[LayerOutput], list[float], object]:
    """Layers ``start`` … ``stop − 1`` (0-based) on ``x``, the input of layer ``start``.

    Returns
    -------
    outputs : list of LayerOutput
    milliseconds : list of float, one per layer
    x : array
        What the last of them hands on (``x`` itself when the range is empty).

    Raises
    ------
    ValueError
        "layer l: …" when a layer leaves no output.
    """
    outputs, times = [], []
    xp = array_module()
    x = xp.asarray(x)
    for index in range(start, stop):
        w, b, settings = network.layers[index].stage
        t0 = time.perf_counter()
        try:
            # no per-channel contributions: only the selected layer's are shown (an
            # 8→16 layer's are 16× its maps: 39 MB written per 320×240 frame for nothing)
            output = run_layer(x, w, b, settings, per_channel=False)
        except ValueError as exc:
            raise ValueError(f"layer {index + 1}: {exc}") from None
        times.append((time.perf_counter() - t0) * 1e3)
        outputs.append(output)
        x = next_input(output)
    return outputs, times, x


def layer_input_shape(network, frame_hw: tuple[int, int], index: int) -> tuple[int, int, int] | None:
    """(n_H, n_W, n_c) feeding layer ``index`` for frames of ``frame_hw`` (the network's own
    input size wins), or None when an earlier layer leaves no output."""
    size = network.input_size or frame_hw
    shape = (int(size[0]), int(size[1]), network.input_channels)
    try:
        for layer in network.layers[:index]:
            shape = conv_output_shape(shape, layer.bank.size, len(layer.bank), layer.settings)
            if layer.settings.pool is not None:
                shape = pool_output_shape(shape, layer.settings.pool)
    except ValueError:
        return None
    return shape


@dataclass(frozen=True)
class SmallMaps:
    """A layer's maps known only as overview tiles: ``tiles`` (tile_h, tile_w, K) of maps ``shape``."""

    tiles: np.ndarray
    shape: tuple


def tiles_suffice(network: Network, index: int) -> bool:
    """Whether layer ``index``'s overview can come from tiles alone: it is the last layer (nothing
    reads its full maps), linear (no activation, no pooling: a shrunk map is the conv of the
    shrunk input) and computed on the CPU."""
    settings = network.layers[index].settings
    return (index == network.depth - 1 and settings.activation == "none" and settings.pool is None
            and array_module() is np)


def linear_tiles(x, network: Network, index: int, side: int = OVERVIEW_SIDE) -> SmallMaps:
    """Layer ``index``'s overview tiles straight from its input ``x`` (see :func:`tiles_suffice`).

    Area shrinking and the conv are both linear, so the tiles are the conv of the
    input's block means (:class:`~playground.render.from_input.InputTiles`): a
    16-filter 160×120 layer costs a twentieth of its full maps.

    Raises
    ------
    ValueError
        "layer l: …" when the layer leaves no output.
    """
    x = np.asarray(x, np.float32)
    w, b, settings = network.layers[index].stage
    try:
        shape = conv_output_shape(x.shape, w.shape[0], w.shape[3], settings)
    except ValueError as exc:
        raise ValueError(f"layer {index + 1}: {exc}") from None
    tile = _tile(shape[:2], side)
    pads = settings.pads(x.shape[:2], w.shape[0])

    def tiles() -> InputTiles:   # new for each way: it keeps its box filters
        return InputTiles(x, pads, w.shape[:2], settings.stride, settings.dilation, shape[:2])

    # (K, th, tw), in reused scratch buffers. The faster way, measured per shape: "same" at
    # stride 2 pads 480×640×8 to 961×1281×8, and the block means of all that padding took
    # 42 ms where one strided convolution of the part the tiles reach took 13 (2-core Zen 3)
    ways = {"taps": lambda: tiles().filter_tiles(w, b, settings.flip, tile)}
    if whole_factors(shape[:2], tile):
        ways["conv"] = lambda: tiles().conv_tiles(w, b, settings.flip, tile, per_channel=False)[0].transpose(1, 0, 2)
    key = ("overview tiles", x.shape, w.shape, settings.stride, settings.dilation, pads, tile,
           backend_for([x]).workers)
    small = fastest(key, ways)
    return SmallMaps(np.ascontiguousarray(small.transpose(1, 2, 0)), shape)


@dataclass(frozen=True)
class LayerOverview:
    """One layer's output as a small mosaic.

    Attributes
    ----------
    index : int
        The conv layer (0-based).
    title : str
        E.g. "CONV2 · pooled 5×5×16" — the notes' n_H × n_W × n_c.
    pixels : numpy.ndarray uint8 (mosaic_h, mosaic_w)
        Colour-table indices; ``signed`` says which table.
    layout : MosaicLayout
    signed : bool
        Diverging colours (no activation) or sequential (after ReLU or abs).
    shape : (n_H, n_W, n_c)
    """

    index: int
    title: str
    pixels: np.ndarray
    layout: MosaicLayout
    signed: bool
    shape: tuple


def _tile(shape_hw: tuple[int, int], side: int) -> tuple[int, int]:
    """The tile of an (h, w) map: shrunk by a whole factor until it fits ``side``, never enlarged."""
    h, w = shape_hw
    factor = max(1, math.ceil(max(h, w) / side))
    return max(1, h // factor), max(1, w // factor)


def overview(outputs, network: Network, side: int = OVERVIEW_SIDE, first: int = 0) -> tuple[LayerOverview, ...]:
    """Every layer's output (pooled where it pools: what it hands on) as a small mosaic.

    ``outputs`` are layers ``first``, ``first + 1``, … (all of them by default). Each map
    gets its own levels (99th percentile of |value| of its tile), so a weak layer still
    shows its pattern; the big views are where strengths compare.
    """
    result = []
    layers = network.layers[first:first + len(outputs)]
    for index, (output, layer) in enumerate(zip(outputs, layers, strict=True), start=first):
        tiled = isinstance(output, SmallMaps)
        maps = output.tiles if tiled else asnumpy(next_input(output))   # CuPy or computed-on-read maps → host
        h, w, k = output.shape if tiled else maps.shape
        tile = _tile((h, w), side)
        layout = grid_layout(k, tile, aspect=1.5, gap=1)
        signed = layer.settings.activation == "none"
        pixels = np.full(layout.shape, 128 if signed else 0, np.uint8)
        if tiled:
            small = maps
        elif tile != (h, w):
            planar = np.ascontiguousarray(maps.transpose(0, 2, 1)).reshape(h, k * w)   # maps side by side
            if h % tile[0] == 0 and w % tile[1] == 0:   # whole blocks: one resize shrinks every map
                small = cv2.resize(planar, (k * tile[1], tile[0]), interpolation=cv2.INTER_AREA)
                small = small.reshape(tile[0], k, tile[1]).transpose(0, 2, 1)
            else:
                small = np.stack([cv2.resize(np.ascontiguousarray(maps[:, :, i]), tile[::-1],
                                             interpolation=cv2.INTER_AREA) for i in range(k)], axis=2)
        else:
            small = maps
        small = np.asarray(small, np.float32)
        with np.errstate(invalid="ignore", over="ignore"):   # inf or NaN from an overflowing layer
            high = _percentile_99(np.abs(small).reshape(-1, k))
            high = np.where(high > 1e-6, high, 1.0)   # an all-zero map stays at the scale's zero (NaN too)
            low = -high if signed else np.zeros_like(high)
            # every tile scaled at once (to_indices' mapping: low → 0, high → 255), then placed
            alpha = (255.0 / (high - low)).astype(np.float32)
            scaled = np.rint((small - low.astype(np.float32)) * alpha)
            # NaN shows as the scale's bottom, ±inf as its ends
            indices = np.nan_to_num(np.clip(scaled, 0, 255), nan=0.0).astype(np.uint8)
        for i in range(k):
            y, x = layout.origin(i)
            pixels[y:y + tile[0], x:x + tile[1]] = indices[:, :, i]
        pooled = "pooled " if not tiled and output.pooled is not None else ""
        title = f"CONV{index + 1} · {pooled}{h}×{w}×{k}"
        result.append(LayerOverview(index, title, pixels, layout, signed, (h, w, k)))
    return tuple(result)


def _percentile_99(values: np.ndarray) -> np.ndarray:
    """Per column of (n, k) ``values``, ``np.percentile(values, 99, axis=0)`` (linear
    interpolation between the two ranks around it), from a partial sort: a fifth of
    ``np.percentile``'s time on 40×30 tiles, most of it Python held the lock for."""
    n = values.shape[0]
    position = 0.99 * (n - 1)
    below = int(position)
    above = min(below + 1, n - 1)
    ranked = np.partition(values, (below, above), axis=0)
    return ranked[below] + (ranked[above] - ranked[below]) * (position - below)


def display_rgb(x: np.ndarray) -> np.ndarray:
    """What the network sees, as uint8 RGB (n_H, n_W, 3) for the input panel.

    Values in [0, 1] are shown as they are; raw values (a typed matrix of 10s,
    a 0–255 picture) are scaled from their own minimum and maximum so they
    still read as a picture. One channel is shown gray.
    """
    x = np.asarray(x, np.float32)
    if x.ndim == 2:
        x = x[:, :, None]
    low, high = float(x.min()), float(x.max())
    if low < 0.0 or high > 1.0:
        span = high - low if high > low else 1.0
        x = (x - low) / span
    if x.shape[2] == 1:
        x = np.repeat(x, 3, axis=2)
    elif x.shape[2] != 3:
        x = np.repeat(x[:, :, :1], 3, axis=2)
    return cv2.convertScaleAbs(np.ascontiguousarray(x), alpha=255.0)
