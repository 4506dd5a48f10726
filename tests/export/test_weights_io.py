"""Weights as .npy in the PyTorch (K, n_c, f, f) and Keras (f, f, n_c, K) layouts."""

from __future__ import annotations

import numpy as np
import pytest

from playground.export import BankFileError, ExportError, from_layout, to_layout, weights_from_npy, weights_to_npy
from playground.kernels import Filter, FilterBank, starter_bank
from playground.kernels.model import MAX_FILTERS


def random_bank(seed=0, f=5, n_c=3, k=6) -> FilterBank:
    rng = np.random.default_rng(seed)
    return FilterBank(tuple(
        Filter(f"R{i}", rng.standard_normal((f, f, n_c)).astype(np.float32), bias=float(i) / 3, enabled=i != 2,
               linked=False)
        for i in range(k)
    ))


@pytest.mark.parametrize("layout", ["pytorch", "keras"])
@pytest.mark.parametrize("bank", [starter_bank(), random_bank(), random_bank(1, f=4, n_c=1, k=2)])
def test_npy_round_trip_gives_identical_weights(tmp_path, layout, bank):
    path = weights_to_npy(bank, tmp_path / f"w_{layout}.npy", layout)
    loaded = weights_from_npy(path, layout, template=bank)
    assert loaded == bank  # same K: names, biases and flags come from the template
    for a, b in zip(loaded.filters, bank.filters, strict=True):
        assert np.array_equal(a.weights, b.weights)


def test_layouts_put_the_axes_where_the_frameworks_want_them(tmp_path):
    bank = random_bank(f=3, n_c=3, k=5)
    w = np.stack([item.weights for item in bank.filters], axis=-1)  # (f, f, n_c, K)
    torch_w = np.load(weights_to_npy(bank, tmp_path / "t.npy", "pytorch"))
    keras_w = np.load(weights_to_npy(bank, tmp_path / "k.npy", "keras"))
    assert torch_w.shape == (5, 3, 3, 3) and keras_w.shape == (3, 3, 3, 5)
    assert torch_w.dtype == np.float32 and keras_w.dtype == np.float32
    k, c, i, j = 4, 1, 0, 2
    assert torch_w[k, c, i, j] == w[i, j, c, k] == keras_w[i, j, c, k]
    assert np.array_equal(to_layout(w, "pytorch"), torch_w)
    assert np.array_equal(from_layout(torch_w, "pytorch"), w)
    assert np.array_equal(from_layout(keras_w, "keras"), w)


def test_enabled_only(tmp_path):
    bank = random_bank()
    saved = np.load(weights_to_npy(bank, tmp_path / "w.npy", "keras", enabled_only=True))
    assert np.array_equal(saved, bank.weights())


def test_without_matching_template_filters_get_plain_names(tmp_path):
    bank = random_bank(k=3)
    path = weights_to_npy(bank, tmp_path / "w.npy", "pytorch")
    loaded = weights_from_npy(path, "pytorch", template=starter_bank())  # 8 filters: no match
    assert loaded.names() == ("Filter 1", "Filter 2", "Filter 3")
    assert all(item.bias == 0.0 for item in loaded.filters)
    assert np.array_equal(loaded.weights(), np.stack([f.weights for f in bank.filters], axis=-1))


def test_foreign_dtypes_are_accepted(tmp_path):
    array = np.arange(2 * 3 * 3 * 3, dtype=np.int64).reshape(2, 3, 3, 3)  # PyTorch layout
    np.save(tmp_path / "w.npy", array)
    loaded = weights_from_npy(tmp_path / "w.npy", "pytorch")
    assert np.array_equal(loaded[1].weights, array[1].transpose(1, 2, 0))


def save(tmp_path, array, name="w.npy"):
    path = tmp_path / name
    np.save(path, array, allow_pickle=True)
    return path


@pytest.mark.parametrize(
    ("array", "layout", "message"),
    [
        (np.zeros((3, 3, 3)), "pytorch", r"expected 4 axes \(K, n_c, f, f\) \(pytorch\), got shape \(3, 3, 3\)"),
        (np.zeros((3, 3, 3, 8)), "pytorch", "kernels must be square.*looks like the keras layout"),
        (np.zeros((8, 3, 3, 3)), "keras", "kernels must be square.*looks like the pytorch layout"),
        (np.zeros((2, 3, 13, 13)), "pytorch", "kernel size f must be 1 to 11, got 13"),
        (np.zeros((MAX_FILTERS + 1, 3, 3, 3)), "pytorch",
         f"a bank holds 1 to {MAX_FILTERS} filters, got K = {MAX_FILTERS + 1}"),
        (np.full((2, 3, 3, 3), np.nan), "pytorch", r"element \[0, 0, 0, 0\]: NaN is not allowed"),
        (np.array([["a"]]), "pytorch", "weights must be numbers"),
        (np.full((1, 3, 3, 3), 1e300), "pytorch", "within ±1e6"),
    ],
)
def test_bad_weight_arrays(tmp_path, array, layout, message):
    with pytest.raises(BankFileError, match=message):
        weights_from_npy(save(tmp_path, array), layout)


def test_infinity_is_located(tmp_path):
    array = np.zeros((2, 3, 3, 3), np.float32)
    array[1, 2, 0, 1] = np.inf
    with pytest.raises(BankFileError, match=r"element \[1, 2, 0, 1\]: infinity is not allowed"):
        weights_from_npy(save(tmp_path, array), "pytorch")


def test_channel_count_checked_when_asked(tmp_path):
    path = save(tmp_path, np.zeros((2, 1, 3, 3), np.float32))
    assert weights_from_npy(path, "pytorch").channels == 1
    with pytest.raises(BankFileError, match="the frames have 3 channels.*n_c = 1"):
        weights_from_npy(path, "pytorch", channels=3)


def test_not_npy_files(tmp_path):
    text = tmp_path / "w.npy"
    text.write_text("not an array")
    with pytest.raises(BankFileError, match="not a .npy file"):
        weights_from_npy(text)
    objects = save(tmp_path, np.array([{"a": 1}], dtype=object), "o.npy")
    with pytest.raises(BankFileError, match="Python objects"):
        weights_from_npy(objects)
    with pytest.raises(BankFileError, match="no such file"):
        weights_from_npy(tmp_path / "none.npy")


def test_unknown_layout_and_unwritable_target(tmp_path):
    with pytest.raises(ValueError, match="layout must be"):
        weights_to_npy(starter_bank(), tmp_path / "w.npy", "tensorflow")
    with pytest.raises(ExportError, match="does not exist"):
        weights_to_npy(starter_bank(), tmp_path / "missing" / "w.npy")
