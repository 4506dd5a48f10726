"""File-menu export section, the Bank menu and their toolbar buttons.

:class:`ExportActions` places the actions of :class:`CaptureActions` (screenshots,
exporting maps) and :class:`BankActions` (bank files, weights, PyTorch code) and
is the one place that asks the person for files and folders: tests replace
``choose_folder`` / ``choose_open_file`` / ``choose_save_file`` instead of
driving native dialogs. Folders chosen are remembered in the window's settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from .bank_actions import BankActions
from .capture_actions import CaptureActions

__all__ = ["ExportActions"]


class ExportActions(QtCore.QObject):
    """Screenshot, export and bank-file actions for ``window`` (a MainWindow).

    Attributes
    ----------
    capture : CaptureActions
        ``screenshot_action``, ``maps_screenshot_action``, ``screenshot_as_action``,
        ``clipboard_action``, ``export_action``.
    bank : BankActions
        ``open_action``, ``save_action``, ``import_actions[layout]``,
        ``export_actions[layout]``, ``pytorch_action``.
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._memory: dict[str, str] = {}  # remembered folders when the window has no settings
        self.capture = CaptureActions(window, self)
        self.bank = BankActions(window, self)

    # --- menus and toolbar -------------------------------------------------------------------
    def add_to(self, file_menu: QtWidgets.QMenu, menu_bar: QtWidgets.QMenuBar, toolbar: QtWidgets.QToolBar) -> None:
        """Add the export section to ``file_menu``, a Bank menu to ``menu_bar``, buttons to ``toolbar``."""
        capture, bank = self.capture, self.bank
        file_menu.setToolTipsVisible(True)
        for action in (capture.screenshot_action, capture.maps_screenshot_action, capture.screenshot_as_action,
                       capture.clipboard_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(capture.export_action)
        options = file_menu.addMenu("Export options")
        options.setToolTipsVisible(True)
        options.addAction(capture.per_channel_option)
        options.addAction(capture.tiff_option)

        bank_menu = menu_bar.addMenu("&Bank")
        bank_menu.setToolTipsVisible(True)
        bank_menu.addAction(bank.open_action)
        bank_menu.addAction(bank.save_action)
        bank_menu.addSeparator()
        for title, actions in (("Import weights (.npy)", bank.import_actions),
                               ("Export weights (.npy)", bank.export_actions)):
            submenu = bank_menu.addMenu(title)
            submenu.setToolTipsVisible(True)
            submenu.menuAction().setToolTip(f"{title}: choose the axis order of the array")
            for action in actions.values():
                submenu.addAction(action)
        bank_menu.addSeparator()
        bank_menu.addAction(bank.pytorch_action)
        self.bank_menu = bank_menu

        # one toolbar button for every kind of screenshot: click for the window, arrow for the rest
        shot_menu = QtWidgets.QMenu(toolbar)
        shot_menu.setToolTipsVisible(True)
        for action in (capture.screenshot_action, capture.maps_screenshot_action, capture.screenshot_as_action,
                       capture.clipboard_action):
            shot_menu.addAction(action)
        button = QtWidgets.QToolButton(toolbar)
        button.setDefaultAction(capture.screenshot_action)
        button.setMenu(shot_menu)
        button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        button.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addSeparator()
        toolbar.addWidget(button)
        capture.export_action.setIconText("Export maps")
        toolbar.addAction(capture.export_action)
        self.screenshot_button = button

    # --- remembered folders ------------------------------------------------------------------
    def remembered(self, key: str) -> str | None:
        """The folder last chosen for ``key`` (e.g. ``"export/screenshot_folder"``), or None."""
        settings = self.window.settings
        value = settings.value(key) if settings is not None else self._memory.get(key)
        return str(value) if value else None

    def remember(self, key: str, folder: str) -> None:
        folder = str(Path(folder).expanduser())
        if self.window.settings is not None:
            self.window.settings.setValue(key, folder)
        else:
            self._memory[key] = folder

    def forget(self, key: str) -> None:
        """No folder remembered for ``key`` any more."""
        if self.window.settings is not None:
            self.window.settings.remove(key)
        else:
            self._memory.pop(key, None)

    # --- dialogs (tests replace these) --------------------------------------------------------
    def choose_folder(self, title: str, start: str) -> str | None:
        """A folder chosen by the person, or None when cancelled."""
        folder = QtWidgets.QFileDialog.getExistingDirectory(self.window, title, start)
        return folder or None

    def choose_open_file(self, title: str, start: str, file_filter: str) -> str | None:
        """An existing file chosen by the person, or None when cancelled."""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, title, start, file_filter)
        return path or None

    def choose_save_file(self, title: str, start: str, file_filter: str, suffix: str) -> str | None:
        """A file name to write, or None when cancelled.

        ``suffix`` is added when the name has none; the dialog asks before an
        existing file is replaced (with the suffix already added).
        """
        dialog = QtWidgets.QFileDialog(self.window, title, str(Path(start).parent), file_filter)
        dialog.setAcceptMode(QtWidgets.QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix(suffix)
        dialog.selectFile(Path(start).name)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        return dialog.selectedFiles()[0]
