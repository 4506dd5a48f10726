"""The kernel editor, driven as a person would (cells, wheel, list, buttons), asserting on the bank."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6 import QtCore, QtGui, QtWidgets

from playground.kernels import MAX_FILTERS, TOOLS, Filter, FilterBank, starter_bank
from playground.kernels.presets import preset_names
from playground.ui.channel_strip import ZERO_ROLE
from playground.ui.kernel_editor import KernelEditor
from playground.ui.kernel_grid import VALUE_ROLE, cell_colours, format_weight, parse_weight

pytestmark = pytest.mark.qt

Qt = QtCore.Qt
VERTICAL = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]
SOBEL_X = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
RED_EDGE = 7  # index of "Red-channel edge" in the starter bank

# The preset kernels at 3×3, written out again (from the notes and the textbooks).
_G = math.exp(-1 / (2 * 0.8 ** 2))
_G1 = np.array([_G, 1, _G]) / (1 + 2 * _G)
EXPECTED = {
    "Identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "Vertical edge": VERTICAL,
    "Horizontal edge": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "Sobel x": SOBEL_X,
    "Sobel y": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "Scharr x": [[3, 0, -3], [10, 0, -10], [3, 0, -3]],
    "Scharr y": [[3, 10, 3], [0, 0, 0], [-3, -10, -3]],
    "Prewitt x": VERTICAL,
    "Prewitt y": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "Laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "Box blur": np.full((3, 3), 1 / 9),
    "Gaussian blur": np.outer(_G1, _G1),
    "Sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "Emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}


class Spy:
    """Everything the editor emitted."""

    def __init__(self, editor: KernelEditor):
        self.banks: list[FilterBank] = []
        self.messages: list[str] = []
        self.selections: list[int] = []
        editor.bank_changed.connect(self.banks.append)
        editor.message.connect(self.messages.append)
        editor.selection_changed.connect(self.selections.append)

    def said(self, words: str) -> bool:
        return any(words.lower() in message.lower() for message in self.messages)


@pytest.fixture
def editor(qtbot):
    widget = KernelEditor(starter_bank())
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    return widget


@pytest.fixture
def spy(editor):
    return Spy(editor)


def rgb(kernel) -> np.ndarray:
    return np.repeat(np.asarray(kernel, np.float32)[:, :, None], 3, axis=2)


def small_bank(count: int, size: int = 3) -> FilterBank:
    return FilterBank(tuple(Filter(f"k{i}", np.full((size, size, 3), i + 1, np.float32)) for i in range(count)))


def type_into_cell(qtbot, editor: KernelEditor, row: int, col: int, text: str, key=Qt.Key.Key_Return) -> None:
    """Open the cell's editor, replace its text and commit it with Enter (or Tab)."""
    grid = part(editor, "kernelGrid")
    grid.setFocus()
    grid.setCurrentCell(row, col)
    grid.editItem(grid.item(row, col))
    line = QtWidgets.QApplication.focusWidget()
    assert isinstance(line, QtWidgets.QLineEdit)
    line.selectAll()
    if text.isascii() and text:
        qtbot.keyClicks(line, text)
    elif text:
        line.insert(text)  # QTest cannot type non-ASCII keys
    else:
        qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClick(line, key)
    qtbot.wait(1)  # the delegate commits on the next turn of the event loop
    assert grid.state() != QtWidgets.QAbstractItemView.State.EditingState or key == Qt.Key.Key_Tab


