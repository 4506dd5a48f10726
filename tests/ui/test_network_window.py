"""The window on a network: built-in networks, the table, selecting a layer, layer edits,
undo, network files and the remembered network.

Checks are on the frames the views were given, compared with ``run_network``;
waits are on conditions (qtbot.waitUntil / frame_where), never on the next signal.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")

from PySide6 import QtCore  # noqa: E402
from window_helpers import frame_where  # noqa: E402

from playground.engine.network import prepare_input, run_network  # noqa: E402
from playground.export.network_io import network_to_dict, save_network  # noqa: E402
from playground.kernels.network_presets import LENET_SPEC, lenet  # noqa: E402

pytestmark = pytest.mark.qt

LENET = "LeNet-style (notes)"


class Chooser:
    """Stands in for a file dialog."""

    def __init__(self, answer):
        self.answer = answer

    def __call__(self, *args):
        return str(self.answer)


def reference(result):
    """Every layer's output for the frame ``result`` was computed from, by run_network."""
    network = result.snapshot.network
    x = prepare_input(result.frame, network.input_size, network.input_channels)
    return run_network(x, network.stages())


def pick_lenet(qtbot, window):
    window.network_ui.actions.builtin_actions[LENET].trigger()
    return frame_where(qtbot, window, lambda r: r.views and r.snapshot.network == lenet())


def click_row(qtbot, panel, row: int) -> None:
    table = panel.table
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())


def test_lenet_table_is_the_notes_computed(qtbot, window):
    pick_lenet(qtbot, window)
    panel = window.network_ui.panel
    rows = [[panel.table.item(r, c).text() for c in range(4)] for r in range(len(panel.rows()))]
    assert rows[1] == ["CONV1 (f=5, s=1)", "28 × 28 × 8", "6,272", "(5·5·3 + 1)·8 = 608"]
    assert rows[3] == ["CONV2 (f=5, s=1)", "10 × 10 × 16", "1,600", "(5·5·8 + 1)·16 = 3,216"]
    assert rows[6][0] == "FC4" and rows[6][3] == "120·10 + 10 = 1,210"   # not the notes' 850
    assert panel.table.item(len(panel.rows()), 0).text() == "Total: 53,154 parameters"
    assert "53,154 parameters" in panel.summary.text()
    assert "CONV2 (all 16)" in panel.note.text() and "32 × 32" in panel.note.text()
    assert window.layer_panel.padding_mode.currentData() == "valid"   # the SPEC's p = 0, said in words


def test_select_layer_2_edit_a_kernel_and_see_its_maps_change(qtbot, window):
    pick_lenet(qtbot, window)
    panel = window.network_ui.panel
    click_row(qtbot, panel, 3)                       # the CONV2 row
    assert window.snapshot.selected == 1
    assert window.editor.bank() == lenet().layers[1].bank
    assert window.editor.channel_names() == tuple(f.name for f in lenet().layers[0].bank.filters)
    before = frame_where(qtbot, window, lambda r: r.views and r.snapshot.selected == 1)
    assert before.views["filters"].values.shape == (10, 10, 16)
    assert "Layer 2 of 2" in window.filters_panel.title.text()
    np.testing.assert_allclose(np.asarray(before.views["filters"].values), reference(before)[1].maps,
                               rtol=1e-4, atol=1e-5)

    window.editor.set_selected(0)
    window.editor.set_weight(2, 2, 5.0)              # a kernel edit on layer 2 only
    edited = window.snapshot.network
    assert edited.layers[0] == lenet().layers[0] and edited.layers[1] != lenet().layers[1]
    after = frame_where(qtbot, window, lambda r: r.views and r.snapshot.network == edited)
    expected = reference(after)[1]
    np.testing.assert_allclose(np.asarray(after.views["filters"].values), expected.maps, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(after.views["pooled"].values), expected.pooled, rtol=1e-4, atol=1e-5)
    assert not np.allclose(np.asarray(after.views["filters"].values)[:, :, 0],
                           np.asarray(before.views["filters"].values)[:, :, 0])
    # the overview shows both layers, layer 2 marked
    assert [entry.index for entry in after.overview] == [0, 1]
    assert window.network_ui.overview.views[1].title.text().startswith("▶ CONV2")
    # each layer's mosaic gets a real share of the column, not a thumbnail squeezed by the input
    column = window.network_ui.overview.parentWidget()
    for view in window.network_ui.overview.views:
        assert view.picture.height() >= column.height() // 6, (view.picture.height(), column.height())


def test_add_and_remove_a_layer_update_the_table_and_undo_restores(qtbot, window):
    pick_lenet(qtbot, window)
    panel = window.network_ui.panel
    panel.add_button.click()                         # after layer 1: an identity layer
    assert window.snapshot.network.depth == 3 and window.snapshot.selected == 1
    names = [panel.table.item(r, 0).text() for r in range(len(panel.rows()))]
    assert names[:4] == ["Input", "CONV1 (f=5, s=1)", "POOL1", "CONV2 (f=3, s=1, p=same)"]
    assert panel.table.item(len(panel.rows()), 0).text() == f"Total: {53_154 + (3 * 3 * 8 + 1) * 8:,} parameters"
    result = frame_where(qtbot, window, lambda r: r.views and r.snapshot.network.depth == 3)
    assert len(result.overview) == 3 and len(result.layer_ms) == 3
    # an identity layer changes nothing after it
    outputs = reference(result)
    np.testing.assert_allclose(outputs[1].maps, outputs[0].pooled, atol=1e-5)

    panel.filters.setValue(4)                        # K of the new layer: the next one follows
    assert len(window.snapshot.network.layers[1].bank) == 4
    assert window.snapshot.network.layers[2].bank.channels == 4
    panel.remove_button.click()
    assert window.snapshot.network.depth == 2 and panel.table.item(3, 0).text() == "CONV2 (f=5, s=1)"
    edits = window.edit_actions
    edits.undo_action.trigger()                      # the removal
    assert window.snapshot.network.depth == 3 and len(window.snapshot.network.layers[1].bank) == 4
    edits.undo_action.trigger()                      # K = 4
    edits.undo_action.trigger()                      # the added layer
    assert window.snapshot.network == lenet()
    assert panel.table.item(3, 0).text() == "CONV2 (f=5, s=1)"
    frame_where(qtbot, window, lambda r: r.views and r.snapshot.network == lenet())
    edits.redo_action.trigger()
    assert window.snapshot.network.depth == 3


