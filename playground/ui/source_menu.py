"""Source actions: demo, open a file, webcam, bundled samples, downscale."""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from playground.sources import sample_images
from playground.sources.cameras import list_cameras

from .webcam_dialog import WebcamDialog, camera_state_text

__all__ = ["SourceMenu", "FILE_FILTER"]

FILE_FILTER = ("Images, videos and matrices (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.mp4 *.avi *.mov *.mkv "
               "*.webm *.m4v *.txt);;"
               "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;"
               "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v);;Matrix text files (*.txt);;All files (*)")


class SourceMenu(QtCore.QObject):
    """Builds the source actions for ``window`` (a MainWindow) and opens what is chosen."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.downscale = 1
        self.webcam_resolution = (640, 480)
        self.current_spec = "demo"
        self.webcam_dialog: WebcamDialog | None = None
        self._camera_status = ""  # the webcam's disconnect notice now shown, if any
        # the camera's own frame rate and state, in the status bar's source label
        self._camera_timer = QtCore.QTimer(self)
        self._camera_timer.timeout.connect(self.show_camera_state)
        self._camera_timer.start(500)

    def add_to(self, menu: QtWidgets.QMenu, toolbar: QtWidgets.QToolBar) -> None:
        demo = QtGui.QAction("Demo", self)
        demo.setShortcut(QtGui.QKeySequence("Ctrl+Shift+D"))
        demo.setToolTip("The built-in animated demo scene (Ctrl+Shift+D)")
        demo.triggered.connect(lambda: self.open("demo"))
        open_file = QtGui.QAction("Open image or video…", self)
        open_file.setShortcut(QtGui.QKeySequence.StandardKey.Open)
        open_file.setToolTip("Open a picture (PNG, JPEG, BMP, TIFF, WebP) or a video (Ctrl+O); "
                             "you can also drop a file on the window")
        open_file.triggered.connect(self.choose_file)
        webcam = QtGui.QAction("Webcam…", self)
        webcam.setShortcut(QtGui.QKeySequence("Ctrl+Shift+W"))
        webcam.setToolTip("Live pictures from a camera (Ctrl+Shift+W)")
        webcam.triggered.connect(self.choose_webcam)
        for action in (demo, open_file, webcam):
            menu.addAction(action)
            toolbar.addAction(action)
        samples = menu.addMenu("Sample pictures")
        button = QtWidgets.QToolButton()
        button.setText("Samples")
        button.setToolTip("Pictures that come with the app")
        button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setMenu(samples)
        toolbar.addWidget(button)
        for name in sample_images():
            action = samples.addAction(name)
            action.triggered.connect(lambda _=False, n=name: self.open(f"sample:{n}"))
        if not samples.actions():
            samples.addAction("(none installed)").setEnabled(False)
        scale_menu = menu.addMenu("Downscale input")
        group = QtGui.QActionGroup(self)
        for factor in (1, 2, 4):
            action = scale_menu.addAction("full size" if factor == 1 else f"1/{factor} size")
            action.setCheckable(True)
            action.setChecked(factor == 1)
            action.setToolTip("Shrink frames before the engine: faster, fewer details")
            action.triggered.connect(lambda _=False, f=factor: self.set_downscale(f))
            group.addAction(action)
        self.scale_actions = group

    def open(self, spec: str) -> None:
        self.current_spec = spec
        self.window.open_source_async(spec, self.downscale, self.webcam_resolution)

    def set_downscale(self, factor: int) -> None:
        self.downscale = factor
        self.open(self.current_spec)

    @QtCore.Slot()
    def choose_file(self) -> None:
        settings = self.window.settings
        folder = str(settings.value("source/folder", str(Path.home()))) if settings is not None else str(Path.home())
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, "Open an image or video", folder, FILE_FILTER)
        if path:
            if settings is not None:
                settings.setValue("source/folder", str(Path(path).parent))
            self.open(path)

    @QtCore.Slot()
    def choose_webcam(self) -> None:
        source = self.window.runner.source
        # the camera streaming now is listed as it is: a busy camera refuses a second stream
        in_use = {source.index: source.frame_size} if source.kind == "webcam" else {}
        lister = functools.partial(list_cameras, in_use=in_use)
        if self.webcam_dialog is None:  # kept, not rebuilt: its search thread may outlive one showing
            self.webcam_dialog = WebcamDialog(lister, self.webcam_resolution, self.window)
        dialog = self.webcam_dialog
        dialog.lister, dialog.resolution = lister, self.webcam_resolution
        dialog.refresh()
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted or dialog.chosen() is None:
            return
        index, self.webcam_resolution = dialog.chosen()
        self.open(f"webcam:{index}")

    @QtCore.Slot()
    def show_camera_state(self) -> None:
        """Put the webcam's measured FPS, or its disconnect notice, in the status bar."""
        source = self.window.runner.source
        text = camera_state_text(source)
        if text is None:
            self._camera_status = ""
            return
        label = self.window.source_label
        if label.text() != text:
            label.setText(text)
            label.setToolTip("The camera's own frame rate: frames it actually delivered per second")
        status = source.status
        if status and status != self._camera_status:
            self.window.show_message(status)
        elif not status and self._camera_status:
            self.window.message_bar.dismiss_if(self._camera_status)
            self.window.statusBar().showMessage(f"camera {source.index} is back", 5000)
        self._camera_status = status
