"""One frame → maps → display-ready mosaics, off the GUI thread.

:func:`~playground.live.shown.compute_shown` computes what each view shows (its
tiles at the drawing scale and its levels, full-size maps only where a
nonlinearity needs them); each view's tiles are scaled by their levels straight
into a reused 8-bit mosaic, so the GUI thread only hands finished pictures to the
screen. Full-size maps not computed for the screen are computed when read
(hover, inspector, export).

A frame runs through the whole network: the layers before the selected one
plainly (:mod:`playground.live.network_frame`), the selected one through
``compute_shown`` (its views, per-channel contributions only here), the layers
after it plainly again, and every layer's output goes into a small overview. The
layers after the selected one, and their overview, run on a second thread while
this one computes and draws the selected layer's views (where the machine has a
second core and the engine runs on the CPU). With one layer that thread computes
the views' tiles instead, while this one takes their level samples.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass

import cv2
import numpy as np

from playground.engine import array_module, asnumpy
from playground.engine.backend import usable_cores
from playground.engine.layer import LayerOutput, run_layer
from playground.engine.network import next_input
from playground.kernels.network import channel_names as network_channel_names
from playground.render.levels import LevelSmoother
from playground.render.mosaic import MosaicCanvas, MosaicLayout

from .network_frame import display_rgb, fit_input, linear_tiles, overview, run_layers, tiles_suffice
from .shown import Shown, ShownMaps, compute_shown, plan_views, view_layout
from .snapshot import Snapshot

__all__ = ["MapView", "RenderedFrame", "FrameProcessor", "VIEW_KEYS"]

VIEW_KEYS = ("filters", "channels", "pooled")
# Mosaics kept for reuse per view (displayed + waiting + being drawn, and a spare);
# when all are still held a fresh one is made and dropped after use.
_MAX_CANVASES = 4
# A network's layers after the selected one (and the overview) run on a second thread
# while the selected layer's views are computed and drawn: the two halves took about
# the same time (13 and 12 ms of a 3-layer network's 40 on a 2-core Zen 3).
_PARALLEL = usable_cores() > 1


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
    values : numpy.ndarray or OnDemandArray, float32, (n_H, n_W, K) or (n_H, n_W, n_c, K)
        The full-size maps (host memory), for hover read-outs and export; an
        :class:`~playground.live.on_demand.OnDemandArray` computes them when first read.
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
    frame: np.ndarray        # float32 (H, W, n_c) as the source gave it
    input_rgb: np.ndarray    # uint8 (n_H, n_W, 3): what the network sees, for display
    snapshot: Snapshot       # as computed (the input channels following the source)
    output: LayerOutput | None   # the selected layer's
    views: dict
    # computing the whole network: the frame's time less drawing the selected layer's
    # views (later layers run beside that drawing, so per-layer times may add up to more)
    engine_ms: float
    render_ms: float         # drawing the selected layer's views into their mosaics
    error: str | None = None
    network_input: np.ndarray | None = None   # the frame resized for the network (``frame`` if unchanged)
    layer_ms: tuple = ()     # engine time per layer
    overview: tuple = ()     # LayerOverview per layer (networks of two or more layers)
    layer_input: np.ndarray | None = None   # what the selected layer read (``network_input`` for layer 1)


class FrameProcessor:
    """Turns frames into :class:`RenderedFrame` values; keeps mosaics and level history."""

    def __init__(self):
        self._canvases: dict[str, tuple[MosaicLayout, list[MosaicCanvas]]] = {}
        self._smoothers = {key: LevelSmoother() for key in VIEW_KEYS}
        self._last_meaning = None
        self._inputs: list[np.ndarray] = []   # 8-bit input pictures, reused once released
        self._helper: ThreadPoolExecutor | None = None   # see _start
        self._geometries: set = set()                    # see _first_frame_of

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

    def _input_rgb(self, frame: np.ndarray) -> np.ndarray:
        """The frame in 8 bits, in a buffer no one else holds (a fresh 0.9 MB block per
        frame went back to the OS each time and page-faulted in again)."""
        for buffer in self._inputs:
            if buffer.shape == frame.shape and sys.getrefcount(buffer) == 3:  # list, loop name, argument
                break
        else:
            buffer = np.empty(frame.shape, np.uint8)
            self._inputs = [b for b in self._inputs if b.shape == frame.shape][:_MAX_CANVASES - 1] + [buffer]
        return cv2.convertScaleAbs(frame, dst=buffer, alpha=255.0)  # [0, 1] float → uint8, saturating

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
        try:
            network, x = fit_input(frame, snapshot.network)
        except ValueError as exc:
            return RenderedFrame(index, captured_at, frame, display_rgb(frame), snapshot, None, {}, 0.0, 0.0,
                                 str(exc))
        if network is not snapshot.network:
            snapshot = dataclasses.replace(snapshot, network=network)
        input_rgb = self._input_rgb(x) if _unit_rgb(x) else display_rgb(x)
        meaning = (network, snapshot.selected, snapshot.view.levels, frame.shape)
        if meaning != self._last_meaning:
            for smoother in self._smoothers.values():
                smoother.reset()
            self._last_meaning = meaning

        def failed(text: str) -> RenderedFrame:
            return RenderedFrame(index, captured_at, frame, input_rgb, snapshot, None, {}, 0.0, 0.0, text,
                                 network_input=x)

        if not snapshot.bank.active:
            return failed("no filter is enabled: tick a filter in the bank to see its map")
        selected, depth = snapshot.selected, network.depth
        t0 = time.perf_counter()
        rest = None   # the layers after the selected one and their overview, maybe on the second thread
        try:
            before, layer_ms, layer_input = run_layers(x, network, 0, selected)
            t1 = time.perf_counter()
            host_input = asnumpy(layer_input)
            early = None   # the selected layer's full run, when its views need one
            if depth > 1:
                plan = plan_views(host_input.shape, snapshot)
                if plan.eager:
                    early = run_layer(array_module().asarray(host_input), snapshot.bank.weights(),
                                      snapshot.bank.biases(), snapshot.layer, per_channel=plan.per_channel)
                # what the selected layer hands on: every filter (a disabled one as a zero
                # channel), full size; the views' own run when it is exactly that
                chosen = early
                if chosen is None or len(snapshot.bank.active) != len(snapshot.bank):
                    w, b, settings = network.layers[selected].stage
                    chosen = run_layer(layer_input, w, b, settings, per_channel=False)
                t2 = time.perf_counter()
                # a new geometry's first frame measures its ways (kernel_paths): the rest runs
                # first and alone then, not against the selected layer's own measurements
                start = self._now if self._first_frame_of(x.shape, network, selected) else self._start
                rest = start(_rest_of_network, next_input(chosen), network, selected)
                t1 += time.perf_counter() - t2   # the selected layer's time leaves out the rest's
                handed = before + [chosen]
            # a lone layer leaves the second thread free: its tiles are computed there
            shown = compute_shown(host_input, snapshot, output=early, beside=self._start if rest is None else None)
            layer_ms.append((time.perf_counter() - t1) * 1e3)
            t3 = time.perf_counter()
            views = self._views(shown, snapshot, smooth)
            render_ms = (time.perf_counter() - t3) * 1e3
            layers = ()
            if rest is not None:
                # the overview of the layers up to the selected one while the rest still runs
                layers = overview(handed, network)
                after_ms, later = rest.result()
                layer_ms += after_ms
                layers += later
        except ValueError as exc:
            return failed(str(exc))
        finally:
            if rest is not None:
                futures_wait([rest])   # on every way out: no frame's work outlives it
        engine_ms = (time.perf_counter() - t0) * 1e3 - render_ms
        return RenderedFrame(index, captured_at, frame, input_rgb, snapshot, shown.output, views,
                             engine_ms, render_ms, network_input=x,
                             layer_ms=tuple(layer_ms), overview=layers, layer_input=host_input)

    def _start(self, work, *args) -> Future:
        """``work(*args)`` on the processor's second thread when the machine has a core for
        it and the engine runs on the CPU, else here and now (a finished future)."""
        if _PARALLEL and array_module() is np:
            if self._helper is None:
                self._helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="network")
            return self._helper.submit(work, *args)
        return self._now(work, *args)

    @staticmethod
    def _now(work, *args) -> Future:
        """``work(*args)`` here and now, as a finished future."""
        done = Future()
        try:
            done.set_result(work(*args))
        except ValueError as exc:   # reported by result(), as from the second thread
            done.set_exception(exc)
        return done

    def _first_frame_of(self, shape, network, selected: int) -> bool:
        """Whether this input shape, network geometry and selected layer are new to this processor."""
        geometry = (tuple(shape), selected, tuple((len(layer.bank), layer.bank.size, layer.bank.channels,
                                                   layer.settings) for layer in network.layers))
        if geometry in self._geometries:
            return False
        if len(self._geometries) > 64:   # edited for hours: forget the old ones
            self._geometries.clear()
        self._geometries.add(geometry)
        return True

    def _views(self, shown: Shown, snapshot: Snapshot, smooth: bool) -> dict:
        bank, layer, view_settings = snapshot.bank, snapshot.layer, snapshot.view
        active = bank.active
        signed = layer.activation == "none"
        names = bank.names()
        k = len(names)
        h, w = shown.out_hw
        flipped = " · flipped" if layer.flip else ""  # true convolution: say so on every map
        titles = tuple(f"{name} · {h}×{w}{flipped}" for name in names)  # n_H×n_W, the notes' order
        views = {"filters": self._draw("filters", shown.filters, tuple((i,) for i in range(k)), titles, titles,
                                       signed, active, smooth, view_settings)}
        if shown.channels is not None:
            n_c = shown.channels.values.shape[2]
            channel_names = _channel_names(snapshot, n_c)
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
            views["channels"] = self._draw("channels", shown.channels, cells, titles, labels, True, filters,
                                           smooth, view_settings, cols=k)
        if shown.pooled is not None and view_settings.pooled:
            ph, pw = shown.pooled.values.shape[:2]
            titles = tuple(f"{name} · pooled {ph}×{pw}{flipped}" for name in names)
            views["pooled"] = self._draw("pooled", shown.pooled, tuple((i,) for i in range(k)), titles, titles,
                                         signed, active, smooth, view_settings)
        return views

    def _draw(self, key, maps: ShownMaps, cells, titles, labels, signed, filters, smooth, view_settings,
              cols=None) -> MapView:
        layout = view_layout(len(cells), maps.values.shape[:2], view_settings.scale_for(key),
                             view_settings.aspect_for(key), cols)
        levels = self._smoothers[key].update(maps.levels, smooth=smooth)
        canvas = self._canvas(key, layout, background=128 if signed else 0)
        for i, tile in enumerate(maps.tiles):
            canvas.draw(i, tile, levels[i, 0], levels[i, 1])
        return MapView(key, layout, canvas.pixels, levels, titles, signed, maps.values, cells, tuple(filters),
                       labels)


def _channel_names(snapshot: Snapshot, n_c: int) -> list[str]:
    """The selected layer's input channels by the one naming rule (R, G, B; gray; the
    previous layer's filter names)."""
    names = list(network_channel_names(snapshot.network, snapshot.selected))
    return names if len(names) == n_c else [f"ch{c}" for c in range(n_c)]


