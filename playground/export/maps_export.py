"""Export one computed frame: PNG per map as displayed, raw float32 arrays, contact sheet, meta.json.

Layout of an export folder (``K`` enabled filters, numbered from 01 in bank order)::

    01_vertical-edge.png …      each filter's map, full size, displayed colours and levels
    per_channel/01_vertical-edge_R.png …   each input channel's contribution (optional)
    pooled/01_vertical-edge.png …          the pooled maps (when the layer pools)
    maps.npy          float32 (n_H, n_W, K): after bias and activation, before pooling
    per_channel.npy   float32 (n_H, n_W, n_c, K)   (optional)
    pooled.npy        float32 (n_H_pool, n_W_pool, K)   (when the layer pools)
    frame.npy         float32 (n_H, n_W, n_c): the selected layer's input as the engine saw it
                      (layer 1: the frame resized and channelled for the network, RGB in [0, 1]
                      for a picture; a later layer: the previous layer's output, pooled where it pools)
    input.png         that input as an 8-bit picture
    maps.tiff, pooled.tiff   float32 pages, one per map   (optional)
    contact_sheet.png every map small, with its title
    meta.json         settings, weights, levels, shapes: see :func:`~.meta.build_meta`
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from playground.live.network_frame import display_rgb

from . import budget
from .atomic import (
    ExportError,
    StagedFolder,
    atomic_save_npy,
    atomic_write_json,
    atomic_write_png,
    atomic_write_tiff,
)
from .images import SheetSection, contact_sheet, map_to_rgb, thumbnail_size
from .map_sets import MapSet, collect_map_sets, exported_input
from .meta import build_meta
from .naming import default_export_name
from .small_maps import colour_bar_picture, enlarge_small

__all__ = ["export_frame", "write_frame", "check_exportable", "check_budget"]

Progress = Callable[[int, int], None]
_THUMBNAIL = 200  # longest side of a contact-sheet picture, in pixels
_ARRAY_FILES = {"filters": "maps", "channels": "per_channel", "pooled": "pooled"}
_HEADINGS = {"filters": "feature maps", "channels": "per input channel", "pooled": "pooled"}


def check_exportable(rendered) -> None:
    """Raise :class:`ExportError` when ``rendered`` has no maps (an error frame, nothing enabled)."""
    if rendered is None:
        raise ExportError("nothing to export: no frame has been computed yet")
    if rendered.error or "filters" not in rendered.views or rendered.output is None:
        reason = rendered.error or "the frame has no maps"
        raise ExportError(f"nothing to export: {reason}")


def _colour_section(s: MapSet) -> SheetSection:
    """The contact sheet's colour bar of one view, with its values: one bar when the maps share
    their levels, a bar per map for up to 8 maps, else the bar of the widest levels."""
    levels = np.asarray(s.levels, np.float64)
    if bool(np.all(levels == levels[0])):
        chosen, titles = levels[:1], ("every map",)
    elif len(levels) <= 8:
        chosen, titles = levels, tuple(s.titles)
    else:
        widest = int(np.argmax(np.abs(levels).max(axis=1)))
        chosen, titles = levels[widest:widest + 1], (f"widest: {s.titles[widest]} (each map has its own)",)
    pictures = tuple(colour_bar_picture(s.signed, lo, hi) for lo, hi in chosen)
    return SheetSection(f"{_HEADINGS[s.key]} · colour scale", titles, pictures, cols=min(len(pictures), 4))


def check_budget(rendered, per_channel: bool, tiff: bool = False) -> None:
    """Raise :class:`ExportError` when exporting ``rendered`` would pass :data:`budget.MEMORY_BUDGET`.

    Estimated from the shapes (:func:`budget.export_cost`) before any full-size
    map is computed; the message gives the figure and what to leave out.
    """
    snapshot = rendered.snapshot
    cost = budget.export_cost(exported_input(rendered).shape, snapshot.bank, snapshot.layer, tiff=tiff)
    limit = budget.MEMORY_BUDGET
    need = cost.total(per_channel)
    if need <= limit:
        return
    if per_channel and cost.total(False) <= limit:
        raise ExportError(f"the per-channel maps would need about {budget.size_text(need)} of memory, more than the "
                          f"{budget.size_text(limit)} an export may use: export without them (Export options)")
    raise ExportError(f"this export would need about {budget.size_text(need)} of memory, more than the "
                      f"{budget.size_text(limit)} an export may use: use fewer filters, a stride or a smaller picture")


def _input_picture(rendered, x: np.ndarray) -> np.ndarray:
    """The 8-bit picture of ``x``, the exported input: the app's own for layer 1, the previous
    layer's output drawn like the app's input panel after that."""
    picture = np.asarray(rendered.input_rgb)
    if picture.shape[:2] == x.shape[:2] and rendered.snapshot.selected == 0:
        return picture
    return display_rgb(x)


def _sheet(rendered, map_sets: list[MapSet], source_text: str | None, raw: np.ndarray,
           frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    size = thumbnail_size((h, w), _THUMBNAIL)
    small = cv2.resize(np.ascontiguousarray(frame), (size[1], size[0]), interpolation=cv2.INTER_AREA)
    # a typed matrix is a few pixels: enlarged, crisp, with its numbers when it has one channel
    small = enlarge_small(small, raw[:, :, 0] if raw.ndim == 3 and raw.shape[2] == 1 and raw.shape[:2] == (h, w)
                          else None, _THUMBNAIL)
    heading = f"input: {source_text}" if source_text else "input"
    sections = [SheetSection(heading, (f"{h}×{w}×{frame.shape[2]}",), (small,))]
    k = len(rendered.snapshot.bank.active)
    for s in map_sets:
        n_h, n_w = s.values.shape[:2]
        thumb = thumbnail_size((n_h, n_w), _THUMBNAIL)
        pictures = tuple(enlarge_small(map_to_rgb(s.tile(i), lo, hi, s.signed, size=thumb), s.tile(i), _THUMBNAIL)
                         for i, (lo, hi) in enumerate(s.levels))   # small maps: crisp, with their numbers
        # a row per input channel, as the app shows them; filters 8 to a row
        cols = k if s.key == "channels" else min(k, 8)
        sections.append(SheetSection(f"{_HEADINGS[s.key]} · {n_h}×{n_w}", s.titles, pictures, cols))
        sections.append(_colour_section(s))
    return contact_sheet(sections)


def write_frame(rendered, folder: str | os.PathLike[str], *, per_channel: bool = True, pooled: bool = True,
                tiff: bool = False, contact_sheet: bool = True, source_text: str | None = None,
                progress: Progress | None = None) -> dict:
    """Write one frame's export files into an existing, empty ``folder`` (no staging).

    Most callers want :func:`export_frame`; this is its body, and what the
    headless command uses for each frame's sub-folder inside one staged export.

    Parameters
    ----------
    rendered : RenderedFrame
        From :meth:`playground.live.processor.FrameProcessor.process`.
    folder : path
    per_channel, pooled, tiff, contact_sheet, source_text, progress
        See :func:`export_frame`.

    Returns
    -------
    dict
        The ``meta.json`` contents.

    Raises
    ------
    ExportError
        Nothing to export, or a file could not be written (files already written stay;
        the staging folder around them is what gets removed).
    """
    check_exportable(rendered)
    folder = Path(folder)
    map_sets = collect_map_sets(rendered, per_channel=per_channel, pooled=pooled)
    arrays: dict[str, tuple] = {}
    extra: list[str] = []
    tasks: list[Callable[[], None]] = []

    for s in map_sets:
        for i, relative in enumerate(s.files):
            low, high = s.levels[i]
            tasks.append(lambda s=s, i=i, relative=relative, low=low, high=high: atomic_write_png(
                folder / relative, enlarge_small(map_to_rgb(s.tile(i), low, high, s.signed), s.tile(i))))
        name = f"{_ARRAY_FILES[s.key]}.npy"
        arrays[name] = s.values.shape
        tasks.append(lambda s=s, name=name: atomic_save_npy(folder / name, s.values))
        if tiff and s.key != "channels":
            name = f"{_ARRAY_FILES[s.key]}.tiff"
            arrays[name] = (s.values.shape[-1],) + s.values.shape[:2]  # pages × n_H × n_W
            tasks.append(lambda s=s, name=name: atomic_write_tiff(
                folder / name, (s.tile(i) for i in range(len(s.cells)))))
    frame = exported_input(rendered)   # the selected layer's input: what reproduces its maps
    picture = _input_picture(rendered, frame)
    arrays["frame.npy"] = frame.shape
    tasks.append(lambda: atomic_save_npy(folder / "frame.npy", frame))
    extra.append("input.png")
    tasks.append(lambda: atomic_write_png(folder / "input.png", picture))
    if contact_sheet:
        extra.append("contact_sheet.png")
        tasks.append(lambda: atomic_write_png(folder / "contact_sheet.png",
                                              _sheet(rendered, map_sets, source_text, frame, picture)))
    meta = build_meta(rendered, map_sets, arrays, source_text, tuple(extra))
    tasks.append(lambda: atomic_write_json(folder / "meta.json", meta))

    for sub in {s.folder for s in map_sets if s.folder}:
        try:
            (folder / sub).mkdir()
        except OSError as exc:
            raise ExportError(f"cannot create '{folder / sub}': {exc.strerror or exc}") from None
    total = len(tasks)
    for done, task in enumerate(tasks, start=1):
        task()
        if progress is not None:
            progress(done, total)
    return meta


def export_frame(rendered, folder_parent: str | os.PathLike[str], *, name: str | None = None,
                 per_channel: bool = True, pooled: bool = True, tiff: bool = False, contact_sheet: bool = True,
                 source_text: str | None = None, progress: Progress | None = None) -> Path:
    """Export the maps of one computed frame into a new folder.

    Parameters
    ----------
    rendered : RenderedFrame
        The frame on screen (its views carry the displayed levels).
    folder_parent : path
        An existing, writable folder; the export becomes a new folder inside it.
    name : str, optional
        The new folder's name; default ``maps-YYYYMMDD-HHMMSS``. When taken,
        ``name-2``, ``name-3``… (an existing export is never overwritten).
    per_channel : bool
        Also write each input channel's maps (``per_channel/``, ``per_channel.npy``).
    pooled : bool
        Also write the pooled maps when the layer pools (``pooled/``, ``pooled.npy``).
    tiff : bool
        Also write ``maps.tiff`` (and ``pooled.tiff``): float32 pages, one per map.
    contact_sheet : bool
        Also write ``contact_sheet.png``: every map small, with its title.
    source_text : str, optional
        Where the frame came from, recorded in ``meta.json`` (e.g. ``Source.spec``).
    progress : callable(done, total), optional
        Called after each file.

    Returns
    -------
    pathlib.Path
        The new folder.

    Raises
    ------
    ExportError
        The parent is missing, a file or not writable, there is nothing to export,
        or writing failed. Nothing is left behind then: the files are written in
        a staging folder that is renamed only once complete.
    """
    check_exportable(rendered)
    check_budget(rendered, per_channel=per_channel, tiff=tiff)
    with StagedFolder(folder_parent, name or default_export_name()) as staged:
        write_frame(rendered, staged.path, per_channel=per_channel, pooled=pooled, tiff=tiff,
                    contact_sheet=contact_sheet, source_text=source_text, progress=progress)
        return staged.commit()
