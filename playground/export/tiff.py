"""Float32 maps as a multi-page TIFF, written one page at a time.

OpenCV's ``imencodemulti`` wants every page as a contiguous array in a list and
returns the whole file in memory: for 32 maps of 1920×1920 that is three copies
of 472 MB. Here each page is made contiguous, written and dropped before the
next, so a TIFF costs one page of memory whatever the number of pages.

The file is baseline TIFF 6.0, little-endian, uncompressed, one strip per page,
one float32 sample per pixel (SampleFormat 3): OpenCV, tifffile, ImageJ and
GIMP read it.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import BinaryIO

import numpy as np

__all__ = ["write_float_tiff", "MAX_TIFF_BYTES"]

MAX_TIFF_BYTES = (1 << 32) - 1  # classic TIFF addresses its file with 32-bit offsets

_SHORT, _LONG = 3, 4


def _ifd(width: int, height: int, data_offset: int) -> bytes:
    """One page's image file directory, with 0 as the next page's offset (patched when one follows)."""
    entries = [  # (tag, type, value), in tag order as TIFF requires
        (256, _LONG, width),            # ImageWidth
        (257, _LONG, height),           # ImageLength
        (258, _SHORT, 32),              # BitsPerSample
        (259, _SHORT, 1),               # Compression: none
        (262, _SHORT, 1),               # PhotometricInterpretation: BlackIsZero
        (273, _LONG, data_offset),      # StripOffsets
        (277, _SHORT, 1),               # SamplesPerPixel
        (278, _LONG, height),           # RowsPerStrip: the whole page is one strip
        (279, _LONG, width * height * 4),  # StripByteCounts
        (284, _SHORT, 1),               # PlanarConfiguration: chunky
        (339, _SHORT, 3),               # SampleFormat: IEEE floating point
    ]
    packed = [struct.pack("<HHI", tag, kind, 1) + (struct.pack("<HH", value, 0) if kind == _SHORT
                                                  else struct.pack("<I", value))
              for tag, kind, value in entries]
    return struct.pack("<H", len(entries)) + b"".join(packed) + struct.pack("<I", 0)


def write_float_tiff(handle: BinaryIO, pages: Iterable[np.ndarray]) -> int:
    """Write ``pages`` to the seekable binary file ``handle`` as one multi-page float32 TIFF.

    Parameters
    ----------
    handle : binary file, open for writing at its start, seekable
    pages : iterable of numpy.ndarray, (h, w)
        Any strides and float dtype (converted to float32 one page at a time);
        a generator is consumed as it is written.

    Returns
    -------
    int
        The number of pages written.

    Raises
    ------
    ValueError
        No pages, a page that is not 2-D, or a file past 4 GB (classic TIFF's limit).
    """
    handle.write(b"II*\x00" + struct.pack("<I", 0))  # the first page's offset is patched below
    link = 4  # where the offset of the next page's directory goes
    count = 0
    for page in pages:
        page = np.ascontiguousarray(page, "<f4")
        if page.ndim != 2:
            raise ValueError(f"a TIFF page must be a 2-D map, got shape {page.shape}")
        height, width = page.shape
        data_offset = handle.tell()
        if data_offset + page.nbytes + 200 > MAX_TIFF_BYTES:
            raise ValueError("the maps are too large for one TIFF file (over 4 GB)")
        handle.write(memoryview(page).cast("B"))
        directory = handle.tell()
        handle.seek(link)
        handle.write(struct.pack("<I", directory))
        handle.seek(directory)
        handle.write(_ifd(width, height, data_offset))
        link = handle.tell() - 4
        count += 1
    if count == 0:
        raise ValueError("a TIFF file needs at least one page")
    return count
