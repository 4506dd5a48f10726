"""Keep the decoders' own chatter (OpenCV, FFmpeg, libpng, libjpeg) off the terminal.

A damaged picture should cost the person one clear line from us, not six from the
libraries first. OpenCV's and FFmpeg's logging are turned off through their
settings; libpng and libjpeg write straight to the C ``stderr``, so the decode
call itself runs with file descriptor 2 sent to a temporary file, and whatever
in it is not library noise is written back (another thread's message is delayed,
never lost).

Called once by the entry points (the command line, the app); a library user who
never calls :func:`silence_libraries` keeps every message.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["silence_libraries", "native_stderr_filtered"]

# Lines the libraries print on their own: libpng and libjpeg warnings, FFmpeg's
# "[codec @ 0x…]" lines, OpenCV's "[ WARN:0@…]" log lines.
_NOISE = re.compile(rb"^(libpng (warning|error)|\[[\w .:-]+ @ 0x[0-9a-f]+\]|\[ ?(WARN|ERROR|INFO|DEBUG) ?:"
                    rb"|Corrupt JPEG data|Premature end of JPEG file|Invalid SOS parameters|Not a JPEG file"
                    rb"|Warning: unknown JFIF revision)")
_lock = threading.Lock()      # fd 2 is one per process: one redirect at a time
_silenced = False


def silence_libraries() -> None:
    """Turn the libraries' logging off for this process (call early; idempotent).

    Environment variables already set by the person are kept, so
    ``OPENCV_LOG_LEVEL=DEBUG`` still works for a bug report.
    """
    global _silenced
    # read by OpenCV when its logger and its FFmpeg back end start
    os.environ.setdefault("OPENCV_LOG_LEVEL", "SILENT")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
    if os.environ["OPENCV_LOG_LEVEL"] == "SILENT":
        import cv2  # after the variables: the FFmpeg back end reads its level when first used

        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    _silenced = True


@contextmanager
def native_stderr_filtered() -> Iterator[None]:
    """Run the body with C-level stderr captured; lines that are not library noise are written back.

    Does nothing until :func:`silence_libraries` was called. Calls from several
    threads take turns (fd 2 is shared by the whole process).
    """
    if not _silenced:
        yield
        return
    with _lock:
        sys.stderr.flush()
        saved = os.dup(2)
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:  # also when the body raised: fd 2 comes back, other messages too
                os.dup2(saved, 2)
                os.close(saved)
                sink.seek(0)
                kept = b"".join(line for line in sink.read().splitlines(keepends=True) if not _NOISE.match(line))
                if kept:
                    os.write(2, kept)
