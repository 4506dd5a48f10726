"""The conv/pool engine: Qt-free array maths on NumPy or CuPy.

Layouts follow the lecture notes: activations (m, n_H, n_W, n_c), single images
(n_H, n_W, n_c), weights (f, f, n_c_prev, n_c), bias (n_c,).

>>> from playground.engine import conv2d, output_size, conv_params
"""

from .activations import absolute, relu
from .backend import BackendInfo, array_module, asnumpy, get_backend, set_backend
from .backward import abs_backward, conv2d_backward, pool2d_backward, relu_backward
from .conv import conv2d, conv2d_per_channel, conv_maps
from .losses import mse_loss
from .optim import AdamState, adam_step, momentum_step, optimizer_step, sgd_step
from .pool import pool2d
from .shapes import conv_params, output_size, same_padding
from .train import Stage, backward_network, forward_train

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
    # learning (backpropagation)
    "conv2d_backward",
    "pool2d_backward",
    "relu_backward",
    "abs_backward",
    "mse_loss",
    "sgd_step",
    "momentum_step",
    "adam_step",
    "AdamState",
    "optimizer_step",
    "Stage",
    "forward_train",
    "backward_network",
]
