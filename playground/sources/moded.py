"""A source seen through an input mode: raw 0–255 or [0, 1], colour or gray (Qt-free).

:class:`ModedSource` wraps any opened source and applies
:func:`~playground.sources.input_mode.apply_input_mode` to every frame, so the
frame loop, the processor and the exports see the frame the first layer takes
without knowing about modes. A change of mode is made in place (:attr:`ModedSource.mode` is read per
frame), so a camera is never reopened for a change of scale.

Wrapping hands the frame loop a new source object, and the loop closes the one
it replaces — which here is the wrapped source itself. So the wrapper *adopts*
its source: the source's own ``close`` is disarmed, and only the wrapper closes
it, when it is closed itself.
"""

from __future__ import annotations

import numpy as np

from .base import Source
from .input_mode import InputMode, apply_input_mode

__all__ = ["ModedSource", "with_mode", "unwrapped"]


def _ignore_close() -> None:
    """Stands in for an adopted source's ``close``: its wrapper closes it."""


class ModedSource(Source):
    """``inner``'s frames through ``mode``.

    Parameters
    ----------
    inner : Source
        An opened source, adopted: ``inner.close()`` does nothing from now on;
        closing the wrapper closes it.
    mode : InputMode
        Read for every frame: assign a new one to change it.

    Notes
    -----
    Attributes the wrapper does not have (a webcam's ``index``, ``status``…)
    are read from ``inner``, so code that asks a source about itself keeps working.
    """

    def __init__(self, inner: Source, mode: InputMode):
        super().__init__()
        self.inner = inner
        self.mode = mode
        self.raw = bool(getattr(inner, "raw", False))
        self.kind = inner.kind
        self.spec = inner.spec
        self.live = inner.live
        self.frame_interval = inner.frame_interval
        self.notices = tuple(inner.notices)
        inner.close = _ignore_close   # an instance attribute: found before the class's close

    @property
    def description(self) -> str:
        # read each time: a webcam's description can change (its measured size)
        if self.mode == InputMode() or (self.raw and not self.mode.grayscale):
            return self.inner.description
        return f"{self.inner.description} · {self.mode.describe() if not self.raw else 'gray'}"

    def __getattr__(self, name: str):
        # only called for attributes not found on the wrapper itself
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def _read(self) -> np.ndarray:
        return apply_input_mode(self.inner.read(), self.mode, raw_source=self.raw)

    def _release(self) -> None:
        type(self.inner).close(self.inner)   # the class's close, past the disarmed one


def unwrapped(source: Source) -> Source:
    """The source under any :class:`ModedSource` wrapper."""
    while isinstance(source, ModedSource):
        source = source.inner
    return source


def with_mode(source: Source, mode: InputMode) -> Source:
    """``source`` seen through ``mode``.

    Returns
    -------
    Source
        ``source`` itself with its mode changed when it is a :class:`ModedSource`
        (nothing to switch); ``source`` itself for the default mode; else a new
        wrapper, which the caller hands to the frame loop.
    """
    if isinstance(source, ModedSource):
        source.mode = mode
        return source
    if mode == InputMode():
        return source
    return ModedSource(source, mode)
