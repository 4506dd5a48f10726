"""Remembered entries are read as strictly as the files they mirror: duplicate keys and huge numbers named."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")
from PySide6 import QtCore

from playground.export.bank_io import bank_to_dict
from playground.export.network_io import network_to_dict
from playground.live.snapshot import Snapshot
from playground.ui.settings_store import restore_settings, save_snapshot

pytestmark = pytest.mark.qt


def restored_with(tmp_path, key: str, text: str):
    path = tmp_path / "settings.ini"
    settings = QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat)
    save_snapshot(settings, Snapshot())
    settings.setValue(key, text)
    settings.sync()
    restored = restore_settings(QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat))
    assert sorted(path.parent.glob("settings.ini.bad-*")), "the damaged file is kept"
    return restored


def test_a_remembered_network_with_a_duplicate_key_is_reset_naming_the_key(tmp_path):
    # json.loads kept the last "layers" silently: a network file with it is refused, its remembered copy was not
    text = json.dumps(network_to_dict(Snapshot().network))
    text = text.replace('"layers": [', '"layers": [], "layers": [', 1)
    restored = restored_with(tmp_path, "snapshot/network", text)
    assert "duplicate key 'layers'" in restored.damaged["snapshot/network"], restored.damaged
    assert restored.snapshot == Snapshot()


def test_a_5000_digit_size_in_the_remembered_bank_names_the_field(tmp_path):
    # was "Exceeds the limit (4300 digits) for integer string conversion…", naming no field
    text = json.dumps(bank_to_dict(Snapshot().bank)).replace('"size": 3', '"size": ' + "9" * 5000, 1)
    restored = restored_with(tmp_path, "snapshot/bank", text)
    why = restored.damaged["snapshot/bank"]
    assert "size" in why and "5000-digit" in why and "4300" not in why, why
    assert restored.reset_message and len(restored.reset_message) < 400
