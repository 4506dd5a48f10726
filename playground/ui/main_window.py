"""The Kernel Playground window: source → network (kernel editor on the selected layer) → maps, live.

The window owns no computation: a :class:`LiveRunner` captures and computes on
worker threads and leaves finished mosaics in a one-value slot; a bridge QObject
living in the GUI thread is signalled, and its slot swaps the pictures in.
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque

from PySide6 import QtCore, QtGui, QtWidgets

from playground.kernels import FilterBank
from playground.kernels.network import Network, channel_names, takes_input_channels
from playground.kernels.source_fit import fit_to_source
from playground.live.processor import RenderedFrame
from playground.live.runner import LiveRunner
from playground.live.snapshot import Snapshot
from playground.sources import Source, SourceError, open_source

from .arithmetic_panel import ArithmeticPanel
from .kernel_editor import KernelEditor
from .layer_panel import LayerPanel
from .learn_panel import attach_learn_panel
from .message_bar import MessageBar
from .network_controller import NetworkController
from .number_tools import attach_number_tools
from .presentation import attach_presentation
from .source_menu import SourceMenu
from .status_bar import ElidingStatusBar
from .view_fit import view_fits
from .window_layout import unfold
from .window_menus import build_menus, shortcut_text
from .window_parts import add_status_labels, arrange, make_map_panels

__all__ = ["MainWindow"]


class _Bridge(QtCore.QObject):
    """Lives in the GUI thread; worker threads emit its signals, its owner's slots run here."""

    result_ready = QtCore.Signal()
    error = QtCore.Signal(str)
    source_opened = QtCore.Signal(object, str, int)   # (Source, spec, request number)


