"""The lecture notes' worked examples, built in: input matrix, filters, settings and the answer.

Each :class:`NotesExample` is one layer as the app runs it — a bank and its
:class:`~playground.engine.layer.LayerSettings` on a raw-number input — plus the
output the notes give for it. The app lists them in a menu (:data:`NOTES_EXAMPLES`);
tests run each through the engine and compare with ``expected``. The inputs are
also text files in ``resources/notes/KEY.txt`` (``matrix:PATH`` on the command
line), with the bank beside them as ``KEY.bank.json``; regenerate both with
``python -m playground.sources.notes_examples resources/notes``.

The pooling example has no filter to learn: it runs as a 1×1 identity filter
(weight 1) followed by the max pooling, so it is one layer like the others.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playground.engine.layer import LayerSettings, PoolSettings
from playground.kernels.model import Filter, FilterBank

from .matrix import MatrixSource, matrix_to_text
from .samples import resources_dir

__all__ = ["NotesExample", "NOTES_EXAMPLES", "notes_example", "notes_folder", "example_file_text"]


@dataclass(frozen=True, eq=False)
class NotesExample:
    """One worked example of the notes. Arrays are float32 and read-only.

    Attributes
    ----------
    key : str
        Identifier and file stem, e.g. ``"vertical_edge"``.
    name : str
        Menu text.
    description : str
        What it shows, in the notes' words, for a tooltip or status line.
    input : numpy.ndarray, (n_H, n_W, n_c)
        Raw values.
    weights : numpy.ndarray, (f, f, n_c, K)
        Cross-correlation orientation, as the bank stores them.
    biases : numpy.ndarray, (K,)
    filter_names : tuple of str
        K names, for the bank.
    settings : LayerSettings
        Padding (valid in the notes' examples), stride, activation, pooling.
    expected : numpy.ndarray, (n_H_out, n_W_out, K)
        What the notes say comes out: the maps after the activation, or the
        pooled maps when ``settings.pool`` is set.
    """

    key: str
    name: str
    description: str
    input: np.ndarray
    weights: np.ndarray
    biases: np.ndarray
    filter_names: tuple[str, ...]
    settings: LayerSettings
    expected: np.ndarray

    @property
    def pooled(self) -> bool:
        """True when ``expected`` is the pooled output (compare with ``LayerOutput.pooled``)."""
        return self.settings.pool is not None

    def bank(self) -> FilterBank:
        """The example's filters as a bank (f×f×n_c each, ``linked`` off: the slices differ)."""
        return FilterBank(tuple(
            Filter(name, self.weights[..., k], bias=float(self.biases[k]), linked=False)
            for k, name in enumerate(self.filter_names)
        ))

    def source(self) -> MatrixSource:
        """The input as a source: from ``resources/notes/KEY.txt`` when installed (its spec
        ``matrix:PATH`` reopens it), else from the built-in values."""
        return MatrixSource(self.input, name=f"notes: {self.key}", path=self.file())

    def file(self) -> Path | None:
        """``resources/notes/KEY.txt`` when the resources are installed, else None."""
        folder = notes_folder()
        path = folder / f"{self.key}.txt" if folder is not None else None
        return path if path is not None and path.is_file() else None


def _frozen(values, shape=None) -> np.ndarray:
    array = np.array(values, dtype=np.float32)
    if shape is not None:
        array = array.reshape(shape)
    array.flags.writeable = False
    return array


def _example(key, name, description, x, kernels, names, expected, settings=None, biases=None) -> NotesExample:
    x = np.asarray(x, np.float32)
    if x.ndim == 2:
        x = x[:, :, None]
    weights = np.asarray(kernels, np.float32)
    if weights.ndim == 2:
        weights = weights[:, :, None, None]
    expected = np.asarray(expected, np.float32)
    if expected.ndim == 2:
        expected = expected[:, :, None]
    k = weights.shape[3]
    return NotesExample(
        key=key, name=name, description=description, input=_frozen(x), weights=_frozen(weights),
        biases=_frozen(np.zeros(k) if biases is None else biases), filter_names=tuple(names),
        settings=settings or LayerSettings(padding="valid"), expected=_frozen(expected),
    )


_VERTICAL = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]
_HORIZONTAL = [[1, 1, 1], [0, 0, 0], [-1, -1, -1]]
_BRIGHT_LEFT = [[10, 10, 10, 0, 0, 0]] * 6
_BRIGHT_TOP = [[10] * 6] * 3 + [[0] * 6] * 3
_EDGE_COLUMNS = [[0, 30, 30, 0]] * 4
_EDGE_ROWS = [[0] * 4, [30] * 4, [30] * 4, [0] * 4]


def _volume() -> NotesExample:
    # R holds a vertical edge, G a horizontal one, B is flat; the filter looks for the
    # vertical edge in R and the horizontal one in G (zeros on B): the channels' partial
    # sums add up cell by cell.
    x = np.stack([np.array(_BRIGHT_LEFT), np.array(_BRIGHT_TOP), np.full((6, 6), 5)], axis=2)
    w = np.stack([np.array(_VERTICAL), np.array(_HORIZONTAL), np.zeros((3, 3))], axis=2)[:, :, :, None]
    expected = np.array(_EDGE_COLUMNS) + np.array(_EDGE_ROWS)
    return _example(
        "volume_6x6x3", "6×6×3 volume * 3×3×3 filter → 4×4×1",
        "Convolution over a volume: a 3×3×3 filter over a 6×6×3 input gives a 4×4×1 output. "
        "Red has a vertical edge, green a horizontal one, blue is flat; the filter's red slice is the "
        "vertical-edge kernel, its green slice the horizontal one, its blue slice zeros.",
        x, w, ("vertical in R + horizontal in G",), expected)


