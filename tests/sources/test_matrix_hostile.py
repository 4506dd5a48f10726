"""Matrix files past the limits are refused at the line that passes them, before the rest is read."""

from __future__ import annotations

import re

import numpy as np
import pytest

from playground.sources.matrix import (
    MAX_MATRIX_CHANNELS,
    MAX_MATRIX_SIDE,
    MatrixError,
    matrix_from_text,
    read_matrix_file,
)


def test_a_line_of_a_million_numbers_is_refused_by_its_line_number(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_text(" ".join(["1"] * 1_000_000) + "\n" + "1 2\n")
    with pytest.raises(MatrixError, match=rf"line 1 has 1000000 numbers; at most {MAX_MATRIX_SIDE} columns") as caught:
        read_matrix_file(path)
    assert caught.value.line == 1


def test_too_many_rows_stop_at_the_first_row_past_the_limit():
    text = "1 2 3\n" * (MAX_MATRIX_SIDE + 5) + "not even read\n"
    with pytest.raises(MatrixError, match=rf"line {MAX_MATRIX_SIDE + 1}: more than {MAX_MATRIX_SIDE} rows") as caught:
        matrix_from_text(text)
    assert caught.value.line == MAX_MATRIX_SIDE + 1


def test_too_many_channels_stop_at_the_line_that_starts_one_more():
    text = "\n\n".join(["1 2"] * (MAX_MATRIX_CHANNELS + 1)) + "\n\nnot even read"
    with pytest.raises(MatrixError, match=rf"starts channel {MAX_MATRIX_CHANNELS + 1}") as caught:
        matrix_from_text(text)
    assert caught.value.line == 2 * MAX_MATRIX_CHANNELS + 1


@pytest.mark.parametrize("token", ["1" * 5000, "1_" * 2500], ids=["5000 digits", "underscores"])
def test_a_5000_character_number_is_not_echoed_whole(token):
    with pytest.raises(MatrixError) as caught:
        matrix_from_text(f"1 2\n{token} 3\n")
    assert "line 2" in str(caught.value) and len(str(caught.value)) < 200, str(caught.value)[:300]


def test_the_fast_row_path_gives_the_same_values_and_refusals():
    text = "10 −2.5 0\n1e6 -1e6 3,\n"  # a Unicode minus and a trailing comma, as spreadsheets write
    expected = np.array([[10, -2.5, 0], [1e6, -1e6, 3]], np.float32)[..., None]
    np.testing.assert_array_equal(matrix_from_text(text), expected)
    for bad, says in (("1 nan", "not a finite number"), ("1 1000001", "outside ±1e+06"), ("1 1_0", "not a number"),
                      ("1 x", "'x' (number 2) is not a number")):
        with pytest.raises(MatrixError, match=re.escape(says)):
            matrix_from_text(bad)
