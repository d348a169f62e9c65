"""The artist page at ``/artist``: Van Gogh's colour distributions across his corpus.

The layout is built from the share link's :class:`~dashboard.artist.state.ArtistState`.
"""

from __future__ import annotations

from dataclasses import replace

from dashboard.artist import services as artist_services
from dashboard.artist.layout import artist_layout, no_corpus_layout
from dashboard.artist.state import PICKER_DEFAULTS, VAN_GOGH, ArtistState, parse_artist_query
from dashboard.data.corpus import PERIOD_LABELS, PERIODS, PREFERRED_PAINTINGS, Corpus
from dashboard.server import context
from dashboard.ui.query import shortened


def painting_ids(corpus: Corpus) -> list[str]:
    """Paintings shown (no samples), in corpus order: those whose image is present, or,
    with no image at all, those of the shipped snapshot of colour statistics."""
    if corpus.has_artworks():
        return [a.id for a in corpus.artworks(available_only=True, include_samples=False)]
    data = artist_services.paintings()
    return list(data.index.ids) if data is not None else []


def default_artwork(corpus: Corpus) -> str:
    """A well-known painting if shown, else the first one."""
    if corpus.has_artworks():
        return corpus.default_painting()
    shown = painting_ids(corpus)
    return next((p for p in PREFERRED_PAINTINGS if p in shown), shown[0] if shown else "")


def painting_options(corpus: Corpus) -> list[dict]:
    """Dropdown options grouped by period (a disabled header per period)."""
    options: list[dict] = []
    years = {p.id: p.years for p in PERIODS}
    shown = set(painting_ids(corpus))
    for period, works in corpus.by_period(include_samples=False).items():
        works = [w for w in works if w.id in shown]
        if not works:
            continue
        options.append({"label": f"— {PERIOD_LABELS[period]} ({years[period]}) —",
                        "value": f"__period__{period}", "disabled": True, "search": period})
        for work in works:
            options.append({"label": f"{work.title}, {work.year}", "value": work.id,
                            "search": f"{work.title} {work.year} {PERIOD_LABELS[period]}"})
    return options


def layout(**query):
    """Artist layout for a query string; bad values become notices."""
    corpus = context.corpus()
    available = set(painting_ids(corpus))
    if not available:
        return no_corpus_layout()
    state, notices = parse_artist_query(query, is_painting=available.__contains__,
                                        default_artwork=default_artwork(corpus))
    collections = artist_services.collection_options(len(available))
    state = known_collections(state, {option["value"] for option in collections}, notices)
    return artist_layout(state, painting_options(corpus), notices,
                         n_paintings=len(available), picker_defaults=PICKER_DEFAULTS,
                         images=corpus.has_artworks(), collections=collections)


def known_collections(state: ArtistState, known: set[str], notices: list[str]) -> ArtistState:
    """``state`` with a collection of the link that is not registered here replaced by the
    default (Van Gogh on the left; on the right the first other collection, or Van Gogh),
    with a notice (appended to ``notices``)."""
    for side, default, instead in (("left", VAN_GOGH, "Van Gogh"),
                                   ("right", "", "the default collection")):
        name = getattr(state, side)
        if name and name not in known:
            notices.append(f"There is no collection {shortened(name)!r} here; showing "
                           f"{instead} instead.")
            state = replace(state, **{side: default})
    return state
