"""Interrupted exports and saves leave nothing behind, and what a killed run left is swept by the next."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from playground.export import StagedFolder, save_bank
from playground.export.atomic import STALE_AFTER_S, staging_name, sweep_stale
from playground.kernels import starter_bank

REPO = Path(__file__).resolve().parents[2]
HOUR_AGO = time.time() - STALE_AFTER_S - 60


def start_long_export(parent: Path) -> subprocess.Popen:
    """A headless export of many demo frames, in its own process; returns once its staging folder exists."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-m", "playground.export", "--source", "demo", "--frames", "300", "--out",
         str(parent / "maps"), "--backend", "numpy", "--no-contact-sheet"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(".partial-" in p.name for p in parent.iterdir()):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the export did not start: {process.communicate()}")
        time.sleep(0.05)
    time.sleep(0.3)  # into the frames, with files being written
    return process


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_an_export_stopped_by_a_signal_leaves_nothing(tmp_path, leftovers, signum):
    process = start_long_export(tmp_path)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1].startswith("kernel-playground export: error: interrupted"), err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == [] and leftovers(tmp_path) == []


def test_a_staging_folder_left_by_a_killed_export_is_swept_by_the_next(tmp_path, leftovers):
    process = start_long_export(tmp_path)
    process.kill()  # SIGKILL: no handler runs, the staging folder stays
    process.communicate(timeout=60)
    assert len(leftovers(tmp_path)) >= 1
    with StagedFolder(tmp_path, "again") as staged:
        (staged.path / "a.txt").write_text("x")
        final = staged.commit()
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [final.name]


def test_sweep_keeps_live_runs_and_foreign_names(tmp_path):
    mine_alive = tmp_path / staging_name("live", os.getpid())
    mine_alive.mkdir()
    foreign = [tmp_path / "notes.partial-draft", tmp_path / "maps.partial-abc", tmp_path / "photo.tmp-1.png"]
    foreign[0].mkdir()
    foreign[1].mkdir()
    foreign[2].write_text("not ours")
    for path in foreign:
        os.utime(path, (HOUR_AGO, HOUR_AGO))
    recent_old_style = tmp_path / "maps.partial-0a1b2c"  # no PID in the name: only age tells
    recent_old_style.mkdir()
    sweep_stale(tmp_path)
    assert all(path.exists() for path in [mine_alive, recent_old_style, *foreign])


def test_sweep_removes_old_or_orphaned_staging_and_temp_files(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    orphan = tmp_path / staging_name("maps", int(dead))
    (orphan / "per_channel").mkdir(parents=True)
    (orphan / "maps.npy").write_bytes(b"x" * 100)
    old_style = tmp_path / "maps.partial-0a1b2c"
    old_style.mkdir()
    os.utime(old_style, (HOUR_AGO, HOUR_AGO))
    old_temp = tmp_path / ".bank.tmp-0a1b2c3d.json"
    old_temp.write_text("{")
    os.utime(old_temp, (HOUR_AGO, HOUR_AGO))
    fresh_temp = tmp_path / ".bank.tmp-4e5f6a7b.json"  # another run may be writing it right now
    fresh_temp.write_text("{")
    sweep_stale(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [fresh_temp.name]


def test_saving_a_bank_sweeps_old_temp_files_of_killed_saves(tmp_path):
    old_temp = tmp_path / ".bank.tmp-0a1b2c3d.json"
    old_temp.write_text("{half a bank")
    os.utime(old_temp, (HOUR_AGO, HOUR_AGO))
    save_bank(starter_bank(), tmp_path / "bank.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank.json"]


def test_a_signal_in_process_restores_the_previous_handlers(tmp_path, capsys):
    from playground.export.cli import main

    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    assert main(["--source", "demo", "--out", str(tmp_path / "o"), "--backend", "numpy", "--no-per-channel"]) == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before
