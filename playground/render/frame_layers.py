"""One shown frame, layer by layer, for the inspector and the sliding window (Qt-free).

The views draw shrunk tiles; the inspector needs the full-size input of the
layer a person clicked. :class:`FrameLayers` re-runs the frame's own network on
the frame the engine saw (``RenderedFrame.frame``), with the same engine, and
keeps each layer's input and output once computed — a few milliseconds per
layer, paid only when someone inspects. Every explanation comes from
:mod:`playground.render.inspector`, so its numbers are the engine's numbers.

A *cell* is named as the views name it: the view key (``"filters"``,
``"channels"``, ``"pooled"``), the bank index of the filter, the input channel
(per-channel view only) and the row and column in the full-size map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.engine import array_module, asnumpy
from playground.engine.layer import LayerOutput, run_layer
from playground.engine.network import next_input, prepare_input
from playground.kernels.network import MAX_INPUT_CHANNELS, Network, channel_names, takes_input_channels

from .inspector import ConvCellExplanation, PoolCellExplanation, explain_conv_cell, explain_pool_cell
from .receptive_field import Region, cells_fed_by, receptive_field

__all__ = ["CellRef", "FrameLayers", "network_of"]


@dataclass(frozen=True)
class CellRef:
    """One cell of one view of one layer.

    Attributes
    ----------
    view : {"filters", "channels", "pooled"}
    layer : int
        0-based conv layer.
    filter : int
        Bank index of the filter (map k of the layer's output).
    row, col : int
        In the full-size map (the pooled map for ``"pooled"``).
    channel : int or None
        The input channel, for the per-channel view.
    """

    view: str
    layer: int
    filter: int
    row: int
    col: int
    channel: int | None = None

    @property
    def pooled(self) -> bool:
        return self.view == "pooled"


def network_of(snapshot) -> tuple[Network, int]:
    """The snapshot's network and selected layer (a one-layer network for a bank-only snapshot)."""
    network = getattr(snapshot, "network", None)
    if network is None:
        return Network.single(snapshot.bank, snapshot.layer), 0
    return network, int(getattr(snapshot, "selected", 0))


class FrameLayers:
    """A frame's inputs and outputs at every layer, computed on first use.

    Parameters
    ----------
    frame : array (n_H, n_W, n_c)
        What the engine saw (``RenderedFrame.frame``): after the input mode.
    network : Network
        The network the frame was computed with. When the frame's channels
        differ from the network's input (a gray picture or a 1-channel matrix),
        the network follows the frame, as the live loop does.

    Raises
    ------
    ValueError
        A frame whose channels no network input takes.
    """

    def __init__(self, frame, network: Network):
        frame = np.asarray(asnumpy(frame), dtype=np.float32)
        if frame.ndim == 2:
            frame = frame[:, :, None]
        channels = frame.shape[2]
        if channels != network.input_channels:
            if not takes_input_channels(channels):
                raise ValueError(f"the frame has {channels} channels; a network's input takes 1 to "
                                 f"{MAX_INPUT_CHANNELS} (3 for RGB, 1 for gray)")
            network = network.with_input(channels=channels)
        self.network = network
        self.picture = prepare_input(frame, network.input_size)
        self._inputs: dict[int, np.ndarray] = {0: self.picture}
        self._outputs: dict[int, LayerOutput] = {}

    @property
    def depth(self) -> int:
        return self.network.depth

    @property
    def picture_size(self) -> tuple[int, int]:
        """(n_H, n_W) of layer 1's input: the picture receptive fields are drawn on."""
        return self.picture.shape[0], self.picture.shape[1]

    def stage(self, layer: int):
        """(w, b, settings) of ``layer``: w (f, f, n_c, K) with every filter, disabled ones zero."""
        return self.network.layers[layer].stage

    def input_of(self, layer: int) -> np.ndarray:
        """The full-size input of ``layer``, float32 (n_H, n_W, n_c) on the host."""
        if not 0 <= layer < self.depth:
            raise IndexError(f"layer {layer} does not exist: the network has {self.depth} (0-based)")
        if layer not in self._inputs:
            self._inputs[layer] = np.asarray(asnumpy(next_input(self.output_of(layer - 1))), np.float32)
        return self._inputs[layer]

    def output_of(self, layer: int) -> LayerOutput:
        """``layer``'s full-size output (maps, pooled), with per-channel contributions."""
        if layer not in self._outputs:
            w, b, settings = self.stage(layer)
            # on the engine's backend (a GPU with CuPy): only the windows come back to the host
            x = array_module().asarray(self.input_of(layer))
            self._outputs[layer] = run_layer(x, w, b, settings)
        return self._outputs[layer]

    def channel_names(self, layer: int) -> tuple[str, ...]:
        """Names of the channels feeding ``layer`` (R, G, B, gray, or the previous filters)."""
        return channel_names(self.network, layer)

    # --- explanations ------------------------------------------------------------------------
    def conv_cell(self, layer: int, filter_index: int, row: int, col: int) -> ConvCellExplanation:
        """Every number behind conv-map cell (row, col) of ``filter_index`` in ``layer``."""
        w, b, settings = self.stage(layer)
        return explain_conv_cell(self.input_of(layer), w, b, settings, row, col, filter_index)

    def pool_cell(self, layer: int, filter_index: int, row: int, col: int) -> PoolCellExplanation:
        """The pool window behind pooled cell (row, col); ValueError when the layer does not pool."""
        settings = self.stage(layer)[2]
        if settings.pool is None:
            raise ValueError(f"layer {layer + 1} does not pool")
        maps = np.asarray(asnumpy(self.output_of(layer).maps), np.float32)
        return explain_pool_cell(maps, settings.pool, row, col, filter_index)

    def explain(self, cell: CellRef):
        """The explanation a view's cell needs.

        Returns
        -------
        (ConvCellExplanation, PoolCellExplanation or None)
            For a pooled cell, the conv explanation is of the pool winner (max)
            or the window's first cell (avg): what fed the pooled number.
        """
        self._check_exists(cell)
        if cell.pooled:
            pool = self.pool_cell(cell.layer, cell.filter, cell.row, cell.col)
            row, col = pool.winner_in_map or (int(pool.map_rows[0]), int(pool.map_cols[0]))
            return self.conv_cell(cell.layer, cell.filter, row, col), pool
        return self.conv_cell(cell.layer, cell.filter, cell.row, cell.col), None

    def _check_exists(self, cell: CellRef) -> None:
        """IndexError, in words a reader can act on, when the network has no such layer or
        input channel any more (a network was swapped under a pinned cell)."""
        if not 0 <= cell.layer < self.depth:
            raise IndexError(f"the network has no CONV{cell.layer + 1} now "
                             f"({self.depth} conv layer{'s' * (self.depth != 1)})")
        if cell.channel is not None:
            channels = self.stage(cell.layer)[0].shape[2]
            if not 0 <= cell.channel < channels:
                raise IndexError(f"CONV{cell.layer + 1} now takes {channels} input channel{'s' * (channels != 1)}: "
                                 f"channel {cell.channel + 1} is gone")

    @staticmethod
    def shown_value(cell: CellRef, conv: ConvCellExplanation, pool: PoolCellExplanation | None) -> float:
        """The number the view shows at ``cell``, from its explanation (what the tests compare)."""
        if pool is not None:
            return pool.value
        if cell.view == "channels":
            return float(conv.channel_sums[cell.channel or 0])
        return conv.a

    # --- geometry on the picture ----------------------------------------------------------------
    def _geometry(self):
        return [(layer.bank.size, layer.settings) for layer in self.network.layers]

    def field_on_picture(self, cell: CellRef) -> Region | None:
        """The picture pixels ``cell`` depends on (its receptive field); None if only padding."""
        return receptive_field(self.picture_size, self._geometry(), cell.layer, cell.row, cell.col,
                               pooled=cell.pooled)

    def cells_fed(self, layer: int, row: int, col: int, pooled: bool = False) -> Region | None:
        """The cells of ``layer``'s map (pooled map when ``pooled``) that picture pixel (row, col) feeds."""
        return cells_fed_by(self.picture_size, self._geometry(), layer, row, col, pooled=pooled)
