"""Remembered choices (QSettings): last source, the network, display settings, window layout.

Values are stored as JSON text. Everything read back is validated before use: a
damaged or old entry (hand-edited, half-written, from another version) resets
just its group to the defaults, never half applied and never a crash at start-up.
Before anything is reset the file is copied beside itself as
``<name>.bad-YYYYmmdd-HHMMSS``, so nothing a person made is lost.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6 import QtCore

from playground.engine.layer import LayerSettings, PoolSettings
from playground.export.jsonfmt import strict_loads
from playground.live.snapshot import Snapshot, ViewSettings
from playground.render.levels import LevelPolicy

__all__ = ["open_settings", "load_snapshot", "save_snapshot", "restore_settings", "RestoredSettings",
           "is_saved_geometry", "SETTINGS_ENV"]

SETTINGS_ENV = "KERNEL_PLAYGROUND_SETTINGS"  # an .ini path: tests and portable installs
GEOMETRY_KEY = "window/geometry"
SOURCE_KEY = "source/last"
_MAX_GEOMETRY_BYTES = 4096   # Qt's saveGeometry() is ~66 bytes; more is not a geometry
# The first four bytes of every QWidget.saveGeometry() (Qt 5 and 6)
_GEOMETRY_MAGIC = b"\x01\xd9\xd0\xcb"
_MAX_REASON = 80             # a 401-digit number must not fill the message bar


def open_settings(path: str | None = None) -> QtCore.QSettings:
    """The app's settings: ``path`` or $KERNEL_PLAYGROUND_SETTINGS as an .ini file, else the user's."""
    path = path or os.environ.get(SETTINGS_ENV)
    if path:
        return QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat)
    return QtCore.QSettings("Kernel Playground", "Kernel Playground")


# --- checked fields: a wrong type is refused, not coerced (int(2.5) would quietly give 2) ----------
def _field(data, key: str):
    if not isinstance(data, dict):
        raise ValueError(f"expected an object, got {type(data).__name__}")
    if key not in data:
        raise ValueError(f"{key}: missing")
    return data[key]


def _whole(data, key: str) -> int:
    value = _field(data, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key}: must be a whole number")
    return value


def _real(data, key: str) -> float:
    value = _field(data, key)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{key}: must be a number")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{key}: number too large") from None
    if not math.isfinite(number):
        raise ValueError(f"{key}: must be a finite number")
    return number


def _flag(data, key: str) -> bool:
    value = _field(data, key)
    if not isinstance(value, bool):
        raise ValueError(f"{key}: must be true or false")
    return value


def _text(data, key: str) -> str:
    value = _field(data, key)
    if not isinstance(value, str):
        raise ValueError(f"{key}: must be text")
    return value


def _padding(value):
    """'valid', 'same', a whole number, or [[top, bottom], [left, right]] of whole numbers."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if (isinstance(value, list) and len(value) == 2
            and all(isinstance(pair, list) and len(pair) == 2 for pair in value)
            and all(isinstance(n, int) and not isinstance(n, bool) for pair in value for n in pair)):
        return tuple(tuple(pair) for pair in value)
    raise ValueError("padding: must be 'valid', 'same', a number or [[top, bottom], [left, right]]")


def _layer_to_dict(layer: LayerSettings) -> dict:
    pool = layer.pool
    return {"padding": layer.padding, "stride": layer.stride, "dilation": layer.dilation, "flip": layer.flip,
            "activation": layer.activation,
            "pool": None if pool is None else {"mode": pool.mode, "size": pool.size, "stride": pool.stride}}


def _layer_from_dict(data: dict) -> LayerSettings:
    pool = data.get("pool") if isinstance(data, dict) else None
    return LayerSettings(padding=_padding(_field(data, "padding")), stride=_whole(data, "stride"),
                         dilation=_whole(data, "dilation"), flip=_flag(data, "flip"),
                         activation=_text(data, "activation"),
                         pool=None if pool is None else PoolSettings(_text(pool, "mode"), _whole(pool, "size"),
                                                                     _whole(pool, "stride")))


def _view_to_dict(view: ViewSettings) -> dict:
    levels = view.levels
    return {"levels": {"mode": levels.mode, "percentile": levels.percentile, "fixed": levels.fixed,
                       "shared": levels.shared},
            "per_channel": view.per_channel, "pooled": view.pooled, "display_scale": view.display_scale}


