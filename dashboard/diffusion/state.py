"""The whole view state of the diffusion page, to and from a URL query string and the controls.

A share link carries ``artwork`` (or ``upload``), ``schedule``, ``steps``, ``t``, ``zero_snr``,
``seed``, ``prior`` and ``view`` (the tab of figures shown). As on the other pages,
:func:`parse_query` clamps or ignores every bad parameter with a notice and never raises, and
:meth:`DiffusionState.from_controls` is the one place control values (which a forged callback
body may carry too) are cleaned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from dashboard.core.diffusion_schedules import DEFAULT_SCHEDULE, DEFAULT_STEPS, SCHEDULES
from dashboard.core.noise import SEED_RANGE
from dashboard.ui.query import (
    control_number,
    read_choice,
    read_number,
    round_half_up,
    shortened,
)
from dashboard.ui.sources import read_source

#: Priors of the denoiser and the exact theory: the painting's own level PMFs, or the PMFs of
#: every painting of the corpus pooled with equal weights.
PRIORS = ("painting", "artist")
#: Tabs of figures, in the page's order: the marginal of x_t, the information left over the
#: steps (KL, MI, denoiser error), the noise schedules, the channels' correlation.
VIEWS = ("marginal", "information", "schedules", "correlation")
#: Schedules in the order the page offers them.
SCHEDULE_NAMES = tuple(SCHEDULES)
#: Numbers of steps T the page offers: at least 2 (zero terminal SNR rescales from step 1 to
#: step T), at most 2000 (the curves over every step are computed at once, ~0.5 ms a step).
STEPS_RANGE = (2, 2000)
#: Spellings of the zero-SNR switch accepted in a link; ``to_query`` writes 1 or 0.
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")



def default_step(steps: int) -> int:
    """The step shown when a link gives none: a quarter of the way (250 of 1000)."""
    return steps // 4


@dataclass(frozen=True)
class DiffusionState:
    """Everything a share link carries. ``source`` is an artwork id or ``upload:<sha256>``;
    ``t`` is a step in ``0..steps``."""

    source: str
    schedule: str = DEFAULT_SCHEDULE
    steps: int = DEFAULT_STEPS
    t: int = default_step(DEFAULT_STEPS)
    zero_snr: bool = False
    seed: int = 0
    prior: str = "painting"
    view: str = VIEWS[0]

    @classmethod
    def from_controls(cls, source: object, schedule: object = None, steps: object = None,
                      t: object = None, zero_snr: object = None, seed: object = None,
                      prior: object = None, view: object = None) -> DiffusionState:
        """The state the controls show: numbers clamped to their ranges and made whole,
        choices checked; anything unreadable takes the default. ``t`` is clamped to the
        cleaned ``steps``. ``source`` is kept as sent (an empty string if it is not one):
        callers check that it is known."""
        default = cls(source="")
        steps_value = _whole(control_number(steps, default.steps, STEPS_RANGE))
        t_value = _whole(control_number(t, default_step(steps_value), (0, steps_value)))
        return cls(
            source=source if isinstance(source, str) else "",
            schedule=schedule if schedule in SCHEDULE_NAMES else default.schedule,
            steps=steps_value,
            t=t_value,
            zero_snr=zero_snr is True or (isinstance(zero_snr, str) and zero_snr in _TRUE),
            seed=_whole(control_number(seed, default.seed, SEED_RANGE)),
            prior=prior if prior in PRIORS else default.prior,
            view=view if view in VIEWS else default.view,
        )

    @property
    def process(self) -> tuple[str, int, bool]:
        """``(schedule, steps, zero_snr)``: what the signal fractions ᾱ depend on."""
        return self.schedule, self.steps, self.zero_snr

    def to_query(self) -> str:
        """The canonical query string (with leading ``?``) for this state."""
        params: dict[str, object] = {}
        if self.source.startswith("upload:"):
            params["upload"] = self.source.removeprefix("upload:")
        else:
            params["artwork"] = self.source
        params.update(schedule=self.schedule, steps=self.steps, t=self.t,
                      zero_snr=int(self.zero_snr), seed=self.seed, prior=self.prior,
                      view=self.view)
        return "?" + urlencode(params, safe=":-")


def _whole(value: float) -> int:
    """A cleaned control number as an int, halves up (as the browser rounds)."""
    return int(round_half_up(value, 0))


def _read_whole(raw: str, name: str, bounds: tuple[float, float],
                notices: list[str]) -> int | None:
    value = read_number(raw, name, bounds, notices)
    if value is None:
        return None
    if value != int(value):
        notices.append(f"{name}={shortened(raw)} is not a whole number; using {int(value)}.")
    return int(value)


def parse_query(query: Mapping[str, str], *, is_known_source: Callable[[str], bool],
                default_source: str, artist_prior: bool) -> tuple[DiffusionState, list[str]]:
    """Read a query mapping into a :class:`DiffusionState`, plus notices about what changed.

    ``artist_prior`` says whether this server has the corpus the artist prior pools; without
    it a link asking for that prior gets the painting's own with a notice. Unknown parameters
    are ignored silently; known ones with bad values are clamped or ignored with a notice.
    Never raises.
    """
    notices: list[str] = []
    state = DiffusionState(source=default_source)
    q = {str(k).lower(): str(v) for k, v in query.items() if v is not None}

    if (source := read_source(q, is_known_source, notices)) is not None:
        state = replace(state, source=source)

    if "schedule" in q and (
            v := read_choice(q["schedule"], "schedule", SCHEDULE_NAMES, notices)) is not None:
        state = replace(state, schedule=v)
    if "steps" in q and (v := _read_whole(q["steps"], "steps", STEPS_RANGE, notices)) is not None:
        state = replace(state, steps=v)
    state = replace(state, t=default_step(state.steps))
    if "t" in q and (v := _read_whole(q["t"], "t", (0, state.steps), notices)) is not None:
        state = replace(state, t=v)
    if "zero_snr" in q and (
            v := read_choice(q["zero_snr"], "zero_snr", _TRUE + _FALSE, notices)) is not None:
        state = replace(state, zero_snr=v in _TRUE)
    if "seed" in q and (v := _read_whole(q["seed"], "seed", SEED_RANGE, notices)) is not None:
        state = replace(state, seed=v)
    if "prior" in q and (v := read_choice(q["prior"], "prior", PRIORS, notices)) is not None:
        if v == "artist" and not artist_prior:
            notices.append("The artist prior pools the Van Gogh corpus, which is not on this "
                           "server; using the painting's own colours.")
        else:
            state = replace(state, prior=v)
    if "view" in q and (v := read_choice(q["view"], "view", VIEWS, notices)) is not None:
        state = replace(state, view=v)
    return state, notices
