"""Source specs: parsing every form, refusing bad ones, and opening the right source."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

import playground.sources as sources
from playground.sources import (
    DemoSource,
    ImageSource,
    SourceError,
    VideoSource,
    WebcamSource,
    open_source,
    parse_source_spec,
)


@pytest.fixture
def png(tmp_path) -> Path:
    path = tmp_path / "red.png"
    picture = np.zeros((6, 8, 3), np.uint8)
    picture[..., 2] = 255
    assert cv2.imwrite(str(path), picture)
    return path


def test_public_api_is_exported():
    for name in ("Source", "SourceError", "open_source", "parse_source_spec", "sample_images", "DemoSource",
                 "ImageSource", "VideoSource", "WebcamSource", "demo_frame"):  # fmt: skip
        assert name in sources.__all__
        assert getattr(sources, name) is not None


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("demo", ("demo", None)),
        ("  Demo ", ("demo", None)),
        ("webcam", ("webcam", 0)),
        ("webcam:0", ("webcam", 0)),
        ("webcam:12", ("webcam", 12)),
        ("WEBCAM: 3", ("webcam", 3)),
        ("sample:city", ("sample", "city")),
        ("sample:Shapes", ("sample", "shapes")),
    ],
)
def test_parse_keywords(spec, expected):
    assert parse_source_spec(spec) == expected


def test_parse_paths(tmp_path, png):
    assert parse_source_spec(str(png)) == ("image", png)
    clip = tmp_path / "clip.MKV"
    clip.write_bytes(b"x")
    assert parse_source_spec(str(clip)) == ("video", clip)
    odd = tmp_path / "data.bin"
    odd.write_bytes(b"x")
    assert parse_source_spec(str(odd)) == ("file", odd)


def test_parse_expands_home(monkeypatch, tmp_path, png):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert parse_source_spec("~/red.png") == ("image", png)


@pytest.mark.parametrize("spec", ["", "   ", "webcam:", "webcam:-1", "webcam:one", "webcam:1.5", "webcam:²"])
def test_parse_refuses_bad_forms_and_lists_the_good_ones(spec):
    with pytest.raises(SourceError) as caught:
        parse_source_spec(spec)
    message = str(caught.value)
    assert "'demo'" in message and "'webcam:N'" in message and "sample:NAME" in message and "path" in message


def test_parse_refuses_unknown_sample():
    with pytest.raises(SourceError) as caught:
        parse_source_spec("sample:unicorn")
    assert "'unicorn'" in str(caught.value) and "city" in str(caught.value)  # lists the real names


def test_parse_refuses_missing_path_and_folder(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        parse_source_spec(str(tmp_path / "missing.png"))
    with pytest.raises(SourceError, match="folder"):
        parse_source_spec(str(tmp_path))


def test_open_demo():
    with open_source("demo") as source:
        assert isinstance(source, DemoSource)
        assert source.read().shape == (480, 640, 3)
    with open_source("demo", downscale=2) as source:
        assert source.read().shape == (240, 320, 3)


def test_open_webcam_uses_number_and_resolution(monkeypatch, fake_capture, make_bgr):
    opened = {}

    def fake_open_camera(index):
        opened["index"] = index
        opened["capture"] = fake_capture([make_bgr(0, 0, 255)])
        return opened["capture"]

    monkeypatch.setattr("playground.sources.webcam.open_camera", fake_open_camera)
    with open_source("webcam:1", webcam_resolution=(320, 240), downscale=2) as source:
        assert isinstance(source, WebcamSource) and source.spec == "webcam:1"
        assert opened["index"] == 1
        assert opened["capture"].settings[cv2.CAP_PROP_FRAME_WIDTH] == 320
        assert source.read().shape == (24, 32, 3)


def test_open_webcam_bad_resolution_is_a_source_error(monkeypatch, fake_capture, make_bgr):
    monkeypatch.setattr("playground.sources.webcam.open_camera", lambda i: fake_capture([make_bgr(0, 0, 0)]))
    with pytest.raises(SourceError, match="resolution"):
        open_source("webcam", webcam_resolution=(0, 0))


def test_open_image_and_reopen_from_its_spec(png, monkeypatch, tmp_path):
    source = open_source(str(png), max_side=4)
    assert isinstance(source, ImageSource) and source.read().shape == (3, 4, 3)
    monkeypatch.chdir(tmp_path.parent)  # the spec is absolute: it reopens from anywhere
    again = open_source(source.spec)
    np.testing.assert_array_equal(again.read()[0, 0], [1.0, 0.0, 0.0])


def test_open_image_with_unknown_extension(tmp_path, png):
    odd = tmp_path / "picture.dat"
    odd.write_bytes(png.read_bytes())
    assert isinstance(open_source(str(odd)), ImageSource)


def test_open_video_by_extension_and_by_content(tmp_path, small_video):
    with open_source(str(small_video)) as source:
        assert isinstance(source, VideoSource)
    disguised = tmp_path / "clip.bin"
    disguised.write_bytes(small_video.read_bytes())
    with open_source(str(disguised)) as source:
        assert isinstance(source, VideoSource)
        assert source.read().shape == (48, 64, 3)


def test_open_text_file(tmp_path):
    # a .txt file is read as a matrix of numbers: words are refused with their line
    for name, expected in (("notes.txt", "line 1: 'plain' (number 1) is not a number"),
                           ("notes.bin", "neither an image nor a video"), ("notes.png", "not an image")):
        path = tmp_path / name
        path.write_text("plain words")
        with pytest.raises(SourceError) as caught:
            open_source(str(path))
        assert str(path) in str(caught.value) and expected in str(caught.value)


def test_a_txt_path_opens_as_a_matrix(tmp_path):
    path = tmp_path / "edge.txt"
    path.write_text("10 10 0 0\n10 10 0 0\n")
    with open_source(str(path)) as source:
        assert source.kind == "matrix" and source.spec == f"matrix:{path}"
        assert source.read()[:, :, 0].tolist() == [[10, 10, 0, 0], [10, 10, 0, 0]]


def test_open_empty_file(tmp_path):
    for name in ("empty.xyz", "empty.png", "empty.mp4"):
        path = tmp_path / name
        path.touch()
        with pytest.raises(SourceError, match="empty"):
            open_source(str(path))


def test_open_sample():
    with open_source("sample:city") as source:
        assert isinstance(source, ImageSource)
        assert source.spec == "sample:city"
        assert source.read().shape == (600, 800, 3)


@pytest.mark.parametrize("kwargs", [dict(downscale=5), dict(downscale=0), dict(max_side=0)])
def test_open_refuses_bad_options_as_source_error(kwargs):
    with pytest.raises(SourceError):
        open_source("demo", **kwargs)