class MainWindow(QtWidgets.QMainWindow):
    """The whole app window.

    Parameters
    ----------
    source : Source
        What to show first (already opened).
    snapshot : Snapshot, optional
        Bank and settings to start from.
    settings : QtCore.QSettings, optional
        Where choices are remembered (tests pass a temporary file).
    """

    frame_displayed = QtCore.Signal(object)  # RenderedFrame, after it is on screen

    def __init__(self, source: Source, snapshot: Snapshot | None = None,
                 settings: QtCore.QSettings | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Kernel Playground")
        self.setAcceptDrops(True)
        self.settings = settings
        self.snapshot = snapshot or Snapshot()
        self.last_frame: RenderedFrame | None = None   # the last frame whose maps are on screen
        self.last_input = None                          # the newest input frame, maps or not
        self._view_geometry = None                      # per view: map shape and tile count
        self._open_request = 0                          # the newest source open asked for
        self._closing = False
        self._frame_error = ""                          # the error of the frames now coming, if any
        self._edit_notice = ""                          # the editor's notice about the last edit
        self.displayed = 0
        # (shown at, latency ms, GUI-thread ms, worker ms: engine + drawing) per displayed
        # frame, the latest ones only: the window runs for hours (--benchmark N keeps N)
        self.display_log: deque[tuple[float, float, float, float]] = deque(maxlen=1000)

        self._bridge = _Bridge(self)
        self._bridge.result_ready.connect(self._on_result)
        self._bridge.error.connect(self.show_message)
        self._bridge.source_opened.connect(self._on_source_opened)

        # --- panels -----------------------------------------------------------------------
        self._editor_names = (channel_names(self.snapshot.network, self.snapshot.selected), "")
        self.editor = KernelEditor(self.snapshot.bank, channel_names=self._editor_names[0])
        self.layer_panel = LayerPanel(self.snapshot.layer, self.snapshot.view)
        self.arithmetic = ArithmeticPanel()
        panels = make_map_panels()
        self.input_panel, self.filters_panel = panels.input, panels.filters
        self.channels_panel, self.pooled_panel = panels.channels, panels.pooled
        self.message_bar = MessageBar()

        self.network_ui = NetworkController(self)   # the network's maps and table
        self.splitter = arrange(self)
        self.setCentralWidget(self.splitter)
        self.pooled_panel.setVisible(self.snapshot.layer.pool is not None)

        # --- status bar ------------------------------------------------------------------
        self.setStatusBar(ElidingStatusBar())
        self.installEventFilter(self.statusBar())   # the status tips of hovered items, elided too
        status = add_status_labels(self.statusBar())
        self.source_label, self.fps_label = status.source, status.fps
        self.timing_label, self.backend_label = status.timing, status.backend

        # --- runner, sources, menus ------------------------------------------------------
        self.runner = LiveRunner(source, self.snapshot, self._bridge.result_ready.emit, self._bridge.error.emit)
        self.sources = SourceMenu(self)
        actions = build_menus(self)
        self.edit_actions, self.export_actions = actions.edit, actions.export
        self.pause_action, self.step_action = actions.pause, actions.step
        self.editor.bank_changed.connect(self._on_bank_changed)
        self.editor.selection_changed.connect(self._on_selection_changed)
        self.editor.message.connect(self._on_edit_notice)
        self.layer_panel.changed.connect(self._on_layer_changed)
        self.layer_panel.message.connect(self.show_message)
        for panel in (self.filters_panel, self.channels_panel, self.pooled_panel):
            panel.tile_clicked.connect(self.editor.set_selected)
        self._show_source(source)
        self._source_fit, self._kept = None, None   # see _follow_source_channels
        self._fit_timer = QtCore.QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(150)   # after resizing settles
        self._fit_timer.timeout.connect(self._refit)
        for _, panel in self._map_panels():
            panel.view.installEventFilter(self)
        self._fps_timer = QtCore.QTimer(self)
        self._fps_timer.timeout.connect(self._update_fps)
        self._fps_timer.start(500)
        self.number_tools = attach_number_tools(self)   # inspector, sliding window, matrices, recording
        self.learn_dock = attach_learn_panel(self)      # View ▸ Learn: kernels learned live (Ctrl+L)
        self.presentation = attach_presentation(self)   # last: it reads the default layout
        self.runner.start()

    # --- menus ---------------------------------------------------------------------------
    def shortcut_text(self) -> str:
        """Every menu action's key, then the keys that live inside widgets."""
        return shortcut_text(self)

    def _show_shortcuts(self) -> None:
        QtWidgets.QMessageBox.information(self, "Keyboard shortcuts", self.shortcut_text())

    # --- settings changes -> snapshot ------------------------------------------------------
    def _set_snapshot(self, snapshot: Snapshot, record: bool = False) -> None:
        """Compute from ``snapshot`` from the next frame on; every widget shows its selected layer."""
        if self._edit_notice and snapshot.network is not self.snapshot.network:
            # "weights outside the centre were cropped" is about the previous edit, not this one
            self.message_bar.dismiss_if(self._edit_notice)
            self._edit_notice = ""
        self.snapshot = snapshot
        if record:
            self.edit_actions.record(snapshot)
        names = channel_names(snapshot.network, snapshot.selected)
        title = f"CONV{snapshot.selected + 1}" if snapshot.network.depth > 1 else ""
        if (self.editor.bank(), self._editor_names) != (snapshot.bank, (names, title)):
            self._editor_names = (names, title)
            self.editor.set_bank(snapshot.bank, channel_names=names, layer_title=title)
        if self.layer_panel.settings() != (snapshot.layer, snapshot.view):
            self.layer_panel.set_settings(snapshot.layer, snapshot.view)
        hidden = [panel for panel in (self.channels_panel, self.pooled_panel) if panel.isHidden()]
        self.pooled_panel.setVisible(snapshot.layer.pool is not None and snapshot.view.pooled)
        self.channels_panel.setVisible(snapshot.view.per_channel)
        shown = [panel for panel in hidden if not panel.isHidden()]   # just now (not a panel dragged shut)
        if shown:
            QtCore.QTimer.singleShot(0, self, lambda: self.unfold_map_panels(shown))   # once laid out
        self.runner.set_snapshot(snapshot)
        self.network_ui.show_snapshot(snapshot, self.last_input.shape[:2] if self.last_input is not None else None)
        self._update_arithmetic()

    def unfold_map_panels(self, panels=None) -> None:
        """Room for the per-channel and pooled maps (or those of ``panels``) when shown at
        zero width (see :func:`unfold`), in the 3 : 1 split the window starts with."""
        for panel, share in ((self.channels_panel, 0.75), (self.pooled_panel, 0.25)):
            if panels is None or panel in panels:
                unfold(panel, share)

    @QtCore.Slot(str)
    def _on_edit_notice(self, text: str) -> None:
        self._edit_notice = text   # dismissed by the next change of the network (an edit, an undo)
        self.show_message(text)

    @QtCore.Slot(object)
    def _on_bank_changed(self, bank: FilterBank) -> None:
        self.take_bank(bank)

    def take_bank(self, bank: FilterBank, record: bool = True) -> None:
        """Use ``bank`` as the selected layer's from the next frame on; ``record`` it for undo."""
        self._set_snapshot(dataclasses.replace(self.snapshot, bank=bank), record)

    @QtCore.Slot(object, int)
    def take_network(self, network: Network, selected: int = 0, record: bool = True) -> None:
        """Use ``network`` with layer ``selected`` shown; ``record`` it for undo (not when undoing)."""
        self._set_snapshot(Snapshot(network=network, selected=selected, view=self.snapshot.view), record)

    @QtCore.Slot(int)
    def select_layer(self, index: int) -> None:
        """Show layer ``index`` in the editor, the layer panel, the arithmetic and the big views."""
        if index != self.snapshot.selected:
            self.take_network(self.snapshot.network, index, record=False)

    @QtCore.Slot(object, object)
    def _on_layer_changed(self, layer, view) -> None:
        view = dataclasses.replace(view, fits=self.snapshot.view.fits)  # the panel doesn't know them
        self._set_snapshot(dataclasses.replace(self.snapshot, layer=layer, view=view), record=True)

    def _follow_source_channels(self, channels: int) -> None:
        """A gray picture or 1-channel matrix: layer 1 follows the input, as one undo step.

        Not after an undo or redo left the network as it is: Ctrl+Z brings back the
        layer from before a fit, and the next frame must not fit it again.
        """
        network = self.snapshot.network
        if self._kept is not None and (self._kept[0] is not network or self._kept[1] != channels):
            self._kept = None   # edited since, or the source changed: follow again
        if channels == network.input_channels or not takes_input_channels(channels) or \
                self._kept is not None or self.number_tools.matrices.example_waiting:
            return
        fitted, self._source_fit = fit_to_source(network, channels, self._source_fit)
        self.take_network(fitted, self.snapshot.selected, record=True)
        if self._source_fit is None:
            how = "given back as they were"
        else:
            how = "summed into one" if channels == 1 else "repeated" if network.input_channels == 1 else "refitted"
        self.statusBar().showMessage(f"Layer 1 now takes {channels} input channel{'s' * (channels != 1)}: "
                                     f"its filters' slices were {how} (Ctrl+Z undoes)", 8000)

    def keep_network_as_is(self) -> None:
        """Undo/redo chose this network: leave its input as it is while the source keeps the
        channel count it has now (a later switch, gray on or off, fits layer 1 again)."""
        channels = self.last_input.shape[2] if self.last_input is not None else None
        self._kept = (self.snapshot.network, channels)

    # --- drawing size follows the panels' size on screen ----------------------------------------
    def _map_panels(self):
        return (("filters", self.filters_panel), ("channels", self.channels_panel), ("pooled", self.pooled_panel))

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QtCore.QEvent.Type.Resize:
            self._fit_timer.start()
        return False

    @QtCore.Slot()
    def _refit(self) -> None:
        """Draw each view's tiles at about the size they get on screen (a power of ½ of the map)."""
        result = self.last_frame
        if result is None or not result.views:
            return
        fits = view_fits(result, self._map_panels())
        if fits != self.snapshot.view.fits:
            view = dataclasses.replace(self.snapshot.view, fits=fits)
            self._set_snapshot(dataclasses.replace(self.snapshot, view=view))

    @QtCore.Slot(int)
    def _on_selection_changed(self, index: int) -> None:
        for panel in (self.filters_panel, self.channels_panel, self.pooled_panel):
            panel.set_selected_filter(index)

    def _update_arithmetic(self) -> None:
        self.network_ui.describe(self.snapshot, self.last_input.shape if self.last_input is not None else None)

    # --- frames ------------------------------------------------------------------------------
    @QtCore.Slot()
    def _on_result(self) -> None:
        result: RenderedFrame | None = self.runner.results.take()
        if result is None:
            return  # a newer one was already shown
        started = time.perf_counter()
        first = self.last_input is None or self.last_input.shape != result.frame.shape
        self.last_input = result.frame
        self._follow_source_channels(result.frame.shape[2])
        self.input_panel.set_image(result.input_rgb)
        # on an error (settings that leave no output) the maps are cleared but last_frame
        # stays: its input, maps and settings belong together (exports use it)
        if result.error is not None:
            self._frame_error = result.error
            for _, panel in self._map_panels():  # maps of the old settings, titled 4×4, would mislead
                if panel.current is not None:
                    panel.clear("no maps for these settings (the message above says why)")
        elif self._frame_error:
            # the settings work again: a message saying they don't would now be wrong
            self.message_bar.dismiss_if(self._frame_error)
            self._frame_error = ""
        if result.error is None:
            self.last_frame = result
            self.network_ui.show_frame(result)
            for key, panel in (("filters", self.filters_panel), ("channels", self.channels_panel),
                               ("pooled", self.pooled_panel)):
                view = result.views.get(key)
                if view is not None:
                    panel.show_view(view)
                else:
                    panel.clear()
            geometry = tuple((key, view.values.shape, len(view.cells)) for key, view in sorted(result.views.items()))
            if geometry != self._view_geometry:  # map size or count changed: draw tiles at a new fit
                self._view_geometry = geometry
                self._fit_timer.start()
        h, w, n_c = result.frame.shape
        # the notes' order, n_H × n_W × n_c, as in the arithmetic panel and the map titles
        caption = f"Input · {self.runner.source.description} · n_H × n_W × n_c = {h} × {w} × {n_c}"
        seen = result.network_input
        if seen is not None and seen.shape[:2] != (h, w):
            caption += f" → resized to {seen.shape[0]} × {seen.shape[1]} × {seen.shape[2]}"
        if caption != self.input_panel.title.text():
            self.input_panel.title.setText(caption)
        if first:
            self._update_arithmetic()
            self.network_ui.show_snapshot(self.snapshot, (h, w))
        # The views repaint when control returns to the event loop (their update
        # requests are posted events); a zero timer fires after those, so the frame
        # is counted once it has been painted.
        QtCore.QTimer.singleShot(0, lambda: self._painted(result, started))

    def _painted(self, result: RenderedFrame, started: float) -> None:
        now = time.perf_counter()
        self.displayed += 1
        latency = (now - result.captured_at) * 1e3
        self.display_log.append((now, latency, (now - started) * 1e3, result.engine_ms + result.render_ms))
        self.network_ui.show_timing(self.timing_label, result, latency)
        self.frame_displayed.emit(result)

    @QtCore.Slot()
    def _update_fps(self) -> None:
        times = [entry[0] for entry in self.display_log if entry[0] > time.perf_counter() - 2.0]
        if self.runner.paused:
            self.fps_label.setText("paused")
        elif not self.runner.source.live and not self.runner.still_as_stream:
            self.fps_label.setText("still image")  # recomputed on every edit, no frame rate
        elif len(times) >= 2:
            self.fps_label.setText(f"{(len(times) - 1) / (times[-1] - times[0]):.1f} FPS")
        else:
            self.fps_label.setText("– FPS")

    # --- sources -------------------------------------------------------------------------------
    def open_source_async(self, spec: str, downscale: int = 1, webcam_resolution=(640, 480)) -> None:
        """Open ``spec`` on a worker thread (a camera can take seconds); switch when it is ready."""
        self.statusBar().showMessage(f"opening {spec} …", 3000)
        # opens run concurrently; only the newest one asked for may take over
        self._open_request += 1
        request = self._open_request

        def work():
            try:
                source = open_source(spec, downscale=downscale, webcam_resolution=webcam_resolution)
            except SourceError as exc:
                self._bridge.error.emit(str(exc))
                return
            except Exception as exc:  # unexpected decoder failures still end as a message
                self._bridge.error.emit(f"cannot open {spec!r}: {exc}")
                return
            self._bridge.source_opened.emit(source, spec, request)

        QtCore.QThreadPool.globalInstance().start(work)

    @QtCore.Slot(object, str, int)
    def _on_source_opened(self, source: Source, spec: str, request: int) -> None:
        if request != self._open_request or self._closing:
            source.close()  # overtaken by a later choice, or the window is closing
            return
        self.runner.set_source(source)
        self.message_bar.hide()  # notes about the previous source no longer apply
        self._show_source(source)
        if self.settings is not None:
            self.settings.setValue("source/last", spec)
        for notice in source.notices:
            self.show_message(notice, warning=False)

    def _show_source(self, source: Source) -> None:
        self.source_label.setText(source.description)
        self.input_panel.title.setText(f"Input · {source.description}")

    @QtCore.Slot(bool)
    def _on_pause(self, paused: bool) -> None:
        if paused:
            self.runner.pause()
        else:
            self.runner.resume()
        self.pause_action.setText("Resume" if paused else "Pause")

    @QtCore.Slot()
    def _on_step(self) -> None:
        self.pause_action.setChecked(True)
        self.runner.step()

    # --- messages, drag & drop, closing ---------------------------------------------------
    @QtCore.Slot(str)
    def show_message(self, text: str, warning: bool = True) -> None:
        self.message_bar.show_message(text, warning)
        self.statusBar().showMessage(text, 8000)

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        urls = [url for url in event.mimeData().urls() if url.isLocalFile()]
        if urls:
            self.sources.open(urls[0].toLocalFile())  # the chosen downscale applies, and is remembered
            event.acceptProposedAction()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> bool:
        """Stop the worker threads (idempotent); True when they ended."""
        self._closing = True
        self._fps_timer.stop()
        stopped = self.runner.stop()
        if self.settings is not None:
            self.settings.sync()
        return stopped
