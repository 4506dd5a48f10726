"""``python main.py summary [--json] SPEC``: the notes' table of a network, like a model summary.

SPEC is the one-line network grammar of :mod:`playground.kernels.spec`, as one
quoted argument or as separate words::

    python main.py summary 32x32x3 conv:f=5,k=8 maxpool:f=2,s=2 conv:f=5,k=16 maxpool:f=2,s=2 fc:120 fc:10

A saved network file (``.json``, see :mod:`playground.export.network_io`) works
too. ``--json`` prints ``{"rows": [{"layer", "shape", "size", "params"}…],
"total_params"}``, one row per SPEC token in order (the input first).

Exit codes: 0 success, 2 a bad SPEC or file (one line on stderr saying why).
Qt-free: nothing here imports the GUI.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["build_parser", "main"]

PROG = "kernel-playground summary"


class _UsageError(Exception):
    """Bad command-line arguments (one line, exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, as the export and learn commands give, not the usage block
        raise _UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The ``summary`` command's argument parser."""
    from playground.kernels.spec import limits_text

    parser = _Parser(
        prog=PROG,
        description="Print a network's layers with activation shapes, sizes and parameter counts "
        "(computed with the lecture notes' formulas).",
        epilog="SPEC example (the notes' LeNet-style table): "
        "32x32x3 conv:f=5,k=8 maxpool:f=2,s=2 conv:f=5,k=16 maxpool:f=2,s=2 fc:120 fc:10. " + limits_text(),
    )
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    parser.add_argument("spec", nargs="+", metavar="SPEC",
                        help="the network: HxWxC then conv:…, maxpool:…, avgpool:…, fc:N tokens; "
                        "or a saved network .json file")
    return parser


def _network_from(words: list[str]):
    """The network the words name: a network file, or a SPEC (ValueError with one line otherwise)."""
    if len(words) == 1 and words[0].lower().endswith(".json"):
        from playground.export.network_io import load_network

        return load_network(Path(words[0]))
    from playground.kernels.spec import parse_spec

    return parse_spec(" ".join(words))


def _error(message) -> int:
    from playground.export.cli import report_error  # a pasted 5000-character SPEC is not echoed whole

    return report_error(PROG, message, 2)


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit code.

    Parameters
    ----------
    argv : list of str, optional
        Arguments after ``summary``; ``sys.argv[2:]`` when omitted.
    """
    try:
        args = build_parser().parse_args(sys.argv[2:] if argv is None else argv)
    except _UsageError as exc:
        return _error(f"{exc} (see --help)")
    from playground.export.atomic import ExportError
    from playground.kernels.summary import network_table

    try:
        table = network_table(_network_from(args.spec))
    except (ValueError, ExportError) as exc:
        return _error(exc)
    if args.json:
        print(json.dumps(table.as_dict()))
    else:
        sys.stdout.write(table.text())
    return 0
