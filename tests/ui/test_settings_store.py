"""Remembered settings: what is saved comes back equal; a damaged entry is skipped with a note."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6 import QtCore

from playground.engine.layer import LayerSettings, PoolSettings
from playground.kernels import preset_filter, starter_bank
from playground.live.snapshot import Snapshot, ViewSettings
from playground.render.levels import LevelPolicy
from playground.ui.settings_store import load_snapshot, open_settings, save_snapshot


def settings_at(path):
    return QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat)


def test_a_saved_snapshot_comes_back_equal(tmp_path):
    bank = starter_bank().add(preset_filter("Gaussian blur")).remove(1)
    snapshot = Snapshot(
        bank=bank,
        layer=LayerSettings(padding=((0, 1), (2, 2)), stride=2, dilation=2, flip=True, activation="abs",
                            pool=PoolSettings("avg", 3, 2)),
        view=ViewSettings(levels=LevelPolicy("fixed", 97.5, 4.0, True), per_channel=False, display_scale=0.25),
    )
    path = tmp_path / "kp.ini"
    save_snapshot(settings_at(path), snapshot)
    loaded, notes = load_snapshot(settings_at(path))
    assert notes == []
    assert loaded == snapshot


def test_a_damaged_entry_is_skipped_and_the_rest_still_loads(tmp_path):
    path = tmp_path / "kp.ini"
    settings = settings_at(path)
    layer = LayerSettings(stride=3)
    save_snapshot(settings, Snapshot(layer=layer))
    settings.setValue("snapshot/bank", '{"filters": "not a list"}')
    settings.setValue("snapshot/view", "{broken json")
    settings.sync()
    loaded, notes = load_snapshot(settings_at(path))
    assert loaded.layer == layer
    assert loaded.bank == starter_bank()
    assert loaded.view == ViewSettings()
    assert len(notes) == 2
    assert any("bank" in note for note in notes) and any("view" in note for note in notes)


def test_the_settings_file_can_be_chosen_by_environment(tmp_path, monkeypatch):
    path = tmp_path / "portable.ini"
    monkeypatch.setenv("KERNEL_PLAYGROUND_SETTINGS", str(path))
    settings = open_settings()
    settings.setValue("source/last", "sample:city")
    settings.sync()
    assert path.is_file()
    assert settings_at(path).value("source/last") == "sample:city"
