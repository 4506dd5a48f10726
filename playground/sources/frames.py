"""Turning what OpenCV decodes into the frames every source yields: RGB float32 in [0, 1].

Shared by the image, video and webcam sources. Work that shrinks the picture
(dropping alpha, resizing) is done before the conversion to float, so a huge
photo is never held as a huge float array.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = [
    "ALLOWED_DOWNSCALES",
    "DEFAULT_MAX_SIDE",
    "check_downscale",
    "check_max_side",
    "fitted_size",
    "size_text",
    "to_rgb_frame",
]

ALLOWED_DOWNSCALES = (1, 2, 3, 4)
DEFAULT_MAX_SIDE = 1920

# cv2.resize with INTER_AREA handles these directly; others go to float32 first.
_RESIZABLE_INTEGERS = (np.dtype(np.uint8), np.dtype(np.uint16))


def check_downscale(downscale: int) -> int:
    """Validate a downscale factor (1, 2, 3 or 4) and return it as an ``int``.

    Raises
    ------
    ValueError
        If ``downscale`` is not one of :data:`ALLOWED_DOWNSCALES`.
    """
    if isinstance(downscale, bool) or not isinstance(downscale, (int, np.integer)) or (
        int(downscale) not in ALLOWED_DOWNSCALES
    ):
        raise ValueError(f"downscale must be 1, 2, 3 or 4; got {downscale!r}")
    return int(downscale)


def check_max_side(max_side: int) -> int:
    """Validate the largest allowed frame side (a positive ``int``) and return it.

    Raises
    ------
    ValueError
        If ``max_side`` is not an integer of at least 1.
    """
    if isinstance(max_side, bool) or not isinstance(max_side, (int, np.integer)) or max_side < 1:
        raise ValueError(f"max_side must be a positive number of pixels; got {max_side!r}")
    return int(max_side)


def fitted_size(height: int, width: int, max_side: int, downscale: int = 1) -> tuple[int, int]:
    """The frame size after fitting within ``max_side`` and dividing by ``downscale``.

    Parameters
    ----------
    height, width : int
        Size of the picture as decoded.
    max_side : int
        Neither side of the result is larger (the aspect ratio is kept).
    downscale : int
        Then both sides are divided by this, rounded to the nearest pixel (at least 1).

    Returns
    -------
    (int, int)
        ``(new_height, new_width)``; the input size when nothing shrinks.

    Examples
    --------
    >>> fitted_size(4000, 6000, 1600)
    (1067, 1600)
    >>> fitted_size(480, 640, 1920, downscale=2)
    (240, 320)
    """
    scale = min(1.0, max_side / max(height, width)) / downscale
    if scale >= 1.0:
        return height, width
    return max(1, int(height * scale + 0.5)), max(1, int(width * scale + 0.5))


def size_text(height: int, width: int) -> str:
    """``"640×480"``: width × height, as people write picture sizes."""
    return f"{width}×{height}"


def to_rgb_frame(
    raw: np.ndarray, *, max_side: int = DEFAULT_MAX_SIDE, downscale: int = 1
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Convert a picture decoded by OpenCV into a source frame.

    Parameters
    ----------
    raw : numpy.ndarray, shape (H, W), (H, W, 1), (H, W, 2), (H, W, 3) or (H, W, 4)
        In OpenCV's channel order: grey, grey + alpha, BGR or BGRA. Any of
        uint8, uint16 (and other integers) or floating point.
    max_side : int
        Pictures larger than this on either side are scaled down (INTER_AREA),
        keeping the aspect ratio.
    downscale : int
        Further divides both sides (1 = unchanged), for speed.

    Returns
    -------
    frame : numpy.ndarray, float32, shape (h, w, 3)
        RGB in [0, 1], C-contiguous, with ``(h, w) = fitted_size(H, W, max_side, downscale)``.
    notices : tuple of str
        What was changed, for the person: grey expanded, alpha dropped, bit depth
        scaled, values clipped, size reduced by ``max_side``.

    Raises
    ------
    ValueError
        If the layout or pixel type is not one a picture can have; the message
        says which (callers add the file name).
    """
    notices: list[str] = []
    picture = _drop_alpha(_check_layout(raw), notices)

    height, width = picture.shape[:2]
    fitted = fitted_size(height, width, max_side)
    if fitted != (height, width):
        notices.append(f"scaled down from {size_text(height, width)} to {size_text(*fitted)} for speed")
    target = fitted_size(height, width, max_side, downscale)

    # Integers shrink before becoming floats (less memory); floats are cleaned first.
    if picture.dtype in _RESIZABLE_INTEGERS:
        picture = _to_unit_float(_resize(picture, target), notices)
    else:
        picture = _resize(_to_unit_float(picture, notices), target)

    if picture.ndim == 2:
        notices.insert(0, "grayscale image: all three channels are equal")
        frame = np.repeat(picture[:, :, None], 3, axis=2)
    else:
        frame = cv2.cvtColor(picture, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(frame, dtype=np.float32), tuple(notices)


def _check_layout(raw: np.ndarray) -> np.ndarray:
    if not isinstance(raw, np.ndarray) or raw.size == 0:
        raise ValueError("the picture is empty")
    if raw.ndim == 3 and raw.shape[2] == 1:
        raw = raw[:, :, 0]
    if raw.ndim == 2 or (raw.ndim == 3 and raw.shape[2] in (2, 3, 4)):
        return raw
    raise ValueError(f"unsupported picture layout {raw.shape} (expected grey, grey + alpha, colour or colour + alpha)")


def _drop_alpha(picture: np.ndarray, notices: list[str]) -> np.ndarray:
    if picture.ndim == 3 and picture.shape[2] in (2, 4):
        notices.append("alpha channel dropped (transparency is ignored)")
        return picture[:, :, 0] if picture.shape[2] == 2 else picture[:, :, :3]
    return picture


def _resize(picture: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if picture.shape[:2] == size:
        return picture
    height, width = size
    return cv2.resize(np.ascontiguousarray(picture), (width, height), interpolation=cv2.INTER_AREA)


def _to_unit_float(picture: np.ndarray, notices: list[str]) -> np.ndarray:
    """Integers scaled by their type's maximum; floats cleaned and clipped to [0, 1]."""
    dtype = picture.dtype
    if dtype == np.uint8:
        out = picture.astype(np.float32)
        out /= np.float32(255)  # division, not multiplication: 255 → exactly 1.0
        return out
    if np.issubdtype(dtype, np.integer):
        bits = dtype.itemsize * 8
        top = np.iinfo(dtype).max
        out = picture.astype(np.float32)
        if np.issubdtype(dtype, np.signedinteger):
            notices.append(f"signed {bits}-bit image: negative values set to 0, then scaled to [0, 1]")
            np.maximum(out, 0, out=out)
        else:
            notices.append(f"{bits}-bit image scaled to [0, 1]")
        out /= np.float32(top)
        return out
    if np.issubdtype(dtype, np.floating):
        out = picture.astype(np.float32)  # always a copy: the caller may own `picture`
        finite = np.isfinite(out)
        if not finite.all():
            notices.append("non-finite values (NaN or infinity) set to 0")
            out[~finite] = 0.0
        low, high = float(out.min()), float(out.max())
        if low < 0.0 or high > 1.0:
            notices.append(f"floating-point values from {low:.4g} to {high:.4g} clipped to [0, 1]")
            np.clip(out, 0.0, 1.0, out=out)
        return out
    raise ValueError(f"unsupported pixel type {dtype} (expected integers or floating point)")
