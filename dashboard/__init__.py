"""Gaussian noise and Van Gogh colour distributions, seen through probability."""

__version__ = "0.1.0"