def test_the_network_menu_adds_and_removes_layers_like_the_buttons(qtbot, window):
    actions = window.network_ui.actions
    actions.menu.aboutToShow.emit()                  # the menu opens: one layer, nothing to remove
    assert actions.add_layer_action.isEnabled() and not actions.remove_layer_action.isEnabled()
    actions.add_layer_action.trigger()
    assert window.snapshot.network.depth == 2 and window.snapshot.selected == 1
    actions.menu.aboutToShow.emit()
    assert actions.remove_layer_action.isEnabled()
    actions.remove_layer_action.trigger()
    assert window.snapshot.network.depth == 1 and window.snapshot.selected == 0
    window.edit_actions.undo_action.trigger()
    assert window.snapshot.network.depth == 2


def test_layer_settings_of_the_selected_layer_are_undoable(qtbot, window):
    pick_lenet(qtbot, window)
    window.select_layer(1)
    layer_panel = window.layer_panel
    layer_panel.activation.setCurrentIndex(layer_panel.activation.findData("abs"))
    assert window.snapshot.network.layers[1].settings.activation == "abs"
    assert window.snapshot.network.layers[0].settings.activation == "relu"
    window.select_layer(0)
    assert layer_panel.activation.currentData() == "relu"   # the panel shows the selected layer
    window.edit_actions.undo_action.trigger()
    assert window.snapshot.network == lenet() and window.snapshot.selected == 1


@pytest.mark.parametrize("damage, field", [("k", "layers[1].bank"), ("channels", "input.channels")])
def test_a_bad_network_file_names_the_field_and_keeps_the_network(qtbot, window, tmp_path, monkeypatch,
                                                                    damage, field):
    pick_lenet(qtbot, window)
    data = network_to_dict(lenet())
    if damage == "k":
        data["layers"][1]["bank"]["filters"][0]["weights"] = [[[0.0]]]
    else:
        data["input"]["channels"] = 65   # a network input takes 1 to 64
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    before = window.snapshot
    monkeypatch.setattr(window.export_actions, "choose_open_file", Chooser(path))
    window.network_ui.actions.open_action.trigger()
    text = window.message_bar.text.text()
    assert field in text and "unchanged" in text
    assert window.snapshot is before


def test_network_files_round_trip_and_a_bank_file_opens_as_one_layer(qtbot, window, tmp_path, monkeypatch):
    from playground.export import save_bank
    from playground.kernels import starter_bank

    pick_lenet(qtbot, window)
    window.select_layer(1)
    window.editor.set_weight(0, 0, 2.5)
    edited = window.snapshot.network
    path = tmp_path / "mine.json"
    monkeypatch.setattr(window.export_actions, "choose_save_file", Chooser(path))
    window.network_ui.actions.save_action.trigger()
    window.network_ui.actions.builtin_actions["Single layer (starting bank)"].trigger()
    assert window.snapshot.network.depth == 1
    monkeypatch.setattr(window.export_actions, "choose_open_file", Chooser(path))
    window.network_ui.actions.open_action.trigger()
    assert window.snapshot.network == edited
    bank_path = save_bank(starter_bank(), tmp_path / "bank.json")
    monkeypatch.setattr(window.export_actions, "choose_open_file", Chooser(bank_path))
    window.network_ui.actions.open_action.trigger()
    assert window.snapshot.network.depth == 1 and window.snapshot.bank == starter_bank()
    text = window.network_ui.actions.copy_pytorch()
    assert "nn.Sequential" in text


def test_the_settings_remember_the_network(qtbot, tmp_path, numpy_backend):
    from playground.live.snapshot import Snapshot
    from playground.ui.settings_store import restore_settings, save_snapshot

    path = tmp_path / "settings.ini"
    settings = QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat)
    save_snapshot(settings, Snapshot(network=lenet(), selected=1))
    settings.sync()
    restored = restore_settings(QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat))
    assert restored.snapshot.network == lenet() and restored.snapshot.selected == 1
    assert restored.reset_message is None
    # a damaged network entry: that group is reset (the file kept), the layer groups still give one layer
    settings = QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat)
    data = network_to_dict(lenet())
    data["layers"][0]["settings"]["stride"] = 0
    settings.setValue("snapshot/network", json.dumps(data))
    settings.sync()
    restored = restore_settings(QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat))
    assert restored.snapshot.network.depth == 1
    assert "network" in restored.reset_message and "layers[0].settings.stride" in restored.reset_message


def test_a_file_network_for_the_cli(tmp_path):
    from playground.export.network_option import load_network_option

    path = save_network(lenet(), tmp_path / "lenet.json")
    assert load_network_option(str(path)) == lenet()
    assert load_network_option(LENET_SPEC) == lenet()
    with pytest.raises(ValueError, match="--network"):
        load_network_option("32x32x3 conv:f=40,k=2")
