"""One frame → maps → display-ready mosaics, off the GUI thread.

The engine computes per-filter maps and per-channel contributions in one pass;
each view's maps are scaled by their levels straight into a reused 8-bit mosaic,
so the GUI thread only hands finished pictures to the screen.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import cv2
import numpy as np

from playground.engine import array_module, asnumpy
from playground.engine.layer import LayerOutput, run_layer
from playground.kernels.model import CHANNEL_NAMES
from playground.render.levels import LevelSmoother, map_levels, noise_floors
from playground.render.mosaic import MosaicCanvas, MosaicLayout, grid_layout

from .snapshot import Snapshot

__all__ = ["MapView", "RenderedFrame", "FrameProcessor", "VIEW_KEYS"]

VIEW_KEYS = ("filters", "channels", "pooled")
# Mosaics kept for reuse per view (displayed + waiting + being drawn, and a spare);
# when all are still held a fresh one is made and dropped after use.
_MAX_CANVASES = 4



@dataclass(frozen=True)
class MapView:
    """One view's maps as a mosaic.

    Attributes
    ----------
    key : "filters", "channels" or "pooled"
    layout : MosaicLayout
    pixels : numpy.ndarray uint8 (mosaic_h, mosaic_w)
        Colour-table indices (0…255); the view's colour table gives the colours.
    levels : numpy.ndarray (N, 2)
        (low, high) per tile: the values shown at index 0 and 255.
    titles : tuple of str, one per tile
    signed : bool
        Diverging colours (levels symmetric around 0) or sequential (from 0 up).
    values : numpy.ndarray float32, (tile_h, tile_w, K) or (tile_h, tile_w, n_c, K)
        The maps themselves (host memory), for hover read-outs and export.
    cells : tuple of tuples
        Per tile, its index into ``values``' trailing axes: (k,) or (c, k).
    filters : tuple of int
        Bank index of each tile's filter.
    labels : tuple of str
        The shorter text written on each tile (defaults to ``titles``).
    """

    key: str
    layout: MosaicLayout
    pixels: np.ndarray
    levels: np.ndarray
    titles: tuple
    signed: bool
    values: np.ndarray
    cells: tuple
    filters: tuple
    labels: tuple = ()

    def tile(self, index: int) -> np.ndarray:
        """Tile ``index``'s float map, (tile_h, tile_w) (a view)."""
        return self.values[(slice(None), slice(None)) + self.cells[index]]

    def value_at(self, index: int, row: int, col: int) -> float:
        """The map value under tile ``index``'s pixel (row, col)."""
        return float(self.values[(row, col) + self.cells[index]])


@dataclass(frozen=True)
class RenderedFrame:
    """A computed, drawn frame, ready for the screen."""

    index: int
    captured_at: float       # time.perf_counter() when the source delivered the frame
    frame: np.ndarray        # float32 RGB (H, W, 3) in [0, 1]: what the engine saw
    input_rgb: np.ndarray    # uint8 (H, W, 3) for display
    snapshot: Snapshot
    output: LayerOutput | None
    views: dict
    engine_ms: float
    render_ms: float
    error: str | None = None


