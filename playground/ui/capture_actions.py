"""Screenshots (window or maps, to a folder or the clipboard) and exporting the maps on screen.

Screenshots are quick and are written on the GUI thread. Exporting maps writes
many files, so :func:`playground.export.export_frame` runs on a worker thread;
its progress reaches a bar in the status bar through a signal, and the window
keeps running meanwhile.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from playground.export import ExportError, check_folder, export_frame
from playground.export.maps_export import check_exportable

from .actions import make_action

__all__ = ["CaptureActions", "save_png_unique", "maps_area", "SCREENSHOT_KEY", "MAPS_KEY"]

SCREENSHOT_KEY = "export/screenshot_folder"
PER_CHANNEL_KEY = "export/per_channel"
TIFF_KEY = "export/tiff"
MAPS_KEY = "export/maps_folder"
_SHOW_PROGRESS_MS = 300  # an export quicker than this shows no progress bar


class _Cancelled(Exception):
    """Raised from the progress callback to stop an export (its staging folder is removed)."""


def default_pictures_folder() -> str:
    pictures = Path.home() / "Pictures"
    return str(pictures if pictures.is_dir() else Path.home())


def _reserve(folder: Path, stem: str, suffix: str) -> Path:
    """Create an empty ``stem.png`` (or ``stem-2.png``…) exclusively: a file already there is never touched."""
    number = 1
    while True:
        path = folder / (f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}")
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return path
        except FileExistsError:
            number += 1
        except OSError as exc:
            raise ExportError(f"cannot write to '{folder}': {exc.strerror or exc}") from None


def save_png_unique(image: QtGui.QImage, folder: str | os.PathLike[str], stem: str) -> Path:
    """Save ``image`` as ``folder/stem.png`` (``stem-2.png``… when taken), atomically.

    The picture is written to a hidden temp file in the same folder and renamed
    over the name reserved for it, so the file appears complete or not at all.

    Raises
    ------
    ExportError
        The folder is missing, not a folder or not writable, or writing failed.
    """
    folder = check_folder(folder)
    target = _reserve(folder, stem, ".png")
    temp = folder / f".{target.stem}.tmp-{secrets.token_hex(4)}.png"
    try:
        if not image.save(str(temp), "PNG"):
            raise ExportError(f"cannot write '{target}': the picture could not be saved (disk full?)")
        os.replace(temp, target)
    except BaseException as exc:
        for leftover in (temp, target):
            try:
                os.unlink(leftover)
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write '{target}': {exc.strerror or exc}") from None
        raise
    return target


def maps_area(window) -> QtWidgets.QWidget:
    """The splitter holding every map panel (the outermost splitter around the filters panel)."""
    area = window.filters_panel
    parent = area.parentWidget()
    while isinstance(parent, QtWidgets.QSplitter) and parent is not getattr(window, "splitter", None):
        area, parent = parent, parent.parentWidget()
    return area


class _ExportSignals(QtCore.QObject):
    """Lives in the GUI thread; the export worker emits these, the owner's slots run here."""

    progressed = QtCore.Signal(int, int)
    finished = QtCore.Signal(str)
    failed = QtCore.Signal(str)


