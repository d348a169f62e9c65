"""The whole view state of the explorer, to and from a URL query string and the controls.

A share link must reproduce the exact view, and a hand-edited or stale link must never crash a
page: :func:`parse_query` clamps or ignores every bad parameter and says what it did. Control
values (which a forged callback body may carry too) go through :meth:`ViewState.from_controls`,
the one place they are cleaned. A highlight is a :class:`Selection`, written as a short key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from dashboard.core.colours import MAX_BINS, MIN_BINS
from dashboard.core.noise import MEAN_RANGE, SEED_RANGE, VARIANCE_RANGE
from dashboard.core.vocabulary import CHANNELS, JOINT_BIN_CHOICES, SPACES
from dashboard.ui.query import (
    control_number,
    format_number,
    plain_number,
    read_choice,
    read_number,
    round_half_up,
    shortened,
)
from dashboard.ui.sources import read_source

VIEWS = ("noise", "distributions", "joint", "colour3d")
#: The two pictures of the explorer: the image as loaded, and with noise added.
PICTURES = ("original", "noisy")

#: Bins per axis of the 3D colour histograms the page offers.
BINS_RANGE = (MIN_BINS, MAX_BINS)

#: Slider resolution: values are rounded to these many decimals so that cache keys and URLs
#: stay short and a link reproduces the same numbers.
MEAN_DECIMALS = 3
VARIANCE_DECIMALS = 4

# Digits are ASCII 0-9 only: Python's \d also matches the digits of other scripts.
_LEVELS_KEY = re.compile(r"levels:(red|green|blue):(original|noisy):([0-9]{1,3})-([0-9]{1,3})")
_BIN_KEY = re.compile(rf"bin:({'|'.join(SPACES)}):([0-9]{{1,2}}):([0-9]{{1,6}}):(original|noisy)")
_GIVEN = re.compile(r"([0-9]{1,3})(?:-([0-9]{1,3}))?")


@dataclass(frozen=True)
class Selection:
    """A highlight: levels ``lo..hi`` of one channel, or one bin of a ``bins``³ colour grid,
    in one picture (``"original"`` or ``"noisy"``).

    Its :attr:`key` (``levels:CHANNEL:PICTURE:LO-HI`` or ``bin:SPACE:BINS:INDEX:PICTURE``) is
    what links, stores and the browser (``explorer.selectionKey``) carry.
    """

    kind: str
    picture: str
    channel: str | None = None
    lo: int | None = None
    hi: int | None = None
    space: str | None = None
    bins: int | None = None
    index: int | None = None

    @classmethod
    def levels(cls, channel: str, picture: str, lo: int, hi: int) -> Selection:
        return cls.parse(f"levels:{channel}:{picture}:{int(lo)}-{int(hi)}")

    @classmethod
    def colour_bin(cls, space: str, bins: int, index: int, picture: str) -> Selection:
        return cls.parse(f"bin:{space}:{int(bins)}:{int(index)}:{picture}")

    @classmethod
    def parse(cls, key: str) -> Selection:
        """The selection written as ``key``; ValueError if it is not one this page can show."""
        selection = cls.read(key)
        if selection is None:
            raise ValueError(f"selection {shortened(str(key))!r} is not "
                             "'levels:CHANNEL:PICTURE:LO-HI' or 'bin:SPACE:BINS:INDEX:PICTURE'")
        return selection

    @classmethod
    def read(cls, key: object) -> Selection | None:
        """Like :meth:`parse`, but None for anything that is not a valid key."""
        if not isinstance(key, str):
            return None
        if match := _LEVELS_KEY.fullmatch(key):
            channel, picture, lo, hi = match[1], match[2], int(match[3]), int(match[4])
            if 0 <= lo <= hi <= 255:
                return cls("levels", picture, channel=channel, lo=lo, hi=hi)
        elif match := _BIN_KEY.fullmatch(key):
            space, bins, index, picture = match[1], int(match[2]), int(match[3]), match[4]
            if BINS_RANGE[0] <= bins <= BINS_RANGE[1] and index < bins**3:
                return cls("bin", picture, space=space, bins=bins, index=index)
        return None

    @property
    def key(self) -> str:
        if self.kind == "levels":
            return f"levels:{self.channel}:{self.picture}:{self.lo}-{self.hi}"
        return f"bin:{self.space}:{self.bins}:{self.index}:{self.picture}"

    def describe(self) -> str:
        """Plain words: "red levels 0–99 in the original image"."""
        if self.kind == "levels":
            return f"{self.channel} levels {self.lo}–{self.hi} in the {self.picture} image"
        return (f"one {self.space.upper()} colour bin ({self.bins}³ grid) of the "
                f"{self.picture} image")


def valid_selection(key: object) -> bool:
    """Whether ``key`` is a well-formed highlight key (see :class:`Selection`)."""
    return Selection.read(key) is not None


def round_mean(value: float) -> float:
    """``value`` at slider resolution (3 decimals, halves up)."""
    return round_half_up(value, MEAN_DECIMALS)


def round_variance(value: float) -> float:
    """``value`` at slider resolution (4 decimals, halves up)."""
    return round_half_up(value, VARIANCE_DECIMALS)


def _whole_number(value: object) -> int | None:
    """A control's whole number (a JSON number or plain ASCII digits), else None."""
    number = plain_number(value)
    if number is None or not math.isfinite(number) or number != int(number):
        return None
    return int(number)


