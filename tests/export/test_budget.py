"""One export stays under a stated memory budget: estimated before computing, per-channel maps dropped
or the export refused (with the figures) beyond it; TIFF pages are written one at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from playground.engine.layer import LayerSettings, PoolSettings
from playground.export import atomic, budget, save_bank
from playground.export.atomic import atomic_write_tiff
from playground.export.budget import MEMORY_BUDGET, export_cost, size_text
from playground.export.cli import build_parser, main
from playground.kernels import Filter, FilterBank

FAST = ["--backend", "numpy", "--no-contact-sheet"]
REPO = Path(__file__).resolve().parents[2]


def heavy_bank(k: int = 32, f: int = 11) -> FilterBank:
    rng = np.random.default_rng(0)
    return FilterBank(tuple(Filter(f"F{i}", rng.standard_normal((f, f, 3)).astype(np.float32)) for i in range(k)))


def test_the_heaviest_valid_export_fits_only_without_per_channel_maps():
    """A 12000² picture is fitted to 1920² before the engine; 32 filters 11×11, dilation 8, TIFF."""
    cost = export_cost((1920, 1920, 3), heavy_bank(), LayerSettings(dilation=8), tiff=True)
    assert cost.total(per_channel=True) > MEMORY_BUDGET >= cost.total(per_channel=False)
    assert cost.maps == 1920 * 1920 * 32 * 4 and cost.per_channel >= 1920 * 1920 * 3 * 32 * 4


def test_cost_follows_the_output_shape():
    bank = heavy_bank(8, 3)
    same = export_cost((480, 640, 3), bank, LayerSettings())
    strided = export_cost((480, 640, 3), bank, LayerSettings(stride=2, padding="valid"))
    assert same.maps == 480 * 640 * 8 * 4 and strided.maps == 239 * 319 * 8 * 4
    pooled = export_cost((480, 640, 3), bank, LayerSettings(pool=PoolSettings()))
    assert pooled.pooled == 240 * 320 * 8 * 4


@pytest.mark.parametrize(("size", "text"), [(1_500_000_000, "1.5 GB"), (354_000_000, "354 MB"), (2.04e9, "2.0 GB")])
def test_size_text(size, text):
    assert size_text(size) == text


def test_help_states_the_budget(capsys):
    assert main(["--help"]) == 0
    assert f"{size_text(MEMORY_BUDGET)}" in capsys.readouterr().out
    assert any(size_text(MEMORY_BUDGET) in (action.help or "") for action in build_parser()._actions)


def test_per_channel_maps_over_the_budget_are_left_out_with_a_note(tmp_path, capsys, monkeypatch):
    demo = export_cost((480, 640, 3), heavy_bank(8, 3), LayerSettings())  # the starter bank's shape
    monkeypatch.setattr(budget, "MEMORY_BUDGET", (demo.total(False) + demo.total(True)) // 2)
    code = main(["--source", "demo", "--out", str(tmp_path / "o"), *FAST])
    out, err = capsys.readouterr()
    assert code == 0, err
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert "maps.npy" in names and "per_channel.npy" not in names and "per_channel" not in names
    note = [line for line in err.splitlines() if "per-channel" in line]
    assert len(note) == 1 and size_text(demo.total(True)) in note[0] and "budget" in note[0]
    meta = json.loads((tmp_path / "o" / "meta.json").read_text())
    assert "per_channel.npy" not in meta["arrays"]


def test_an_export_over_the_budget_even_without_per_channel_maps_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(budget, "MEMORY_BUDGET", 10_000_000)
    code = main(["--source", "demo", "--out", str(tmp_path / "o"), *FAST])
    err = capsys.readouterr().err
    assert code == 2
    line = err.strip().splitlines()[-1]
    assert line.startswith("kernel-playground export: error: ") and "10 MB" in line and "480×640" in line
    assert list(tmp_path.iterdir()) == []


def test_tiff_pages_may_be_views_and_come_back_exact(tmp_path):
    maps = np.random.default_rng(1).standard_normal((30, 8, 20)).astype(np.float32).transpose(0, 2, 1)  # (h, w, K)
    pages = [maps[:, :, i] for i in range(8)]  # strided views, as the engine's maps give them
    ok, read = cv2.imreadmulti(str(atomic_write_tiff(tmp_path / "m.tiff", pages)), flags=cv2.IMREAD_UNCHANGED)
    assert ok and len(read) == 8
    for page, back in zip(pages, read, strict=True):
        assert back.dtype == np.float32 and np.array_equal(back, page)


def test_tiff_writer_holds_one_page_at_a_time(tmp_path, monkeypatch):
    """No list of contiguous copies, no encoded buffer of the whole file: pages are written as they come."""
    seen = []

    def pages():
        for i in range(3):
            seen.append(i)
            yield np.full((4, 5), i, np.float32)

    monkeypatch.setattr(atomic.cv2, "imencodemulti", None, raising=False)
    monkeypatch.setattr(atomic.cv2, "imwritemulti", None, raising=False)
    ok, read = cv2.imreadmulti(str(atomic_write_tiff(tmp_path / "g.tiff", pages())), flags=cv2.IMREAD_UNCHANGED)
    assert ok and [float(page[0, 0]) for page in read] == [0.0, 1.0, 2.0] and seen == [0, 1, 2]


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads the peak from /proc (Linux)")
def test_measured_peak_stays_under_the_estimate(tmp_path):
    """In a process of its own: the export's peak RSS is no more than :func:`export_cost` said."""
    # VmHWM, not getrusage's ru_maxrss: subprocess starts the child with vfork, and
    # Linux carries the parent's peak (this pytest process, hundreds of MB after the
    # engine tests) into the child's ru_maxrss at exec. VmHWM belongs to the child's own memory.
    script = (
        "import sys\n"
        "from playground.export.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1].split()\n"
        "print(int(status[0]) * 1024)\n"  # kB
        "raise SystemExit(code)\n"
    )
    bank = save_bank(heavy_bank(16, 7), tmp_path / "bank.json")
    argv = ["--source", "demo", "--out", str(tmp_path / "o"), "--bank", str(bank), "--dilation", "4", "--tiff",
            "--backend", "numpy"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    peak = int(done.stdout.split()[-1])
    estimate = export_cost((480, 640, 3), heavy_bank(16, 7), LayerSettings(dilation=4), tiff=True).total(True)
    assert (tmp_path / "o" / "per_channel.npy").is_file()
    assert peak <= estimate, f"peak {size_text(peak)} over the estimate {size_text(estimate)}"


def test_the_apps_export_refuses_per_channel_maps_past_the_budget(tmp_path, monkeypatch, render, leftovers):
    from playground.export import ExportError, export_frame

    rendered = render()
    cost = export_cost(rendered.frame.shape, rendered.snapshot.bank, rendered.snapshot.layer)
    monkeypatch.setattr(budget, "MEMORY_BUDGET", (cost.total(False) + cost.total(True)) // 2)
    with pytest.raises(ExportError, match=f"per-channel maps would need about {size_text(cost.total(True))}"):
        export_frame(rendered, tmp_path, name="m")
    assert list(tmp_path.iterdir()) == []
    folder = export_frame(rendered, tmp_path, name="m", per_channel=False)
    assert (folder / "maps.npy").is_file() and leftovers(tmp_path) == []
    monkeypatch.setattr(budget, "MEMORY_BUDGET", 1_000_000)
    with pytest.raises(ExportError, match="would need about .* more than the 1 MB an export may use"):
        export_frame(rendered, tmp_path, name="n", per_channel=False)
