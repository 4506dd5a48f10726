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
    assert not box.grab().isNull()                             # and it paints


def test_the_layer_forms_combos_elide(qtbot):
    panel = LayerPanel()
    qtbot.addWidget(panel)
    assert panel.padding_mode.findText("same (output = input size)") >= 0
    for box in panel.findChildren(QtWidgets.QComboBox):
        assert isinstance(box, ElidingComboBox), box.currentText()
