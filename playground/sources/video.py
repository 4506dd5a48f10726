"""A video file played in a loop (or read once through), read with OpenCV (FFmpeg)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .base import Source, SourceError
from .frames import DEFAULT_MAX_SIDE, check_downscale, check_max_side, size_text, to_rgb_frame

__all__ = ["VideoSource", "EndOfVideo", "VIDEO_EXTENSIONS", "FALLBACK_FPS"]

VIDEO_EXTENSIONS = frozenset({".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v"})
FALLBACK_FPS = 25.0  # when the file does not say (0, NaN) or says something absurd
_MAX_FPS = 1000.0


class EndOfVideo(SourceError):
    """A video read with ``loop=False`` has no frame left.

    Attributes
    ----------
    frames : int
        How many frames were read before the end.
    """

    def __init__(self, path: Path, frames: int):
        self.frames = frames
        super().__init__(f"'{path.name}' ended after {frames} frame{'s' if frames != 1 else ''}")


class VideoSource(Source):
    """Frames of a video file, starting again from the first when it ends (unless ``loop`` is off).

    :meth:`read` returns the next frame at once; the caller paces playback with
    :attr:`frame_interval` (1 / the file's frame rate, or 1 / 25 when the file
    does not give one).

    Parameters
    ----------
    path : str or os.PathLike
        A video file OpenCV can play (MP4, AVI, MOV, MKV, WebM…).
    max_side : int
        Frames larger than this on either side are scaled down (INTER_AREA),
        keeping the aspect ratio, and a notice says so.
    downscale : int
        1, 2, 3 or 4: frames are further shrunk by this factor, for speed.
    capture_factory : callable, optional
        ``capture_factory(path: str)`` returns an object with the
        ``cv2.VideoCapture`` methods used here (``isOpened``, ``read``, ``get``,
        ``set``, ``release``); for tests. Defaults to ``cv2.VideoCapture``.
    loop : bool
        Start again from the first frame at the end (live playback, the default);
        False makes :meth:`read` raise :class:`EndOfVideo` there instead, so an
        export of a file that ends early (truncated, or a header that claims
        more frames) never passes the first frames off as later ones. Also an
        attribute, which may be changed on an open source.

    Attributes
    ----------
    frames_read : int
        Frames returned by :meth:`read` so far, loops included.
    loops : int
        How many times playback started again from the first frame.

    Raises
    ------
    SourceError
        If the file is missing, a folder, or not a video OpenCV can read a frame from;
        from :meth:`read`, if the video cannot be read again after it ended.
    ValueError
        If ``max_side`` or ``downscale`` is out of range.
    """

    kind = "video"
    live = True

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_side: int = DEFAULT_MAX_SIDE,
        downscale: int = 1,
        capture_factory: Callable[[str], Any] | None = None,
        loop: bool = True,
    ) -> None:
        super().__init__()
        self.loop = bool(loop)
        self.frames_read = 0
        self.loops = 0
        self._max_side, self.downscale = check_max_side(max_side), check_downscale(downscale)
        self.path = Path(path).expanduser()
        self.spec = str(self.path.absolute())
        if not self.path.exists():
            raise SourceError(f"cannot open '{self.path}': no such file")
        if self.path.is_dir():
            raise SourceError(f"cannot open '{self.path}': it is a folder, not a file")
        if self.path.stat().st_size == 0:
            raise SourceError(f"cannot open '{self.path}': the file is empty")
        self._factory = capture_factory or cv2.VideoCapture

        self._capture = self._open()
        ok, first = self._grab()
        if not ok:
            self._capture.release()
            raise SourceError(f"cannot open '{self.path}': not a video (OpenCV could not read a frame from it)")
        self._pending: np.ndarray | None = first  # returned by the first read()

        fps = _sane_fps(self._capture.get(cv2.CAP_PROP_FPS))
        self.fps = FALLBACK_FPS if fps is None else fps
        self.frame_interval = 1.0 / self.fps
        frame, self.notices = to_rgb_frame(first, max_side=self._max_side, downscale=self.downscale)
        if fps is None:
            self.notices += (f"the file gives no frame rate; playing at {FALLBACK_FPS:g} fps",)
        height, width = frame.shape[:2]
        shrink = f" (1/{self.downscale})" if self.downscale > 1 else ""
        self.description = f"{self.path.name} · {size_text(height, width)}{shrink} · {self.fps:.4g} fps"

    def _open(self) -> Any:
        try:
            capture = self._factory(str(self.path))
        except cv2.error as error:
            raise SourceError(f"cannot open '{self.path}': OpenCV could not open it as a video") from error
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"cannot open '{self.path}': not a video (OpenCV could not open it)")
        return capture

    def _grab(self) -> tuple[bool, np.ndarray | None]:
        try:
            ok, frame = self._capture.read()
        except cv2.error:
            return False, None
        if not ok or frame is None or frame.size == 0:
            return False, None
        return True, frame

    def _read(self) -> np.ndarray:
        raw, self._pending = self._pending, None
        if raw is None:
            ok, raw = self._grab()
            if not ok:
                if not self.loop:
                    # the capture stays at its end, so later reads say the same
                    raise EndOfVideo(self.path, self.frames_read)
                raw = self._rewind()
                self.loops += 1
        frame, _ = to_rgb_frame(raw, max_side=self._max_side, downscale=self.downscale)
        self.frames_read += 1
        return frame

    def _rewind(self) -> np.ndarray:
        """The first frame again, after the end: seek to 0, or reopen the file if seeking fails."""
        if self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0):
            ok, raw = self._grab()
            if ok:
                return raw
        self._capture.release()
        failure = SourceError(f"cannot read '{self.path}' again after its end (was the file moved or changed?)")
        try:
            self._capture = self._open()
        except SourceError as error:
            self._capture = _ClosedCapture()
            raise failure from error
        ok, raw = self._grab()
        if not ok:
            raise failure
        return raw

    def _release(self) -> None:
        self._capture.release()


class _ClosedCapture:
    """Stands in for a capture that could not be reopened, so close() still works."""

    def read(self) -> tuple[bool, None]:
        return False, None

    def set(self, prop: int, value: float) -> bool:
        return False

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return False

    def release(self) -> None:
        pass


def _sane_fps(value: float) -> float | None:
    """The frame rate when the file gives a plausible one, else None."""
    try:
        fps = float(value)
    except (TypeError, ValueError):
        return None
    return fps if math.isfinite(fps) and 0.0 < fps <= _MAX_FPS else None
