"""The first window: the demo picture and the feature maps of a small starting bank.

Layout: a 2 × 3 grid. On the left the input picture and the bank's kernels; on
the right one map per filter, each titled with its name, shape and colour levels.
The status bar says where the engine ran and how long it took. This is the seed
of the live app: the frame loop, kernel editor and worker threads come later and
reuse these pieces.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from playground.engine import array_module, asnumpy, conv2d, get_backend
from playground.sources.demo import demo_frame

from . import theme

__all__ = ["PreviewWindow", "ImagePanel", "STARTER_BANK", "starter_weights", "symmetric_levels"]

# (name, 3×3 kernel) in cross-correlation orientation, as in the lecture notes:
# positive where bright is left of dark (vertical) or above dark (horizontal).
# Moves to playground.kernels once the filter-bank model exists.
STARTER_BANK: tuple[tuple[str, tuple[tuple[float, ...], ...]], ...] = (
    ("Vertical edge", ((1, 0, -1), (1, 0, -1), (1, 0, -1))),
    ("Horizontal edge", ((1, 1, 1), (0, 0, 0), (-1, -1, -1))),
    ("Sobel x", ((1, 0, -1), (2, 0, -2), (1, 0, -1))),
    ("Sobel y", ((1, 2, 1), (0, 0, 0), (-1, -2, -1))),
)

# Diverging, zero in the middle: blue negative, black zero, red positive (Kovesi's CET-D4).
# The dark middle matches the dark theme, so edges glow and flat areas recede.
DIVERGING_COLORMAP = "CET-D4"
_GRID_COLUMNS = 2


def starter_weights(n_c: int = 3) -> np.ndarray:
    """The starting bank as conv weights, each kernel applied alike to every channel.

    Parameters
    ----------
    n_c : int
        Number of input channels (3 for RGB).

    Returns
    -------
    numpy.ndarray, float32, shape (3, 3, n_c, K)
        ``w[:, :, c, k]`` is kernel ``k`` of :data:`STARTER_BANK` for every ``c``,
        so each map is that kernel applied to the sum of the channels.
    """
    kernels = np.asarray([kernel for _, kernel in STARTER_BANK], np.float32)  # (K, 3, 3)
    w = np.broadcast_to(kernels.transpose(1, 2, 0)[:, :, None, :], (3, 3, n_c, len(STARTER_BANK)))
    return np.ascontiguousarray(w)


# Edges are thin: a few percent of a map's pixels. Levels from the 99th percentile
# of |v| keep them bright; ±max|v| let the strongest handful of pixels (often the
# frame's border against the zero padding) dim everything else.
LEVEL_PERCENTILE = 99.0


def symmetric_levels(values: np.ndarray, percentile: float = LEVEL_PERCENTILE) -> tuple[float, float]:
    """Display levels ±p, p the given percentile of |v|, so 0 sits on the colormap's middle.

    Values beyond ±p show at full colour. Falls back to ±max|v| when the percentile
    is 0 (a map that is zero almost everywhere), and to ±1 for an all-zero map.
    """
    magnitudes = np.abs(values[np.isfinite(values)])
    if not magnitudes.size:
        return -1.0, 1.0
    peak = float(np.percentile(magnitudes, percentile)) or float(magnitudes.max()) or 1.0
    return -peak, peak


def _kernel_table_html() -> str:
    """The starting bank's kernels as small HTML matrices, plus the colour key."""
    cells = []
    for name, kernel in STARTER_BANK:
        rows = "".join(
            "<tr>" + "".join(f"<td align='right' style='padding:0 5px'>{v:g}</td>" for v in row) + "</tr>"
            for row in kernel
        )
        cells.append(f"<td style='padding:6px 18px 6px 0'><b>{name}</b><table>{rows}</table></td>")
    grid = "".join("<tr>" + "".join(cells[i:i + 2]) + "</tr>" for i in range(0, len(cells), 2))
    return (
        "Kernels (cross-correlation, same padding),<br>each applied to R, G and B and summed:"
        f"<table>{grid}</table>"
        "Colours: <span style='color:#2f8cff'>blue &lt; 0</span> · black = 0 · "
        "<span style='color:#ff5a46'>red &gt; 0</span><br>Levels: ±99th percentile of |v|, per map (brighter is clipped)."
    )


