"""The images a page can show, shared by the pages that show one: the artwork selector's
choices, the default, and reading ``artwork``/``upload`` from a share link."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from dashboard.data.corpus import PERIOD_LABELS, PERIODS, SAMPLE_PERIOD, Corpus
from dashboard.ui.query import shortened

_SHA256 = re.compile(r"[0-9a-f]{64}")


def default_source(corpus: Corpus) -> str:
    """The artwork shown when a link names none: a well-known painting, else the first sample."""
    return corpus.default_painting() or corpus.samples[0].id


def artwork_options(corpus: Corpus, source: str | None = None) -> list[dict]:
    """The selector's choices: the corpus by period (a disabled header per period), then the
    samples, with searchable text; first an entry for ``source`` if it is an upload."""
    options: list[dict] = []
    if source and source.startswith("upload:"):
        options.append({"label": "Your upload", "value": source})
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


def read_source(q: Mapping[str, str], is_known_source: Callable[[str], bool],
                notices: list[str]) -> str | None:
    """The image a link names (``upload`` first, then ``artwork``) if this server has it;
    None, with a notice when one was named, otherwise."""
    if "upload" in q:
        sha = q["upload"].strip().lower()
        if _SHA256.fullmatch(sha) and is_known_source(f"upload:{sha}"):
            return f"upload:{sha}"
        notices.append("The uploaded image in this link is not on this server (uploads are "
                       "kept for a limited time); showing the default artwork.")
    elif "artwork" in q:
        artwork = q["artwork"].strip()
        if is_known_source(artwork):
            return artwork
        notices.append(f"Unknown artwork {shortened(artwork)!r}; "
                       "showing the default artwork instead.")
    return None
