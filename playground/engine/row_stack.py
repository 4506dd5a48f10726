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

A stack holds the rows for a chunk of output rows, not the whole image: each thread
fills its own small stack and multiplies it while it is still in the core's cache
(measured here: up to 2× faster than one image-sized stack written out to memory and
read back, most of all with stride 2, where filling the stack is half the work).
"""

from __future__ import annotations

import functools
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from . import buffers

__all__ = ["RowStack", "chunk_rows", "stack_budget", "l2_bytes"]


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@functools.lru_cache(maxsize=4)
def l2_bytes(root: str = "/sys/devices/system/cpu/cpu0/cache") -> int | None:
    """The size of one core's level-2 cache in bytes, or None where the system does not say.

    Read from Linux's cache description (``index*/level``, ``type``, ``size`` such as
    "512K"), else ``os.sysconf("SC_LEVEL2_CACHE_SIZE")``.
    """
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    try:
        for index in sorted(Path(root).glob("index*")):
            if (index / "level").read_text().strip() != "2":
                continue
            if (index / "type").read_text().strip() not in ("Unified", "Data"):
                continue
            size = (index / "size").read_text().strip().upper()
            scale = units.get(size[-1:], 1)
            return int(size.rstrip("KMG")) * scale
    except (OSError, ValueError):
        pass
    try:
        size = os.sysconf("SC_LEVEL2_CACHE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    return size if size > 0 else None


def stack_budget(cache_bytes: int | None) -> int | None:
    """Bytes of row stack a worker fills before multiplying: the backend's figure, at
    most 3/4 of this core's L2 (the stack and the rows it multiplies into must stay
    there; 3/4 of 2 MB measured best on the machine the figure came from).

    ``None`` (the GPU: one chunk) stays None.
    """
    if cache_bytes is None:
        return None
    l2 = l2_bytes()
    return cache_bytes if l2 is None else min(cache_bytes, l2 * 3 // 4)


def chunk_rows(out_h: int, row_bytes: int, stride_h: int, dilation_h: int, cache_bytes: int | None,
               workers: int = 1, multiple: int = 1) -> int:
    """Output rows per chunk: about as many as fit ``cache_bytes`` of stack (at least 8).

    The chunks are then evened out to a whole number per worker, so the threads
    finish together (a short image may get chunks under 8 rows that way): 480 rows
    in 68-row chunks had left one thread 272 rows and the other 208. The count is a
    multiple of the row-phase period d_H / gcd(s_H, d_H), so every chunk starts at
    stack phase 0, and of ``multiple`` (a pooling stride: each pooling window then
    lies inside one chunk). ``cache_bytes=None`` means one chunk (the GPU).
    """
    if cache_bytes is None:
        return out_h
    period = math.lcm(dilation_h // math.gcd(stride_h, dilation_h), max(1, multiple))
    rows = max(8, cache_bytes // max(1, row_bytes * stride_h))
    count = _ceil_div(_ceil_div(out_h, rows), workers) * workers
    rows = _ceil_div(out_h, count)
    return min(_ceil_div(out_h, period) * period, _ceil_div(rows, period) * period)


@dataclass(frozen=True)
class RowGroup:
    """Output rows r0, r0 + step, … of a chunk that read the stack at one row phase."""

    phase: int
    first_row: int     # r0, counted from the chunk's first output row
    row_step: int      # step between output rows in the group
    count: int         # number of output rows
    stack_row0: int    # stack row (within the phase) of r0's first tap
    stack_step: int    # stack rows between consecutive output rows

    def output_rows(self, offset: int = 0) -> slice:
        """The group's output rows as a slice, shifted by ``offset`` (the chunk start)."""
        start = offset + self.first_row
        return slice(start, start + (self.count - 1) * self.row_step + 1, self.row_step)


_recent: dict[tuple, RowStack] = {}
_recent_lock = threading.Lock()
_RECENT_MAX = 16