class FrameProcessor:
    """Turns frames into :class:`RenderedFrame` values; keeps mosaics and level history."""

    def __init__(self):
        self._canvases: dict[str, tuple[MosaicLayout, list[MosaicCanvas]]] = {}
        self._smoothers = {key: LevelSmoother() for key in VIEW_KEYS}
        self._last_meaning = None

    def _canvas(self, key: str, layout: MosaicLayout, background: int) -> MosaicCanvas:
        """A mosaic nobody else holds: the screen shows a mosaic's memory without a copy
        (pyqtgraph wraps it in a QImage), so one still referenced is never redrawn."""
        entry = self._canvases.get(key)
        if entry is None or entry[0] != layout or entry[1][0].background != background:
            entry = (layout, [])
            self._canvases[key] = entry
        pool = entry[1]
        for canvas in pool:
            # references: the canvas's attribute and getrefcount's argument; any
            # result, slot or image item holding the array adds one
            if sys.getrefcount(canvas.pixels) == 2:
                return canvas
        canvas = MosaicCanvas(layout, background)
        if len(pool) < _MAX_CANVASES:
            pool.append(canvas)
        return canvas

    def process(self, frame: np.ndarray, snapshot: Snapshot, index: int = 0,
                captured_at: float | None = None, smooth: bool = True) -> RenderedFrame:
        """Compute and draw one frame.

        Parameters
        ----------
        frame : numpy.ndarray float32 (H, W, 3) in [0, 1]
        snapshot : Snapshot
        index : int
            Frame counter (for the caller's bookkeeping).
        captured_at : float, optional
            ``time.perf_counter()`` at capture; defaults to now.
        smooth : bool
            Ease levels from the previous frame (live video); False shows this
            frame's own levels at once (paused, single images).

        Returns
        -------
        RenderedFrame
            With ``error`` set (and no views) when the settings leave no output;
            never raises for a person's choices.
        """
        captured_at = time.perf_counter() if captured_at is None else captured_at
        input_rgb = cv2.convertScaleAbs(frame, alpha=255.0)  # [0, 1] float → uint8, saturating
        bank, layer = snapshot.bank, snapshot.layer
        meaning = (bank, layer, snapshot.view.levels, frame.shape)
        if meaning != self._last_meaning:
            for smoother in self._smoothers.values():
                smoother.reset()
            self._last_meaning = meaning
        active = bank.active
        if not active:
            return RenderedFrame(index, captured_at, frame, input_rgb, snapshot, None, {}, 0.0, 0.0,
                                 "no filter is enabled: tick a filter in the bank to see its map")
        t0 = time.perf_counter()
        try:
            xp = array_module()
            output = run_layer(xp.asarray(frame), bank.weights(), bank.biases(), layer,
                               per_channel=snapshot.view.per_channel)
            # one host copy per result, in the engine's planar layout (free on NumPy)
            maps_planar = _planar(output.maps, 1)
            channels_planar = _planar(output.contributions, 2) if output.contributions is not None else None
            pooled_planar = _planar(output.pooled, 1) if output.pooled is not None else None
        except ValueError as exc:
            return RenderedFrame(index, captured_at, frame, input_rgb, snapshot, None, {}, 0.0, 0.0, str(exc))
        t1 = time.perf_counter()
        signed = layer.activation == "none"
        names = bank.names()
        policy = snapshot.view.levels
        view_settings = snapshot.view
        views = {}
        maps = maps_planar.transpose(0, 2, 1)      # (H, W, K) views of the host copies
        h, w = maps.shape[:2]
        flipped = " · flipped" if layer.flip else ""  # true convolution: say so on every map
        titles = tuple(f"{name} · {h}×{w}{flipped}" for name in names)  # n_H×n_W, the notes' order
        floor_k, floor_ck = noise_floors(bank.weights(), bank.biases())
        k = len(names)
        views["filters"] = self._draw("filters", maps, maps_planar, tuple((i,) for i in range(k)),
                                      titles, titles, signed, policy, active, smooth, view_settings, floor_k)
        if channels_planar is not None:
            n_c = channels_planar.shape[1] // k
            contributions = channels_planar.reshape(h, n_c, k, w).transpose(0, 3, 1, 2)  # (H, W, n_c, K)
            channel_names = [CHANNEL_NAMES[c] if c < len(CHANNEL_NAMES) else f"ch{c}" for c in range(n_c)]
            # a row per input channel, a column per filter: each row is what that
            # channel's slice of every kernel picks up
            cells = tuple((c, i) for c in range(n_c) for i in range(k))
            titles = tuple(f"{names[i]} · {channel_names[c]}{flipped}" for c, i in cells)
            # on the tiles: filter names along the top row, channel names down the first column
            labels = tuple(
                (f"{channel_names[c]} · {names[i]}" if i == 0 else names[i]) if c == 0
                else (channel_names[c] if i == 0 else "")
                for c, i in cells)
            filters = tuple(active[i] for _, i in cells)
            views["channels"] = self._draw("channels", contributions, channels_planar, cells,
                                           titles, labels, True, policy, filters, smooth,
                                           view_settings, floor_ck.reshape(-1), cols=k)
        if pooled_planar is not None and snapshot.view.pooled:
            pooled = pooled_planar.transpose(0, 2, 1)
            ph, pw = pooled.shape[:2]
            titles = tuple(f"{name} · pooled {ph}×{pw}{flipped}" for name in names)
            views["pooled"] = self._draw("pooled", pooled, pooled_planar, tuple((i,) for i in range(k)),
                                         titles, titles, signed, policy, active, smooth, view_settings, floor_k)
        t2 = time.perf_counter()
        return RenderedFrame(index, captured_at, frame, input_rgb, snapshot, output, views,
                             (t1 - t0) * 1e3, (t2 - t1) * 1e3)

    def _draw(self, key, values, planar, cells, titles, labels, signed, policy, filters, smooth, view_settings,
              floors, cols=None) -> MapView:
        scale = view_settings.scale_for(key)
        n = len(cells)
        h, _, w = planar.shape
        tile = (max(1, round(h * scale)), max(1, round(w * scale)))
        # gaps in proportion to the tiles: a 4×4 map (the notes' example) with a 6-pixel
        # gap was mostly gap
        gap = max(1, min(6, round(min(tile) * 0.04)))
        layout = grid_layout(n, tile, cols=cols, aspect=view_settings.aspect_for(key), gap=gap)
        small = _shrink(planar, tile)
        # from the full-size maps: shrinking averages peaks away
        levels = self._smoothers[key].update(map_levels(planar, policy, signed, floors), smooth=smooth)
        canvas = self._canvas(key, layout, background=128 if signed else 0)
        for i in range(n):
            canvas.draw(i, small[:, i, :], levels[i, 0], levels[i, 1])
        return MapView(key, layout, canvas.pixels, levels, titles, signed, values, cells, tuple(filters), labels)