def _unit_rgb(x: np.ndarray) -> bool:
    """Whether ``x`` is an RGB picture in [0, 1] (judged on a sparse sample: cheap per frame);
    raw values and other channel counts are shown by :func:`display_rgb` instead."""
    if x.ndim != 3 or x.shape[2] != 3:
        return False
    sample = x[::16, ::16]
    return bool(sample.min() >= 0.0 and sample.max() <= 1.0)


def _rest_of_network(x, network, selected: int) -> tuple[list[float], tuple]:
    """The layers after ``selected`` on ``x`` (what it hands on), then their overview.

    A last layer that is linear is known by its overview tiles only (read from its
    input, see ``tiles_suffice``).

    Returns
    -------
    milliseconds : list of float, one per layer after ``selected``
    overview : tuple of LayerOverview, one per layer after ``selected``
    """
    depth = network.depth
    tiled = selected < depth - 1 and tiles_suffice(network, depth - 1)
    after, after_ms, last_input = run_layers(x, network, selected + 1, depth - 1 if tiled else depth)
    if tiled:
        t0 = time.perf_counter()
        after.append(linear_tiles(last_input, network, depth - 1))
        after_ms.append((time.perf_counter() - t0) * 1e3)
    return after_ms, overview(after, network, first=selected + 1)

