"""The pixel inspector in the window: pin or follow a map cell, outline what it sees.

Clicking a cell of any map view pins it; moving the mouse over a map with Shift
held follows the mouse instead. The pinned cell is re-explained on every shown
frame (at most ``REFRESH_HZ`` times a second): its explanation is computed on a
worker thread from the frame the engine saw (:class:`FrameLayers`), the newest
request wins, and the GUI thread only draws the answer.

Outlines: the kernel's window on the input picture (its taps, so dilation gaps
show), and for layers after the first also the cell's receptive field on the
picture; the pinned cell on its map. The reverse: Shift over the input picture
outlines, on every map, each cell that pixel feeds.
"""

from __future__ import annotations

import time

from PySide6 import QtCore, QtGui, QtWidgets

from playground.render.frame_layers import CellRef, FrameLayers, network_of

from .inspector_panel import InspectorPanel

__all__ = ["Inspector", "MAP_PANELS", "REFRESH_HZ", "show_dock"]

MAP_PANELS = ("filters_panel", "channels_panel", "pooled_panel")   # MainWindow attributes, by view
REFRESH_HZ = 10.0
# Outlining every fed cell one by one is readable up to this many cells; beyond, their box.
MAX_OUTLINED_CELLS = 400

_WINDOW_PEN = QtGui.QPen(QtGui.QColor("#7CFC00"), 2)
_FIELD_PEN = QtGui.QPen(QtGui.QColor("#ff4fd8"), 2, QtCore.Qt.PenStyle.DashLine)
_CELL_PEN = QtGui.QPen(QtGui.QColor("#ffffff"), 2)
for _pen in (_WINDOW_PEN, _FIELD_PEN, _CELL_PEN):
    _pen.setCosmetic(True)   # the same width at every zoom


class _Outline(QtWidgets.QGraphicsPathItem):
    """Rectangles drawn over a view (in its data coordinates), above the picture."""

    def __init__(self, pen: QtGui.QPen):
        super().__init__()
        self.setPen(pen)
        self.setZValue(20)

    def set_rects(self, rects) -> None:
        path = QtGui.QPainterPath()
        for x, y, w, h in rects:
            path.addRect(QtCore.QRectF(x, y, w, h))
        self.setPath(path)


class _Relay(QtCore.QObject):
    """Carries a worker's answer back to the GUI thread."""

    done = QtCore.Signal(object)


def show_dock(window, dock: QtWidgets.QDockWidget, height: int = 330) -> None:
    """Show ``dock`` in front of its tab group, tall enough for its grids when it was hidden."""
    if not dock.isVisible():
        dock.show()
        window.resizeDocks([dock], [height], QtCore.Qt.Orientation.Vertical)
    dock.raise_()


def _cell_rects(view, tiles, rows, cols):
    """Mosaic rectangles of cells rows × cols on each tile of ``tiles`` of a MapView."""
    h, w = view.values.shape[:2]
    layout = view.layout
    sy, sx = layout.tile_h / h, layout.tile_w / w
    rects = []
    for tile in tiles:
        top, left = layout.origin(tile)
        if len(rows) * len(cols) > MAX_OUTLINED_CELLS:
            rects.append((left + cols[0] * sx, top + rows[0] * sy, (cols[-1] - cols[0] + 1) * sx,
                          (rows[-1] - rows[0] + 1) * sy))
            continue
        rects += [(left + c * sx, top + r * sy, sx, sy) for r in rows for c in cols]
    return rects


