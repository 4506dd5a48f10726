"""A still picture from a file: PNG, JPEG, BMP, TIFF, WebP and whatever else OpenCV decodes."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from .base import Source, SourceError
from .frames import DEFAULT_MAX_SIDE, check_downscale, check_max_side, size_text, to_rgb_frame
from .image_header import DamagedImageError, read_header, sniff_format
from .quiet import native_stderr_filtered

__all__ = ["ImageSource", "ImageRefusedError", "read_file_bytes", "decode_image", "MAX_IMAGE_PIXELS"]

# The largest picture decoded, in pixels (50 megapixels: a 8660×5774 photo). Decoding
# holds the whole picture: at this limit that is 150 MB (8-bit RGB) to 400 MB (16-bit
# RGBA) before it is shrunk to the frame size. Larger files are refused from their
# header, before anything is allocated; larger JPEGs are decoded at 1/2, 1/4 or 1/8
# size instead (libjpeg scales while decoding) when that fits.
MAX_IMAGE_PIXELS = 50_000_000
_JPEG_REDUCED = ((2, cv2.IMREAD_REDUCED_COLOR_2), (4, cv2.IMREAD_REDUCED_COLOR_4), (8, cv2.IMREAD_REDUCED_COLOR_8))


class ImageRefusedError(SourceError):
    """The file is a picture, but a damaged or too large one: it is not to be tried as a video."""


def read_file_bytes(path: str | os.PathLike[str]) -> np.ndarray:
    """The bytes of a file, with a clear :class:`SourceError` when it cannot be read.

    ``numpy.fromfile`` rather than ``cv2.imread``: it opens any path Python can,
    including names with non-ASCII characters.

    Returns
    -------
    numpy.ndarray, uint8, shape (n_bytes,)

    Raises
    ------
    SourceError
        If the path does not exist, is a folder, is empty or cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise SourceError(f"cannot open '{path}': no such file")
    if path.is_dir():
        raise SourceError(f"cannot open '{path}': it is a folder, not a file")
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as error:
        reason = error.strerror or str(error)
        raise SourceError(f"cannot open '{path}': {reason[:1].lower() + reason[1:]}") from error
    if data.size == 0:
        raise SourceError(f"cannot open '{path}': the file is empty")
    return data


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:.0f}" if pixels >= 10e6 else f"{pixels / 1e6:.1f}"


def decode_image(data: np.ndarray, name: str = "image", *, max_pixels: int = MAX_IMAGE_PIXELS,
                 notices: list[str] | None = None) -> np.ndarray:
    """Decode encoded image bytes as OpenCV stores them (BGR/BGRA order, native depth).

    The header is read first (:mod:`.image_header`): a file cut short is refused
    before decoding, and so is one larger than ``max_pixels``, except a JPEG that
    fits at 1/2, 1/4 or 1/8 size, which is decoded at that size.

    JPEGs are decoded with ``IMREAD_ANYCOLOR | IMREAD_ANYDEPTH`` so that OpenCV
    turns phone photos upright from their EXIF orientation (``IMREAD_UNCHANGED``
    ignores it; JPEGs have no alpha to keep). Everything else keeps its alpha
    channel and bit depth with ``IMREAD_UNCHANGED``.

    Parameters
    ----------
    data : numpy.ndarray, uint8, shape (n_bytes,)
    name : str
        Named in the error message.
    max_pixels : int
        The most pixels decoded (default :data:`MAX_IMAGE_PIXELS`).
    notices : list of str, optional
        Receives a line when the picture was decoded reduced.

    Returns
    -------
    numpy.ndarray, shape (H, W) or (H, W, C)

    Raises
    ------
    ImageRefusedError
        If the bytes announce an image format but the file is damaged (cut short,
        undecodable) or larger than ``max_pixels``.
    SourceError
        If OpenCV cannot decode the bytes and they announce no format read here.
    """
    kind = sniff_format(data)
    # A picture that fails is not to be tried as a video, except a GIF: animated GIFs
    # are video to FFmpeg, and OpenCV before 4.11 cannot decode GIFs as images.
    refused = ImageRefusedError if kind is not None and kind != "GIF" else SourceError
    try:
        header = read_header(data)
    except DamagedImageError as error:
        raise ImageRefusedError(f"cannot open '{name}': damaged {kind} image: {error}") from None
    flags = cv2.IMREAD_ANYCOLOR | cv2.IMREAD_ANYDEPTH if kind == "JPEG" else cv2.IMREAD_UNCHANGED
    if header is not None and header.pixels > max_pixels:
        flags = _reduced_flags(header, max_pixels, name, notices)
    try:
        with native_stderr_filtered():  # libpng/libjpeg print their own lines before ours
            raw = cv2.imdecode(data, flags)
    except cv2.error as error:  # e.g. more pixels than OpenCV's own safety limit
        detail = str(error).strip().splitlines()[-1] if str(error).strip() else "decoder error"
        raise refused(f"cannot open '{name}': OpenCV could not decode it ({detail})") from error
    if raw is None or raw.size == 0:
        if kind is not None:
            raise refused(f"cannot open '{name}': damaged {kind} image (OpenCV could not decode it)")
        raise SourceError(f"cannot open '{name}': not an image (OpenCV could not decode it)")
    if raw.shape[0] * raw.shape[1] > max_pixels:  # a format whose header is not read here
        raise ImageRefusedError(_too_large(name, raw.shape[1], raw.shape[0], max_pixels))
    return raw


