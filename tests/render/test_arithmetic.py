"""The arithmetic panel's text: the notes' formulas with this frame's numbers."""

from __future__ import annotations

from playground.engine.layer import PoolSettings
from playground.render.arithmetic import LayerArithmetic, layer_arithmetic

NO_PAD = ((0, 0), (0, 0))


def _lines(result: LayerArithmetic) -> dict[str, str]:
    labels = [label for label, _ in result.lines]
    assert len(labels) == len(set(labels)), labels
    return dict(result.lines)


def test_notes_6x6_by_3x3_gives_4x4():
    result = layer_arithmetic((6, 6, 1), 3, NO_PAD, 1, 1, 1, False)
    lines = _lines(result)
    assert result.out_shape == (4, 4, 1)
    assert result.error is None
    assert "6 × 6 × 1" in lines["input"]
    assert "f = 3" in lines["filters"]
    assert lines["padding"] == "p = 0"
    assert lines["stride"] == "s = 1"
    assert lines["n_H out"] == "⌊(6 + 2·0 − 3) / 1⌋ + 1 = 4"
    assert lines["n_W out"] == "⌊(6 + 2·0 − 3) / 1⌋ + 1 = 4"
    assert lines["output"] == "4 × 4 × 1"
    assert result.params == 10


def test_notes_ten_3x3x3_filters_have_280_parameters():
    result = layer_arithmetic((39, 39, 3), 3, NO_PAD, 1, 1, 10, False)
    lines = _lines(result)
    assert result.params == 280
    assert lines["#params"].endswith("= (3·3·3 + 1)·10 = 280")
    assert "10 × (3 × 3 × 3)" in lines["filters"]


def test_notes_39x39x3_gives_37x37x10():
    result = layer_arithmetic((39, 39, 3), 3, NO_PAD, 1, 1, 10, False)
    lines = _lines(result)
    assert result.out_shape == (37, 37, 10)
    assert lines["input"].endswith("39 × 39 × 3")
    assert lines["n_H out"].endswith("= 37") and "39" in lines["n_H out"]
    assert lines["output"] == "37 × 37 × 10"


def test_same_padding_shows_p():
    result = layer_arithmetic((6, 6, 3), 3, ((1, 1), (1, 1)), 1, 1, 2, False)
    lines = _lines(result)
    assert lines["padding"] == "p = 1"
    assert lines["n_H out"] == "⌊(6 + 2·1 − 3) / 1⌋ + 1 = 6"
    assert result.out_shape == (6, 6, 2)


def test_asymmetric_padding_mentions_the_split():
    result = layer_arithmetic((6, 6, 3), 4, ((1, 2), (1, 2)), 1, 1, 2, False)
    lines = _lines(result)
    assert "top 1" in lines["padding"] and "bottom 2" in lines["padding"]
    assert "left 1" in lines["padding"] and "right 2" in lines["padding"]
    assert "bottom/right" in lines["padding"]
    assert lines["n_H out"] == "⌊(6 + 1+2 − 4) / 1⌋ + 1 = 6"
    assert lines["n_W out"] == "⌊(6 + 1+2 − 4) / 1⌋ + 1 = 6"
    assert result.out_shape == (6, 6, 2)


def test_different_padding_per_axis():
    result = layer_arithmetic((10, 12, 3), 3, ((1, 1), (2, 2)), 1, 1, 1, False)
    lines = _lines(result)
    assert "top 1" in lines["padding"] and "left 2" in lines["padding"]
    assert "odd" not in lines["padding"]  # symmetric on each axis: nothing was split
    assert lines["n_H out"].endswith("= 10") and lines["n_W out"].endswith("= 14")
    assert result.out_shape == (10, 14, 1)


def test_explicit_asymmetric_padding_is_not_called_an_odd_split():
    result = layer_arithmetic((10, 10, 3), 3, ((3, 1), (0, 0)), 1, 1, 1, False)
    padding = _lines(result)["padding"]
    assert "top 3" in padding and "bottom 1" in padding
    assert "bottom/right" not in padding


def test_stride_2():
    result = layer_arithmetic((7, 7, 3), 3, NO_PAD, 2, 1, 2, False)
    lines = _lines(result)
    assert lines["stride"] == "s = 2"
    assert lines["n_H out"] == "⌊(7 + 2·0 − 3) / 2⌋ + 1 = 3"
    assert result.out_shape == (3, 3, 2)


