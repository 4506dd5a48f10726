"""How a picture enters the network: its value scale ([0, 1] or raw 0–255) and colour or gray.

Picture sources (demo, image, video, webcam) yield RGB in [0, 1]. The notes'
numbers are raw pixel values — a bright 10 next to a dark 0 — so a person can
switch to raw 0–255 and see the same map ×255. Gray mode turns any frame into
one luminance channel (n_c = 1), the notes' "grayscale image"; the first layer's
bank then follows with :func:`playground.kernels.channels.follow_channels`.

Matrix sources are raw already: the scale choice does not apply to them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.engine.network import LUMINANCE

__all__ = ["InputMode", "INPUT_SCALES", "LUMINANCE", "apply_input_mode", "to_grayscale", "scale_frame",
           "input_channels"]

INPUT_SCALES = ("unit", "raw")
_SCALE_FACTORS = {"unit": 1.0, "raw": 255.0}
_SCALE_TEXT = {"unit": "[0, 1]", "raw": "0–255"}


@dataclass(frozen=True)
class InputMode:
    """The input choices for picture sources.

    Parameters
    ----------
    scale : {"unit", "raw"}
        "unit": values in [0, 1] as the sources give them; "raw": ×255, the
        0–255 a camera or file actually holds.
    grayscale : bool
        One luminance channel instead of R, G, B.
    """

    scale: str = "unit"
    grayscale: bool = False

    def __post_init__(self):
        if self.scale not in INPUT_SCALES:
            raise ValueError(f"input scale must be 'unit' ([0, 1]) or 'raw' (0–255); got {self.scale!r}")
        object.__setattr__(self, "grayscale", bool(self.grayscale))

    @property
    def factor(self) -> float:
        """What picture values are multiplied by: 1 or 255."""
        return _SCALE_FACTORS[self.scale]

    def describe(self) -> str:
        """E.g. ``"gray, 0–255"`` or ``"RGB, [0, 1]"``, for a title or a status bar."""
        return f"{'gray' if self.grayscale else 'RGB'}, {_SCALE_TEXT[self.scale]}"

    def to_dict(self) -> dict:
        """Plain values for settings files: ``{"scale": "unit", "grayscale": False}``."""
        return {"scale": self.scale, "grayscale": self.grayscale}

    @classmethod
    def from_dict(cls, data) -> InputMode:
        """The inverse of :meth:`to_dict`; ValueError naming a bad entry."""
        if not isinstance(data, dict):
            raise ValueError(f"input mode must be a mapping; got {type(data).__name__}")
        unknown = set(data) - {"scale", "grayscale"}
        if unknown:
            raise ValueError(f"unknown input mode entries: {', '.join(sorted(map(str, unknown)))}")
        grayscale = data.get("grayscale", False)
        if not isinstance(grayscale, bool):
            raise ValueError(f"input mode 'grayscale' must be true or false; got {grayscale!r}")
        return cls(scale=data.get("scale", "unit"), grayscale=grayscale)


def to_grayscale(frame) -> np.ndarray:
    """One luminance channel: 0.299·R + 0.587·G + 0.114·B (the engine's ``LUMINANCE``).

    Parameters
    ----------
    frame : array, (n_H, n_W, 3) RGB, or (n_H, n_W, 1) / (n_H, n_W) already gray

    Returns
    -------
    numpy.ndarray, float32, (n_H, n_W, 1), C-contiguous, a new array

    Raises
    ------
    ValueError
        For other channel counts (luminance needs R, G and B).
    """
    array = np.asarray(frame)
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or array.shape[2] not in (1, 3):
        raise ValueError(f"grayscale needs an RGB (n_H, n_W, 3) or gray frame; got shape {array.shape}")
    if array.shape[2] == 1:
        return np.array(array, dtype=np.float32, order="C")
    gray = array.astype(np.float32, copy=False) @ np.asarray(LUMINANCE, np.float32)
    return np.ascontiguousarray(gray[:, :, None])


def scale_frame(frame, scale: str) -> np.ndarray:
    """A [0, 1] picture frame at the chosen scale (a new float32 array for "raw").

    Parameters
    ----------
    frame : array, (n_H, n_W, n_c), values in [0, 1]
    scale : {"unit", "raw"}

    Returns
    -------
    numpy.ndarray, float32, same shape: ``frame`` itself for "unit", ×255 for "raw"
    """
    factor = InputMode(scale=scale).factor
    array = np.asarray(frame, dtype=np.float32)
    if factor == 1.0:
        return array
    return array * np.float32(factor)


def apply_input_mode(frame, mode: InputMode, *, raw_source: bool = False) -> np.ndarray:
    """The frame the first layer sees.

    Parameters
    ----------
    frame : array, (n_H, n_W, n_c)
        From a source: RGB in [0, 1] for pictures, any values for a matrix.
    mode : InputMode
    raw_source : bool
        True for sources whose values are raw already (``MatrixSource.raw``): the
        scale is not applied to them; gray mode still is (when n_c is 3).

    Returns
    -------
    numpy.ndarray, float32, (n_H, n_W, 1) in gray mode, else (n_H, n_W, n_c)
        ``frame`` itself when nothing changes (it may be read-only).

    Raises
    ------
    ValueError
        Gray mode on a frame with neither 1 nor 3 channels.
    """
    array = np.asarray(frame, dtype=np.float32)
    if mode.grayscale and not (array.ndim == 3 and array.shape[2] == 1):
        array = to_grayscale(array)
        if not raw_source and mode.factor != 1.0:
            array *= np.float32(mode.factor)  # in place: to_grayscale gave a new array
        return array
    return array if raw_source else scale_frame(array, mode.scale)


def input_channels(frame_channels: int, mode: InputMode) -> int:
    """n_c of the first layer's input for a source of ``frame_channels`` channels."""
    return 1 if mode.grayscale else int(frame_channels)
