"""Bank JSON files: exact round trips and a clear message for every kind of bad file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from playground.export import BankFileError, ExportError, bank_from_dict, bank_to_dict, load_bank, save_bank
from playground.kernels import Filter, FilterBank, starter_bank
from playground.kernels.model import MAX_FILTERS

SCHEMA = Path(__file__).resolve().parents[2] / "playground" / "export" / "BANK_SCHEMA.md"


def random_bank(seed: int = 0, f: int = 5, n_c: int = 3, k: int = 4) -> FilterBank:
    rng = np.random.default_rng(seed)
    filters = []
    for i in range(k):
        weights = (rng.standard_normal((f, f, n_c)) * 10 ** rng.uniform(-6, 3)).astype(np.float32)
        filters.append(Filter(f"Random {i} é", weights, bias=float(rng.standard_normal()),
                              enabled=i != 1, linked=False))
    return FilterBank(tuple(filters))


@pytest.mark.parametrize("bank", [starter_bank(), random_bank(), random_bank(3, f=1, n_c=3, k=32)])
def test_json_round_trip_gives_identical_bank(tmp_path, bank):
    path = save_bank(bank, tmp_path / "bank.json")
    loaded = load_bank(path)
    assert loaded == bank  # names, biases, flags and every float32 weight bit for bit
    for a, b in zip(loaded.filters, bank.filters, strict=True):
        assert a.weights.dtype == np.float32 and np.array_equal(a.weights, b.weights)
        assert a.bias == b.bias


def test_saved_file_follows_the_schema(tmp_path):
    data = json.loads(save_bank(starter_bank(), tmp_path / "b.json").read_text(encoding="utf-8"))
    assert data["format"] == "kernel-playground-bank" and data["version"] == 1
    assert (data["size"], data["channels"], len(data["filters"])) == (3, 3, 8)
    first = data["filters"][0]
    assert set(first) == {"name", "weights", "bias", "enabled", "linked"}
    assert np.array(first["weights"]).shape == (3, 3, 3)
    assert first["weights"][0][0] == [1.0, 1.0, 1.0] and first["weights"][0][2] == [-1.0, -1.0, -1.0]


def test_short_decimals_in_the_file(tmp_path):
    bank = FilterBank((Filter("blur", np.full((3, 3, 3), 0.1, np.float32)),))
    text = save_bank(bank, tmp_path / "b.json").read_text()
    assert "0.1," in text and "0.100000001" not in text
    assert load_bank(tmp_path / "b.json") == bank


def test_schema_document_example_loads():
    text = SCHEMA.read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", text, re.S).group(1)
    bank = bank_from_dict(json.loads(example), channels=3)
    assert bank.names() == ("Sobel x",)
    assert np.array_equal(bank[0].weights[:, :, 0], [[1, 0, -1], [2, 0, -2], [1, 0, -1]])


def test_optional_keys_take_defaults():
    weights = np.zeros((3, 3, 3)).tolist()
    bank = bank_from_dict({"version": 1, "size": 3, "channels": 3, "filters": [{"name": "z", "weights": weights}]})
    assert (bank[0].bias, bank[0].enabled, bank[0].linked) == (0.0, True, True)


# --- bad files ------------------------------------------------------------------------
def good() -> dict:
    return bank_to_dict(starter_bank())


def edit(change) -> dict:
    data = good()
    change(data)
    return data


BAD = {
    "wrong shape": (
        lambda d: d["filters"][2].update(weights=[row[:2] for row in d["filters"][2]["weights"]]),
        "filters[2].weights: expected shape 3×3×3, got 3×2×3"),
    "wrong channel count": (
        lambda d: d["filters"][0].update(weights=[[cell[:1] for cell in row] for row in d["filters"][0]["weights"]]),
        "filters[0].weights: expected shape 3×3×3, got 3×3×1"),
    "ragged": (
        lambda d: d["filters"][1]["weights"][2].pop(),
        "filters[1].weights[2]: ragged weights"),
    "NaN": (
        lambda d: d["filters"][1]["weights"][0][1].__setitem__(2, float("nan")),
        "filters[1].weights[0][1][2]: NaN is not allowed"),
    "infinity": (
        lambda d: d["filters"][3]["weights"][2][2].__setitem__(0, float("-inf")),
        "filters[3].weights[2][2][0]: infinity is not allowed"),
    "string weight": (
        lambda d: d["filters"][0]["weights"][1][1].__setitem__(1, "0.5"),
        "filters[0].weights[1][1][1]: must be a number, got '0.5'"),
    "boolean weight": (
        lambda d: d["filters"][0]["weights"][0][0].__setitem__(0, True),
        "filters[0].weights[0][0][0]: must be a number, got true"),
    "null weight": (
        lambda d: d["filters"][0]["weights"][0][0].__setitem__(0, None),
        "filters[0].weights[0][0][0]: must be a number, got null"),
    "huge weight": (
        lambda d: d["filters"][0]["weights"][0][0].__setitem__(0, 1e9),
        "filters[0].weights[0][0][0]: must lie within ±1e6"),
    "string bias": (lambda d: d["filters"][0].update(bias="abc"), "filters[0].bias: must be a number, got 'abc'"),
    "NaN bias": (lambda d: d["filters"][4].update(bias=float("nan")), "filters[4].bias: NaN is not allowed"),
    "weights not a list": (lambda d: d["filters"][0].update(weights="3x3"), "filters[0].weights: must be nested lists"),
    "missing weights": (lambda d: d["filters"][5].pop("weights"), "filters[5].weights: missing"),
    "missing name": (lambda d: d["filters"][0].pop("name"), "filters[0].name: missing"),
    "empty name": (lambda d: d["filters"][0].update(name="  "), "filters[0].name: must be a non-empty text"),
    "name not text": (lambda d: d["filters"][0].update(name=7), "filters[0].name: must be a non-empty text, got 7"),
    "enabled not bool": (lambda d: d["filters"][0].update(enabled="yes"), "filters[0].enabled: must be true or false"),
    "unknown filter key": (lambda d: d["filters"][0].update(biass=1), "filters[0]: unknown key 'biass'"),
    "missing filters": (lambda d: d.pop("filters"), "filters: missing"),
    "empty filters": (lambda d: d.update(filters=[]), f"filters: a bank holds 1 to {MAX_FILTERS} filters, got 0"),
    "too many filters": (lambda d: d.update(filters=d["filters"] * (MAX_FILTERS // 8 + 1)),
                         f"filters: a bank holds 1 to {MAX_FILTERS} filters, got {MAX_FILTERS + 8}"),
    "filter not an object": (lambda d: d["filters"].__setitem__(1, [1, 2]), "filters[1]: must be an object"),
    "missing size": (lambda d: d.pop("size"), "size: missing"),
    "size text": (lambda d: d.update(size="3"), "size: must be a whole number, got '3'"),
    "size too big": (lambda d: d.update(size=13), "size: must be 1 to 11, got 13"),
    "missing channels": (lambda d: d.pop("channels"), "channels: missing"),
    "missing version": (lambda d: d.pop("version"), "version: missing"),
    "future version": (lambda d: d.update(version=2), "version: this app reads version 1 bank files, got version 2"),
    "wrong format": (lambda d: d.update(format="something-else"), "format: expected 'kernel-playground-bank'"),
    "unknown top key": (lambda d: d.update(extra=1), "unknown key 'extra'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_bank_data_names_field_and_problem(case):
    change, message = BAD[case]
    with pytest.raises(BankFileError) as info:
        bank_from_dict(edit(change))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("case", ["wrong shape", "NaN", "string bias", "missing weights"])
def test_bad_bank_file_names_the_file_and_the_field(tmp_path, case):
    change, message = BAD[case]
    path = tmp_path / "bad.json"
    # json.dumps writes NaN as the non-standard token NaN, as hand-edited files do
    path.write_text(json.dumps(edit(change)), encoding="utf-8")
    with pytest.raises(BankFileError) as info:
        load_bank(path)
    assert str(info.value).startswith(f"bank file '{path}': {message}")


def test_channel_count_must_match_when_asked(tmp_path):
    bank = FilterBank((Filter("grey", np.ones((3, 3, 1), np.float32)),))
    path = save_bank(bank, tmp_path / "grey.json")
    assert load_bank(path) == bank
    with pytest.raises(BankFileError, match="channels: the frames have 3 channels"):
        load_bank(path, channels=3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"version": 1, "size": 3,,}', r"not valid JSON: .* \(line 1, column \d+\)"),
        ("", "not valid JSON"),
        ("[1, 2, 3]", "must hold a JSON object"),
        (b"\xff\xfe\x00garbage", "not a text"),
    ],
)
def test_unreadable_bank_files(tmp_path, content, message):
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(BankFileError, match=message):
        load_bank(path)


def test_missing_bank_file_and_folder(tmp_path):
    with pytest.raises(BankFileError, match="no such file"):
        load_bank(tmp_path / "none.json")
    with pytest.raises(BankFileError, match="it is a folder"):
        load_bank(tmp_path)


def test_failed_load_leaves_the_saved_file_and_bank_alone(tmp_path):
    bank = starter_bank()
    path = save_bank(bank, tmp_path / "bank.json")
    before = path.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(edit(BAD["NaN"][0])))
    with pytest.raises(BankFileError):
        load_bank(bad)
    assert path.read_bytes() == before and load_bank(path) == bank


def test_save_to_missing_folder(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        save_bank(starter_bank(), tmp_path / "nope" / "bank.json")


def test_save_to_unwritable_folder(unwritable_dir):
    with pytest.raises(ExportError, match="permission denied"):
        save_bank(starter_bank(), unwritable_dir / "bank.json")
