"""``python main.py learn``: the headless learner, as a user runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.cli import main as cli_main
from playground.export.bank_io import load_bank, save_bank
from playground.kernels.model import FilterBank
from playground.kernels.presets import preset_filter, preset_weights

REPO = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"^steps=(\d+) loss_first=(\S+) loss_last=(\S+) distance=(\S+) seconds=(\S+)$")


def test_learns_sobel_x_by_slug_through_main_py(tmp_path):
    out = tmp_path / "learned.json"
    result = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "learn", "--source", "sample:texture", "--teacher", "sobel-x",
         "--steps", "200", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    assert result.returncode == 0, result.stderr
    match = SUMMARY.match(result.stdout.strip().splitlines()[-1])
    assert match, result.stdout
    steps, first, last, distance, seconds = (float(v) for v in match.groups())
    # convergence to 5 % is tested in tests/live/test_learner.py; here, that the run is real
    assert steps == 200 and first / last >= 100 and distance < 0.5 and seconds > 0
    assert "200/200 steps" in result.stderr  # the progress bar
    bank = load_bank(out)
    assert bank.names() == ("Sobel x (learned)",)
    learned = bank.weights()[..., 0]
    sobel = preset_weights("Sobel x", 3)
    assert np.linalg.norm(learned - sobel) / np.linalg.norm(sobel) == pytest.approx(distance, rel=1e-3)
    assert not list(tmp_path.glob("*.tmp*"))  # written atomically: no temporary left


def test_bank_teacher_with_two_filters(tmp_path, capsys):
    teacher = tmp_path / "teacher.json"
    save_bank(FilterBank((preset_filter("Sobel y"), preset_filter("Laplacian"))), teacher)
    out = tmp_path / "out.json"
    code = cli_main(["learn", "--source", "sample:shapes", "--teacher", str(teacher), "--steps", "5",
                     "--optimizer", "momentum", "--lr", "0.001", "--seed", "2", "--out", str(out)])
    assert code == 0
    assert SUMMARY.match(capsys.readouterr().out.strip().splitlines()[-1])
    learned = load_bank(out)
    assert learned.names() == ("Sobel y (learned)", "Laplacian (learned)")
    assert learned.weights().shape == (3, 3, 3, 2)


@pytest.mark.parametrize(("args", "message"), [
    (["--teacher", "sobel-z"], "unknown teacher 'sobel-z'"),
    (["--teacher", "sobel-x", "--lr", "0"], "--lr: must be a number > 0"),
    (["--teacher", "sobel-x", "--lr=-1e-3"], "--lr: must be a number > 0"),
    (["--teacher", "sobel-x", "--steps", "0"], "--steps: must be at least 1"),
    (["--teacher", "sobel-x", "--layers", "2"], "the teacher has 1 layer"),
    (["--teacher", "sobel-x", "--optimizer", "rmsprop"], "invalid choice"),
    (["--teacher", "missing.json"], "no such file"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys, args, message):
    out = tmp_path / "out.json"
    code = cli_main(["learn", "--source", "demo", *args, "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0], err
    assert not out.exists()


def test_missing_source_and_output_folder_exit_2(tmp_path, capsys):
    code = cli_main(["learn", "--source", str(tmp_path / "nope.png"), "--teacher", "Sobel x",
                     "--out", str(tmp_path / "o.json")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "nope.png" in err[0]
    code = cli_main(["learn", "--source", "demo", "--teacher", "Sobel x", "--out", str(tmp_path / "no" / "o.json")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "does not exist" in err[0]


def test_diverging_run_exits_1_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out.json"
    code = cli_main(["learn", "--source", "demo", "--teacher", "sobel-x", "--optimizer", "sgd", "--lr", "1000",
                     "--no-precondition", "--steps", "100", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "learning stopped" in err and "nothing was written" in err
    assert not out.exists()