def _view_from_dict(data: dict) -> ViewSettings:
    levels = _field(data, "levels")
    return ViewSettings(levels=LevelPolicy(_text(levels, "mode"), _real(levels, "percentile"),
                                           _real(levels, "fixed"), _flag(levels, "shared")),
                        per_channel=_flag(data, "per_channel"), pooled=_flag(data, "pooled"),
                        display_scale=_real(data, "display_scale"))


def _bank_from_dict(data):
    from playground.export.bank_io import bank_from_dict

    return bank_from_dict(data)


def _network_from_dict(data):
    """The remembered network, validated like a network file (its message names the field)."""
    from playground.export.network_io import network_from_dict

    return network_from_dict(data)


def _selected_from_json(data) -> int:
    if isinstance(data, bool) or not isinstance(data, int) or not 0 <= data < 64:
        raise ValueError("must be a layer number from 0")
    return data


# (key, the group's name in messages, Snapshot field, parser)
_SNAPSHOT_GROUPS = (("snapshot/layer", "layer settings", "layer", _layer_from_dict),
                    ("snapshot/view", "view settings", "view", _view_from_dict),
                    ("snapshot/bank", "filter bank", "bank", _bank_from_dict),
                    # the whole network; bank and layer above stay as its selected layer's, so a
                    # file from before networks (or with a damaged network entry) still gives a layer
                    ("snapshot/network", "network", "network", _network_from_dict),
                    ("snapshot/selected", "selected layer", "selected", _selected_from_json))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, RecursionError):
        text = "nested too deeply"
    return text if len(text) <= _MAX_REASON else text[:_MAX_REASON - 1] + "…"


def _read_snapshot(settings: QtCore.QSettings, default: Snapshot) -> tuple[Snapshot, dict[str, str]]:
    """The remembered snapshot and {key: "group (why)"} for each entry that could not be used."""
    parts = {"bank": default.bank, "layer": default.layer, "view": default.view, "network": None,
             "selected": 0}
    damaged = {}
    for key, group, name, parse in _SNAPSHOT_GROUPS:
        text = settings.value(key)
        if text is None or text == "":
            continue
        try:
            if not isinstance(text, str):
                raise ValueError(f"stored as {type(text).__name__}, not JSON text")
            # as strict as the files these entries mirror: a duplicate key is refused, a
            # 5000-digit number reaches the check that names its field (not Python's own error)
            parts[name] = parse(strict_loads(text))
        # Any failure at all means "this entry is unusable": the file is the person's to
        # edit, and OverflowError, RecursionError or a parser's own bug must cost them one
        # group of settings, not the start of the app.
        except Exception as exc:
            damaged[key] = f"{group} ({_reason(exc)})"
    if parts["network"] is not None:
        return Snapshot(network=parts["network"], selected=parts["selected"], view=parts["view"]), damaged
    del parts["network"], parts["selected"]
    try:
        return Snapshot(**parts), damaged
    except ValueError as exc:   # a remembered bank that does not fit the remembered layer
        damaged["snapshot/bank"] = f"filter bank ({_reason(exc)})"
        return Snapshot(layer=parts["layer"], view=parts["view"]), damaged


def load_snapshot(settings: QtCore.QSettings, default: Snapshot | None = None) -> tuple[Snapshot, list[str]]:
    """The remembered snapshot, and notes about entries that could not be used (nothing is changed)."""
    snapshot, damaged = _read_snapshot(settings, default or Snapshot())
    return snapshot, [f"remembered {what} could not be used; using the defaults" for what in damaged.values()]


@dataclass
class RestoredSettings:
    """What the app remembers, validated.

    Attributes
    ----------
    snapshot : Snapshot
        Damaged groups replaced by the defaults.
    source : str or None
        The last source spec (None: none, or not text).
    geometry : QtCore.QByteArray or None
        For ``restoreGeometry``; right type and size, but Qt still checks the content.
    damaged : dict
        ``{key: "group (why)"}`` of each entry that was reset.
    backup : pathlib.Path or None
        The copy of the file as it was, when anything was reset.
    backup_error : str
        Why no copy could be kept, when one was wanted.
    """

    snapshot: Snapshot
    source: str | None = None
    geometry: QtCore.QByteArray | None = None
    damaged: dict[str, str] = field(default_factory=dict)
    backup: Path | None = None
    backup_error: str = ""

    @property
    def reset_message(self) -> str | None:
        """One line for the window when something was reset, else None."""
        if not self.damaged:
            return None
        kept = (f"the old file is kept as {self.backup}" if self.backup is not None
                else f"no copy of the old file could be kept ({self.backup_error})" if self.backup_error else "")
        return (f"The settings file was damaged; reset to the defaults: {'; '.join(self.damaged.values())}"
                + (f". {kept[:1].upper()}{kept[1:]}" if kept else "") + ".")


