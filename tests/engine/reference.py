"""Slow, obviously-correct reference implementations for the engine tests.

Everything here works in float64 with explicit loops over output positions, and
shares no code with ``playground.engine``. Shapes follow the lecture notes:
activations ``(m, n_H, n_W, n_c)`` or ``(n_H, n_W, n_c)``, weights
``(f_H, f_W, n_c, K)``, bias ``(K,)``.
"""

from __future__ import annotations

import numpy as np


def pair(v):
    """``3 -> (3, 3)``; ``(2, 3) -> (2, 3)``."""
    if isinstance(v, (tuple, list)):
        assert len(v) == 2
        return int(v[0]), int(v[1])
    return int(v), int(v)


def effective_size(f: int, dilation: int) -> int:
    return dilation * (f - 1) + 1


def same_pad_1d(n: int, f_eff: int, s: int) -> tuple[int, int]:
    """Notes' "same with stride": total = n*s - n + f - s, extra cell after."""
    total = max(n * s - n + f_eff - s, 0)
    return total // 2, total - total // 2


def resolve_padding(padding, n_H, n_W, f_H_eff, f_W_eff, s_H, s_W):
    """Return ``((top, bottom), (left, right))`` for every accepted padding form."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            return same_pad_1d(n_H, f_H_eff, s_H), same_pad_1d(n_W, f_W_eff, s_W)
        raise AssertionError(f"reference does not know padding {padding!r}")
    if isinstance(padding, (tuple, list)):
        a, b = padding
        if isinstance(a, (tuple, list)):
            return (int(a[0]), int(a[1])), (int(b[0]), int(b[1]))
        return (int(a), int(a)), (int(b), int(b))
    p = int(padding)
    return (p, p), (p, p)


def out_len(n: int, before: int, after: int, f_eff: int, s: int) -> int:
    return (n + before + after - f_eff) // s + 1


def _zero_pad(x, pads):
    (t, bt), (lf, r) = pads
    out = np.zeros((x.shape[0] + t + bt, x.shape[1] + lf + r, x.shape[2]), dtype=np.float64)
    out[t : t + x.shape[0], lf : lf + x.shape[1], :] = x
    return out


def _conv_single(x, w, stride, padding, dilation, flip, per_channel):
    """x: (n_H, n_W, n_c) float64; w: (f_H, f_W, n_c, K) float64."""
    n_H, n_W, n_c = x.shape
    f_H, f_W, n_c_w, K = w.shape
    assert n_c == n_c_w
    s_H, s_W = pair(stride)
    d_H, d_W = pair(dilation)
    fe_H, fe_W = effective_size(f_H, d_H), effective_size(f_W, d_W)
    pads = resolve_padding(padding, n_H, n_W, fe_H, fe_W, s_H, s_W)
    xp = _zero_pad(x, pads)
    if flip:  # true convolution: rotate the kernel by 180 degrees
        w = w[::-1, ::-1, :, :]
    H_out = out_len(n_H, *pads[0], fe_H, s_H)
    W_out = out_len(n_W, *pads[1], fe_W, s_W)
    assert H_out >= 1 and W_out >= 1
    if per_channel:
        out = np.zeros((H_out, W_out, n_c, K))
    else:
        out = np.zeros((H_out, W_out, K))
    for i in range(H_out):
        for j in range(W_out):
            rows = [i * s_H + a * d_H for a in range(f_H)]
            cols = [j * s_W + c * d_W for c in range(f_W)]
            window = xp[np.ix_(rows, cols)]  # (f_H, f_W, n_c)
            for k in range(K):
                for c in range(n_c):
                    v = float(np.sum(window[:, :, c] * w[:, :, c, k]))
                    if per_channel:
                        out[i, j, c, k] = v
                    else:
                        out[i, j, k] += v
    return out


def conv2d_ref(x, w, b=None, *, stride=1, padding="valid", dilation=1, flip=False):
    """Float64 loop reference for ``conv2d`` (cross-correlation unless ``flip``)."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim == 2:
        assert w.ndim == 2
        out = _conv_single(x[:, :, None], w[:, :, None, None], stride, padding, dilation, flip, False)
        out = out[:, :, 0]
        if b is not None:
            out = out + float(np.asarray(b, dtype=np.float64).reshape(-1)[0])
        return out
    if x.ndim == 4:
        return np.stack(
            [conv2d_ref(xi, w, b, stride=stride, padding=padding, dilation=dilation, flip=flip) for xi in x]
        )
    out = _conv_single(x, w, stride, padding, dilation, flip, False)
    if b is not None:
        out = out + np.asarray(b, dtype=np.float64)
    return out


