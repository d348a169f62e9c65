"""Oklab (Ottosson 2020): a perceptual colour space, from and to sRGB.

sRGB levels are decoded with the exact sRGB transfer function (IEC 61966-2-1: ``c / 12.92``
up to 0.04045, ``((c + 0.055) / 1.055) ** 2.4`` above) to linear sRGB, taken to cone-like
responses LMS by ``M1``, compressed by a cube root and mixed by ``M2`` into Oklab:

* ``L`` lightness, 0 (black) .. 1 (white);
* ``a`` green (negative) .. red (positive); ``b`` blue (negative) .. yellow (positive).

The two matrices are the ones published with the space (Björn Ottosson, "A perceptual color
space for image processing", 2020, linear-sRGB form, 10 decimals). The inverse conversion
uses the exact inverses of those matrices (``np.linalg.inv``), so a round trip returns the
colour to float precision; the published 10-decimal inverses differ from them by at most
9e-10 (of M1) and 6e-8 (of M2).
Because the published matrices are rounded, greys come out with ``|a|, |b|`` below 4e-8 rather
than exactly 0, and white with ``L = 1 - 7e-9``.

The Euclidean distance in Oklab, ``ΔE_ok``, is the colour difference CSS Color 4 uses; on
its scale (L spans 0..1) a difference is about 1/100 of the CIE 1976 ΔE*ab of the same pair
(L* spans 0..100), and about 0.02 is just noticeable.

Examples
--------
>>> import numpy as np
>>> rgb_to_oklab(np.array([255, 0, 0], dtype=np.uint8)).round(4).tolist()
[0.628, 0.2249, 0.1258]
>>> oklab_to_rgb(rgb_to_oklab(np.array([0.25, 0.5, 0.75]))).round(12).tolist()
[0.25, 0.5, 0.75]
"""

from __future__ import annotations

import numpy as np

#: Linear sRGB -> LMS (Ottosson 2020), rows l, m, s.
M1 = np.array([
    [0.4122214708, 0.5363325363, 0.0514459929],
    [0.2119034982, 0.6806995451, 0.1073969566],
    [0.0883024619, 0.2817188376, 0.6299787005],
])
#: Cube-rooted LMS -> Oklab (Ottosson 2020), rows L, a, b.
M2 = np.array([
    [0.2104542553, 0.7936177850, -0.0040720468],
    [1.9779984951, -2.4285922050, 0.4505937099],
    [0.0259040371, 0.7827717662, -0.8086757660],
])
#: Exact inverses of M1 and M2, for the conversion back to sRGB.
M1_INV = np.linalg.inv(M1)
M2_INV = np.linalg.inv(M2)


def _apply(matrix: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``matrix @ v`` for every ``v`` on the last axis of ``values``, written out term by term:
    the same float operations for a colour wherever it sits in the array (a BLAS product may
    round a row differently by its position), so a colour's bin never depends on its
    neighbours."""
    x, y, z = values[..., 0], values[..., 1], values[..., 2]
    return np.stack([row[0] * x + row[1] * y + row[2] * z for row in matrix], axis=-1)


def srgb_to_linear(values) -> np.ndarray:
    """sRGB-encoded values on [0, 1] -> linear light on [0, 1] (the exact sRGB EOTF), float64."""
    c = np.asarray(values, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((np.maximum(c, 0.04045) + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(values) -> np.ndarray:
    """Linear light -> sRGB-encoded values (the inverse of :func:`srgb_to_linear`), float64.

    Values outside [0, 1] (out-of-gamut colours) are encoded with the sign kept, not clipped.
    The standard's two pieces do not quite meet: encoded values in (0.0404499, 0.04045], which
    no 8-bit level takes, come back up to 3e-8 off; everywhere else the round trip is exact to
    float precision.
    """
    v = np.asarray(values, dtype=np.float64)
    magnitude = np.abs(v)
    encoded = np.where(magnitude <= 0.0031308, 12.92 * magnitude,
                       1.055 * np.maximum(magnitude, 0.0031308) ** (1 / 2.4) - 0.055)
    return np.copysign(encoded, v)


def linear_srgb_to_oklab(linear) -> np.ndarray:
    """Linear sRGB ``(..., 3)`` -> Oklab ``(..., 3)``, float64."""
    return _apply(M2, np.cbrt(_apply(M1, np.asarray(linear, dtype=np.float64))))


def oklab_to_linear_srgb(oklab) -> np.ndarray:
    """Oklab ``(..., 3)`` -> linear sRGB ``(..., 3)``, float64 (outside [0, 1] when out of
    gamut)."""
    lms_root = _apply(M2_INV, np.asarray(oklab, dtype=np.float64))
    return _apply(M1_INV, lms_root**3)


def _as_unit_rgb(rgb) -> np.ndarray:
    array = np.asarray(rgb)
    if array.ndim == 0 or array.shape[-1] != 3:
        raise ValueError(
            f"rgb must have 3 values (R, G, B) on its last axis; got shape {array.shape}"
        )
    if array.dtype == np.uint8:
        return array / 255.0
    if np.issubdtype(array.dtype, np.floating):
        return array.astype(np.float64, copy=False)
    raise ValueError(
        f"rgb must be uint8 levels 0..255 or floats on [0, 1]; got dtype {array.dtype}"
    )


def rgb_to_oklab(rgb) -> np.ndarray:
    """sRGB ``(..., 3)`` -> Oklab ``(..., 3)`` float64.

    ``rgb`` is uint8 (levels 0..255) or floating point (encoded values on [0, 1]).
    """
    return linear_srgb_to_oklab(srgb_to_linear(_as_unit_rgb(rgb)))


def oklab_to_rgb(oklab) -> np.ndarray:
    """Oklab ``(..., 3)`` -> sRGB-encoded ``(..., 3)`` float64 on [0, 1] for colours in the
    gamut; out-of-gamut colours fall outside [0, 1] (clip them to draw them)."""
    return linear_to_srgb(oklab_to_linear_srgb(oklab))


def linear_levels() -> np.ndarray:
    """Linear value of each 8-bit level 0..255, ``(256,)`` float64: ``srgb_to_linear(i / 255)``."""
    return srgb_to_linear(np.arange(256) / 255.0)


def levels_to_oklab(rgb: np.ndarray) -> np.ndarray:
    """uint8 sRGB levels ``(n, 3)`` -> Oklab ``(n, 3)``: :func:`rgb_to_oklab` with the
    transfer function read from a 256-entry table (the same float64 values)."""
    table = linear_levels()
    return linear_srgb_to_oklab(table[np.asarray(rgb, dtype=np.uint8)])


__all__ = [
    "M1",
    "M1_INV",
    "M2",
    "M2_INV",
    "linear_levels",
    "levels_to_oklab",
    "linear_srgb_to_oklab",
    "linear_to_srgb",
    "oklab_to_linear_srgb",
    "oklab_to_rgb",
    "rgb_to_oklab",
    "srgb_to_linear",
]
