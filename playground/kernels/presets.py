"""Named kernels a person can pick: the notes' edge detectors and the classic filters.

Every kernel is in cross-correlation orientation (what CNNs and the notes compute):
the vertical-edge kernel [[1, 0, −1], …] is positive where bright is left of dark.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .model import MAX_SIZE, Filter, FilterBank, resize_centered

__all__ = ["Preset", "PRESETS", "preset_names", "preset_weights", "preset_filter", "starter_bank"]


@dataclass(frozen=True)
class Preset:
    """A named kernel recipe.

    ``build(f)`` returns (f, f, n_c=3) weights for a requested size; ``natural`` is
    the size the kernel is defined at (fixed kernels are zero-padded to larger f).
    """

    name: str
    description: str
    natural: int
    build: Callable[[int], np.ndarray]
    any_size: bool = False


def _fixed(rows) -> Callable[[int], np.ndarray]:
    kernel = np.asarray(rows, np.float32)

    def build(_f: int) -> np.ndarray:
        return np.repeat(kernel[:, :, None], 3, axis=2)

    return build


def _identity(f: int) -> np.ndarray:
    kernel = np.zeros((f, f, 3), np.float32)
    kernel[(f - 1) // 2, (f - 1) // 2] = 1.0  # the cell "same" padding aligns with the pixel
    return kernel


def _box(f: int) -> np.ndarray:
    return np.full((f, f, 3), 1.0 / (f * f), np.float32)


def _gaussian(f: int) -> np.ndarray:
    # σ from the kernel size by OpenCV's formula 0.3·((f−1)/2 − 1) + 0.8 (OpenCV itself
    # uses fixed tables up to 7×7, e.g. [¼ ½ ¼] at 3×3; this keeps one rule for every f)
    sigma = 0.3 * ((f - 1) * 0.5 - 1) + 0.8
    centre = (f - 1) / 2
    axis = np.exp(-((np.arange(f) - centre) ** 2) / (2 * sigma * sigma))
    kernel = np.outer(axis, axis)
    kernel /= kernel.sum()
    return np.repeat(kernel[:, :, None], 3, axis=2).astype(np.float32)


def _red_only(_f: int) -> np.ndarray:
    kernel = np.zeros((3, 3, 3), np.float32)
    kernel[:, :, 0] = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]
    return kernel


_VERTICAL = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]
_SOBEL_X = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
_SCHARR_X = [[3, 0, -3], [10, 0, -10], [3, 0, -3]]
_PREWITT_X = _VERTICAL  # the notes' vertical-edge kernel is Prewitt's


def _t(rows):
    return np.asarray(rows).T.tolist()


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("Identity", "Copies the input: the map is the picture itself (a 1 in the centre cell).", 1,
               _identity, any_size=True),
        Preset("Vertical edge", "The notes' vertical-edge detector: bright left of dark gives positive values.", 3,
               _fixed(_VERTICAL)),
        Preset("Horizontal edge", "The notes' horizontal-edge detector: bright above dark gives positive values.", 3,
               _fixed(_t(_VERTICAL))),
        Preset("Sobel x", "Sobel, vertical edges: more weight on the centre row for robustness (notes).", 3,
               _fixed(_SOBEL_X)),
        Preset("Sobel y", "Sobel, horizontal edges: the transpose of Sobel x.", 3, _fixed(_t(_SOBEL_X))),
        Preset("Scharr x", "Scharr, vertical edges: 3, 10, 3 weights (notes).", 3, _fixed(_SCHARR_X)),
        Preset("Scharr y", "Scharr, horizontal edges: the transpose of Scharr x.", 3, _fixed(_t(_SCHARR_X))),
        Preset("Prewitt x", "Prewitt, vertical edges: equal weights on every row.", 3, _fixed(_PREWITT_X)),
        Preset("Prewitt y", "Prewitt, horizontal edges.", 3, _fixed(_t(_PREWITT_X))),
        Preset("Laplacian", "Second derivative: lights up both sides of every edge, any direction.", 3,
               _fixed([[0, 1, 0], [1, -4, 1], [0, 1, 0]])),
        Preset("Box blur", "The mean of the f×f window (weights 1/f²).", 3, _box, any_size=True),
        Preset("Gaussian blur", "A smooth weighted mean, heaviest in the centre; weights sum to 1.", 3,
               _gaussian, any_size=True),
        Preset("Sharpen", "Identity plus a negative Laplacian: edges get crisper.", 3,
               _fixed([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])),
        Preset("Emboss", "A diagonal derivative plus the picture: looks lit from the top left.", 3,
               _fixed([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])),
        Preset("Red-channel edge", "Vertical edges of the red channel only: zero weights on G and B, "
               "so the per-channel view shows just one non-zero slice.", 3, _red_only),
    )
}


def preset_names() -> tuple[str, ...]:
    """All preset names, in menu order."""
    return tuple(PRESETS)


def preset_weights(name: str, size: int, channels: int = 3) -> np.ndarray:
    """The preset's kernel at f = ``size`` (padded with zeros if it is defined smaller).

    Parameters
    ----------
    name : str
        One of :func:`preset_names`.
    size : int
        The bank's f; fixed kernels need ``size ≥`` their natural size.
    channels : int
        n_c; RGB presets are cut to the first channels, or the first channel is repeated.

    Returns
    -------
    numpy.ndarray, float32, (size, size, channels)
    """
    try:
        preset = PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}") from None
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"kernel size f must be 1 to {MAX_SIZE}; got {size}")
    if preset.any_size:
        kernel = preset.build(size)
    else:
        if size < preset.natural:
            raise ValueError(f"{name} is a {preset.natural}×{preset.natural} kernel; the bank's f is {size}")
        kernel = resize_centered(preset.build(size), size)
    if channels <= 3:
        return np.ascontiguousarray(kernel[:, :, :channels])
    return np.repeat(kernel[:, :, :1], channels, axis=2)


def preset_filter(name: str, size: int = 3, channels: int = 3) -> Filter:
    """A :class:`Filter` named after the preset, linked unless its channels differ."""
    weights = preset_weights(name, size, channels)
    linked = bool(np.all(weights == weights[:, :, :1]))
    return Filter(name, weights, linked=linked)


def starter_bank() -> FilterBank:
    """The bank the app opens with: edges of every direction show at first sight."""
    names = ("Vertical edge", "Horizontal edge", "Sobel x", "Sobel y",
             "Scharr x", "Laplacian", "Emboss", "Red-channel edge")
    return FilterBank(tuple(preset_filter(name) for name in names))
