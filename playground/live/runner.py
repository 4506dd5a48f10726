"""The frame loop: a capture thread and a compute thread, newest frame wins.

capture → [frame slot] → compute + draw → [result slot] → the GUI takes it.
Both slots hold one value; the compute thread waits (briefly) for the GUI to take
a result before making the next, so no frame is computed that nobody will see and
nothing queues up behind a slow screen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from playground.sources.base import Source, SourceError

from .processor import FrameProcessor, RenderedFrame
from .slot import LatestSlot
from .snapshot import Snapshot

__all__ = ["LiveRunner"]

# How long the compute thread waits for the GUI to take a result before it goes on
# anyway (a window that is minimised or busy must not stall the pipeline forever).
_GUI_PATIENCE_S = 0.25


class LiveRunner:
    """Runs a source through the layer on two worker threads.

    Parameters
    ----------
    source : Source
    snapshot : Snapshot
    on_result : callable()
        Called on the compute thread after each new result is in :attr:`results`.
    on_error : callable(str)
        Called on a worker thread with a message for the person (camera gone,
        settings that leave no output, …). The runner keeps going.
    processor : FrameProcessor, optional
    """

    def __init__(self, source: Source, snapshot: Snapshot, on_result: Callable[[], None],
                 on_error: Callable[[str], None], processor: FrameProcessor | None = None):
        self.results = LatestSlot()
        self._frames = LatestSlot()
        self._source = source
        self._source_version = 0
        self._snapshot = snapshot
        self._snapshot_version = 0
        self._on_result = on_result
        self._on_error = on_error
        self._processor = processor or FrameProcessor()
        self._lock = threading.Lock()
        self._wake_capture = threading.Event()
        self._wake_compute = threading.Event()
        self._stopping = False
        self._paused = False
        self._step = False
        self._threads: list[threading.Thread] = []
        self._pending_close: list[Source] = []   # replaced sources the capture thread closes
        self.source_failed = False                # the current source raised (cleared on a switch)
        self._last_error = ""
        self.captured = 0
        self.computed = 0
        # A still image is read once and recomputed only on edits; a benchmark
        # wants a stream, so it may ask for the image to be re-read as fast as possible.
        self.still_as_stream = False

    # --- control (any thread) ---------------------------------------------------------
    def start(self) -> None:
        self._threads = [
            threading.Thread(target=self._capture_loop, name="capture", daemon=True),
            threading.Thread(target=self._compute_loop, name="compute", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 3.0) -> bool:
        """Stop both threads; True when they ended within ``timeout`` seconds."""
        self._stopping = True
        self._wake_capture.set()
        self._wake_compute.set()
        self.results.wake()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        alive = any(thread.is_alive() for thread in self._threads)
        if not alive:
            # also a source replaced while the capture thread was inside read()
            for source in (*self._pending_close, self._source):
                source.close()
            self._pending_close = []
        return not alive

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    @property
    def source(self) -> Source:
        return self._source

    def set_source(self, source: Source) -> None:
        """Switch to ``source`` (the old one is closed by the capture thread)."""
        with self._lock:
            self._pending_close.append(self._source)
            self.source_failed = False
            self._source = source
            self._source_version += 1
        self._wake_capture.set()

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def set_snapshot(self, snapshot: Snapshot) -> None:
        """Use ``snapshot`` from the next frame on; when paused, redo the current frame."""
        with self._lock:
            self._snapshot = snapshot
            self._snapshot_version += 1
        self._wake_compute.set()

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        self._paused = True

    def resume(self) -> None:
        self._paused = False
        self._wake_capture.set()

    def step(self) -> None:
        """Capture and show exactly one new frame (pauses if running)."""
        self._paused = True
        self._step = True
        self._wake_capture.set()

    # --- threads -------------------------------------------------------------------------
    def _capture_loop(self) -> None:
        failed_version = -1
        still_done = -1
        next_due = time.perf_counter()
        while not self._stopping:
            with self._lock:
                source, version = self._source, self._source_version
                old, self._pending_close = self._pending_close, []
            for stale in old:
                if stale is not source:
                    stale.close()
            stepping = self._step
            still = not source.live and not self.still_as_stream
            idle = (self._paused and not stepping) or version == failed_version or \
                (still and version == still_done and not stepping)
            if idle:
                self._wake_capture.wait(0.1)
                self._wake_capture.clear()
                continue
            try:
                frame = source.read()
            except SourceError as exc:
                failed_version = version
                self.source_failed = True
                self._on_error(str(exc))
                continue
            except Exception as exc:  # a decoder bug must not kill the loop silently
                failed_version = version
                self.source_failed = True
                self._on_error(f"reading {source.description} failed: {exc}")
                continue
            self._step = False
            self.captured += 1
            self._frames.put((frame, time.perf_counter(), self.captured, source.live))
            self._wake_compute.set()
            if still:
                still_done = version
                continue
            if not source.live:
                # a still image re-read as a stream: no faster than frames are taken
                self._frames.wait_empty(0.5)
                continue
            interval = source.frame_interval
            if interval:
                next_due = max(next_due + interval, time.perf_counter())
                delay = next_due - time.perf_counter()
                if delay > 0:
                    self._wake_capture.wait(delay)
                    self._wake_capture.clear()

    def _compute_loop(self) -> None:
        current = None          # (frame, captured_at, index, live) last computed
        done_version = -1
        while not self._stopping:
            self._wake_compute.wait(0.1)
            self._wake_compute.clear()
            item = self._frames.take()
            with self._lock:
                snapshot, version = self._snapshot, self._snapshot_version
            if item is not None:
                current = item
            elif current is None or version == done_version:
                continue
            frame, captured_at, index, live = current
            if item is None:  # a settings change on a held frame: its age is now
                captured_at = time.perf_counter()
            try:
                result: RenderedFrame = self._processor.process(
                    frame, snapshot, index, captured_at, smooth=live and not self._paused)
            except Exception as exc:  # keep running on the previous picture
                self._on_error(f"computing the maps failed: {type(exc).__name__}: {exc}")
                done_version = version
                continue
            done_version = version
            self.computed += 1
            # a lasting problem (e.g. a pool window larger than the map on a live
            # source) is said once, not at the frame rate
            if result.error and result.error != self._last_error:
                self._on_error(result.error)
            self._last_error = result.error or ""
            self.results.put(result)
            self._on_result()
            self.results.wait_empty(_GUI_PATIENCE_S)
            if self._frames.peek() is not None:
                self._wake_compute.set()
