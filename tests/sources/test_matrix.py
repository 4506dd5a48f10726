"""Matrix sources: the text format, its errors (with line numbers), the source and its spec."""

from __future__ import annotations

import numpy as np
import pytest

from playground.sources import SourceError, open_source, parse_source_spec
from playground.sources.matrix import (
    MAX_MATRIX_CHANNELS,
    MAX_MATRIX_SIDE,
    MatrixError,
    MatrixSource,
    check_matrix,
    matrix_from_text,
    matrix_to_text,
    read_matrix_file,
    resize_matrix,
)

EDGE = "10 10 10 0 0 0\n" * 6


def test_rows_become_image_rows_with_raw_values():
    matrix = matrix_from_text(EDGE)
    assert matrix.shape == (6, 6, 1) and matrix.dtype == np.float32
    assert matrix.flags.c_contiguous
    np.testing.assert_array_equal(matrix[0, :, 0], [10, 10, 10, 0, 0, 0])  # not 0.039


@pytest.mark.parametrize("row", ["1 -2.5 3e2", "1,-2.5,3e2", "1\t-2.5\t3e2", "1, -2.5 ,\t3e2", "  1  -2.5 3e2  ",
                                 "1 \u22122.5 3e2", "1,-2.5,3e2,"])
def test_spaces_commas_tabs_and_typographic_minus_separate_the_same_numbers(row):
    matrix = matrix_from_text(f"{row}\n{row}\n")
    np.testing.assert_array_equal(matrix[:, :, 0], [[1, -2.5, 300]] * 2)


def test_blank_lines_separate_channels_and_comments_are_ignored():
    text = "# red\n1 2\n3 4\n\n\n# green\n5 6\n7 8   # trailing note\n\n9 10\n11 12\n\n"
    matrix = matrix_from_text(text)
    assert matrix.shape == (2, 2, 3)
    np.testing.assert_array_equal(matrix[0, 0], [1, 5, 9])
    np.testing.assert_array_equal(matrix[1, 1], [4, 8, 12])


def test_windows_line_endings_and_a_byte_order_mark_are_fine():
    matrix = matrix_from_text("\ufeff1 2\r\n3 4\r\n")
    np.testing.assert_array_equal(matrix[:, :, 0], [[1, 2], [3, 4]])


@pytest.mark.parametrize("text,line,words", [
    ("1 2 3\n4 5\n", 2, "line 2 has 2 numbers but line 1 has 3"),
    ("1 2\n3 4\n\n5 6 7\n8 9 0\n", 4, "channel 2 (from line 4) is 2×3 but channel 1"),
    ("1 2\n3 4\n\n5 6\n", 4, "channel 2 (from line 4) is 1×2"),
    ("1 2\n3 x\n", 2, "'x' (number 2) is not a number"),
    ("1 2\n3 1_000\n", 2, "not a number"),
    ("1 2\n\n# c\n3 nan\n", 4, "not a finite number"),
    ("1 inf\n", 1, "not a finite number"),
    ("1 2e7\n", 1, "outside ±1e+06"),
    ("1,,2\n", 1, "number 2 is missing"),
    (",1,2\n", 1, "number 1 is missing (nothing between two commas)"),
])
def test_bad_matrices_are_refused_with_their_line(text, line, words):
    with pytest.raises(MatrixError) as caught:
        matrix_from_text(text)
    assert caught.value.line == line
    assert words in str(caught.value)
    assert isinstance(caught.value, SourceError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n"])
def test_empty_text_is_refused(text):
    with pytest.raises(MatrixError, match="empty"):
        matrix_from_text(text)


def test_size_limits():
    too_wide = " ".join(["1"] * (MAX_MATRIX_SIDE + 1))
    with pytest.raises(MatrixError, match=f"at most {MAX_MATRIX_SIDE}"):
        matrix_from_text(too_wide)
    too_deep = "\n\n".join(["1"] * (MAX_MATRIX_CHANNELS + 1))
    with pytest.raises(MatrixError, match=f"at most {MAX_MATRIX_CHANNELS} are allowed"):
        matrix_from_text(too_deep)
    assert matrix_from_text("\n\n".join(["1"] * MAX_MATRIX_CHANNELS)).shape == (1, 1, MAX_MATRIX_CHANNELS)


def test_text_round_trips_exactly_and_integers_have_no_decimals():
    rng = np.random.default_rng(3)
    values = rng.standard_normal((4, 5, 3)).astype(np.float32) * np.float32(50)
    values[0, 0, 0] = 30
    values[0, 1, 0] = -0.0
    values[0, 2, 0] = 1e-6
    text = matrix_to_text(values)
    np.testing.assert_array_equal(matrix_from_text(text), values)
    assert text.splitlines()[0].split()[:3] == ["30", "0", "1e-6"]
    assert text.count("\n\n") == 2  # three channels, two separators
    assert matrix_to_text(np.array([[1.0, 10.0]])) == " 1 10\n"


def test_to_text_refuses_what_it_cannot_write():
    with pytest.raises(ValueError, match="finite"):
        matrix_to_text(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="not empty"):
        matrix_to_text(np.zeros((0, 3)))


def test_file_errors_name_the_file_and_line(tmp_path):
    ragged = tmp_path / "ragged.txt"
    ragged.write_text("1 2\n3 4 5\n")
    with pytest.raises(MatrixError, match=r"cannot open '.*ragged.txt': line 2 has 3 numbers") as caught:
        read_matrix_file(ragged)
    assert caught.value.line == 2
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n")
    with pytest.raises(MatrixError, match="the file is empty"):
        read_matrix_file(empty)
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"1 2\n\xff\xd8\xff\xe0")
    with pytest.raises(MatrixError, match="line 2 is not text"):
        read_matrix_file(binary)
    with pytest.raises(MatrixError, match="no such file"):
        read_matrix_file(tmp_path / "missing.txt")
    with pytest.raises(MatrixError, match="folder"):
        read_matrix_file(tmp_path)


