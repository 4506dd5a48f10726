"""A frame through a stack of conv layers: each layer's output feeds the next.

Engine-level: a network arrives as *stages*, one ``(w, b, settings)`` per layer
(``w`` (f, f, n_c, K), ``b`` (K,), :class:`LayerSettings`), so this module needs
nothing from the kernel models. :meth:`playground.kernels.network.Network.stages`
builds them; there a disabled filter has zero weights and bias, so the channel
it feeds onward is exactly zero and no shape changes when filters are switched
off. Map k of a layer's output is filter k of its bank, enabled or not.
"""

from __future__ import annotations

import cv2
import numpy as np

from .layer import LayerOutput, LayerSettings, run_layer

__all__ = ["run_network", "next_input", "prepare_input", "LUMINANCE"]

LUMINANCE = (0.299, 0.587, 0.114)  # ITU-R BT.601 weights of R, G, B (as OpenCV's RGB→gray)


def next_input(output: LayerOutput):
    """What a layer hands to the next one: the pooled maps if it pools, else its maps."""
    return output.pooled if output.pooled is not None else output.maps


def run_network(x, stages, *, per_channel_layer: int | None = None) -> tuple[LayerOutput, ...]:
    """Run one frame through every layer.

    Parameters
    ----------
    x : array (n_H, n_W, n_c)
        The frame, already at the network's input size and channel count (see
        :func:`prepare_input`); NumPy or CuPy.
    stages : sequence of (w, b, settings)
        ``w`` (f, f, n_c[l−1], K[l]), ``b`` (K[l],) or None, ``settings`` a
        :class:`LayerSettings`; stage l's n_c must be stage l−1's K.
    per_channel_layer : int, optional
        The one layer (0-based) whose per-channel contributions are computed
        (the view shows them for the selected layer only; they cost n_c times
        the maps). None: no layer's.

    Returns
    -------
    tuple of LayerOutput
        One per stage, in order: ``maps`` (n_H[l], n_W[l], K[l]) after bias and
        activation, ``pooled`` when the layer pools, ``contributions``
        (n_H[l], n_W[l], n_c[l−1], K[l]) only for ``per_channel_layer``.

    Raises
    ------
    ValueError
        The stages do not chain, or a layer leaves no output (a kernel or pool
        window larger than its input); the message starts with "layer l:".
    """
    if getattr(x, "ndim", 0) != 3:
        raise ValueError(f"x must be one frame (n_H, n_W, n_c); got shape {getattr(x, 'shape', None)}")
    stages = tuple(stages)
    if not stages:
        raise ValueError("a network needs at least one layer")
    if per_channel_layer is not None and not 0 <= per_channel_layer < len(stages):
        raise ValueError(f"per_channel_layer must be 0 to {len(stages) - 1} or None; got {per_channel_layer!r}")
    outputs = []
    for index, stage in enumerate(stages):
        try:
            w, b, settings = stage
        except (TypeError, ValueError):
            raise ValueError(f"layer {index + 1}: a stage is (w, b, settings); got {type(stage).__name__}") from None
        if not isinstance(settings, LayerSettings):
            raise ValueError(f"layer {index + 1}: settings must be LayerSettings; got {type(settings).__name__}")
        if getattr(w, "ndim", 0) != 4:
            raise ValueError(f"layer {index + 1}: w must be (f, f, n_c, K); got shape {getattr(w, 'shape', None)}")
        n_c = x.shape[-1]
        if w.shape[2] != n_c:
            source = "the input has" if index == 0 else f"layer {index} gives"
            raise ValueError(f"layer {index + 1}: its filters take {w.shape[2]} channels, but {source} {n_c}")
        try:
            output = run_layer(x, w, b, settings, per_channel=index == per_channel_layer)
        except ValueError as exc:
            raise ValueError(f"layer {index + 1}: {exc}") from None
        outputs.append(output)
        x = next_input(output)
    return tuple(outputs)


def prepare_input(frame: np.ndarray, size: tuple[int, int] | None = None, channels: int | None = None) -> np.ndarray:
    """A frame made ready for a network's first layer.

    Parameters
    ----------
    frame : numpy.ndarray (n_H, n_W, n_c) or (n_H, n_W)
        Float or integer values; returned as float32 (values are not rescaled).
    size : (n_H, n_W), optional
        The network's fixed input size; the frame is resized with area
        interpolation (``cv2.INTER_AREA``: each output pixel averages the input
        pixels it covers, so shrinking to the notes' 32×32 does not alias).
    channels : {1, 3}, optional
        3 repeats a gray frame; 1 turns RGB into luminance (0.299 R + 0.587 G + 0.114 B).

    Returns
    -------
    numpy.ndarray, float32, (n_H', n_W', n_c')
        ``frame`` itself (no copy) when nothing needs changing and it is float32.
    """
    array = np.asarray(frame)
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or 0 in array.shape:
        raise ValueError(f"frame must be (n_H, n_W, n_c); got shape {np.shape(frame)}")
    if array.dtype != np.float32:
        array = array.astype(np.float32)
    if channels is not None and channels != array.shape[2]:
        if channels == 1 and array.shape[2] == 3:
            array = (array @ np.asarray(LUMINANCE, np.float32))[:, :, None]
        elif channels == 3 and array.shape[2] == 1:
            array = np.repeat(array, 3, axis=2)
        else:
            raise ValueError(f"cannot turn a {array.shape[2]}-channel frame into {channels} channels")
    if size is not None:
        n_h, n_w = (int(n) for n in size)
        if n_h < 1 or n_w < 1:
            raise ValueError(f"input size must be positive; got {size!r}")
        if array.shape[:2] != (n_h, n_w):
            resized = cv2.resize(array, (n_w, n_h), interpolation=cv2.INTER_AREA)  # cv2 takes (width, height)
            array = resized.reshape(n_h, n_w, array.shape[2])  # cv2 drops a single channel's axis
    return array