def test_stride_with_rounding_down():
    result = layer_arithmetic((8, 9, 1), 3, NO_PAD, 2, 1, 1, False)
    assert result.out_shape == (3, 4, 1)  # ⌊5/2⌋ + 1, ⌊6/2⌋ + 1


def test_dilation_shows_the_covered_extent():
    result = layer_arithmetic((9, 9, 3), 3, NO_PAD, 1, 2, 4, False)
    lines = _lines(result)
    assert "dilation 2" in lines["filters"] and "5×5" in lines["filters"]
    assert lines["n_H out"] == "⌊(9 + 2·0 − 5) / 1⌋ + 1 = 5"
    assert result.out_shape == (5, 5, 4)
    # parameters do not depend on dilation
    assert result.params == (3 * 3 * 3 + 1) * 4


def test_no_dilation_note_without_dilation():
    assert "dilation" not in _lines(layer_arithmetic((9, 9, 3), 3, NO_PAD, 1, 1, 4, False))["filters"]


def test_operation_line_says_which_one():
    assert "cross-correlation" in _lines(layer_arithmetic((9, 9, 3), 3, NO_PAD, 1, 1, 1, False))["operation"]
    assert "true convolution" in _lines(layer_arithmetic((9, 9, 3), 3, NO_PAD, 1, 1, 1, True))["operation"]


def test_no_output_sets_error_with_both_sizes():
    result = layer_arithmetic((6, 6, 3), 11, NO_PAD, 1, 1, 2, False)
    lines = _lines(result)
    assert result.out_shape is None
    assert result.error is not None
    assert "11×11" in result.error and "6×6" in result.error
    assert "no output" in lines["n_H out"] and "no output" in lines["n_W out"]
    assert lines["output"] == "none"
    assert result.params == (11 * 11 * 3 + 1) * 2


def test_no_output_on_one_axis_only():
    result = layer_arithmetic((6, 8, 3), 7, NO_PAD, 1, 1, 2, False)
    lines = _lines(result)
    assert result.out_shape is None and result.error is not None
    assert "7×7" in result.error and "6×8" in result.error
    assert "no output" in lines["n_H out"]
    assert lines["n_W out"].endswith("= 2")


def test_padding_counts_in_the_padded_size_of_the_error():
    result = layer_arithmetic((4, 4, 3), 11, ((2, 2), (3, 3)), 1, 1, 1, False)
    assert result.error is not None and "8×10" in result.error


def test_pool_line():
    result = layer_arithmetic((39, 39, 3), 3, NO_PAD, 1, 1, 10, False, pool=PoolSettings("max", 2, 2))
    lines = _lines(result)
    assert result.out_shape == (37, 37, 10)
    assert result.pooled_shape == (18, 18, 10)
    pool = lines["pool"]
    assert "max" in pool and "f = 2" in pool and "s = 2" in pool
    assert "⌊(37 − 2) / 2⌋ + 1 = 18" in pool
    assert "18 × 18 × 10" in pool and "0 params" in pool
    assert result.params == 280  # pooling adds no parameters


def test_avg_pool_line_non_square():
    result = layer_arithmetic((10, 14, 1), 3, NO_PAD, 1, 1, 3, False, pool=PoolSettings("avg", 3, 1))
    assert result.out_shape == (8, 12, 3)
    assert result.pooled_shape == (6, 10, 3)
    assert "avg" in _lines(result)["pool"] and "6 × 10 × 3" in _lines(result)["pool"]


def test_no_pool_line_without_pool_or_output():
    assert "pool" not in _lines(layer_arithmetic((9, 9, 3), 3, NO_PAD, 1, 1, 1, False))
    result = layer_arithmetic((6, 6, 3), 11, NO_PAD, 1, 1, 1, False, pool=PoolSettings())
    assert "pool" not in _lines(result) and result.pooled_shape is None


def test_pool_larger_than_the_output_gives_no_pooled_shape():
    result = layer_arithmetic((4, 4, 3), 3, NO_PAD, 1, 1, 2, False, pool=PoolSettings("max", 3, 1))
    assert result.out_shape == (2, 2, 2)
    assert result.pooled_shape is None
