"""The command line on a network: --network for --screenshot and --benchmark (the app), and for export."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.engine.layer import run_layer
from playground.engine.network import prepare_input, run_network
from playground.export.cli import main as export_main
from playground.export.network_io import network_from_dict, save_network
from playground.kernels.network_presets import LENET_SPEC, lenet

REPO = Path(__file__).resolve().parents[2]
THREE_LAYERS = ("120x160x3 conv:f=3,k=8,p=same,a=relu maxpool:f=2 conv:f=3,k=16,p=same,a=relu maxpool:f=2 "
                "conv:f=3,k=16,p=same")


def run_app(*args, tmp_path, timeout=180):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KERNEL_PLAYGROUND_SETTINGS=str(tmp_path / "settings.ini"))
    return subprocess.run([sys.executable, "main.py", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.qt
def test_benchmark_and_screenshot_run_a_network_file(tmp_path):
    pytest.importorskip("PySide6")
    cv2 = pytest.importorskip("cv2")
    path = save_network(lenet(), tmp_path / "lenet.json")
    result = run_app("--network", str(path), "--benchmark", "5", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"frames=5 fps=[\d.]+ latency_p50_ms=[\d.]+ latency_p95_ms=[\d.]+\n", result.stdout)
    shot = tmp_path / "shot.png"
    result = run_app("--network", LENET_SPEC, "--screenshot", str(shot), "--window-size", "1280x720",
                     tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert cv2.imread(str(shot)).shape[:2] == (720, 1280)


@pytest.mark.parametrize("value, words", [("8x8x3 conv:f=9,k=2", "9×9 is larger"), ("nowhere.json", "no such file"),
                                          ("32x32x3 pool:f=2", "pool")])
def test_a_bad_network_is_one_line_and_exit_2(tmp_path, value, words):
    result = run_app("--network", value, "--benchmark", "1", tmp_path=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr


def test_export_writes_a_folder_per_layer_and_a_meta_that_reproduces_them(tmp_path, capsys):
    out = tmp_path / "maps"
    assert export_main(["--source", "demo", "--network", THREE_LAYERS, "--out", str(out)]) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["layers"] == ["layer1", "layer2", "layer3"] and meta["input_resized"]
    network = network_from_dict(meta["network"])
    frame = np.load(out / "layer1" / "frame.npy")
    outputs = run_network(prepare_input(frame), network.stages())
    for index, output in enumerate(outputs):
        folder = out / f"layer{index + 1}"
        maps = np.load(folder / "maps.npy")
        np.testing.assert_allclose(maps, output.maps, rtol=1e-4, atol=1e-4)
        # each folder alone: its frame.npy is the layer's input, its meta the layer
        layer_meta = json.loads((folder / "meta.json").read_text())
        w = np.asarray(layer_meta["weights"], np.float32)
        redo = run_layer(np.load(folder / "frame.npy"), w, np.asarray(layer_meta["bias"], np.float32),
                         network.layers[index].settings)
        np.testing.assert_allclose(redo.maps, maps, rtol=1e-4, atol=1e-4)
    assert np.load(out / "layer2" / "per_channel.npy").shape[2] == 8    # layer 2's inputs: 8 channels
    assert (out / "layer3" / "maps.npy").is_file() and not (out / "maps.npy").exists()


def test_export_of_the_notes_vertical_edge_matrix(tmp_path, capsys):
    out = tmp_path / "edge"
    code = export_main(["--source", "matrix:resources/notes/vertical_edge.txt", "--bank",
                        "resources/notes/vertical_edge.bank.json", "--padding", "valid", "--frames", "3",
                        "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    maps = np.load(out / "maps.npy")
    assert maps.shape == (4, 4, 1)
    assert maps[:, :, 0].tolist() == [[0, 30, 30, 0]] * 4
    assert "a matrix is one frame" in capsys.readouterr().err


@pytest.mark.parametrize("extra, words", [(["--bank", "resources/notes/vertical_edge.bank.json"], "--bank"),
                                          ([], "9×9 is larger")])
def test_export_refuses_a_bad_network_before_writing(tmp_path, capsys, extra, words):
    network = "8x8x3 conv:f=9,k=2" if not extra else LENET_SPEC
    assert export_main(["--source", "demo", "--network", network, "--out", str(tmp_path / "x"), *extra]) == 2
    assert words in capsys.readouterr().err and not (tmp_path / "x").exists()
