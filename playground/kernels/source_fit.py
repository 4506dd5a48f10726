"""The network's input following the source's channels, losslessly where it can.

When a person turns on the gray mode (or opens a 1-channel matrix), the first
layer's filters must go from f×f×3 to f×f×1: :func:`follow_channels` sums the
slices. Turning gray off again would repeat the summed slice on R, G and B, so
the original colour kernels would be lost. :func:`fit_to_source` remembers the
first layer from before the fit and gives it back when the source returns to
its channel count and the fitted layer was not edited in between. An edited
layer is refitted by the usual rule: the person's edit wins over the memory.

Pure functions on immutable values; the window records each fit in its undo
history, so Ctrl+Z also brings back the layer from before a fit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .network import Network

__all__ = ["SourceFit", "fit_to_source"]


@dataclass(frozen=True)
class SourceFit:
    """The last fit: the first layer before it, and what the fit made of it.

    Parameters
    ----------
    before : ConvLayer
        Layer 1 as it was on the earlier input (``before.bank.channels`` = its n_c).
    after : ConvLayer
        Layer 1 as the fit left it; if layer 1 still equals this when the source
        goes back to ``before``'s channel count, ``before`` is restored exactly.
    """

    before: object
    after: object


def fit_to_source(network: Network, channels: int, last: SourceFit | None = None) -> tuple[Network, SourceFit | None]:
    """``network`` with its input made ``channels`` wide, and the fit to remember.

    Parameters
    ----------
    network : Network
        The network in use.
    channels : int
        The source's channel count (1 gray, 3 RGB, up to 64 for a matrix).
    last : SourceFit or None
        What the previous call returned.

    Returns
    -------
    network : Network
        ``network`` itself when it already takes ``channels``; else the network
        with layer 1 restored from ``last`` (untouched since that fit, same
        channel count as before it) or refitted by :func:`follow_channels`
        (3 → 1 sums the slices, 1 → 3 repeats them); deeper layers unchanged.
    fit : SourceFit or None
        ``last`` when nothing changed; None after a restore (nothing left to give
        back); else the fit just made.
    """
    if channels == network.input_channels:
        return network, last
    first = network.layers[0]
    if last is not None and first == last.after and last.before.bank.channels == channels:
        layers = (last.before,) + network.layers[1:]
        return replace(network, layers=layers, input_channels=int(channels)), None
    fitted = network.with_input(channels=channels)
    return fitted, SourceFit(before=first, after=fitted.layers[0])
