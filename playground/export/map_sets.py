"""Gather what an export writes from a rendered frame: each view's maps, titles and levels.

The views the app drew (:class:`playground.live.processor.MapView`) are used as
they are, so the exported pictures have the displayed levels. A view the app
did not draw (per-channel maps switched off, pooled maps hidden) is computed
here from the same frame and settings, with levels from the same policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.engine import asnumpy, conv2d_per_channel
from playground.kernels.network import channel_names
from playground.render.levels import map_levels, noise_floors

from .naming import channel_name, map_stem

__all__ = ["MapSet", "collect_map_sets", "exported_input"]


def exported_input(rendered) -> np.ndarray:
    """What the selected layer read, float32 (n_H, n_W, n_c): the frame an export writes as
    ``frame.npy`` and recomputes from.

    Layer 1's input is the frame as the network takes it (resized to a fixed input
    size, channels following the source); a later layer's is the previous layer's
    output (pooled where it pools) — not the source frame.
    """
    for x in (rendered.layer_input, rendered.network_input, rendered.frame):
        if x is not None:
            return np.ascontiguousarray(asnumpy(x), np.float32)
    raise ValueError("the frame has no input")


@dataclass(frozen=True)
class MapSet:
    """One view's maps, ready to write.

    Attributes
    ----------
    key : {"filters", "channels", "pooled"}
    folder : str
        Sub-folder of the export for the PNG files ("" for the export itself).
    values : numpy.ndarray, float32
        (n_H, n_W, K), or (n_H, n_W, n_c, K) for "channels". Often a strided view
        of the engine's planar result: writers take it as it is, since a
        contiguous copy of 32 full-size maps is hundreds of megabytes.
    cells : tuple of tuples
        Per picture, its index into ``values``' trailing axes: (k,) or (c, k).
    titles : tuple of str
        As the app shows them above the maps.
    levels : numpy.ndarray, float64, (N, 2)
        (low, high) per picture: the values shown at the colour table's ends.
    signed : bool
        Diverging colours (signed maps) or sequential (maps ≥ 0).
    stems : tuple of str
        File name per picture without ".png": ``03_sobel-x``, ``03_sobel-x_R``.
    """

    key: str
    folder: str
    values: np.ndarray
    cells: tuple
    titles: tuple
    levels: np.ndarray
    signed: bool
    stems: tuple

    def tile(self, index: int) -> np.ndarray:
        """Picture ``index``'s map, (n_H, n_W)."""
        return self.values[(slice(None), slice(None)) + self.cells[index]]

    @property
    def files(self) -> tuple[str, ...]:
        """Relative paths of the PNG files, in picture order."""
        prefix = f"{self.folder}/" if self.folder else ""
        return tuple(f"{prefix}{stem}.png" for stem in self.stems)


def _levels(values: np.ndarray, policy, signed: bool, floors: np.ndarray) -> np.ndarray:
    """The levels the app would show for ``values`` (h, w, …): the processor's own rule."""
    h, w = values.shape[:2]
    planar = np.ascontiguousarray(values.reshape(h, w, -1).transpose(0, 2, 1))  # (h, N, w)
    return map_levels(planar, policy, signed, floors)


def _from_view(view, key: str, folder: str, stems: tuple) -> MapSet:
    values = np.asarray(view.values, np.float32)  # no copy: see MapSet.values
    return MapSet(key, folder, values, tuple(view.cells), tuple(view.titles), np.array(view.levels, np.float64),
                  bool(view.signed), stems)


def collect_map_sets(rendered, per_channel: bool = True, pooled: bool = True) -> list[MapSet]:
    """The map sets an export of ``rendered`` writes: filters, then per channel, then pooled.

    Parameters
    ----------
    rendered : RenderedFrame
        A frame the processor computed without error.
    per_channel : bool
        Include each input channel's contribution (n_H, n_W, n_c, K).
    pooled : bool
        Include the pooled maps when the layer pools.

    Returns
    -------
    list of MapSet
    """
    snapshot = rendered.snapshot
    bank, layer, policy = snapshot.bank, snapshot.layer, snapshot.view.levels
    names = bank.names()
    k = len(names)
    signed = layer.activation == "none"
    floor_k, floor_ck = noise_floors(bank.weights(), bank.biases())
    filter_stems = tuple(map_stem(i, name) for i, name in enumerate(names))
    sets = [_from_view(rendered.views["filters"], "filters", "", filter_stems)]

    if per_channel:
        view = rendered.views.get("channels")
        if view is not None:
            n_c = view.values.shape[2]
        else:
            contributions = conv2d_per_channel(
                exported_input(rendered), bank.weights(), bank.biases(), stride=layer.stride,
                padding=rendered.output.pads, dilation=layer.dilation, flip=layer.flip)
            values = np.ascontiguousarray(asnumpy(contributions), np.float32)
            n_c = values.shape[2]
        cells = tuple((c, i) for c in range(n_c) for i in range(k))
        stems = tuple(f"{filter_stems[i]}_{channel_name(c)}" for c, i in cells)
        if view is not None:
            sets.append(_from_view(view, "channels", "per_channel", stems))
        else:
            fed_by = list(channel_names(snapshot.network, snapshot.selected))   # the one naming rule
            if len(fed_by) != n_c:
                fed_by = [channel_name(c) for c in range(n_c)]
            flipped = " · flipped" if layer.flip else ""
            titles = tuple(f"{names[i]} · {fed_by[c]}{flipped}" for c, i in cells)
            sets.append(MapSet("channels", "per_channel", values, cells, titles,
                               _levels(values, policy, True, floor_ck), True, stems))

    if pooled and layer.pool is not None:
        view = rendered.views.get("pooled")
        if view is not None:
            sets.append(_from_view(view, "pooled", "pooled", filter_stems))
        elif rendered.output is not None and rendered.output.pooled is not None:
            values = np.ascontiguousarray(asnumpy(rendered.output.pooled), np.float32)
            ph, pw = values.shape[:2]
            titles = tuple(f"{name} · pooled {ph}×{pw}" for name in names)
            sets.append(MapSet("pooled", "pooled", values, tuple((i,) for i in range(k)), titles,
                               _levels(values, policy, signed, floor_k), signed, filter_stems))
    return sets
