"""A damaged picture costs one clear line on stderr: the libraries' own warnings stay off the terminal.

These run in a child process: libpng writes to the C-level stderr (fd 2), which
pytest's capture of ``sys.stderr`` would not see, and the silencing is per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def damaged_png(tmp_path) -> Path:
    """A PNG with one flipped byte in its pixel data: libpng reports a CRC error itself."""
    y, x = np.mgrid[0:120, 0:160]
    picture = np.stack([x % 256, y % 256, (x * y) % 256], axis=2).astype(np.uint8)
    ok, data = cv2.imencode(".png", picture)
    assert ok
    data = bytearray(data.tobytes())
    data[len(data) // 2] ^= 0xFF
    path = tmp_path / "damaged.png"
    path.write_bytes(bytes(data))
    return path


def run_python(code: str, *args, **env) -> subprocess.CompletedProcess:
    # the person's own OPENCV_* settings must not decide the test
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OPENCV_")}
    return subprocess.run([sys.executable, *(["-c", textwrap.dedent(code)] if code else []), *args], cwd=REPO,
                          env={**clean, **env}, capture_output=True, text=True, timeout=120)


def test_the_libraries_print_by_themselves_without_silencing(damaged_png):
    """The premise: without the call, libpng does print (else the tests below prove nothing)."""
    result = run_python("""
        import sys
        from playground.sources import SourceError, open_source
        try:
            open_source(sys.argv[1])
        except SourceError as exc:
            print(exc, file=sys.stderr)
    """, str(damaged_png))
    assert "libpng" in result.stderr


def test_after_silencing_stderr_holds_only_the_one_clear_line(damaged_png):
    result = run_python("""
        import sys
        from playground.sources.quiet import silence_libraries
        silence_libraries()
        from playground.sources import SourceError, open_source
        try:
            open_source(sys.argv[1])
        except SourceError as exc:
            print(exc, file=sys.stderr)
    """, str(damaged_png))
    assert result.stderr == f"cannot open '{damaged_png}': damaged PNG image (OpenCV could not decode it)\n"


def test_other_messages_written_meanwhile_are_kept():
    result = run_python("""
        import os
        from playground.sources.quiet import native_stderr_filtered, silence_libraries
        silence_libraries()
        with native_stderr_filtered():
            os.write(2, b"libpng warning: iCCP: known incorrect sRGB profile\\n")
            os.write(2, b"[png @ 0x55c77db034c0] chunk too big\\n")
            os.write(2, b"a message from another thread\\n")
        os.write(2, b"after\\n")
    """)
    assert result.stderr == "a message from another thread\nafter\n"


def test_a_body_that_raises_gets_stderr_back():
    result = run_python("""
        import os, sys
        from playground.sources.quiet import native_stderr_filtered, silence_libraries
        silence_libraries()
        try:
            with native_stderr_filtered():
                raise ValueError("boom")
        except ValueError:
            pass
        print("still here", file=sys.stderr)
    """)
    assert result.stderr == "still here\n"


@pytest.mark.parametrize(("asked", "expected"), [(None, "LOG_LEVEL_SILENT"), ("DEBUG", "LOG_LEVEL_DEBUG")])
def test_opencv_logging_is_off_unless_the_person_asks_for_it(asked, expected):
    result = run_python("""
        import cv2
        from playground.sources.quiet import silence_libraries
        silence_libraries()
        print(cv2.utils.logging.getLogLevel())
    """, **({"OPENCV_LOG_LEVEL": asked} if asked else {}))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(getattr(cv2.utils.logging, expected))


def test_the_export_command_prints_one_line(damaged_png, tmp_path):
    result = run_python("", "main.py", "export", "--source", str(damaged_png), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"kernel-playground export: error: cannot open '{damaged_png}': damaged PNG image (OpenCV could not decode it)"]


@pytest.mark.qt
def test_the_app_prints_one_line(damaged_png, tmp_path):
    pytest.importorskip("PySide6")
    result = run_python("", "main.py", "--source", str(damaged_png), "--screenshot", str(tmp_path / "shot.png"),
                        QT_QPA_PLATFORM="offscreen", KERNEL_PLAYGROUND_SETTINGS=str(tmp_path / "settings.ini"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"kernel-playground: error: cannot open '{damaged_png}': damaged PNG image (OpenCV could not decode it)"]
