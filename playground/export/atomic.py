"""Writing files so that nothing is lost: temp file + rename, staged folders, clear errors.

Every file is first written under a temporary name in its own folder and then
renamed over its final name (``os.replace``, atomic on one file system), so a
reader never sees half a file. A whole export is written into a staging folder
``STEM.partial-XXXXXX`` next to where it will end; only when every file is there
is it renamed to its final, numbered name (``stem``, ``stem-2``, ``stem-3``…).
A failure or an interrupt removes the staging folder: no half-written export is
ever left behind, and an existing export is never overwritten.

A run killed outright (SIGKILL, a power cut) cannot clean up after itself, so
staging folders and temp files carry the writer's process id and a tag of its
machine; :func:`sweep_stale` removes those of runs that are gone (or that are
older than :data:`STALE_AFTER_S`) when the next export or save starts there.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np

from .jsonfmt import dumps
from .tiff import write_float_tiff

__all__ = [
    "ExportError",
    "STALE_AFTER_S",
    "check_folder",
    "staging_name",
    "sweep_stale",
    "new_export_folder",
    "StagedFolder",
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_json",
    "atomic_save_npy",
    "atomic_write_png",
    "atomic_write_tiff",
]

_PARTIAL = ".partial-"
STALE_AFTER_S = 3600  # a staging folder or temp file untouched this long belongs to no running export
# which machine wrote a staging name: a process id means nothing on another host sharing the folder
_HOST = hashlib.blake2s(socket.gethostname().encode(), digest_size=4).hexdigest()
_OWNER = r"(?:-(?P<pid>\d{1,10})-(?P<host>[0-9a-f]{8}))?"  # absent in names from before it was added
_STAGING_NAME = re.compile(rf".+\.partial-[0-9a-f]{{6}}{_OWNER}")
_TEMP_NAME = re.compile(rf"\..+\.tmp-[0-9a-f]{{8}}{_OWNER}(?:\.[A-Za-z0-9]{{1,8}})?")


class ExportError(Exception):
    """An export, save or load that failed for a reason a person can fix.

    The message is one plain line naming the path and the problem, e.g.
    ``cannot write to '/data/out': the folder does not exist``.
    """


_NEARLY_FULL = 1 << 20  # bytes free under which a failed write is put down to a full disk


def _disk_full(folder: Path | None) -> bool:
    try:
        return folder is not None and shutil.disk_usage(folder).free < _NEARLY_FULL
    except OSError:
        return False


def _reason(exc: OSError, folder: Path | None = None) -> str:
    """The cause of ``exc`` in plain words; ``folder`` (where it was writing) lets a short write be recognised."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (the folder is not writable)"
    # numpy reports a short write as "<n> requested and <m> written", with no errno:
    # when the disk has no room left, that is what happened; a large array is
    # refused up front ("Not enough free space to write <n> bytes", no errno either)
    if (exc.errno in (errno.ENOSPC, errno.EDQUOT) or (exc.errno is None and _disk_full(folder))
            or (exc.errno is None and "not enough free space" in str(exc).lower())):
        return "the disk is full"
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


