"""The fast demo renderer and the live DemoSource built on it."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from playground.sources import DemoSource, SourceError, demo_frame
from playground.sources.demo import DemoRenderer


def reference_demo_frame(h: int, w: int, t: float) -> np.ndarray:
    """The demo picture drawn the original way: the disc blended over the whole frame."""
    light, dark = (0.93, 0.89, 0.80), (0.07, 0.09, 0.20)
    blocks = ((0.85, 0.22, 0.18), (0.20, 0.70, 0.30), (0.20, 0.35, 0.90))
    frame = np.empty((h, w, 3), np.float32)
    split_x, split_y = round(0.5 * w), round(0.62 * h)
    frame[:, :split_x] = light
    frame[:, split_x:] = dark
    edges = [round(i * w / 3) for i in range(4)]
    for colour, (x0, x1) in zip(blocks, itertools.pairwise(edges), strict=True):
        frame[split_y:, x0:x1] = colour
    ys = np.arange(h, dtype=np.float32)[:, None] + 0.5
    xs = np.arange(w, dtype=np.float32)[None, :] + 0.5
    size = 0.8 * min(split_y, w - split_x)
    right, bottom = w - 0.06 * w, split_y - 0.06 * h
    frame[(xs <= right) & (ys <= bottom) & ((right - xs) + (bottom - ys) <= size)] = (0.98, 0.80, 0.15)
    angle = 2.0 * math.pi * t / 6.0
    radius = 0.09 * min(h, w)
    cx, cy = (0.25 + 0.12 * math.cos(angle)) * w, (0.30 + 0.12 * math.sin(angle)) * h
    coverage = np.clip(radius + 0.5 - np.hypot(xs - cx, ys - cy), 0.0, 1.0)[..., None]
    frame += coverage * (np.asarray((0.75, 0.20, 0.65), np.float32) - frame)
    return frame


SIZES = [(1, 1), (2, 3), (7, 5), (33, 200), (120, 160), (480, 640), (600, 800)]
TIMES = [0.0, 0.37, 1.5, 2.999, 4.25, 5.9, -3.3, 1234.5]


@pytest.mark.parametrize("size", SIZES)
def test_demo_frame_is_the_original_picture(size):
    for t in TIMES:
        np.testing.assert_allclose(demo_frame(*size, t=t), reference_demo_frame(*size, t), rtol=0, atol=1e-6)


@pytest.mark.parametrize("size", SIZES)
def test_renderer_equals_demo_frame(size):
    renderer = DemoRenderer(*size)
    for t in TIMES:
        np.testing.assert_allclose(renderer.render(t), demo_frame(*size, t=t), rtol=0, atol=1e-6)


def test_renderer_background_is_cached_and_protected():
    renderer = DemoRenderer(48, 64)
    assert not renderer.background.flags.writeable
    frame = renderer.render(0.0)
    frame[:] = 0.0  # the caller owns each frame; the next one is untouched
    assert renderer.render(0.0).max() > 0.5


class FakeClock:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_source_animates_with_its_clock():
    clock = FakeClock(100.0)
    source = DemoSource(clock=clock)
    first = source.read()
    np.testing.assert_allclose(first, demo_frame(480, 640, 0.0), atol=1e-6)
    clock.now = 101.5
    later = source.read()
    np.testing.assert_allclose(later, demo_frame(480, 640, 1.5), atol=1e-6)
    assert not np.array_equal(first, later)


def test_source_frame_format_and_attributes():
    source = DemoSource(width=320, height=200, clock=FakeClock())
    frame = source.read()
    assert frame.shape == (200, 320, 3) and frame.dtype == np.float32
    assert frame.flags.c_contiguous and frame.flags.writeable
    assert 0.0 <= frame.min() and frame.max() <= 1.0
    assert (source.kind, source.spec, source.live) == ("demo", "demo", True)
    assert source.frame_interval == pytest.approx(1 / 60)
    assert source.description == "Demo 320×200"
    assert source.notices == ()


def test_each_read_is_a_new_array():
    source = DemoSource(clock=FakeClock())
    a = source.read()
    a[:] = 0.0
    assert source.read().max() > 0.5


@pytest.mark.parametrize(("downscale", "shape"), [(1, (480, 640)), (2, (240, 320)), (3, (160, 213)), (4, (120, 160))])
def test_downscale_draws_a_smaller_picture(downscale, shape):
    source = DemoSource(clock=FakeClock(), downscale=downscale)
    frame = source.read()
    assert frame.shape == (*shape, 3)
    np.testing.assert_allclose(frame, demo_frame(*shape, t=0.0), atol=1e-6)
    assert f"{shape[1]}×{shape[0]}" in source.description


@pytest.mark.parametrize("bad", [dict(width=0), dict(height=-1), dict(width=2.5), dict(downscale=5), dict(downscale=0)])
def test_bad_arguments_are_refused(bad):
    with pytest.raises(ValueError):
        DemoSource(**bad)


def test_closed_source_refuses_to_read():
    with DemoSource(clock=FakeClock()) as source:
        source.read()
    assert source.closed
    with pytest.raises(SourceError, match="closed"):
        source.read()


def test_demo_frame_returns_an_independent_array_each_call():
    first = demo_frame(60, 80, t=1.0)
    first[:] = 0.0  # callers may draw on it; the cached background must not change
    np.testing.assert_array_equal(demo_frame(60, 80, t=1.0), reference_demo_frame(60, 80, 1.0))
