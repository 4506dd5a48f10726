"""Recording frames to a video file (Qt-free): MP4 through OpenCV, Motion-JPEG AVI where MP4 is missing.

The UI hands over each frame exactly as shown (RGB uint8); a headless export
hands over rendered maps. The file appears under its name only when the
recording is closed: frames go to a hidden temporary file in the same folder,
renamed over the final name at :meth:`VideoRecorder.close` (an interrupted
recording leaves no half-written video under the real name).

The first frame fixes the video's size. A later frame of another size is
resized to it (``on_size_change="resize"``, the default: a window resized while
recording keeps recording) or refused (``"refuse"``). Video encoders store
colour at half resolution and need even sides: an odd width or height is padded
by repeating the last column or row, and :attr:`RecordingResult.size` says what
was written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from playground.sources.quiet import native_stderr_filtered

from .atomic import ExportError, _disk_full, _temp_name, check_folder, sweep_stale

__all__ = ["VideoRecorder", "RecordingResult", "VIDEO_FORMATS", "record_frames"]

# (fourcc, container suffix, name for messages), in order of preference
VIDEO_FORMATS = (("mp4v", ".mp4", "MP4 (MPEG-4)"), ("MJPG", ".avi", "AVI (Motion-JPEG)"))
_SIZE_POLICIES = ("resize", "refuse")


@dataclass(frozen=True)
class RecordingResult:
    """A finished recording.

    Attributes
    ----------
    path : pathlib.Path
        The video file (its suffix is .avi when MP4 was not available).
    frames : int
        Frames written.
    size : (int, int)
        (width, height) of the video, even numbers.
    fps : float
    codec : str
        The fourcc used, "mp4v" or "MJPG".
    notice : str or None
        What the person should know: the fallback format, resized frames.
    """

    path: Path
    frames: int
    size: tuple[int, int]
    fps: float
    codec: str
    notice: str | None


def _as_rgb_frame(frame) -> np.ndarray:
    array = np.asarray(frame)
    if array.dtype != np.uint8:
        raise ExportError(f"a video frame must be uint8 RGB; got dtype {array.dtype}")
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4) or 0 in array.shape:
        raise ExportError(f"a video frame must be (height, width, 3) RGB; got shape {array.shape}")
    return array[:, :, :3]


def _even(frame: np.ndarray) -> np.ndarray:
    height, width = frame.shape[:2]
    if height % 2 == 0 and width % 2 == 0:
        return frame
    return np.pad(frame, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")


class VideoRecorder:
    """Frames in, a video file out.

    Parameters
    ----------
    path : path
        Where the video goes: ``.mp4`` (MP4, falling back to ``.avi``
        Motion-JPEG where this OpenCV cannot write MP4) or ``.avi``.
    fps : float
        Frames per second of the file (0.1 to 240).
    on_size_change : {"resize", "refuse"}
        What a frame of another size than the first gets.
    overwrite : bool
        Replace an existing file (a save dialog asked already). False: an
        existing file is refused before anything is recorded.

    Raises
    ------
    ExportError
        Bad suffix or fps, a folder that does not exist or cannot be written,
        an existing file without ``overwrite``.

    Examples
    --------
    >>> with VideoRecorder("maps.mp4", fps=15) as recorder:     # doctest: +SKIP
    ...     for frame in frames:
    ...         recorder.write(frame)
    >>> recorder.result.frames                                  # doctest: +SKIP
    120
    """

    def __init__(self, path: str | os.PathLike[str], fps: float = 30.0, *, on_size_change: str = "resize",
                 overwrite: bool = False, formats=VIDEO_FORMATS) -> None:
        self.path = Path(path).expanduser()
        suffix = self.path.suffix.lower()
        preferred = [item for item in formats if item[1] == suffix]
        if not preferred:
            raise ExportError(f"cannot record to '{self.path}': the name must end in "
                              f"{' or '.join(item[1] for item in formats)}")
        # the format the name asks for first, then the others as fallbacks
        self._formats = preferred + [item for item in formats if item[1] != suffix]
        if not isinstance(fps, (int, float)) or not 0.1 <= fps <= 240:
            raise ExportError(f"frames per second must be 0.1 to 240; got {fps!r}")
        if on_size_change not in _SIZE_POLICIES:
            raise ValueError(f"on_size_change must be 'resize' or 'refuse'; got {on_size_change!r}")
        check_folder(self.path.parent)  # Path("clip.mp4").parent is "."
        sweep_stale(self.path.parent)  # temp videos of recordings that were killed there
        self.fps = float(fps)
        self.on_size_change = on_size_change
        self.overwrite = bool(overwrite)
        self._refuse_existing(self.path)
        self.frames = 0
        self.size: tuple[int, int] | None = None  # (width, height) of the first frame
        self.codec: str | None = None
        self.result: RecordingResult | None = None
        self._notices: list[str] = []
        self._resized = 0
        self._writer = None
        self._temp: Path | None = None
        self._final: Path | None = None

    def _refuse_existing(self, path: Path) -> None:
        if not self.overwrite and path.exists():
            raise ExportError(f"cannot record to '{path}': the file exists (choose another name)")

    def _open(self, width: int, height: int) -> None:
        tried = []
        for fourcc, suffix, name in self._formats:
            final = self.path.with_suffix(suffix)
            self._refuse_existing(final)
            # named with this process (the sweep's way to know a killed run's file); the suffix picks the container
            temp = _temp_name(final)
            writer = cv2.VideoWriter(str(temp), cv2.VideoWriter_fourcc(*fourcc), self.fps, (width, height))
            if writer.isOpened():
                self._writer, self._temp, self._final, self.codec = writer, temp, final, fourcc
                if final != self.path:
                    self._notices.append(f"{tried[0]} is not available here; recorded {name} to '{final.name}'")
                return
            writer.release()
            temp.unlink(missing_ok=True)
            tried.append(name)
        raise ExportError(f"cannot record video: this OpenCV cannot write {' or '.join(tried)}")

    def write(self, frame) -> None:
        """Add one frame.

        Parameters
        ----------
        frame : numpy.ndarray, uint8, (height, width, 3) RGB
            (height, width) gray and (height, width, 4) RGBA (alpha dropped) are accepted too.

        Raises
        ------
        ExportError
            A frame that is not uint8 RGB, a frame of another size with
            ``on_size_change="refuse"``, no working encoder, a closed recorder.
        """
        if self.result is not None or (self.frames and self._writer is None):
            raise ExportError("the recording is closed; start a new one")
        rgb = _as_rgb_frame(frame)
        height, width = rgb.shape[:2]
        if self.size is None:
            self.size = (width, height)
            self._open(width + width % 2, height + height % 2)
        elif (width, height) != self.size:
            if self.on_size_change == "refuse":
                raise ExportError(f"frame {self.frames + 1} is {width}×{height} but the video is "
                                  f"{self.size[0]}×{self.size[1]} (fixed by the first frame)")
            rgb = cv2.resize(np.ascontiguousarray(rgb), self.size, interpolation=cv2.INTER_AREA)
            self._resized += 1
        self._writer.write(np.ascontiguousarray(cv2.cvtColor(_even(rgb), cv2.COLOR_RGB2BGR)))
        self.frames += 1

    def close(self) -> RecordingResult:
        """Finish the file and give it its name.

        Returns
        -------
        RecordingResult

        Raises
        ------
        ExportError
            If no frame was recorded (nothing is written) or the file could not
            be finished (disk full, folder gone).
        """
        if self.result is not None:
            return self.result
        if self._writer is None:
            raise ExportError("nothing was recorded: no frames came before the recording stopped")
        self._writer.release()
        self._writer = None
        try:
            if self._temp.stat().st_size == 0:
                raise ExportError(f"cannot finish '{self._final}': the encoder wrote nothing (is the disk full?)")
            # OpenCV's writer fails silently when the disk fills: an MP4 without its index, an
            # AVI of a few frames, under the real name with "recorded N frames" would be lost work
            if _frames_in(self._temp) != self.frames:
                reason = ("the disk is full" if _disk_full(self._temp.parent)
                          else "the encoder could not finish the file")
                raise ExportError(f"cannot finish '{self._final}': {reason}")
            os.replace(self._temp, self._final)
        except OSError as exc:
            raise ExportError(f"cannot finish '{self._final}': {exc.strerror or exc}") from None
        finally:
            self._temp.unlink(missing_ok=True)
        if self._resized:
            self._notices.append(f"{self._resized} frame{'s' if self._resized != 1 else ''} of another size "
                                 f"resized to {self.size[0]}×{self.size[1]}")
        width, height = self.size
        self.result = RecordingResult(self._final, self.frames, (width + width % 2, height + height % 2), self.fps,
                                      self.codec, "; ".join(self._notices) or None)
        return self.result

    def abort(self) -> None:
        """Stop and delete what was recorded (nothing appears under the final name)."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)

    @property
    def notice(self) -> str | None:
        """The fallback format so far (e.g. for a status bar while recording), or None."""
        return "; ".join(self._notices) or None

    def __enter__(self) -> VideoRecorder:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _frames_in(path: Path) -> int:
    """How many frames a player finds in the video at ``path`` from its header (-1: it cannot open it)."""
    with native_stderr_filtered():  # FFmpeg's "moov atom not found" is ours to say in words
        capture = cv2.VideoCapture(str(path))
        try:
            return int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if capture.isOpened() else -1
        finally:
            capture.release()


def record_frames(path: str | os.PathLike[str], frames, fps: float = 30.0, **options) -> RecordingResult:
    """Write an iterable of RGB uint8 frames to ``path`` (see :class:`VideoRecorder`)."""
    with VideoRecorder(path, fps, **options) as recorder:
        for frame in frames:
            recorder.write(frame)
    return recorder.result
