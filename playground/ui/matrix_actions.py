"""File-menu entries for raw numbers: typed matrices, matrix files, the notes' examples, input modes.

* **Type a matrix…** opens :class:`MatrixDialog`; the matrix is saved as a text
  file (in the app's data folder) and opened as ``matrix:PATH``, so it reopens
  like any source, also after a restart.
* **Open a matrix file…** opens a ``.txt`` file of numbers as ``matrix:PATH``.
* **Notes' examples** sets the source, the first layer's bank (one undo step)
  and its settings, so the 6×6 vertical edge reads [0, 30, 30, 0] on the maps.
* **Input**: the value scale ([0, 1] or raw 0–255) and gray mode for any
  source, applied where frames enter by wrapping the opened source
  (:class:`~playground.sources.moded.ModedSource`); the window makes the
  first layer follow the input's channel count (3 → 1 sums the slices).
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from playground.sources.input_mode import InputMode
from playground.sources.matrix import matrix_to_text
from playground.sources.moded import ModedSource, with_mode
from playground.sources.notes_examples import NOTES_EXAMPLES, NotesExample, example_file_text

from .matrix_dialog import MatrixDialog

__all__ = ["MatrixActions", "MATRIX_FILTER"]

MATRIX_FILTER = "Matrix text files (*.txt);;All files (*)"


def _data_folder() -> Path:
    base = QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".kernel-playground") / "matrices"


class MatrixActions(QtCore.QObject):
    """The actions, for ``window`` (a MainWindow).

    Attributes
    ----------
    folder : pathlib.Path
        Where typed matrices are saved (tests point it at a temporary folder).
    mode : InputMode
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.folder = _data_folder()
        self.mode = InputMode()
        self.dialog: MatrixDialog | None = None
        self._pending: tuple[NotesExample, str] | None = None   # an example waiting for its frame
        self.type_action = QtGui.QAction("Type a matrix…", self)
        self.type_action.setToolTip("An editable grid of raw numbers as the input (the notes' 6×6 to start)")
        self.type_action.triggered.connect(self.type_matrix)
        self.open_action = QtGui.QAction("Open a matrix file…", self)
        self.open_action.setToolTip("A .txt file of numbers, one row per line (matrix:PATH)")
        self.open_action.triggered.connect(self.choose_matrix_file)
        self.examples_menu = QtWidgets.QMenu("Notes' examples")
        for example in NOTES_EXAMPLES:
            action = self.examples_menu.addAction(example.name)
            action.setToolTip(example.description)
            action.triggered.connect(lambda _=False, e=example: self.use_example(e))
        self.input_menu = QtWidgets.QMenu("Input")
        group = QtGui.QActionGroup(self)
        self.scale_actions = {}
        for scale, text in (("unit", "Values in [0, 1]"), ("raw", "Raw values 0–255")):
            action = self.input_menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(scale == "unit")
            action.setToolTip("Picture values as the first layer sees them (typed matrices are always raw)")
            action.triggered.connect(lambda _=False, s=scale: self.set_mode(InputMode(s, self.mode.grayscale)))
            group.addAction(action)
            self.scale_actions[scale] = action
        self.gray_action = self.input_menu.addAction("Gray (one channel)")
        self.gray_action.setCheckable(True)
        self.gray_action.setToolTip("Luminance 0.299 R + 0.587 G + 0.114 B: n_c = 1; the first bank follows")
        self.gray_action.toggled.connect(lambda on: self.set_mode(InputMode(self.mode.scale, on)))
        window.frame_displayed.connect(self._on_frame)

    def actions(self) -> list:
        """Menu items, in order (QActions and QMenus)."""
        return [self.type_action, self.open_action, self.examples_menu, self.input_menu]

    # --- sources -------------------------------------------------------------------------------
    def open_spec(self, spec: str) -> None:
        """Open ``spec`` as the File menu does (the window's own source path)."""
        self.window.sources.open(spec)

    def save_typed(self, matrix, name: str) -> Path:
        """Write a typed matrix to the data folder and return its path."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)[:40] or "matrix"
        path = self.folder / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}.txt"
        path.write_text(f"# {name}\n" + matrix_to_text(matrix), encoding="utf-8")
        return path

    @QtCore.Slot()
    def type_matrix(self) -> None:
        source = self.window.runner.source
        start = getattr(source, "matrix", None)
        self.dialog = MatrixDialog(start, self.window)
        if self.dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return
        self.use_typed(self.dialog)

    def use_typed(self, dialog: MatrixDialog) -> Path | None:
        """Make the dialog's matrix the source; the saved file's path (None when it could not be saved)."""
        source = dialog.source()
        try:
            path = self.save_typed(source.matrix, dialog.name.text().strip() or "typed matrix")
        except OSError as exc:
            self.window.show_message(f"cannot save the typed matrix in {self.folder}: {exc.strerror or exc}")
            return None
        self.open_spec(f"matrix:{path}")
        return path

    @QtCore.Slot()
    def choose_matrix_file(self) -> None:
        settings = self.window.settings
        folder = str(settings.value("source/folder", str(Path.home()))) if settings is not None else str(Path.home())
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, "Open a matrix file", folder, MATRIX_FILTER)
        if path:
            self.open_spec(f"matrix:{path}")

    def use_example(self, example: NotesExample) -> None:
        """The notes' example: its matrix as the source, its bank and settings on the first layer."""
        path = example.file()
        if path is None:   # resources not installed: write the example where typed matrices go
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                path = self.folder / f"{example.key}.txt"
                path.write_text(example_file_text(example), encoding="utf-8")
            except OSError as exc:
                self.window.show_message(f"cannot write the example to {self.folder}: {exc.strerror or exc}")
                return
        # the bank waits for the matrix's first frame: set now, the frames of the previous
        # source still coming would refit it to their channels (1 → 3 → 1 sums three copies)
        self._pending = (example, str(path))
        self.open_spec(f"matrix:{path}")

    def _apply_example(self, example: NotesExample) -> None:
        window = self.window
        bank = example.bank()
        try:
            if hasattr(window, "take_network"):   # bank and settings as one undo step
                network = window.snapshot.network.with_input(channels=example.input.shape[2])
                network = network.set_bank(0, bank).set_settings(0, example.settings)
                window.take_network(network, 0)
            else:
                window.editor.set_bank(bank)
                window.take_bank(bank)
                view = window.layer_panel.settings()[1]
                window.layer_panel.set_settings(example.settings, view)
                window.layer_panel.changed.emit(example.settings, view)   # as if the person chose them
        except ValueError as exc:   # e.g. more channels than a network input takes
            window.show_message(f"cannot use {example.name!r} here: {exc}")
            return
        window.statusBar().showMessage(example.description, 10000)

    @property
    def example_waiting(self) -> bool:
        """An example's bank comes with its matrix's first frame: the window must not refit first."""
        return self._pending is not None

    # --- input mode ------------------------------------------------------------------------------
    def set_mode(self, mode: InputMode) -> None:
        """Use ``mode`` for every source from the next frame on."""
        if mode == self.mode:
            return
        self.mode = mode
        self.scale_actions[mode.scale].setChecked(True)
        self.gray_action.blockSignals(True)
        self.gray_action.setChecked(mode.grayscale)
        self.gray_action.blockSignals(False)
        self._wrap(self.window.runner.source)

    def _wrap(self, source) -> None:
        wrapped = with_mode(source, self.mode)
        if wrapped is not source:
            self.window.runner.set_source(wrapped)

    @QtCore.Slot(object)
    def _on_frame(self, result) -> None:
        source = self.window.runner.source
        if not isinstance(source, ModedSource) and self.mode != InputMode():
            self._wrap(source)   # a newly opened source: see it through the mode too
        if self._pending is not None:
            example, path = self._pending
            spec = getattr(source, "spec", "")
            if spec.startswith("matrix:") and Path(spec[len("matrix:"):]) == Path(path).absolute() \
                    and result.frame.shape == example.input.shape:
                self._pending = None
                self._apply_example(example)
