"""Remembered choices (QSettings): last source, layer and display settings, window layout.

Values are stored as JSON text so a damaged or old entry is detected and skipped
(with the defaults used instead), never half applied.
"""

from __future__ import annotations

import json
import os

from PySide6 import QtCore

from playground.engine.layer import LayerSettings, PoolSettings
from playground.live.snapshot import Snapshot, ViewSettings
from playground.render.levels import LevelPolicy

__all__ = ["open_settings", "load_snapshot", "save_snapshot", "SETTINGS_ENV"]

SETTINGS_ENV = "KERNEL_PLAYGROUND_SETTINGS"  # an .ini path: tests and portable installs


def open_settings(path: str | None = None) -> QtCore.QSettings:
    """The app's settings: ``path`` or $KERNEL_PLAYGROUND_SETTINGS as an .ini file, else the user's."""
    path = path or os.environ.get(SETTINGS_ENV)
    if path:
        return QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat)
    return QtCore.QSettings("Kernel Playground", "Kernel Playground")


def _layer_to_dict(layer: LayerSettings) -> dict:
    pool = layer.pool
    return {"padding": layer.padding, "stride": layer.stride, "dilation": layer.dilation, "flip": layer.flip,
            "activation": layer.activation,
            "pool": None if pool is None else {"mode": pool.mode, "size": pool.size, "stride": pool.stride}}


def _layer_from_dict(data: dict) -> LayerSettings:
    padding = data["padding"]
    if isinstance(padding, list):
        padding = tuple(tuple(pair) for pair in padding)
    pool = data.get("pool")
    return LayerSettings(padding=padding, stride=int(data["stride"]), dilation=int(data["dilation"]),
                         flip=bool(data["flip"]), activation=str(data["activation"]),
                         pool=None if pool is None else PoolSettings(pool["mode"], int(pool["size"]),
                                                                     int(pool["stride"])))


def _view_to_dict(view: ViewSettings) -> dict:
    levels = view.levels
    return {"levels": {"mode": levels.mode, "percentile": levels.percentile, "fixed": levels.fixed,
                       "shared": levels.shared},
            "per_channel": view.per_channel, "pooled": view.pooled, "display_scale": view.display_scale}


def _view_from_dict(data: dict) -> ViewSettings:
    levels = data["levels"]
    return ViewSettings(levels=LevelPolicy(levels["mode"], float(levels["percentile"]), float(levels["fixed"]),
                                           bool(levels["shared"])),
                        per_channel=bool(data["per_channel"]), pooled=bool(data["pooled"]),
                        display_scale=float(data["display_scale"]))


def load_snapshot(settings: QtCore.QSettings, default: Snapshot | None = None) -> tuple[Snapshot, list[str]]:
    """The remembered snapshot, and notes about entries that could not be used."""
    from playground.export.atomic import ExportError
    from playground.export.bank_io import bank_from_dict

    snapshot = default or Snapshot()
    notes = []
    for key, field, parse in (("snapshot/layer", "layer", _layer_from_dict),
                              ("snapshot/view", "view", _view_from_dict),
                              ("snapshot/bank", "bank", bank_from_dict)):
        text = settings.value(key)
        if not text:
            continue
        try:
            value = parse(json.loads(str(text)))
        except (ValueError, KeyError, TypeError, ExportError) as exc:
            notes.append(f"remembered {field} settings could not be used ({exc}); using the defaults")
            continue
        snapshot = Snapshot(**{**{"bank": snapshot.bank, "layer": snapshot.layer, "view": snapshot.view},
                               field: value})
    return snapshot, notes


def save_snapshot(settings: QtCore.QSettings, snapshot: Snapshot) -> None:
    from playground.export.bank_io import bank_to_dict

    settings.setValue("snapshot/layer", json.dumps(_layer_to_dict(snapshot.layer)))
    settings.setValue("snapshot/view", json.dumps(_view_to_dict(snapshot.view)))
    settings.setValue("snapshot/bank", json.dumps(bank_to_dict(snapshot.bank)))
