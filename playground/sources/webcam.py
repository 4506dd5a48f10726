"""A camera, read with OpenCV: MJPG where offered, its real frame rate, and reconnection.

When a camera stops sending frames (unplugged, taken by another program) the source
says so in :attr:`WebcamSource.status`, keeps handing out the last picture a few
times a second and tries to open the camera again, waiting longer after each failed
try; frames resume when it is back. All of that happens inside :meth:`read`, on the
capture thread, never on the GUI thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from .base import Source, SourceError
from .cameras import MJPG, configure_capture, fourcc_text, open_camera
from .frames import DEFAULT_MAX_SIDE, check_downscale, check_max_side, size_text, to_rgb_frame

__all__ = ["FrameRateMeter", "WebcamSource", "open_camera"]


class FrameRateMeter:
    """Frames per second over a sliding window of recent frame times.

    Parameters
    ----------
    window : float
        Seconds of history averaged: long enough to read steadily on screen, short
        enough that a stalled camera drops to 0 within ``window`` seconds.
    """

    def __init__(self, window: float = 2.0) -> None:
        if window <= 0:
            raise ValueError(f"window must be > 0 seconds; got {window!r}")
        self.window = float(window)
        self._times: deque[float] = deque(maxlen=1024)  # bounded even for a 500 FPS camera
        self._lock = threading.Lock()  # the capture thread ticks, the GUI thread asks

    def tick(self, now: float) -> None:
        """Count one frame delivered at time ``now`` (seconds)."""
        with self._lock:
            self._times.append(now)

    def reset(self) -> None:
        """Forget every frame (a reconnected camera starts a new count)."""
        with self._lock:
            self._times.clear()

    def rate(self, now: float) -> float | None:
        """Frames per second in the last ``window`` seconds before ``now``.

        Returns
        -------
        float or None
            None before two frames were counted; 0.0 when fewer than two arrived in
            the window (a stalled camera).
        """
        with self._lock:
            times = list(self._times)
        if len(times) < 2:
            return None
        recent = [t for t in times if t >= now - self.window]
        if len(recent) < 2 or recent[-1] == recent[0]:
            return 0.0
        return (len(recent) - 1) / (recent[-1] - recent[0])


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
        methods used here (``isOpened``, ``read``, ``get``, ``set``, ``release``).
        Defaults to :func:`open_camera`; tests pass a fake camera.
    prefer_mjpg : bool
        Ask for MJPG frames (what gives USB webcams 30 FPS at 1280×720); when the
        camera then sends no frame, its own format is tried.
    max_failures : int
        Failed reads in a row after which the camera counts as gone…
    give_up_after : float
        …or seconds without a frame, whichever comes first.
    retry_delay : float
        Seconds to wait between failed reads (a vanished camera fails at once).
    reconnect : bool
        When the camera is gone: True holds the last frame and reopens the camera
        with backoff (the app's choice); False raises :class:`SourceError`.
    backoff : (float, float)
        First and longest wait in seconds between reopen tries; each failed try
        doubles the wait.
    hold_interval : float
        While disconnected, :meth:`read` returns the held frame at most this often.
    clock : callable
        Returns seconds; ``time.monotonic`` unless a test injects its own.
    sleep : callable, optional
        ``sleep(seconds)``; by default a wait that :meth:`close` cuts short.

    Attributes
    ----------
    pixel_format : str
        What the driver settled on (``"MJPG"``, ``"YUYV"``), ``""`` when it does not say.
    status : str
        ``""`` while frames come; ``"camera N disconnected, retrying…"`` while not.
    frame_size : (int, int)
        ``(width, height)`` the camera delivers, before any downscale.

    Raises
    ------
    SourceError
        If no camera opens at ``index`` or it sends no first frame; from
        :meth:`read`, if the camera stops sending frames and ``reconnect`` is False.
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
        prefer_mjpg: bool = True,
        max_failures: int = 10,
        give_up_after: float = 2.0,
        retry_delay: float = 0.02,
        reconnect: bool = True,
        backoff: tuple[float, float] = (0.5, 5.0),
        hold_interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] | None = None,
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
        if not 0 < backoff[0] <= backoff[1] or hold_interval <= 0:
            raise ValueError("backoff must be (first, longest) with 0 < first ≤ longest; hold_interval > 0")
        self.index = int(index)
        self._resolution = (int(resolution[0]), int(resolution[1]))
        self._max_side, self.downscale = check_max_side(max_side), check_downscale(downscale)
        self._max_failures, self._give_up_after = int(max_failures), float(give_up_after)
        self._retry_delay, self._clock = float(retry_delay), clock
        self._reconnect, self._backoff, self._hold_interval = bool(reconnect), backoff, float(hold_interval)
        self._factory = capture_factory or open_camera
        self._fourcc: int | None = MJPG if prefer_mjpg else None
        self._closing = threading.Event()
        self._sleep = sleep or self._closing.wait
        self._meter = FrameRateMeter()
        self.spec = f"webcam:{self.index}"
        self.description = f"Webcam {self.index}"
        self.pixel_format = ""
        self.status = ""
        self._held: np.ndarray | None = None  # the last frame shown, repeated while disconnected
        self._next_try = 0.0
        self._wait = backoff[0]
        self._native_fourcc = 0

        self._capture = self._open()
        try:
            first = self._first_frame(f"camera {self.index} opened but sent no frames")
        except SourceError:
            self._capture.release()
            raise
        self._pending: np.ndarray | None = first
        _, self.notices = to_rgb_frame(first, max_side=self._max_side, downscale=self.downscale)
        self._describe(first)

    # --- opening ------------------------------------------------------------------------------
    def _open(self) -> Any:
        """Open the camera and ask for the format, size and buffer; raise SourceError if it won't open."""
        try:
            capture = self._factory(self.index)
        except cv2.error as error:
            raise SourceError(f"no camera at index {self.index} (OpenCV could not open it: {error})") from error
        if not capture.isOpened():
            capture.release()
            raise SourceError(
                f"no camera at index {self.index} (OpenCV could not open it; "
                "is it connected, and not in use by another program?)"
            )
        native = capture.get(cv2.CAP_PROP_FOURCC)
        self._native_fourcc = int(native) if native == native and native > 0 else 0  # to fall back to (NaN: none)
        self.pixel_format = configure_capture(capture, self._resolution, fourcc=self._fourcc)
        return capture

    def _first_frame(self, failure: str) -> np.ndarray:
        """The first frame after opening; if MJPG was accepted but sends nothing, the camera's own format."""
        try:
            return self._next_raw(failure)
        except SourceError:
            native = self._native_fourcc
            if self.pixel_format != "MJPG" or native in (0, MJPG):
                raise
        # some drivers accept MJPG and then deliver nothing: keep whichever format works
        self.pixel_format = configure_capture(self._capture, self._resolution, fourcc=native) or fourcc_text(native)
        return self._next_raw(failure)

    def _describe(self, raw: np.ndarray) -> None:
        self.frame_size = (int(raw.shape[1]), int(raw.shape[0]))
        shrink = f" (1/{self.downscale})" if self.downscale > 1 else ""
        fmt = f" {self.pixel_format}" if self.pixel_format else ""
        self.description = f"Webcam {self.index} · {size_text(*raw.shape[:2])}{fmt}{shrink}"

    # --- reading ------------------------------------------------------------------------------
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
                self._meter.tick(self._clock())
                return raw
            failures += 1
            if failures >= self._max_failures or self._clock() - started >= self._give_up_after:
                raise SourceError(failure)
            if self._retry_delay:
                self._sleep(self._retry_delay)

    def _read(self) -> np.ndarray:
        if self.status:
            return self._read_disconnected()
        raw, self._pending = self._pending, None
        if raw is None:
            try:
                raw = self._next_raw(
                    f"camera {self.index} stopped sending frames (unplugged, or taken by another program?)"
                )
            except SourceError:
                if not self._reconnect or self._held is None:
                    raise
                self._disconnect()
                return self._read_disconnected()
        return self._hold(raw)

    def _hold(self, raw: np.ndarray) -> np.ndarray:
        """Convert ``raw`` and keep it to repeat while disconnected (read-only: it is handed out again)."""
        self._held, _ = to_rgb_frame(raw, max_side=self._max_side, downscale=self.downscale)
        self._held.flags.writeable = False
        return self._held

    def _disconnect(self) -> None:
        """The camera is gone: free the device (so it can come back under the same number), plan a retry."""
        self._capture.release()
        self._capture = None
        self._meter.reset()
        self.status = f"camera {self.index} disconnected, retrying…"
        self._wait = self._backoff[0]
        self._next_try = self._clock() + self._wait

    def _read_disconnected(self) -> np.ndarray:
        """One reopen try when it is due; otherwise wait a little and hand out the held frame."""
        if self._clock() >= self._next_try:
            try:
                self._capture = self._open()
                raw = self._first_frame(f"camera {self.index} opened again but sent no frames")
            except SourceError:
                if self._capture is not None:
                    self._capture.release()
                    self._capture = None
                self._wait = min(self._wait * 2, self._backoff[1])
                self._next_try = self._clock() + self._wait
            else:
                self.status = ""
                self._describe(raw)
                return self._hold(raw)
        self._sleep(max(0.0, min(self._hold_interval, self._next_try - self._clock())))
        return self._held

    @property
    def camera_fps(self) -> float | None:
        """Frames per second the camera actually delivers (averaged over 2 s); None before two frames."""
        if self.status:
            return 0.0
        return self._meter.rate(self._clock())

    # --- closing ------------------------------------------------------------------------------
    def close(self) -> None:
        self._closing.set()  # cut short a wait between reopen tries, so closing is prompt
        super().close()

    def _release(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
