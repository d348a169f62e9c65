"""The whole view state of the explorer, to and from a URL query string.

A share link must reproduce the exact view, and a hand-edited or stale link must never crash a
page: :func:`parse_query` clamps or ignores every bad parameter and says what it did.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

CHANNELS = ("red", "green", "blue")
SPACES = ("rgb", "hsv", "lab")
VIEWS = ("noise", "distributions", "joint", "colour3d")
SOURCES = ("original", "noisy")
JOINT_BINS = (32, 64, 128, 256)

MEAN_RANGE = (-1.0, 1.0)
VARIANCE_RANGE = (0.0, 1.0)
SEED_RANGE = (0, 2**32 - 1)
BINS_RANGE = (8, 64)

#: Slider resolution: values are rounded to these many decimals so that cache keys and URLs
#: stay short and a link reproduces the same numbers.
MEAN_DECIMALS = 3
VARIANCE_DECIMALS = 4

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SELECTION = re.compile(
    r"^(?:levels:(?P<channel>red|green|blue):(?P<image>original|noisy):(?P<lo>\d{1,3})-(?P<hi>\d{1,3})"
    r"|bin:(?P<space>rgb|hsv|lab):(?P<bins>\d{1,2}):(?P<bin>\d{1,6}):(?P<bimage>original|noisy))$"
)


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
    joint_image: str = "original"
    joint_bins: int = 64
    given: tuple[int, int] | None = None
    space: str = "rgb"
    bins: int = 16
    selection: str | None = None

    def to_query(self) -> str:
        """The canonical query string (with leading ``?``) for this state."""
        params: dict[str, object] = {}
        if self.source.startswith("upload:"):
            params["upload"] = self.source.removeprefix("upload:")
        else:
            params["artwork"] = self.source
        params.update(mean=_fmt(self.mean), variance=_fmt(self.variance), seed=self.seed,
                      view=self.view, x=self.joint_x, y=self.joint_y, joint=self.joint_image,
                      jbins=self.joint_bins, space=self.space, bins=self.bins)
        if self.given is not None:
            params["given"] = f"{self.given[0]}-{self.given[1]}"
        if self.selection:
            params["sel"] = self.selection
        return "?" + urlencode(params, safe=":-")


def shortened(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters (ending in "...") for a notice."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _fmt(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _round_half_up(value: float, decimals: int) -> float:
    # floor(x + 0.5) is JavaScript's Math.round: the browser rounds the same way
    # (assets/30-explorer.js), so a typed 0.0625 gives one value on both sides.
    scale = 10**decimals
    return math.floor(float(value) * scale + 0.5) / scale + 0.0


def round_mean(value: float) -> float:
    """``value`` at slider resolution (3 decimals, halves up)."""
    return _round_half_up(value, MEAN_DECIMALS)


def round_variance(value: float) -> float:
    """``value`` at slider resolution (4 decimals, halves up)."""
    return _round_half_up(value, VARIANCE_DECIMALS)


def _number(raw: str, name: str, bounds: tuple[float, float], notices: list[str]) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        notices.append(f"Ignored {name}={raw!r}: not a number.")
        return None
    if not math.isfinite(value):
        notices.append(f"Ignored {name}={raw!r}: not a finite number.")
        return None
    lo, hi = bounds
    if value < lo or value > hi:
        clamped = min(max(value, lo), hi)
        notices.append(f"{name}={raw} is outside [{lo:g}, {hi:g}]; clamped to {clamped:g}.")
        return clamped
    return value


def _choice(raw: str, name: str, choices: tuple, notices: list[str]) -> str | None:
    value = raw.strip().lower()
    if value in choices:
        return value
    notices.append(f"Ignored {name}={raw!r}: accepted values are {', '.join(map(str, choices))}.")
    return None


def valid_selection(raw: str) -> bool:
    """Whether ``raw`` is a well-formed highlight selection (see :func:`selection_parts`)."""
    match = _SELECTION.fullmatch(raw)
    if not match:
        return False
    if match["channel"]:
        return 0 <= int(match["lo"]) <= int(match["hi"]) <= 255
    bins = int(match["bins"])
    return BINS_RANGE[0] <= bins <= BINS_RANGE[1] and int(match["bin"]) < bins**3


def selection_parts(raw: str) -> dict[str, object]:
    """Decode a selection: levels of one channel in one image, or one 3D colour bin."""
    match = _SELECTION.fullmatch(raw)
    if not match or not valid_selection(raw):
        raise ValueError(f"selection {raw!r} is not 'levels:CHANNEL:IMAGE:LO-HI' or "
                         "'bin:SPACE:BINS:INDEX:IMAGE'")
    if match["channel"]:
        return {"kind": "levels", "channel": match["channel"], "image": match["image"],
                "lo": int(match["lo"]), "hi": int(match["hi"])}
    return {"kind": "bin", "space": match["space"], "bins": int(match["bins"]),
            "bin": int(match["bin"]), "image": match["bimage"]}


def parse_query(query: Mapping[str, str], *, is_known_source: Callable[[str], bool],
                default_source: str) -> tuple[ViewState, list[str]]:
    """Read a query mapping into a :class:`ViewState`, plus notices about what was changed.

    Unknown parameters are ignored silently (links may carry tracking parameters); known ones
    with bad values are clamped or ignored with a notice. Never raises.
    """
    notices: list[str] = []
    state = ViewState(source=default_source)
    q = {str(k).lower(): str(v) for k, v in query.items() if v is not None}

    if "upload" in q:
        sha = q["upload"].strip().lower()
        if _SHA256.fullmatch(sha) and is_known_source(f"upload:{sha}"):
            state = replace(state, source=f"upload:{sha}")
        else:
            notices.append("The uploaded image in this link is not on this server (uploads are "
                           "kept for a limited time); showing the default artwork.")
    elif "artwork" in q:
        artwork = q["artwork"].strip()
        if is_known_source(artwork):
            state = replace(state, source=artwork)
        else:
            shown = shortened(artwork)
            notices.append(f"Unknown artwork {shown!r}; showing the default artwork instead.")

    if "mean" in q and (v := _number(q["mean"], "mean", MEAN_RANGE, notices)) is not None:
        state = replace(state, mean=round_mean(v))
    if "variance" in q and (
            v := _number(q["variance"], "variance", VARIANCE_RANGE, notices)) is not None:
        state = replace(state, variance=round_variance(v))
    if "seed" in q:
        v = _number(q["seed"], "seed", SEED_RANGE, notices)
        if v is not None:
            if v != int(v):
                notices.append(f"seed={q['seed']} is not a whole number; using {int(v)}.")
            state = replace(state, seed=int(v))
    for key, field, choices in (("view", "view", VIEWS), ("x", "joint_x", CHANNELS),
                                ("y", "joint_y", CHANNELS), ("joint", "joint_image", SOURCES),
                                ("space", "space", SPACES)):
        if key in q and (v := _choice(q[key], key, choices, notices)) is not None:
            state = replace(state, **{field: v})
    if state.joint_x == state.joint_y:
        other = next(c for c in CHANNELS if c != state.joint_x)
        notices.append(f"x and y were both {state.joint_x}; "
                       f"showing {state.joint_x} against {other}.")
        state = replace(state, joint_y=other)
    if "jbins" in q:
        if q["jbins"].strip() in {str(b) for b in JOINT_BINS}:
            state = replace(state, joint_bins=int(q["jbins"]))
        else:
            notices.append(f"Ignored jbins={q['jbins']!r}: accepted values are "
                           f"{', '.join(map(str, JOINT_BINS))}.")
    if "bins" in q and (v := _number(q["bins"], "bins", BINS_RANGE, notices)) is not None:
        state = replace(state, bins=int(round(v)))
    if "given" in q:
        match = re.fullmatch(r"(\d{1,3})(?:-(\d{1,3}))?", q["given"].strip())
        lo, hi = (int(match[1]), int(match[2] or match[1])) if match else (-1, -1)
        if match and 0 <= lo <= hi <= 255:
            state = replace(state, given=(lo, hi))
        else:
            notices.append(f"Ignored given={q['given']!r}: use a level or a range like 40-90 "
                           "within 0..255.")
    if "sel" in q:
        if valid_selection(q["sel"].strip()):
            state = replace(state, selection=q["sel"].strip())
        else:
            notices.append(f"Ignored sel={q['sel']!r}: not a selection this page can show.")
    return state, notices