class Inspector(QtCore.QObject):
    """Connects the inspector panel (in a dock) to ``window``'s map views and input picture.

    Signals
    -------
    pinned_changed(object)
        The CellRef a click pinned (not emitted while following the mouse).
    """

    pinned_changed = QtCore.Signal(object)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.panel = InspectorPanel()
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        self.dock = QtWidgets.QDockWidget("Inspector · how one number is made", window)
        self.dock.setObjectName("inspector-dock")
        self.dock.setWidget(scroll)
        window.addDockWidget(QtCore.Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        # closed by the person (its close button, or unticked in the View menu): nothing stays
        # pinned or outlined. Not when it is hidden for them (presentation mode, a tab in front)
        self.dock.installEventFilter(self)
        self.dock.toggleViewAction().triggered.connect(lambda shown: shown or self.unpin())
        self.pinned: CellRef | None = None
        self.following = False
        self.layers: FrameLayers | None = None
        self._layers_for = None         # the result whose FrameLayers these are
        self._request = 0
        self.shown_result = None        # the RenderedFrame whose numbers the panel shows
        self._running = False           # one explanation computes at a time …
        self._waiting = None            # … and the newest frame asked for meanwhile waits here
        self._last_refresh = 0.0
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._window_outline = _Outline(_WINDOW_PEN)
        self._field_outline = _Outline(_FIELD_PEN)
        box = window.input_panel.view.box
        box.addItem(self._window_outline)
        box.addItem(self._field_outline)
        self._cell_outlines = {}
        for name in MAP_PANELS:
            panel = getattr(window, name, None)
            if panel is None:
                continue
            outline = _Outline(_CELL_PEN)
            panel.view.box.addItem(outline)
            self._cell_outlines[name] = outline
            panel.cell_clicked.connect(lambda key, tile, row, col, p=panel: self._pick(p, tile, row, col, True))
            panel.view.scene().sigMouseMoved.connect(lambda pos, p=panel: self._map_hover(p, pos))
        window.input_panel.view.scene().sigMouseMoved.connect(self._input_hover)
        window.frame_displayed.connect(self._on_frame)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.dock and event.type() == QtCore.QEvent.Type.Close:
            self.unpin()
        return False

    # --- choosing a cell -------------------------------------------------------------------
    def _panels(self):
        return [(name, getattr(self.window, name)) for name in self._cell_outlines]

    @staticmethod
    def _shift_held() -> bool:
        return bool(QtWidgets.QApplication.keyboardModifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier)

    def _cell_of(self, panel, tile: int, row: int, col: int) -> CellRef | None:
        view = panel.current
        result = self.window.last_frame
        if view is None or result is None or not 0 <= tile < len(view.cells):
            return None
        _network, selected = network_of(result.snapshot)
        channel = view.cells[tile][0] if view.key == "channels" else None
        return CellRef(view.key, selected, int(view.filters[tile]), int(row), int(col), channel)

    def _pick(self, panel, tile: int, row: int, col: int, pinned: bool) -> None:
        cell = self._cell_of(panel, tile, row, col)
        if cell is None:
            return
        self.following = not pinned
        self.pin(cell)
        if pinned:
            self.pinned_changed.emit(cell)

    def _map_hover(self, panel, pos) -> None:
        if not self._shift_held():
            return
        hit = panel.cell_at(pos)
        if hit is not None:
            self._pick(panel, *hit, pinned=False)

    def pin(self, cell: CellRef) -> None:
        """Explain ``cell`` now and on every frame from now on (showing the dock)."""
        self.pinned = cell
        show_dock(self.window, self.dock)
        self._request_explanation(self.window.last_frame)

    def unpin(self) -> None:
        self.pinned = None
        self.panel.clear()
        for outline in (self._window_outline, self._field_outline, *self._cell_outlines.values()):
            outline.set_rects([])

    # --- computing, off the GUI thread ---------------------------------------------------------
    def frame_layers(self, result) -> FrameLayers:
        """The (cached) layer-by-layer view of ``result``."""
        if self._layers_for is not result or self.layers is None:
            network, _ = network_of(result.snapshot)
            self.layers = FrameLayers(result.frame, network)
            self._layers_for = result
        return self.layers

    @QtCore.Slot(object)
    def _on_frame(self, result) -> None:
        if self.pinned is None:
            return
        now = time.perf_counter()
        if now - self._last_refresh < 1.0 / REFRESH_HZ and self._layers_for is not None and \
                self._layers_for.snapshot == result.snapshot:
            return   # same settings, a newer video frame: 10 explanations a second are plenty
        self._request_explanation(result)

    def _request_explanation(self, result) -> None:
        if result is None or self.pinned is None:
            return
        if self._running:   # a deeper layer can take a while: never queue more than the newest
            self._waiting = result
            return
        self._last_refresh = time.perf_counter()
        try:
            layers = self.frame_layers(result)
        except ValueError as exc:
            self.panel.clear(str(exc))
            return
        self._request += 1
        request, cell = self._request, self.pinned

        def work():
            try:
                conv, pool = layers.explain(cell)
                answer = (conv, pool, layers.shown_value(cell, conv, pool), layers.field_on_picture(cell), None)
            except (IndexError, ValueError) as exc:   # the map shrank under the pinned cell
                answer = (None, None, None, None, str(exc))
            self._relay.done.emit((request, cell, layers, result, answer))

        self._running = True
        QtCore.QThreadPool.globalInstance().start(work)

    @QtCore.Slot(object)
    def _on_done(self, payload) -> None:
        request, cell, layers, result, (conv, pool, value, field, error) = payload
        self._running = False
        newest = request == self._request and cell == self.pinned
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self._request_explanation(waiting)   # the newest frame (or cell) asked for meanwhile
        if not newest:
            return   # the cell was unpinned or changed while this one computed
        if error is not None:
            self.unpin()
            self.panel.clear(f"The inspected cell is gone: {error}")
            return
        self.shown_result = result
        bank = layers.network.layers[cell.layer].bank
        self.panel.show_cell(cell, conv, pool, value, layers.channel_names(cell.layer),
                             bank.filters[cell.filter].name, pinned=not self.following)
        self._outline(cell, conv, pool, field, result)

    # --- outlines --------------------------------------------------------------------------------
    def _picture_scale(self, layers: FrameLayers, result) -> tuple[float, float]:
        """Input-panel pixels per picture pixel (the panel may show the frame before a resize)."""
        shown = getattr(result, "input_rgb", None)
        if shown is None:
            return 1.0, 1.0
        n_h, n_w = layers.picture_size
        return shown.shape[0] / n_h, shown.shape[1] / n_w

    def show_window(self, conv, layer: int, field=None, result=None) -> None:
        """Outline ``conv``'s window on the input picture (layer 0: its taps; deeper: ``field``)."""
        result = result or self.window.last_frame
        if result is None:
            return
        sy, sx = self._picture_scale(self.frame_layers(result), result)
        if layer == 0:
            real = ~conv.padding
            rects = [(c * sx, r * sy, sx, sy) for i, r in enumerate(conv.input_rows)
                     for j, c in enumerate(conv.input_cols) if real[i, j]]
            if len(rects) > MAX_OUTLINED_CELLS and conv.input_box is not None:
                top, left, bottom, right = conv.input_box
                rects = [(left * sx, top * sy, (right - left + 1) * sx, (bottom - top + 1) * sy)]
            self._window_outline.set_rects(rects)
            self._field_outline.set_rects([])
        else:
            self._window_outline.set_rects([])
            self._field_outline.set_rects([] if field is None else [
                (field.left * sx, field.top * sy, field.width * sx, field.height * sy)])

    def _outline(self, cell: CellRef, conv, pool, field, result) -> None:
        """The window on the input; the cell on its map; a pooled cell's pool window on the conv map."""
        self.show_window(conv, cell.layer, field, result)
        for name, panel in self._panels():
            view = panel.current
            outline = self._cell_outlines[name]
            if view is not None and view.key == cell.view:
                tiles = [t for t, f in enumerate(view.filters) if f == cell.filter and
                         (cell.channel is None or view.cells[t][0] == cell.channel)]
                outline.set_rects(_cell_rects(view, tiles, [cell.row], [cell.col]))
            elif view is not None and view.key == "filters" and pool is not None:
                tiles = [t for t, f in enumerate(view.filters) if f == cell.filter]
                outline.set_rects(_cell_rects(view, tiles, list(pool.map_rows), list(pool.map_cols)))
            else:
                outline.set_rects([])

    @QtCore.Slot(object)
    def _input_hover(self, pos) -> None:
        """Shift over the input picture: outline every map cell the pixel under the mouse feeds."""
        result = self.window.last_frame
        if result is None or not self._shift_held():
            return
        try:
            layers = self.frame_layers(result)
        except ValueError:
            return
        sy, sx = self._picture_scale(layers, result)
        point = self.window.input_panel.view.box.mapSceneToView(pos)
        row, col = int(point.y() / sy), int(point.x() / sx)
        n_h, n_w = layers.picture_size
        if not (0 <= row < n_h and 0 <= col < n_w):
            return
        self._window_outline.set_rects([(col * sx, row * sy, sx, sy)])
        self._field_outline.set_rects([])
        _network, selected = network_of(result.snapshot)
        for name, panel in self._panels():
            view = panel.current
            if view is None:
                continue
            region = layers.cells_fed(selected, row, col, pooled=view.key == "pooled")
            rects = [] if region is None else _cell_rects(view, range(len(view.cells)), region.rows, region.cols)
            self._cell_outlines[name].set_rects(rects)

    def fed_cells(self, row: int, col: int, pooled: bool = False):
        """The Region of the selected layer's map that picture pixel (row, col) feeds (for tests)."""
        result = self.window.last_frame
        _network, selected = network_of(result.snapshot)
        return self.frame_layers(result).cells_fed(selected, row, col, pooled=pooled)

