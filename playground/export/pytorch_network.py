"""'Copy as PyTorch' for a network: an ``nn.Sequential`` with every conv layer's weights.

The text is self-contained (it imports torch itself) and computes what
:func:`playground.engine.network.run_network` computes, layer after layer:
padding (asymmetric padding as an ``nn.ZeroPad2d``), conv with the bank's
weights and biases (true convolution by flipped weights), the activation and
the pooling. Every filter is a channel, a disabled one with zero weights, so
channel k is filter k as in the app. Fully-connected layers follow as
``nn.Flatten`` + ``nn.Linear`` with PyTorch's own initial weights: the app
has none for them (note that PyTorch flattens (n_c, n_H, n_W) order).
"""

from __future__ import annotations

import numpy as np

from playground.kernels.network import Network, channel_names
from playground.kernels.summary import conv_output_shape, conv_title, network_table, pool_output_shape

from .jsonfmt import float32_number
from .weights_io import to_layout

__all__ = ["pytorch_network_snippet"]


def _nested(array: np.ndarray) -> str:
    if array.ndim == 1:
        return "[" + ", ".join(repr(float32_number(v)) for v in array) + "]"
    return "[" + ", ".join(_nested(part) for part in array) + "]"


def _comment(text: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _known_size(network: Network, frame_shape) -> tuple[int, int] | None:
    """The input (n_H, n_W) frames reach the first layer with: the network's own, else the frame's."""
    if network.input_size is not None:
        return network.input_size
    return None if frame_shape is None else (int(frame_shape[0]), int(frame_shape[1]))


def _layer_pads(network: Network, size) -> list:
    """((top, bottom), (left, right)) per conv layer, from the sizes the frame takes through the network."""
    if size is None:
        if any(layer.settings.padding == "same" and layer.settings.stride > 1 for layer in network.layers):
            raise ValueError("'same' padding with a stride above 1 depends on the frame size; "
                             "give frame_shape=(n_H, n_W) or fix the network's input size")
        # every other padding form is the same at any size
        return [layer.settings.pads((64, 64), layer.bank.size) for layer in network.layers]
    shape = (size[0], size[1], network.input_channels)
    pads = []
    for index, layer in enumerate(network.layers):
        pads.append(layer.settings.pads(shape[:2], layer.bank.size))
        try:
            shape = conv_output_shape(shape, layer.bank.size, len(layer.bank), layer.settings)
            if layer.settings.pool is not None:
                shape = pool_output_shape(shape, layer.settings.pool)
        except ValueError as exc:
            raise ValueError(f"layer {index + 1}: {exc}") from None
    return pads


def pytorch_network_snippet(network: Network, frame_shape=None) -> str:
    """PyTorch code for the whole network, ready to paste.

    Parameters
    ----------
    network : Network
    frame_shape : (n_H, n_W[, n_c]), optional
        The frame size, needed only when the network fixes none and a layer has
        "same" padding with a stride above 1 (its padding depends on the size).

    Returns
    -------
    str
        Python source defining ``model``, an ``nn.Sequential`` taking ``x`` of
        shape ``(N, n_c, H, W)`` (the network's input channels); conv weights
        ``(K, n_c, f, f)`` and biases are copied in. ``conv_outputs(x)`` gives
        every conv layer's output as the app's views show it (after activation
        and pooling).

    Raises
    ------
    ValueError
        "same" padding with stride > 1 and no size to resolve it, or a layer
        that leaves no output at that size.
    """
    known = _known_size(network, frame_shape)
    pads = _layer_pads(network, known)
    uses_abs = any(layer.settings.activation == "abs" for layer in network.layers)
    size = network.input_size
    shape_text = f"{size[0]}, {size[1]}" if size else "H, W"
    lines = [
        f"# Kernel Playground network: {network.depth} conv layer{'s' if network.depth != 1 else ''}"
        + (f", {len(network.fc)} fully connected" if network.fc else "") + ".",
        f"# Input x: (N, {network.input_channels}, {shape_text}) float32; an (H, W, n_c) frame becomes x with "
        "torch.from_numpy(frame).permute(2, 0, 1)[None].",
        "import torch",
        "from torch import nn",
        "",
    ]
    if uses_abs:
        lines += ["", "class Abs(nn.Module):", '    """|x|, the app\'s "abs" activation."""', "",
                  "    def forward(self, x):", "        return torch.abs(x)", "", ""]
    modules, conv_at, layer_ends = [], [], []
    for index, (layer, ((top, bottom), (left, right))) in enumerate(zip(network.layers, pads, strict=True)):
        bank, settings = layer.bank, layer.settings
        title = conv_title(index + 1, bank.size, settings)
        symmetric = top == bottom and left == right
        if not symmetric:
            modules.append(f"nn.ZeroPad2d(({left}, {right}, {top}, {bottom})),  # odd padding: extra bottom/right")
        padding = (top, left) if symmetric else (0, 0)
        padding_text = str(padding[0]) if padding[0] == padding[1] else str(padding)
        conv_at.append(len(modules))
        modules.append(f"nn.Conv2d({bank.channels}, {len(bank)}, kernel_size={bank.size}, stride={settings.stride}, "
                       f"padding={padding_text}, dilation={settings.dilation}),  # {title}")
        if settings.activation == "relu":
            modules.append("nn.ReLU(),")
        elif settings.activation == "abs":
            modules.append("Abs(),")
        pool = settings.pool
        if pool is not None:
            name = "MaxPool2d" if pool.mode == "max" else "AvgPool2d"
            modules.append(f"nn.{name}(kernel_size={pool.size}, stride={pool.stride}),  # POOL{index + 1}")
        layer_ends.append(len(modules))
    if network.fc:
        last = network.layers[-1]
        modules.append(f"nn.Flatten(),  # (N, {len(last.bank)}, n_H, n_W) → (N, n_H·n_W·{len(last.bank)})")
        inputs = "in_features"
        if known is not None:  # the size of the last conv layer's output, flattened
            inputs = str(network_table(network, known).rows[-len(network.fc) - 1].size)
        for offset, units in enumerate(network.fc):
            number = network.depth + offset + 1
            if inputs == "in_features":
                modules.append(f"nn.LazyLinear({units}),  # FC{number}: PyTorch's initial weights")
            else:
                modules.append(f"nn.Linear({inputs}, {units}),  # FC{number}: PyTorch's initial weights")
            inputs = str(units)
    lines.append("model = nn.Sequential(")
    lines += [f"    {module}" for module in modules]
    lines += [")", "", "with torch.no_grad():"]
    for index, (layer, at) in enumerate(zip(network.layers, conv_at, strict=True)):
        weights, biases, settings = layer.stage  # all filters; disabled ones are zeros
        if settings.flip:
            weights = weights[::-1, ::-1]  # nn.Conv2d cross-correlates: rotate for true convolution
        torch_weights = to_layout(weights, "pytorch")
        k, n_c, f, _ = torch_weights.shape
        inputs = channel_names(network, index)
        lines.append(f"    model[{at}].weight.copy_(torch.tensor([  # layer {index + 1}: (K, n_c, f, f) = "
                     f"({k}, {n_c}, {f}, {f})")
        for filter_index, item in enumerate(layer.bank.filters):
            state = "" if item.enabled else " (disabled: zeros)"
            lines.append(f"        # {filter_index}: {_comment(item.name)}{state}")
            for c in range(n_c):
                opening = "[" if c == 0 else " "
                closing = "]," if c == n_c - 1 else ","
                lines.append(f"        {opening}{_nested(torch_weights[filter_index, c])}{closing}"
                             f"  # {_comment(inputs[c])}")
        lines.append("    ], dtype=torch.float32))")
        lines.append(f"    model[{at}].bias.copy_(torch.tensor({_nested(biases)}, dtype=torch.float32))")
    lines += ["", "", "def conv_outputs(x):",
              '    """Each conv layer\'s output (after activation and pooling), as the app computes it."""',
              "    outputs = []",
              f"    for start, end in zip({[0, *layer_ends[:-1]]}, {layer_ends}):",
              "        x = model[start:end](x)",
              "        outputs.append(x)",
              "    return outputs"]
    return "\n".join(lines) + "\n"
