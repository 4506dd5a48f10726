"""``meta.json``: everything needed to know how the exported maps were made, and to redo them."""

from __future__ import annotations

import datetime

import numpy as np

from playground import __version__
from playground.engine import get_backend

from .jsonfmt import float32_lists
from .map_sets import exported_input
from .network_io import network_to_dict

__all__ = ["META_VERSION", "build_meta"]

META_VERSION = 1

_REPRODUCE = (
    "x = np.load('frame.npy') (the input of the layer named in meta['layer']); "
    "w = np.array(meta['weights'], np.float32); b = np.array(meta['bias'], np.float32); "
    "maps = conv2d(x, w, b, stride=meta['stride'], padding=meta['padding'], dilation=meta['dilation'], "
    "flip=meta['flip']); then relu(maps) or abs(maps) per meta['activation'] gives maps.npy; "
    "pool2d(maps, pool['size'], pool['stride'], mode=pool['mode']) gives pooled.npy "
    "(playground.engine; float32, equal to rounding)"
)


def _plain(value):
    """Tuples → lists, numpy scalars → Python numbers (for JSON)."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def build_meta(rendered, map_sets, arrays: dict, source_text: str | None = None,
               extra_files: tuple[str, ...] = ()) -> dict:
    """The contents of ``meta.json`` for one exported frame.

    Parameters
    ----------
    rendered : RenderedFrame
    map_sets : list of MapSet
        What was written as PNG (their levels and colour tables are recorded).
    arrays : dict of str to tuple
        File name → shape of every array file written (.npy, .tiff pages).
    source_text : str, optional
        Where the frame came from (a file path, "demo"…).
    extra_files : tuple of str
        Other files written (input.png, contact_sheet.png).

    Returns
    -------
    dict
        JSON-ready. Weights ``(f, f, n_c, K)`` as the shortest decimals that give
        back the same float32; ``padding`` resolved to ``[[top, bottom], [left, right]]``.
    """
    snapshot = rendered.snapshot
    bank, layer, view = snapshot.bank, snapshot.layer, snapshot.view
    network, selected = snapshot.network, snapshot.selected
    pool = layer.pool
    backend = get_backend()
    policy = view.levels
    x = exported_input(rendered)
    if selected == 0:
        input_range = [0.0, 1.0]
        described = (f"the network's input, float32 {tuple(x.shape)} as the engine received it "
                     "(RGB or gray in [0, 1] for a picture, raw values for a typed matrix): frame.npy")
    else:
        input_range = [float(x.min()), float(x.max())] if x.size else [0.0, 0.0]
        described = (f"layer {selected + 1}'s input, float32 {tuple(x.shape)}: layer {selected}'s output "
                     f"({'pooled, ' if network.layers[selected - 1].settings.pool is not None else ''}"
                     "every filter, a disabled one as zeros) as the engine received it: frame.npy")
    return {
        "meta_version": META_VERSION,
        "app": f"Kernel Playground {__version__}",
        "source": source_text if source_text else "unknown",
        "frame_index": int(rendered.index),
        "frame_shape": list(x.shape),
        "source_frame_shape": list(np.shape(rendered.frame)),
        "input_range": input_range,
        "input": described,
        "layer": {"index": selected + 1, "name": f"CONV{selected + 1}", "of": network.depth},
        "network": network_to_dict(network),
        "timestamp": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "backend": backend.name,
        "device": backend.device,
        "names": list(bank.names()),
        "filter_indices": list(bank.active),
        "weights_layout": "(f, f, n_c, K)",
        "weights": float32_lists(bank.weights()),
        "bias": float32_lists(bank.biases()),
        "stride": [layer.stride, layer.stride],
        "padding": _plain(rendered.output.pads),
        "padding_setting": _plain(layer.padding),
        "dilation": [layer.dilation, layer.dilation],
        "flip": bool(layer.flip),
        "operation": "true convolution (kernels flipped 180°)" if layer.flip else "cross-correlation",
        "activation": layer.activation,
        "pool": None if pool is None else {"mode": pool.mode, "size": pool.size, "stride": pool.stride},
        "maps_stage": "maps.npy: after bias and activation, before pooling; per_channel.npy: each input "
                      "channel's share of the products, before bias and activation (summed over n_c, plus "
                      "the bias, they give the maps before activation); pooled.npy: after pooling",
        "levels_policy": {"mode": policy.mode, "percentile": policy.percentile, "fixed": policy.fixed,
                          "shared": policy.shared},
        "images": {
            s.key: {
                "colormap": "diverging" if s.signed else "sequential",
                "files": list(s.files),
                "titles": list(s.titles),
                "levels": [[float(low), float(high)] for low, high in s.levels],
            }
            for s in map_sets
        },
        "arrays": {name: list(shape) for name, shape in arrays.items()},
        "files": list(extra_files),
        "reproduce": _REPRODUCE,
    }
