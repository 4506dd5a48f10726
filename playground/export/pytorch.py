"""'Copy as PyTorch': Python text that builds an ``nn.Conv2d`` with the bank's weights.

The text is self-contained (it imports torch itself) and computes what the app
computes: the enabled filters, their biases, stride, padding (asymmetric
padding through ``F.pad``), dilation, true convolution by flipped weights, the
activation and the pooling.
"""

from __future__ import annotations

import numpy as np

from playground.engine.layer import LayerSettings
from playground.kernels.model import FilterBank

from .jsonfmt import float32_number
from .naming import channel_name
from .weights_io import to_layout

__all__ = ["pytorch_snippet"]


def _num(value) -> str:
    return repr(float32_number(value))


def _nested(array: np.ndarray) -> str:
    if array.ndim == 1:
        return "[" + ", ".join(_num(v) for v in array) + "]"
    return "[" + ", ".join(_nested(part) for part in array) + "]"


def _comment_text(text: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _pads(bank: FilterBank, layer: LayerSettings, frame_shape) -> tuple[tuple[int, int], tuple[int, int]]:
    if frame_shape is None:
        if layer.padding == "same" and layer.stride > 1:
            raise ValueError(f"'same' padding with stride {layer.stride} depends on the frame size; "
                             "give frame_shape=(n_H, n_W)")
        # any size gives the same padding here; one the kernel fits in avoids nothing else
        frame_shape = (64, 64)
    return layer.pads(tuple(frame_shape[:2]), bank.size)


def pytorch_snippet(bank: FilterBank, layer: LayerSettings | None = None, frame_shape=None) -> str:
    """PyTorch code for the bank as a conv layer, ready to paste.

    Parameters
    ----------
    bank : FilterBank
        Its enabled filters become the layer's K output channels, in bank order.
    layer : LayerSettings, optional
        Stride, padding, dilation, flip, activation and pooling; default
        ``LayerSettings()`` ("same" padding, stride 1, no activation, no pooling).
    frame_shape : (n_H, n_W[, n_c]), optional
        Needed only for "same" padding with a stride above 1 (the padding then
        depends on the frame size).

    Returns
    -------
    str
        Python source defining ``conv`` (an ``nn.Conv2d`` with weights
        ``(K, n_c, f, f)`` and bias ``(K,)`` copied in) and ``layer(x)``, which
        takes ``x`` of shape ``(N, n_c, H, W)`` and returns the maps
        ``(N, K, H_out, W_out)`` as the app computes them.

    Raises
    ------
    ValueError
        No filter is enabled, or "same" padding with stride > 1 and no ``frame_shape``.
    """
    layer = LayerSettings() if layer is None else layer
    if not bank.active:
        raise ValueError("no filter is enabled: there is no layer to copy")
    weights = bank.weights()  # (f, f, n_c, K), the enabled filters
    if layer.flip:
        weights = weights[::-1, ::-1]  # nn.Conv2d cross-correlates: rotate to get true convolution
    torch_weights = to_layout(weights, "pytorch")  # (K, n_c, f, f)
    k, n_c, f, _ = torch_weights.shape
    (top, bottom), (left, right) = _pads(bank, layer, frame_shape)
    symmetric = top == bottom and left == right
    conv_padding = (top, left) if symmetric else (0, 0)
    padding_text = str(top) if symmetric and top == left else str(conv_padding)
    operation = "true convolution (weights flipped 180° below)" if layer.flip else "cross-correlation"

    lines = [
        f"# Kernel Playground: {k} filter{'s' if k != 1 else ''} of {f}×{f}×{n_c}, {operation}.",
        f"# Input x: (N, {n_c}, H, W) float32; the app's frames are RGB in [0, 1], and an (H, W, {n_c})",
        "# frame becomes x with torch.from_numpy(frame).permute(2, 0, 1)[None].",
        "import torch",
        "from torch import nn",
        "from torch.nn import functional as F",
        "",
        f"conv = nn.Conv2d(in_channels={n_c}, out_channels={k}, kernel_size={f}, stride={layer.stride},",
        f"                 padding={padding_text}, dilation={layer.dilation}, bias=True)",
        "with torch.no_grad():",
        f"    conv.weight.copy_(torch.tensor([  # (K, n_c, f, f) = ({k}, {n_c}, {f}, {f})",
    ]
    for index, name in enumerate(bank.names()):
        lines.append(f"        # {index}: {_comment_text(name)}")
        for c in range(n_c):  # one line per input channel
            opening = "[" if c == 0 else " "
            closing = "]," if c == n_c - 1 else ","
            lines.append(f"        {opening}{_nested(torch_weights[index, c])}{closing}  # {channel_name(c)}")
    lines.append("    ], dtype=torch.float32))")
    lines.append(f"    conv.bias.copy_(torch.tensor({_nested(bank.biases())}, dtype=torch.float32))")
    lines += ["", "", "def layer(x):", f'    """(N, {n_c}, H, W) → the maps, as Kernel Playground computes them."""']
    if symmetric:
        lines.append("    y = conv(x)")
    else:
        lines.append("    # odd total padding: the extra row/column goes bottom/right, as in the app")
        lines.append(f"    y = conv(F.pad(x, ({left}, {right}, {top}, {bottom})))  # (left, right, top, bottom)")
    if layer.activation == "relu":
        lines.append("    y = torch.relu(y)")
    elif layer.activation == "abs":
        lines.append("    y = torch.abs(y)")
    if layer.pool is not None:
        pool = layer.pool
        function = "max_pool2d" if pool.mode == "max" else "avg_pool2d"
        lines.append(f"    y = F.{function}(y, kernel_size={pool.size}, stride={pool.stride})")
    lines.append("    return y")
    return "\n".join(lines) + "\n"
