"""Cameras as the system offers them: names, pixel formats, and which resolutions open.

Qt-free. :func:`configure_capture` sets a freshly opened ``cv2.VideoCapture`` up
the way a live view wants it (MJPG where offered, a one-frame driver buffer);
:func:`list_cameras` probes the cameras for the Webcam dialog.

Why MJPG: USB 2 webcams send raw YUYV at about 5–10 FPS at 1280×720 (the bus
cannot carry more); the same cameras deliver 30 FPS at that size only when asked
for compressed MJPG frames, which OpenCV decodes.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import cv2

__all__ = [
    "CameraInfo",
    "CANDIDATE_RESOLUTIONS",
    "MJPG",
    "camera_indices",
    "camera_name",
    "configure_capture",
    "fourcc_text",
    "list_cameras",
    "open_camera",
]

MJPG = cv2.VideoWriter_fourcc(*"MJPG")
# Sizes the dialog offers to try: the common webcam modes, smallest first.
CANDIDATE_RESOLUTIONS: tuple[tuple[int, int], ...] = ((640, 480), (1280, 720), (1920, 1080))
# Where Linux names its video devices (``video0/name`` holds e.g. "HD Pro Webcam C920").
V4L_ROOT = Path("/sys/class/video4linux")


def open_camera(index: int) -> Any:
    """``cv2.VideoCapture(index, cv2.CAP_ANY)``: OpenCV picks the platform's backend."""
    return cv2.VideoCapture(index, cv2.CAP_ANY)


def fourcc_text(code: float) -> str:
    """A FOURCC number as its four letters (``"MJPG"``, ``"YUYV"``); ``""`` when unknown.

    Backends that do not report a format answer 0 (or a number that is not four
    printable letters), which reads as unknown rather than as garbage.
    """
    value = int(code) if code == code else 0  # NaN from a broken backend counts as unknown
    if value <= 0:
        return ""
    text = "".join(chr((value >> (8 * i)) & 0xFF) for i in range(4))
    return text.strip() if text.isascii() and text.strip().isprintable() and text.strip() else ""


def configure_capture(capture: Any, resolution: tuple[int, int], *, fourcc: int | None = MJPG) -> str:
    """Ask an opened capture for ``fourcc`` (MJPG), a size and a one-frame buffer.

    The pixel format goes first: drivers list sizes per format, and many reject
    1280×720 in YUYV at a useful rate but accept it in MJPG. The buffer is set to one
    frame so that a reader that falls behind gets the newest picture, not one
    seconds old.

    Parameters
    ----------
    capture : cv2.VideoCapture or an object with its ``set``/``get``
    resolution : (int, int)
        ``(width, height)`` asked for; the driver picks the nearest it supports.
    fourcc : int or None
        The format to ask for; None leaves the driver's format alone.

    Returns
    -------
    str
        The format the driver reports after the request (``"MJPG"``, ``"YUYV"``),
        or ``""`` when the backend does not say.
    """
    if fourcc is not None:
        capture.set(cv2.CAP_PROP_FOURCC, fourcc)
    width, height = resolution
    capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
    return fourcc_text(capture.get(cv2.CAP_PROP_FOURCC))


def camera_name(index: int, root: Path = V4L_ROOT) -> str | None:
    """The name the system gives camera ``index``; None where it gives none.

    Only Linux names its cameras in a file (``/sys/class/video4linux/videoN/name``);
    OpenCV's index N is ``/dev/videoN`` there.
    """
    try:
        name = (Path(root) / f"video{int(index)}" / "name").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return name.strip() or None


def camera_indices(max_index: int = 4, root: Path = V4L_ROOT, platform: str = sys.platform) -> list[int]:
    """Camera numbers worth trying: the video devices Linux lists, else ``0 … max_index − 1``.

    Probing numbers blindly is slow and noisy on Linux when there are gaps
    (USB webcams often add a second, metadata-only node), so there the device list
    decides; other systems number their cameras from 0 without gaps.
    """
    if platform.startswith("linux") and Path(root).is_dir():
        found = (re.fullmatch(r"video(\d+)", entry.name) for entry in Path(root).iterdir())
        return sorted(int(match.group(1)) for match in found if match)
    return list(range(max_index))


