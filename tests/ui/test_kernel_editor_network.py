"""The kernel editor on a network's layers: many named channels (the strip) and 1×1 layers (the mixing matrix)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6 import QtCore, QtGui, QtWidgets

from playground.kernels import MAX_CHANNELS, MAX_SIZE, Filter, FilterBank
from playground.ui.channel_strip import ZERO_ROLE
from playground.ui.kernel_editor import KernelEditor
from playground.ui.kernel_grid import VALUE_ROLE

pytestmark = pytest.mark.qt

Qt = QtCore.Qt
SIXTEEN = tuple(f"edge {i + 1}" for i in range(16))
EDGES = ("Vertical edge", "Horizontal edge", "Sobel x", "Sobel y", "Scharr x", "Laplacian", "Emboss", "Red edge")


def distinct_bank(k: int, f: int, n_c: int, linked: bool = False) -> FilterBank:
    """K filters whose every weight differs, so a stray write anywhere shows."""
    filters = []
    for i in range(k):
        weights = np.arange(f * f * n_c, dtype=np.float32).reshape(f, f, n_c) / 100 + i
        if linked:
            weights = np.repeat(weights[:, :, :1], n_c, axis=2)
        filters.append(Filter(f"filter {i + 1}", weights, linked=linked))
    return FilterBank(tuple(filters))


class Spy:
    def __init__(self, editor: KernelEditor):
        self.banks, self.messages, self.selections = [], [], []
        editor.bank_changed.connect(self.banks.append)
        editor.message.connect(self.messages.append)
        editor.selection_changed.connect(self.selections.append)

    def said(self, words: str) -> bool:
        return any(words.lower() in message.lower() for message in self.messages)


@pytest.fixture
def make(qtbot):
    def build(bank: FilterBank, **kwargs) -> tuple[KernelEditor, Spy]:
        editor = KernelEditor(bank, **kwargs)
        qtbot.addWidget(editor)
        editor.resize(380, 700)
        editor.show()
        qtbot.waitExposed(editor)
        editor.activateWindow()
        qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is editor)
        return editor, Spy(editor)
    return build


def part(editor: KernelEditor, name: str):
    widget = editor.findChild(QtCore.QObject, name)
    assert widget is not None, name
    return widget


def type_into(qtbot, table: QtWidgets.QTableWidget, row: int, col: int, text: str) -> None:
    """Open a cell's editor as a person does (select, type), and commit with Enter."""
    table.setFocus()
    table.setCurrentCell(row, col)
    table.editItem(table.item(row, col))
    line = QtWidgets.QApplication.focusWidget()
    assert isinstance(line, QtWidgets.QLineEdit)
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.wait(1)


def click_item(qtbot, view: QtWidgets.QAbstractItemView, index: QtCore.QModelIndex) -> None:
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def shown_grid(editor: KernelEditor) -> np.ndarray:
    grid = part(editor, "kernelGrid")
    return np.array([[grid.item(r, c).data(VALUE_ROLE) for c in range(grid.columnCount())]
                     for r in range(grid.rowCount())])


def shown_matrix(editor: KernelEditor) -> np.ndarray:
    table = part(editor, "mixingMatrix")
    return np.array([[table.item(r, c).data(VALUE_ROLE) for c in range(table.columnCount())]
                     for r in range(table.rowCount())])


# --- the channel strip ------------------------------------------------------------------------
def test_the_strip_lists_sixteen_named_channels(make):
    editor, spy = make(distinct_bank(4, 3, 16), channel_names=SIXTEEN, layer_title="CONV2")
    strip = part(editor, "channelStrip")
    assert [strip.item(i).text() for i in range(strip.count())] == list(SIXTEEN)
    assert editor.channel_names() == SIXTEEN
    assert part(editor, "bankTitle").text() == "CONV2 · filter bank"
    assert part(editor, "channelsLabel").text() == "Channel 1/16: edge 1"
    assert "edge 13" in strip.item(12).toolTip() and strip.item(12).icon().availableSizes()
    assert strip.currentRow() == 0 and spy.banks == []
    assert strip.horizontalScrollBar().maximum() > 0  # 16 thumbnails do not fit 380 px: it scrolls