def _given(value: object) -> tuple[int, int] | None:
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    lo, hi = _whole_number(value[0]), _whole_number(value[1])
    if lo is None or hi is None:
        return None
    return (lo, hi) if 0 <= lo <= hi <= 255 else None


@dataclass(frozen=True)
class ViewState:
    """Everything a share link carries. ``source`` is an artwork id or ``upload:<sha256>``."""

    source: str
    mean: float = 0.0
    variance: float = 0.01
    seed: int = 0
    view: str = "noise"
    joint_x: str = "blue"
    joint_y: str = "green"
    joint_picture: str = "original"
    joint_bins: int = 64
    given: tuple[int, int] | None = None
    space: str = "rgb"
    bins: int = 16
    selection: str | None = None

    @classmethod
    def from_controls(cls, source: object, mean: object = None, variance: object = None,
                      seed: object = None, *, view: object = None, joint_x: object = None,
                      joint_y: object = None, joint_picture: object = None,
                      joint_bins: object = None, given: object = None, space: object = None,
                      bins: object = None, selection: object = None) -> ViewState:
        """The state the controls show: numbers clamped to their ranges and rounded to slider
        resolution, choices checked; anything unreadable takes the default. ``source`` is
        kept as sent (an empty string if it is not one): callers check that it is known."""
        default = cls(source="")
        bins_value = _whole_number(bins)
        if bins_value is None:
            bins_value = default.bins
        joint_bins_value = _whole_number(joint_bins)
        if joint_bins_value not in JOINT_BIN_CHOICES:
            joint_bins_value = default.joint_bins
        return cls(
            source=source if isinstance(source, str) else "",
            mean=round_mean(control_number(mean, default.mean, MEAN_RANGE)),
            variance=round_variance(control_number(variance, default.variance, VARIANCE_RANGE)),
            seed=int(control_number(seed, default.seed, SEED_RANGE)),
            view=view if view in VIEWS else default.view,
            joint_x=joint_x if joint_x in CHANNELS else default.joint_x,
            joint_y=joint_y if joint_y in CHANNELS else default.joint_y,
            joint_picture=joint_picture if joint_picture in PICTURES else default.joint_picture,
            joint_bins=joint_bins_value,
            given=_given(given),
            space=space if space in SPACES else default.space,
            bins=min(max(bins_value, BINS_RANGE[0]), BINS_RANGE[1]),
            selection=selection if valid_selection(selection) else None,
        )

    @property
    def noise(self) -> tuple[float, float, int]:
        """``(mean, variance, seed)`` of the noise."""
        return self.mean, self.variance, self.seed

    def noise_for(self, picture: str) -> tuple[float | None, float | None, int | None]:
        """The noise parameters ``picture`` depends on: none for the original, so that every
        slider position shares its cache entries."""
        return (None, None, None) if picture == "original" else self.noise

    @property
    def highlight(self) -> Selection | None:
        return Selection.read(self.selection)

    def to_query(self) -> str:
        """The canonical query string (with leading ``?``) for this state."""
        params: dict[str, object] = {}
        if self.source.startswith("upload:"):
            params["upload"] = self.source.removeprefix("upload:")
        else:
            params["artwork"] = self.source
        params.update(mean=format_number(self.mean), variance=format_number(self.variance),
                      seed=self.seed, view=self.view, x=self.joint_x, y=self.joint_y,
                      joint=self.joint_picture, jbins=self.joint_bins, space=self.space,
                      bins=self.bins)
        if self.given is not None:
            params["given"] = f"{self.given[0]}-{self.given[1]}"
        if self.selection:
            params["sel"] = self.selection
        return "?" + urlencode(params, safe=":-")


