"""Exporting maps, bank files and weights (Qt-free).

* :func:`export_frame` — a rendered frame's maps: PNG as displayed, float32 ``.npy``,
  optional multi-page TIFF, contact sheet, ``meta.json``; in a new folder, atomically.
* :func:`save_bank` / :func:`load_bank` — the filter bank as validated JSON
  (schema in ``BANK_SCHEMA.md``).
* :func:`weights_to_npy` / :func:`weights_from_npy` — weights in the PyTorch
  ``(K, n_c, f, f)`` or Keras ``(f, f, n_c, K)`` layout.
* :func:`pytorch_snippet` — "copy as PyTorch": an ``nn.Conv2d`` with the bank's weights.
* :class:`VideoRecorder` / :func:`record_frames` — RGB frames to an MP4 (or
  Motion-JPEG AVI where MP4 is missing), named only when finished.
* :mod:`playground.export.cli` — the headless ``export`` command.

Every failure a person can cause raises :class:`ExportError` (bank files:
:class:`BankFileError`, a subclass) with a one-line message.
"""

from .atomic import ExportError, StagedFolder, check_folder, new_export_folder
from .bank_io import BankFileError, bank_from_dict, bank_to_dict, load_bank, save_bank
from .maps_export import export_frame, write_frame
from .pytorch import pytorch_snippet
from .recording import RecordingResult, VideoRecorder, record_frames
from .weights_io import LAYOUTS, from_layout, to_layout, weights_from_npy, weights_to_npy

__all__ = [
    "ExportError",
    "BankFileError",
    "export_frame",
    "write_frame",
    "new_export_folder",
    "check_folder",
    "StagedFolder",
    "bank_to_dict",
    "bank_from_dict",
    "save_bank",
    "load_bank",
    "weights_to_npy",
    "weights_from_npy",
    "to_layout",
    "from_layout",
    "LAYOUTS",
    "pytorch_snippet",
    "VideoRecorder",
    "RecordingResult",
    "record_frames",
]
