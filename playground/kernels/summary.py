"""The notes' table of a network: activation shape, activation size and #params per layer.

Every number is computed from the network (never copied from the notes, whose
own table prints 850 for FC4, 120 → 10, where the formula gives 1,210):

* conv layer: ``(f·f·n_c[l−1] + 1)·n_c[l]`` parameters (one bias per filter);
* pooling: no parameters;
* fully connected: ``inputs·outputs + outputs``, after flattening.

>>> table = network_table("32x32x3 conv:f=5,k=8 maxpool:f=2,s=2 conv:f=5,k=16 maxpool:f=2,s=2 fc:120 fc:10")
>>> [(row.layer, row.params) for row in table.rows][-2:]
[('FC3', 48120), ('FC4', 1210)]
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.engine.layer import LayerSettings
from playground.engine.shapes import conv_params

from .network import Network
from .volumes import conv_output_shape, pool_output_shape  # re-exported: callers read them here too

__all__ = [
    "TableRow", "NetworkTable", "network_table", "conv_output_shape", "pool_output_shape",
    "conv_title", "CONV_FORMULA", "FC_FORMULA",
]

CONV_FORMULA = "(f·f·n_c[l−1] + 1)·n_c[l]"
FC_FORMULA = "inputs·outputs + outputs"


@dataclass(frozen=True)
class TableRow:
    """One row of the table.

    Attributes
    ----------
    layer : str
        "Input", "CONV1 (f=5, s=1)", "POOL1", "FC3"… (FC numbers continue after the conv layers, as in the notes).
    kind : {"input", "conv", "pool", "fc"}
    shape : tuple of int
        (n_H, n_W, n_c) for a volume, (n,) for an FC layer.
    size : int
        Activation size, the product of ``shape``.
    params : int
    formula : str
        The parameter count with its numbers, e.g. "(5·5·3 + 1)·8 = 608"; "" for input and pooling.
    layer_index : int or None
        The conv layer (0-based) a conv or pool row belongs to (click a row, select that layer);
        None for the input and FC rows.
    detail : str
        What the row does, e.g. "8 filters 5×5×3, valid, ReLU" or "max 2×2, s=2".
    """

    layer: str
    kind: str
    shape: tuple[int, ...]
    size: int
    params: int
    formula: str = ""
    layer_index: int | None = None
    detail: str = ""

    def as_dict(self) -> dict:
        """The row as the ``summary --json`` command prints it."""
        return {"layer": self.layer, "shape": list(self.shape), "size": self.size, "params": self.params}


@dataclass(frozen=True)
class NetworkTable:
    """The rows (input first) and the total number of parameters."""

    rows: tuple[TableRow, ...]
    total_params: int

    def as_dict(self) -> dict:
        """``{"rows": [{"layer", "shape", "size", "params"}…], "total_params"}``."""
        return {"rows": [row.as_dict() for row in self.rows], "total_params": self.total_params}

    def text(self) -> str:
        """The table as aligned plain text, like a framework's model summary."""
        header = ("Layer", "Activation shape", "Activation size", "# Parameters")
        body = [(row.layer, " × ".join(str(n) for n in row.shape), f"{row.size:,}",
                 row.formula if row.formula else f"{row.params:,}") for row in self.rows]
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(3)]

        def line(cells) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells[:3], widths, strict=True)) + "  " + cells[3]

        rule = "─" * (sum(widths) + 6 + max(len(line_[3]) for line_ in [header, *body]))
        return "\n".join([line(header), rule, *(line(cells) for cells in body), rule,
                          f"Total parameters: {self.total_params:,}"]) + "\n"


def _padding_text(padding) -> str:
    if isinstance(padding, str):
        return padding
    if isinstance(padding, int):
        return str(padding)
    (top, bottom), (left, right) = padding
    return f"{top},{bottom},{left},{right}"


