"""Built-in networks: the notes' examples and two that show what a second layer does.

Each is a function returning a fresh :class:`Network`; :data:`NETWORK_PRESETS`
lists them for a menu, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from playground.engine.layer import LayerSettings, PoolSettings

from .mixing import mixing_bank
from .model import Filter, FilterBank
from .network import ConvLayer, Network
from .presets import starter_bank
from .spec import parse_spec

__all__ = ["NetworkPreset", "NETWORK_PRESETS", "network_preset", "lenet", "simple_cnn", "one_by_one",
           "edges_to_corners", "LENET_SPEC", "SIMPLE_CNN_SPEC"]

LENET_SPEC = ("32x32x3 conv:f=5,k=8,a=relu maxpool:f=2,s=2 conv:f=5,k=16,a=relu maxpool:f=2,s=2 "
              "fc:120 fc:10")
SIMPLE_CNN_SPEC = "39x39x3 conv:f=3,k=10,a=relu conv:f=5,s=2,k=20,a=relu conv:f=5,s=2,k=40,a=relu"


@dataclass(frozen=True)
class NetworkPreset:
    """A named network for the menu: ``build()`` returns it."""

    name: str
    description: str
    build: Callable[[], Network]


def lenet() -> Network:
    """The notes' LeNet-style network: 32×32×3 → CONV1 f=5, 8 → max pool 2/2 → CONV2 f=5, 16 →
    max pool 2/2 → FC 120 → FC 10 (ReLU after each conv)."""
    return parse_spec(LENET_SPEC)


def simple_cnn() -> Network:
    """The notes' 39×39×3 example: f=3, 10 filters → f=5, s=2, 20 → f=5, s=2, 40 → 7×7×40 = 1,960 values."""
    return parse_spec(SIMPLE_CNN_SPEC)


def one_by_one() -> Network:
    """Edges first (the 8 starting filters on RGB, ReLU), then a 1×1 layer mixing them into 4."""
    edges = ConvLayer(starter_bank(), LayerSettings(padding="same", activation="relu"))
    # columns: Vertical edge, Horizontal edge, Sobel x, Sobel y, Scharr x, Laplacian, Emboss, Red-channel edge
    matrix = np.array([
        [1 / 3, 0, 1 / 3, 0, 1 / 3, 0, 0, 0],       # the three vertical-edge detectors averaged
        [0, 1 / 2, 0, 1 / 2, 0, 0, 0, 0],           # the two horizontal ones
        [1 / 8] * 8,                                # every edge, any direction
        [-1 / 3, 0, 0, 0, 0, 0, 0, 1],              # where red changes more than the picture's brightness
    ], np.float32)
    names = ("vertical edges", "horizontal edges", "all edges", "red more than gray")
    mix = ConvLayer(mixing_bank(matrix, names), LayerSettings(padding="same"))
    return Network((edges, mix))


# --- edges → corners ------------------------------------------------------------------------
_STEP = np.array([[1, 0, -1]] * 3, np.float32) / 9  # a full step on RGB (3 channels) gives 1


def _edge(name: str, kernel: np.ndarray) -> Filter:
    return Filter(name, np.repeat(kernel[:, :, None], 3, axis=2))


def _corner(name: str, arms: dict[int, tuple[tuple[int, int], ...]]) -> Filter:
    """A 3×3×4 filter: weight 1 on each arm's cells of its edge channel, bias −1.5.

    One straight edge covers at most one arm (2 cells: 2 − 1.5 = 0.5); a corner
    covers both (4 cells: 4 − 1.5 = 2.5), so after ReLU corners stand out.
    """
    weights = np.zeros((3, 3, 4), np.float32)
    for channel, cells in arms.items():
        for row, col in cells:
            weights[row, col, channel] = 1.0
    return Filter(name, weights, bias=-1.5, linked=False)


def edges_to_corners() -> Network:
    """Two 3×3 layers with ReLU and 2×2 max pooling: oriented edges, then corners of bright shapes.

    Layer 1 finds the four half-edges (bright on one side), each 1 on a full
    step. Layer 2's filters add two of them in an L: a bright shape's top-left
    corner is where "bright right" (its left side) runs down and "bright below"
    (its top side) runs right, and so on for the other corners.
    """
    edges = FilterBank((
        _edge("bright left", _STEP), _edge("bright right", -_STEP),
        _edge("bright above", _STEP.T), _edge("bright below", -_STEP.T),
    ))
    left, right, above, below = range(4)
    down, up = ((1, 1), (2, 1)), ((0, 1), (1, 1))
    rightward, leftward = ((1, 1), (1, 2)), ((1, 0), (1, 1))
    corners = FilterBank((
        _corner("top-left corner", {right: down, below: rightward}),
        _corner("top-right corner", {left: down, below: leftward}),
        _corner("bottom-left corner", {right: up, above: rightward}),
        _corner("bottom-right corner", {left: up, above: leftward}),
    ))
    pooled = PoolSettings("max", 2, 2)
    return Network((ConvLayer(edges, LayerSettings(padding="same", activation="relu", pool=pooled)),
                    ConvLayer(corners, LayerSettings(padding="same", activation="relu", pool=pooled))))


NETWORK_PRESETS: dict[str, NetworkPreset] = {
    p.name: p
    for p in (
        NetworkPreset("LeNet-style (notes)", "32×32×3 → CONV1 5×5, 8 → pool → CONV2 5×5, 16 → pool → FC 120 → FC 10: "
                      "the notes' table of shapes and parameters.", lenet),
        NetworkPreset("Simple CNN 39×39×3 (notes)", "f=3, 10 filters → f=5, s=2, 20 → f=5, s=2, 40: "
                      "7×7×40 = 1,960 values to unroll.", simple_cnn),
        NetworkPreset("1×1 mixing", "Eight edge filters with ReLU, then a 1×1 layer mixing them into 4 "
                      "(a fully-connected layer at every pixel).", one_by_one),
        NetworkPreset("Edges → corners", "Oriented half-edges, then a second layer that adds two edges in an L: "
                      "it lights up at the corners of bright shapes.", edges_to_corners),
    )
}


def network_preset(name: str) -> Network:
    """The built-in network called ``name`` (one of :data:`NETWORK_PRESETS`)."""
    try:
        return NETWORK_PRESETS[name].build()
    except KeyError:
        raise ValueError(f"unknown network {name!r}; choose one of: {', '.join(NETWORK_PRESETS)}") from None