def wheel(editor: KernelEditor, row: int, col: int, notches: int = 1, modifiers=Qt.KeyboardModifier.NoModifier):
    grid = part(editor, "kernelGrid")
    centre = QtCore.QPointF(grid.visualItemRect(grid.item(row, col)).center())
    event = QtGui.QWheelEvent(centre, QtCore.QPointF(grid.viewport().mapToGlobal(centre.toPoint())),
                              QtCore.QPoint(0, 0), QtCore.QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                              modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QtWidgets.QApplication.sendEvent(grid.viewport(), event)


def part(editor: KernelEditor, name: str):
    """One of the editor's widgets, by object name."""
    widget = editor.findChild(QtCore.QObject, name)
    assert widget is not None, name
    return widget


def shown(editor: KernelEditor) -> np.ndarray:
    grid = part(editor, "kernelGrid")
    return np.array([[grid.item(r, c).data(VALUE_ROLE) for c in range(grid.columnCount())]
                     for r in range(grid.rowCount())])


def strip_labels(editor: KernelEditor) -> list[str]:
    """The channel strip's names, with " (0)" where the slice is all zeros (drawn dimmed)."""
    strip = part(editor, "channelStrip")
    return [strip.item(i).text() + (" (0)" if strip.item(i).data(ZERO_ROLE) else "") for i in range(strip.count())]


def names(bank: FilterBank) -> list[str]:
    return [item.name for item in bank.filters]


def list_names(editor: KernelEditor) -> list[str]:
    return [part(editor, "bankList").item(i).text() for i in range(part(editor, "bankList").count())]


# --- start-up and the public API ------------------------------------------------------------
def test_starts_on_the_first_filter(editor, spy):
    assert editor.bank() == starter_bank()
    assert editor.selected() == 0
    np.testing.assert_array_equal(shown(editor), VERTICAL)
    assert list_names(editor) == names(starter_bank())
    assert part(editor, "filterCount").text() == f"K = 8 of {MAX_FILTERS}"
    assert part(editor, "kernelSize").value() == 3
    assert part(editor, "kernelGrid").item(0, 2).text() == "-1"
    assert spy.banks == []


def test_set_selected_and_set_bank(editor, spy):
    editor.set_selected(3)
    assert editor.selected() == 3 and spy.selections == [3]
    np.testing.assert_array_equal(shown(editor), EXPECTED["Sobel y"])
    assert part(editor, "bankList").currentRow() == 3
    editor.set_selected(3)
    assert spy.selections == [3]  # no change, no signal
    editor.set_bank(small_bank(2, size=5))
    assert editor.selected() == 1 and spy.selections == [3, 1]
    assert part(editor, "kernelSize").value() == 5 and shown(editor).shape == (5, 5)
    assert list_names(editor) == ["k0", "k1"]
    assert spy.banks == []  # set_bank is not an edit
    editor.set_selected(99)
    assert editor.selected() == 1
    with pytest.raises(TypeError):
        editor.set_bank("not a bank")


def test_clicking_a_row_selects_its_filter(editor, spy, qtbot):
    part(editor, "bankList").setCurrentRow(2)
    assert editor.selected() == 2 and spy.selections == [2]
    np.testing.assert_array_equal(shown(editor), SOBEL_X)
    assert part(editor, "filterName").text() == "Sobel x"


# --- presets --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_preset_gives_its_weights(editor, spy, name):
    editor.set_selected(6)  # Emboss: every preset but Emboss changes it
    combo = part(editor, "presets")
    index = combo.findText(name)
    assert index > 0 and combo.itemData(index, Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    item = editor.bank()[6]
    np.testing.assert_allclose(item.weights, rgb(EXPECTED[name]), rtol=1e-5, atol=1e-6)
    if name != "Emboss":
        assert len(spy.banks) == 1 and spy.banks[0] is editor.bank()
    taken = set(names(starter_bank())) - {"Emboss"}
    assert item.name == (name if name not in taken else f"{name} 2")
    assert item.linked
    assert combo.currentIndex() == 0  # back to "Preset…", so the same one can be picked again
    np.testing.assert_allclose(shown(editor), EXPECTED[name], rtol=1e-5, atol=1e-6)


def test_red_channel_preset_unlinks(editor, spy):
    editor.apply_preset("Red-channel edge")
    item = editor.bank()[0]
    assert item.name == "Red-channel edge 2" and not item.linked
    np.testing.assert_array_equal(item.weights[:, :, 0], VERTICAL)
    assert not item.weights[:, :, 1:].any()
    assert not part(editor, "linkChannels").isChecked()
    assert strip_labels(editor) == ["R", "G (0)", "B (0)"]


def test_the_menu_holds_every_preset(editor):
    combo = part(editor, "presets")
    assert [combo.itemText(i) for i in range(1, combo.count())] == list(preset_names())


def test_a_preset_larger_than_the_bank_grows_it(editor, spy):
    editor.set_kernel_size(1)
    spy.banks.clear()
    spy.messages.clear()
    editor.apply_preset("Sobel x")
    bank = editor.bank()
    assert bank.size == 3 and len(spy.banks) == 1
    np.testing.assert_array_equal(bank[0].weights, rgb(SOBEL_X))
    assert spy.said("kernel size grew to 3×3 for Sobel x")
    assert part(editor, "kernelSize").value() == 3


def test_a_preset_at_a_larger_size_is_centred(editor):
    editor.set_kernel_size(5)
    editor.apply_preset("Laplacian")
    expected = np.zeros((5, 5))
    expected[1:4, 1:4] = EXPECTED["Laplacian"]
    np.testing.assert_array_equal(editor.bank()[0].weights[:, :, 1], expected)
    editor.apply_preset("Box blur")  # any-size presets fill the whole kernel
    np.testing.assert_allclose(editor.bank()[0].weights, np.full((5, 5, 3), 1 / 25), rtol=1e-6)


def test_reapplying_a_preset_keeps_the_name(editor):
    editor.set_selected(2)
    editor.apply_preset("Sobel x")
    assert editor.bank()[2].name == "Sobel x"


# --- cells ----------------------------------------------------------------------------------
def test_typing_a_number_changes_exactly_that_weight(editor, spy, qtbot):
    before = editor.bank()
    type_into_cell(qtbot, editor, 0, 1, "2.5")
    assert len(spy.banks) == 1 and spy.banks[0] is editor.bank()
    expected = rgb(VERTICAL)
    expected[0, 1, :] = 2.5  # linked: every channel
    np.testing.assert_array_equal(editor.bank()[0].weights, expected)
    assert editor.bank().filters[1:] == before.filters[1:]
    assert part(editor, "kernelGrid").item(0, 1).text() == "2.5"


def test_typing_directly_on_a_cell_starts_an_edit(editor, spy, qtbot):
    grid = part(editor, "kernelGrid")
    grid.setFocus()
    grid.setCurrentCell(2, 2)
    qtbot.keyClicks(grid, "7")
    line = QtWidgets.QApplication.focusWidget()
    assert isinstance(line, QtWidgets.QLineEdit) and line.text() == "7"
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.wait(1)
    assert len(spy.banks) == 1
    assert editor.bank()[0].weights[2, 2, 0] == 7


@pytest.mark.parametrize(("text", "value"), [("1/9", 1 / 9), ("-0,5", -0.5), ("1e-3", 0.001), ("−2", -2.0)])
def test_typed_forms(editor, qtbot, text, value):
    type_into_cell(qtbot, editor, 1, 1, text)
    assert editor.bank()[0].weights[1, 1, 0] == pytest.approx(value, rel=1e-6)


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "-inf", "1e7", "-1000001", "", "1/0", "1.2.3"])
def test_invalid_text_is_refused_in_place(editor, spy, qtbot, text):
    type_into_cell(qtbot, editor, 0, 0, text)
    assert spy.banks == []
    assert editor.bank() == starter_bank()
    assert part(editor, "kernelGrid").item(0, 0).text() == "1" and shown(editor)[0, 0] == 1
    assert len(spy.messages) == 1
    assert "row 1, column 1" in spy.messages[0].lower() and "keeps 1" in spy.messages[0]


