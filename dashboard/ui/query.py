"""Reading share-link parameters, the same way on every page.

A link may be hand-edited, stale or hostile: a bad value is ignored or clamped, and a notice
says what happened, quoting at most a short piece of what was sent. Nothing here raises.
"""

from __future__ import annotations

import math
import re

#: Longest piece of a sent value quoted back in a notice (characters).
ECHO_LIMIT = 40

#: A plain decimal in ASCII: a sign, digits 0-9 with at most one point, an exponent. float()
#: alone would also read '1_000' and the digits of other scripts ('١٢', '１２'). Each part
#: can match a run of digits in one way only, so a long value is read in linear time.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: Spellings of the non-finite values, read so that a notice can say "not a finite number".
_NON_FINITE = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)
_ASCII_SPACE = " \t\r\n"


def shortened(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` cut to ``limit`` characters (ending in "...") for a notice."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def plain_number(value: object) -> float | None:
    """``value`` as a float if it is a JSON number (not a boolean) or the text of a plain ASCII
    decimal ("0.25", "-1", "1e-4", and "nan" or "inf", which callers refuse as not finite);
    None for anything else, such as '1_000', '١٢' or '１２'."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # an integer beyond the float range
            return math.inf if value > 0 else -math.inf
    if isinstance(value, str):
        text = value.strip(_ASCII_SPACE)
        if _DECIMAL.fullmatch(text) or _NON_FINITE.fullmatch(text):
            return float(text)
    return None


def read_choice(raw: str, name: str, choices: tuple, notices: list[str]) -> str | None:
    """``raw`` (trimmed, lower-cased) if it is one of ``choices``, else None with a notice."""
    value = raw.strip().lower()
    if value in {str(choice) for choice in choices}:
        return value
    notices.append(f"Ignored {name}={shortened(raw)!r}: accepted values are "
                   f"{', '.join(map(str, choices))}.")
    return None


def read_number(raw: str, name: str, bounds: tuple[float, float],
                notices: list[str]) -> float | None:
    """``raw`` as a finite number clamped to ``bounds`` (a notice says so), or None with a
    notice when it is not a plain ASCII decimal (:func:`plain_number`) or not finite."""
    value = plain_number(raw)
    if value is None:
        notices.append(f"Ignored {name}={shortened(raw)!r}: not a number "
                       "(write it with the digits 0-9, like 0.25).")
        return None
    if not math.isfinite(value):
        notices.append(f"Ignored {name}={shortened(raw)!r}: not a finite number.")
        return None
    lo, hi = bounds
    if value < lo or value > hi:
        clamped = min(max(value, lo), hi)
        notices.append(f"{name}={shortened(raw)} is outside [{lo:g}, {hi:g}]; "
                       f"clamped to {clamped:g}.")
        return clamped
    return value


def control_number(value: object, default: float, bounds: tuple[float, float]) -> float:
    """A control's value (a slider, an input, a callback body) as a finite number clamped to
    ``bounds``; anything unreadable gives ``default`` (the control is redrawn from it)."""
    number = plain_number(value)
    if number is None or not math.isfinite(number):
        return default
    return min(max(number, bounds[0]), bounds[1])


def round_half_up(value: float, decimals: int) -> float:
    """``value`` rounded to ``decimals`` with halves up, as JavaScript's ``Math.round`` does
    (the browser rounds slider values the same way, so both sides agree)."""
    scale = 10**decimals
    return math.floor(float(value) * scale + 0.5) / scale + 0.0


def format_number(value: float) -> str:
    """The shortest plain text of ``value`` for a link (at most 6 decimals, no "-0")."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text
