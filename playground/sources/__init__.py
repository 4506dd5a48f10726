"""Frame sources (demo, image, video, webcam). Qt-free; each yields RGB float frames.

Every source is a :class:`Source`: ``read()`` gives the next frame as an RGB
float32 ``(H, W, 3)`` array in [0, 1]; failures a person can cause raise
:class:`SourceError` with a one-line message. :func:`open_source` opens one from
a spec string (``"demo"``, ``"webcam:1"``, ``"sample:city"``, a file path).

Examples
--------
>>> from playground.sources import open_source
>>> with open_source("demo") as source:
...     frame = source.read()
>>> frame.shape, frame.dtype
((480, 640, 3), dtype('float32'))
"""

from .base import Source, SourceError
from .demo import DemoSource, demo_frame
from .image import ImageSource
from .matrix import (
    MatrixError,
    MatrixSource,
    check_matrix,
    matrix_from_text,
    matrix_to_text,
    read_matrix_file,
    resize_matrix,
)
from .notes_examples import NOTES_EXAMPLES, NotesExample, notes_example
from .samples import sample_images
from .spec import open_source, parse_source_spec
from .video import VideoSource
from .webcam import WebcamSource

__all__ = [
    "Source",
    "SourceError",
    "open_source",
    "parse_source_spec",
    "sample_images",
    "DemoSource",
    "ImageSource",
    "VideoSource",
    "WebcamSource",
    "demo_frame",
    "MatrixSource",
    "MatrixError",
    "matrix_from_text",
    "matrix_to_text",
    "read_matrix_file",
    "check_matrix",
    "resize_matrix",
    "NOTES_EXAMPLES",
    "NotesExample",
    "notes_example",
]