def check_folder(folder: str | os.PathLike[str]) -> Path:
    """Check that ``folder`` exists, is a folder and can be written to.

    Returns
    -------
    pathlib.Path
        ``folder`` with ``~`` expanded.

    Raises
    ------
    ExportError
        "the folder does not exist", "it is a file, not a folder" or
        "permission denied (the folder is not writable)".
    """
    path = Path(folder).expanduser()
    if not path.exists():
        raise ExportError(f"cannot write to '{path}': the folder does not exist")
    if not path.is_dir():
        raise ExportError(f"cannot write to '{path}': it is a file, not a folder")
    if not os.access(path, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write to '{path}': permission denied (the folder is not writable)")
    return path


def staging_name(stem: str, pid: int | None = None) -> str:
    """A fresh staging folder name for ``stem``: ``stem.partial-<6 hex>-<pid>-<host tag>``."""
    return f"{stem}{_PARTIAL}{secrets.token_hex(3)}-{os.getpid() if pid is None else pid}-{_HOST}"


def _process_gone(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # exists but is someone else's, or cannot tell: keep its files
        return False
    return False


def _stale(entry: os.DirEntry, match: re.Match, now: float) -> bool:
    pid, host = match.group("pid"), match.group("host")
    if pid is not None and host == _HOST and _process_gone(int(pid)):
        return True
    try:
        return now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
    except OSError:
        return False


def sweep_stale(folder: str | os.PathLike[str]) -> list[str]:
    """Remove the staging folders and temp files that interrupted runs left in ``folder``.

    Only names this module makes are touched (``*.partial-XXXXXX[-pid-host]``
    folders, ``.*.tmp-XXXXXXXX[-pid-host][.ext]`` files), and of those only the
    ones whose process on this machine is gone or that are older than
    :data:`STALE_AFTER_S`. Best effort: a folder that cannot be read, or an
    entry that cannot be removed, is left as it is.

    Returns
    -------
    list of str
        The names removed.
    """
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            match = _STAGING_NAME.fullmatch(entry.name)
            if match and _stale(entry, match, now):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(entry.name)
        elif entry.is_file(follow_symlinks=False):
            match = _TEMP_NAME.fullmatch(entry.name)
            if match and _stale(entry, match, now):
                _remove_quietly(Path(entry.path))
                removed.append(entry.name)
    return removed


def _check_stem(stem: str) -> str:
    stem = str(stem).strip()
    if not stem or stem in (".", "..") or "/" in stem or "\\" in stem or "\0" in stem:
        raise ExportError(f"bad export folder name {stem!r}: give a plain name such as 'maps'")
    return stem


def new_export_folder(parent: str | os.PathLike[str], stem: str) -> Path:
    """The first of ``parent/stem``, ``parent/stem-2``, ``parent/stem-3``… that does not exist.

    Nothing is created; :class:`StagedFolder` renames its finished folder there.
    """
    parent = Path(parent).expanduser()
    stem = _check_stem(stem)
    candidate = parent / stem
    number = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = parent / f"{stem}-{number}"
        number += 1
    return candidate


class StagedFolder:
    """A folder that appears under its final name only once it is complete.

    Parameters
    ----------
    parent : path
        Where the export goes; must exist and be writable.
    stem : str
        The wanted folder name; ``stem-2``, ``stem-3``… when it is taken.

    Examples
    --------
    >>> with StagedFolder(parent, "maps") as staged:      # doctest: +SKIP
    ...     atomic_write_text(staged.path / "a.txt", "hello")
    ...     final = staged.commit()                       # parent/maps (or maps-2…)

    Leaving the ``with`` block without :meth:`commit` (an exception, Ctrl-C)
    deletes the staging folder and everything in it.
    """

    def __init__(self, parent: str | os.PathLike[str], stem: str):
        self.parent = Path(parent).expanduser()
        self.stem = _check_stem(stem)
        self.path: Path | None = None
        self.final: Path | None = None

    def __enter__(self) -> StagedFolder:
        check_folder(self.parent)
        sweep_stale(self.parent)  # what killed runs left here
        for _ in range(100):
            candidate = self.parent / staging_name(self.stem)
            try:
                os.mkdir(candidate)  # mode 0o777 less the umask, like any folder the person makes
            except FileExistsError:
                continue
            except OSError as exc:
                raise ExportError(f"cannot write to '{self.parent}': {_reason(exc)}") from None
            self.path = candidate
            return self
        raise ExportError(f"cannot write to '{self.parent}': no free name for a staging folder")

    def commit(self) -> Path:
        """Rename the staging folder to the first free ``stem``, ``stem-2``…; return that path."""
        if self.path is None:
            raise RuntimeError("commit() outside the with block")
        for _ in range(1000):
            target = new_export_folder(self.parent, self.stem)
            try:
                # POSIX rename replaces only an *empty* folder (nothing lost); a
                # folder made meanwhile with files in it makes it fail: try the next name
                os.rename(self.path, target)
            except OSError as exc:
                if exc.errno in (errno.EEXIST, errno.ENOTEMPTY) or isinstance(exc, FileExistsError):
                    continue
                raise ExportError(f"cannot finish the export in '{self.parent}': {_reason(exc)}") from None
            self.final, self.path = target, None
            _sync_folder(self.parent)
            return target
        raise ExportError(f"cannot finish the export in '{self.parent}': no free folder name for {self.stem!r}")

    def __exit__(self, exc_type, exc, traceback) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None


def _sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temp_name(path: Path) -> Path:
    # hidden, same folder (same file system: the rename is atomic), the real suffix
    # kept last so writers that choose a format by extension (OpenCV) still can
    return path.with_name(f".{path.stem}.tmp-{secrets.token_hex(4)}-{os.getpid()}-{_HOST}{path.suffix}")


def atomic_write(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> Path:
    """Write a file through ``write(file_object)`` into a temp file, then rename it to ``path``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ExportError
        The folder is missing, not a folder or not writable, or writing failed
        (disk full…); the temp file is removed and ``path`` is left as it was.
    """
    path = Path(path).expanduser()
    check_folder(path.parent)
    if path.is_dir():
        raise ExportError(f"cannot write '{path}': a folder of that name is in the way")
    temp = _temp_name(path)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise ExportError(f"cannot write '{path}': {_reason(exc)}") from None
    def fill() -> None:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())

    return _replace_from_temp(fill, temp, path)


def _replace_from_temp(fill, temp: Path, path: Path) -> Path:
    """Run ``fill()`` (which writes ``temp``), then rename ``temp`` to ``path``.

    On any failure the temp file is removed and ``path`` is left as it was;
    OS errors become an :class:`ExportError` naming ``path``.
    """
    try:
        fill()
        os.replace(temp, path)
    except OSError as exc:
        reason = _reason(exc, path.parent)  # before the temp file is removed and frees its space
        _remove_quietly(temp)
        raise ExportError(f"cannot write '{path}': {reason}") from None
    except BaseException:
        _remove_quietly(temp)
        raise
    return path


def _remove_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`)."""
    return atomic_write(path, lambda handle: handle.write(data))


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike[str], data) -> Path:
    """Write ``data`` as readable JSON (numbers lists on one line) to ``path`` atomically."""
    return atomic_write_text(path, dumps(data) + "\n")


def atomic_save_npy(path: str | os.PathLike[str], array: np.ndarray) -> Path:
    """Save ``array`` as a ``.npy`` file atomically (no pickles: plain numbers only)."""
    array = np.asarray(array)
    return atomic_write(path, lambda handle: np.save(handle, array, allow_pickle=False))


def _encoded(ok: bool, data, path: Path, what: str) -> bytes:
    if not ok:
        raise ExportError(f"cannot write '{path}': OpenCV could not encode the {what}")
    return data.tobytes()


def atomic_write_png(path: str | os.PathLike[str], rgb: np.ndarray) -> Path:
    """Write an 8-bit picture as PNG atomically.

    Parameters
    ----------
    rgb : numpy.ndarray, uint8, (h, w, 3) RGB or (h, w) grey
    """
    picture = np.asarray(rgb)
    if picture.ndim == 3:
        picture = cv2.cvtColor(np.ascontiguousarray(picture), cv2.COLOR_RGB2BGR)
    ok, data = cv2.imencode(".png", picture)
    return atomic_write_bytes(path, _encoded(ok, data, Path(path), "PNG picture"))


def atomic_write_tiff(path: str | os.PathLike[str], pages) -> Path:
    """Write float32 maps as one multi-page TIFF atomically, a page per map, one page in memory at a time.

    Parameters
    ----------
    pages : iterable of numpy.ndarray, (h, w)
        Views are fine (each is made contiguous float32 only while it is written).
    """
    path = Path(path).expanduser()

    def write(handle) -> None:
        try:
            write_float_tiff(handle, pages)
        except ValueError as exc:
            raise ExportError(f"cannot write '{path}': {exc}") from None

    return atomic_write(path, write)
