"""The row stack: an input image rearranged so a convolution is one batched GEMM.

For output row r and kernel tap (i, c, j) the input cells needed are
``xpad[r·s_H + i·d_H, q·s_W + j·d_W, c]`` for every output column q. The stack stores
``R[y, c, j, q] = xpad[y, q·s_W + j·d_W, c]``: each input row once per column tap j,
already shifted, strided and padded. Then, for fixed r, the rows (i, c, j) of R that
feed it are evenly spaced in memory (one stack row apart for i, one plane apart for
c and j), so ``taps()`` can hand BLAS an (f_H·n_c·f_W × n_W_out) matrix without
copying anything. Building R costs f_W copies of the input; an im2col would cost
f_H·f_W.

Vertical dilation breaks the even spacing (tap i is d_H rows further), so rows are
stored by phase y mod d_H, which makes consecutive taps adjacent again; output rows
are then processed in groups that share a phase (one group when d_H = 1).

For per-channel maps the stack is stored channel-major, ``R[c, y, j, q]``, so that one
channel's f_H·f_W taps are evenly spaced instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import buffers

__all__ = ["RowStack"]


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclass(frozen=True)
class RowGroup:
    """Output rows r0, r0 + step, … that read the stack at one row phase."""

    stack: RowStack
    phase: int
    first_row: int     # r0
    row_step: int      # step between output rows in the group
    count: int         # number of output rows
    stack_row0: int    # stack row (within the phase) of r0's first tap
    stack_step: int    # stack rows between consecutive output rows

    def output_rows(self, first: int, last: int) -> slice:
        """Output rows of group members ``first … last − 1`` as a slice."""
        start = self.first_row + first * self.row_step
        return slice(start, start + (last - first - 1) * self.row_step + 1, self.row_step)

    def taps(self, first: int, last: int, channel: int | None = None):
        """Zero-copy view (n_rows, n_taps, n_W_out) of the cells feeding those rows.

        ``channel=None`` (channel-last stack): n_taps = f_H·n_c·f_W, ordered (i, c, j).
        ``channel=c`` (channel-major stack): n_taps = f_H·f_W, ordered (i, j).
        """
        s = self.stack
        plane = s.buffer[self.phase] if channel is None else s.buffer[self.phase, channel]
        row_len = plane[0].size  # elements per stack row
        n_taps = s.kernel[0] * row_len // s.out_w
        item = plane.itemsize
        flat = plane.reshape(-1)[(self.stack_row0 + first * self.stack_step) * row_len:]
        return s.backend.as_strided(
            flat,
            shape=(last - first, n_taps, s.out_w),
            strides=(self.stack_step * row_len * item, s.out_w * item, item),
        )


class RowStack:
    """Scratch stack for one geometry; ``fill`` it per image, then take ``groups``.

    Parameters
    ----------
    backend : engine backend (xp, as_strided, run_bands)
    in_shape : (n_H, n_W, n_c)
    kernel, stride, dilation : (H, W) pairs
    pads : ((top, bottom), (left, right))
    out_hw : (n_H_out, n_W_out)
    channel_major : bool
        Store as (phase, c, y, j, q) for per-channel products instead of (phase, y, c, j, q).
    """

    def __init__(self, backend, in_shape, kernel, stride, pads, dilation, out_hw, channel_major=False):
        self.backend = backend
        self.in_shape = tuple(in_shape)
        self.kernel = tuple(kernel)
        self.stride = tuple(stride)
        self.pads = tuple(pads)
        self.dilation = tuple(dilation)
        self.out_h, self.out_w = out_hw
        self.channel_major = channel_major
        d_h = self.dilation[0]
        n_c = self.in_shape[2]
        f_w = self.kernel[1]
        # rows of the padded input that some output row reads
        self.rows_used = (self.out_h - 1) * self.stride[0] + (self.kernel[0] - 1) * d_h + 1
        rows_per_phase = _ceil_div(self.rows_used, d_h)
        if channel_major:
            shape = (d_h, n_c, rows_per_phase, f_w, self.out_w)
        else:
            shape = (d_h, rows_per_phase, n_c, f_w, self.out_w)
        layout = "cm" if channel_major else "cl"
        tag = f"rowstack:{layout}:{self.in_shape}:{self.kernel}:{self.stride}:{self.pads}:{self.dilation}"
        self.buffer = buffers.scratch(backend.xp, tag, shape)
        # logical view (phase, y, c, j, q) whatever the storage order
        self._view = self.buffer.transpose(0, 2, 1, 3, 4) if channel_major else self.buffer

    def fill(self, image) -> None:
        """Copy one image (n_H, n_W, n_c) into the stack (converting to float32).

        Only cells inside the image are written; the padding cells were zeroed when
        the buffer was made and are never written, so they stay zero.
        """
        (top, _), (left, _) = self.pads
        n_h, n_w, _ = self.in_shape
        s_h, s_w = self.stride
        d_h, d_w = self.dilation
        view = self._view
        copies = []  # (phase, y0, y1, j, q0, q1, src_row0, src_col0)
        for phase in range(d_h):
            rows_here = _ceil_div(self.rows_used - phase, d_h)
            y0 = max(0, _ceil_div(top - phase, d_h))
            y1 = min(rows_here, _ceil_div(top + n_h - phase, d_h))
            if y1 <= y0:
                continue
            for j in range(self.kernel[1]):
                shift = j * d_w - left
                q0 = max(0, _ceil_div(-shift, s_w))
                q1 = min(self.out_w, _ceil_div(n_w - shift, s_w))
                if q1 > q0:
                    copies.append((phase, y0, y1, j, q0, q1, y0 * d_h + phase - top, q0 * s_w + shift))

        def job(first: int, last: int) -> None:
            for phase, y0, y1, j, q0, q1, row0, col0 in copies:
                a, z = max(y0, first), min(y1, last)
                if z <= a:
                    continue
                src_r = row0 + (a - y0) * d_h
                src = image[src_r: src_r + (z - a - 1) * d_h + 1: d_h,
                            col0: col0 + (q1 - q0 - 1) * s_w + 1: s_w]
                view[phase, a:z, :, j, q0:q1] = src.transpose(0, 2, 1)

        self.backend.run_bands(view.shape[1], job)

    def groups(self) -> list[RowGroup]:
        """Output rows grouped by the stack phase they read (one group if d_H = 1)."""
        s_h, d_h = self.stride[0], self.dilation[0]
        step = d_h // math.gcd(s_h, d_h)
        found = []
        for r0 in range(min(step, self.out_h)):
            count = len(range(r0, self.out_h, step))
            found.append(RowGroup(self, (r0 * s_h) % d_h, r0, step, count, (r0 * s_h) // d_h, step * s_h // d_h))
        return found
