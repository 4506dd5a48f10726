"""The bundled sample pictures: present, decodable, varied, licensed, small."""

from __future__ import annotations

import numpy as np
import pytest

from playground.sources import ImageSource, sample_images
from playground.sources.samples import resources_dir


def test_three_named_samples_are_found():
    samples = sample_images()
    assert list(samples) == ["city", "shapes", "texture"]
    for path in samples.values():
        assert path.is_absolute() and path.is_file()
        assert path.parent.name == "samples"


def test_resources_found_from_a_checkout():
    base = resources_dir()
    assert base is not None and (base / "samples" / "LICENSE.txt").is_file()


@pytest.mark.parametrize("name", ["city", "shapes", "texture"])
def test_each_sample_is_a_colourful_picture_with_edges(name):
    source = ImageSource(sample_images()[name])
    frame = source.read()
    assert frame.shape == (600, 800, 3)
    assert source.notices == ()  # plain 8-bit colour, no conversions to report
    r, g, b = frame[..., 0], frame[..., 1], frame[..., 2]
    assert min(np.abs(r - g).mean(), np.abs(g - b).mean(), np.abs(r - b).mean()) > 0.03  # channels differ
    grey = frame.mean(axis=2)
    # Strong edges in both directions, in many places.
    assert (np.abs(np.diff(grey, axis=1)) > 0.25).sum() > 1000
    assert (np.abs(np.diff(grey, axis=0)) > 0.25).sum() > 1000


def test_samples_are_licensed_and_small():
    folder = resources_dir() / "samples"
    licence = (folder / "LICENSE.txt").read_text()
    assert "CC0 1.0" in licence and "make_samples.py" in licence
    total = sum(path.stat().st_size for path in sample_images().values())
    assert total < 1.5 * 1024 * 1024


def test_resources_dir_takes_the_first_folder_with_our_samples(monkeypatch, tmp_path):
    import playground.sources.samples as samples_module

    stray, ours = tmp_path / "stray", tmp_path / "ours"
    (stray / "samples").mkdir(parents=True)  # a folder named so, but not ours: no LICENSE.txt
    (ours / "samples").mkdir(parents=True)
    (ours / "samples" / "LICENSE.txt").write_text("CC0 1.0")
    (ours / "samples" / "b.png").write_bytes(b"x")
    (ours / "samples" / "a.jpg").write_bytes(b"x")
    (ours / "samples" / "notes.md").write_text("not a picture")
    monkeypatch.setattr(samples_module, "_candidates", lambda: [stray, ours])
    assert samples_module.resources_dir() == ours
    assert list(sample_images()) == ["a", "b"]

    monkeypatch.setattr(samples_module, "_candidates", lambda: [stray])
    assert samples_module.resources_dir() is None
    assert sample_images() == {}
