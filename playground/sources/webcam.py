"""A camera, read with OpenCV; reports clearly when it is missing or stops sending frames."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from .base import Source, SourceError
from .frames import DEFAULT_MAX_SIDE, check_downscale, check_max_side, size_text, to_rgb_frame

__all__ = ["WebcamSource", "open_camera"]


def open_camera(index: int) -> Any:
    """``cv2.VideoCapture(index, cv2.CAP_ANY)``: OpenCV picks the platform's backend."""
    return cv2.VideoCapture(index, cv2.CAP_ANY)


class WebcamSource(Source):
    """Live frames from a camera; :meth:`read` blocks until the camera delivers one.

    Parameters
    ----------
    index : int
        Camera number as the system counts them (0 is the first).
    resolution : (int, int)
        Requested ``(width, height)``. Cameras pick the nearest size they
        support; :attr:`description` gives the size actually delivered.
    max_side : int
        Frames larger than this on either side are scaled down (INTER_AREA).
    downscale : int
        1, 2, 3 or 4: frames are further shrunk by this factor, for speed.
    capture_factory : callable, optional
        ``capture_factory(index)`` returns an object with the ``cv2.VideoCapture``
        methods used here (``isOpened``, ``read``, ``set``, ``release``).
        Defaults to :func:`open_camera`; tests pass a fake camera.
    max_failures : int
        Failed reads in a row after which the camera counts as gone…
    give_up_after : float
        …or seconds without a frame, whichever comes first.
    retry_delay : float
        Seconds to wait between failed reads (a vanished camera fails at once).
    clock : callable
        Returns seconds; ``time.monotonic`` unless a test injects its own.

    Raises
    ------
    SourceError
        If no camera opens at ``index`` or it sends no first frame; from
        :meth:`read`, if the camera stops sending frames.
    ValueError
        If a numeric parameter is out of range.
    """

    kind = "webcam"
    live = True
    frame_interval = None  # read() waits for the camera

    def __init__(
        self,
        index: int = 0,
        resolution: tuple[int, int] = (640, 480),
        *,
        max_side: int = DEFAULT_MAX_SIDE,
        downscale: int = 1,
        capture_factory: Callable[[int], Any] | None = None,
        max_failures: int = 10,
        give_up_after: float = 2.0,
        retry_delay: float = 0.02,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or index < 0:
            raise ValueError(f"camera index must be a whole number from 0; got {index!r}")
        if (
            len(resolution) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1 for v in resolution)
        ):
            raise ValueError(f"resolution must be (width, height) in whole pixels; got {resolution!r}")
        if max_failures < 1 or give_up_after <= 0 or retry_delay < 0:
            raise ValueError("max_failures must be ≥ 1, give_up_after > 0 and retry_delay ≥ 0")
        self.index = int(index)
        self._max_side, self.downscale = check_max_side(max_side), check_downscale(downscale)
        self._max_failures, self._give_up_after = int(max_failures), float(give_up_after)
        self._retry_delay, self._clock = float(retry_delay), clock
        self.spec = f"webcam:{self.index}"
        self.description = f"Webcam {self.index}"

        factory = capture_factory or open_camera
        try:
            self._capture = factory(self.index)
        except cv2.error as error:
            raise SourceError(f"no camera at index {self.index} (OpenCV could not open it: {error})") from error
        if not self._capture.isOpened():
            self._capture.release()
            raise SourceError(
                f"no camera at index {self.index} (OpenCV could not open it; "
                "is it connected, and not in use by another program?)"
            )
        width, height = (int(v) for v in resolution)
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)

        try:
            first = self._next_raw(f"camera {self.index} opened but sent no frames")
        except SourceError:
            self._capture.release()
            raise
        self._pending: np.ndarray | None = first
        frame, self.notices = to_rgb_frame(first, max_side=self._max_side, downscale=self.downscale)
        shrink = f" (1/{self.downscale})" if self.downscale > 1 else ""
        self.description = f"Webcam {self.index} · {size_text(*first.shape[:2])}{shrink}"

    def _next_raw(self, failure: str) -> np.ndarray:
        """The camera's next frame, retrying until the failure policy gives up."""
        started = self._clock()
        failures = 0
        while True:
            try:
                ok, raw = self._capture.read()
            except cv2.error:
                ok, raw = False, None
            if ok and raw is not None and raw.size:
                return raw
            failures += 1
            if failures >= self._max_failures or self._clock() - started >= self._give_up_after:
                raise SourceError(failure)
            if self._retry_delay:
                time.sleep(self._retry_delay)

    def _read(self) -> np.ndarray:
        raw, self._pending = self._pending, None
        if raw is None:
            raw = self._next_raw(
                f"camera {self.index} stopped sending frames (unplugged, or taken by another program?)"
            )
        frame, _ = to_rgb_frame(raw, max_side=self._max_side, downscale=self.downscale)
        return frame

    def _release(self) -> None:
        self._capture.release()
