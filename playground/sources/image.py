"""A still picture from a file: PNG, JPEG, BMP, TIFF, WebP and whatever else OpenCV decodes."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from .base import Source, SourceError
from .frames import DEFAULT_MAX_SIDE, check_downscale, check_max_side, size_text, to_rgb_frame

__all__ = ["ImageSource", "read_file_bytes", "decode_image"]

_JPEG_MAGIC = b"\xff\xd8"


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


def decode_image(data: np.ndarray, name: str = "image") -> np.ndarray:
    """Decode encoded image bytes as OpenCV stores them (BGR/BGRA order, native depth).

    JPEGs are decoded with ``IMREAD_ANYCOLOR | IMREAD_ANYDEPTH`` so that OpenCV
    turns phone photos upright from their EXIF orientation (``IMREAD_UNCHANGED``
    ignores it; JPEGs have no alpha to keep). Everything else keeps its alpha
    channel and bit depth with ``IMREAD_UNCHANGED``.

    Parameters
    ----------
    data : numpy.ndarray, uint8, shape (n_bytes,)
    name : str
        Named in the error message.

    Returns
    -------
    numpy.ndarray, shape (H, W) or (H, W, C)

    Raises
    ------
    SourceError
        If OpenCV cannot decode the bytes.
    """
    is_jpeg = data[:2].tobytes() == _JPEG_MAGIC
    flags = cv2.IMREAD_ANYCOLOR | cv2.IMREAD_ANYDEPTH if is_jpeg else cv2.IMREAD_UNCHANGED
    try:
        raw = cv2.imdecode(data, flags)
    except cv2.error as error:  # e.g. more pixels than OpenCV's safety limit
        detail = str(error).strip().splitlines()[-1] if str(error).strip() else "decoder error"
        raise SourceError(f"cannot open '{name}': OpenCV could not decode it ({detail})") from error
    if raw is None or raw.size == 0:
        raise SourceError(f"cannot open '{name}': not an image (OpenCV could not decode it)")
    return raw


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
        raw = decode_image(read_file_bytes(self.path), str(self.path))
        try:
            frame, self.notices = to_rgb_frame(raw, max_side=max_side, downscale=downscale)
        except ValueError as error:
            raise SourceError(f"cannot open '{self.path}': {error}") from error
        frame.flags.writeable = False
        self._frame = frame
        self.downscale = downscale
        height, width = frame.shape[:2]
        shrink = f" (1/{downscale})" if downscale > 1 else ""
        self.description = f"{self.path.name} {size_text(height, width)}{shrink}"

    def _read(self) -> np.ndarray:
        return self._frame
