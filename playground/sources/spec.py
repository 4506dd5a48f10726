"""Source specs: the strings that name a source (``demo``, ``webcam:1``, a path, ``sample:city``)."""

from __future__ import annotations

from pathlib import Path

from .base import Source, SourceError
from .demo import DemoSource
from .frames import DEFAULT_MAX_SIDE, check_downscale, check_max_side
from .image import ImageRefusedError, ImageSource
from .matrix import MatrixSource
from .samples import sample_images
from .video import VIDEO_EXTENSIONS, VideoSource
from .webcam import WebcamSource

__all__ = ["open_source", "parse_source_spec", "IMAGE_EXTENSIONS", "SPEC_KINDS"]

IMAGE_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".jpe", ".bmp", ".dib", ".tif", ".tiff", ".webp",
     ".pbm", ".pgm", ".ppm", ".pnm", ".pfm", ".sr", ".ras", ".hdr", ".pic", ".exr", ".jp2"}
)  # fmt: skip
SPEC_KINDS = ("demo", "webcam", "sample", "matrix", "image", "video", "file")


def _accepted_forms() -> str:
    names = ", ".join(sample_images()) or "none installed"
    return (
        "use 'demo', 'webcam', 'webcam:N' (N = camera number, from 0), "
        f"'sample:NAME' ({names}), 'matrix:PATH' (a text file of numbers) or the path of an image or video file"
    )


def parse_source_spec(spec: str) -> tuple[str, int | str | Path | None]:
    """Check a source spec and say what it names, without opening anything.

    For the command line's ``--source``, so a typo fails before any window opens.
    Keywords are matched without regard to case and surrounding spaces; a file
    actually named ``demo`` is reached as ``./demo``.

    Parameters
    ----------
    spec : str
        ``"demo"``, ``"webcam"`` (camera 0), ``"webcam:N"``, ``"sample:NAME"``,
        ``"matrix:PATH"`` (a text file of raw numbers, see
        :mod:`playground.sources.matrix`) or the path of an image or video file
        (``~`` is expanded).

    Returns
    -------
    kind : str
        ``"demo"``, ``"webcam"``, ``"sample"``, ``"matrix"``, or for a path ``"image"`` /
        ``"video"`` by its extension, ``"file"`` when the extension says neither
        (the content decides when it is opened).
    value : None, int, str or pathlib.Path
        None for the demo, the camera index for a webcam, the sample name, the path
        (for ``"matrix"`` too).

    Raises
    ------
    SourceError
        If the spec is empty, a webcam number or sample name is invalid, or the
        path does not exist or is a folder; the message lists the accepted forms.

    Examples
    --------
    >>> parse_source_spec("webcam:1")
    ('webcam', 1)
    >>> parse_source_spec("demo")
    ('demo', None)
    """
    if not isinstance(spec, str) or not spec.strip():
        raise SourceError(f"no source given: {_accepted_forms()}")
    text = spec.strip()
    keyword = text.lower()
    if keyword == "demo":
        return "demo", None
    if keyword == "webcam":
        return "webcam", 0
    if keyword.startswith("webcam:"):
        number = text[len("webcam:"):].strip()
        if not (number.isascii() and number.isdigit()):
            raise SourceError(f"bad camera number in {spec!r}: {_accepted_forms()}")
        return "webcam", int(number)
    if keyword.startswith("sample:"):
        name = text[len("sample:"):].strip().lower()
        if name not in sample_images():
            raise SourceError(f"no sample picture called {name!r}: {_accepted_forms()}")
        return "sample", name
    if keyword.startswith("matrix:"):
        # a text file of raw numbers (playground.sources.matrix); read when opened
        matrix_path = Path(text[len("matrix:"):].strip()).expanduser()
        if not matrix_path.is_file():
            reason = "it is a folder, not a file" if matrix_path.is_dir() else "no such file"
            raise SourceError(f"cannot open '{matrix_path}': {reason} ({_accepted_forms()})")
        return "matrix", matrix_path

    path = Path(text).expanduser()
    if not path.exists():
        raise SourceError(f"cannot open '{text}': no such file ({_accepted_forms()})")
    if path.is_dir():
        raise SourceError(f"cannot open '{text}': it is a folder, not a file ({_accepted_forms()})")
    suffix = path.suffix.lower()
    if suffix == ".txt":   # a text file is a matrix of numbers (File ▸ Open, drag and drop)
        return "matrix", path
    if suffix in VIDEO_EXTENSIONS:
        return "video", path
    if suffix in IMAGE_EXTENSIONS:
        return "image", path
    return "file", path


def open_source(
    spec: str,
    *,
    downscale: int = 1,
    webcam_resolution: tuple[int, int] = (640, 480),
    max_side: int = DEFAULT_MAX_SIDE,
) -> Source:
    """Open the source a spec names (see :func:`parse_source_spec` for the forms).

    A path is opened as an image unless its extension is a video one
    (.mp4, .avi, .mov, .mkv, .webm, .m4v); when it does not decode as an image,
    it is tried as a video — unless its first bytes say it is a picture (a damaged
    or too large picture is reported as such, never shown as a video frame).

    Parameters
    ----------
    spec : str
        ``"demo"``, ``"webcam"``, ``"webcam:N"``, ``"sample:NAME"`` or a path.
    downscale : int
        1, 2, 3 or 4: frames are shrunk by this factor, for speed.
    webcam_resolution : (int, int)
        ``(width, height)`` requested from a webcam.
    max_side : int
        Images and videos larger than this on either side are scaled down.

    Returns
    -------
    Source
        Open and ready to :meth:`~Source.read`; the caller closes it. Its
        :attr:`~Source.spec` reopens it (paths become absolute).

    Raises
    ------
    SourceError
        For any problem a person can cause: a bad spec, a missing or unreadable
        file, no camera, an out-of-range ``downscale``, ``max_side`` or resolution.
    """
    try:
        downscale, max_side = check_downscale(downscale), check_max_side(max_side)
    except ValueError as error:
        raise SourceError(str(error)) from error
    kind, value = parse_source_spec(spec)
    if kind == "demo":
        return DemoSource(downscale=downscale)
    if kind == "webcam":
        try:
            return WebcamSource(value, webcam_resolution, downscale=downscale, max_side=max_side)
        except ValueError as error:
            raise SourceError(str(error)) from error
    if kind == "sample":
        source = ImageSource(sample_images()[value], max_side=max_side, downscale=downscale)
        source.spec = f"sample:{value}"
        return source
    if kind == "matrix":
        return MatrixSource.from_file(value)
    if kind == "video" or value.stat().st_size == 0:  # empty: VideoSource says so plainly
        return VideoSource(value, max_side=max_side, downscale=downscale)
    try:
        return ImageSource(value, max_side=max_side, downscale=downscale)
    except ImageRefusedError:
        # FFmpeg would show a truncated JPEG as a frame with a green lower half
        raise
    except SourceError as image_error:
        try:
            return VideoSource(value, max_side=max_side, downscale=downscale)
        except SourceError:
            if kind == "image":
                raise image_error from None
            raise SourceError(
                f"cannot open '{value}': neither an image nor a video that OpenCV can read"
            ) from image_error