def test_editing_channel_12_changes_only_that_slice(make, qtbot):
    bank = distinct_bank(4, 3, 16)
    editor, spy = make(bank, channel_names=SIXTEEN)
    editor.set_selected(2)
    strip = part(editor, "channelStrip")
    click_item(qtbot, strip, strip.model().index(12, 0))
    assert editor.channel() == 12
    np.testing.assert_array_equal(shown_grid(editor), bank[2].weights[:, :, 12])
    assert "edge 13" in part(editor, "weightSums").text()
    assert part(editor, "channelsLabel").text() == "Channel 13/16: edge 13"
    type_into(qtbot, part(editor, "kernelGrid"), 1, 2, "-7.5")
    assert len(spy.banks) == 1 and spy.banks[0] is editor.bank()
    expected = np.array(bank[2].weights)
    expected[1, 2, 12] = -7.5
    np.testing.assert_array_equal(editor.bank()[2].weights, expected)
    for other in (0, 1, 3):
        assert editor.bank()[other] == bank[other]
    assert shown_grid(editor)[1, 2] == -7.5 and strip.currentRow() == 12


def test_same_kernel_on_every_channel_writes_all(make, qtbot):
    bank = distinct_bank(2, 3, 16)
    editor, spy = make(bank, channel_names=SIXTEEN)
    editor.set_channel(5)
    part(editor, "linkChannels").click()  # the shown channel (edge 6) goes to all 16
    weights = editor.bank()[0].weights
    assert editor.bank()[0].linked
    assert all(np.array_equal(weights[:, :, c], bank[0].weights[:, :, 5]) for c in range(16))
    assert spy.said("edge 6 kernel")
    type_into(qtbot, part(editor, "kernelGrid"), 0, 0, "1/4")
    np.testing.assert_array_equal(editor.bank()[0].weights[0, 0, :], np.full(16, 0.25, np.float32))
    assert len(spy.banks) == 2 and editor.bank()[1] == bank[1]


def test_zero_slices_are_marked_in_the_strip(make):
    weights = np.zeros((3, 3, 16), np.float32)
    weights[:, :, 3] = 1
    editor, _ = make(FilterBank((Filter("one channel", weights, linked=False),)), channel_names=SIXTEEN)
    strip = part(editor, "channelStrip")
    assert [bool(strip.item(i).data(ZERO_ROLE)) for i in range(16)] == [i != 3 for i in range(16)]
    assert "all zero" in strip.item(0).toolTip() and "all zero" not in strip.item(3).toolTip()


def test_keyboard_moves_between_channels(make, qtbot):
    editor, _ = make(distinct_bank(2, 3, 16), channel_names=SIXTEEN)
    strip = part(editor, "channelStrip")
    strip.setFocus()
    qtbot.keyClick(strip, Qt.Key.Key_Right)
    qtbot.keyClick(strip, Qt.Key.Key_Right)
    assert editor.channel() == 2
    qtbot.keyClick(strip, Qt.Key.Key_End)
    assert editor.channel() == 15
    grid = part(editor, "kernelGrid")
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # from anywhere in the editor
    assert editor.channel() == 14 and strip.currentRow() == 14


def test_names_follow_set_bank(make):
    editor, spy = make(distinct_bank(2, 3, 16), channel_names=SIXTEEN, layer_title="CONV2")
    editor.set_bank(distinct_bank(3, 5, 16))  # same n_c, no names given (an undo): the names stay
    assert editor.channel_names() == SIXTEEN and part(editor, "bankTitle").text() == "CONV2 · filter bank"
    editor.set_bank(distinct_bank(2, 3, 3), layer_title="")  # a picture's bank: R, G, B
    assert editor.channel_names() == ("R", "G", "B") and part(editor, "bankTitle").text() == "Filter bank"
    editor.set_bank(distinct_bank(2, 3, 1))
    assert editor.channel_names() == ("gray",)
    assert part(editor, "channelsLabel").text() == "Input channel: gray"
    assert not part(editor, "linkChannels").isVisible()
    editor.set_bank(distinct_bank(2, 3, 5))
    assert editor.channel_names() == ("C1", "C2", "C3", "C4", "C5")
    before = editor.bank()
    with pytest.raises(ValueError, match="5 input channels; got 3 channel names"):
        editor.set_bank(distinct_bank(2, 3, 5), channel_names=("a", "b", "c"))
    assert editor.bank() is before and editor.channel_names()[0] == "C1"
    assert spy.banks == []


