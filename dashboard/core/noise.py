"""The seeded Gaussian noise model, with scikit-image ``random_noise`` conventions.

An 8-bit image with levels ``x`` (0..255) is read on the [0, 1] scale as ``u = x / 255``.
Every pixel and channel gets an independent draw ``eps ~ N(mean, variance)`` in [0, 1]
units, and the noisy image is::

    noisy = round(255 * clip(u + eps, 0, 1))          # uint8, levels 0..255

rounded to the nearest level. The original script converted with ``astype(np.uint8)``,
which truncates: it biased every pixel down by half a level on average (and never
reached 255 unless ``u + eps`` was exactly 1). We round.

The draws are ``eps = mean + sigma * z`` with ``sigma = sqrt(variance)`` and ``z`` a
standard-normal *field* (float32, one value per pixel and channel) that depends only on
``(shape, seed)``. Moving the mean or variance sliders reuses the same ``z``, so the
noise of one pixel changes smoothly instead of being redrawn. In levels the model is::

    offset = rint(255 * mean + 255 * sigma * z)       # integer levels, one per pixel
    noisy  = clip(x + offset, 0, 255)

This is the formula above up to rounding ties, which have probability zero when
``sigma > 0``. It is *defined* as the float64 evaluation
``np.rint(255.0 * mean + (255.0 * sqrt(variance)) * float64(z))`` (ties to even), and
:class:`NoiseRenderer` reproduces that bit for bit while working in float32 (see
:meth:`NoiseRenderer.offsets`). With ``variance == 0`` the result is exactly the
deterministic shift ``clip(x + rint(255 * mean), 0, 255)``; a shift of exactly half a
level goes to the even offset (``rint(0.5) == 0``, ``rint(1.5) == 2``).
"""

from __future__ import annotations

import functools
import math
import numbers
import threading

import numpy as np

#: Accepted range of the noise mean, [0, 1] units.
MEAN_RANGE = (-1.0, 1.0)
#: Accepted range of the noise variance, [0, 1] units squared.
VARIANCE_RANGE = (0.0, 1.0)
#: Accepted range of the seed (``np.random.default_rng`` takes any non-negative int;
#: we keep to 32 bits so a seed fits in a URL and a cache key).
SEED_RANGE = (0, 2**32 - 1)
#: Highest intensity level of an 8-bit image.
MAX_LEVEL = 255

# Offsets are clipped to +-OFFSET_LIMIT levels before the cast to int16: any offset at or
# beyond 256 levels already saturates every pixel, so the clip changes no result.
_OFFSET_LIMIT = 256.0
# The combined index channel * 256 + level is int16.
_MAX_COUNTED_CHANNELS = 127


def _real_in_range(name: str, value: object, bounds: tuple[float, float]) -> float:
    low, high = bounds
    accepted = f"a finite number in [{low:g}, {high:g}]"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {accepted}, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{name} must be {accepted}, got {value!r}")
    return number


def validate_mean(mean: object) -> float:
    """Return ``mean`` as a float after checking it is finite and in [-1, 1] ([0, 1] units)."""
    return _real_in_range("mean", mean, MEAN_RANGE)


def validate_variance(variance: object) -> float:
    """Return ``variance`` as a float after checking it is finite and in [0, 1]."""
    return _real_in_range("variance", variance, VARIANCE_RANGE)


def validate_seed(seed: object) -> int:
    """Return ``seed`` as an int after checking it is an integer in [0, 2**32 - 1]."""
    low, high = SEED_RANGE
    if (
        isinstance(seed, bool)
        or not isinstance(seed, numbers.Integral)
        or not (low <= int(seed) <= high)
    ):
        raise ValueError(f"seed must be an integer in [{low}, {high}], got {seed!r}")
    return int(seed)