def _too_large(name: str, width: int, height: int, max_pixels: int) -> str:
    return (f"cannot open '{name}': {size_text(height, width)} is {_megapixels(width * height)} megapixels, "
            f"more than the {_megapixels(max_pixels)}-megapixel limit for pictures")


def _reduced_flags(header, max_pixels: int, name: str, notices: list[str] | None) -> int:
    """The imdecode flags that decode a too-large JPEG reduced under the limit; refuse anything else."""
    if header.format == "JPEG":
        for factor, flags in _JPEG_REDUCED:
            if -(-header.width // factor) * -(-header.height // factor) <= max_pixels:
                if notices is not None:
                    notices.append(f"decoded at 1/{factor} size: {size_text(header.height, header.width)} is more "
                                   f"than the {_megapixels(max_pixels)}-megapixel limit for pictures")
                return flags
    raise ImageRefusedError(_too_large(name, header.width, header.height, max_pixels))


class ImageSource(Source):
    """A still picture read once from a file; :meth:`read` returns it every time.

    Parameters
    ----------
    path : str or os.PathLike
        An image file. The format is found from the content, not the extension.
    max_side : int
        Pictures larger than this on either side are scaled down with INTER_AREA,
        keeping the aspect ratio, and a notice says so.
    downscale : int
        1, 2, 3 or 4: the frame is further shrunk by this factor, for speed.

    Raises
    ------
    SourceError
        If the file is missing, a folder, empty, or not an image OpenCV can decode.
    ValueError
        If ``max_side`` or ``downscale`` is out of range.

    Notes
    -----
    The frame is RGB float32 ``(H, W, 3)`` in [0, 1], marked read-only because it
    is shared between reads. Grey pictures get three equal channels, alpha is
    dropped, 16-bit pictures are divided by 65535 and floating-point ones clipped
    to [0, 1]; :attr:`notices` lists what applied.
    """

    kind = "image"
    live = False
    frame_interval = None

    def __init__(
        self, path: str | os.PathLike[str], *, max_side: int = DEFAULT_MAX_SIDE, downscale: int = 1
    ) -> None:
        super().__init__()
        max_side, downscale = check_max_side(max_side), check_downscale(downscale)
        self.path = Path(path).expanduser()
        self.spec = str(self.path.absolute())
        decode_notices: list[str] = []
        raw = decode_image(read_file_bytes(self.path), str(self.path), notices=decode_notices)
        try:
            frame, notices = to_rgb_frame(raw, max_side=max_side, downscale=downscale)
        except ValueError as error:
            raise SourceError(f"cannot open '{self.path}': {error}") from error
        self.notices = tuple(decode_notices) + notices
        frame.flags.writeable = False
        self._frame = frame
        self.downscale = downscale
        height, width = frame.shape[:2]
        shrink = f" (1/{downscale})" if downscale > 1 else ""
        self.description = f"{self.path.name} {size_text(height, width)}{shrink}"

    def _read(self) -> np.ndarray:
        return self._frame
