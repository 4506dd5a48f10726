"""Kernel Playground: see convolutions work on live pictures."""

__version__ = "0.1.0"
