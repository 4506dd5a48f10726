"""Record the maps view or the whole window to a video, frames exactly as shown.

After each displayed frame (``MainWindow.frame_displayed``, emitted once the
frame is painted) the recorded widget's pixels are read back from the screen on
the GUI thread (:func:`grab_rgb`) and handed to a writer thread that encodes it
(:class:`~playground.export.recording.VideoRecorder`: MP4, or Motion-JPEG AVI
where MP4 is missing), so encoding never holds up drawing. While recording, the
status bar shows a red dot with the time and the frame count.
"""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from playground.export.atomic import ExportError
from playground.export.recording import VideoRecorder

__all__ = ["RecordActions", "grab_rgb", "maps_widget", "QUEUE_FRAMES"]

# Grabbed frames waiting for the encoder; a slow disk drops frames (counted) rather than
# letting memory grow: a 1600×1000 frame is 4.8 MB.
QUEUE_FRAMES = 16
VIDEO_FILTER = "MP4 video (*.mp4);;AVI video, Motion-JPEG (*.avi)"


def grab_rgb(widget: QtWidgets.QWidget) -> np.ndarray:
    """What ``widget`` shows now, as uint8 RGB (height, width, 3) in device pixels.

    The pixels already on screen are read back (``QScreen.grabWindow``: 5–10 ms for a
    1600×1000 window here) rather than the widget painted again (``QWidget.grab``:
    90–180 ms, every map view redrawn); the repaint is the fallback where a platform
    cannot read its screen (Wayland gives a null picture).
    """
    window = widget.window()
    screen = window.screen()
    pixmap = QtGui.QPixmap()
    if screen is not None and window.isVisible():
        origin = widget.mapTo(window, QtCore.QPoint(0, 0)) if widget is not window else QtCore.QPoint(0, 0)
        pixmap = screen.grabWindow(window.winId(), origin.x(), origin.y(), widget.width(), widget.height())
    if pixmap.isNull():
        pixmap = widget.grab()
    image = pixmap.toImage().convertToFormat(QtGui.QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * height)
    # Qt pads each line to 4 bytes: keep the pixels only, in memory we own
    return rows.reshape(height, image.bytesPerLine())[:, :width * 3].reshape(height, width, 3).copy()


def maps_widget(window) -> QtWidgets.QWidget:
    """The smallest widget holding every map view (the maps area without the side panels)."""
    panels = [getattr(window, name) for name in ("filters_panel", "channels_panel", "pooled_panel")
              if getattr(window, name, None) is not None]
    widget = panels[0].parentWidget()
    while widget is not None and not all(widget.isAncestorOf(p) for p in panels):
        widget = widget.parentWidget()
    return widget or window.centralWidget()


class _Writer(threading.Thread):
    """Encodes queued frames; ``None`` in the queue ends the recording."""

    def __init__(self, recorder: VideoRecorder):
        super().__init__(name="video-recorder", daemon=True)
        self.recorder = recorder
        self.frames: queue.Queue = queue.Queue(maxsize=QUEUE_FRAMES)
        self.error: str | None = None
        self.result = None

    def run(self) -> None:
        while True:
            frame = self.frames.get()
            if frame is None:
                break
            if self.error is None:
                try:
                    self.recorder.write(frame)
                except ExportError as exc:
                    self.error = str(exc)
        try:
            if self.error is None:
                self.result = self.recorder.close()
            else:
                self.recorder.abort()
        except ExportError as exc:
            self.error = str(exc)