def test_committing_an_unchanged_cell_is_not_an_edit(editor, spy, qtbot):
    editor.apply_preset("Box blur")  # 1/9: shown as 0.111, but kept exactly
    spy.banks.clear()
    grid = part(editor, "kernelGrid")
    grid.setFocus()
    grid.setCurrentCell(1, 1)
    grid.editItem(grid.item(1, 1))
    qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.wait(1)
    assert spy.banks == []
    assert editor.bank()[0].weights[1, 1, 0] == np.float32(1 / 9)


def test_tab_commits_and_moves_to_the_next_cell(editor, spy, qtbot):
    type_into_cell(qtbot, editor, 0, 0, "4", key=Qt.Key.Key_Tab)
    assert len(spy.banks) == 1 and editor.bank()[0].weights[0, 0, 0] == 4
    assert (part(editor, "kernelGrid").currentRow(), part(editor, "kernelGrid").currentColumn()) == (0, 1)


def test_unlinked_edits_touch_only_the_shown_channel(editor, spy, qtbot):
    editor.set_selected(RED_EDGE)
    assert not editor.bank()[RED_EDGE].linked
    part(editor, "channelStrip").setCurrentRow(1)  # G
    assert editor.channel() == 1
    np.testing.assert_array_equal(shown(editor), np.zeros((3, 3)))
    type_into_cell(qtbot, editor, 1, 1, "3")
    weights = editor.bank()[RED_EDGE].weights
    expected = np.zeros((3, 3, 3))
    expected[:, :, 0] = VERTICAL
    expected[1, 1, 1] = 3
    np.testing.assert_array_equal(weights, expected)
    assert len(spy.banks) == 1
    assert strip_labels(editor) == ["R", "G", "B (0)"]


