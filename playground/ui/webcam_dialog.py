"""The Webcam dialog (cameras found, with their names and sizes) and the camera's state in the status bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from playground.sources.cameras import CANDIDATE_RESOLUTIONS, CameraInfo

__all__ = ["WebcamDialog", "camera_state_text"]


def camera_state_text(source) -> str | None:
    """What the status bar says about a webcam source; None for other sources.

    ``"Webcam 0 · 1280×720 MJPG · camera 29.9 FPS"`` while frames come (the rate the
    camera delivers, not the rate maps are drawn), the reconnect notice while not.
    """
    if getattr(source, "kind", None) != "webcam":
        return None
    if source.status:
        return f"{source.description} · {source.status}"
    fps = source.camera_fps
    return f"{source.description} · camera {'–' if fps is None else f'{fps:.1f}'} FPS"


class WebcamDialog(QtWidgets.QDialog):
    """Choose one of the cameras found and the size to ask it for.

    Looking for cameras opens each one (about a second apiece), so it runs on a
    worker thread; the list fills in when it is done.

    Parameters
    ----------
    lister : callable() -> list of CameraInfo
        Finds the cameras (:func:`playground.sources.cameras.list_cameras`); tests pass a fake.
    resolution : (int, int)
        The size chosen last time, preselected when the camera offers it.
    """

    _found = QtCore.Signal(object, int)  # (list of CameraInfo or an error text, search number)

    def __init__(self, lister: Callable[[], list[CameraInfo]], resolution: tuple[int, int] = (640, 480),
                 parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Webcam")
        self.lister = lister
        self.resolution = tuple(resolution)
        self.cameras: list[CameraInfo] = []
        self._search = 0
        self._found.connect(self._on_found)

        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.camera_list = QtWidgets.QListWidget()
        self.camera_list.setToolTip("Number · name · sizes that delivered a frame · pixel format")
        self.camera_list.currentRowChanged.connect(self._on_camera_selected)
        self.camera_list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.size_box = QtWidgets.QComboBox()
        self.size_box.setToolTip("The size to ask the camera for; it sends the nearest it supports")
        self.refresh_button = QtWidgets.QPushButton("Look again")
        self.refresh_button.setToolTip("Look for cameras again (after plugging one in)")
        self.refresh_button.clicked.connect(self.refresh)
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                                  | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.refresh_button, QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QtWidgets.QFormLayout()
        form.addRow("Resolution:", self.size_box)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.camera_list, 1)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(520, 300)
        self._set_ok_enabled()

    @property
    def ok_button(self) -> QtWidgets.QPushButton:
        return self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)

    def refresh(self) -> None:
        """Look for cameras on a worker thread; the list fills in when it is done."""
        self._search += 1
        search = self._search
        self.status.setText("Looking for cameras…")
        self.refresh_button.setEnabled(False)
        self.camera_list.clear()
        self._set_ok_enabled()

        def work():
            try:
                found: object = list(self.lister())
            except Exception as exc:  # a backend failure is a message, not a dead dialog
                found = f"looking for cameras failed: {exc}"
            try:
                self._found.emit(found, search)
            except RuntimeError:  # the dialog is gone (the window closed meanwhile)
                pass

        QtCore.QThreadPool.globalInstance().start(work)

    @QtCore.Slot(object, int)
    def _on_found(self, found, search: int) -> None:
        if search != self._search:
            return  # an older search, overtaken by "Look again"
        self.refresh_button.setEnabled(True)
        self.cameras = found if isinstance(found, list) else []
        for camera in self.cameras:
            item = QtWidgets.QListWidgetItem(camera.label)
            item.setToolTip(f"webcam:{camera.index}")
            self.camera_list.addItem(item)
        if isinstance(found, str):
            self.status.setText(found)
        elif not self.cameras:
            self.status.setText("No camera found. Is it plugged in, and not in use by another program?")
        else:
            self.status.setText(f"{len(self.cameras)} camera{'s' if len(self.cameras) > 1 else ''} found:")
            self.camera_list.setCurrentRow(0)
        self._set_ok_enabled()

    @QtCore.Slot(int)
    def _on_camera_selected(self, row: int) -> None:
        self.size_box.clear()
        if not 0 <= row < len(self.cameras):
            return
        sizes = list(self.cameras[row].resolutions) or list(CANDIDATE_RESOLUTIONS)
        for width, height in sizes:
            self.size_box.addItem(f"{width}×{height}", (width, height))
        wanted = self.resolution if self.resolution in sizes else sizes[0]  # else the smallest: cheapest
        self.size_box.setCurrentIndex(sizes.index(wanted))
        self._set_ok_enabled()

    def _set_ok_enabled(self) -> None:
        self.ok_button.setEnabled(self.camera_list.currentRow() >= 0 and self.size_box.count() > 0)

    def chosen(self) -> tuple[int, tuple[int, int]] | None:
        """``(camera number, (width, height))`` selected, or None when nothing is."""
        row = self.camera_list.currentRow()
        if not 0 <= row < len(self.cameras) or self.size_box.currentData() is None:
            return None
        return self.cameras[row].index, tuple(self.size_box.currentData())
