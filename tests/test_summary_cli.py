"""``python main.py summary [--json] SPEC``: the notes' table on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground.cli import main as cli_main
from playground.export.network_io import save_network
from playground.kernels.spec import EXAMPLE_SPEC, parse_spec
from playground.summary_cli import main

REPO = Path(__file__).resolve().parents[1]


def test_json_has_one_row_per_token_in_order(capsys):
    assert main(["--json", *EXAMPLE_SPEC.split()]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] == 53154
    assert [row["layer"] for row in data["rows"]] == [
        "Input", "CONV1 (f=5, s=1)", "POOL1", "CONV2 (f=5, s=1)", "POOL2", "FC3", "FC4"]
    assert len(data["rows"]) == len(EXAMPLE_SPEC.split())
    assert data["rows"][0] == {"layer": "Input", "shape": [32, 32, 3], "size": 3072, "params": 0}
    assert data["rows"][4] == {"layer": "POOL2", "shape": [5, 5, 16], "size": 400, "params": 0}
    assert data["rows"][6] == {"layer": "FC4", "shape": [10], "size": 10, "params": 1210}


def test_text_table_from_one_quoted_argument(capsys):
    assert main(["39x39x3 conv:f=3,k=10 conv:f=5,s=2,k=20 conv:f=5,s=2,k=40"]) == 0
    out = capsys.readouterr().out
    assert "CONV1 (f=3, s=1)  37 × 37 × 10" in out and "(3·3·3 + 1)·10 = 280" in out
    assert "7 × 7 × 40        1,960" in out
    assert out.rstrip().endswith("Total parameters: 25,340")


def test_a_network_file_works_too(tmp_path, capsys):
    path = save_network(parse_spec("16x16x1 conv:f=3,k=4 maxpool:f=2 fc:3"), tmp_path / "net.json")
    assert main(["--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"][-1]["params"] == 7 * 7 * 4 * 3 + 3


@pytest.mark.parametrize(("args", "message"), [
    (["32x32x3", "conv:f=5"], "'conv:f=5': missing k"),
    (["32x32x3", "conv:f=5,k=8", "dense:10"], "'dense:10': unknown token"),
    (["4x4x3", "conv:f=5,k=8"], "kernel 5×5 is larger than its padded input 4×4"),
    (["32x32x3", "conv:f=x,k=8"], "kernel size f must be a whole number; got 'x'"),
    (["missing.json"], "no such file"),
])
def test_a_bad_spec_exits_2_with_one_line(args, message, capsys):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kernel-playground summary: error: ") and message in lines[0]


def test_dispatched_from_the_main_command_line(capsys):
    assert cli_main(["summary", "--json", "8x8x3", "conv:f=3,k=2"]) == 0
    assert json.loads(capsys.readouterr().out)["total_params"] == 56


def test_main_py_runs_it_without_qt():
    code = ("import sys; from playground.cli import main; rc = main(['summary', '8x8x3', 'conv:f=9,k=2']); "
            "assert not any(name.startswith('PySide6') for name in sys.modules); sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "larger than its padded input" in result.stderr
    ok = subprocess.run([sys.executable, str(REPO / "main.py"), "summary", EXAMPLE_SPEC], cwd=REPO,
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert "FC4" in ok.stdout and "53,154" in ok.stdout