@dataclasses.dataclass(frozen=True)
class CameraInfo:
    """One camera that opened.

    Attributes
    ----------
    index : int
        OpenCV's camera number (``webcam:N``).
    name : str or None
        The system's name for it, where it gives one.
    resolutions : tuple of (int, int)
        ``(width, height)`` sizes that delivered a frame, smallest first; for a
        camera in use, the size it streams now.
    pixel_format : str
        The format the driver settled on (``"MJPG"``), ``""`` when unknown.
    in_use : bool
        Already streaming in this app, so it was not probed again.
    """

    index: int
    name: str | None
    resolutions: tuple[tuple[int, int], ...]
    pixel_format: str = ""
    in_use: bool = False

    @property
    def label(self) -> str:
        """One line for a list: ``"0 · HD Webcam · 640×480, 1280×720 · MJPG"``."""
        sizes = ", ".join(f"{w}×{h}" for w, h in self.resolutions) or "no size delivered a frame"
        parts = [str(self.index), self.name or f"Camera {self.index}", sizes]
        if self.pixel_format:
            parts.append(self.pixel_format)
        if self.in_use:
            parts.append("in use now")
        return " · ".join(parts)


def _probe(capture: Any, resolutions: Iterable[tuple[int, int]]) -> tuple[tuple[tuple[int, int], ...], str]:
    """The sizes at which ``capture`` delivers a frame (the frame's own size counts), and its format."""
    sizes: set[tuple[int, int]] = set()
    pixel_format = ""
    for resolution in resolutions:
        pixel_format = configure_capture(capture, resolution) or pixel_format
        try:
            ok, frame = capture.read()
        except cv2.error:
            ok, frame = False, None
        if ok and frame is not None and frame.size:
            sizes.add((int(frame.shape[1]), int(frame.shape[0])))
    return tuple(sorted(sizes, key=lambda size: size[0] * size[1])), pixel_format


def list_cameras(
    indices: Iterable[int] | None = None,
    *,
    resolutions: Iterable[tuple[int, int]] = CANDIDATE_RESOLUTIONS,
    in_use: Mapping[int, tuple[int, int]] | None = None,
    capture_factory: Callable[[int], Any] = open_camera,
    name_of: Callable[[int], str | None] = camera_name,
) -> list[CameraInfo]:
    """The cameras that open, with the resolutions at which each delivered a frame.

    Takes about a second per camera (each size change restarts its stream): call
    it from a worker thread, not the GUI thread.

    Parameters
    ----------
    indices : iterable of int, optional
        Camera numbers to try; default :func:`camera_indices`.
    resolutions : iterable of (int, int)
        ``(width, height)`` sizes to ask each camera for.
    in_use : mapping of int to (int, int), optional
        Cameras this app streams from now, with their size: listed as they are,
        not opened a second time (a busy camera refuses a second stream).
    capture_factory : callable
        ``capture_factory(index)`` opens a camera; tests pass a fake.
    name_of : callable
        ``name_of(index)`` gives the system's name or None.

    Returns
    -------
    list of CameraInfo
        By index; cameras that do not open are left out.
    """
    in_use = dict(in_use or {})
    wanted = list(resolutions)
    numbers = sorted(set(camera_indices() if indices is None else indices) | set(in_use))
    cameras = []
    for index in numbers:
        if index in in_use:
            cameras.append(CameraInfo(index, name_of(index), (tuple(in_use[index]),), in_use=True))
            continue
        try:
            capture = capture_factory(index)
        except cv2.error:
            continue
        try:
            if not capture.isOpened():
                continue
            sizes, pixel_format = _probe(capture, wanted)
        finally:
            capture.release()
        if sizes:  # a metadata-only node opens but never delivers a picture
            cameras.append(CameraInfo(index, name_of(index), sizes, pixel_format))
    return cameras