def test_a_wide_deep_bank_fits_the_panel(make):
    names = tuple(f"f{i + 1}" for i in range(MAX_CHANNELS))
    editor, _ = make(distinct_bank(40, MAX_SIZE, MAX_CHANNELS), channel_names=names)
    editor.set_channel(63)
    assert part(editor, "channelStrip").count() == 64 and part(editor, "channelStrip").currentRow() == 63
    assert part(editor, "kernelGrid").rowCount() == MAX_SIZE
    assert part(editor, "kernelGrid").width() <= 360  # the 11×11 grid inside a ~380-pixel panel
    # the panel scrolls instead of asking the window for more height than a 1280×720 screen has
    assert editor.minimumSizeHint().height() < 400 and editor.minimumSizeHint().width() <= 380


# --- the 1×1 mixing matrix --------------------------------------------------------------------
def test_a_1x1_bank_shows_its_mixing_matrix(make):
    editor, _ = make(distinct_bank(4, 1, 8), channel_names=EDGES, layer_title="CONV2")
    table = part(editor, "mixingMatrix")
    assert (table.rowCount(), table.columnCount()) == (4, 8)
    assert [table.horizontalHeaderItem(c).text() for c in range(8)] == list(EDGES)
    assert [table.verticalHeaderItem(r).text() for r in range(4)] == [f"filter {i + 1}" for i in range(4)]
    np.testing.assert_array_equal(shown_matrix(editor), np.stack([f.weights[0, 0] for f in editor.bank().filters]))
    assert part(editor, "mixingPanel").isVisible()
    for hidden in ("channelStrip", "kernelGrid", "presets", "weightSums", "tool:Normalize", "linkChannels"):
        assert not part(editor, hidden).isVisible(), hidden
    assert part(editor, "mixingTitle").text() == "1×1 mixing: 4 filters (rows) × 8 channels (columns)"
    assert "Sobel y" in table.item(1, 3).toolTip() and table.horizontalHeaderItem(0).toolTip()
    part(editor, "kernelSize").setValue(3)  # back to a kernel: the strip and grid return
    assert part(editor, "channelStrip").isVisible() and not part(editor, "mixingPanel").isVisible()


def test_editing_a_matrix_cell_changes_one_weight(make, qtbot):
    bank = distinct_bank(4, 1, 8, linked=True)
    editor, spy = make(bank, channel_names=EDGES)
    table = part(editor, "mixingMatrix")
    type_into(qtbot, table, 2, 5, "0.75")
    assert len(spy.banks) == 1 and spy.banks[0] is editor.bank()
    w = np.stack([f.weights for f in editor.bank().filters], axis=-1)  # (1, 1, n_c, K), the notes' layout
    expected = np.stack([f.weights for f in bank.filters], axis=-1)
    expected[0, 0, 5, 2] = 0.75
    np.testing.assert_array_equal(w, expected)
    assert not editor.bank()[2].linked  # its channels differ now
    assert editor.selected() == 2 and spy.selections == [2]
    assert shown_matrix(editor)[2, 5] == 0.75