def test_wheel_nudges_a_cell(editor, spy):
    wheel(editor, 1, 1)
    assert editor.bank()[0].weights[1, 1, 0] == pytest.approx(0.1)
    wheel(editor, 1, 1, modifiers=Qt.KeyboardModifier.ShiftModifier)
    assert editor.bank()[0].weights[1, 1, 0] == pytest.approx(1.1)
    wheel(editor, 1, 1, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert editor.bank()[0].weights[1, 1, 0] == pytest.approx(1.11)
    wheel(editor, 1, 1, notches=-1)
    assert editor.bank()[0].weights[1, 1, :] == pytest.approx([1.01] * 3)  # linked: all channels
    assert len(spy.banks) == 4
    assert editor.bank()[0].weights[0, 0, 0] == 1  # nothing else moved
    assert (part(editor, "kernelGrid").currentRow(), part(editor, "kernelGrid").currentColumn()) == (1, 1)


def test_wheel_adds_up_small_trackpad_steps(editor, spy):
    grid = part(editor, "kernelGrid")
    centre = QtCore.QPointF(grid.visualItemRect(grid.item(0, 1)).center())
    for _ in range(4):
        event = QtGui.QWheelEvent(centre, centre, QtCore.QPoint(0, 0), QtCore.QPoint(0, 30), Qt.MouseButton.NoButton,
                                  Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QtWidgets.QApplication.sendEvent(grid.viewport(), event)
    assert len(spy.banks) == 1
    assert editor.bank()[0].weights[0, 1, 0] == pytest.approx(0.1)


def test_arrow_keys_move_and_delete_sets_zero(editor, spy, qtbot):
    grid = part(editor, "kernelGrid")
    grid.setFocus()
    grid.setCurrentCell(0, 0)
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert (grid.currentRow(), grid.currentColumn()) == (1, 2)
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    expected = rgb(VERTICAL)
    expected[1, 2] = 0
    np.testing.assert_array_equal(editor.bank()[0].weights, expected)
    assert len(spy.banks) == 1


def test_cells_are_coloured_by_value():
    positive, _ = cell_colours(2.0, 2.0)
    negative, _ = cell_colours(-2.0, 2.0)
    zero, zero_text = cell_colours(0.0, 2.0)
    faint, _ = cell_colours(0.2, 2.0)
    assert positive.red() > positive.blue() + 50
    assert negative.blue() > negative.red() + 50
    assert max(zero.red(), zero.green(), zero.blue()) < 60  # near black: the dark theme's neutral
    assert zero.lightness() < faint.lightness() < positive.lightness()
    for value in (-2.0, -1.0, 0.5, 2.0):  # text stays readable on its tile
        tile, text = cell_colours(value, 2.0)
        assert abs(tile.lightness() - text.lightness()) > 90


@pytest.mark.parametrize(("value", "text"), [(0.0, "0"), (1.0, "1"), (-1.0, "-1"), (1 / 9, "0.111"), (0.25, "0.25"),
                                             (-0.5, "-0.5"), (0.0001, "≈0"), (12.345, "12.35"), (2e5, "2e5")])
def test_format_weight(value, text):
    assert format_weight(value) == text


def test_parse_weight():
    assert parse_weight(" 1/4 ") == 0.25
    for bad in ("", "x", "nan", "inf", "2e6", "3/0"):
        with pytest.raises(ValueError):
            parse_weight(bad)


# --- link and channels ----------------------------------------------------------------------
def test_unlinking_keeps_the_weights(editor, spy):
    part(editor, "linkChannels").click()
    item = editor.bank()[0]
    assert not item.linked and len(spy.banks) == 1
    np.testing.assert_array_equal(item.weights, rgb(VERTICAL))
    assert spy.messages == []


def test_linking_copies_the_shown_channel(editor, spy):
    editor.set_selected(RED_EDGE)
    part(editor, "channelStrip").setCurrentRow(0)
    part(editor, "linkChannels").click()
    item = editor.bank()[RED_EDGE]
    assert item.linked and len(spy.banks) == 1
    np.testing.assert_array_equal(item.weights, rgb(VERTICAL))
    assert spy.said("R kernel") and spy.said("every channel")
    assert strip_labels(editor) == ["R", "G", "B"]


def test_linking_equal_channels_says_nothing(editor, spy):
    editor.set_linked(False)
    editor.set_linked(True)
    assert len(spy.banks) == 2 and spy.messages == []
    np.testing.assert_array_equal(editor.bank()[0].weights, rgb(VERTICAL))


# --- bias and size --------------------------------------------------------------------------
def test_bias_edit(editor, spy):
    part(editor, "bias").setValue(0.5)
    assert editor.bank()[0].bias == 0.5 and len(spy.banks) == 1
    np.testing.assert_array_equal(editor.bank()[0].weights, rgb(VERTICAL))
    editor.set_selected(1)
    assert part(editor, "bias").value() == 0
    editor.set_selected(0)
    assert part(editor, "bias").value() == 0.5 and len(spy.banks) == 1
    assert part(editor, "bias").maximum() == 1e6 and part(editor, "bias").minimum() == -1e6


def test_size_change_pads_and_crops_around_the_centre(editor, spy):
    part(editor, "kernelSize").setValue(5)
    bank = editor.bank()
    assert bank.size == 5 and len(spy.banks) == 1
    expected = np.zeros((5, 5))
    expected[1:4, 1:4] = VERTICAL
    np.testing.assert_array_equal(bank[0].weights[:, :, 0], expected)
    assert shown(editor).shape == (5, 5) and part(editor, "kernelGrid").rowCount() == 5
    part(editor, "kernelSize").setValue(3)
    assert editor.bank() == starter_bank()
    part(editor, "kernelSize").setValue(2)
    np.testing.assert_array_equal(editor.bank()[0].weights[:, :, 0], [[0, -1], [0, -1]])  # centre (1,1) → (0,0)
    assert spy.said("cropped")
    part(editor, "kernelSize").setValue(11)
    assert editor.bank().size == 11 and part(editor, "kernelGrid").rowCount() == 11
    assert len(spy.banks) == 4


# --- tools ----------------------------------------------------------------------------------
# Asymmetric, sum 18 per channel: every tool changes it.
ASYMMETRIC = np.arange(9, dtype=np.float32).reshape(3, 3) - 2


def asymmetric_bank(linked: bool) -> FilterBank:
    return FilterBank((Filter("odd", rgb(ASYMMETRIC), linked=linked), starter_bank()[1]))


@pytest.mark.parametrize(("label", "function", "tip"), TOOLS)
def test_each_tool_on_a_linked_filter(editor, spy, label, function, tip):
    editor.set_bank(asymmetric_bank(linked=True))
    before = editor.bank()[0].weights
    button = part(editor, f"tool:{label}")
    assert button.toolTip().startswith(tip)
    button.click()
    after = editor.bank()[0].weights
    assert len(spy.banks) == 1
    if label == "Randomize":
        assert not np.array_equal(after, before)
        assert all(np.array_equal(after[:, :, c], after[:, :, 0]) for c in range(3))
    else:
        np.testing.assert_allclose(after, function(before), rtol=1e-6, atol=1e-7)
    assert editor.bank()[1] == starter_bank()[1]


@pytest.mark.parametrize(("label", "function", "tip"), TOOLS)
def test_each_tool_on_one_channel_when_unlinked(editor, spy, label, function, tip):
    editor.set_bank(asymmetric_bank(linked=False))
    editor.set_channel(1)
    before = editor.bank()[0].weights
    part(editor, f"tool:{label}").click()
    after = editor.bank()[0].weights
    assert len(spy.banks) == 1
    np.testing.assert_array_equal(after[:, :, [0, 2]], before[:, :, [0, 2]])
    if label == "Randomize":
        assert not np.array_equal(after[:, :, 1], before[:, :, 1])
    else:
        np.testing.assert_allclose(after[:, :, 1], function(before[:, :, 1]), rtol=1e-6, atol=1e-7)
    assert "G channel only" in part(editor, f"tool:{label}").toolTip()


def test_normalize_of_a_zero_sum_kernel_says_why(editor, spy):
    part(editor, "tool:Normalize").click()
    assert spy.banks == []
    assert spy.said("the weights sum to 0, so they cannot be scaled to sum 1")
    assert editor.bank() == starter_bank()


@pytest.mark.parametrize("preset", ["Emboss", "Gaussian blur", "Sharpen"])
def test_normalize_after_zero_mean_is_refused_not_blown_up(editor, spy, preset):
    editor.apply_preset(preset)
    editor.apply_tool("Zero-mean")
    zero_mean = editor.bank()
    editor.apply_tool("Normalize")  # the sum is float32 rounding (~1e-8), not a scale to divide by
    assert editor.bank() is zero_mean
    assert spy.said("the weights sum to 0")


def test_normalize_a_blur_on_every_channel(editor):
    editor.apply_preset("Box blur")
    editor.apply_tool("Normalize")
    assert editor.bank()[0].weights.sum() == pytest.approx(1.0, rel=1e-6)


# --- the list: add, duplicate, remove, rename, enable, reorder ------------------------------
def test_add_appends_a_uniquely_named_identity(editor, spy):
    part(editor, "addFilter").click()
    part(editor, "addFilter").click()
    bank = editor.bank()
    assert len(bank) == 10 and names(bank)[-2:] == ["Identity", "Identity 2"]
    np.testing.assert_array_equal(bank[-1].weights, rgb(EXPECTED["Identity"]))
    assert editor.selected() == 9 and spy.selections == [8, 9]
    assert len(spy.banks) == 2
    assert part(editor, "filterCount").text() == f"K = 10 of {MAX_FILTERS}"
    assert list_names(editor) == names(bank)


def test_the_bank_holds_at_most_max_filters(editor, spy):
    editor.set_bank(small_bank(MAX_FILTERS - 1))
    editor.add_filter()
    assert len(editor.bank()) == MAX_FILTERS and len(spy.banks) == 1
    assert not part(editor, "addFilter").isEnabled() and not part(editor, "duplicateFilter").isEnabled()
    assert "full" in part(editor, "addFilter").toolTip()
    editor.add_filter()
    editor.duplicate_filter()
    assert len(editor.bank()) == MAX_FILTERS and len(spy.banks) == 1
    assert spy.said(f"the bank is full: at most {MAX_FILTERS} filters")


def test_duplicate_copies_after_the_selection(editor, spy):
    editor.set_selected(2)
    part(editor, "duplicateFilter").click()
    bank = editor.bank()
    assert names(bank)[2:4] == ["Sobel x", "Sobel x copy"]
    assert bank[3].weights.tolist() == bank[2].weights.tolist()
    assert editor.selected() == 3 and len(bank) == 9 and len(spy.banks) == 1


def test_remove_the_selected_filter(editor, spy, qtbot):
    editor.set_selected(1)
    part(editor, "removeFilter").click()
    assert names(editor.bank())[:2] == ["Vertical edge", "Sobel x"] and len(editor.bank()) == 7
    assert editor.selected() == 1
    part(editor, "bankList").setFocus()
    qtbot.keyClick(part(editor, "bankList"), Qt.Key.Key_Delete)
    assert names(editor.bank())[:2] == ["Vertical edge", "Sobel y"]
    editor.set_selected(5)
    editor.remove_filter()  # the last row: the selection moves up
    assert editor.selected() == 4 and len(editor.bank()) == 5
    assert len(spy.banks) == 3


def test_the_last_filter_cannot_be_removed(editor, spy):
    editor.set_bank(small_bank(1))
    assert not part(editor, "removeFilter").isEnabled()
    editor.remove_filter()
    assert len(editor.bank()) == 1 and spy.banks == []
    assert spy.said("last one cannot be removed")


def test_rename_in_place(editor, spy, qtbot):
    lst = part(editor, "bankList")
    lst.setFocus()
    lst.setCurrentRow(1)
    qtbot.keyClick(lst, Qt.Key.Key_F2)
    line = QtWidgets.QApplication.focusWidget()
    assert isinstance(line, QtWidgets.QLineEdit)
    line.selectAll()
    qtbot.keyClicks(line, "Rows")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.wait(1)
    assert editor.bank()[1].name == "Rows" and len(spy.banks) == 1
    assert part(editor, "filterName").text() == "Rows"


@pytest.mark.parametrize(("name", "words"), [("", "name"), ("   ", "name"), ("x" * 41, "longer than 40"),
                                             ("Sobel x", "already called")])
def test_bad_names_are_refused(editor, spy, name, words):
    part(editor, "bankList").item(0).setText(name)
    assert editor.bank() == starter_bank() and spy.banks == []
    assert part(editor, "bankList").item(0).text() == "Vertical edge"
    assert spy.said(words)


def test_enable_and_disable(editor, spy):
    part(editor, "bankList").item(1).setCheckState(Qt.CheckState.Unchecked)
    assert not editor.bank()[1].enabled and editor.bank().active == (0, 2, 3, 4, 5, 6, 7)
    assert len(spy.banks) == 1 and spy.messages == []
    assert "7 on" in part(editor, "filterCount").text()
    editor.set_filter_enabled(1, True)
    assert editor.bank().active == tuple(range(8))


def test_disabling_every_filter_is_allowed_but_said(editor, spy):
    editor.set_bank(small_bank(2))
    editor.set_filter_enabled(0, False)
    assert spy.messages == []
    part(editor, "bankList").item(1).setCheckState(Qt.CheckState.Unchecked)
    assert editor.bank().active == () and len(spy.banks) == 2
    assert spy.said("no filter is enabled: enable one to see maps")


def test_reorder_with_buttons_and_keys(editor, spy, qtbot):
    part(editor, "moveFilterDown").click()
    assert names(editor.bank())[:2] == ["Horizontal edge", "Vertical edge"] and editor.selected() == 1
    part(editor, "moveFilterUp").click()
    assert editor.bank() == starter_bank() and editor.selected() == 0
    assert not part(editor, "moveFilterUp").isEnabled()
    editor.move_filter(-1)  # already first
    assert len(spy.banks) == 2
    part(editor, "bankList").setFocus()
    qtbot.keyClick(part(editor, "bankList"), Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert names(editor.bank())[:2] == ["Horizontal edge", "Vertical edge"]
    qtbot.keyClick(part(editor, "bankList"), Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert editor.bank() == starter_bank()
    editor.set_selected(7)
    assert not part(editor, "moveFilterDown").isEnabled()
    editor.move_filter(1)
    assert len(spy.banks) == 4
    assert list_names(editor) == names(editor.bank())


def test_reorder_by_dragging(editor, spy):
    # what an internal drop does to the list's model: row 0 goes before row 3
    assert part(editor, "bankList").model().moveRow(QtCore.QModelIndex(), 0, QtCore.QModelIndex(), 3)
    assert names(editor.bank())[:3] == ["Horizontal edge", "Sobel x", "Vertical edge"]
    assert editor.selected() == 2 and len(spy.banks) == 1
    assert list_names(editor) == names(editor.bank())


def test_shortcuts(editor, spy, qtbot):
    part(editor, "bankList").setFocus()
    qtbot.keyClick(part(editor, "bankList"), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert names(editor.bank())[-1] == "Identity"
    qtbot.keyClick(part(editor, "bankList"), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert names(editor.bank())[-1] == "Identity copy"
    qtbot.keyClick(part(editor, "bankList"), Qt.Key.Key_Insert)
    assert names(editor.bank())[-1] == "Identity 2" and len(spy.banks) == 3


def test_everything_has_a_tooltip(editor):
    names = ["addFilter", "duplicateFilter", "removeFilter", "moveFilterUp", "moveFilterDown", "linkChannels",
             "kernelSize", "bias", "presets", "channelStrip", "filterCount", "weightSums"]
    names += [f"tool:{label}" for label, _, _ in TOOLS]
    for name in names:
        assert part(editor, name).toolTip(), name
    assert part(editor, "bankList").item(0).toolTip()
    assert part(editor, "kernelGrid").item(1, 1).toolTip().startswith("Row 2, column 2 (centre")