class ImagePanel(QtWidgets.QWidget):
    """A title above one image: a fixed, aspect-locked pyqtgraph view (no mouse, no menu).

    Attributes
    ----------
    title : QLabel
    item : pyqtgraph.ImageItem
        Takes arrays as (n_H, n_W) or (n_H, n_W, 3), row-major.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.title = QtWidgets.QLabel(alignment=QtCore.Qt.AlignmentFlag.AlignCenter)
        self.title.setStyleSheet("font-size: 11pt;")
        graphics = pg.GraphicsLayoutWidget()
        graphics.setBackground(theme.WINDOW)
        graphics.ci.setContentsMargins(0, 0, 0, 0)
        # Maps are usually shown smaller than their size; smooth scaling keeps 2-pixel edge lines.
        graphics.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, True)
        view = graphics.addViewBox(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False,
                                   defaultPadding=0.0)
        self.item = pg.ImageItem(axisOrder="row-major", border=pg.mkPen(theme.BORDER))
        view.addItem(self.item)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(graphics, 1)
        # Cells share the grid by stretch alone, not by what their contents would like.
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Ignored)


class PreviewWindow(QtWidgets.QMainWindow):
    """Main window showing a frame and its starting-bank feature maps.

    Parameters
    ----------
    frame : numpy.ndarray, (n_H, n_W, 3) float in [0, 1], optional
        The picture to show; the demo picture when omitted.
    parent : QWidget, optional

    Attributes
    ----------
    frame : numpy.ndarray, float32
        The input picture.
    weights : numpy.ndarray, float32, (3, 3, n_c, K)
        :func:`starter_weights` for the frame's channels.
    maps : numpy.ndarray, float32, (n_H, n_W, K)
        ``conv2d(frame, weights, padding="same")``, on the host.
    input_panel : ImagePanel
    map_panels : list of ImagePanel
        One per filter, in :data:`STARTER_BANK` order.
    map_items : list of pyqtgraph.ImageItem
        ``map_items[k].image`` is ``maps[..., k]``.
    status_label : QLabel
        Backend, device and engine time.
    engine_ms : float
        Time of one warm ``conv2d`` call, including the copy back to the host.
    """

    def __init__(self, frame: np.ndarray | None = None, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Kernel Playground")
        self.resize(1360, 800)
        self.frame = demo_frame() if frame is None else np.asarray(frame, np.float32)
        if self.frame.ndim != 3:
            raise ValueError(f"frame must be (n_H, n_W, n_c); got shape {self.frame.shape}")
        self.weights = starter_weights(self.frame.shape[2])
        self.maps, self.engine_ms = self._compute_maps()

        self._build_layout()
        self._show_images()
        self.status_label = QtWidgets.QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        self._update_status()

    @property
    def map_items(self) -> list[pg.ImageItem]:
        return [panel.item for panel in self.map_panels]

    def _compute_maps(self) -> tuple[np.ndarray, float]:
        xp = array_module()  # compute where the backend switch says, not where the frame lives
        x, w = xp.asarray(self.frame), xp.asarray(self.weights)
        asnumpy(conv2d(x, w, padding="same"))  # warm-up: first calls allocate, start threads, compile
        start = time.perf_counter()
        maps = asnumpy(conv2d(x, w, padding="same"))  # the copy to the host also waits for the GPU
        return maps, (time.perf_counter() - start) * 1e3

    def _build_layout(self) -> None:
        central = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(central)
        grid.setContentsMargins(10, 10, 10, 6)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(12)

        self.input_panel = ImagePanel()
        grid.addWidget(self.input_panel, 0, 0)
        self.legend = QtWidgets.QLabel(_kernel_table_html(), wordWrap=True)
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.legend.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)
        self.legend.setStyleSheet("font-size: 10pt; padding-top: 12px;")
        self.legend.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Ignored)
        grid.addWidget(self.legend, 1, 0)

        self.map_panels: list[ImagePanel] = []
        for k in range(len(STARTER_BANK)):
            row, col = divmod(k, _GRID_COLUMNS)
            panel = ImagePanel()
            grid.addWidget(panel, row, 1 + col)
            self.map_panels.append(panel)

        # The maps get the room; the input is a reference.
        for col, stretch in enumerate((3,) + (4,) * _GRID_COLUMNS):
            grid.setColumnStretch(col, stretch)
        for row in range(grid.rowCount()):
            grid.setRowStretch(row, 1)
        self.setCentralWidget(central)

    def _show_images(self) -> None:
        h, w, n_c = self.frame.shape
        self.input_panel.title.setText(f"Input · {h}×{w}×{n_c}")
        self.input_panel.item.setImage(self.frame, levels=(0.0, 1.0), autoLevels=False)
        colormap = pg.colormap.get(DIVERGING_COLORMAP)
        h_out, w_out = self.maps.shape[:2]
        for k, ((name, _), panel) in enumerate(zip(STARTER_BANK, self.map_panels, strict=True)):
            data = np.ascontiguousarray(self.maps[..., k])  # engine results may be strided views
            low, high = symmetric_levels(data)
            panel.item.setImage(data, levels=(low, high), autoLevels=False)
            panel.item.setColorMap(colormap)
            panel.title.setText(f"{name} · {h_out}×{w_out} · levels ±{high:.3g}")

    def _update_status(self) -> None:
        info = get_backend()
        h, w, n_c = self.frame.shape
        k = len(STARTER_BANK)
        self.status_label.setText(
            f"Backend: {info} · conv2d {h}×{w}×{n_c} * 3×3×{n_c}×{k}, same padding → "
            f"{h}×{w}×{k} in {self.engine_ms:.1f} ms"
        )
        self.status_label.setToolTip(info.note or f"requested backend: {info.requested}")
