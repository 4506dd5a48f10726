"""The shape arithmetic of one layer's output volume, (n_H, n_W, n_c) in → out.

Its own module because both the SPEC parser (checking each token as it reads it) and
the notes' table (:mod:`playground.kernels.summary`, which also reads SPECs) need it.
"""

from __future__ import annotations

from playground.engine.layer import LayerSettings, PoolSettings
from playground.engine.shapes import effective_size, output_size

__all__ = ["conv_output_shape", "pool_output_shape"]


def conv_output_shape(shape: tuple[int, int, int], size: int, filters: int,
                      settings: LayerSettings) -> tuple[int, int, int]:
    """(n_H, n_W, n_c) in → (n_H', n_W', K) out: floor((n + p_before + p_after − f_eff)/s) + 1.

    Raises
    ------
    ValueError
        The (dilated) kernel is larger than the padded input, with the numbers.
    """
    n_h, n_w, _ = shape
    pads = settings.pads((n_h, n_w), size)
    out = [output_size(n, size, p, settings.stride, settings.dilation) for n, p in zip((n_h, n_w), pads, strict=True)]
    if min(out) < 1:
        f_eff = effective_size(size, settings.dilation)
        raise ValueError(f"kernel {f_eff}×{f_eff} is larger than its padded input "
                         f"{n_h + sum(pads[0])}×{n_w + sum(pads[1])}: no output")
    return (out[0], out[1], filters)


def pool_output_shape(shape: tuple[int, int, int], pool: PoolSettings) -> tuple[int, int, int]:
    """(n_H, n_W, n_c) → the pooled shape (per channel, no padding); ValueError if the window does not fit."""
    n_h, n_w, n_c = shape
    if pool.size > min(n_h, n_w):
        raise ValueError(f"pool window {pool.size}×{pool.size} is larger than its {n_h}×{n_w} input")
    return (output_size(n_h, pool.size, 0, pool.stride), output_size(n_w, pool.size, 0, pool.stride), n_c)
