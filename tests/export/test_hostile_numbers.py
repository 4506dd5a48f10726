"""Bank and weights files with numbers too big for Python or NumPy, and duplicate keys: one clear line each."""

from __future__ import annotations

import json

import numpy as np
import pytest

from playground.export import BankFileError, bank_from_dict, bank_to_dict, load_bank, weights_from_npy
from playground.export.cli import main
from playground.kernels import starter_bank

HUGE = "9" * 401  # float() of it overflows
HUGER = "7" * 5000  # over Python's 4300-digit limit for int(text)


def bank_text(**replace: str) -> str:
    """The starter bank as JSON, with raw text put in for placeholders (numbers json.dumps cannot write)."""
    data = bank_to_dict(starter_bank())
    data["filters"][0]["weights"][0][0][0] = "@W@"
    data["filters"][1]["bias"] = "@B@"
    data["size"] = "@S@"
    text = json.dumps(data)
    for key, raw in {"W": "1.0", "B": "0.0", "S": "3", **replace}.items():
        text = text.replace(f'"@{key}@"', raw)
    return text


def load_text(tmp_path, text: str):
    path = tmp_path / "bank.json"
    path.write_text(text, encoding="utf-8")
    return load_bank(path, channels=3)


def test_placeholder_bank_loads(tmp_path):
    assert load_text(tmp_path, bank_text()) == starter_bank()


@pytest.mark.parametrize(("replace", "message"), [
    ({"W": HUGE}, "filters[0].weights[0][0][0]: must lie within ±1e6, got a 401-digit number"),
    ({"W": "-" + HUGE}, "filters[0].weights[0][0][0]: must lie within ±1e6, got a 401-digit number"),
    ({"B": HUGE}, "filters[1].bias: must lie within ±1e6, got a 401-digit number"),
    ({"W": HUGE + ".5"}, "filters[0].weights[0][0][0]: must lie within ±1e6, got a 403-character number"),
    ({"S": HUGER}, "size: must be 1 to 11, got a 5000-digit number"),
    ({"B": HUGER}, "filters[1].bias: must lie within ±1e6, got a 5000-digit number"),
])
def test_huge_numbers_in_a_bank_file_name_the_field(tmp_path, replace, message):
    with pytest.raises(BankFileError) as info:
        load_text(tmp_path, bank_text(**replace))
    assert message in str(info.value)
    assert len(str(info.value)) < 200  # the number itself is not echoed


def test_huge_python_integers_in_bank_data_name_the_field():
    """Bank data from elsewhere than a file (the settings) can hold any Python int."""
    data = bank_to_dict(starter_bank())
    data["filters"][2]["weights"][1][1][1] = int(HUGE)
    with pytest.raises(BankFileError, match=r"filters\[2\]\.weights\[1\]\[1\]\[1\]: must lie within ±1e6, "
                                            r"got a 401-digit number"):
        bank_from_dict(data)
    data = bank_to_dict(starter_bank())
    data["size"] = int(HUGER[:4000])
    with pytest.raises(BankFileError, match="size: must be 1 to 11, got a 4000-digit number"):
        bank_from_dict(data)


@pytest.mark.parametrize(("text", "key"), [
    ('{"version": 1, "version": 1, "size": 3, "channels": 3, "filters": []}', "version"),
    (bank_text().replace('"bias": 0.0', '"bias": 0.0, "bias": 5.0', 1), "bias"),
], ids=["top level", "in a filter"])
def test_duplicate_keys_are_refused_naming_the_key(tmp_path, text, key):
    with pytest.raises(BankFileError, match=f"duplicate key '{key}'"):
        load_text(tmp_path, text)


def test_huge_number_in_a_bank_file_is_exit_2_naming_the_field(tmp_path, capsys):
    path = tmp_path / "bank.json"
    path.write_text(bank_text(W=HUGE), encoding="utf-8")
    code = main(["--source", "demo", "--out", str(tmp_path / "o"), "--bank", str(path), "--backend", "numpy"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "filters[0].weights[0][0][0]: must lie within ±1e6" in err and "OverflowError" not in err


def npy_with_header(path, shape, descr="<f4", payload=b"\0" * 64):
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape!r}, }}"
    header += " " * (118 - len(header)) + "\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + payload)
    return path


@pytest.mark.parametrize(("shape", "message"), [
    ((100000, 3, 11, 11), r"a bank holds 1 to \d+ filters, got K = 100000"),
    ((100000, 100000, 3, 32), "kernels must be square"),
    ((32, 3, 100000, 100000), "kernel size f must be 1 to 11, got 100000"),
    ((8, 3, 3), "expected 4 axes"),
])
def test_npy_header_claiming_a_huge_shape_is_refused_before_reading(tmp_path, shape, message):
    with pytest.raises(BankFileError, match=message):
        weights_from_npy(npy_with_header(tmp_path / "huge.npy", shape), "pytorch")


def test_npy_shorter_than_its_header_says(tmp_path):
    with pytest.raises(BankFileError, match="a damaged .npy file"):
        weights_from_npy(npy_with_header(tmp_path / "short.npy", (8, 3, 3, 3)), "pytorch")


def test_npy_with_a_sane_header_still_loads(tmp_path):
    weights = np.arange(8 * 3 * 3 * 3, dtype=np.float32).reshape(8, 3, 3, 3) / 100
    np.save(tmp_path / "w.npy", weights)
    bank = weights_from_npy(tmp_path / "w.npy", "pytorch")
    assert np.array_equal(bank.weights(), weights.transpose(2, 3, 1, 0))
