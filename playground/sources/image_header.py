"""What an image file says about itself, read from its first bytes, before anything is decoded.

Decoding allocates the whole picture: a 3 MB PNG that claims 32000×32000 pixels
costs gigabytes. The header gives the size for the cost of reading a few bytes, so
the caller can refuse (or decode reduced) first. The same walk over the file's
structure finds files cut short: a JPEG without its end-of-image marker, a PNG
without its IEND chunk — which some decoders would hand back half grey or green.

Formats read here: PNG, JPEG, BMP, GIF, WebP, TIFF, PNM/PFM, Sun raster, JPEG 2000.
For anything else :func:`read_header` returns None and the decoder decides.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

import numpy as np

__all__ = ["ImageHeader", "DamagedImageError", "sniff_format", "read_header"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
# SOF0–SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})  # markers without a length field
_PNM_TOKEN = re.compile(rb"(?:\s|#[^\n]*\n?)*(\d+)")


class DamagedImageError(ValueError):
    """The file says it is an image of a known format, but its structure is broken (e.g. cut short)."""


@dataclass(frozen=True)
class ImageHeader:
    """Size and format of an encoded picture.

    Attributes
    ----------
    format : str
        ``"PNG"``, ``"JPEG"``, …
    width, height : int
        In pixels, as stored (before any EXIF rotation; the pixel count is the same).
    """

    format: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def sniff_format(data: bytes | np.ndarray) -> str | None:
    """The image format the first bytes announce, or None when they announce none of those read here."""
    head = bytes(data[:16])
    if head.startswith(_PNG_SIGNATURE):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"BM"):
        return "BMP"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WebP"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if len(head) >= 3 and head[0:1] == b"P" and head[1:2] in b"123456fF" and head[2:3].isspace():
        return "PNM"
    if head.startswith(b"\x59\xa6\x6a\x95"):
        return "Sun raster"
    if head.startswith(_JP2_SIGNATURE) or head.startswith(b"\xff\x4f\xff\x51"):
        return "JPEG 2000"
    return None


def read_header(data: bytes | np.ndarray) -> ImageHeader | None:
    """Read the size of an encoded picture from its header, and check PNG/JPEG files are whole.

    Parameters
    ----------
    data : bytes or numpy.ndarray of uint8
        The whole file.

    Returns
    -------
    ImageHeader or None
        None when the format is not one read here (the decoder decides).

    Raises
    ------
    DamagedImageError
        When the bytes announce a known format but the header is cut short or
        broken, or a PNG/JPEG file ends before its last chunk/marker; the message
        says what is wrong, without the file name.
    """
    buffer = data.tobytes() if isinstance(data, np.ndarray) else bytes(data)
    kind = sniff_format(buffer)
    if kind is None:
        return None
    reader = _READERS[kind]
    try:
        width, height = reader(buffer)
    except (struct.error, IndexError):  # a field beyond the end of the bytes
        raise DamagedImageError("the file ends inside its header (cut short)") from None
    if width <= 0 or height <= 0:
        raise DamagedImageError(f"its header gives an impossible size of {width}×{height} pixels")
    return ImageHeader(kind, width, height)


def _png(data: bytes) -> tuple[int, int]:
    # chunks: length (4), type (4), data, CRC (4); IHDR first, IEND last
    position, size = 8, None
    while True:
        if position + 8 > len(data):
            raise DamagedImageError("the file ends before its IEND chunk (cut short)")
        length, kind = struct.unpack_from(">I4s", data, position)
        if size is None:
            if kind != b"IHDR" or length < 8:
                raise DamagedImageError("its first chunk is not a valid IHDR header")
            size = struct.unpack_from(">II", data, position + 8)
        if kind == b"IEND":
            width, height = size
            return width, height
        position += 12 + length


def _jpeg(data: bytes) -> tuple[int, int]:
    position, size = 2, None
    while True:
        if position + 2 > len(data):
            raise DamagedImageError("the file ends before its image data (cut short)")
        if data[position] != 0xFF:  # stray bytes between segments: decoders skip them, so do we
            position = data.find(b"\xff", position)
            if position < 0:
                raise DamagedImageError("the file ends before its image data (cut short)")
            continue
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker in _JPEG_STANDALONE:
            position += 2
            continue
        if marker == 0xD9:
            raise DamagedImageError("it ends before any image data")
        (length,) = struct.unpack_from(">H", data, position + 2)
        if marker in _JPEG_SOF:
            height, width = struct.unpack_from(">HH", data, position + 5)
            size = (width, height)
        if marker == 0xDA:  # start of scan: entropy-coded data up to the end-of-image marker
            if size is None:
                raise DamagedImageError("its image data comes before its frame header")
            # in entropy-coded data a 0xFF byte is always followed by 0x00 or a restart
            # marker, so an FF D9 after the first scan can only be the end of the image
            if data.find(b"\xff\xd9", position + 2 + length) < 0:
                raise DamagedImageError("the file ends before its end-of-image marker (cut short)")
            return size
        position += 2 + length


def _bmp(data: bytes) -> tuple[int, int]:
    (info_size,) = struct.unpack_from("<I", data, 14)
    if info_size == 12:  # the old OS/2 header: 16-bit sizes
        width, height = struct.unpack_from("<HH", data, 18)
    else:
        width, height = struct.unpack_from("<ii", data, 18)
    return width, abs(height)  # negative height: rows stored top-down


def _gif(data: bytes) -> tuple[int, int]:
    return struct.unpack_from("<HH", data, 6)


def _webp(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        (bits,) = struct.unpack_from("<I", data, 21)
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        if len(data) < 30:
            raise IndexError
        return width, height
    raise DamagedImageError(f"unknown WebP chunk {chunk!r}")


def _tiff(data: bytes) -> tuple[int, int]:
    order = "<" if data[:2] == b"II" else ">"
    (offset,) = struct.unpack_from(order + "I", data, 4)
    (count,) = struct.unpack_from(order + "H", data, offset)
    size = {}
    for index in range(count):
        tag, kind, _n = struct.unpack_from(order + "HHI", data, offset + 2 + 12 * index)
        if tag in (256, 257):  # ImageWidth, ImageLength: SHORT or LONG
            fmt = order + ("H" if kind == 3 else "I")
            (size[tag],) = struct.unpack_from(fmt, data, offset + 2 + 12 * index + 8)
    if 256 not in size or 257 not in size:
        raise DamagedImageError("its first directory has no image width or height")
    return size[256], size[257]


def _pnm(data: bytes) -> tuple[int, int]:
    numbers = []
    position = 2
    for _ in range(2):
        match = _PNM_TOKEN.match(data, position)
        if match is None:
            raise DamagedImageError("its header has no width and height")
        numbers.append(int(match.group(1)))
        position = match.end()
    return numbers[0], numbers[1]


def _sun_raster(data: bytes) -> tuple[int, int]:
    return struct.unpack_from(">II", data, 4)


def _jpeg2000(data: bytes) -> tuple[int, int]:
    if data.startswith(b"\xff\x4f"):  # a bare codestream: the SIZ segment follows SOC
        width, height, x0, y0 = struct.unpack_from(">IIII", data, 8)
        return width - x0, height - y0
    box = data.find(b"ihdr", 0, 4096)  # inside the jp2h box near the start
    if box < 0:
        raise DamagedImageError("no image header (ihdr) near the start")
    height, width = struct.unpack_from(">II", data, box + 4)
    return width, height


_READERS = {"PNG": _png, "JPEG": _jpeg, "BMP": _bmp, "GIF": _gif, "WebP": _webp, "TIFF": _tiff, "PNM": _pnm,
            "Sun raster": _sun_raster, "JPEG 2000": _jpeg2000}
