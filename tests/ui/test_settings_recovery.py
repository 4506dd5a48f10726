"""A damaged settings file never stops the app: bad entries are reset, the file is kept, a note says so.

Each case is a value a person (or a half-written file, or an old version) can leave
in the .ini: the window must still open, show frames, and say what was reset; the
damaged file must survive beside the new one as ``<name>.bad-YYYYmmdd-HHMMSS``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6 import QtCore, QtWidgets
from window_helpers import WAIT_MS

from playground.export.bank_io import bank_to_dict
from playground.kernels import starter_bank
from playground.live.snapshot import Snapshot
from playground.ui import settings_store
from playground.ui.settings_store import restore_settings, save_snapshot

pytestmark = pytest.mark.qt

REPO = Path(__file__).resolve().parents[2]


def settings_at(path):
    return QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat)


def good_entries() -> dict:
    """The JSON entries a healthy run leaves behind, as Python values."""
    snapshot = Snapshot()
    return {"layer": settings_store._layer_to_dict(snapshot.layer),
            "view": settings_store._view_to_dict(snapshot.view),
            "bank": bank_to_dict(snapshot.bank)}


def deeply_nested(depth: int = 100_000) -> str:
    return "[" * depth + "]" * depth


def _with_401_digit_weight() -> str:
    bank = good_entries()["bank"]
    text = json.dumps(bank)
    first = json.dumps(bank["filters"][0]["weights"][0][0][0])
    return text.replace(first, "9" * 401, 1)


# (key, raw text written into the ini, the group the note names)
BAD_ENTRIES = {
    "stride infinity": ("snapshot/layer", json.dumps({**good_entries()["layer"], "stride": float("inf")}), "layer"),
    "stride as a float": ("snapshot/layer", json.dumps({**good_entries()["layer"], "stride": 2.5}), "layer"),
    "nested layer": ("snapshot/layer", deeply_nested(), "layer"),
    "nested padding": ("snapshot/layer", json.dumps({**good_entries()["layer"], "padding": 0}).replace(
        '"padding": 0', '"padding": ' + deeply_nested(50_000)), "layer"),
    "nested bank": ("snapshot/bank", deeply_nested(), "bank"),
    "401-digit weight": ("snapshot/bank", _with_401_digit_weight(), "bank"),
    "401-digit percentile": ("snapshot/view", json.dumps(good_entries()["view"]).replace(
        '"percentile": 99.0', '"percentile": ' + "9" * 401), "view"),
    "view is a list": ("snapshot/view", "[1, 2]", "view"),
}

# geometry values as a person or another tool might leave them in the .ini text
BAD_GEOMETRY = {
    "text": "hello",
    "a number": "5",
    "a number variant": "@Variant(\\0\\0\\0\\x2\\0\\0\\0\\x5)",  # QSettings reads this as the int 5
    "a list": "1, 2, 3",
    "junk bytes": "@ByteArray(not a geometry)",
    "a rectangle": "@Rect(1 2 3 4)",
}


def write_ini(path: Path, entries: dict[str, str]) -> None:
    """Write raw ini lines (not through QSettings: it would quote them)."""
    groups: dict[str, list[str]] = {}
    for key, text in entries.items():
        group, name = key.split("/")
        groups.setdefault(group, []).append(f"{name}={text}")
    path.write_text("".join(f"[{group}]\n" + "\n".join(lines) + "\n\n" for group, lines in groups.items()))


def ini_with(tmp_path, key: str, text: str) -> Path:
    """A settings file of a healthy run with one entry replaced by ``text`` (stored as a JSON string)."""
    path = tmp_path / "settings.ini"
    settings = settings_at(path)
    save_snapshot(settings, Snapshot())
    settings.setValue(key, text)
    settings.sync()
    return path


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".bad-*"))


@pytest.mark.parametrize("case", sorted(BAD_ENTRIES))
def test_a_bad_snapshot_entry_is_reset_and_the_file_kept(tmp_path, case):
    key, text, group = BAD_ENTRIES[case]
    path = ini_with(tmp_path, key, text)
    original = path.read_bytes()
    restored = restore_settings(settings_at(path))
    assert restored.snapshot == Snapshot(), "a damaged group must fall back to its defaults"
    message = restored.reset_message
    assert message is not None and group in message and "reset" in message
    assert len(message) < 400, "the note must stay one readable line"
    kept = backups(path)
    assert len(kept) == 1 and kept[0].read_bytes() == original
    assert str(kept[0]) in message
    # the bad entry is gone, so the next start is clean
    assert settings_at(path).value(key) is None
    again = restore_settings(settings_at(path))
    assert again.reset_message is None and len(backups(path)) == 1


def test_only_the_damaged_group_is_reset(tmp_path):
    from playground.engine.layer import LayerSettings

    path = tmp_path / "settings.ini"
    settings = settings_at(path)
    save_snapshot(settings, Snapshot(layer=LayerSettings(stride=3)))
    settings.setValue("snapshot/bank", deeply_nested())
    settings.sync()
    restored = restore_settings(settings_at(path))
    assert restored.snapshot.layer.stride == 3
    assert restored.snapshot.bank == starter_bank()
    assert "bank" in restored.reset_message and "layer" not in restored.reset_message


@pytest.mark.parametrize("case", sorted(BAD_GEOMETRY))
def test_a_bad_geometry_is_not_passed_to_qt(qapp, tmp_path, case):
    path = tmp_path / "settings.ini"
    write_ini(path, {"window/geometry": BAD_GEOMETRY[case]})
    restored = restore_settings(settings_at(path))
    if restored.geometry is not None:  # right type, wrong content: Qt itself must refuse it
        from PySide6 import QtWidgets

        widget = QtWidgets.QWidget()
        assert not widget.restoreGeometry(restored.geometry)
    else:
        assert "window" in restored.reset_message and backups(path)


def test_a_healthy_file_gives_no_note_and_no_backup(tmp_path):
    path = ini_with(tmp_path, "source/last", "demo")
    restored = restore_settings(settings_at(path))
    assert restored.reset_message is None and restored.source == "demo"
    assert backups(path) == []


def test_a_source_that_is_not_text_is_reset(tmp_path):
    path = tmp_path / "settings.ini"
    write_ini(path, {"source/last": "1, 2, 3"})
    restored = restore_settings(settings_at(path))
    assert restored.source is None and "source" in restored.reset_message


# --- the window --------------------------------------------------------------------------------
@pytest.mark.parametrize("entries", [
    {"window/geometry": "hello"},
    {"window/geometry": "5"},
    {"window/geometry": "@ByteArray(not a geometry)"},
])
def test_the_window_opens_with_a_note_when_the_geometry_is_bad(qtbot, tmp_path, numpy_backend, entries):
    path = tmp_path / "settings.ini"
    write_ini(path, {**entries, "source/last": "demo"})
    _check_window_opens_with_a_note(qtbot, path, "window")


@pytest.mark.parametrize("case", ["stride infinity", "nested layer", "401-digit weight"])
def test_the_window_opens_with_a_note_when_a_snapshot_entry_is_bad(qtbot, tmp_path, numpy_backend, case):
    key, text, group = BAD_ENTRIES[case]
    _check_window_opens_with_a_note(qtbot, ini_with(tmp_path, key, text), group)


def _check_window_opens_with_a_note(qtbot, path: Path, group: str) -> None:
    from playground.ui.app import open_window

    window = open_window(settings_path=str(path))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.last_frame is not None and bool(window.last_frame.views), timeout=WAIT_MS)
    text = window.message_bar.text.text()
    assert window.message_bar.isVisible() and "reset" in text and group in text, text
    assert backups(path)
    assert window.shutdown()


# --- the whole program ---------------------------------------------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_python_main_py_starts_normally_with_every_bad_value_at_once(tmp_path):
    """The crash happened at every start of a plain ``python main.py``; it must now run until closed."""
    path = tmp_path / "settings.ini"
    write_ini(path, {"window/geometry": "hello", "source/last": "demo"})
    settings = settings_at(path)
    for key, text, _group in (BAD_ENTRIES["stride infinity"], BAD_ENTRIES["nested bank"],
                              BAD_ENTRIES["401-digit percentile"]):
        settings.setValue(key, text)
    settings.sync()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KERNEL_PLAYGROUND_SETTINGS=str(path))
    app = subprocess.Popen([sys.executable, "main.py"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not backups(path) and app.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2.0)  # the window is up and the frame loop runs
        assert app.poll() is None, f"the app ended at start-up: {app.communicate()[1][-2000:]}"
        app.send_signal(signal.SIGINT)
        _out, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 130, err
    assert "Traceback" not in err, err
    assert len(backups(path)) == 1


def test_a_geometry_saved_on_other_screens_is_not_called_damaged(qtbot, tmp_path, numpy_backend, monkeypatch):
    """A tester's window saved at 1280×720 and opened at 1920×1080: Qt refuses the geometry
    (restoreGeometry is False), but the file is fine: no warning, no backup, default size."""
    from playground.ui import app
    from playground.ui.main_window import MainWindow
    from playground.ui.settings_store import is_saved_geometry

    widget = QtWidgets.QWidget()
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    saved = widget.saveGeometry()
    assert is_saved_geometry(saved) and not is_saved_geometry(b"not a geometry")
    assert not is_saved_geometry(bytes(saved)[:20])                       # cut short: damage
    assert not is_saved_geometry(bytes(saved)[:4] + b"\x00\x09" + bytes(saved)[6:])   # a format Qt cannot read
    path = tmp_path / "settings.ini"
    settings = settings_at(path)
    settings.setValue("window/geometry", saved)
    settings.setValue("source/last", "demo")
    settings.sync()
    monkeypatch.setattr(MainWindow, "restoreGeometry", lambda self, data: False)   # other screens
    window = app.open_window(settings_path=str(path))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.last_frame is not None, timeout=WAIT_MS)
    assert not window.message_bar.isVisible() or "damaged" not in window.message_bar.text.text()
    assert not backups(path)
    assert window.shutdown()
