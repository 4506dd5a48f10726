"""Bank files: open / save the filter bank as JSON, import / export ``.npy`` weights, copy as PyTorch.

A file that cannot be used gives a message naming the field and the problem
(the messages come from :mod:`playground.export`) and the bank in use stays.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui

from playground.export import (
    LAYOUTS,
    ExportError,
    load_bank,
    pytorch_snippet,
    save_bank,
    weights_from_npy,
    weights_to_npy,
)
from playground.kernels import FilterBank

from .actions import make_action

__all__ = ["BankActions", "BANK_KEY", "LAYOUT_NAMES"]

BANK_KEY = "export/bank_folder"
BANK_FILTER = "Filter banks (*.json);;All files (*)"
NPY_FILTER = "NumPy arrays (*.npy);;All files (*)"
LAYOUT_NAMES = {"pytorch": "PyTorch", "keras": "Keras"}


def _shape_text(layout: str) -> str:
    return LAYOUTS[layout]  # "(K, n_c, f, f)"


class BankActions(QtCore.QObject):
    """Bank-file actions for ``window``; dialogs go through ``dialogs`` (an ExportActions)."""

    def __init__(self, window, dialogs):
        super().__init__(window)
        self.window = window
        self.dialogs = dialogs
        self.open_action = self._action("Open bank…", "Ctrl+Shift+O", self.open_bank,
                                        "Load a filter bank saved as JSON; a bad file is refused with a message "
                                        "and the bank in use stays (Ctrl+Shift+O)")
        self.save_action = self._action("Save bank as…", "Ctrl+S", self.save_bank,
                                        "Save every filter (weights, bias, name, on/off) as a JSON bank file (Ctrl+S)")
        self.import_actions: dict[str, QtGui.QAction] = {}
        self.export_actions: dict[str, QtGui.QAction] = {}
        for layout, name in LAYOUT_NAMES.items():
            shape = _shape_text(layout)
            self.import_actions[layout] = self._action(
                f"{name} layout {shape}…", None, lambda _=False, lay=layout: self.import_weights(lay),
                f"Replace the bank's weights with a .npy array in the {name} layout {shape}; "
                "names and biases stay when the filter count matches")
            self.export_actions[layout] = self._action(
                f"{name} layout {shape}…", None, lambda _=False, lay=layout: self.export_weights(lay),
                f"Save every filter's weights as one float32 .npy array in the {name} layout {shape}")
        self.pytorch_action = self._action("Copy as PyTorch", None, self.copy_pytorch,
                                           "Put Python code for an nn.Conv2d with these weights, biases, stride "
                                           "and padding on the clipboard")

    def _action(self, text: str, keys: str | None, slot, tip: str) -> QtGui.QAction:
        return make_action(self, text, keys, slot, tip)

    def _start_folder(self) -> str:
        return self.dialogs.remembered(BANK_KEY) or str(Path.home())

    def _use(self, bank: FilterBank, text: str) -> None:
        """Show ``bank`` in the editor and compute the next frames with it."""
        self.window.editor.set_bank(bank)
        self.window.take_bank(bank)  # set_bank does not signal: update the snapshot (and undo history) here
        self.window.show_message(text, warning=False)

    # --- JSON bank files ------------------------------------------------------------------
    @QtCore.Slot()
    def open_bank(self) -> FilterBank | None:
        path = self.dialogs.choose_open_file("Open a filter bank", self._start_folder(), BANK_FILTER)
        if not path:
            return None
        self.dialogs.remember(BANK_KEY, str(Path(path).parent))
        try:
            bank = load_bank(path, channels=self.window.editor.bank().channels)
        except ExportError as exc:
            self.window.show_message(f"{exc} — the bank in use is unchanged")
            return None
        self._use(bank, f"bank loaded from {path}: {len(bank)} filters, {bank.size}×{bank.size}")
        return bank

    @QtCore.Slot()
    def save_bank(self) -> Path | None:
        start = str(Path(self._start_folder()) / "bank.json")
        path = self.dialogs.choose_save_file("Save the filter bank", start, BANK_FILTER, "json")
        if not path:
            return None
        self.dialogs.remember(BANK_KEY, str(Path(path).parent))
        try:
            written = save_bank(self.window.editor.bank(), path)
        except ExportError as exc:
            self.window.show_message(str(exc))
            return None
        self.window.show_message(f"bank saved: {written}", warning=False)
        return written

    # --- .npy weights -------------------------------------------------------------------------
    def import_weights(self, layout: str) -> FilterBank | None:
        title = f"Import weights ({LAYOUT_NAMES[layout]} layout {_shape_text(layout)})"
        path = self.dialogs.choose_open_file(title, self._start_folder(), NPY_FILTER)
        if not path:
            return None
        self.dialogs.remember(BANK_KEY, str(Path(path).parent))
        current = self.window.editor.bank()
        try:
            bank = weights_from_npy(path, layout, template=current, channels=current.channels)
        except ExportError as exc:
            self.window.show_message(f"{exc} — the bank in use is unchanged")
            return None
        self._use(bank, f"weights imported from {path}: {len(bank)} filters, {bank.size}×{bank.size}")
        return bank

    def export_weights(self, layout: str) -> Path | None:
        title = f"Export weights ({LAYOUT_NAMES[layout]} layout {_shape_text(layout)})"
        start = str(Path(self._start_folder()) / f"weights_{layout}.npy")
        path = self.dialogs.choose_save_file(title, start, NPY_FILTER, "npy")
        if not path:
            return None
        self.dialogs.remember(BANK_KEY, str(Path(path).parent))
        try:
            written = weights_to_npy(self.window.editor.bank(), path, layout)
        except (ExportError, ValueError) as exc:
            self.window.show_message(str(exc))
            return None
        self.window.show_message(f"weights saved ({LAYOUT_NAMES[layout]} layout): {written}", warning=False)
        return written

    # --- clipboard ---------------------------------------------------------------------------
    @QtCore.Slot()
    def copy_pytorch(self) -> str | None:
        bank = self.window.editor.bank()
        frame = self.window.last_frame
        try:
            text = pytorch_snippet(bank, self.window.snapshot.layer,
                                   frame.frame.shape if frame is not None else None)
        except ValueError as exc:
            self.window.show_message(f"cannot write the PyTorch code: {exc}")
            return None
        QtGui.QGuiApplication.clipboard().setText(text)
        self.window.show_message(f"an nn.Conv2d with {len(bank.active)} filters copied to the clipboard",
                                 warning=False)
        return text
