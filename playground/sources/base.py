"""What every frame source is: the :class:`Source` interface and :class:`SourceError`."""

from __future__ import annotations

import abc
import threading
from types import TracebackType

import numpy as np

__all__ = ["Source", "SourceError", "SOURCE_KINDS"]

SOURCE_KINDS = ("demo", "image", "video", "webcam")


class SourceError(Exception):
    """A source cannot be opened or stopped working.

    The message is one plain sentence for a person, naming what failed and why,
    e.g. ``cannot open 'notes.txt': not an image (OpenCV could not decode it)``.
    The UI shows it as is; the command line prints it and exits non-zero.
    """


class Source(abc.ABC):
    """A stream of RGB frames: the demo, an image file, a video file or a webcam.

    Subclasses set the attributes below in ``__init__`` and implement
    :meth:`_read` (and :meth:`_release` when they hold a resource). Reading and
    closing are serialised by a lock, so a worker thread may read while the GUI
    thread closes the source.

    Attributes
    ----------
    kind : str
        One of ``"demo"``, ``"image"``, ``"video"``, ``"webcam"``.
    spec : str
        The string that reopens this source with
        :func:`~playground.sources.open_source` (``"demo"``, ``"webcam:1"``,
        an absolute path, ``"sample:city"``).
    description : str
        Short text for a status bar, e.g. ``"photo.jpg 1600×1067"``.
    live : bool
        True when frames change with time (demo, video, webcam); False for a still image.
    frame_interval : float or None
        Seconds between frames at natural speed (1 / fps for a video, 1/60 for
        the demo); None when :meth:`read` paces itself (webcam) or nothing moves (image).
    notices : tuple of str
        Things the person should know about the frames, e.g.
        ``"scaled down from 6000×4000 to 1600×1067 for speed"``.
    """

    kind: str
    spec: str
    description: str
    live: bool
    frame_interval: float | None
    notices: tuple[str, ...] = ()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed = False

    def read(self) -> np.ndarray:
        """The next frame.

        May block (a webcam waits for its next frame).

        Returns
        -------
        numpy.ndarray, float32, shape (H, W, 3)
            RGB in [0, 1], C-contiguous. Sources whose picture never changes
            (images) return the same read-only array every time.

        Raises
        ------
        SourceError
            If the source failed (camera unplugged, video unreadable) or is closed.
        """
        with self._lock:
            if self._closed:
                raise SourceError(f"{self.description} is closed; open the source again to read from it")
            return self._read()

    @abc.abstractmethod
    def _read(self) -> np.ndarray:
        """Produce the next frame (called with the lock held, never after close)."""

    def close(self) -> None:
        """Release the file or camera. Safe to call more than once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._release()

    def _release(self) -> None:
        """Free what the source holds (called once, with the lock held). Nothing by default."""
        return None

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    def __enter__(self) -> Source:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = ", closed" if self._closed else ""
        return f"<{type(self).__name__} {self.spec!r}: {self.description}{state}>"
