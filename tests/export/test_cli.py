"""The headless export command: files like the app's, one-line errors, no traceback, no Qt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from playground.engine import conv2d
from playground.export import save_bank
from playground.export.cli import ProgressBar, main
from playground.kernels import Filter, FilterBank

REPO = Path(__file__).resolve().parents[2]
FAST = ["--backend", "numpy"]


def run(argv, capsys):
    code = main([*argv, *FAST])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, expected: str):
    """Exactly one error line (progress lines may come before it), no traceback."""
    assert code != 0
    lines = [line for line in err.strip().splitlines() if not line.startswith("[")]  # not the progress bar
    assert len(lines) == 1, err
    assert lines[0].startswith("kernel-playground export: error: ") and expected in lines[0], err
    assert "Traceback" not in err


def test_demo_export(tmp_path, capsys):
    out_dir = tmp_path / "demo-maps"
    code, out, err = run(["--source", "demo", "--out", str(out_dir)], capsys)
    assert code == 0, err
    assert f"exported 1 frame to {out_dir}" in out
    assert "1/1 frames" in err
    meta = json.loads((out_dir / "meta.json").read_text())
    assert meta["source"] == "demo" and meta["frame_shape"] == [480, 640, 3]
    assert meta["names"][0] == "Vertical edge" and meta["padding"] == [[1, 1], [1, 1]]
    assert (out_dir / "03_sobel-x.png").is_file() and (out_dir / "per_channel" / "03_sobel-x_R.png").is_file()
    assert (out_dir / "contact_sheet.png").is_file()
    assert np.load(out_dir / "maps.npy").shape == (480, 640, 8)


def test_picture_export_with_layer_options_reproduces_from_meta(tmp_path, capsys, picture_file):
    out_dir = tmp_path / "pic"
    code, _, err = run(["--source", str(picture_file), "--out", str(out_dir), "--stride", "2", "--padding", "valid",
                        "--activation", "relu", "--pool", "avg", "--pool-size", "2", "--tiff"], capsys)
    assert code == 0, err
    meta = json.loads((out_dir / "meta.json").read_text())
    assert meta["source"].endswith("edge picture.png")
    assert (meta["stride"], meta["padding"], meta["activation"]) == ([2, 2], [[0, 0], [0, 0]], "relu")
    assert meta["pool"] == {"mode": "avg", "size": 2, "stride": 2}
    frame = np.load(out_dir / "frame.npy")
    picture = cv2.cvtColor(cv2.imread(str(picture_file)), cv2.COLOR_BGR2RGB).astype(np.float32) / 255
    np.testing.assert_allclose(frame, picture, atol=1e-6)  # the picture, RGB in [0, 1]
    expected = np.maximum(conv2d(frame, np.array(meta["weights"], np.float32), np.array(meta["bias"], np.float32),
                                 stride=2, padding="valid"), 0)
    np.testing.assert_allclose(np.load(out_dir / "maps.npy"), expected, rtol=1e-5, atol=1e-5)
    assert np.load(out_dir / "maps.npy").shape == (19, 27, 8)
    assert np.load(out_dir / "pooled.npy").shape == (9, 13, 8)
    assert (out_dir / "maps.tiff").is_file() and (out_dir / "pooled" / "01_vertical-edge.png").is_file()


def test_bank_file_is_used(tmp_path, capsys, picture_file):
    bank = FilterBank((Filter("My edge", np.tile(np.array([[1, 0, -1]] * 3, np.float32)[:, :, None], 3), bias=0.5),))
    bank_path = save_bank(bank, tmp_path / "bank.json")
    code, _, err = run(["--source", str(picture_file), "--out", str(tmp_path / "o"), "--bank", str(bank_path),
                        "--no-per-channel", "--no-contact-sheet"], capsys)
    assert code == 0, err
    meta = json.loads((tmp_path / "o" / "meta.json").read_text())
    assert meta["names"] == ["My edge"] and meta["bias"] == [0.5]
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "01_my-edge.png", "frame.npy", "input.png", "maps.npy", "meta.json"]


def test_existing_out_folder_gets_a_numbered_sibling(tmp_path, capsys, picture_file):
    out_dir = tmp_path / "maps"
    out_dir.mkdir()
    (out_dir / "mine.txt").write_text("keep")
    code, out, err = run(["--source", str(picture_file), "--out", str(out_dir)], capsys)
    assert code == 0, err
    assert (tmp_path / "maps-2" / "meta.json").is_file() and "maps-2" in out
    assert [p.name for p in out_dir.iterdir()] == ["mine.txt"]


def test_folder_of_pictures_gives_a_sub_folder_per_picture(tmp_path, capsys, picture_file):
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    for name in ("b.png", "a.jpg"):
        cv2.imwrite(str(pictures / name), cv2.imread(str(picture_file)))
    (pictures / "notes.txt").write_text("not a picture")
    code, out, err = run(["--source", str(pictures), "--out", str(tmp_path / "o")], capsys)
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["0001_a", "0002_b"]
    assert "2/2 frames" in err and "exported 2 frames" in out
    meta = json.loads((tmp_path / "o" / "0002_b" / "meta.json").read_text())
    assert meta["source"].endswith("b.png") and meta["frame_index"] == 1


def test_video_frames(tmp_path, capsys, video_file):
    code, out, err = run(["--source", str(video_file), "--out", str(tmp_path / "v"), "--frames", "3"], capsys)
    assert code == 0, err
    subs = sorted(p.name for p in (tmp_path / "v").iterdir())
    assert subs == ["frame-0001", "frame-0002", "frame-0003"]
    assert "3/3 frames" in err
    first = np.load(tmp_path / "v" / "frame-0001" / "frame.npy")
    third = np.load(tmp_path / "v" / "frame-0003" / "frame.npy")
    assert first.shape == (48, 64, 3) and not np.array_equal(first, third)  # the bright band grows


def test_video_default_stops_at_its_end(tmp_path, capsys, video_file):
    code, out, err = run(["--source", str(video_file), "--out", str(tmp_path / "v"), "--no-per-channel"], capsys)
    assert code == 0, err
    assert len(list((tmp_path / "v").iterdir())) == 5  # default 10, the clip holds 5
    assert "5/5 frames" in err


def test_progress_bar_text():
    assert ProgressBar(10).text(5) == "[##########..........] 5/10 frames"
    assert ProgressBar(3, width=6).text(3) == "[######] 3/3 frames"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--out", "X"], "the following arguments are required: --source"),
        (["--source", "demo", "--out", "X", "--padding", "wide"], "must be 'valid', 'same' or a number of pixels"),
        (["--source", "demo", "--out", "X", "--padding", "99"], "padding must be at most 64"),
        (["--source", "demo", "--out", "X", "--activation", "tanh"], "invalid choice: 'tanh'"),
        (["--source", "demo", "--out", "X", "--stride", "0"], "must be a whole number of at least 1"),
        (["--source", "demo", "--out", "X", "--pool", "max", "--pool-size", "40"], "pool size f must be"),
        (["--source", "demo", "--out", "X", "--frames", "-2"], "must be a whole number from 1 to"),
        (["--source", "nothing-here.png", "--out", "X"], "cannot open 'nothing-here.png': no such file"),
        (["--source", "webcam:x", "--out", "X"], "bad camera number"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(tmp_path, capsys, monkeypatch, argv, expected):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(argv, capsys)
    assert code == 2
    assert_one_line_error(code, err, expected)
    assert list(tmp_path.iterdir()) == []


def test_settings_that_leave_no_output(tmp_path, capsys, picture_file):
    code, _, err = run(["--source", str(picture_file), "--out", str(tmp_path / "o"), "--padding", "valid",
                        "--pool", "max", "--pool-size", "16", "--stride", "4"], capsys)
    assert_one_line_error(code, err, "pool window 16×16 is larger than")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"version": 1, "size": 3, "channels": 3, "filters": [{"name": "a", "weights": [[1]]}]}',
         "filters[0].weights: expected shape 3×3×3, got 1×1"),
        ('{"version": 1, "size": 1, "channels": 3, "filters": [{"name": "a", "weights": [[[1, NaN, 0]]]}]}',
         "filters[0].weights[0][0][1]: NaN is not allowed"),
        ('{"version": 1, "size": 1, "channels": 3, "filters": [{"name": "a", "weights": [[[1, "x", 0]]]}]}',
         "filters[0].weights[0][0][1]: must be a number, got 'x'"),
        ('{"version": 1, "size": 1, "channels": 3}', "filters: missing"),
        ('{"version": 1, "size": 1, "channels": 1, "filters": [{"name": "a", "weights": [[[1]]]}]}',
         "channels: the frames have 3 channels"),
        ("{oops", "not valid JSON"),
    ],
)
def test_bad_bank_file(tmp_path, capsys, content, expected):
    bank = tmp_path / "bank.json"
    bank.write_text(content)
    code, _, err = run(["--source", "demo", "--out", str(tmp_path / "o"), "--bank", str(bank)], capsys)
    assert code == 2
    assert_one_line_error(code, err, expected)
    assert "bank.json" in err and not (tmp_path / "o").exists()


def test_missing_out_parent(tmp_path, capsys):
    code, _, err = run(["--source", "demo", "--out", str(tmp_path / "no" / "such" / "o")], capsys)
    assert code == 1
    assert_one_line_error(code, err, "the folder does not exist")


def test_out_parent_is_a_file(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    code, _, err = run(["--source", "demo", "--out", str(tmp_path / "f" / "o")], capsys)
    assert_one_line_error(code, err, "it is a file, not a folder")


def test_unwritable_out_parent(capsys, unwritable_dir):
    code, _, err = run(["--source", "demo", "--out", str(unwritable_dir / "o")], capsys)
    assert code == 1
    assert_one_line_error(code, err, "permission denied")


def test_failure_on_a_later_frame_leaves_nothing(tmp_path, capsys, picture_file, leftovers):
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    cv2.imwrite(str(pictures / "a.png"), cv2.imread(str(picture_file)))
    (pictures / "b.png").write_bytes(b"not really a png")
    out_parent = tmp_path / "out"
    out_parent.mkdir()
    code, _, err = run(["--source", str(pictures), "--out", str(out_parent / "o")], capsys)
    assert_one_line_error(code, err, "b.png")
    assert list(out_parent.iterdir()) == [] and leftovers(tmp_path) == []


def test_help_exits_zero(capsys):
    assert main(["--help"]) == 0
    assert "--source" in capsys.readouterr().out


def test_command_runs_without_qt_and_without_a_display(tmp_path):
    """As a separate process: no display, no Qt module loaded, exit 0; and a bad call has no traceback."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path)}
    script = (
        "import sys\n"
        "from playground.export.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')]\n"
        "assert not loaded, loaded\n"
        "raise SystemExit(code)\n"
    )
    argv = ["--source", "demo", "--out", str(tmp_path / "o"), "--no-per-channel", *FAST]
    done = subprocess.run([sys.executable, "-c", script, *argv], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "o" / "maps.npy").is_file()
    bad = subprocess.run([sys.executable, "-m", "playground.export", "--source", "demo", "--out",
                          str(tmp_path / "x" / "y"), *FAST], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines() == [
        f"kernel-playground export: error: cannot write to '{tmp_path / 'x'}': the folder does not exist"]


def test_permission_denied_by_the_system(tmp_path, capsys, monkeypatch):
    """Where chmod does not bite (root), the refusal is simulated at the system call."""
    import os

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "mkdir", refuse)
    code, _, err = run(["--source", "demo", "--out", str(tmp_path / "o")], capsys)
    assert code == 1
    assert_one_line_error(code, err, f"cannot write to '{tmp_path}': permission denied")


def test_a_picture_is_one_frame(tmp_path, capsys, picture_file):
    code, out, err = run(["--source", str(picture_file), "--out", str(tmp_path / "o"), "--frames", "3"], capsys)
    assert code == 0, err
    assert "a picture is one frame" in err and "exported 1 frame" in out
    assert (tmp_path / "o" / "meta.json").is_file()
