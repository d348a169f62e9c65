"""The diffusion page at ``/diffusion``: built from the share link's query string."""

from __future__ import annotations

from dashboard.data.corpus import CORPUS_HELP, PERIOD_LABELS, PERIODS, SAMPLE_PERIOD, Corpus
from dashboard.diffusion import services
from dashboard.diffusion.layout import diffusion_layout
from dashboard.diffusion.state import parse_query
from dashboard.server import context


def default_source(corpus: Corpus) -> str:
    """The artwork shown when a link names none: a well-known painting, else the first sample."""
    return corpus.default_painting() or corpus.samples[0].id


def artwork_options(corpus: Corpus, extra: list[dict] | None = None) -> list[dict]:
    """The explorer's choice of images: the corpus by period (a disabled header per period),
    then the samples, with searchable text."""
    options: list[dict] = list(extra or [])
    years = {p.id: p.years for p in (*PERIODS, SAMPLE_PERIOD)}
    for period, works in corpus.by_period(available_only=True).items():
        header = PERIOD_LABELS[period] + (f" ({years[period]})" if years[period] else "")
        options.append({"label": f"— {header} —", "value": f"__period__{period}",
                        "disabled": True, "search": period})
        for work in works:
            year = f", {work.year}" if work.year else ""
            options.append({"label": f"{work.title}{year}", "value": work.id,
                            "search": f"{work.title} {work.year or ''} {PERIOD_LABELS[period]}"})
    return options


def layout(**query):
    """Diffusion layout for a query string (``?artwork=…&t=…``); bad values become notices."""
    corpus = context.corpus()
    artist_prior = services.artist_prior_offered()
    state, notices = parse_query(query, is_known_source=context.store().is_known,
                                 default_source=default_source(corpus),
                                 artist_prior=artist_prior)
    extra = []
    if state.source.startswith("upload:"):
        extra.append({"label": "Your upload", "value": state.source})
    message = None if corpus.has_artworks() else CORPUS_HELP
    return diffusion_layout(state, artwork_options(corpus, extra), notices, message,
                            artist_prior)
