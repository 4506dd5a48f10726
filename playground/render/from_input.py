"""What the screen shows of a conv layer, computed from the input picture.

Tiles: a tile is a map shrunk by pixel-area averaging. With a whole-number factor
(s_y, s_x), tile[ty, tx] is the mean of the map over an s_y × s_x block of output
pixels. Convolution is linear, so that mean is the convolution of the input's
block means: with the conv stride S and dilation d, and B the mean of the padded
input over s_y × s_x cells taken S apart,

    tile[ty, tx, c, k] = Σ_ij w[i, j, c, k] · B[ty·s_y·S + i·d, tx·s_x·S + j·d, c]

— f² strided looks into one box-filtered picture instead of n_c·K full-size maps
written out and shrunk afterwards. B is built with one box filter per stride phase
(the cells S apart that one block reads share their position mod S), and the
means of a coarser block (a view drawn at 1/8 when another is at 1/4) are sums of
the finer block's means, read at the lattice points only.

Sizes that do not shrink by whole numbers: OpenCV's area resize is separable,
so per tap row one row-resize of the rows it reads, per tap column one small
column-resize (:meth:`InputTiles.tap_means`).

The same tiles as one strided convolution of the input (:meth:`InputTiles.conv_tiles`):
averaging s_y × s_x output pixels of a conv with stride S and dilation d is itself a conv,
stride S·s, whose kernel is each kernel spread over the block's offsets (the kernel
convolved with an s × s box, taps S apart): (S(s − 1) + d(f − 1) + 1)² cells. The engine
runs it with its own threads and row stacks. It multiplies more (10×10 against 7×7 cells
for f = 7 at 1/4) but reads the input once, with no box filters or strided tap reads:
which way is faster depends on the shape, so the caller measures
(:func:`~playground.engine.kernel_paths.fastest`).

The exact values at chosen pixels (levels, hover read-outs) come from the input too:
:mod:`playground.render.pixel_values`.

Both hold only before a nonlinearity: ReLU or |·| maps need the full-size maps.
"""

from __future__ import annotations

import cv2
import numpy as np

from playground.engine import buffers, conv_maps

__all__ = ["whole_factors", "as_weights", "InputTiles"]


def whole_factors(out_hw: tuple[int, int], tile: tuple[int, int]) -> tuple[int, int] | None:
    """(s_y, s_x) when ``tile`` shrinks maps of ``out_hw`` by whole numbers, else None."""
    (h, w), (th, tw) = out_hw, tile
    if th < 1 or tw < 1 or h % th or w % tw:
        return None
    return h // th, w // tw


def _scratch(what: str, shape) -> np.ndarray:
    """A float32 work array reused per thread and shape: fresh blocks over 128 KB went
    back to the OS after every frame and page-faulted in again on the next."""
    return buffers.scratch(np, f"from_input:{what}", tuple(shape))


def as_weights(w, flip: bool) -> np.ndarray:
    """The weights as the convolution applies them.

    Parameters
    ----------
    w : array (f_H, f_W, n_c, K)
    flip : bool
        True convolution: the kernel rotated by 180°.

    Returns
    -------
    numpy.ndarray float32 (f_H, f_W, n_c, K)
    """
    w = np.asarray(w, np.float32)
    return np.ascontiguousarray(w[::-1, ::-1]) if flip else w