def _one_by_one_32() -> NotesExample:
    # seeded (Lin et al., 2013), in quarters so every value and sum is exact in float32
    rng = np.random.default_rng(2013)
    x = rng.integers(-8, 9, (6, 6, 32)) / 4
    w = rng.integers(-4, 5, (1, 1, 32, 5)) / 4
    b = rng.integers(-4, 5, 5) / 4
    expected = np.maximum(np.einsum("hwc,ck->hwk", x, w[0, 0]) + b, 0)
    return _example(
        "one_by_one_32_to_5", "1×1 conv: 6×6×32 → 6×6×5, ReLU",
        "Network in network: 5 filters of 1×1×32, each like a neuron taking the 32 numbers at one of the "
        "36 positions, multiplying them by its 32 weights, adding its bias and applying ReLU. "
        "Random but seeded values.",
        x, w, tuple(f"neuron {k + 1}" for k in range(5)), expected,
        settings=LayerSettings(padding="valid", activation="relu"), biases=b)


_SMALL_NUMBERS = [[1, 2, 3, 6, 5, 8], [3, 5, 5, 1, 3, 4], [2, 1, 3, 4, 9, 3],
                  [4, 7, 8, 5, 7, 9], [1, 5, 3, 7, 4, 8], [5, 4, 9, 8, 3, 5]]
_POOL_INPUT = [[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]]

NOTES_EXAMPLES: tuple[NotesExample, ...] = (
    _example("vertical_edge", "Vertical edge: 10|0 → [0, 30, 30, 0]",
             "A 6×6 picture, bright (10) on the left and dark (0) on the right, cross-correlated with the "
             "3×3 vertical-edge kernel: a 4×4 output whose middle columns, where the edge is, read 30.",
             _BRIGHT_LEFT, _VERTICAL, ("vertical edge",), _EDGE_COLUMNS),
    _example("vertical_edge_mirror", "Vertical edge, mirrored: 0|10 → [0, −30, −30, 0]",
             "The same kernel on dark-then-bright: the edge reads −30. The sign tells which way the "
             "brightness changes; abs keeps only the edge's strength.",
             np.array(_BRIGHT_LEFT)[:, ::-1], _VERTICAL, ("vertical edge",), -np.array(_EDGE_COLUMNS)),
    _example("horizontal_edge", "Horizontal edge: bright top → 30",
             "Bright (10) on top, dark (0) below, with the horizontal-edge kernel [[1, 1, 1], [0, 0, 0], "
             "[−1, −1, −1]]: the middle rows of the 4×4 output read 30.",
             _BRIGHT_TOP, _HORIZONTAL, ("horizontal edge",), _EDGE_ROWS),
    _example("horizontal_edge_mirror", "Horizontal edge, mirrored: bright bottom → −30",
             "Dark on top, bright below: the horizontal-edge kernel gives −30.",
             np.array(_BRIGHT_TOP)[::-1], _HORIZONTAL, ("horizontal edge",), -np.array(_EDGE_ROWS)),
    _volume(),
    _example("max_pool_4x4", "Max pooling 4×4, f = 2, s = 2 → 2×2",
             "Max pooling with f = 2, s = 2 (no padding, no parameters): each 2×2 block gives its largest "
             "number. It runs here as a 1×1 filter of weight 1, then the pooling.",
             _POOL_INPUT, [[1]], ("identity",), [[9, 2], [6, 3]],
             settings=LayerSettings(padding="valid", pool=PoolSettings("max", 2, 2))),
    _example("one_by_one_doubling", "1×1 conv on 6×6×1: ×2",
             "A 1×1×1 filter of weight 2 on a one-channel picture just doubles every number.",
             _SMALL_NUMBERS, [[2]], ("×2",), 2 * np.array(_SMALL_NUMBERS)),
    _one_by_one_32(),
)


def notes_example(key: str) -> NotesExample:
    """The example called ``key``; KeyError listing the keys otherwise."""
    for example in NOTES_EXAMPLES:
        if example.key == key:
            return example
    raise KeyError(f"no notes example {key!r}; there are: {', '.join(e.key for e in NOTES_EXAMPLES)}")


def notes_folder() -> Path | None:
    """``resources/notes`` of the installed resources, or None when it is not there."""
    base = resources_dir()
    folder = base / "notes" if base is not None else None
    return folder if folder is not None and folder.is_dir() else None


def example_file_text(example: NotesExample) -> str:
    """The ``KEY.txt`` matrix file of an example: a comment naming it, then the input matrix."""
    n_h, n_w, n_c = example.input.shape
    header = f"# {example.name}\n# input {n_h} × {n_w} × {n_c}"
    header += ", one block per channel\n" if n_c > 1 else "\n"
    return header + matrix_to_text(example.input)


def _write_files(folder: Path) -> None:
    from playground.export.bank_io import save_bank  # only this generator writes bank files

    folder.mkdir(parents=True, exist_ok=True)
    for example in NOTES_EXAMPLES:
        (folder / f"{example.key}.txt").write_text(example_file_text(example), encoding="utf-8")
        save_bank(example.bank(), folder / f"{example.key}.bank.json")


if __name__ == "__main__":
    _write_files(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/notes"))
