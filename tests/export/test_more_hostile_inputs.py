"""Weights headers numpy cannot parse, and recordings killed mid-way: a clear error, nothing left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from playground.export import BankFileError, record_frames, weights_from_npy

REPO = Path(__file__).resolve().parents[2]


def npy_with_raw_header(path: Path, header: str) -> Path:
    header += " " * (118 - len(header)) + "\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + b"\0" * 64)
    return path


@pytest.mark.parametrize("header", [
    "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 3, 3)))))}",      # brackets that do not match
    "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 3, 3), 'x': '''a}",  # a string never closed
], ids=["brackets", "string"])
def test_a_header_numpy_cannot_tokenize_is_a_damaged_file(tmp_path, header):
    # numpy's tokenizer raises tokenize.TokenError, which is no ValueError: it escaped as a traceback
    with pytest.raises(BankFileError, match=r"weights file .*: a damaged \.npy file"):
        weights_from_npy(npy_with_raw_header(tmp_path / "w.npy", header), "pytorch")


_RECORD_FOREVER = """
import sys, time, numpy as np
from playground.export import VideoRecorder
recorder = VideoRecorder(sys.argv[1], fps=10)
recorder.write(np.zeros((48, 64, 3), np.uint8))
print("recording", flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL")
def test_a_killed_recording_leaves_no_temp_video_after_the_next_one(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-c", _RECORD_FOREVER, str(tmp_path / "killed.mp4")], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "recording", process.stderr.read()
        left = [p.name for p in tmp_path.iterdir()]
        assert len(left) == 1 and ".tmp-" in left[0], left  # the killed run's hidden temp video
    finally:
        process.kill()
        process.communicate(timeout=60)
    # the next recording in that folder sweeps it (the killed process is gone: its file is no one's)
    record_frames(tmp_path / "next.mp4", [np.zeros((48, 64, 3), np.uint8)], fps=10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["next.mp4"]


@pytest.mark.parametrize("out", ["~", "~/"])
def test_out_naming_a_home_folder_is_refused_not_written_beside_it(tmp_path, monkeypatch, capsys, out):
    # "~" expanded to the home folder, which exists: the export went to <home>-2, outside it
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    from playground.export.cli import main

    assert main(["--source", "demo", "--out", out, "--backend", "numpy"]) == 2
    assert "give the name of a new folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"] and not any(home.iterdir())


def test_out_naming_another_users_home_is_refused_before_anything_runs():
    # checked on the name alone: "~root" expands through the password database, not $HOME, so
    # running the export here would write beside the real /root when the check is missing
    from playground.export import cli

    with pytest.raises(cli._UsageError, match="give the name of a new folder"):
        cli._out_folder("~root")


def test_numpy_refusing_a_large_array_for_want_of_space_says_the_disk_is_full(tmp_path):
    # numpy preallocates a large .npy and raises OSError without an errno when the disk has no
    # room: the export said "not enough free space to write 117964800 bytes after offset 128"
    from playground.export.atomic import ExportError, atomic_write

    def write(_handle):
        raise OSError("Not enough free space to write 117964800 bytes after offset 128")

    with pytest.raises(ExportError, match=r"cannot write '.*maps\.npy': the disk is full$"):
        atomic_write(tmp_path / "maps.npy", write)
    assert list(tmp_path.iterdir()) == []


_VideoWriter = cv2.VideoWriter


class _WriterCutShort:
    """cv2.VideoWriter whose file ends early, as when the disk fills: OpenCV reports nothing."""

    def __init__(self, path, *args):
        self._path, self._writer = path, _VideoWriter(path, *args)

    def isOpened(self):
        return self._writer.isOpened()

    def write(self, frame):
        self._writer.write(frame)

    def release(self):
        self._writer.release()
        size = os.path.getsize(self._path)
        with open(self._path, "r+b") as handle:
            handle.truncate(size // 2)


@pytest.mark.parametrize("name", ["clip.mp4", "clip.avi"])
@pytest.mark.parametrize(("full", "says"), [(True, "the disk is full"),
                                            (False, "the encoder could not finish the file")], ids=["full", "other"])
def test_a_video_cut_short_by_the_writer_is_an_error_not_a_recording(tmp_path, monkeypatch, name, full, says):
    # with a full disk the export said "recorded 60 frames", exit 0, and left an unplayable file
    from playground.export import ExportError, recording

    monkeypatch.setattr(recording.cv2, "VideoWriter", _WriterCutShort)
    monkeypatch.setattr(recording, "_disk_full", lambda folder: full)
    frames = [np.full((48, 64, 3), 10 * i, np.uint8) for i in range(20)]
    with pytest.raises(ExportError, match=f"cannot finish '.*{name}': {says}$"):
        record_frames(tmp_path / name, frames, fps=10)
    assert list(tmp_path.iterdir()) == []


def test_bank_and_network_files_saved_with_a_bom_load(tmp_path):
    # Notepad's "UTF-8" puts a byte-order mark first; it was "not valid JSON: Unexpected UTF-8 BOM (decode using
    # utf-8-sig)", a message only a Python programmer can act on
    from playground.export import load_bank, save_bank
    from playground.export.network_io import load_network, save_network
    from playground.kernels import starter_bank
    from playground.live.snapshot import Snapshot

    bank_path, network_path = tmp_path / "bank.json", tmp_path / "network.json"
    save_bank(starter_bank(), bank_path)
    save_network(Snapshot().network, network_path)
    for path in (bank_path, network_path):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_bank(bank_path) == starter_bank()
    assert load_network(network_path) == Snapshot().network