def validate_image(image: object, name: str = "image") -> np.ndarray:
    """Return ``image`` as a C-contiguous uint8 array (levels 0..255) with at least one pixel.

    Any shape is accepted (the noise is element-wise); the dashboard passes (H, W, 3).
    """
    if not isinstance(image, np.ndarray):
        raise ValueError(f"{name} must be a numpy uint8 array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ValueError(f"{name} must have dtype uint8 (levels 0..255), got {image.dtype}")
    if image.size == 0 or image.ndim == 0:
        raise ValueError(f"{name} must have at least one pixel, got shape {image.shape}")
    return np.ascontiguousarray(image)


def validate_field(field: object, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``field`` as C-contiguous float32 after checking its shape and finiteness."""
    if not isinstance(field, np.ndarray) or field.dtype != np.float32:
        got = field.dtype if isinstance(field, np.ndarray) else type(field).__name__
        raise ValueError(f"field must be a float32 array from standard_normal_field, got {got}")
    if field.shape != tuple(shape):
        raise ValueError(f"field must have the image's shape {tuple(shape)}, got {field.shape}")
    if not np.isfinite(field).all():
        raise ValueError("field must contain only finite values, got NaN or infinity")
    return np.ascontiguousarray(field)


def standard_normal_field(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Standard-normal draws ``z`` (float32, one per pixel and channel) for ``(shape, seed)``.

    Generated by ``np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)``,
    so the same ``(shape, seed)`` always gives the same bytes.

    Examples
    --------
    >>> z = standard_normal_field((2, 2, 3), seed=0)
    >>> z.dtype, z.shape
    (dtype('float32'), (2, 2, 3))
    >>> bool(np.array_equal(z, standard_normal_field((2, 2, 3), seed=0)))
    True
    """
    seed = validate_seed(seed)
    try:
        shape = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise ValueError(f"shape must be a tuple of non-negative ints, got {shape!r}") from None
    if any(n < 0 for n in shape):
        raise ValueError(f"shape must be a tuple of non-negative ints, got {shape!r}")
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)


def noise_scale(mean: float, variance: float) -> tuple[float, float]:
    """Return ``(255 * mean, 255 * sqrt(variance))``: the noise shift and spread in levels."""
    mean = validate_mean(mean)
    variance = validate_variance(variance)
    return 255.0 * mean, 255.0 * math.sqrt(variance)


def reference_offsets(z: np.ndarray, mean: float, variance: float) -> np.ndarray:
    """The model's offsets ``rint(255 * mean + 255 * sigma * z)`` in levels, in float64.

    The straightforward definition (clipped to +-256 levels, which saturates any pixel);
    :meth:`NoiseRenderer.offsets` computes the same values faster.
    """
    shift, spread = noise_scale(mean, variance)
    exact = np.asarray(z, dtype=np.float64) * spread + shift
    return np.clip(np.rint(exact), -_OFFSET_LIMIT, _OFFSET_LIMIT)


class NoiseRenderer:
    """Everything one slider move needs for a fixed image and field: the noisy image, fast.

    Holds the image, the field and scratch buffers, so that :meth:`render` allocates only
    the uint8 result. Not a pure function: one instance is safe to share between threads
    (a lock serialises renders), but renders do not run in parallel.

    Parameters
    ----------
    image : ndarray of uint8
        Levels 0..255, any shape; (H, W, 3) for :meth:`render` with ``counts=True``.
    field : ndarray of float32
        Standard-normal draws of the image's shape (:func:`standard_normal_field`).
    """

    def __init__(self, image: np.ndarray, field: np.ndarray) -> None:
        self.image = validate_image(image)
        self.field = validate_field(field, self.image.shape)
        self._field_abs_max = float(np.max(np.abs(self.field)))
        self._shifted = np.empty(self.image.shape, dtype=np.float32)
        self._near_tie = np.empty(self.image.shape, dtype=bool)
        self._levels = np.empty(self.image.shape, dtype=np.int16)
        self._lock = threading.Lock()

    @property
    def shape(self) -> tuple[int, ...]:
        return self.image.shape

    def offsets(self, mean: float, variance: float, out: np.ndarray | None = None) -> np.ndarray:
        """Per-pixel offsets ``rint(255 * mean + 255 * sigma * z)`` in levels (int16).

        Equal, element for element, to :func:`reference_offsets` (clipped to +-256).
        The offset is computed in float32 and re-computed in float64 wherever the float32
        value is within its error bound of a half level, where float32 could round to the
        other side. The bound is ``2**-22 * (max|z| * 255 * sigma + |255 * mean|)`` levels,
        four times the worst case of the three float32 roundings, so only about
        ``2 * bound`` of all pixels (a few hundred in a megapixel) take the float64 path.
        """
        shift, spread = noise_scale(mean, variance)
        if out is None:
            out = np.empty(self.shape, dtype=np.int16)
        with self._lock:
            self._offsets_into(shift, spread, out)
        return out

    def _offsets_into(self, shift: float, spread: float, out: np.ndarray) -> None:
        if spread == 0.0:
            out.fill(int(np.clip(np.rint(shift), -_OFFSET_LIMIT, _OFFSET_LIMIT)))
            return
        shifted = self._shifted
        np.multiply(self.field, np.float32(spread), out=shifted)
        np.add(shifted, np.float32(shift), out=shifted)
        largest = self._field_abs_max * spread + abs(shift)
        if largest > _OFFSET_LIMIT:
            np.clip(shifted, -_OFFSET_LIMIT, _OFFSET_LIMIT, out=shifted)
        np.rint(shifted, out=out, casting="unsafe")  # integers within +-256: exact in int16
        # Distance to the nearest integer is exact in float32 (Sterbenz); near 0.5 the
        # float32 offset may have rounded to the wrong side of a half level.
        np.subtract(shifted, out, out=shifted)
        np.abs(shifted, out=shifted)
        bound = 2.0**-22 * largest + 2.0**-30
        threshold = np.nextafter(np.float32(0.5 - bound), np.float32(0.0))
        np.greater_equal(shifted, threshold, out=self._near_tie)
        near = np.flatnonzero(self._near_tie)
        if near.size:
            z = self.field.reshape(-1)[near].astype(np.float64)
            exact = np.clip(np.rint(z * spread + shift), -_OFFSET_LIMIT, _OFFSET_LIMIT)
            out.reshape(-1)[near] = exact

    def render(
        self, mean: float, variance: float, counts: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """The noisy image (uint8, levels 0..255) for ``mean`` and ``variance``.

        With ``counts=True`` also return the per-channel level counts of the noisy image,
        shape (C, 256) int64 with C the last axis of an (H, W, C) image (one np.bincount
        over the combined index ``channel * 256 + level``).
        """
        shift, spread = noise_scale(mean, variance)
        if counts and (self.image.ndim != 3 or self.image.shape[-1] > _MAX_COUNTED_CHANNELS):
            raise ValueError(
                f"counts=True needs an (H, W, C) image with C <= {_MAX_COUNTED_CHANNELS}, "
                f"got shape {self.image.shape}"
            )
        with self._lock:
            levels = self._levels
            self._offsets_into(shift, spread, levels)
            np.add(levels, self.image, out=levels)
            np.clip(levels, 0, MAX_LEVEL, out=levels)
            noisy = levels.astype(np.uint8)
            if not counts:
                return noisy
            channels = self.image.shape[-1]
            np.add(levels, self._channel_offsets(), out=levels)
            level_counts = np.bincount(levels.reshape(-1), minlength=channels * 256)
        return noisy, level_counts.reshape(channels, 256)

    def _channel_offsets(self) -> np.ndarray:
        return channel_base(self.shape, 256)


@functools.lru_cache(maxsize=8)
def channel_base(shape: tuple[int, ...], stride: int, offset: int = 0) -> np.ndarray:
    """Full-size int16 array ``offset + channel * stride`` of ``shape`` (channel = last axis),
    read-only and kept per (shape, stride, offset).

    For combined channel-and-level indices: broadcasting a length-3 offset along the last
    axis runs an inner loop of length 3, about 20 times slower than a contiguous add, and
    building the array is a third of the cost of a count.
    """
    base = np.arange(shape[-1], dtype=np.int16) * np.int16(stride) + np.int16(offset)
    full = np.ascontiguousarray(np.broadcast_to(base, shape))
    full.flags.writeable = False
    return full


def apply_noise(image: np.ndarray, mean: float, variance: float, field: np.ndarray) -> np.ndarray:
    """Noisy image ``clip(x + rint(255 * mean + 255 * sigma * z), 0, 255)`` as uint8.

    Parameters
    ----------
    image : ndarray of uint8
        Levels 0..255, any shape.
    mean, variance : float
        Of the Gaussian noise on the [0, 1] scale; mean in [-1, 1], variance in [0, 1].
    field : ndarray of float32
        Standard-normal draws of the image's shape (:func:`standard_normal_field`).

    Examples
    --------
    >>> image = np.array([[0, 100], [200, 255]], dtype=np.uint8)
    >>> zero = np.zeros(image.shape, dtype=np.float32)
    >>> apply_noise(image, mean=10 / 255, variance=0.0, field=zero)
    array([[ 10, 110],
           [210, 255]], dtype=uint8)
    """
    return NoiseRenderer(image, field).render(mean, variance)


def add_gaussian_noise(
    image: np.ndarray, mean: float = 0.0, variance: float = 0.01, seed: int = 0
) -> np.ndarray:
    """Seeded Gaussian noise, ``skimage.util.random_noise`` style, rounded to uint8 levels.

    ``mean`` and ``variance`` are on the [0, 1] scale (defaults as in scikit-image);
    the same ``(image.shape, seed)`` always draws the same field.
    """
    image = validate_image(image)
    mean, variance = validate_mean(mean), validate_variance(variance)
    return apply_noise(image, mean, variance, standard_normal_field(image.shape, seed))