def parse_query(query: Mapping[str, str], *, is_known_source: Callable[[str], bool],
                default_source: str) -> tuple[ViewState, list[str]]:
    """Read a query mapping into a :class:`ViewState`, plus notices about what was changed.

    Unknown parameters are ignored silently (links may carry tracking parameters); known ones
    with bad values are clamped or ignored with a notice. Never raises.
    """
    notices: list[str] = []
    state = ViewState(source=default_source)
    q = {str(k).lower(): str(v) for k, v in query.items() if v is not None}

    if (source := read_source(q, is_known_source, notices)) is not None:
        state = replace(state, source=source)

    if "mean" in q and (v := read_number(q["mean"], "mean", MEAN_RANGE, notices)) is not None:
        state = replace(state, mean=round_mean(v))
    if "variance" in q and (
            v := read_number(q["variance"], "variance", VARIANCE_RANGE, notices)) is not None:
        state = replace(state, variance=round_variance(v))
    if "seed" in q and (v := read_number(q["seed"], "seed", SEED_RANGE, notices)) is not None:
        if v != int(v):
            notices.append(f"seed={shortened(q['seed'])} is not a whole number; "
                           f"using {int(v)}.")
        state = replace(state, seed=int(v))
    for key, field, choices in (("view", "view", VIEWS), ("x", "joint_x", CHANNELS),
                                ("y", "joint_y", CHANNELS), ("joint", "joint_picture", PICTURES),
                                ("space", "space", SPACES)):
        if key in q and (v := read_choice(q[key], key, choices, notices)) is not None:
            state = replace(state, **{field: v})
    if state.joint_x == state.joint_y:
        other = next(c for c in CHANNELS if c != state.joint_x)
        notices.append(f"x and y were both {state.joint_x}; "
                       f"showing {state.joint_x} against {other}.")
        state = replace(state, joint_y=other)
    if "jbins" in q:
        v = read_choice(q["jbins"], "jbins", JOINT_BIN_CHOICES, notices)
        if v is not None:
            state = replace(state, joint_bins=int(v))
    if "bins" in q and (v := read_number(q["bins"], "bins", BINS_RANGE, notices)) is not None:
        state = replace(state, bins=int(round(v)))
    if "given" in q:
        match = _GIVEN.fullmatch(q["given"].strip())
        given = _given((match[1], match[2] or match[1])) if match else None
        if given is not None:
            state = replace(state, given=given)
        else:
            notices.append(f"Ignored given={shortened(q['given'])!r}: use a level or a range "
                           "like 40-90 within 0..255.")
    if "sel" in q:
        if valid_selection(q["sel"].strip()):
            state = replace(state, selection=q["sel"].strip())
        else:
            notices.append(f"Ignored sel={shortened(q['sel'])!r}: "
                           "not a selection this page can show.")
    return state, notices