class RecordActions(QtCore.QObject):
    """File ▸ Record the maps… / Record the window… / Stop recording, and the status indicator.

    Attributes
    ----------
    grabbed : int
        Frames grabbed and queued in the current (or last) recording.
    dropped : int
        Frames the encoder could not keep up with.
    last_result : RecordingResult or None
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.target: QtWidgets.QWidget | None = None
        self.grabbed = 0
        self.dropped = 0
        self.last_result = None
        self._writer: _Writer | None = None
        self._started = 0.0
        self.maps_action = QtGui.QAction("Record the maps…", self)
        self.maps_action.setToolTip("Record the map views to a video, frame by frame as shown")
        self.maps_action.triggered.connect(lambda: self.choose_and_start("maps"))
        self.window_action = QtGui.QAction("Record the window…", self)
        self.window_action.setToolTip("Record the whole window to a video, frame by frame as shown")
        self.window_action.triggered.connect(lambda: self.choose_and_start("window"))
        self.stop_action = QtGui.QAction("Stop recording", self)
        self.stop_action.setShortcut(QtGui.QKeySequence("Ctrl+Shift+R"))
        self.stop_action.setEnabled(False)
        self.stop_action.triggered.connect(self.stop)
        self.indicator = QtWidgets.QLabel()
        self.indicator.setStyleSheet("color: #ff4040; font-weight: 600;")
        self.indicator.setToolTip("Recording: elapsed time and frames written (Ctrl+Shift+R stops)")
        self.indicator.hide()
        window.statusBar().addPermanentWidget(self.indicator)
        self._tick = QtCore.QTimer(self)
        self._tick.timeout.connect(self._update_indicator)
        window.frame_displayed.connect(self._on_frame)
        window.installEventFilter(self)   # closing the window finishes the file, not loses it

    def actions(self) -> list:
        return [self.maps_action, self.window_action, self.stop_action]

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QtCore.QEvent.Type.Close and self.recording:
            self.stop()
        return False

    @property
    def recording(self) -> bool:
        return self._writer is not None

    def choose_and_start(self, what: str) -> None:
        start = str(Path.home() / f"kernel-playground-{time.strftime('%Y%m%d-%H%M%S')}.mp4")
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, "Record to a video file", start, VIDEO_FILTER)
        if path:
            if Path(path).suffix.lower() not in (".mp4", ".avi"):
                path += ".mp4"
            self.start(path, what)

    def start(self, path, what: str = "window", fps: float | None = None) -> bool:
        """Record ``what`` ("maps" or "window") to ``path`` from the next displayed frame on.

        ``fps`` defaults to the source's natural rate (30 when it has none).
        Returns False (with a message) when the file cannot be made.
        """
        if self.recording:
            self.stop()
        source = self.window.runner.source
        if fps is None:
            interval = getattr(source, "frame_interval", None)
            fps = min(60.0, 1.0 / interval) if interval else 30.0
        try:
            recorder = VideoRecorder(path, fps, overwrite=True)   # the save dialog asked already
        except ExportError as exc:
            self.window.show_message(str(exc))
            return False
        self.target = maps_widget(self.window) if what == "maps" else self.window
        self.grabbed = self.dropped = 0
        self._writer = _Writer(recorder)
        self._writer.start()
        self._started = time.perf_counter()
        self.stop_action.setEnabled(True)
        self.indicator.show()
        self._update_indicator()
        self._tick.start(500)
        return True

    @QtCore.Slot(object)
    def _on_frame(self, _result) -> None:
        if self._writer is None or self.target is None:
            return
        frame = grab_rgb(self.target)
        try:
            self._writer.frames.put_nowait(frame)
            self.grabbed += 1
        except queue.Full:
            self.dropped += 1

    def _update_indicator(self) -> None:
        seconds = int(time.perf_counter() - self._started)
        self.indicator.setText(f"● REC {seconds // 60}:{seconds % 60:02d} · {self.grabbed} frames")

    @QtCore.Slot()
    def stop(self):
        """Finish the file; returns the RecordingResult (None when nothing could be written)."""
        result = self._finish(wait=True)
        if result is not None:
            dropped = f"; {self.dropped} frames dropped (the disk was too slow)" if self.dropped else ""
            notice = f"; {result.notice}" if result.notice else ""
            self.window.statusBar().showMessage(
                f"recorded {result.frames} frames ({result.size[0]}×{result.size[1]}) to {result.path}"
                f"{notice}{dropped}", 10000)
        return result

    def _finish(self, wait: bool):
        writer, self._writer = self._writer, None
        self._tick.stop()
        self.indicator.hide()
        self.stop_action.setEnabled(False)
        if writer is None:
            return None
        writer.frames.put(None)
        if not wait:
            return None
        writer.join()
        if writer.error is not None:
            self.window.show_message(f"recording failed: {writer.error}")
            return None
        self.last_result = writer.result
        return writer.result