def _planar(array, extra_axes: int) -> np.ndarray:
    """The engine's (H, W, …) result as a host array (H, N, W), N = the trailing axes flattened.

    The engine's results are views of planar (H, …, W) buffers, so on NumPy this
    is a free re-view; elsewhere (CuPy) the planar copy is what crosses to the host.
    """
    order = (0,) + tuple(range(2, 2 + extra_axes)) + (1,)
    xp = array_module()
    moved = array.transpose(order)
    planar = asnumpy(xp.ascontiguousarray(moved))
    return planar.reshape(planar.shape[0], -1, planar.shape[-1])


def _shrink(planar: np.ndarray, tile: tuple[int, int]) -> np.ndarray:
    """(H, N, W) maps → (tile_h, N, tile_w) by pixel-area averaging.

    With whole-number factors one resize of the side-by-side maps does all of
    them: each averaged block lies inside one map, because every map's width is
    a multiple of the factor. (Keeping each block's strongest value instead would
    keep thin edges brighter, but cost 10-17 ms a frame for 24 maps here, against
    about 1 ms for this.)
    """
    h, n, w = planar.shape
    th, tw = tile
    if (th, tw) == (h, w):
        return planar
    if h % th == 0 and w % tw == 0:
        wide = cv2.resize(planar.reshape(h, n * w), (n * tw, th), interpolation=cv2.INTER_AREA)
        return wide.reshape(th, n, tw)
    out = np.empty((th, n, tw), np.float32)
    for i in range(n):
        out[:, i, :] = cv2.resize(planar[:, i, :], (tw, th), interpolation=cv2.INTER_AREA)
    return out