def conv2d_per_channel_ref(x, w, *, stride=1, padding="valid", dilation=1, flip=False):
    """Each input channel's contribution: ``(..., H_out, W_out, n_c, K)``, no bias."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim == 4:
        return np.stack(
            [conv2d_per_channel_ref(xi, w, stride=stride, padding=padding, dilation=dilation, flip=flip) for xi in x]
        )
    return _conv_single(x, w, stride, padding, dilation, flip, True)


def conv2d_taps_ref(x, w, b=None, *, stride=1, padding="valid", dilation=1, flip=False):
    """Vectorised float64 reference for big images: a sum over kernel taps of
    shifted, strided slices of the zero-padded input times the tap's (n_c, K) matrix.
    Accepts (n_H, n_W, n_c) or (m, n_H, n_W, n_c)."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    batched = x.ndim == 4
    if not batched:
        x = x[None]
    m, n_H, n_W, n_c = x.shape
    f_H, f_W, _, K = w.shape
    s_H, s_W = pair(stride)
    d_H, d_W = pair(dilation)
    fe_H, fe_W = effective_size(f_H, d_H), effective_size(f_W, d_W)
    (t, bt), (lf, r) = resolve_padding(padding, n_H, n_W, fe_H, fe_W, s_H, s_W)
    xp = np.zeros((m, n_H + t + bt, n_W + lf + r, n_c))
    xp[:, t : t + n_H, lf : lf + n_W] = x
    if flip:
        w = w[::-1, ::-1]
    H_out = out_len(n_H, t, bt, fe_H, s_H)
    W_out = out_len(n_W, lf, r, fe_W, s_W)
    out = np.zeros((m, H_out, W_out, K))
    for a in range(f_H):
        for c in range(f_W):
            r0, c0 = a * d_H, c * d_W
            sl = xp[:, r0 : r0 + s_H * (H_out - 1) + 1 : s_H, c0 : c0 + s_W * (W_out - 1) + 1 : s_W, :]
            out += sl @ w[a, c]
    if b is not None:
        out += np.asarray(b, dtype=np.float64)
    return out if batched else out[0]


def pool2d_ref(x, f, stride=None, padding=0, mode="max"):
    """Per-channel pooling; max pads with -inf, avg averages the real cells only."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 4:
        return np.stack([pool2d_ref(xi, f, stride, padding, mode) for xi in x])
    s = f if stride is None else stride
    p = padding
    n_H, n_W, n_c = x.shape
    H_out = (n_H + 2 * p - f) // s + 1
    W_out = (n_W + 2 * p - f) // s + 1
    out = np.zeros((H_out, W_out, n_c))
    for i in range(H_out):
        for j in range(W_out):
            for ch in range(n_c):
                cells = []
                for a in range(f):
                    for c in range(f):
                        r = i * s + a - p
                        q = j * s + c - p
                        if 0 <= r < n_H and 0 <= q < n_W:
                            cells.append(x[r, q, ch])
                        elif mode == "max":
                            cells.append(-np.inf)
                if mode == "max":
                    out[i, j, ch] = max(cells)
                else:  # only real cells were collected
                    out[i, j, ch] = sum(cells) / len(cells)
    return out


def conv_tolerance(x, w, b=None) -> float:
    """Absolute tolerance scaled to the size of the products summed (float32 engine)."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim == 2:
        taps = w.size
    else:
        taps = w.shape[0] * w.shape[1] * w.shape[2]
    bound = taps * (np.abs(x).max(initial=0.0)) * (np.abs(w).max(initial=0.0))
    if b is not None:
        bound += np.abs(np.asarray(b, dtype=np.float64)).max(initial=0.0)
    return 1e-4 + 2e-6 * bound


def assert_conv_close(got, expected, x, w, b=None):
    got = np.asarray(got)
    assert got.shape == expected.shape, f"shape {got.shape} != expected {expected.shape}"
    np.testing.assert_allclose(got.astype(np.float64), expected, rtol=1e-4, atol=conv_tolerance(x, w, b))


def pool2d_taps_ref(x, f, stride=None, padding=0, mode="max"):
    """Vectorised pooling reference for big inputs: reduce over the f*f shifted,
    strided slices of the padded input (-inf padding for max; for avg a sum of the
    real cells divided by a count of the real cells)."""
    x = np.asarray(x, dtype=np.float64)
    batched = x.ndim == 4
    if not batched:
        x = x[None]
    s = f if stride is None else stride
    p = padding
    m, n_H, n_W, n_c = x.shape
    H_out = (n_H + 2 * p - f) // s + 1
    W_out = (n_W + 2 * p - f) // s + 1
    fill = -np.inf if mode == "max" else 0.0
    xp = np.full((m, n_H + 2 * p, n_W + 2 * p, n_c), fill)
    xp[:, p : p + n_H, p : p + n_W] = x
    real = np.zeros((n_H + 2 * p, n_W + 2 * p))
    real[p : p + n_H, p : p + n_W] = 1.0
    acc = np.full((m, H_out, W_out, n_c), fill)
    count = np.zeros((H_out, W_out))
    for a in range(f):
        for c in range(f):
            sl = xp[:, a : a + s * (H_out - 1) + 1 : s, c : c + s * (W_out - 1) + 1 : s]
            acc = np.maximum(acc, sl) if mode == "max" else acc + sl
            count += real[a : a + s * (H_out - 1) + 1 : s, c : c + s * (W_out - 1) + 1 : s]
    if mode == "avg":
        acc = acc / count[None, :, :, None]
    return acc if batched else acc[0]