class InputTiles:
    """One frame's input, from which area-shrunk tiles of its conv maps are read.

    Parameters
    ----------
    x : numpy.ndarray float32 (n_H, n_W, n_c)
    pads : ((top, bottom), (left, right))
    kernel : (f_H, f_W)
    stride, dilation : int
    out_hw : (n_H_out, n_W_out)
        The conv's output size for these settings (the maps the tiles stand for).

    Notes
    -----
    The padded copy, the box-filtered pictures and the returned tiles live in
    per-thread scratch buffers (see :mod:`playground.engine.buffers`): the next
    call with the same shapes on the same thread overwrites them. Copy a result
    to keep it.
    """

    def __init__(self, x, pads, kernel, stride: int, dilation: int, out_hw):
        self.x = np.asarray(x, np.float32)
        self.pads = tuple(tuple(p) for p in pads)
        self.kernel = tuple(kernel)
        self.stride = stride
        self.dilation = dilation
        self.out_hw = tuple(out_hw)
        self._xpad = None
        self._room = None   # the padded input with room for every stride phase (see xpad)
        self._boxes: dict[tuple, np.ndarray] = {}   # (s_y, s_x, phase_y, phase_x) → B

    @property
    def xpad(self) -> np.ndarray:
        """The zero-padded input (made on first use: stride 1 box filters do without)."""
        if self._xpad is None:
            (top, bottom), (left, right) = self.pads
            n_h, n_w, n_c = self.x.shape
            # per padding, not just per padded size: only the interior is written, and the
            # border must keep the buffer's first zeros (pads (2, 0) after (1, 1) would not).
            # S − 1 more zero rows and columns at the end let every stride phase be read as
            # a whole number of S-cell steps (see _phase)
            extra = self.stride - 1
            size = (n_h + top + bottom, n_w + left + right)
            room = buffers.scratch(np, f"tiles:pad:{self.pads}:{extra}", (size[0] + extra, size[1] + extra, n_c))
            room[top:top + n_h, left:left + n_w] = self.x
            self._room = room
            self._xpad = room[:size[0], :size[1]]
        return self._xpad

    def _phase(self, phase: tuple[int, int]) -> np.ndarray:
        """The padded input's cells (phase_y + S·a, phase_x + S·b): a stride phase, contiguous.

        Read by OpenCV's nearest-neighbour resize by exactly 1/S (it takes source cell S·a):
        for a 642×482×3 picture and S = 2 the four phases took 0.45 ms where NumPy's strided
        copies took 2.7 ms (2-core Zen 3).
        """
        s = self.stride
        h, w = self.xpad.shape[:2]
        rows, cols = -(-(h - phase[0]) // s), -(-(w - phase[1]) // s)   # cells of this phase
        source = self._room[phase[0]:phase[0] + s * rows, phase[1]:phase[1] + s * cols]
        if source.shape[2] > 4:   # many channels: NumPy's copy (OpenCV's resize may refuse them)
            return np.ascontiguousarray(self.xpad[phase[0]::s, phase[1]::s])
        picked = cv2.resize(source, (cols, rows), interpolation=cv2.INTER_NEAREST)
        return picked.reshape(rows, cols, source.shape[2])

    def _unpadded_box_fits(self, block) -> bool:
        """Whether a stride-1 box filter of the unpadded input, its anchor at the padding's
        corner and zeros outside, gives every block mean the tiles read (no padded copy)."""
        if self.stride != 1:
            return False
        for axis in (0, 1):
            before = self.pads[axis][0]
            tiles = self.out_hw[axis] // block[axis]
            last = (tiles - 1) * block[axis] + (self.kernel[axis] - 1) * self.dilation  # last block start
            if before >= block[axis] or last > self.x.shape[axis] - 1:
                return False
        return True

    def _box(self, block: tuple[int, int], phase: tuple[int, int]) -> np.ndarray:
        """Means over ``block`` cells S apart of the padded input's phase sub-picture.

        Returns (H_phase, W_phase, n_c): entry [y, x] is the mean of
        xpad[phase + S·(y + a), phase + S·(x + b)] over a < s_y, b < s_x (valid
        wherever the block fits, the only places the tiles read).
        """
        key = block + phase
        box = self._boxes.get(key)
        if box is None:
            s = self.stride
            ksize = (block[1], block[0])
            if self._unpadded_box_fits(block):
                # entry [p] is the block from padded row p: anchored at the padding's size
                src, anchor, border = self.x, (self.pads[1][0], self.pads[0][0]), cv2.BORDER_CONSTANT
            else:
                src = self.xpad if s == 1 else self._phase(phase)
                # anchor (0, 0): the block starts at the pixel; the border rule never
                # matters, as blocks running off the edge are never read
                anchor, border = (0, 0), cv2.BORDER_REPLICATE
            box = buffers.scratch(np, f"tiles:box:{key}:{src.shape}", src.shape)
            # all channels in one call: 3.1-4.4× faster than one call per channel for 8-64
            # channels on a 2-core Zen 3, and equal to it. (OpenCV 5 takes up to 128 channels
            # a picture, 4.x 512; a layer's input has at most 64, MAX_CHANNELS.)
            result = cv2.boxFilter(src, -1, ksize, dst=box, anchor=anchor, normalize=True, borderType=border)
            if not np.shares_memory(result, box):  # e.g. one channel came back 2-D
                box[...] = result.reshape(box.shape)
            self._boxes[key] = box
        return box

    def tap_means(self, tile: tuple[int, int], base: tuple[int, int] | None = None) -> np.ndarray:
        """Area means under every kernel tap, per tile pixel.

        Parameters
        ----------
        tile : (tile_h, tile_w)
            The tiles' size (at most the maps' size).
        base : (h, w), optional
            A larger tile size already computed whose blocks divide this one's: its
            block means are combined at the lattice points instead of filtering again.

        Returns
        -------
        numpy.ndarray float32 (n_c, f_H·f_W, tile_h·tile_w)
            Entry [c, i·f_W + j, ty·tile_w + tx]: the area mean, over tile pixel
            (ty, tx)'s part of the map, of the input cells that tap (i, j) reads.
        """
        block = whole_factors(self.out_hw, tile)
        if block is None:
            return self._resized_tap_means(tile)
        base_block = whole_factors(self.out_hw, base) if base is not None else None
        if base_block is None or block[0] % base_block[0] or block[1] % base_block[1]:
            base_block = block
        s_y, s_x = block
        b_y, b_x = base_block
        m_y, m_x = s_y // b_y, s_x // b_x
        s, d = self.stride, self.dilation
        f_h, f_w = self.kernel
        th, tw = tile
        n_c = self.x.shape[2]
        means = _scratch("means", (n_c, f_h * f_w, th, tw))
        for i in range(f_h):
            for j in range(f_w):
                # tap (i, j) reads padded rows i·d + S·(…): phase (i·d) mod S, offset (i·d) // S
                (oy, py), (ox, px) = divmod(i * d, s), divmod(j * d, s)
                box = self._box((b_y, b_x), (py, px))
                target = means[:, i * f_w + j]
                for a in range(m_y):
                    for b in range(m_x):
                        rows = slice(oy + a * b_y, oy + a * b_y + (th - 1) * s_y + 1, s_y)
                        cols = slice(ox + b * b_x, ox + b * b_x + (tw - 1) * s_x + 1, s_x)
                        view = box[rows, cols].transpose(2, 0, 1)
                        if a == 0 and b == 0:
                            target[...] = view
                        else:
                            target += view
                if m_y * m_x > 1:
                    target *= 1.0 / (m_y * m_x)
        return means.reshape(n_c, f_h * f_w, th * tw)

    def _resized_tap_means(self, tile: tuple[int, int]) -> np.ndarray:
        """:meth:`tap_means` for sizes that do not shrink by whole numbers.

        OpenCV's area resize weighs each source row by the part of it a tile row
        covers, rows and columns separately; so per tap row i one resize of the
        rows it reads (all columns, as one channel), then per tap column j one
        resize of the few columns it reads (transposed: also a row resize).
        """
        th, tw = tile
        h, w = self.out_hw
        s, d = self.stride, self.dilation
        f_h, f_w = self.kernel
        xpad = self.xpad
        n_c = xpad.shape[2]
        means = _scratch("means", (n_c, f_h * f_w, th, tw))
        width = xpad.shape[1] * n_c
        tall = _scratch("tall", (th, width))
        across = _scratch("across", (w, th * n_c))
        small = _scratch("small", (tw, th * n_c))
        for i in range(f_h):
            rows = xpad[i * d: i * d + (h - 1) * s + 1: s].reshape(h, width)
            cv2.resize(rows, (width, th), dst=tall, interpolation=cv2.INTER_AREA)
            for j in range(f_w):
                cols = tall.reshape(th, -1, n_c)[:, j * d: j * d + (w - 1) * s + 1: s]   # (th, w, n_c)
                across.reshape(w, th, n_c)[...] = cols.transpose(1, 0, 2)
                cv2.resize(across, (th * n_c, tw), dst=small, interpolation=cv2.INTER_AREA)
                means[:, i * f_w + j] = small.reshape(tw, th, n_c).transpose(2, 1, 0)
        return means.reshape(n_c, f_h * f_w, th * tw)

    def conv_tiles(self, w, b, flip: bool, tile, per_channel: bool):
        """Tiles of a whole-number shrink as one strided convolution (see the module notes).

        Parameters
        ----------
        w : (f_H, f_W, n_c, K)
        b : (K,) or None
        flip : bool
        tile : (tile_h, tile_w)
            Must shrink the maps by whole numbers (:func:`whole_factors`).
        per_channel : bool
            Also return each input channel's contribution.

        Returns
        -------
        filters : numpy.ndarray float32 (tile_h, K, tile_w)
            Each filter's shrunk map plus the bias (before any activation).
        channels : numpy.ndarray float32 (tile_h, n_c, K, tile_w), or None
            Each channel's shrunk contribution; None unless ``per_channel``.
            Both are planar (one row of every map after another), and like the other
            results here may be scratch buffers that this thread's next call overwrites.
        """
        block = whole_factors(self.out_hw, tile)
        if block is None:
            raise ValueError(f"tile {tile} does not shrink maps of {self.out_hw} by whole numbers")
        w = as_weights(w, flip)
        s, d = self.stride, self.dilation
        rows_spread, cols_spread = (_block_spread(f, size, s, d) for f, size in zip(w.shape[:2], block, strict=True))
        # wide[u, v] = Σ_ij rows_spread[i, u] · w[i, j] · cols_spread[j, v], as two products
        # (a three-operand einsum loops over every index: 205 ms for 64 channels × 64 filters, 11×11)
        wide = np.tensordot(cols_spread, np.tensordot(rows_spread, w, axes=(0, 0)), axes=(0, 1))   # (v, u, c, k)
        wide = np.ascontiguousarray(wide.transpose(1, 0, 2, 3), dtype=np.float32)
        step = (s * block[0], s * block[1])
        # only the tiles whose windows reach the picture: the others read zero padding
        # alone ("same" at stride 2 pads 480×640 to 961×1281, and 3/4 of its tiles are
        # the bias and nothing else)
        spans = [_reaching(n, before, k_eff, st, count) for n, (before, _), k_eff, st, count
                 in zip(self.x.shape[:2], self.pads, wide.shape[:2], step, tile, strict=True)]
        (t0, t1, y0, y1, pad_y), (u0, u1, x0, x1, pad_x) = spans
        k, n_c = w.shape[3], w.shape[2]
        maps = contributions = None
        if t1 > t0 and u1 > u0:
            maps, contributions = conv_maps(self.x[y0:y1, x0:x1], wide, b, stride=step, padding=(pad_y, pad_x),
                                            per_channel=per_channel)
            # the engine's (h, w, …) results are views of planar (h, …, w) buffers: undo the view
            maps = maps.transpose(0, 2, 1)
            contributions = contributions.transpose(0, 2, 3, 1) if per_channel else None
            if (t1 - t0, u1 - u0) == tuple(tile):   # every tile reaches the picture
                return maps, contributions
        filters = _scratch("conv tiles:filters", (tile[0], k, tile[1]))
        filters[...] = 0.0 if b is None else np.asarray(b, np.float32)[:, None]
        channels = _scratch("conv tiles:channels", (tile[0], n_c, k, tile[1])) if per_channel else None
        if channels is not None:
            channels[...] = 0.0
        if maps is not None:
            filters[t0:t1, :, u0:u1] = maps[:t1 - t0, :, :u1 - u0]
            if channels is not None:
                channels[t0:t1, :, :, u0:u1] = contributions[:t1 - t0, :, :, :u1 - u0]
        return filters, channels

    def channel_tiles(self, w, flip: bool, tile, base=None) -> np.ndarray:
        """Each input channel's contribution shrunk to ``tile`` (h, w).

        Returns
        -------
        numpy.ndarray float32 (n_c, K, tile_h, tile_w)
        """
        w = as_weights(w, flip)
        f_h, f_w, n_c, k = w.shape
        means = self.tap_means(tile, base)
        per_channel = np.ascontiguousarray(w.reshape(f_h * f_w, n_c, k).transpose(1, 2, 0))  # (n_c, K, taps)
        out = _scratch("channel tiles", (n_c, k, tile[0] * tile[1]))
        return np.matmul(per_channel, means, out=out).reshape(n_c, k, *tile)

    def filter_tiles(self, w, b, flip: bool, tile, base=None) -> np.ndarray:
        """Each filter's map (before any activation) shrunk to ``tile`` (h, w).

        Returns
        -------
        numpy.ndarray float32 (K, tile_h, tile_w)
        """
        w = as_weights(w, flip)
        f_h, f_w, n_c, k = w.shape
        means = self.tap_means(tile, base)
        weights = np.ascontiguousarray(w.reshape(f_h * f_w, n_c, k).transpose(2, 1, 0)).reshape(k, -1)
        size = tile[0] * tile[1]
        tiles = np.matmul(weights, means.reshape(-1, size), out=_scratch("filter tiles", (k, size)))
        if b is not None:
            tiles += np.asarray(b, np.float32)[:, None]
        return tiles.reshape(k, *tile)


def _block_spread(f: int, block: int, stride: int, dilation: int) -> np.ndarray:
    """(f, S(block − 1) + d(f − 1) + 1) float32: entry [i, S·a + d·i] = 1/block for a < block.

    ``spread.T @ kernel @ spread`` (per channel and filter) is the kernel whose strided
    convolution gives the block means of the original convolution's maps.
    """
    spread = np.zeros((f, stride * (block - 1) + dilation * (f - 1) + 1), np.float32)
    for i in range(f):
        spread[i, stride * np.arange(block) + dilation * i] = 1.0 / block
    return spread


def _reaching(n: int, before: int, size: int, step: int, count: int) -> tuple:
    """Along one axis, the outputs of a convolution (window ``size``, ``step`` apart, ``count``
    of them, ``before`` cells of zero padding ahead of ``n`` input cells) whose windows
    reach the input, and how to compute just those.

    Returns
    -------
    (first, stop, start, end, (pad_before, pad_after))
        Outputs first … stop − 1 are the convolution of input cells start … end − 1
        padded by these amounts (the same step and window); the others read padding only.
    """
    first = max(0, (before - size) // step + 1)      # the first window ending past the padding
    stop = min(count, -(-(before + n) // step))      # windows starting before the input ends
    if stop <= first:
        return first, first, 0, 0, (0, 0)
    offset = first * step - before                   # the first window's start, in input cells
    start, pad_before = max(0, offset), max(0, -offset)
    span = (stop - first - 1) * step + size          # cells the windows cover, padding included
    end = min(n, start + span - pad_before)
    return first, stop, start, end, (pad_before, max(0, span - pad_before - (end - start)))
