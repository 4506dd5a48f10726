"""Exporting a computed frame: files, raw arrays equal to the engine, PNGs as displayed, no half exports."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from playground.engine import conv2d, conv2d_per_channel, pool2d
from playground.engine.layer import LayerSettings, PoolSettings
from playground.export import ExportError, export_frame
from playground.export import maps_export as maps_export_module
from playground.export.small_maps import enlarge_small
from playground.live.processor import FrameProcessor
from playground.live.snapshot import Snapshot, ViewSettings
from playground.render.colormaps import DIVERGING, SEQUENTIAL, lut
from playground.render.levels import LevelPolicy, compute_levels
from playground.render.mosaic import to_indices
from playground.sources import demo_frame

POOLED = LayerSettings(activation="relu", pool=PoolSettings("max", 2, 2))
META_KEYS = {"source", "frame_shape", "input_range", "timestamp", "backend", "names", "weights", "bias", "stride",
             "padding", "dilation", "flip", "activation", "pool", "arrays"}


def read_png(path) -> np.ndarray:
    picture = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert picture is not None, path
    return cv2.cvtColor(picture, cv2.COLOR_BGR2RGB)


def test_export_writes_every_file_with_readable_names(tmp_path, render):
    folder = export_frame(render(POOLED), tmp_path, name="maps", tiff=True, source_text="demo")
    assert folder == tmp_path / "maps"
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"01_vertical-edge.png", "03_sobel-x.png", "08_red-channel-edge.png"} <= names
    assert {"per_channel/03_sobel-x_R.png", "per_channel/03_sobel-x_B.png", "pooled/03_sobel-x.png"} <= names
    assert {"maps.npy", "per_channel.npy", "pooled.npy", "frame.npy", "maps.tiff", "pooled.tiff",
            "contact_sheet.png", "input.png", "meta.json"} <= names
    assert len([n for n in names if "/" not in n and n.endswith(".png") and n[:2].isdigit()]) == 8
    assert len([n for n in names if n.startswith("per_channel/")]) == 24
    assert len([n for n in names if n.startswith("pooled/")]) == 8


def test_options_leave_files_out(tmp_path, render):
    folder = export_frame(render(POOLED), tmp_path, name="m", per_channel=False, pooled=False,
                          contact_sheet=False)
    names = {p.name for p in folder.iterdir()}
    assert not {"per_channel", "per_channel.npy", "pooled", "pooled.npy", "contact_sheet.png", "maps.tiff"} & names
    assert "pooled.npy" not in json.loads((folder / "meta.json").read_text())["arrays"]


def test_without_pooling_there_are_no_pooled_files(tmp_path, render):
    folder = export_frame(render(), tmp_path, name="m")
    assert not (folder / "pooled").exists() and not (folder / "pooled.npy").exists()
    assert json.loads((folder / "meta.json").read_text())["pool"] is None


def test_meta_json_has_the_documented_keys(tmp_path, render):
    rendered = render(POOLED)
    folder = export_frame(rendered, tmp_path, name="m", source_text="/pictures/cat.png")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert META_KEYS <= set(meta)
    assert meta["source"] == "/pictures/cat.png"
    assert meta["frame_shape"] == [48, 64, 3] and meta["input_range"] == [0.0, 1.0]
    assert meta["backend"] == "numpy"
    assert meta["names"][2] == "Sobel x" and len(meta["names"]) == 8
    assert np.array(meta["weights"]).shape == (3, 3, 3, 8)
    assert len(meta["bias"]) == 8
    assert meta["stride"] == [1, 1] and meta["padding"] == [[1, 1], [1, 1]] and meta["dilation"] == [1, 1]
    assert meta["flip"] is False and meta["activation"] == "relu"
    assert meta["pool"] == {"mode": "max", "size": 2, "stride": 2}
    assert meta["arrays"] == {"maps.npy": [48, 64, 8], "per_channel.npy": [48, 64, 3, 8],
                              "pooled.npy": [24, 32, 8], "frame.npy": [48, 64, 3]}
    for name, shape in meta["arrays"].items():
        assert list(np.load(folder / name).shape) == shape


@pytest.mark.parametrize(
    "layer",
    [
        LayerSettings(),
        LayerSettings(padding="valid", stride=2, activation="relu", pool=PoolSettings("max", 2, 2)),
        LayerSettings(padding="same", stride=3, dilation=2, flip=True, activation="abs",
                      pool=PoolSettings("avg", 3, 1)),
        LayerSettings(padding=((0, 2), (1, 0)), activation="relu"),
    ],
)
def test_npy_equals_conv2d_with_the_weights_from_meta(tmp_path, render, layer):
    folder = export_frame(render(layer), tmp_path, name="m")
    meta = json.loads((folder / "meta.json").read_text())
    x = np.load(folder / "frame.npy")
    w = np.array(meta["weights"], np.float32)
    b = np.array(meta["bias"], np.float32)
    expected = conv2d(x, w, b, stride=meta["stride"], padding=meta["padding"], dilation=meta["dilation"],
                      flip=meta["flip"])
    if meta["activation"] == "relu":
        expected = np.maximum(expected, 0)
    elif meta["activation"] == "abs":
        expected = np.abs(expected)
    maps = np.load(folder / "maps.npy")
    assert maps.dtype == np.float32 and maps.shape == expected.shape
    np.testing.assert_allclose(maps, expected, rtol=1e-5, atol=1e-5)
    contributions = conv2d_per_channel(x, w, b, stride=meta["stride"], padding=meta["padding"],
                                       dilation=meta["dilation"], flip=meta["flip"])
    np.testing.assert_allclose(np.load(folder / "per_channel.npy"), contributions, rtol=1e-5, atol=1e-5)
    if meta["pool"] is not None:
        pool = meta["pool"]
        pooled = pool2d(np.load(folder / "maps.npy"), pool["size"], pool["stride"], mode=pool["mode"])
        np.testing.assert_allclose(np.load(folder / "pooled.npy"), pooled, rtol=1e-6, atol=1e-6)


def test_frame_npy_is_what_the_engine_saw(tmp_path, render):
    rendered = render()
    folder = export_frame(rendered, tmp_path, name="m")
    assert np.array_equal(np.load(folder / "frame.npy"), rendered.frame)
    assert np.array_equal(read_png(folder / "input.png"), rendered.input_rgb)


def test_pngs_use_the_displayed_colours_and_levels(tmp_path, render):
    rendered = render(POOLED, view=ViewSettings(levels=LevelPolicy("percentile", 95.0)))
    folder = export_frame(rendered, tmp_path, name="m")
    meta = json.loads((folder / "meta.json").read_text())
    for key, sub in (("filters", ""), ("channels", "per_channel/"), ("pooled", "pooled/")):
        view = rendered.views[key]
        table = lut(DIVERGING if view.signed else SEQUENTIAL)
        files = meta["images"][key]["files"]
        assert len(files) == len(view.titles)
        np.testing.assert_array_equal(meta["images"][key]["levels"], view.levels)
        for i, name in enumerate(files):
            assert name.startswith(sub)
            low, high = view.levels[i]
            expected = table[to_indices(np.ascontiguousarray(view.tile(i)), low, high)]
            # maps under 64 pixels are written enlarged, crisp, with their numbers (issue 11)
            expected = enlarge_small(expected, view.tile(i))
            assert np.array_equal(read_png(folder / name), expected), name
    # signed maps (per channel) use the diverging table, ReLU maps the sequential one
    assert meta["images"]["channels"]["colormap"] == "diverging"
    assert meta["images"]["filters"]["colormap"] == "sequential"


def test_pngs_match_the_screen_mosaic_at_full_scale(tmp_path, render):
    rendered = render(view=ViewSettings(display_scale=1.0))
    folder = export_frame(rendered, tmp_path, name="m")
    files = json.loads((folder / "meta.json").read_text())["images"]["filters"]["files"]
    view = rendered.views["filters"]
    for i, name in enumerate(files):
        y, x = view.layout.origin(i)
        on_screen = view.pixels[y:y + view.layout.tile_h, x:x + view.layout.tile_w]
        assert np.array_equal(read_png(folder / name), lut(DIVERGING)[on_screen]), name


def test_eased_levels_of_live_video_are_the_ones_exported(tmp_path):
    """While levels ease from frame to frame, the export uses what is on screen, not a fresh computation."""
    processor = FrameProcessor()
    snapshot = Snapshot(layer=LayerSettings(activation="relu"))
    bright = demo_frame(48, 64, t=1.0)
    processor.process(bright, snapshot, smooth=True)
    rendered = processor.process(bright * 0.25, snapshot, smooth=True)  # levels fall gradually
    view = rendered.views["filters"]
    fresh = compute_levels(np.ascontiguousarray(view.values[::4, ::4]), snapshot.view.levels, False, step=1)
    assert not np.allclose(view.levels, fresh)  # the case this test is about
    folder = export_frame(rendered, tmp_path, name="m")
    files = json.loads((folder / "meta.json").read_text())["images"]["filters"]["files"]
    for i, name in enumerate(files):
        low, high = view.levels[i]
        expected = lut(SEQUENTIAL)[to_indices(np.ascontiguousarray(view.tile(i)), low, high)]
        assert np.array_equal(read_png(folder / name), expected), name


def test_views_the_app_did_not_draw_are_computed(tmp_path, render):
    rendered = render(POOLED, view=ViewSettings(per_channel=False, pooled=False))
    assert "channels" not in rendered.views and "pooled" not in rendered.views
    folder = export_frame(rendered, tmp_path, name="m")
    meta = json.loads((folder / "meta.json").read_text())
    x, w, b = np.load(folder / "frame.npy"), np.array(meta["weights"], np.float32), np.array(meta["bias"], np.float32)
    np.testing.assert_allclose(np.load(folder / "per_channel.npy"), conv2d_per_channel(x, w, b, padding="same"),
                               rtol=1e-5, atol=1e-5)
    assert np.load(folder / "pooled.npy").shape == (24, 32, 8)
    assert len(list((folder / "per_channel").iterdir())) == 24 and len(list((folder / "pooled").iterdir())) == 8
    levels = np.array(meta["images"]["channels"]["levels"])
    assert levels.shape == (24, 2) and np.allclose(levels[:, 0], -levels[:, 1])  # signed: symmetric


def test_tiff_pages_are_the_float_maps(tmp_path, render):
    folder = export_frame(render(POOLED), tmp_path, name="m", tiff=True)
    maps = np.load(folder / "maps.npy")
    ok, pages = cv2.imreadmulti(str(folder / "maps.tiff"), flags=cv2.IMREAD_UNCHANGED)
    assert ok and len(pages) == 8
    for k, page in enumerate(pages):
        assert page.dtype == np.float32 and np.array_equal(page, maps[:, :, k])
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["arrays"]["maps.tiff"] == [8, 48, 64]


def test_contact_sheet_shows_every_map(tmp_path, render):
    folder = export_frame(render(POOLED), tmp_path, name="m")
    sheet = read_png(folder / "contact_sheet.png")
    # input + 8 maps + 24 per-channel + 8 pooled tiles: per channel is 8 wide at 64 px + gaps
    assert sheet.shape[1] >= 8 * 64 and sheet.shape[0] >= 48 * (1 + 1 + 3 + 1)
    assert len(np.unique(sheet.reshape(-1, 3), axis=0)) > 50


def test_existing_export_is_never_overwritten(tmp_path, render):
    first = export_frame(render(), tmp_path, name="maps")
    before = (first / "maps.npy").read_bytes()
    second = export_frame(render(LayerSettings(activation="relu")), tmp_path, name="maps")
    assert (first.name, second.name) == ("maps", "maps-2")
    assert (first / "maps.npy").read_bytes() == before


def test_default_name_is_timestamped(tmp_path, render):
    folder = export_frame(render(), tmp_path)
    assert folder.parent == tmp_path and folder.name.startswith("maps-20")


def test_failed_export_leaves_nothing_behind(tmp_path, render, monkeypatch, leftovers):
    calls = []
    real = maps_export_module.atomic_write_png

    def fail_on_fifth(path, rgb):
        calls.append(path)
        if len(calls) == 5:
            raise ExportError(f"cannot write '{path}': the disk is full")
        return real(path, rgb)

    monkeypatch.setattr(maps_export_module, "atomic_write_png", fail_on_fifth)
    with pytest.raises(ExportError, match="the disk is full"):
        export_frame(render(POOLED), tmp_path, name="maps")
    assert len(calls) == 5
    assert list(tmp_path.iterdir()) == [] and leftovers(tmp_path) == []


def test_progress_counts_every_file(tmp_path, render):
    seen = []
    folder = export_frame(render(POOLED), tmp_path, name="m", progress=lambda done, total: seen.append((done, total)))
    total = seen[-1][1]
    assert [d for d, _ in seen] == list(range(1, total + 1))
    assert total == sum(1 for p in folder.rglob("*") if p.is_file())


def test_nothing_to_export(tmp_path, render):
    bad = render(LayerSettings(padding="valid", pool=PoolSettings("max", 16, 16)),
                 frame=np.zeros((8, 8, 3), np.float32))
    assert bad.error
    with pytest.raises(ExportError, match="nothing to export: pool window"):
        export_frame(bad, tmp_path)
    with pytest.raises(ExportError, match="nothing to export"):
        export_frame(None, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_missing_parent_folder(tmp_path, render):
    with pytest.raises(ExportError, match=r"cannot write to '.*missing': the folder does not exist"):
        export_frame(render(), tmp_path / "missing")
    assert list(tmp_path.iterdir()) == []


def test_parent_is_a_file(tmp_path, render):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    with pytest.raises(ExportError, match="it is a file, not a folder"):
        export_frame(render(), target)
    assert target.read_text() == "mine"


def test_unwritable_parent_folder(render, unwritable_dir):
    with pytest.raises(ExportError, match="permission denied"):
        export_frame(render(), unwritable_dir)
    assert list(unwritable_dir.iterdir()) == []
