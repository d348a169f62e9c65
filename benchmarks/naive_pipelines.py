"""The two baselines the engine is measured against, as a slider move used to cost.

Both draw fresh noise on every move and histogram each channel with ``np.histogram``.
They are deliberately written the plain way; do not optimise them.
"""

from __future__ import annotations

import numpy as np
from skimage.util import random_noise


def original_script_move(
    image: np.ndarray, mean: float, variance: float, seed: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The original script: ``np.random.normal`` + ``np.clip`` + ``astype(uint8)`` + histograms.

    ``np.random.normal`` is the legacy generator; a seeded ``RandomState`` runs the same
    algorithm without touching the global seed. ``astype`` truncates (the half-level bias
    the engine fixes).
    """
    noise = np.random.RandomState(seed).normal(mean, np.sqrt(variance), image.shape)
    noisy = np.clip(image / 255.0 + noise, 0.0, 1.0)
    noisy_u8 = (noisy * 255).astype(np.uint8)
    histograms = [
        np.histogram(noisy_u8[..., channel], bins=256, range=(0, 256))[0]
        for channel in range(image.shape[-1])
    ]
    return noisy_u8, histograms


def skimage_move(
    image: np.ndarray, mean: float, variance: float, seed: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """``skimage.util.random_noise`` + rounding to uint8 + ``np.histogram`` per channel."""
    noisy = random_noise(image, mode="gaussian", mean=mean, var=variance, rng=seed)
    noisy_u8 = np.round(noisy * 255).astype(np.uint8)
    histograms = [
        np.histogram(noisy_u8[..., channel], bins=256, range=(0, 256))[0]
        for channel in range(image.shape[-1])
    ]
    return noisy_u8, histograms
