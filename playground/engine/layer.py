"""One conv layer as the app runs it: conv → + bias → activation → optional pooling.

The settings are one immutable value, so a worker computes a whole frame with one
consistent set of choices while the person keeps editing.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import buffers
from .backend import backend_for
from .conv import conv_maps
from .pool import pool2d, pool_rows
from .shapes import as_pair, effective_size, output_size, resolve_padding

__all__ = ["PoolSettings", "LayerSettings", "LayerOutput", "run_layer", "ACTIVATIONS", "POOL_MODES",
           "MAX_STRIDE", "MAX_DILATION", "MAX_PADDING", "MAX_POOL"]

ACTIVATIONS = ("none", "relu", "abs")
POOL_MODES = ("max", "avg")
# The settings' limits, in one place (the command line's --help states them from here)
MAX_STRIDE = 16    # s
MAX_DILATION = 8   # d
MAX_PADDING = 64   # p, pixels per side
MAX_POOL = 16      # pooling f and s


def _positive_int(value, name: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ValueError(f"{name} must be a whole number from 1 to {maximum}; got {value!r}")
    return value


@dataclass(frozen=True)
class PoolSettings:
    """Pooling after the activation: ``mode`` "max" or "avg", f×f windows, stride s."""

    mode: str = "max"
    size: int = 2
    stride: int = 2

    def __post_init__(self):
        if self.mode not in POOL_MODES:
            raise ValueError(f"pool mode must be 'max' or 'avg'; got {self.mode!r}")
        _positive_int(self.size, "pool size f", MAX_POOL)
        _positive_int(self.stride, "pool stride s", MAX_POOL)


@dataclass(frozen=True)
class LayerSettings:
    """How the bank is applied.

    Parameters
    ----------
    padding : "valid", "same", int p, or ((top, bottom), (left, right))
    stride, dilation : int
    flip : bool
        True convolution (kernel rotated 180°) instead of cross-correlation.
    activation : {"none", "relu", "abs"}
    pool : PoolSettings or None
    """

    padding: object = "same"
    stride: int = 1
    dilation: int = 1
    flip: bool = False
    activation: str = "none"
    pool: PoolSettings | None = None

    def __post_init__(self):
        padding = self.padding
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"padding must be 'valid', 'same' or a number of pixels; got {padding!r}")
        else:
            pads = resolve_padding(padding, (1, 1), (1, 1), (1, 1), (1, 1))
            if max(max(pair) for pair in pads) > MAX_PADDING:
                raise ValueError(f"padding must be at most {MAX_PADDING} pixels per side; got {padding!r}")
            # store one canonical, hashable form
            object.__setattr__(self, "padding", pads if pads[0] != pads[1] or pads[0][0] != pads[0][1]
                               else pads[0][0])
        _positive_int(self.stride, "stride s", MAX_STRIDE)
        _positive_int(self.dilation, "dilation", MAX_DILATION)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {self.activation!r}")
        if self.pool is not None and not isinstance(self.pool, PoolSettings):
            raise ValueError("pool must be PoolSettings or None")
        object.__setattr__(self, "flip", bool(self.flip))

    def pads(self, size, kernel) -> tuple[tuple[int, int], tuple[int, int]]:
        """((top, bottom), (left, right)) for an input of ``size`` (n_H, n_W) and f×f ``kernel``."""
        return resolve_padding(self.padding, tuple(size), as_pair(kernel, "f"),
                               (self.stride, self.stride), (self.dilation, self.dilation))

    def out_hw(self, size, kernel: int) -> tuple[int, int] | None:
        """The maps' (n_H, n_W) for an input of ``size`` (n_H, n_W) and f×f ``kernel``, or
        None where the dilated kernel is larger than the padded input (no output)."""
        out = []
        for n, (p0, p1) in zip(size, self.pads(size, kernel), strict=True):
            if effective_size(kernel, self.dilation) > n + p0 + p1:
                return None
            out.append(output_size(n, kernel, (p0, p1), self.stride, self.dilation))
        return tuple(out)


@dataclass(frozen=True)
class LayerOutput:
    """What one frame through the layer gives.

    Attributes
    ----------
    maps : array float32 (n_H_out, n_W_out, K)
        After bias and activation, before pooling.
    contributions : array float32 (n_H_out, n_W_out, n_c, K) or None
        Each input channel's slice of the products, before bias and activation:
        summed over n_c plus the bias they give the maps' pre-activation values.
    pooled : array float32 (n_H_pool, n_W_pool, K) or None
    pads : ((top, bottom), (left, right))
    """

    maps: object
    contributions: object
    pooled: object
    pads: tuple


def run_layer(x, w, b, settings: LayerSettings, per_channel: bool = True) -> LayerOutput:
    """Run the layer on one frame.

    Parameters
    ----------
    x : array (n_H, n_W, n_c)
    w : array (f, f, n_c, K)
    b : array (K,) or None
    settings : LayerSettings
    per_channel : bool
        Also return the per-channel contributions (computed in the same pass).

    Raises
    ------
    ValueError
        When the settings leave no output (kernel larger than the padded frame,
        a pool window larger than the map), with the numbers in the message.
    """
    # the activation (and pooling that can be) is applied inside the conv's bands,
    # while the rows are in cache
    fused = _fused_pool(x, w, settings)
    pooled_planar, rows_done = fused if fused is not None else (None, None)
    maps, contributions = conv_maps(
        x, w, b, stride=settings.stride, padding=settings.padding,
        dilation=settings.dilation, flip=settings.flip, per_channel=per_channel,
        activation=settings.activation, rows_done=rows_done,
        row_multiple=settings.pool.stride if fused is not None else 1,
    )
    pooled = None
    if pooled_planar is not None:
        pooled = pooled_planar.transpose(0, 2, 1)   # (n_H, K, n_W) → (n_H, n_W, K), as pool2d gives
    elif settings.pool is not None:
        pool = settings.pool
        n_h, n_w = maps.shape[:2]
        if pool.size > min(n_h, n_w):
            raise ValueError(f"pool window {pool.size}×{pool.size} is larger than the {n_h}×{n_w} map")
        pooled = pool2d(maps, pool.size, pool.stride, mode=pool.mode)
    pads = settings.pads(x.shape[:2], w.shape[0])
    return LayerOutput(maps, contributions, pooled, pads)


def _fused_pool(x, w, settings: LayerSettings):
    """(pooled planar buffer (n_H_pool, K, n_W_pool), the conv's ``rows_done``) when the
    pooling can run band by band inside the conv, else None.

    It can when windows do not overlap (f ≤ s: each lies inside one band of rows
    whose start is a multiple of s), on one image whose maps hold at least one
    window; otherwise :func:`pool2d` runs after the conv (and says what is wrong).
    """
    pool = settings.pool
    if pool is None or pool.size > pool.stride or getattr(x, "ndim", 0) != 3 or getattr(w, "ndim", 0) != 4 \
            or min(x.shape) < 1 or min(w.shape) < 1:
        return None   # not a case to fuse, or one the conv refuses with its own message
    out_hw = settings.out_hw(x.shape[:2], w.shape[0])
    if out_hw is None or pool.size > min(out_hw):
        return None
    f, s = pool.size, pool.stride
    pooled_hw = [output_size(n, f, (0, 0), s) for n in out_hw]
    xp = backend_for([x]).xp
    pooled = buffers.recycled(xp, (pooled_hw[0], w.shape[3], pooled_hw[1]))

    def rows_done(first: int, last: int, rows) -> None:
        start = first // s                                           # first is a multiple of s
        stop = min(pooled_hw[0], (last - first - f) // s + 1 + start) if last - first >= f else start
        if stop > start:
            pool_rows(xp, rows, pooled[start:stop], f, s, pool.mode)

    return pooled, rows_done
