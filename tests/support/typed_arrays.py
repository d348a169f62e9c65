"""Reading plotly.js typed arrays (``dashboard.figures.theme.packed``) back in tests."""

from __future__ import annotations

import base64

import numpy as np


def unpacked(value) -> np.ndarray:
    """The float64 array of a packed value (or of a plain list of numbers, None as NaN)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype="<f8")
    return np.array([np.nan if v is None else v for v in value], dtype=float)
