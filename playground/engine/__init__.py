"""The conv/pool engine: Qt-free array maths on NumPy or CuPy.

Layouts follow the lecture notes: activations (m, n_H, n_W, n_c), single images
(n_H, n_W, n_c), weights (f, f, n_c_prev, n_c), bias (n_c,).

>>> from playground.engine import conv2d, output_size, conv_params
"""

from .activations import absolute, relu
from .backend import BackendInfo, array_module, asnumpy, get_backend, set_backend
from .conv import conv2d, conv2d_per_channel, conv_maps
from .pool import pool2d
from .shapes import conv_params, output_size, same_padding

__all__ = [
    "conv2d",
    "conv2d_per_channel",
    "conv_maps",
    "pool2d",
    "relu",
    "absolute",
    "output_size",
    "same_padding",
    "conv_params",
    "set_backend",
    "get_backend",
    "BackendInfo",
    "array_module",
    "asnumpy",
]
