"""The layer's arithmetic as the notes write it, with this frame's numbers filled in."""

from __future__ import annotations

from dataclasses import dataclass

from playground.engine.shapes import conv_params, output_size

__all__ = ["LayerArithmetic", "layer_arithmetic", "padding_text"]


@dataclass(frozen=True)
class LayerArithmetic:
    """Lines of text for the arithmetic panel; ``out_shape`` is (n_H, n_W, K) or None."""

    lines: tuple[tuple[str, str], ...]   # (label, text)
    out_shape: tuple[int, int, int] | None
    pooled_shape: tuple[int, int, int] | None
    params: int
    error: str | None = None


def padding_text(pads) -> str:
    """The padding in use, ((top, bottom), (left, right)), as the panels show it."""
    (top, bottom), (left, right) = pads
    if top == bottom == left == right:
        return f"p = {top}"
    text = f"top {top}, bottom {bottom}, left {left}, right {right}"
    if (top != bottom or left != right) and bottom - top in (0, 1) and right - left in (0, 1):
        # the shape "same" gives when the total is odd
        text += "  (uneven total: the extra row/column goes bottom/right)"
    return text


def _axis(n: int, f: int, pads: tuple[int, int], s: int, d: int) -> tuple[str, int | None]:
    p0, p1 = pads
    f_eff = d * (f - 1) + 1
    pad_text = f"2·{p0}" if p0 == p1 else f"{p0}+{p1}"
    size = n + p0 + p1 - f_eff
    text = f"⌊({n} + {pad_text} − {f_eff}) / {s}⌋ + 1"
    if size < 0:
        return text + " → no output", None
    out = output_size(n, f, (p0, p1), s, d)
    return f"{text} = {out}", out


def layer_arithmetic(in_shape, f: int, pads, stride: int, dilation: int, k: int, flip: bool,
                     pool=None) -> LayerArithmetic:
    """Build the panel's lines.

    Parameters
    ----------
    in_shape : (n_H, n_W, n_c)
    f : int
    pads : ((top, bottom), (left, right))
    stride, dilation, k : int
    flip : bool
        True convolution (flipped kernel) rather than cross-correlation.
    pool : PoolSettings or None
    """
    n_h, n_w, n_c = in_shape
    (top, bottom), (left, right) = pads
    lines = [("input", f"n_H × n_W × n_c = {n_h} × {n_w} × {n_c}")]
    f_eff = dilation * (f - 1) + 1
    kernel = f"f = {f}" + (f"  (dilation {dilation}: covers {f_eff}×{f_eff})" if dilation > 1 else "")
    lines.append(("filters", f"{k} × ({f} × {f} × {n_c}),  {kernel}"))
    lines.append(("padding", padding_text(pads)))
    lines.append(("stride", f"s = {stride}"))
    text_h, out_h = _axis(n_h, f, (top, bottom), stride, dilation)
    text_w, out_w = _axis(n_w, f, (left, right), stride, dilation)
    lines.append(("n_H out", text_h))
    lines.append(("n_W out", text_w))
    params = conv_params(f, n_c, k) if k else 0
    lines.append(("#params", f"(f·f·n_c + 1)·K = ({f}·{f}·{n_c} + 1)·{k} = {params}"))
    lines.append(("operation", "true convolution (kernel flipped 180°)" if flip
                  else "cross-correlation (what CNNs call convolution)"))
    out_shape = (out_h, out_w, k) if out_h and out_w else None
    error = None
    if out_shape is None:
        error = (f"kernel {f_eff}×{f_eff} is larger than the padded frame "
                 f"{n_h + top + bottom}×{n_w + left + right}: no output")
    lines.append(("output", f"{out_h} × {out_w} × {k}" if out_shape else "none"))
    pooled_shape = None
    if pool is not None and out_shape is not None:
        ph = (out_h - pool.size) // pool.stride + 1 if out_h >= pool.size else 0
        pw = (out_w - pool.size) // pool.stride + 1 if out_w >= pool.size else 0
        lines.append(("pool", f"{pool.mode} f = {pool.size}, s = {pool.stride}: "
                      f"⌊({out_h} − {pool.size}) / {pool.stride}⌋ + 1 = {ph}  →  {ph} × {pw} × {k}, 0 params"))
        pooled_shape = (ph, pw, k) if ph and pw else None
    return LayerArithmetic(tuple(lines), out_shape, pooled_shape, params, error)