def row_stack_for(backend, in_shape, kernel, stride, pads, dilation, out_w, rows, channel_major=False) -> RowStack:
    """A :class:`RowStack` for this thread and geometry, reused from the last call when
    its scratch buffer is still the current one (its cached tap views stay valid).

    Building a stack and its strided views each call cost more than the multiply of
    a small layer (640×480, 8 filters, stride 2: about 0.06 ms of 0.59).
    """
    if backend.cache_bytes is None:
        # the GPU builds one whole-frame stack (tens of MB): not worth pinning for speed
        return RowStack(backend, in_shape, kernel, stride, pads, dilation, out_w, rows, channel_major)
    key = (threading.get_ident(), id(backend), tuple(in_shape), tuple(kernel), tuple(stride), tuple(pads),
           tuple(dilation), out_w, rows, channel_major)
    with _recent_lock:
        stack = _recent.get(key)
    if stack is not None and stack.buffer is stack.current_buffer():
        return stack
    stack = RowStack(backend, in_shape, kernel, stride, pads, dilation, out_w, rows, channel_major)
    with _recent_lock:
        _recent[key] = stack
        while len(_recent) > _RECENT_MAX:
            del _recent[next(iter(_recent))]
    return stack


class RowStack:
    """A thread's scratch stack for one geometry and chunk size.

    Parameters
    ----------
    backend : engine backend (xp, as_strided)
    in_shape : (n_H, n_W, n_c)
    kernel, stride, dilation : (H, W) pairs
    pads : ((top, bottom), (left, right))
    out_w : int
        n_W_out.
    rows : int
        Capacity in output rows (see :func:`chunk_rows`).
    channel_major : bool
        Store as (phase, c, y, j, q) for per-channel products instead of (phase, y, c, j, q).

    Use: ``fill(image, first, count)`` for output rows ``first … first + count − 1``,
    then for each of ``groups(count)`` multiply ``taps(group)`` into those rows.
    """

    def __init__(self, backend, in_shape, kernel, stride, pads, dilation, out_w, rows, channel_major=False):
        self.backend = backend
        self.in_shape = tuple(in_shape)
        self.kernel = tuple(kernel)
        self.stride = tuple(stride)
        self.pads = tuple(pads)
        self.dilation = tuple(dilation)
        self.out_w = out_w
        self.channel_major = channel_major
        d_h = self.dilation[0]
        n_c = self.in_shape[2]
        f_w = self.kernel[1]
        rows_per_phase = _ceil_div(self._rows_used(rows), d_h)
        if channel_major:
            shape = (d_h, n_c, rows_per_phase, f_w, out_w)
        else:
            shape = (d_h, rows_per_phase, n_c, f_w, out_w)
        layout = "cm" if channel_major else "cl"
        self._tag = f"rowstack:{layout}:{self.in_shape}:{self.kernel}:{self.stride}:{self.pads}:{self.dilation}"
        self._shape = shape
        self.buffer = self.current_buffer()  # per thread: see buffers.scratch
        # logical view (phase, y, c, j, q) whatever the storage order
        self._view = self.buffer.transpose(0, 2, 1, 3, 4) if channel_major else self.buffer
        self._taps: dict[tuple, object] = {}
        self._columns = self._column_copies()

    def current_buffer(self):
        """The scratch buffer for this stack's geometry now (the memory budget may have
        dropped and replaced it since the stack was made)."""
        return buffers.scratch(self.backend.xp, self._tag, self._shape)

    def _rows_used(self, count: int) -> int:
        """Padded input rows that ``count`` consecutive output rows read."""
        return (count - 1) * self.stride[0] + (self.kernel[0] - 1) * self.dilation[0] + 1

    def _column_copies(self) -> list[tuple[int, int, int, slice]]:
        """Per column tap j: (j, q0, q1, source columns) of the cells inside the image.

        The same for every chunk; cells outside (the left/right padding) are never
        written, so they keep the buffer's initial zeros.
        """
        (_, _), (left, _) = self.pads
        n_w = self.in_shape[1]
        s_w, d_w = self.stride[1], self.dilation[1]
        copies = []
        for j in range(self.kernel[1]):
            shift = j * d_w - left
            q0 = max(0, _ceil_div(-shift, s_w))
            q1 = min(self.out_w, _ceil_div(n_w - shift, s_w))
            if q1 > q0:
                col0 = q0 * s_w + shift
                copies.append((j, q0, q1, slice(col0, col0 + (q1 - q0 - 1) * s_w + 1, s_w)))
        return copies

    def fill(self, image, first: int, count: int) -> None:
        """Copy the input rows that output rows ``first … first + count − 1`` read.

        Parameters
        ----------
        image : array (n_H, n_W, n_c), any real dtype (converted to float32 here)
        first, count : int
            The chunk of output rows. ``first·s_H`` must be a multiple of d_H (true
            for chunk starts from :func:`chunk_rows`).
        """
        n_h = self.in_shape[0]
        d_h = self.dilation[0]
        origin = first * self.stride[0] - self.pads[0][0]  # image row of stack row 0
        used = self._rows_used(count)
        view = self._view
        for phase in range(d_h):
            rows_here = _ceil_div(used - phase, d_h)
            # stack rows y (image row origin + y·d_H + phase) that fall inside the image
            y0 = min(rows_here, max(0, _ceil_div(-origin - phase, d_h)))
            y1 = max(y0, min(rows_here, _ceil_div(n_h - origin - phase, d_h)))
            # rows in the padding: zero them, the buffer served other chunks before
            if y0 > 0:
                view[phase, :y0] = 0
            if y1 < rows_here:
                view[phase, y1:rows_here] = 0
            if y1 > y0:
                row0 = origin + y0 * d_h + phase
                source = image[row0: row0 + (y1 - y0 - 1) * d_h + 1: d_h]
                for j, q0, q1, columns in self._columns:
                    view[phase, y0:y1, :, j, q0:q1] = source[:, columns].transpose(0, 2, 1)

    def groups(self, count: int) -> list[RowGroup]:
        """A chunk's output rows grouped by the stack phase they read (one if d_H = 1)."""
        s_h, d_h = self.stride[0], self.dilation[0]
        step = d_h // math.gcd(s_h, d_h)
        return [
            RowGroup((r0 * s_h) % d_h, r0, step, len(range(r0, count, step)), (r0 * s_h) // d_h, step * s_h // d_h)
            for r0 in range(min(step, count))
        ]

    def taps(self, group: RowGroup, channel: int | None = None):
        """Zero-copy view (group.count, n_taps, n_W_out) of the cells feeding the group.

        ``channel=None`` (channel-last stack): n_taps = f_H·n_c·f_W, ordered (i, c, j).
        ``channel=c`` (channel-major stack): n_taps = f_H·f_W, ordered (i, j).
        """
        key = (group, channel)
        view = self._taps.get(key)
        if view is None:
            plane = self.buffer[group.phase] if channel is None else self.buffer[group.phase, channel]
            row_len = plane[0].size  # elements per stack row
            item = plane.itemsize
            flat = plane.reshape(-1)[group.stack_row0 * row_len:]
            view = self.backend.as_strided(
                flat,
                shape=(group.count, self.kernel[0] * row_len // self.out_w, self.out_w),
                strides=(group.stack_step * row_len * item, self.out_w * item, item),
            )
            self._taps[key] = view
        return view

    def pair_taps(self, group: RowGroup):
        """Zero-copy view (group.count // 2, (f_H + s_H)·n_c·f_W, n_W_out): the cells feeding
        output rows 2p and 2p + 1 of the group together (channel-last stack, d_H = 1).

        Two rows share f_H − s_H of their stack rows, so one GEMM with a (2K × …) weight
        block (the kernel twice, the second shifted by s_H stack rows) computes both:
        M = 2K fills the CPU's GEMM kernel better than K = 8 alone (see conv.py).
        """
        key = (group, "pairs")
        view = self._taps.get(key)
        if view is None:
            plane = self.buffer[group.phase]
            row_len = plane[0].size
            item = plane.itemsize
            flat = plane.reshape(-1)[group.stack_row0 * row_len:]
            rows = self.kernel[0] + group.stack_step
            view = self.backend.as_strided(
                flat,
                shape=(group.count // 2, rows * row_len // self.out_w, self.out_w),
                strides=(2 * group.stack_step * row_len * item, self.out_w * item, item),
            )
            self._taps[key] = view
        return view
