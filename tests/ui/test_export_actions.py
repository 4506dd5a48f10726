"""Screenshots, exporting the maps on screen, bank files, .npy weights and "copy as PyTorch",
driven through the window's actions (dialogs replaced by monkeypatched choosers).

Checks are on files written, the clipboard, the editor's bank and the frames displayed,
never on sleeps: waits are qtbot.waitUntil / waitSignal.
"""

from __future__ import annotations

import json
import re
import threading

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")

import cv2
from PySide6 import QtCore, QtGui
from window_helpers import WAIT_MS, frame_where  # noqa: E402

from playground.engine import conv2d
from playground.export import atomic as export_atomic
from playground.kernels import FilterBank
from playground.ui import capture_actions
from playground.ui.capture_actions import MAPS_KEY, SCREENSHOT_KEY, maps_area

pytestmark = pytest.mark.qt

SHOT_NAME = re.compile(r"kernel-playground-\d{8}-\d{6}(-\d+)?\.png")


class Chooser:
    """Stands in for a file dialog: returns ``answer`` and records each call."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def __call__(self, *args):
        self.calls.append(args)
        return None if self.answer is None else str(self.answer)


def message(win) -> str:
    return win.message_bar.text.text()




def use_bank(win, bank: FilterBank) -> None:
    win.editor.set_bank(bank)
    win._on_bank_changed(bank)


def odd_bank(win) -> FilterBank:
    """The current bank with every weight replaced by distinct, recognisable numbers."""
    bank = win.editor.bank()
    rng = np.random.default_rng(7)
    filters = tuple(item.with_weights(np.round(rng.uniform(-2, 2, item.weights.shape), 3)) for item in bank.filters)
    return FilterBank(filters)


# --- menus ----------------------------------------------------------------------------------
def test_menus_toolbar_shortcuts_and_tooltips(window):
    capture, bank = window.export_actions.capture, window.export_actions.bank
    menus = {action.text().replace("&", ""): action.menu() for action in window.menuBar().actions()}
    file_texts = [action.text() for action in menus["File"].actions()]
    for text in ("Screenshot", "Screenshot of the maps only", "Copy screenshot to clipboard", "Export feature maps…"):
        assert text in file_texts
    bank_texts = [action.text() for action in menus["Bank"].actions()]
    assert bank_texts[:2] == ["Open bank…", "Save bank as…"]
    assert "Import weights (.npy)" in bank_texts and "Export weights (.npy)" in bank_texts
    assert "Copy as PyTorch" in bank_texts
    shortcuts = {capture.screenshot_action: "Ctrl+Shift+S", capture.export_action: "Ctrl+E",
                 bank.open_action: "Ctrl+Shift+O", bank.save_action: "Ctrl+S"}
    for action, keys in shortcuts.items():
        assert action.shortcut() == QtGui.QKeySequence(keys)
    every = [capture.screenshot_action, capture.screenshot_as_action, capture.maps_screenshot_action,
             capture.clipboard_action, capture.export_action, bank.open_action, bank.save_action,
             bank.pytorch_action, *bank.import_actions.values(), *bank.export_actions.values()]
    for action in every:
        assert len(action.toolTip()) > len(action.text()) + 10, action.text()
    toolbar = window.findChild(QtCore.QObject, "main-toolbar")
    assert capture.export_action in toolbar.actions()
    assert window.export_actions.screenshot_button.defaultAction() is capture.screenshot_action


# --- screenshots ------------------------------------------------------------------------------
def test_screenshot_asks_once_then_saves_window_sized_pngs_without_overwriting(window, tmp_path, monkeypatch):
    folder = tmp_path / "shots"
    folder.mkdir()
    chooser = Chooser(folder)
    monkeypatch.setattr(window.export_actions, "choose_folder", chooser)
    capture = window.export_actions.capture
    capture.screenshot_action.trigger()
    capture.screenshot_action.trigger()
    assert len(chooser.calls) == 1, "the folder is asked for the first time only"
    assert window.settings.value(SCREENSHOT_KEY) == str(folder)
    files = sorted(folder.iterdir())
    assert len(files) == 2 and all(SHOT_NAME.fullmatch(path.name) for path in files), files
    ratio = window.devicePixelRatioF()
    for path in files:
        picture = cv2.imread(str(path))
        assert picture is not None
        assert picture.shape[:2] == (round(window.height() * ratio), round(window.width() * ratio))
    assert str(capture.last_saved) in message(window)


def test_screenshot_never_overwrites_a_file_with_the_same_name(tmp_path):
    image = QtGui.QImage(8, 6, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("red"))
    (tmp_path / "shot.png").write_bytes(b"keep me")
    first = capture_actions.save_png_unique(image, tmp_path, "shot")
    second = capture_actions.save_png_unique(image, tmp_path, "shot")
    assert (first.name, second.name) == ("shot-2.png", "shot-3.png")
    assert (tmp_path / "shot.png").read_bytes() == b"keep me"
    assert cv2.imread(str(second)).shape == (6, 8, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot-2.png", "shot-3.png", "shot.png"]  # no temp files


def test_maps_only_screenshot_is_the_map_area(window, tmp_path):
    window.settings.setValue(SCREENSHOT_KEY, str(tmp_path))
    area = maps_area(window)
    assert area.isAncestorOf(window.filters_panel) and area.isAncestorOf(window.channels_panel)
    size = area.size()  # before the "saved" message above the maps takes some of its height
    window.export_actions.capture.maps_screenshot_action.trigger()
    path = window.export_actions.capture.last_saved
    assert path is not None and path.parent == tmp_path
    picture = cv2.imread(str(path))
    ratio = window.devicePixelRatioF()
    assert picture.shape[:2] == (round(size.height() * ratio), round(size.width() * ratio))
    assert picture.shape[0] < window.height() * ratio and picture.shape[1] < window.width() * ratio


@pytest.mark.parametrize("problem, says", [("missing", "does not exist"), ("file", "not a folder"),
                                           ("unwritable", "not writable")])
def test_screenshot_into_a_bad_folder_gives_a_message(window, tmp_path, monkeypatch, problem, says):
    target = tmp_path / "nowhere"
    if problem == "file":
        target.write_text("not a folder")
    elif problem == "unwritable":
        target.mkdir()
        # chmod does not stop root (the test machines): have the access check say no instead
        real_access = export_atomic.os.access

        def access(path, mode, **kwargs):
            return str(path) != str(target) and real_access(path, mode, **kwargs)

        monkeypatch.setattr(export_atomic.os, "access", access)
    window.settings.setValue(SCREENSHOT_KEY, str(target))
    assert window.export_actions.capture.screenshot() is None
    text = message(window)
    assert str(target) in text and says in text
    assert window.message_bar.isVisible()
    assert not target.is_dir() or list(target.iterdir()) == []


def test_screenshot_as_asks_every_time_and_cancel_writes_nothing(window, tmp_path, monkeypatch):
    window.settings.setValue(SCREENSHOT_KEY, str(tmp_path))
    chooser = Chooser(None)
    monkeypatch.setattr(window.export_actions, "choose_folder", chooser)
    assert window.export_actions.capture.screenshot_as() is None
    assert len(chooser.calls) == 1 and chooser.calls[0][1] == str(tmp_path)
    assert not any(path.suffix == ".png" for path in tmp_path.iterdir())


def test_a_folder_that_took_no_screenshot_is_not_remembered(window, tmp_path, monkeypatch):
    good, gone = tmp_path / "shots", tmp_path / "gone"
    good.mkdir()
    window.settings.setValue(SCREENSHOT_KEY, str(good))
    monkeypatch.setattr(window.export_actions, "choose_folder", Chooser(gone))
    assert window.export_actions.capture.screenshot_as() is None
    assert str(gone) in message(window) and "does not exist" in message(window)
    assert window.settings.value(SCREENSHOT_KEY) == str(good)   # still the folder that worked
    # the next choice is remembered once a screenshot lands in it
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setattr(window.export_actions, "choose_folder", Chooser(other))
    path = window.export_actions.capture.screenshot_as()
    assert path is not None and path.parent == other
    assert window.settings.value(SCREENSHOT_KEY) == str(other)


def test_a_remembered_folder_that_fails_is_forgotten_and_the_next_screenshot_asks(window, tmp_path, monkeypatch):
    """Remembered from an earlier run (the tester's /proc): the save fails, the folder is
    forgotten, and the next screenshot asks, starting in the pictures folder."""
    gone = tmp_path / "unplugged"
    window.settings.setValue(SCREENSHOT_KEY, str(gone))
    chooser = Chooser(None)
    monkeypatch.setattr(window.export_actions, "choose_folder", chooser)
    monkeypatch.setattr(capture_actions, "default_pictures_folder", lambda: str(tmp_path))
    capture = window.export_actions.capture
    assert capture.screenshot() is None and chooser.calls == []   # tried the remembered folder
    assert str(gone) in message(window) and "asks for a folder" in message(window)
    assert window.settings.value(SCREENSHOT_KEY) is None
    assert capture.screenshot() is None                          # cancelled: nothing written
    assert chooser.calls[0][1] == str(tmp_path)


def test_the_folder_dialog_does_not_start_in_a_remembered_folder_that_is_gone(window, tmp_path, monkeypatch):
    window.settings.setValue(SCREENSHOT_KEY, str(tmp_path / "unplugged"))
    chooser = Chooser(None)
    monkeypatch.setattr(window.export_actions, "choose_folder", chooser)
    monkeypatch.setattr(capture_actions, "default_pictures_folder", lambda: str(tmp_path))
    assert window.export_actions.capture.screenshot_as() is None
    assert chooser.calls[0][1] == str(tmp_path)


def test_a_first_export_opens_where_the_screenshots_go_and_the_other_way_round(window, tmp_path, monkeypatch):
    # the tester's first export opened in the home folder, not where their screenshots were
    shots, maps = tmp_path / "shots", tmp_path / "maps"
    shots.mkdir()
    maps.mkdir()
    chooser = Chooser(None)
    monkeypatch.setattr(window.export_actions, "choose_folder", chooser)
    monkeypatch.setattr(capture_actions, "default_pictures_folder", lambda: str(tmp_path))
    capture = window.export_actions.capture
    window.settings.remove(MAPS_KEY)
    window.settings.setValue(SCREENSHOT_KEY, str(shots))
    capture.export_action.trigger()
    assert chooser.calls[-1][1] == str(shots)
    window.settings.setValue(MAPS_KEY, str(maps))      # its own folder, once there is one
    capture.export_action.trigger()
    assert chooser.calls[-1][1] == str(maps)
    window.settings.remove(SCREENSHOT_KEY)             # and a first screenshot opens where the maps went
    assert capture.screenshot_as() is None
    assert chooser.calls[-1][1] == str(maps)
    window.settings.setValue(SCREENSHOT_KEY, str(tmp_path / "unplugged"))   # its own folder gone: the maps'
    assert capture.screenshot_as() is None
    assert chooser.calls[-1][1] == str(maps)


def test_copy_screenshot_puts_the_window_on_the_clipboard(window):
    clipboard = QtGui.QGuiApplication.clipboard()
    clipboard.clear()
    window.export_actions.capture.clipboard_action.trigger()
    image = clipboard.image()
    assert not image.isNull()
    ratio = window.devicePixelRatioF()
    assert (image.width(), image.height()) == (round(window.width() * ratio), round(window.height() * ratio))


# --- exporting maps ---------------------------------------------------------------------------
def test_export_writes_the_frame_on_screen_with_progress(window, qtbot, tmp_path, monkeypatch):
    chooser = Chooser(tmp_path)
    monkeypatch.setattr(window.export_actions, "choose_folder", chooser)
    capture = window.export_actions.capture
    frame = window.last_frame
    capture.export_action.trigger()
    qtbot.waitUntil(lambda: capture.last_export is not None, timeout=WAIT_MS)
    folder = capture.last_export
    assert folder is not None and folder.parent == tmp_path
    assert window.settings.value(MAPS_KEY) == str(tmp_path)
    k = len(window.snapshot.bank.active)
    np.testing.assert_array_equal(np.load(folder / "maps.npy"), frame.views["filters"].values)
    meta = json.loads((folder / "meta.json").read_text())
    for key in ("names", "weights", "bias", "stride", "padding", "activation", "images", "arrays", "source"):
        assert key in meta
    assert meta["source"] == "demo"
    assert meta["frame_index"] == frame.index
    assert len(list(folder.glob("[0-9][0-9]_*.png"))) == k
    written = [path for path in folder.rglob("*") if path.is_file()]
    bar = capture.progress_bar
    assert bar.maximum() == len(written) and bar.value() == bar.maximum(), "every file reached the progress bar"
    assert not bar.isVisible() and capture.export_action.isEnabled()
    assert str(folder) in message(window)


def test_export_options_choose_per_channel_maps_and_a_tiff(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(window.export_actions, "choose_folder", Chooser(tmp_path))
    capture = window.export_actions.capture
    assert capture.per_channel_option.isChecked() and not capture.tiff_option.isChecked()
    capture.per_channel_option.setChecked(False)
    capture.tiff_option.setChecked(True)
    capture.export_action.trigger()
    qtbot.waitUntil(lambda: capture.last_export is not None, timeout=WAIT_MS)
    folder = capture.last_export
    assert not (folder / "per_channel.npy").exists()
    assert not (folder / "per_channel").exists()
    ok, pages = cv2.imreadmulti(str(folder / "maps.tiff"), flags=cv2.IMREAD_UNCHANGED)
    assert ok and len(pages) == len(json.loads((folder / "meta.json").read_text())["names"])
    np.testing.assert_array_equal(pages[0], np.load(folder / "maps.npy")[..., 0])
    # the choices are remembered
    assert str(window.settings.value("export/tiff")).lower() == "true"
    assert str(window.settings.value("export/per_channel")).lower() == "false"


def test_export_runs_off_the_gui_thread_and_can_be_cancelled(window, qtbot, tmp_path, monkeypatch):
    gate = threading.Event()
    real = capture_actions.export_frame

    def held_export(*args, **kwargs):
        assert threading.current_thread() is not threading.main_thread()
        gate.wait(WAIT_MS / 1000)
        return real(*args, **kwargs)

    monkeypatch.setattr(capture_actions, "export_frame", held_export)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(window.export_actions, "choose_folder", Chooser(out))
    capture = window.export_actions.capture
    capture.export_action.trigger()
    assert capture.exporting and not capture.export_action.isEnabled()
    # the window keeps showing new frames while the export is busy
    shown = window.displayed
    qtbot.waitUntil(lambda: window.displayed >= shown + 2, timeout=WAIT_MS)
    qtbot.waitUntil(capture.progress_bar.isVisible, timeout=WAIT_MS)
    capture.cancel_button.click()
    gate.set()
    qtbot.waitUntil(lambda: not capture.exporting and capture.export_action.isEnabled(), timeout=WAIT_MS)
    assert "cancelled" in message(window)
    assert list(out.iterdir()) == [], "a cancelled export leaves nothing behind"


def test_export_into_a_missing_folder_gives_a_message(window, tmp_path, monkeypatch):
    missing = tmp_path / "gone"
    monkeypatch.setattr(window.export_actions, "choose_folder", Chooser(missing))
    capture = window.export_actions.capture
    capture.export_action.trigger()
    assert not capture.exporting
    assert str(missing) in message(window) and "does not exist" in message(window)
    assert not missing.exists()


def test_export_with_no_frame_says_so(window, monkeypatch):
    chooser = Chooser("/tmp")
    monkeypatch.setattr(window.export_actions, "choose_folder", chooser)
    monkeypatch.setattr(window, "last_frame", None)
    window.export_actions.capture.export_action.trigger()
    assert "nothing to export" in message(window)
    assert chooser.calls == []


# --- bank files -------------------------------------------------------------------------------
def test_bank_save_then_open_round_trip_is_used_by_the_next_frame(window, qtbot, tmp_path, monkeypatch):
    actions = window.export_actions
    saved = odd_bank(window)
    use_bank(window, saved)
    path = tmp_path / "banks" / "mine.json"
    path.parent.mkdir()
    monkeypatch.setattr(actions, "choose_save_file", Chooser(path))
    actions.bank.save_action.trigger()
    assert path.is_file() and str(path) in message(window)
    assert window.settings.value("export/bank_folder") == str(path.parent)

    other = FilterBank(tuple(item.with_weights(np.zeros_like(item.weights)) for item in saved.filters))
    use_bank(window, other)
    opener = Chooser(path)
    monkeypatch.setattr(actions, "choose_open_file", opener)
    actions.bank.open_action.trigger()
    assert opener.calls[0][1] == str(path.parent), "the dialog starts in the remembered folder"
    assert window.editor.bank() == saved and window.editor.bank() is not saved
    assert window.snapshot.bank == saved
    frame = frame_where(qtbot, window, lambda result: result.views and result.snapshot.bank == saved)
    expected = conv2d(frame.frame, saved.weights(), saved.biases(), padding="same")
    np.testing.assert_allclose(frame.views["filters"].values, np.asarray(expected), atol=1e-4)


def _bank_json(window) -> dict:
    from playground.export import bank_to_dict
    return bank_to_dict(window.editor.bank())


@pytest.mark.parametrize("damage, field", [
    ("nan", "filters[1].weights"),
    ("missing", "size"),
])
def test_a_bad_bank_file_names_the_field_and_keeps_the_bank(window, tmp_path, monkeypatch, damage, field):
    data = _bank_json(window)
    if damage == "nan":
        data["filters"][1]["weights"][0][2][1] = float("nan")
    else:
        del data["size"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))  # Python writes NaN as the bare word NaN
    before = window.editor.bank()
    monkeypatch.setattr(window.export_actions, "choose_open_file", Chooser(path))
    window.export_actions.bank.open_action.trigger()
    text = message(window)
    assert field in text and str(path) in text
    assert ("NaN" in text) if damage == "nan" else ("missing" in text)
    assert window.editor.bank() is before and window.snapshot.bank is before


@pytest.mark.parametrize("layout", ["pytorch", "keras"])
def test_weights_npy_round_trip(window, tmp_path, monkeypatch, layout):
    actions = window.export_actions
    bank = odd_bank(window)
    use_bank(window, bank)
    path = tmp_path / f"w_{layout}.npy"
    monkeypatch.setattr(actions, "choose_save_file", Chooser(path))
    actions.bank.export_actions[layout].trigger()
    array = np.load(path)
    weights = np.stack([item.weights for item in bank.filters], axis=-1)  # (f, f, n_c, K)
    expected = weights.transpose(3, 2, 0, 1) if layout == "pytorch" else weights
    np.testing.assert_array_equal(array, expected)
    assert array.shape == ((len(bank), 3, bank.size, bank.size) if layout == "pytorch"
                           else (bank.size, bank.size, 3, len(bank)))

    use_bank(window, FilterBank(tuple(item.with_weights(np.zeros_like(item.weights)) for item in bank.filters)))
    monkeypatch.setattr(actions, "choose_open_file", Chooser(path))
    actions.bank.import_actions[layout].trigger()
    loaded = window.editor.bank()
    assert loaded.names() == bank.names()
    for new, old in zip(loaded.filters, bank.filters, strict=True):
        np.testing.assert_array_equal(new.weights, old.weights)
    assert window.snapshot.bank is loaded


def test_importing_weights_in_the_wrong_layout_keeps_the_bank(window, tmp_path, monkeypatch):
    path = tmp_path / "keras.npy"
    bank = window.editor.bank()
    np.save(path, np.stack([item.weights for item in bank.filters], axis=-1)[:, :, :, :5])  # (3, 3, 3, 5)
    monkeypatch.setattr(window.export_actions, "choose_open_file", Chooser(path))
    window.export_actions.bank.import_actions["pytorch"].trigger()
    assert "keras" in message(window).lower() and str(path) in message(window)
    assert window.editor.bank() is bank


def test_copy_as_pytorch_puts_a_conv2d_with_the_weights_on_the_clipboard(window):
    bank = odd_bank(window)
    use_bank(window, bank)
    window.export_actions.bank.pytorch_action.trigger()
    text = QtGui.QGuiApplication.clipboard().text()
    assert "nn.Conv2d(" in text
    assert f"out_channels={len(bank.active)}" in text
    # the weights are the bank's, in the (K, n_c, f, f) order
    numbers = re.findall(r"-?\d+\.\d+(?:e-?\d+)?", text.split("conv.weight.copy_")[1].split("conv.bias")[0])
    first = np.array([float(n) for n in numbers[: bank.size * bank.size * 3]]).reshape(3, bank.size, bank.size)
    np.testing.assert_allclose(first, bank[0].weights.transpose(2, 0, 1), rtol=1e-6)
