"""The whole view state of the artist page, to and from its share link and its controls.

The link carries the open tab, the compared artwork, the colour space, the timeline statistic
and the colours searched for; :func:`parse_artist_query` reads a link and never raises: bad
values become notices on the page. Control values go through
:meth:`ArtistState.from_controls`, the one place they are cleaned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from dashboard.core.corpus_stats import MAX_SEARCH_COLOURS, hex_colour, parse_hex_colour
from dashboard.core.vocabulary import SPACES
from dashboard.data.corpus_index import STAT_NAMES
from dashboard.ui.query import read_choice, shortened

VIEWS = ("corpus", "periods", "timeline", "painting", "search", "compare")
#: The collection compared by default: the built-in Van Gogh corpus.
VAN_GOGH = "van-gogh"
#: A collection name as links carry it (the slugs of ``data collection add``).
_COLLECTION_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
#: Chrome yellow and ultramarine: the colours of Arles.
DEFAULT_COLOURS = ("#e8b923", "#2a4b8d")
#: Shown in the colour pickers that the link leaves unused (the third: a vermilion).
PICKER_DEFAULTS = ("#e8b923", "#2a4b8d", "#c0432b")
#: Characters of a link's ``colours`` value read at most: three colours take 23
#: ("#rrggbb,#rrggbb,#rrggbb"), so a longer value is cut before any work is done on it.
MAX_COLOURS_TEXT = 200
#: Characters of a picker's value read at most ("#rrggbb" with some spaces around it).
MAX_PICKER_TEXT = 16


@dataclass(frozen=True)
class ArtistState:
    """Everything the artist page's share link carries; ``colours`` are ``#rrggbb`` strings."""

    artwork: str
    view: str = "corpus"
    space: str = "rgb"
    stat: str = "mean_lightness"
    colours: tuple[str, ...] = DEFAULT_COLOURS
    #: The two collections of the comparison view ("" on the right: the first of yours).
    left: str = VAN_GOGH
    right: str = ""

    @classmethod
    def from_controls(cls, view: object, artwork: object, space: object, stat: object,
                      pickers: list | tuple = (), switches: list | tuple = (),
                      left: object = None, right: object = None) -> ArtistState:
        """The state the controls show: choices checked (anything else takes the default),
        and the switched-on, readable picker colours as ``#rrggbb`` without repeats."""
        default = cls(artwork="")
        colours: list[str] = []
        pairs = zip(pickers if isinstance(pickers, list | tuple) else (),
                    switches if isinstance(switches, list | tuple) else (), strict=False)
        for value, used in pairs:
            if used is not True or not isinstance(value, str) or len(value) > MAX_PICKER_TEXT:
                continue
            try:
                colour = hex_colour(parse_hex_colour(value))
            except ValueError:
                continue
            if colour not in colours:
                colours.append(colour)
        return cls(
            artwork=artwork if isinstance(artwork, str) else "",
            view=view if view in VIEWS else default.view,
            space=space if space in SPACES else default.space,
            stat=stat if stat in STAT_NAMES else default.stat,
            colours=tuple(colours[:MAX_SEARCH_COLOURS]),
            left=collection_name(left) or default.left,
            right=collection_name(right) or "",
        )

    def to_query(self) -> str:
        """The canonical query string (with leading ``?``)."""
        params = {"view": self.view, "artwork": self.artwork, "space": self.space,
                  "stat": self.stat, "colours": ",".join(c.lstrip("#") for c in self.colours)}
        if self.left != VAN_GOGH or self.right:
            params.update(left=self.left, right=self.right)
        return "?" + urlencode(params, safe=",-")


def collection_name(value: object) -> str:
    """``value`` if it reads as a collection name, else ``""``."""
    if isinstance(value, str) and len(value) <= 40 and _COLLECTION_NAME.fullmatch(value):
        return value
    return ""


def parse_colours(raw: str, notices: list[str]) -> tuple[str, ...]:
    """``"e8b923,2a4b8d"`` -> ``("#e8b923", "#2a4b8d")``: at most ``MAX_SEARCH_COLOURS``
    distinct colours, read from the first ``MAX_COLOURS_TEXT`` characters. Anything dropped
    (unreadable items, repeats past the limit, the rest of an over-long value) is said in one
    notice. Time and notice length do not grow with the length of ``raw``."""
    colours: list[str] = []
    unreadable: list[str] = []
    extra = 0
    text = raw[:MAX_COLOURS_TEXT]
    if len(raw) > MAX_COLOURS_TEXT and "," in text:
        text = text.rpartition(",")[0]  # the last item was cut
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            colour = hex_colour(parse_hex_colour(item))
        except ValueError:
            unreadable.append(item)
            continue
        if colour in colours:  # at most MAX_SEARCH_COLOURS to look through
            continue
        if len(colours) == MAX_SEARCH_COLOURS:
            extra += 1
        else:
            colours.append(colour)
    problems: list[str] = []
    if len(raw) > MAX_COLOURS_TEXT:
        problems.append(f"read only the first {MAX_COLOURS_TEXT} of its {len(raw):,} "
                        "characters")
    if unreadable:
        others = f" and {len(unreadable) - 1} more" if len(unreadable) > 1 else ""
        problems.append(f"ignored {shortened(unreadable[0], 20)!r}{others}: use hex colours "
                        "like e8b923")
    if extra:
        problems.append(f"only {MAX_SEARCH_COLOURS} colours can be searched at once, so "
                        f"kept the first {MAX_SEARCH_COLOURS}")
    if problems:
        notices.append("The colours in this link: " + "; ".join(problems) + ".")
    return tuple(colours)


def parse_artist_query(query: Mapping[str, str], *, is_painting: Callable[[str], bool],
                       default_artwork: str) -> tuple[ArtistState, list[str]]:
    """Read a query mapping into an :class:`ArtistState` and notices saying what was changed.

    Unknown parameters are ignored (links may carry tracking parameters). Never raises.
    """
    notices: list[str] = []
    state = ArtistState(artwork=default_artwork)
    q = {str(k).lower(): str(v) for k, v in query.items() if v is not None}
    if "artwork" in q:
        artwork = q["artwork"].strip()
        if is_painting(artwork):
            state = replace(state, artwork=artwork)
        else:
            shown = shortened(artwork)
            notices.append(f"Unknown or unavailable painting {shown!r}; comparing "
                           f"{default_artwork!r} instead.")
    for key, choices in (("view", VIEWS), ("space", SPACES), ("stat", STAT_NAMES)):
        if key in q and (value := read_choice(q[key], key, choices, notices)) is not None:
            state = replace(state, **{key: value})
    if "colours" in q:
        state = replace(state, colours=parse_colours(q["colours"], notices))
    for side in ("left", "right"):
        if q.get(side):
            name = collection_name(q[side].strip())
            if name:
                state = replace(state, **{side: name})
            else:
                notices.append(f"Ignored the {side} collection {shortened(q[side])!r}: not a "
                               "collection name.")
    return state, notices
