"""Readable, safe file names for exported maps: ``03_sobel-x.png``, ``03_sobel-x_R.png``."""

from __future__ import annotations

import re
import time
import unicodedata

__all__ = ["slugify", "map_stem", "channel_name", "default_export_name"]

_CHANNELS = ("R", "G", "B")


def slugify(name: str, fallback: str = "map") -> str:
    """``"Sobel x"`` → ``"sobel-x"``: lower-case ASCII letters, digits and single dashes.

    Accents are dropped (``"Dérivée"`` → ``"derivee"``); a name with nothing left
    gives ``fallback``.
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:40].rstrip("-") or fallback


def map_stem(index: int, name: str) -> str:
    """File stem of map ``index`` (0-based position in the exported stack): ``03_sobel-x``.

    The number (from 1) keeps the files in the maps' order and unique when two
    filters share a name.
    """
    return f"{index + 1:02d}_{slugify(name)}"


def channel_name(channel: int) -> str:
    """``R``, ``G``, ``B`` for RGB frames, ``ch3``, ``ch4``… beyond."""
    return _CHANNELS[channel] if channel < len(_CHANNELS) else f"ch{channel}"


def default_export_name(now: float | None = None) -> str:
    """``maps-20250131-142501``: the folder name the app proposes, local time."""
    return time.strftime("maps-%Y%m%d-%H%M%S", time.localtime(now))
