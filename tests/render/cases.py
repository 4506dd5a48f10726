"""Random inputs and layers shared by the render tests."""

from __future__ import annotations

import numpy as np


def random_case(seed: int, shape: tuple[int, int], f: int, n_c: int, k: int = 4):
    """A picture (shape + (n_c,)) in [0, 1), f×f×n_c×k weights and k biases, float32."""
    rng = np.random.default_rng(seed)
    x = rng.random(shape + (n_c,), dtype=np.float32)
    w = rng.standard_normal((f, f, n_c, k)).astype(np.float32)
    b = rng.standard_normal(k).astype(np.float32)
    return x, w, b
