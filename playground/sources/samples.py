"""The sample pictures bundled with the app (``resources/samples``), found by name."""

from __future__ import annotations

import site
import sys
from pathlib import Path

__all__ = ["resources_dir", "sample_images", "SAMPLE_EXTENSIONS"]

SAMPLE_EXTENSIONS = (".png", ".jpg", ".jpeg")
_DATA_NAME = "kernel-playground"  # share/kernel-playground/ when installed as data files


def _candidates() -> list[Path]:
    package = Path(__file__).resolve().parents[1]
    return [
        package.parent / "resources",  # a checkout or an editable install: <repository>/resources
        package / "resources",  # resources shipped inside the package
        Path(sys.prefix) / "share" / _DATA_NAME,  # a wheel's data files (pip install)
        Path(site.getuserbase()) / "share" / _DATA_NAME,  # the same with pip install --user
    ]


def resources_dir() -> Path | None:
    """The folder holding the app's resources, or None when none is found.

    Returns
    -------
    pathlib.Path or None
        The first that has ``samples/LICENSE.txt`` of: ``<repository>/resources``
        (a checkout), ``playground/resources``, and ``share/kernel-playground``
        under the installation prefix or the user base (pip's data files).
    """
    for candidate in _candidates():
        if (candidate / "samples" / "LICENSE.txt").is_file():  # ours, not any folder named so
            return candidate
    return None


def sample_images() -> dict[str, Path]:
    """The bundled sample pictures.

    Returns
    -------
    dict of str to pathlib.Path
        Name (the file name without extension, e.g. ``"city"``) → absolute path,
        sorted by name. Empty when the resources are not installed.

    Examples
    --------
    >>> sorted(sample_images())  # doctest: +SKIP
    ['city', 'shapes', 'texture']
    """
    base = resources_dir()
    if base is None:
        return {}
    files = sorted(p for p in (base / "samples").iterdir() if p.suffix.lower() in SAMPLE_EXTENSIONS and p.is_file())
    return {path.stem: path for path in files}
