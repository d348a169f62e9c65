"""The words every layer shares: channels, intensity levels, colour spaces, palette sizes.

Each idea is defined here once; the engine, the figures and the pages import it. So are the
checks every public function shares: an image (:func:`validate_image`), one of a few names
(:func:`validate_choice`) and an integer in a range (:func:`validate_int`), each raising a
ValueError that names the parameter, the bad value and what is accepted.

Examples
--------
>>> import numpy as np
>>> channel_index("green"), LEVELS, MAX_LEVEL
(1, 256, 255)
>>> validate_image(np.zeros((1, 2, 3), dtype=np.uint8)).shape
(1, 2, 3)
"""

from __future__ import annotations

import numpy as np

#: Channel names, in the order of the last axis of an RGB image and of per-channel rows.
CHANNELS: tuple[str, str, str] = ("red", "green", "blue")
#: Number of intensity levels of an 8-bit channel: the integers 0 .. LEVELS - 1.
LEVELS = 256
#: Highest intensity level of an 8-bit channel.
MAX_LEVEL = LEVELS - 1
#: Colour spaces of the 3D colour histograms: RGB, HSV, CIELAB ("lab", CIE 1976 L*a*b*, D65)
#: and Oklab ("oklab", Ottosson 2020); their axes and ranges are in
#: ``dashboard.core.colours.SPACE_AXES``.
SPACES: tuple[str, ...] = ("rgb", "hsv", "lab", "oklab")
#: Bins per axis offered for the joint histogram of two channels (each a divisor of 256).
JOINT_BIN_CHOICES: tuple[int, ...] = (32, 64, 128, 256)

#: Colours in a palette drawn for one picture in the explorer, and for the whole corpus on
#: the artist page.
SHOWN_PALETTE_SIZE = 10
#: Colours stored per painting in the corpus index (fewer when it has fewer colour bins).
STORED_PALETTE_SIZE = 8
#: Colours in the pooled palette of a period, and of the paintings a painting is compared with:
#: as many as a painting's stored palette, so the two are read side by side.
PERIOD_PALETTE_SIZE = 8


def validate_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of the strings ``choices``; else ValueError naming them.

    >>> validate_choice("hsv", "space", SPACES)
    'hsv'
    """
    if isinstance(value, str) and value in choices:
        return value
    raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")


def validate_int(value: object, name: str, lo: int, hi: int | None = None) -> int:
    """Return ``value`` as an int if it is an integer (not a bool) in ``lo..hi`` inclusive
    (``hi=None``: no upper bound); else ValueError naming ``name``.

    >>> validate_int(0, "n_colours", 1)
    Traceback (most recent call last):
    ...
    ValueError: n_colours must be a positive integer; got 0
    """
    is_integer = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not is_integer or value < lo or (hi is not None and value > hi):
        if hi is not None:
            accepted = f"an integer in {lo}..{hi}"
        elif lo == 1:
            accepted = "a positive integer"
        else:
            accepted = f"an integer >= {lo}"
        raise ValueError(f"{name} must be {accepted}; got {value!r}")
    return int(value)


def channel_index(name: str) -> int:
    """Index 0, 1 or 2 of a channel name in ``CHANNELS``; ValueError for anything else."""
    return CHANNELS.index(validate_choice(name, "channel", CHANNELS))


def validate_image(image: object, name: str = "image", *, rgb: bool = True) -> np.ndarray:
    """Return ``image`` as a C-contiguous uint8 array of levels 0..255, else ValueError.

    With ``rgb=True`` it must be an RGB image, shape (H, W, 3) with H, W >= 1. With
    ``rgb=False`` any shape with at least one value is accepted (noise is element-wise).
    Messages name the parameter (``name``), what was wrong and what is accepted.

    Examples
    --------
    >>> validate_image(np.zeros((2, 2), dtype=np.uint8), "rgb")
    Traceback (most recent call last):
    ...
    ValueError: rgb must have shape (H, W, 3) (RGB); got (2, 2)
    >>> validate_image(np.zeros((2, 2), dtype=np.uint8), rgb=False).shape
    (2, 2)
    """
    wanted = " of shape (H, W, 3)" if rgb else ""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"{name} must be a numpy uint8 array{wanted}; got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ValueError(f"{name} must have dtype uint8 (levels 0..255); got {image.dtype}")
    if rgb and (image.ndim != 3 or image.shape[2] != len(CHANNELS)):
        raise ValueError(f"{name} must have shape (H, W, 3) (RGB); got {image.shape}")
    if image.ndim == 0 or image.size == 0:
        shape = ", shape (H, W, 3) with H, W >= 1" if rgb else ""
        raise ValueError(f"{name} must have at least one pixel{shape}; got shape {image.shape}")
    return np.ascontiguousarray(image)
