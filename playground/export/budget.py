"""How much memory one export takes, estimated from shapes before anything is computed.

The full-size maps are what costs: K maps of n_H × n_W float32, and n_c times
as many per-channel maps. A 1920×1920 frame (what a 12000² picture is fitted
to) with 32 filters gives 472 MB of maps and 1.4 GB of per-channel maps, so an
export checks :func:`export_cost` against :data:`MEMORY_BUDGET` first and
leaves the per-channel maps out, or refuses, rather than run the machine out
of memory. The figures are upper bounds measured against peak RSS (README).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.engine.shapes import output_size

__all__ = ["MEMORY_BUDGET", "ExportCost", "export_cost", "size_text"]

MEMORY_BUDGET = 1_500_000_000  # bytes one export may use at its peak: 1.5 GB
# Python with NumPy and OpenCV loaded, the source's decode buffers, pictures being encoded
_BASE = 200_000_000
# on top of the arrays themselves: the processor's tiles and level samples, writers' chunks.
# Measured peak RSS / estimate: 0.91 for 1920² × 32 maps (812 of 890 MB), 0.76 for 1280×720 with
# per-channel maps (712 of 939 MB)
_MARGIN = 1.2
_FLOAT = 4


@dataclass(frozen=True)
class ExportCost:
    """Bytes an export of one frame holds at its peak, by part.

    Attributes
    ----------
    base : int
        The program itself and what writing one picture at a time needs.
    frame : int
        The frame, as the source gave it and as float32 RGB.
    maps : int
        The full-size maps (n_H, n_W, K), plus the copy an activation makes.
    per_channel : int
        The per-channel maps (n_H, n_W, n_c, K) and the maps computed beside them.
    pooled : int
        The pooled maps.
    out_shape : tuple of int
        (n_H, n_W), for messages.
    """

    base: int
    frame: int
    maps: int
    per_channel: int
    pooled: int
    out_shape: tuple

    def total(self, per_channel: bool) -> int:
        """Peak bytes of the export with or without the per-channel maps (an upper bound)."""
        arrays = self.frame + self.maps + self.pooled + (self.per_channel if per_channel else 0)
        return int(self.base + _MARGIN * arrays)


def export_cost(frame_shape: tuple, bank, layer, tiff: bool = False) -> ExportCost:
    """Estimate the memory of exporting one frame of ``frame_shape`` through ``bank`` and ``layer``.

    Parameters
    ----------
    frame_shape : (H, W, n_c)
    bank : FilterBank
        Only its shape is used: f, n_c and the number of enabled filters K.
    layer : LayerSettings
    tiff : bool
        Whether TIFF files are written too (one page at a time: a page's worth).

    Returns
    -------
    ExportCost
    """
    h, w = int(frame_shape[0]), int(frame_shape[1])
    n_c = int(frame_shape[2]) if len(frame_shape) > 2 else 1
    f = bank.size
    k = max(1, len(bank.active))
    pads = layer.pads((h, w), f)
    n_h = max(0, output_size(h, f, pads[0], layer.stride, layer.dilation))
    n_w = max(0, output_size(w, f, pads[1], layer.stride, layer.dilation))
    plane = n_h * n_w * _FLOAT
    maps = plane * k * (1 if layer.activation == "none" else 2)
    pooled = 0
    if layer.pool is not None:
        p_h = max(0, (n_h - layer.pool.size) // layer.pool.stride + 1)
        p_w = max(0, (n_w - layer.pool.size) // layer.pool.stride + 1)
        pooled = p_h * p_w * k * _FLOAT
    # per-channel maps come from one engine run that also gives the maps again
    per_channel = plane * n_c * k + plane * k
    frame = h * w * n_c * (_FLOAT + 2)  # float32 frame, 8-bit input picture and decoded pixels
    pictures = (plane if tiff else 0) + 2 * plane  # one TIFF page; a map and its colours as PNG
    return ExportCost(int(_BASE + pictures), int(frame), int(maps), int(per_channel), int(pooled), (n_h, n_w))


def size_text(size: float) -> str:
    """Bytes for a person: "354 MB", "1.5 GB"."""
    size = float(size)
    return f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{np.round(size / 1e6):.0f} MB"