def conv_title(number: int, size: int, settings: LayerSettings) -> str:
    """"CONV1 (f=5, s=1)" as in the notes; padding and dilation shown only where they are not 0 and 1."""
    parts = [f"f={size}", f"s={settings.stride}"]
    if settings.padding not in (0, "valid"):
        parts.append(f"p={_padding_text(settings.padding)}")
    if settings.dilation != 1:
        parts.append(f"d={settings.dilation}")
    return f"CONV{number} ({', '.join(parts)})"


def _conv_detail(layer, shape_in) -> str:
    bank, settings = layer.bank, layer.settings
    parts = [f"{len(bank)} filter{'s' if len(bank) != 1 else ''} {bank.size}×{bank.size}×{shape_in[2]}",
             f"padding {_padding_text(settings.padding)}"]
    if settings.flip:
        parts.append("true convolution")
    if settings.activation != "none":
        parts.append({"relu": "ReLU", "abs": "|x|"}[settings.activation])
    return ", ".join(parts)


def _volume_row(name, kind, shape, params=0, formula="", layer_index=None, detail="") -> TableRow:
    return TableRow(name, kind, tuple(shape), shape[0] * shape[1] * shape[2], params, formula, layer_index, detail)


def network_table(network: Network | str, input_size: tuple[int, int] | None = None) -> NetworkTable:
    """The notes' table for ``network``.

    Parameters
    ----------
    network : Network or str
        A network, or a SPEC string (parsed with :func:`playground.kernels.spec.parse_spec`).
    input_size : (n_H, n_W), optional
        The frame size, for a network that does not fix its own (the network's
        fixed size wins: frames are resized to it).

    Returns
    -------
    NetworkTable
        Rows: Input, then per conv layer "CONVl (f=…, s=…)" and, if it pools,
        "POOLl", then "FCl" per fully-connected layer; and the total.

    Raises
    ------
    ValueError
        No input size is known, or a kernel or pool window is larger than its
        input (the message starts with the row's name).
    """
    if isinstance(network, str):
        from .spec import parse_spec  # the parser imports this module for its shape checks

        network = parse_spec(network)
    size = network.input_size or (tuple(input_size) if input_size is not None else None)
    if size is None:
        raise ValueError("the table needs an input size: the network fixes none, and no frame size was given")
    shape = (int(size[0]), int(size[1]), network.input_channels)
    rows = [_volume_row("Input", "input", shape)]
    for index, layer in enumerate(network.layers):
        number, bank = index + 1, layer.bank
        title = conv_title(number, bank.size, layer.settings)
        try:
            out = conv_output_shape(shape, bank.size, len(bank), layer.settings)
        except ValueError as exc:
            raise ValueError(f"{title}: {exc}") from None
        params = conv_params(bank.size, shape[2], len(bank))
        formula = f"({bank.size}·{bank.size}·{shape[2]} + 1)·{len(bank)} = {params:,}"
        rows.append(_volume_row(title, "conv", out, params, formula, index, _conv_detail(layer, shape)))
        shape = out
        pool = layer.settings.pool
        if pool is not None:
            try:
                shape = pool_output_shape(shape, pool)
            except ValueError as exc:
                raise ValueError(f"POOL{number}: {exc}") from None
            rows.append(_volume_row(f"POOL{number}", "pool", shape, layer_index=index,
                                    detail=f"{pool.mode} {pool.size}×{pool.size}, s={pool.stride}"))
    inputs = shape[0] * shape[1] * shape[2]
    for offset, units in enumerate(network.fc):
        params = inputs * units + units
        formula = f"{inputs:,}·{units:,} + {units:,} = {params:,}"
        detail = f"flattens {inputs:,} values" if offset == 0 else ""
        rows.append(TableRow(f"FC{network.depth + offset + 1}", "fc", (units,), units, params, formula, None, detail))
        inputs = units
    return NetworkTable(tuple(rows), sum(row.params for row in rows))
