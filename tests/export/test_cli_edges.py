"""The headless export at its edges: odd --out values, a full disk, stated limits, huge echoed values."""

from __future__ import annotations

import errno
from collections import namedtuple

import pytest

from playground.engine.layer import MAX_DILATION, MAX_PADDING, MAX_POOL, MAX_STRIDE
from playground.export import atomic
from playground.export.cli import MAX_FRAMES, build_parser, main

FAST = ["--backend", "numpy", "--no-per-channel", "--no-contact-sheet"]


def run(argv, capsys):
    code = main([*argv, *FAST])
    out, err = capsys.readouterr()
    return code, out, err


def error_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if not line.startswith("[")]
    assert len(lines) == 1, err
    assert lines[0].startswith("kernel-playground export: error: "), err
    return lines[0]


# --- --out ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("out", ["", ".", "./", "..", "sub/..", "  "])
def test_out_that_names_no_new_folder_is_refused(tmp_path, capsys, monkeypatch, out):
    """These used to resolve to the current (or parent) folder and write its sibling ``../<folder>-2``."""
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    monkeypatch.chdir(work)
    code, _, err = run(["--source", "demo", "--out", out], capsys)
    assert code == 2, err
    assert "give the name of a new folder" in error_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    assert sorted(p.name for p in work.iterdir()) == ["sub"]


def test_out_root_is_a_usage_error(capsys):
    code, _, err = run(["--source", "demo", "--out", "/"], capsys)
    assert code == 2, err
    assert "give the name of a new folder" in error_line(err)


def test_out_with_a_trailing_slash_still_works(tmp_path, capsys):
    code, out, err = run(["--source", "demo", "--out", f"{tmp_path / 'maps'}/"], capsys)
    assert code == 0, err
    assert (tmp_path / "maps" / "maps.npy").is_file()


# --- a full disk -----------------------------------------------------------------------------------
def test_numpy_byte_count_on_a_full_disk_says_the_disk_is_full(tmp_path, capsys, monkeypatch, leftovers):
    """numpy reports a short write as '<n> requested and <m> written', with no errno."""
    def short_write(handle, array, allow_pickle=False):
        handle.write(b"\x93NUMPY")
        raise OSError(f"{array.nbytes} requested and 4096 written")

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(atomic.np, "save", short_write)
    monkeypatch.setattr(atomic.shutil, "disk_usage", lambda path: usage(10 << 30, 10 << 30, 0))
    code, _, err = run(["--source", "demo", "--out", str(tmp_path / "o")], capsys)
    assert code == 1
    line = error_line(err)
    assert "maps.npy': the disk is full" in line and "requested" not in line
    assert leftovers(tmp_path) == [] and not (tmp_path / "o").exists()


def test_a_short_write_with_room_left_keeps_its_own_words(tmp_path, capsys, monkeypatch):
    def short_write(handle, array, allow_pickle=False):
        raise OSError("100 requested and 50 written")

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(atomic.np, "save", short_write)
    monkeypatch.setattr(atomic.shutil, "disk_usage", lambda path: usage(10 << 30, 1 << 30, 9 << 30))
    code, _, err = run(["--source", "demo", "--out", str(tmp_path / "o")], capsys)
    assert code == 1 and "100 requested and 50 written" in error_line(err)


def test_enospc_from_the_writer_says_the_disk_is_full(tmp_path, capsys, monkeypatch, leftovers):
    def full(handle, array, allow_pickle=False):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.np, "save", full)
    code, _, err = run(["--source", "demo", "--out", str(tmp_path / "o")], capsys)
    assert code == 1 and "the disk is full" in error_line(err)
    assert leftovers(tmp_path) == []


# --- limits in --help, and their refusals ----------------------------------------------------------
def option_help(name: str) -> str:
    for action in build_parser()._actions:
        if name in action.option_strings:
            return action.help
    raise AssertionError(name)


@pytest.mark.parametrize(("option", "limit"), [
    ("--stride", MAX_STRIDE), ("--dilation", MAX_DILATION), ("--padding", MAX_PADDING),
    ("--pool-size", MAX_POOL), ("--pool-stride", MAX_POOL), ("--frames", MAX_FRAMES),
])
def test_help_states_each_limit(capsys, option, limit):
    assert f"1–{limit}" in option_help(option) or f"at most {limit}" in option_help(option)
    assert main(["--help"]) == 0
    assert f"{limit}" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "expected"), [
    (["--stride", str(MAX_STRIDE + 1)], f"1 to {MAX_STRIDE}"),
    (["--dilation", str(MAX_DILATION + 1)], f"1 to {MAX_DILATION}"),
    (["--padding", str(MAX_PADDING + 1)], f"at most {MAX_PADDING}"),
    (["--pool", "max", "--pool-size", str(MAX_POOL + 1)], f"1 to {MAX_POOL}"),
    (["--frames", str(MAX_FRAMES + 1)], f"1 to {MAX_FRAMES}"),
])
def test_values_past_the_limits_are_refused_before_anything_is_written(tmp_path, capsys, argv, expected):
    code, _, err = run(["--source", "demo", "--out", str(tmp_path / "o"), *argv], capsys)
    assert code == 2 and expected in error_line(err)
    assert list(tmp_path.iterdir()) == []


LONG = "x" * 5000


@pytest.mark.parametrize("argv", [
    ["--source", "demo", "--out", "o", "--padding", LONG],
    ["--source", "demo", "--out", "o", "--stride", LONG],
    ["--source", "demo", "--out", "o", "--activation", LONG],
    ["--source", LONG, "--out", "o"],
    ["--source", f"/no/such/{LONG}.png", "--out", "o"],
    ["--source", "demo", "--out", "o", "--bank", LONG],
    ["--source", "demo", "--out", f"missing/{LONG}"],
    ["--source", "demo", "--out", "o", LONG],
    ["--source", "demo", "--out", "o", "--padding", "a b " * 1250],
    ["--source", "a b " * 1250, "--out", "o"],
    ["--source", "a b/" * 1000, "--out", "o"],
    ["--source", "demo", "--out", "o", "--bank", "a b " * 1250],
])
def test_a_5000_character_value_is_not_echoed_whole(tmp_path, capsys, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(argv, capsys)
    assert code in (1, 2)
    line = error_line(err)
    assert len(line) < 400, line  # the message itself, with the value cut to about 60 characters
    assert "x" * 61 not in line and "a b " * 16 not in line and "a b/" * 16 not in line
