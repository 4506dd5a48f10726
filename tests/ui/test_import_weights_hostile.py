"""Bank ▸ Import weights given hostile .npy files: a message, the bank in use unchanged, the app running."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")

pytestmark = pytest.mark.qt


def npy_with_raw_header(path, header: str):
    header += " " * (118 - len(header)) + "\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + b"\0" * 64)
    return path


@pytest.mark.parametrize(("header", "says"), [
    # a shape of 10^15 numbers: refused from the header, before numpy allocates anything
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 3, 32), }", "kernels must be square"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 3, 11, 11), }", "got K = 100000"),
    # numpy's header tokenizer raises tokenize.TokenError here: it escaped the slot as a traceback
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 3, 3)))))}", "a damaged .npy file"),
], ids=["huge square", "huge K", "unparsable header"])
def test_importing_a_hostile_npy_gives_a_message_and_keeps_the_bank(window, tmp_path, monkeypatch, header, says):
    path = npy_with_raw_header(tmp_path / "hostile.npy", header)
    actions = window.export_actions
    monkeypatch.setattr(actions, "choose_open_file", lambda *args: str(path))
    bank = window.editor.bank()
    actions.bank.import_actions["pytorch"].trigger()
    text = window.message_bar.text.text()
    assert says in text and "unchanged" in text, text
    assert window.editor.bank() is bank and window.snapshot.bank is bank
