"""The summary and learn commands given hostile values: one short line on stderr, exit 2, nothing written."""

from __future__ import annotations

import pytest

from playground import learn_cli, summary_cli

LONG = "x" * 5000
HUGE = "9" * 5000


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and len(lines[0]) < 500, err[:600]
    return lines[0]


@pytest.mark.parametrize("args", [[LONG], [f"32x32x3 conv:f=5,k={HUGE}"], ["32x32x3", f"conv:f=3,k=2,a={LONG}"]],
                         ids=["5000 characters", "5000 digits", "long activation"])
def test_summary_of_a_hostile_spec_is_one_short_line(args, capsys):
    assert summary_cli.main(args) == 2
    line = one_error_line(capsys)
    assert line.startswith("kernel-playground summary: error:") and "4300" not in line


def test_summary_usage_errors_are_one_line_too(capsys):
    assert summary_cli.main(["--bogus", "32x32x3 conv:f=3,k=2"]) == 2
    assert "--bogus" in one_error_line(capsys)


def test_summary_help_lists_the_limits(capsys):
    with pytest.raises(SystemExit) as caught:
        summary_cli.main(["--help"])
    assert caught.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Limits:" in out and "s 1 to 16" in out and "d 1 to 8" in out


def learn(tmp_path, *extra):
    return learn_cli.main(["--source", "demo", "--out", str(tmp_path / "learned.json"), *extra])


def test_learn_with_a_5000_character_teacher_is_exit_2_and_not_echoed(tmp_path, capsys):
    # Path.is_file() of a name this long raises ENAMETOOLONG: it was "learning failed: OSError", exit 1
    assert learn(tmp_path, "--teacher", LONG) == 2
    line = one_error_line(capsys)
    assert "unknown teacher" in line and "…" in line
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("option", ["--seed", "--steps", "--crop", "--layers"])
def test_learn_with_a_5000_digit_number_is_one_short_line(tmp_path, capsys, option):
    assert learn(tmp_path, "--teacher", "sobel-x", option, HUGE) == 2
    line = one_error_line(capsys)
    assert option in line
    assert not list(tmp_path.iterdir())
