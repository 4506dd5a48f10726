"""A SPEC pasted or typed wrong on purpose: huge numbers and huge tokens still give one short line."""

from __future__ import annotations

import pytest

from playground.kernels.spec import SpecError, limits_text, parse_spec

HUGE = "9" * 5000  # past Python's 4300-digit limit for int(text)


@pytest.mark.parametrize(("spec", "field"), [
    (f"32x32x3 conv:f=5,k={HUGE}", "number of filters k must be 1 to 64"),
    (f"{HUGE}x32x3 conv:f=3,k=2", "height H must be 1 to 4096"),
    (f"32x32x3 conv:f=3,k=2 maxpool:f={HUGE}", "pool size f must be 1 to 16"),
    (f"32x32x3 conv:f=3,k=2 fc:{HUGE}", "the number of units N must be 1 to 100000"),
], ids=["k", "H", "pool f", "fc"])
def test_a_5000_digit_number_names_its_field(spec, field):
    with pytest.raises(SpecError) as caught:
        parse_spec(spec)
    message = str(caught.value)
    assert field in message and "5000-digit number" in message, message
    assert "4300" not in message and len(message) < 200, message


def test_leading_zeros_are_still_a_small_number():
    assert len(parse_spec("32x32x3 conv:f=0003,k=0002").layers[0].bank) == 2


@pytest.mark.parametrize("spec", ["x" * 5000, "32x32x3 conv:f=3,k=2,a=" + "x" * 5000, "32x32x3 " + "y" * 5000 + ":1"],
                         ids=["input", "activation", "token"])
def test_a_5000_character_token_is_not_echoed_whole(spec):
    with pytest.raises(SpecError) as caught:
        parse_spec(spec)
    message = str(caught.value)
    assert len(message) < 250 and "…" in message, message


def test_the_limits_are_stated_from_the_checks_themselves():
    text = limits_text()
    for part in ("4096", "f 1 to 11", "k 1 to 64", "s 1 to 16", "d 1 to 8", "p 0 to 64", "6 conv layers"):
        assert part in text, text
