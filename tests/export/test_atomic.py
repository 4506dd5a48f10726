"""Atomic files and staged folders: nothing half-written, nothing overwritten, clear errors."""

from __future__ import annotations

import errno
import os

import numpy as np
import pytest

from playground.export import atomic
from playground.export.atomic import (
    ExportError,
    StagedFolder,
    atomic_save_npy,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_png,
    atomic_write_tiff,
    check_folder,
    new_export_folder,
)


def test_new_export_folder_numbers_taken_names(tmp_path):
    assert new_export_folder(tmp_path, "maps") == tmp_path / "maps"
    (tmp_path / "maps").mkdir()
    assert new_export_folder(tmp_path, "maps") == tmp_path / "maps-2"
    (tmp_path / "maps-2").mkdir()
    (tmp_path / "maps-3").write_text("a file takes the name too")
    assert new_export_folder(tmp_path, "maps") == tmp_path / "maps-4"


@pytest.mark.parametrize("stem", ["", "a/b", "..", "."])
def test_bad_folder_names_are_refused(tmp_path, stem):
    with pytest.raises(ExportError, match="bad export folder name"):
        new_export_folder(tmp_path, stem)


def test_staged_folder_appears_only_when_committed(tmp_path):
    with StagedFolder(tmp_path, "maps") as staged:
        assert staged.path.parent == tmp_path and ".partial-" in staged.path.name
        atomic_write_bytes(staged.path / "a.bin", b"123")
        assert not (tmp_path / "maps").exists()
        final = staged.commit()
    assert final == tmp_path / "maps"
    assert (final / "a.bin").read_bytes() == b"123"
    assert [p.name for p in tmp_path.iterdir()] == ["maps"]


def test_second_export_gets_a_new_numbered_folder(tmp_path):
    for expected in ("maps", "maps-2", "maps-3"):
        with StagedFolder(tmp_path, "maps") as staged:
            atomic_write_bytes(staged.path / "x.txt", expected.encode())
            assert staged.commit().name == expected
    # the first export is untouched
    assert (tmp_path / "maps" / "x.txt").read_text() == "maps"


def test_commit_skips_a_folder_created_meanwhile(tmp_path):
    with StagedFolder(tmp_path, "maps") as staged:
        (tmp_path / "maps").mkdir()
        (tmp_path / "maps" / "theirs.txt").write_text("keep me")
        final = staged.commit()
    assert final.name == "maps-2"
    assert (tmp_path / "maps" / "theirs.txt").read_text() == "keep me"


def test_failure_inside_a_staged_folder_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError, match="boom"):
        with StagedFolder(tmp_path, "maps") as staged:
            atomic_write_bytes(staged.path / "a.bin", b"1")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_interrupt_inside_a_staged_folder_leaves_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with StagedFolder(tmp_path, "maps") as staged:
            atomic_write_bytes(staged.path / "a.bin", b"1")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_replaces_whole_and_leaves_no_temp(tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"old contents")
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def test_failed_write_keeps_the_old_file_and_removes_the_temp(tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"old contents")

    def half_then_fail(handle):
        handle.write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ExportError, match="the disk is full"):
        atomic.atomic_write(target, half_then_fail)
    assert target.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def test_npy_png_json_tiff_round_trip(tmp_path):
    array = np.random.default_rng(0).standard_normal((5, 6, 3)).astype(np.float32)
    assert np.array_equal(np.load(atomic_save_npy(tmp_path / "a.npy", array)), array)
    rgb = np.random.default_rng(1).integers(0, 256, (7, 9, 3), dtype=np.uint8)
    import cv2

    back = cv2.cvtColor(cv2.imread(str(atomic_write_png(tmp_path / "a.png", rgb))), cv2.COLOR_BGR2RGB)
    assert np.array_equal(back, rgb)
    atomic_write_json(tmp_path / "a.json", {"w": [[1.5, -2.0], [0.1, 3.0]], "s": "é"})
    text = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert "[1.5, -2.0]" in text and '"é"' in text
    pages = [array[:, :, i] for i in range(3)]
    ok, read = cv2.imreadmulti(str(atomic_write_tiff(tmp_path / "a.tiff", pages)), flags=cv2.IMREAD_UNCHANGED)
    assert ok and len(read) == 3 and all(np.array_equal(r, p) for r, p in zip(read, pages, strict=True))


def test_json_refuses_nan(tmp_path):
    with pytest.raises(ValueError):
        atomic_write_json(tmp_path / "a.json", {"x": float("nan")})
    assert list(tmp_path.iterdir()) == []


# --- folders that cannot be written ----------------------------------------------------
def test_missing_parent_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        check_folder(tmp_path / "nope")
    with pytest.raises(ExportError, match=r"'.*nope'.*does not exist"):
        with StagedFolder(tmp_path / "nope", "maps"):
            pass
    with pytest.raises(ExportError, match="does not exist"):
        atomic_write_bytes(tmp_path / "nope" / "a.bin", b"1")


def test_parent_that_is_a_file_is_a_clear_error(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(ExportError, match="it is a file, not a folder"):
        with StagedFolder(afile, "maps"):
            pass
    with pytest.raises(ExportError, match="it is a file, not a folder"):
        atomic_write_bytes(afile / "a.bin", b"1")
    assert afile.read_text() == "x"


def test_unwritable_folder_is_a_clear_error(unwritable_dir):
    with pytest.raises(ExportError, match="permission denied"):
        with StagedFolder(unwritable_dir, "maps"):
            pass
    with pytest.raises(ExportError, match="permission denied"):
        atomic_write_bytes(unwritable_dir / "a.bin", b"1")
    assert list(unwritable_dir.iterdir()) == []


def test_permission_error_from_the_system_is_a_clear_error(tmp_path, monkeypatch):
    """Where chmod does not bite (root), the refusal is simulated at the system call."""

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "mkdir", refuse)
    with pytest.raises(ExportError, match=r"cannot write to '.*': permission denied"):
        with StagedFolder(tmp_path, "maps"):
            pass
    monkeypatch.undo()
    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(ExportError, match="permission denied"):
        atomic_write_bytes(tmp_path / "a.bin", b"1")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_folder_reported_unwritable_by_access_check(tmp_path, monkeypatch):
    """The check before writing (what a non-root user meets on a chmod 0o500 folder)."""
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(ExportError, match=rf"cannot write to '{tmp_path}': permission denied"):
        check_folder(tmp_path)
    with pytest.raises(ExportError, match="permission denied"):
        with StagedFolder(tmp_path, "maps"):
            pass
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
