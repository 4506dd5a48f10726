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
from playground.export.network_io import load_network, save_network
from playground.kernels.model import FilterBank
from playground.kernels.presets import preset_filter, preset_weights
from playground.kernels.spec import parse_spec

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


# --- network teachers: a network file, or --network SPEC ------------------------------------
SPEC = "48x64x3 conv:f=3,k=4,a=relu maxpool:f=2 conv:f=3,k=4"


def _summary(capsys):
    match = SUMMARY.match(capsys.readouterr().out.strip().splitlines()[-1])
    assert match
    return [float(v) for v in match.groups()]


def _relative(learned, teacher, layers):
    diff = sum(np.sum((learned[i].w.astype(np.float64) - teacher[i].w) ** 2) for i in layers)
    return float(np.sqrt(diff / sum(np.sum(teacher[i].w.astype(np.float64) ** 2) for i in layers)))


def test_two_layer_spec_learns_its_own_teacher_through_max_pooling(tmp_path, capsys):
    out = tmp_path / "net.json"
    code = cli_main(["learn", "--source", "sample:shapes", "--network", SPEC, "--seed", "1", "--steps", "200",
                     "--out", str(out)])
    assert code == 0
    steps, first, last, distance, _ = _summary(capsys)
    # the student starts from its own random weights (seed 1), the teacher is the SPEC's (seed 0)
    assert steps == 200 and first / last >= 100  # 500× here: the "falls ≥ 100×" through max pooling
    learned, teacher = load_network(out), parse_spec(SPEC)
    assert learned.input_size == (48, 64) and learned.depth == 2
    assert learned.layers[1].bank.names()[0] == "random 1 (learned)"
    assert learned.layers[0].settings == teacher.layers[0].settings  # relu and the max pooling kept
    # D is over the trained layers: here both (the default)
    assert _relative(learned.stages(), teacher.stages(), [0, 1]) == pytest.approx(distance, rel=1e-3)
    assert not list(tmp_path.glob("*.tmp*"))


def test_network_file_teacher_trains_only_the_chosen_layer(tmp_path, capsys):
    teacher_file, out = tmp_path / "teacher.json", tmp_path / "out.json"
    save_network(parse_spec(SPEC), teacher_file)
    code = cli_main(["learn", "--source", "sample:shapes", "--teacher", str(teacher_file), "--layers", "2",
                     "--steps", "20", "--out", str(out)])
    assert code == 0
    distance = _summary(capsys)[3]
    teacher, learned = load_network(teacher_file).stages(), load_network(out).stages()
    np.testing.assert_array_equal(learned[0].w, teacher[0].w)  # layer 1 not trained
    assert _relative(learned, teacher, [1]) == pytest.approx(distance, rel=1e-3)


def test_preset_with_spec_sets_every_first_layer_filter(tmp_path, capsys):
    out = tmp_path / "out.json"
    code = cli_main(["learn", "--source", "sample:shapes", "--teacher", "sobel-x",
                     "--network", "32x32x3 conv:f=3,k=2,a=relu maxpool:f=2", "--steps", "5", "--out", str(out)])
    assert code == 0 and SUMMARY.match(capsys.readouterr().out.strip().splitlines()[-1])
    assert load_network(out).layers[0].bank.names() == ("Sobel x 1 (learned)", "Sobel x 2 (learned)")


@pytest.mark.parametrize(("args", "message"), [
    (["--network", SPEC, "--layers", "3"], "the teacher has 2 layer(s)"),
    (["--network", SPEC, "--layers", "0,1"], "--layers: layers are numbered from 1"),
    (["--network", SPEC, "--layers", "one"], "--layers: must be layer numbers"),
    (["--network", "48x64x3 conv:f=3"], "--network: "),
    (["--teacher", "sobel-x", "--network", "32x32x3 conv:f=1,k=2"], "Sobel x is a 3×3 kernel"),
    ([], "give a teacher"),
])
def test_bad_network_arguments_exit_2_with_one_line(tmp_path, capsys, args, message):
    out = tmp_path / "out.json"
    code = cli_main(["learn", "--source", "demo", *args, "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0], err
    assert not out.exists()


def test_bad_network_file_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "kernel-playground-network", "version": 1, "layers": []}')
    for extra in ([], ["--network", SPEC]):  # a file is the whole teacher: no SPEC beside it
        code = cli_main(["learn", "--source", "demo", "--teacher", str(bad), *extra,
                         "--out", str(tmp_path / "o.json")])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1, err
        assert ("layers: must be a list" in err[0]) if not extra else ("is a file" in err[0])
    assert not (tmp_path / "o.json").exists()
