"""Pixel masks for a selection made on a figure, and the dimmed image that shows them."""

from __future__ import annotations

import numpy as np

from dashboard.core.vocabulary import MAX_LEVEL, channel_index

#: Unselected pixels keep this fraction of their brightness, so the selection stands out but
#: the picture stays recognisable.
DIM_FACTOR = 0.22


def level_mask(rgb: np.ndarray, channel: str, lo: int, hi: int) -> np.ndarray:
    """(H, W) bool: pixels whose ``channel`` level lies in ``[lo, hi]`` (inclusive, 0..255).

    Examples
    --------
    >>> rgb = np.array([[[10, 0, 0], [200, 0, 0]]], dtype=np.uint8)
    >>> level_mask(rgb, "red", 0, 100).tolist()
    [[True, False]]
    """
    index = channel_index(channel)
    if not (0 <= lo <= hi <= MAX_LEVEL):
        raise ValueError(
            f"level range must satisfy 0 <= lo <= hi <= {MAX_LEVEL}; got [{lo}, {hi}]")
    values = rgb[..., index]
    return (values >= lo) & (values <= hi)


def dim_outside(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Copy of ``rgb`` (uint8) with pixels outside ``mask`` darkened to DIM_FACTOR."""
    out = rgb.copy()
    outside = ~mask
    out[outside] = (rgb[outside] * DIM_FACTOR).astype(np.uint8)
    return out
