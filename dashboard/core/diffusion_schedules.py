"""Noise schedules of a diffusion model's forward process, and the link to the explorer's noise.

A schedule is a sequence of variances ``beta_1 .. beta_T`` (dimensionless, in (0, 1]). The
forward process keeps a fraction of the signal::

    alpha_bar_0 = 1,   alpha_bar_t = prod_{s=1..t} (1 - beta_s),   t = 0 .. T,

so ``x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps`` (Ho et al. 2020, eq. 4).
Arrays of ``alpha_bar`` have ``T + 1`` entries and are indexed by the step ``t``; arrays of
``beta`` have ``T`` entries, ``beta[t - 1]`` being ``beta_t``.

The schedules (one table, :data:`SCHEDULES`; adding one touches only the table):

``linear``
    ``beta_t`` evenly spaced from 1e-4 to 0.02 (Ho et al. 2020, DDPM).
``scaled-linear``
    ``beta_t = linspace(sqrt(0.00085), sqrt(0.012), T)[t - 1] ** 2`` (Stable Diffusion).
``cosine``
    ``alpha_bar(t) = f(t) / f(0)``, ``f(t) = cos^2((t / T + s) / (1 + s) * pi / 2)``,
    ``s = 0.008``; ``beta_t = min(1 - alpha_bar(t) / alpha_bar(t - 1), 0.999)`` and
    ``alpha_bar`` is the product of the capped betas (Nichol & Dhariwal 2021, eq. 17).

Any of them can be rescaled to zero terminal SNR (Lin et al. 2024, Algorithm 1): the values
``sqrt(alpha_bar_t)`` for ``t = 1 .. T`` are mapped linearly so that the last becomes 0 and
the first (``t = 1``) is unchanged; ``alpha_bar_0 = 1`` stays. Then ``beta_T = 1``: the last
step keeps no signal at all.

For orientation, with ``T = 1000``: ``alpha_bar_T`` is about 4.04e-5 (linear), 4.66e-3
(scaled-linear) and 2.4e-9 (cosine), and ``alpha_bar_t`` first drops below 1/2 at step
t = 260, 355 and 497 (index 259, 354 and 496 of a 0-based array that starts at step 1, the
``alphas_cumprod`` of common implementations).

The explorer adds noise of standard deviation ``sigma`` to the image on the [0, 1] scale.
Dividing ``x_t`` by ``sqrt(alpha_bar_t)`` gives ``x_0 + sqrt((1 - alpha_bar_t) / alpha_bar_t)
eps`` on the data scale [-1, 1], which is twice the [0, 1] scale, so step ``t`` matches the
explorer's ``sigma = sqrt((1 - alpha_bar_t) / alpha_bar_t) / 2`` (before clipping):
:func:`explorer_sigma` and, the other way, :func:`step_for_explorer_variance`.

Examples
--------
>>> ab = alpha_bar("linear", steps=1000)
>>> ab.shape, float(ab[0])
((1001,), 1.0)
>>> print(f"{ab[-1]:.3g}")
4.04e-05
>>> int(np.argmax(ab < 0.5))
260
>>> float(alpha_bar("cosine", steps=10, zero_snr=True)[-1])
0.0
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dashboard.core.vocabulary import validate_choice, validate_int

#: Number of steps ``T`` when none is given.
DEFAULT_STEPS = 1000
#: Accepted numbers of steps (inclusive).
STEPS_RANGE = (1, 10_000)

_COSINE_OFFSET = 0.008
_COSINE_MAX_BETA = 0.999


def _linear_betas(steps: int) -> np.ndarray:
    return np.linspace(1e-4, 0.02, steps)


def _scaled_linear_betas(steps: int) -> np.ndarray:
    return np.linspace(math.sqrt(0.00085), math.sqrt(0.012), steps) ** 2


def _cosine_betas(steps: int) -> np.ndarray:
    s = _COSINE_OFFSET
    f = np.cos((np.arange(steps + 1) / steps + s) / (1.0 + s) * (math.pi / 2.0)) ** 2
    # f(T) is cos(pi/2)^2, zero up to rounding: the last beta is 1 before the cap.
    return np.minimum(1.0 - f[1:] / f[:-1], _COSINE_MAX_BETA)


@dataclass(frozen=True)
class Schedule:
    """One noise schedule: its name, a one-line description and its betas for ``T`` steps."""

    name: str
    description: str
    betas: Callable[[int], np.ndarray]


#: The schedules by name, in the order they are offered.
SCHEDULES: dict[str, Schedule] = {
    schedule.name: schedule
    for schedule in (
        Schedule("linear", "beta from 1e-4 to 0.02 (DDPM, Ho et al. 2020)", _linear_betas),
        Schedule(
            "scaled-linear",
            "sqrt(beta) from sqrt(0.00085) to sqrt(0.012) (Stable Diffusion)",
            _scaled_linear_betas,
        ),
        Schedule(
            "cosine",
            "alpha_bar = cos^2 of the time, beta capped at 0.999 (Nichol & Dhariwal 2021)",
            _cosine_betas,
        ),
    )
}
#: Schedule used when none is given.
DEFAULT_SCHEDULE = "linear"


def validate_schedule(schedule: object) -> str:
    """Return ``schedule`` if it names a schedule of :data:`SCHEDULES`, else ValueError."""
    return validate_choice(schedule, "schedule", tuple(SCHEDULES))


def validate_steps(steps: object) -> int:
    """Return the number of steps ``T`` as an int after checking it is in 1..10000."""
    return validate_int(steps, "steps", *STEPS_RANGE)


def validate_step(t: object, steps: int) -> int:
    """Return the step ``t`` as an int after checking it is in 0..steps."""
    return validate_int(t, "t", 0, validate_steps(steps))


def validate_alpha_bar(alpha_bar: object) -> float:
    """Return ``alpha_bar`` (signal fraction of one step) as a float in [0, 1], else ValueError."""
    if isinstance(alpha_bar, bool) or not isinstance(alpha_bar, numbers.Real):
        raise ValueError(f"alpha_bar must be a finite number in [0, 1]; got {alpha_bar!r}")
    value = float(alpha_bar)
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"alpha_bar must be a finite number in [0, 1]; got {alpha_bar!r}")
    return value


def rescale_zero_terminal_snr(alpha_bar_curve: np.ndarray) -> np.ndarray:
    """Rescale ``alpha_bar`` (``T + 1`` values, ``alpha_bar_0 = 1``) to zero terminal SNR.

    ``sqrt(alpha_bar_t)`` for ``t = 1 .. T`` is mapped by
    ``r -> (r - r_T) * r_1 / (r_1 - r_T)`` (Lin et al. 2024, Algorithm 1), so ``t = 1`` keeps
    its value and ``alpha_bar_T`` becomes exactly 0; ``alpha_bar_0 = 1`` is kept.
    Needs ``T >= 2`` and ``alpha_bar_1 > alpha_bar_T``.

    Examples
    --------
    >>> rescale_zero_terminal_snr(np.array([1.0, 0.81, 0.25, 0.01])).round(6).tolist()
    [1.0, 0.81, 0.2025, 0.0]
    """
    curve = np.asarray(alpha_bar_curve, dtype=np.float64)
    if curve.ndim != 1 or curve.size < 3 or curve[0] != 1.0:
        raise ValueError(
            "alpha_bar_curve must hold alpha_bar_0 = 1 then at least two steps; "
            f"got shape {curve.shape}"
        )
    root = np.sqrt(curve[1:])
    first, last = root[0], root[-1]
    if not first > last:
        raise ValueError(
            "alpha_bar_curve must decrease from step 1 to the last step to be rescaled; "
            f"got alpha_bar_1 = {curve[1]!r}, alpha_bar_T = {curve[-1]!r}"
        )
    rescaled = (root - last) * (first / (first - last))
    rescaled[-1] = 0.0
    return np.concatenate(([1.0], rescaled**2))


def alpha_bar(
    schedule: str = DEFAULT_SCHEDULE, steps: int = DEFAULT_STEPS, zero_snr: bool = False
) -> np.ndarray:
    """Signal fraction ``alpha_bar_t`` for ``t = 0 .. steps``: ``steps + 1`` floats, first 1.

    ``alpha_bar_t = prod_{s <= t} (1 - beta_s)``, rescaled to ``alpha_bar_T = 0`` if
    ``zero_snr`` (:func:`rescale_zero_terminal_snr`, which needs ``steps >= 2``).
    """
    schedule = validate_schedule(schedule)
    steps = validate_steps(steps)
    if not isinstance(zero_snr, bool | np.bool_):
        raise ValueError(f"zero_snr must be True or False; got {zero_snr!r}")
    if zero_snr and steps < 2:
        raise ValueError(f"steps must be at least 2 with zero_snr; got {steps}")
    curve = np.concatenate(([1.0], np.cumprod(1.0 - SCHEDULES[schedule].betas(steps))))
    return rescale_zero_terminal_snr(curve) if zero_snr else curve


def betas(
    schedule: str = DEFAULT_SCHEDULE, steps: int = DEFAULT_STEPS, zero_snr: bool = False
) -> np.ndarray:
    """Per-step variances ``beta_1 .. beta_T`` (``steps`` floats in (0, 1]).

    Without ``zero_snr`` these are the schedule's own betas (capped for ``cosine``); with it,
    ``beta_t = 1 - alpha_bar_t / alpha_bar_{t-1}`` of the rescaled curve, so ``beta_T = 1``.
    """
    if not zero_snr:
        return SCHEDULES[validate_schedule(schedule)].betas(validate_steps(steps))
    curve = alpha_bar(schedule, steps, zero_snr=True)
    return 1.0 - curve[1:] / curve[:-1]


def _as_alpha_bar_array(alpha_bar_values: object) -> np.ndarray:
    values = np.asarray(alpha_bar_values, dtype=np.float64)
    if not (np.isfinite(values).all() and (values >= 0).all() and (values <= 1).all()):
        raise ValueError("alpha_bar must hold finite numbers in [0, 1]")
    return values


def snr(alpha_bar_values: object) -> np.ndarray | float:
    """Signal-to-noise ratio ``alpha_bar / (1 - alpha_bar)``: +inf at ``alpha_bar = 1`` (t = 0).

    Takes a number or an array; returns the same shape (a float for a number).

    Examples
    --------
    >>> snr(np.array([1.0, 0.5, 0.0])).tolist()
    [inf, 1.0, 0.0]
    """
    values = _as_alpha_bar_array(alpha_bar_values)
    with np.errstate(divide="ignore"):
        result = values / (1.0 - values)
    return float(result) if result.ndim == 0 else result


def log_snr(alpha_bar_values: object) -> np.ndarray | float:
    """Natural log of the SNR, ``log(alpha_bar) - log(1 - alpha_bar)``: +inf at t = 0 and
    -inf where ``alpha_bar = 0`` (zero terminal SNR)."""
    values = _as_alpha_bar_array(alpha_bar_values)
    with np.errstate(divide="ignore"):
        result = np.log(values) - np.log1p(-values)
    return float(result) if result.ndim == 0 else result


def explorer_sigma(alpha_bar_values: object) -> np.ndarray | float:
    """The explorer's noise ``sigma`` ([0, 1] scale) that matches a step:
    ``sqrt((1 - alpha_bar) / alpha_bar) / 2``; 0 at t = 0, +inf where ``alpha_bar = 0``.

    Examples
    --------
    >>> explorer_sigma(0.2)
    1.0
    """
    values = _as_alpha_bar_array(alpha_bar_values)
    with np.errstate(divide="ignore"):
        result = 0.5 * np.sqrt((1.0 - values) / values)
    return float(result) if result.ndim == 0 else result


def step_for_explorer_variance(
    variance: float,
    schedule: str = DEFAULT_SCHEDULE,
    steps: int = DEFAULT_STEPS,
    zero_snr: bool = False,
) -> int:
    """The step ``t`` whose :func:`explorer_sigma` is nearest to ``sqrt(variance)``.

    ``variance`` is the explorer's noise variance on the [0, 1] scale (any finite number
    >= 0; the explorer offers [0, 1]). Ties go to the smaller step.

    Examples
    --------
    >>> t = step_for_explorer_variance(0.25, "linear")
    >>> t, round(float(explorer_sigma(alpha_bar("linear")[t])), 3)
    (259, 0.5)
    """
    if isinstance(variance, bool) or not isinstance(variance, numbers.Real):
        raise ValueError(f"variance must be a finite number >= 0; got {variance!r}")
    value = float(variance)
    if not (math.isfinite(value) and value >= 0.0):
        raise ValueError(f"variance must be a finite number >= 0; got {variance!r}")
    sigmas = explorer_sigma(alpha_bar(schedule, steps, zero_snr))
    return int(np.argmin(np.abs(sigmas - math.sqrt(value))))