def restore_settings(settings: QtCore.QSettings, default: Snapshot | None = None) -> RestoredSettings:
    """Read and validate everything remembered; back up the file and reset what is damaged.

    Each damaged entry resets only its own group. The file is copied (once) before
    any entry is removed, and the removal is written at once, so the next start is
    clean even if this run is killed.

    Parameters
    ----------
    settings : QtCore.QSettings
    default : Snapshot, optional
        What damaged snapshot groups fall back to.

    Returns
    -------
    RestoredSettings
    """
    snapshot, damaged = _read_snapshot(settings, default or Snapshot())
    restored = RestoredSettings(snapshot, damaged=damaged)
    if settings.status() == QtCore.QSettings.Status.FormatError:
        restored.damaged["*"] = "the whole file (not readable as settings)"
    source = settings.value(SOURCE_KEY)
    if isinstance(source, str) and source.strip():
        restored.source = source
    elif source not in (None, ""):
        restored.damaged[SOURCE_KEY] = "last source (not text)"
    geometry = settings.value(GEOMETRY_KEY)
    if isinstance(geometry, (QtCore.QByteArray, bytes)) and 0 < len(geometry) <= _MAX_GEOMETRY_BYTES:
        restored.geometry = QtCore.QByteArray(geometry)
    elif geometry not in (None, ""):
        restored.damaged[GEOMETRY_KEY] = "window size and position (not a saved window geometry)"
    if restored.damaged:
        reset_damaged(settings, restored)
    return restored


def is_saved_geometry(data) -> bool:
    """Whether ``data`` (bytes or QByteArray) is what ``QWidget.saveGeometry()`` writes.

    Qt's ``restoreGeometry()`` also refuses a real geometry when the screens changed (one
    saved at 1280×720 and read at 1920×1080 came back False): that is not damage.
    """
    raw = bytes(data)
    # magic, format version (major ≤ 3, as Qt reads), and at least version 1's 46 bytes:
    # a cut-short or overwritten entry is still damage
    return len(raw) >= 46 and raw[:4] == _GEOMETRY_MAGIC and int.from_bytes(raw[4:6], "big") <= 3


def reset_damaged(settings: QtCore.QSettings, restored: RestoredSettings) -> None:
    """Copy the file beside itself (once per run), then remove the damaged entries from it.

    Also for entries found damaged later (Qt refusing a geometry): add them to
    ``restored.damaged`` and call this again.
    """
    if restored.backup is None and not restored.backup_error:
        restored.backup, restored.backup_error = _back_up(settings.fileName())
    if "*" in restored.damaged:
        settings.clear()
    for key in restored.damaged:
        if key != "*":
            settings.remove(key)
    settings.sync()


def _back_up(name: str) -> tuple[Path | None, str]:
    """Copy the settings file to ``<name>.bad-YYYYmmdd-HHMMSS`` (``-2``, ``-3``… if taken)."""
    path = Path(name)
    if not path.is_file():  # e.g. the Windows registry: there is no file to keep
        return None, ""
    stem = f"{path.name}.bad-{time.strftime('%Y%m%d-%H%M%S')}"
    target, n = path.with_name(stem), 1
    while target.exists():
        n += 1
        target = path.with_name(f"{stem}-{n}")
    try:
        shutil.copy2(path, target)
    except OSError as exc:
        return None, exc.strerror or str(exc)
    return target, ""


def save_snapshot(settings: QtCore.QSettings, snapshot: Snapshot) -> None:
    from playground.export.bank_io import bank_to_dict
    from playground.export.network_io import network_to_dict

    settings.setValue("snapshot/network", json.dumps(network_to_dict(snapshot.network)))
    settings.setValue("snapshot/selected", json.dumps(snapshot.selected))
    settings.setValue("snapshot/layer", json.dumps(_layer_to_dict(snapshot.layer)))
    settings.setValue("snapshot/view", json.dumps(_view_to_dict(snapshot.view)))
    settings.setValue("snapshot/bank", json.dumps(bank_to_dict(snapshot.bank)))
