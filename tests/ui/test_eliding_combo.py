"""The layer form's combo boxes end a shortened item with "…" instead of cutting it off."""

from __future__ import annotations

from PySide6 import QtWidgets

from playground.ui.eliding_combo import ElidingComboBox
from playground.ui.layer_panel import LayerPanel


def test_a_narrow_combo_shows_its_item_shortened_with_an_ellipsis(qtbot):
    box = ElidingComboBox()
    qtbot.addWidget(box)
    box.addItem("same (output = input size)")
    box.addItem("valid (no padding)")
    box.resize(400, box.sizeHint().height())
    box.show()
    assert box.shown_text() == "same (output = input size)"
    box.resize(110, box.height())
    shown = box.shown_text()
    assert shown.endswith("…") and shown[:-1] and "same (output = input size)".startswith(shown[:-1])
    assert box.currentText() == "same (output = input size)"   # only the picture is shortened


def test_the_closed_box_paints_the_shortened_text(qtbot, monkeypatch):
    box = ElidingComboBox()
    qtbot.addWidget(box)
    box.addItem("cross-correlation (CNNs)")
    box.resize(110, box.sizeHint().height())
    painted = []
    draw = QtWidgets.QStylePainter.drawControl

    def recording(painter, element, option):
        if element == QtWidgets.QStyle.ControlElement.CE_ComboBoxLabel:
            painted.append(option.currentText)
        draw(painter, element, option)

    monkeypatch.setattr(QtWidgets.QStylePainter, "drawControl", recording)
    box.grab()
    assert painted == [box.shown_text()] and painted[0].endswith("…")


def test_the_layer_forms_combos_elide(qtbot):
    panel = LayerPanel()
    qtbot.addWidget(panel)
    assert panel.padding_mode.findText("same (output = input size)") >= 0
    for box in panel.findChildren(QtWidgets.QComboBox):
        assert isinstance(box, ElidingComboBox), box.currentText()