def test_too_large_file_is_refused_before_reading(tmp_path, monkeypatch):
    import playground.sources.matrix as matrix_module

    monkeypatch.setattr(matrix_module, "MAX_MATRIX_FILE_BYTES", 10)
    big = tmp_path / "big.txt"
    big.write_text("1 2 3 4 5 6 7 8\n")
    with pytest.raises(MatrixError, match="too large"):
        read_matrix_file(big)


def test_matrix_source_yields_the_raw_frame_every_time(tmp_path):
    path = tmp_path / "edge.txt"
    path.write_text(EDGE)
    with MatrixSource.from_file(path) as source:
        first, second = source.read(), source.read()
        assert source.kind == "matrix" and source.raw and not source.live
        assert source.spec == f"matrix:{path}"
        assert "6 × 6 × 1" in source.description and "edge.txt" in source.description
    assert first is second and not first.flags.writeable
    np.testing.assert_array_equal(first[:, :, 0], [[10, 10, 10, 0, 0, 0]] * 6)
    with pytest.raises(SourceError, match="closed"):
        source.read()


def test_typed_matrix_source_and_its_checks():
    source = MatrixSource.from_text("1 2\n3 4\n\n5 6\n7 8")
    assert source.read().shape == (2, 2, 2) and source.spec == "matrix"
    assert MatrixSource(np.eye(3)).read().shape == (3, 3, 1)
    with pytest.raises(MatrixError, match="finite"):
        MatrixSource(np.array([[np.inf]]))
    with pytest.raises(MatrixError, match="not empty"):
        MatrixSource(np.zeros((2, 0)))


def test_matrix_spec_is_parsed_and_opened(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(EDGE)
    assert parse_source_spec(f"matrix:{path}") == ("matrix", path)
    assert parse_source_spec(f"  MATRIX: {path} ") == ("matrix", path)
    with open_source(f"matrix:{path}") as source:
        assert isinstance(source, MatrixSource)
        assert source.read()[0, 0, 0] == 10
    with pytest.raises(SourceError, match="no such file"):
        parse_source_spec(f"matrix:{tmp_path / 'missing.txt'}")
    with pytest.raises(SourceError, match="folder"):
        parse_source_spec(f"matrix:{tmp_path}")
    path.write_text("1 2\n3\n")
    with pytest.raises(SourceError, match="line 2 has 1 number but line 1 has 2"):
        open_source(f"matrix:{path}")


def test_grid_resizing_keeps_the_top_left_and_repeats_a_gray_channel():
    gray = np.arange(6, dtype=np.float32).reshape(2, 3)
    bigger = resize_matrix(gray, 3, 4)
    assert bigger.shape == (3, 4, 1)
    np.testing.assert_array_equal(bigger[:2, :3, 0], gray)
    assert not bigger[2].any() and not bigger[:, 3].any()
    rgb = resize_matrix(gray, 2, 2, 3)
    assert rgb.shape == (2, 2, 3) and (rgb[:, :, 2] == gray[:2, :2]).all()
    back = resize_matrix(rgb * [1, 2, 3], 2, 2, 1)
    np.testing.assert_array_equal(back[:, :, 0], gray[:2, :2])  # the first channel is kept
    assert resize_matrix(rgb, 2, 2, 5)[:, :, 3:].sum() == 0
    for bad in [(0, 2), (2, MAX_MATRIX_SIDE + 1), (2.5, 2)]:
        with pytest.raises(MatrixError, match="whole number"):
            resize_matrix(gray, *bad)
    with pytest.raises(MatrixError, match="channels"):
        resize_matrix(gray, 2, 2, MAX_MATRIX_CHANNELS + 1)


def test_check_matrix_is_the_one_check():
    checked = check_matrix([[1, 2], [3, 4]])
    assert checked.shape == (2, 2, 1) and checked.dtype == np.float32
    for bad, words in [([[1e7]], "within"), ([["a"]], "numbers"), (np.zeros((2, 2, 2, 2)), "not empty"),
                       (np.zeros((1, 1, MAX_MATRIX_CHANNELS + 1)), "at most")]:
        with pytest.raises(MatrixError, match=words):
            check_matrix(bad)
