"""What ``--network`` names on any command line: a network or bank file, or a SPEC.

One home for the app, ``export`` and anything else that takes the option, so the
commands read it the same way and none of them imports another command's module.
"""

from __future__ import annotations

from playground.kernels.spec import parse_spec

from .atomic import ExportError
from .network_io import load_network

__all__ = ["load_network_option"]


def load_network_option(text: str):
    """The network ``--network`` names: a ``.json`` file (network or bank) or a SPEC.

    Returns
    -------
    Network

    Raises
    ------
    ValueError
        A bad SPEC or file, with a one-line message naming the token or field.
    """
    if text.strip().lower().endswith(".json"):
        try:
            return load_network(text.strip())
        except ExportError as exc:
            raise ValueError(f"--network {text!r}: {exc}") from None
    try:
        return parse_spec(text)
    except ValueError as exc:
        raise ValueError(f"--network: {exc}") from None
