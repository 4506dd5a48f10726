"""A video whose file ends before its header says: the export stops at the last real frame and says so."""

from __future__ import annotations

import json

import numpy as np

from playground.export.cli import main


def test_frames_past_the_end_are_not_copies_of_the_first(tmp_path, capsys, truncated_video):
    path, readable, claimed = truncated_video
    out = tmp_path / "maps"
    code = main(["--source", str(path), "--out", str(out), "--frames", str(claimed), "--backend", "numpy",
                 "--no-per-channel", "--no-contact-sheet"])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    folders = sorted(p.name for p in out.iterdir())
    assert folders == [f"frame-{i:04d}" for i in range(1, readable + 1)]
    assert f"exported {readable} frames" in stdout
    assert f"the video ended after {readable} frames" in err and f"{claimed}" in err
    firsts = [np.load(out / name / "frame.npy")[0, 0] for name in folders]
    assert len({tuple(np.round(colour, 2)) for colour in firsts}) == readable  # no frame repeated
    assert json.loads((out / folders[-1] / "meta.json").read_text())["source"] == str(path)
