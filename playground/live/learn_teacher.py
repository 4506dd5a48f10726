"""Teachers for the Learn panel, and the learned weights back as a network. Qt-free.

A teacher is a :class:`~playground.kernels.network.Network`: the window's own (as
it runs, following every edit), a kernel preset or a built-in network, or a bank
or network file. The student is a copy of the teacher's shapes whose trained
layers hold the learner's weights; :func:`learned_network` writes those weights
into a network, :func:`kept_network` into the window's network — where "Keep"
puts them, as one undoable edit.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from playground.export.bank_io import BankFileError
from playground.export.network_io import load_network
from playground.kernels.model import Filter, FilterBank
from playground.kernels.network import Network
from playground.kernels.network_presets import NETWORK_PRESETS, network_preset
from playground.kernels.presets import PRESETS, preset_weights

__all__ = ["WINDOW", "teacher_choices", "teacher_network", "same_shapes", "learned_network", "kept_network",
           "start_stages"]

WINDOW = "This network (live)"   # the teacher that follows the window's network
_PRESET, _NETWORK = "Preset: ", "Network: "
_LEARNED = " (learned)"
_MAX_NAME = 40                    # a filter name's limit (kernels.model)


def teacher_choices() -> tuple[str, ...]:
    """Names for the teacher menu: the window's network, the kernel presets, the built-in networks."""
    return (WINDOW, *(_PRESET + name for name in PRESETS), *(_NETWORK + name for name in NETWORK_PRESETS))


def teacher_network(choice: str, window_network: Network, path: str | None = None) -> Network:
    """The network ``choice`` names (a :func:`teacher_choices` entry, or a file when ``path`` is given).

    A kernel preset is one filter applied with the window's first-layer settings
    to the window's input channels, so the learned filter drops into layer 1
    as the person sees it. A file may hold a bank (a one-layer network applied
    with the window's first-layer settings) or a network.

    Raises
    ------
    ValueError
        An unknown choice, or a file that cannot be read (the message names the
        file and what is wrong with it).
    """
    first = window_network.layers[0]
    channels = window_network.input_channels
    if path is not None:
        try:
            network = load_network(path, settings=first.settings)
        except BankFileError as exc:   # (NetworkFileError too) one kind of error for the panel: a message
            raise ValueError(str(exc)) from None
        return network if network.depth > 1 or network.input_channels == channels else \
            network.with_input(channels=channels)
    if choice == WINDOW:
        return window_network
    if choice.startswith(_PRESET) and choice[len(_PRESET):] in PRESETS:
        name = choice[len(_PRESET):]
        size = max(3, PRESETS[name].natural)
        bank = FilterBank((Filter(name, preset_weights(name, size, channels), linked=False),))
        return Network.single(bank, first.settings, input_channels=channels)
    if choice.startswith(_NETWORK) and choice[len(_NETWORK):] in NETWORK_PRESETS:
        return network_preset(choice[len(_NETWORK):])
    raise ValueError(f"unknown teacher {choice!r}")


def same_shapes(a: Network, b: Network) -> bool:
    """Whether two networks have the same layers, kernel shapes and input: a student of one can
    go on learning from the other."""
    if a.depth != b.depth or a.input_channels != b.input_channels or a.input_size != b.input_size:
        return False
    return all(x.bank.size == y.bank.size and x.bank.channels == y.bank.channels and len(x.bank) == len(y.bank)
               for x, y in zip(a.layers, b.layers, strict=True))


def start_stages(teacher: Network, start: Network | None) -> tuple | None:
    """The stages a student starting "from the current weights" takes from ``start`` (the
    window's network, with the teacher's settings), or None when its shapes differ from the
    teacher's (the student then starts from random weights)."""
    if start is None or not same_shapes(teacher, start):
        return None
    return tuple(stage._replace(settings=own.settings) for stage, own in zip(start.stages(), teacher.stages(),
                                                                             strict=True))


def _learned_bank(bank: FilterBank, w, b, rename: bool) -> FilterBank:
    """``bank`` with each enabled filter's weights and bias from (w, b); disabled filters kept as typed."""
    w, b = np.asarray(w, np.float32), np.asarray(b, np.float32)
    if w.shape != (bank.size, bank.size, bank.channels, len(bank)):
        raise ValueError(f"learned weights of shape {w.shape} do not fit a bank of {len(bank)} filters "
                         f"{bank.size}×{bank.size}×{bank.channels}")
    filters = []
    for k, item in enumerate(bank.filters):
        if not item.enabled:
            filters.append(item)
            continue
        weights = w[..., k]
        name = item.name
        if rename and not name.endswith(_LEARNED):
            name = name[:_MAX_NAME - len(_LEARNED)] + _LEARNED
        linked = item.linked and bool(np.all(weights == weights[:, :, :1]))
        filters.append(replace(item, name=name, weights=weights, bias=float(b[k]), linked=linked))
    return FilterBank(tuple(filters))


def learned_network(teacher: Network, student, trainable, rename: bool = True) -> Network:
    """``teacher`` with the trained layers' weights and biases taken from the student's stages.

    Parameters
    ----------
    teacher : Network
    student : sequence of (w, b, settings)
        The learner's stages, shaped like ``teacher.stages()``.
    trainable : iterable of int
        0-based layers to take.
    rename : bool
        Mark the filters' names "(learned)".
    """
    network = teacher
    for index in sorted(set(trainable)):
        w, b, _ = student[index]
        bank = _learned_bank(network.layers[index].bank, w, b, rename)
        network = network.set_bank(index, bank)
    return network


def kept_network(window_network: Network, teacher: Network, follows_window: bool, student,
                 trainable) -> Network:
    """The window's network after "Keep": the learned weights written in.

    Parameters
    ----------
    window_network : Network
        The network the window shows now (perhaps edited since learning started).
    teacher : Network
        The teacher the student learned from.
    follows_window : bool
        The teacher is the window's own network: the trained layers' weights
        replace the window's (same names, marked learned). Otherwise a one-layer
        teacher becomes the window's first layer, a deeper one the whole network.
    student, trainable
        As for :func:`learned_network`.

    Raises
    ------
    ValueError
        The window's network no longer has the student's shapes, or its first
        layer takes other channels than a one-layer teacher's.
    """
    if follows_window:
        if not same_shapes(window_network, teacher):
            raise ValueError("the network's shape changed while learning (layers, filters or kernel size): "
                             "press Reset to learn the new one")
        return learned_network(window_network, student, trainable)
    learned = learned_network(teacher, student, trainable)
    if teacher.depth == 1:
        if window_network.channels_in(0) != learned.input_channels:
            raise ValueError(f"the learned layer takes {learned.input_channels} channels; the network's first "
                             f"layer takes {window_network.channels_in(0)}")
        return window_network.set_bank(0, learned.layers[0].bank)
    return learned

