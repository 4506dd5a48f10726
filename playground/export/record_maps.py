"""Headless recording: ``python main.py export --record maps.mp4 --frames N`` (Qt-free).

Each computed frame becomes one video frame: the input on the left, every
per-filter map on the right in a grid, coloured with the app's tables and
levels; small maps are enlarged with crisp cells and their numbers
(:func:`~playground.export.small_maps.enlarge_small`). The video is written by
:class:`~playground.export.recording.VideoRecorder` (MP4, Motion-JPEG AVI where
MP4 is missing); nothing appears under the name until it is complete.
"""

from __future__ import annotations

import math
import os
import sys

import cv2
import numpy as np

from .images import map_to_rgb, thumbnail_size
from .recording import RecordingResult, VideoRecorder
from .small_maps import enlarge_small

__all__ = ["maps_video_frame", "record_rendered", "record_from_args", "record_export", "VIDEO_WIDTH", "RECORD_FPS"]

VIDEO_WIDTH = 1280    # the maps' grid and the input fit this width (a projector's)
RECORD_FPS = 30.0
_GAP = 8
_BACKGROUND = (24, 24, 28)


def _grid(rendered, width: int) -> np.ndarray:
    view = rendered.views["filters"]
    count = len(view.cells)
    cols = max(1, math.ceil(math.sqrt(count * 16 / 9)))
    rows = -(-count // cols)
    longest = max(16, (width - _GAP * (cols + 1)) // cols)
    tiles = []
    for index in range(count):
        values = np.asarray(view.tile(index), np.float32)
        low, high = view.levels[index]
        size = thumbnail_size(values.shape, longest)
        tiles.append(enlarge_small(map_to_rgb(values, low, high, view.signed, size=size), values, longest))
    tile_h = max(t.shape[0] for t in tiles)
    tile_w = max(t.shape[1] for t in tiles)
    grid = np.empty((_GAP + rows * (tile_h + _GAP), _GAP + cols * (tile_w + _GAP), 3), np.uint8)
    grid[:] = _BACKGROUND
    for index, tile in enumerate(tiles):
        row, col = divmod(index, cols)
        top, left = _GAP + row * (tile_h + _GAP), _GAP + col * (tile_w + _GAP)
        grid[top:top + tile.shape[0], left:left + tile.shape[1]] = tile
    return grid


def maps_video_frame(rendered, width: int = VIDEO_WIDTH) -> np.ndarray:
    """One video frame of a rendered frame: the input beside its per-filter maps.

    Parameters
    ----------
    rendered : RenderedFrame
        With a "filters" view (:meth:`FrameProcessor.process`).
    width : int
        Width of the frame in pixels; the input takes about a third.

    Returns
    -------
    numpy.ndarray uint8 (height, width, 3) RGB
    """
    picture = np.asarray(rendered.input_rgb)
    input_w = width // 3
    h, w = picture.shape[:2]
    input_h = max(1, round(h * input_w / w))
    # nearest when enlarging (a typed matrix stays crisp), area when shrinking a photo
    method = cv2.INTER_NEAREST if input_w > w else cv2.INTER_AREA
    shown = cv2.resize(np.ascontiguousarray(picture), (input_w, input_h), interpolation=method)
    grid = _grid(rendered, width - input_w - _GAP)
    height = max(input_h, grid.shape[0])
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = _BACKGROUND
    frame[:input_h, :input_w] = shown
    frame[:grid.shape[0], input_w + _GAP:input_w + _GAP + grid.shape[1]] = grid[:, :width - input_w - _GAP]
    return frame


def record_rendered(path: str | os.PathLike[str], rendered_frames, fps: float = RECORD_FPS) -> RecordingResult:
    """Write each rendered frame's :func:`maps_video_frame` to a video at ``path``.

    Raises
    ------
    ExportError
        A name that is not .mp4/.avi, a folder that cannot be written, no frames.
    ValueError
        A frame whose settings leave no output (its message).
    """
    with VideoRecorder(path, fps, overwrite=False) as recorder:
        for rendered in rendered_frames:
            if rendered.error:
                raise ValueError(rendered.error)
            recorder.write(maps_video_frame(rendered))
    return recorder.result


def record_from_args(args, frames, process) -> int:
    """The ``--record`` branch of the export command.

    Parameters
    ----------
    args : argparse.Namespace
        ``args.record`` is the video's path.
    frames : iterable of numpy.ndarray
        The source's frames (the command's own selection of how many).
    process : callable (frame, index) → RenderedFrame

    Returns
    -------
    int
        0; errors are raised for the command to report.
    """
    rendered = (process(frame, index) for index, frame in enumerate(frames))
    result = record_rendered(args.record, rendered)
    note = f" ({result.notice})" if result.notice else ""
    print(f"recorded {result.frames} frame{'s' if result.frames != 1 else ''} "
          f"({result.size[0]}×{result.size[1]}, {result.codec}) to {result.path}{note}", file=sys.stdout)
    return 0


def record_export(args, layer, bank, jobs) -> int:
    """``export --record VIDEO``: the command's frames, computed, as a video instead of a folder.

    Parameters
    ----------
    args : argparse.Namespace
        The export command's arguments (``source``, ``frames``, ``record``).
    layer : LayerSettings
    bank : FilterBank
    jobs : callable (source, frames) → (count, iterable of (sub-folder, frame, source text), source)
        The command's own frame selection, so ``--frames`` means the same with and without ``--record``.
    """
    from playground.live.processor import FrameProcessor  # the live loop is imported only when recording
    from playground.live.snapshot import Snapshot

    _count, frames, source = jobs(args.source, args.frames)
    processor = FrameProcessor()
    snapshot = Snapshot(bank=bank, layer=layer)
    try:
        return record_from_args(args, (frame for _sub, frame, _text in frames),
                                lambda frame, index: processor.process(frame, snapshot, index=index, smooth=False))
    finally:
        if source is not None:
            source.close()
