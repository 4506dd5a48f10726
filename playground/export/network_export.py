"""A frame's export for a whole network: one folder per layer and a meta.json for the network.

Layout of one frame's folder::

    meta.json        the network (every layer's bank and settings: open it with
                     ``--network``), the source, the input size, the layer folders
    layer1/          as a one-layer export: maps.npy, per_channel.npy, pooled.npy,
    layer2/          PNGs, contact sheet, and a meta.json whose frame.npy is *this
    …                layer's input* (the picture for layer 1, the previous layer's
                     output after that), so each folder reproduces its maps alone

The maps are computed by the same :class:`~playground.live.processor.FrameProcessor`
as the app, with each layer selected in turn.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import numpy as np

from playground import __version__
from playground.engine import asnumpy
from playground.live.network_frame import display_rgb, fit_input, run_layers
from playground.live.snapshot import Snapshot, ViewSettings

from .atomic import ExportError, atomic_write_json
from .maps_export import check_exportable, write_frame
from .network_io import network_to_dict

__all__ = ["write_network_frame", "layer_folder"]


def layer_folder(index: int) -> str:
    """``layer1``, ``layer2``… for layer ``index`` (0-based)."""
    return f"layer{index + 1}"


def write_network_frame(processor, frame: np.ndarray, network, folder: Path, *, index: int, per_channel,
                        scale: float, tiff: bool, contact_sheet: bool, source_text: str | None) -> dict:
    """Compute ``frame`` through ``network`` and write every layer's files under ``folder``.

    Parameters
    ----------
    processor : FrameProcessor
    frame : numpy.ndarray float32 (n_H, n_W, n_c)
    network : Network
    folder : pathlib.Path
        An existing, empty folder.
    per_channel : callable (layer index, layer input shape, bank, settings) → bool
        Whether that layer's per-channel maps are written (the caller's memory budget).
    scale : float
        Drawing scale of the screen mosaics the processor also makes (nobody sees them here).

    Returns
    -------
    dict
        The network meta.json written.

    Raises
    ------
    ValueError
        A layer leaves no output (the message names the layer).
    ExportError
        A file cannot be written.
    """
    fitted, x = fit_input(frame, network)
    folders = []
    layer_input = x
    for layer_index, layer in enumerate(fitted.layers):
        if layer_index:
            _, _, layer_input = run_layers(layer_input, fitted, layer_index - 1, layer_index)
        host_input = np.ascontiguousarray(asnumpy(layer_input), np.float32)
        wanted = per_channel(layer_index, host_input.shape, layer.bank, layer.settings)
        view = ViewSettings(per_channel=wanted, display_scale=scale)
        rendered = processor.process(frame, Snapshot(network=fitted, selected=layer_index, view=view),
                                     index=index, smooth=False)
        if rendered.error:
            raise ValueError(rendered.error)
        check_exportable(rendered)
        # this layer's own input as the frame: its meta.json and frame.npy reproduce its maps
        rendered = dataclasses.replace(rendered, frame=host_input, input_rgb=display_rgb(host_input))
        sub = folder / layer_folder(layer_index)
        try:
            sub.mkdir()
        except OSError as exc:
            raise ExportError(f"cannot create '{sub}': {exc.strerror or exc}") from None
        text = source_text if layer_index == 0 else f"{source_text or 'input'} → layers 1–{layer_index}"
        write_frame(rendered, sub, per_channel=wanted, tiff=tiff, contact_sheet=contact_sheet, source_text=text)
        folders.append(sub.name)
    meta = {
        "app": f"Kernel Playground {__version__}",
        "source": source_text or "unknown",
        "frame_index": int(index),
        "frame_shape": list(frame.shape),
        "network_input_shape": list(x.shape),
        "input_resized": network.input_size is not None and tuple(x.shape[:2]) != tuple(frame.shape[:2]),
        "timestamp": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "layers": folders,
        "layer_files": "each layer folder holds that layer's maps and a meta.json whose frame.npy is the "
                       "layer's input (the previous layer's output, pooled where it pools)",
        "network": network_to_dict(fitted),
    }
    atomic_write_json(folder / "meta.json", meta)
    return meta