def test_the_wheel_nudges_a_matrix_cell(make):
    editor, spy = make(distinct_bank(2, 1, 3), channel_names=("R", "G", "B"))
    table = part(editor, "mixingMatrix")
    before = float(editor.bank()[1].weights[0, 0, 2])
    centre = QtCore.QPointF(table.visualItemRect(table.item(1, 2)).center())
    event = QtGui.QWheelEvent(centre, QtCore.QPointF(table.viewport().mapToGlobal(centre.toPoint())),
                              QtCore.QPoint(0, 0), QtCore.QPoint(0, 120), Qt.MouseButton.NoButton,
                              Qt.KeyboardModifier.ShiftModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QtWidgets.QApplication.sendEvent(table.viewport(), event)
    assert editor.bank()[1].weights[0, 0, 2] == pytest.approx(before + 1.0)
    assert len(spy.banks) == 1


def test_a_bad_matrix_entry_is_refused_by_name(make, qtbot):
    editor, spy = make(distinct_bank(2, 1, 3), channel_names=("R", "G", "B"))
    before = editor.bank()
    type_into(qtbot, part(editor, "mixingMatrix"), 1, 0, "abc")
    assert editor.bank() is before and spy.banks == []
    assert spy.said("filter 2 ← R: 'abc' is not a number")


def test_clicking_a_cell_selects_its_filter(make, qtbot):
    editor, spy = make(distinct_bank(4, 1, 3), channel_names=("R", "G", "B"))
    table = part(editor, "mixingMatrix")
    click_item(qtbot, table, table.model().index(3, 1))
    assert editor.selected() == 3 and editor.channel() == 1 and spy.selections == [3]
    assert part(editor, "filterName").text() == "filter 4" and spy.banks == []


PRESETS = [
    ("identity", 0, 1, np.eye(3), ("R", "G", "B")),
    ("average", 0, 1, [[1 / 3, 1 / 3, 1 / 3]], ("average",)),
    ("luminance", 0, 1, [[0.299, 0.587, 0.114]], ("luminance",)),
    ("swap", 0, 2, [[0, 0, 1], [0, 1, 0], [1, 0, 0]], ("B", "G", "R")),
    ("difference", 0, 1, [[1, -1, 0]], ("R − G",)),
]


@pytest.mark.parametrize(("name", "a", "b", "matrix", "names"), PRESETS)
def test_each_mixing_preset_gives_its_matrix(make, name, a, b, matrix, names):
    editor, spy = make(distinct_bank(2, 1, 3), channel_names=("R", "G", "B"))
    part(editor, "mixChannelA").setCurrentIndex(a)
    part(editor, "mixChannelB").setCurrentIndex(b)
    combo = part(editor, "mixPresets")
    index = combo.findText(name)
    assert index > 0 and combo.itemData(index, Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    bank = editor.bank()
    assert len(spy.banks) == 1 and spy.banks[0] is bank
    w = np.stack([f.weights for f in bank.filters], axis=-1)  # (1, 1, 3, K)
    np.testing.assert_allclose(w[0, 0].T, matrix, rtol=1e-6)
    assert tuple(f.name for f in bank.filters) == names and all(f.bias == 0 for f in bank.filters)
    np.testing.assert_allclose(shown_matrix(editor), matrix, rtol=1e-6)
    assert combo.currentIndex() == 0 and spy.said(name)


def test_presets_that_cannot_apply_are_refused(make):
    editor, spy = make(distinct_bank(2, 1, 8), channel_names=EDGES)
    before = editor.bank()
    editor.apply_mixing_preset("luminance")
    editor.apply_mixing_preset("difference", 3, 3)
    assert editor.bank() is before and spy.banks == []
    assert spy.said("luminance mixes 3 channels") and spy.said("two different channels")
    editor.set_bank(distinct_bank(2, 3, 8))
    editor.apply_mixing_preset("identity")
    assert spy.said("mixing presets are for 1×1 kernels") and spy.banks == []


def test_a_1x1_filter_icon_shows_its_channels():
    from playground.ui.bank_list import kernel_icon

    image = kernel_icon(np.array([[[1.0, 0.0, -1.0]]])).pixmap(21, 21).toImage()
    left, middle, right = (image.pixelColor(x, 10) for x in (2, 10, 18))
    assert left.red() > left.blue() and right.blue() > right.red()  # one stripe per channel, by sign
    assert middle.lightness() < left.lightness()


def test_icons_use_the_cells_colours():
    from playground.ui.kernel_grid import cell_colours, tile_colours

    values = np.linspace(-3, 3, 61)
    for scale in (2.0, 0.0):  # 0: an all-zero kernel, every tile the neutral colour
        expected = [cell_colours(v, scale)[0].getRgb()[:3] for v in values]
        np.testing.assert_array_equal(tile_colours(values, scale), expected)


def test_the_matrix_follows_renames_and_a_new_colour_scale(make):
    from playground.ui.kernel_grid import _FILL_ROLE, cell_colours

    editor, _ = make(distinct_bank(3, 1, 3), channel_names=("R", "G", "B"))
    table = part(editor, "mixingMatrix")
    editor.rename_filter(0, "mix A")
    assert table.verticalHeaderItem(0).text() == "mix A" and "'mix A'" in table.item(0, 2).toolTip()
    editor.set_mixing_weight(2, 2, 100.0)  # the largest |w| now: every other tile pales on the new scale
    for row, col in ((0, 0), (1, 1), (2, 2)):
        value = float(editor.bank()[row].weights[0, 0, col])
        assert table.item(row, col).data(_FILL_ROLE) == cell_colours(value, 100.0)[0]


def test_a_filter_switched_off_is_dimmed_in_the_matrix(make):
    editor, _ = make(distinct_bank(3, 1, 3), channel_names=("R", "G", "B"))
    table = part(editor, "mixingMatrix")
    on = table.verticalHeaderItem(0).foreground().color()
    editor.set_filter_enabled(1, False)
    assert "off" in table.verticalHeaderItem(1).toolTip() and "off" not in table.verticalHeaderItem(0).toolTip()
    assert table.verticalHeaderItem(1).foreground().color() != on
