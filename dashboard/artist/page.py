"""The artist page at ``/artist``: Van Gogh's colour distributions across his corpus.

Its share link carries the open tab, the compared artwork, the colour space, the timeline
statistic and the colours searched for; :func:`parse_artist_query` reads a link and never
raises: bad values become notices on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from dashboard.artist.layout import artist_layout, no_corpus_layout
from dashboard.core.colours import COLOUR_SPACES
from dashboard.core.corpus_stats import MAX_SEARCH_COLOURS, hex_colour, parse_hex_colour
from dashboard.data.corpus import PERIOD_LABELS, PERIODS, Corpus
from dashboard.data.corpus_index import STAT_NAMES
from dashboard.explorer import services
from dashboard.explorer.state import shortened

VIEWS = ("corpus", "periods", "timeline", "painting", "search")
SPACES = COLOUR_SPACES
#: Chrome yellow and ultramarine: the colours of Arles.
DEFAULT_COLOURS = ("#e8b923", "#2a4b8d")
#: Shown in the colour pickers that the link leaves unused (the third: a vermilion).
PICKER_DEFAULTS = ("#e8b923", "#2a4b8d", "#c0432b")
#: Compared first when a link names no artwork.


@dataclass(frozen=True)
class ArtistState:
    """Everything the artist page's share link carries; ``colours`` are ``#rrggbb`` strings."""

    artwork: str
    view: str = "corpus"
    space: str = "rgb"
    stat: str = "mean_lightness"
    colours: tuple[str, ...] = DEFAULT_COLOURS

    def to_query(self) -> str:
        """The canonical query string (with leading ``?``)."""
        params = {"view": self.view, "artwork": self.artwork, "space": self.space,
                  "stat": self.stat, "colours": ",".join(c.lstrip("#") for c in self.colours)}
        return "?" + urlencode(params, safe=",-")


def _choice(raw: str, name: str, choices: tuple[str, ...], notices: list[str]) -> str | None:
    value = raw.strip().lower()
    if value in choices:
        return value
    notices.append(f"Ignored {name}={raw[:40]!r}: accepted values are {', '.join(choices)}.")
    return None


def parse_colours(raw: str, notices: list[str]) -> tuple[str, ...]:
    """``"e8b923,2a4b8d"`` -> ``("#e8b923", "#2a4b8d")``; bad items dropped with a notice."""
    colours: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            colour = hex_colour(parse_hex_colour(item))
        except ValueError:
            notices.append(f"Ignored the colour {item[:20]!r}: use hex colours like e8b923.")
            continue
        if colour not in colours:
            colours.append(colour)
    if len(colours) > MAX_SEARCH_COLOURS:
        notices.append(f"Only {MAX_SEARCH_COLOURS} colours can be searched at once; "
                       f"kept the first {MAX_SEARCH_COLOURS}.")
    return tuple(colours[:MAX_SEARCH_COLOURS])


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
        if key in q and (value := _choice(q[key], key, choices, notices)) is not None:
            state = replace(state, **{key: value})
    if "colours" in q:
        state = replace(state, colours=parse_colours(q["colours"], notices))
    return state, notices


def painting_ids(corpus: Corpus) -> list[str]:
    """Available paintings (no samples), in corpus order."""
    return [a.id for a in corpus.artworks(available_only=True, include_samples=False)]


def default_artwork(corpus: Corpus) -> str:
    """A well-known painting if present, else the first available one."""
    return corpus.default_painting()


def painting_options(corpus: Corpus) -> list[dict]:
    """Dropdown options grouped by period (a disabled header per period)."""
    options: list[dict] = []
    years = {p.id: p.years for p in PERIODS}
    for period, works in corpus.by_period(available_only=True, include_samples=False).items():
        options.append({"label": f"— {PERIOD_LABELS[period]} ({years[period]}) —",
                        "value": f"__period__{period}", "disabled": True, "search": period})
        for work in works:
            options.append({"label": f"{work.title}, {work.year}", "value": work.id,
                            "search": f"{work.title} {work.year} {PERIOD_LABELS[period]}"})
    return options


def layout(**query):
    """Artist layout for a query string; bad values become notices."""
    corpus = services.corpus()
    if not corpus.has_artworks():
        return no_corpus_layout()
    available = set(painting_ids(corpus))
    state, notices = parse_artist_query(query, is_painting=available.__contains__,
                                        default_artwork=default_artwork(corpus))
    return artist_layout(state, painting_options(corpus), notices,
                         n_paintings=len(available), picker_defaults=PICKER_DEFAULTS)