class CaptureActions(QtCore.QObject):
    """Screenshot and export actions for ``window``; dialogs go through ``dialogs`` (an ExportActions)."""

    def __init__(self, window, dialogs):
        super().__init__(window)
        self.window = window
        self.dialogs = dialogs
        self.last_saved: Path | None = None
        self.last_export: Path | None = None
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._signals = _ExportSignals(self)
        self._signals.progressed.connect(self._on_progress)
        self._signals.finished.connect(self._on_finished)
        self._signals.failed.connect(self._on_failed)

        self.screenshot_action = self._action("Screenshot", "Ctrl+Shift+S", self.screenshot,
                                              "Save a picture of the whole window as PNG in the screenshot folder "
                                              "(asked the first time) (Ctrl+Shift+S)")
        self.screenshot_as_action = self._action("Screenshot to folder…", None, self.screenshot_as,
                                                 "Choose the screenshot folder, then save a picture of the window")
        self.maps_screenshot_action = self._action("Screenshot of the maps only", None, self.screenshot_maps,
                                                   "Save a picture of the map panels only as PNG")
        self.clipboard_action = self._action("Copy screenshot to clipboard", None, self.copy_screenshot,
                                             "Put a picture of the whole window on the clipboard")
        self.export_action = self._action("Export feature maps…", "Ctrl+E", self.export_maps,
                                          "Write the maps on screen into a new folder: a PNG per map as shown, "
                                          "float32 .npy arrays, a contact sheet and meta.json (Ctrl+E)")
        # what an export includes besides the per-filter maps (remembered)
        self.per_channel_option = self._option("Include per-channel maps", PER_CHANNEL_KEY, True,
                                               "Also write per_channel.npy and a PNG per (filter, channel)")
        self.tiff_option = self._option("Also a multi-page TIFF", TIFF_KEY, False,
                                        "Also write maps.tiff: one float32 page per map, for ImageJ/Fiji and co.")

        # progress: a bar and a cancel button in the status bar, shown only for slow exports
        self.progress_bar = QtWidgets.QProgressBar()
        self.progress_bar.setMaximumWidth(180)
        self.progress_bar.setFormat("export %p%")
        self.progress_bar.setToolTip("Exporting the feature maps")
        self.cancel_button = QtWidgets.QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop the export; nothing is left behind")
        self.cancel_button.clicked.connect(self.cancel_export)
        status = window.statusBar()
        status.insertPermanentWidget(0, self.cancel_button)
        status.insertPermanentWidget(0, self.progress_bar)
        self.progress_bar.hide()
        self.cancel_button.hide()
        self._show_timer = QtCore.QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(_SHOW_PROGRESS_MS)
        self._show_timer.timeout.connect(self._show_progress)

    def _option(self, text: str, key: str, default: bool, tip: str) -> QtGui.QAction:
        """A checkable export option whose state is remembered in the settings."""
        settings = self.window.settings
        checked = default if settings is None else str(settings.value(key, default)).lower() in ("true", "1")
        action = QtGui.QAction(text, self)
        action.setCheckable(True)
        action.setChecked(checked)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if settings is not None:
            action.toggled.connect(lambda on: settings.setValue(key, bool(on)))
        return action

    def _action(self, text: str, keys: str | None, slot, tip: str) -> QtGui.QAction:
        return make_action(self, text, keys, slot, tip)

    # --- screenshots ---------------------------------------------------------------------
    def _screenshot_folder(self, ask: bool) -> tuple[str | None, bool]:
        """(folder, newly chosen): the remembered folder, or one asked for (None: cancelled)."""
        folder = self.dialogs.remembered(SCREENSHOT_KEY)
        if folder is not None and not ask:
            return folder, False
        return self.dialogs.choose_folder("Folder for screenshots", self._start_folder(SCREENSHOT_KEY)), True

    def _start_folder(self, key: str) -> str:
        """Where a folder dialog for ``key``'s pictures opens (never in a folder that is gone).

        The folder remembered for ``key``, else the one remembered for the other kind
        (a first export opens where the screenshots go, and the other way round), else
        the pictures folder.
        """
        for remembered in (key, MAPS_KEY if key == SCREENSHOT_KEY else SCREENSHOT_KEY):
            folder = self.dialogs.remembered(remembered)
            if folder is not None and Path(folder).is_dir():
                return folder
        return default_pictures_folder()

    def _save(self, widget: QtWidgets.QWidget, ask: bool, what: str) -> Path | None:
        folder, chosen = self._screenshot_folder(ask)
        if not folder:
            return None
        image = widget.grab().toImage()
        try:
            path = save_png_unique(image, folder, time.strftime("kernel-playground-%Y%m%d-%H%M%S"))
        except ExportError as exc:
            # a folder that took no file is not remembered (a remembered one is forgotten): the
            # next screenshot asks again, and no dialog opens in it (in /proc, Qt's dialog hung
            # reading its files, and a restart opened it there again)
            if not chosen:
                self.dialogs.forget(SCREENSHOT_KEY)
            self.window.show_message(f"{exc} (the next screenshot asks for a folder)")
            return None
        if chosen:
            self.dialogs.remember(SCREENSHOT_KEY, folder)
        self.last_saved = path
        self.window.show_message(f"{what} saved: {path}", warning=False)
        return path

    @QtCore.Slot()
    def screenshot(self) -> Path | None:
        """The whole window as PNG in the remembered folder (asked the first time)."""
        return self._save(self.window, False, "screenshot")

    @QtCore.Slot()
    def screenshot_as(self) -> Path | None:
        """Ask for the folder (and remember it), then save the window."""
        return self._save(self.window, True, "screenshot")

    @QtCore.Slot()
    def screenshot_maps(self) -> Path | None:
        """Only the map panels, as PNG."""
        return self._save(maps_area(self.window), False, "screenshot of the maps")

    @QtCore.Slot()
    def copy_screenshot(self) -> None:
        QtGui.QGuiApplication.clipboard().setImage(self.window.grab().toImage())
        self.window.show_message("screenshot copied to the clipboard", warning=False)

    # --- exporting maps ----------------------------------------------------------------------
    @property
    def exporting(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @QtCore.Slot()
    def export_maps(self) -> None:
        """Ask for a parent folder and export the frame on screen into a new folder inside it."""
        if self.exporting:
            self.window.show_message("an export is already running")
            return
        rendered = self.window.last_frame  # the frame on screen now, whatever comes next
        try:
            check_exportable(rendered)
        except ExportError as exc:
            self.window.show_message(str(exc))
            return
        parent = self.dialogs.choose_folder("Export the maps into a new folder inside…", self._start_folder(MAPS_KEY))
        if not parent:
            return
        try:
            check_folder(parent)
        except ExportError as exc:
            self.window.show_message(str(exc))
            return
        self.dialogs.remember(MAPS_KEY, parent)
        source = getattr(self.window.runner, "source", None)
        self._start(rendered, parent, getattr(source, "spec", None))

    def _start(self, rendered, parent: str, source_text: str | None) -> None:
        signals, cancel = self._signals, self._cancel
        per_channel, tiff = self.per_channel_option.isChecked(), self.tiff_option.isChecked()
        cancel.clear()

        def emit(signal, *args) -> None:
            try:
                signal.emit(*args)
            except RuntimeError:  # the window is gone (quitting): finish the export all the same
                pass

        def progress(done: int, total: int) -> None:
            if cancel.is_set():
                raise _Cancelled
            emit(signals.progressed, done, total)

        def work() -> None:
            try:
                folder = export_frame(rendered, parent, source_text=source_text, progress=progress,
                                      per_channel=per_channel, tiff=tiff)
            except _Cancelled:
                emit(signals.failed, "export cancelled; nothing was written")
            except ExportError as exc:
                emit(signals.failed, str(exc))
            except Exception as exc:  # an unforeseen failure still ends as a message, never a traceback
                emit(signals.failed, f"export failed: {exc}")
            else:
                emit(signals.finished, str(folder))

        self.export_action.setEnabled(False)
        self.progress_bar.setRange(0, 0)  # busy until the first file reports the total
        self._show_timer.start()
        # not a daemon: quitting mid-export lets it finish rather than leave half a folder
        self._thread = threading.Thread(target=work, name="export-maps")
        self._thread.start()

    @QtCore.Slot()
    def cancel_export(self) -> None:
        self._cancel.set()

    @QtCore.Slot()
    def _show_progress(self) -> None:
        if self.exporting:
            self.progress_bar.show()
            self.cancel_button.show()

    @QtCore.Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)

    def _done(self) -> None:
        if self._thread is not None:
            self._thread.join()  # it has emitted its last signal: ending now
            self._thread = None
        self._show_timer.stop()
        self.progress_bar.hide()
        self.cancel_button.hide()
        self.export_action.setEnabled(True)

    @QtCore.Slot(str)
    def _on_finished(self, folder: str) -> None:
        self._done()
        self.last_export = Path(folder)
        self.window.show_message(f"maps exported to {folder}", warning=False)

    @QtCore.Slot(str)
    def _on_failed(self, text: str) -> None:
        self._done()
        self.window.show_message(text)
