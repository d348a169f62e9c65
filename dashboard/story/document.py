"""A story as one HTML document: the shared story page, its presentation, and the offline report.

The same markup serves three uses. ``/story/<id>`` shows every slide one after the other,
``/story/<id>/present`` shows one slide at a time, full screen (``document.js`` handles the
keys), and the offline report is the same document with plotly.js, the script, the styles and
every picture inlined, so that it opens with no network at all. Every text from a person (the
story's and the views' titles and notes) and from a link is escaped: it is shown as text.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.story.services import Slide
from dashboard.story.state import StoryView

STATIC = Path(__file__).with_name("static")
#: The plotly.js bundle of the installed plotly package (the one its figures are made for).
PLOTLY_JS = Path(pio.__file__).resolve().parent.parent / "package_data" / "plotly.min.js"
#: A figure's trace with more points than this has no table (a heatmap, a 3D cloud).
MAX_TABLE_ROWS = 300
#: Columns of a figure's table besides x (the first traces sharing the x values).
MAX_TABLE_COLUMNS = 12
#: plotly.js options of every figure: interactive, no logo, nothing fetched.
PLOT_CONFIG = {"displaylogo": False, "responsive": True, "showTips": False,
               "toImageButtonOptions": {"format": "png", "scale": 2}}


@cache
def static_text(name: str) -> str:
    """The text of ``static/<name>`` (the document's stylesheet and script)."""
    return (STATIC / name).read_text(encoding="utf-8")


@cache
def plotly_js() -> str:
    """plotly.js's minified source, for inlining once in an offline report."""
    return PLOTLY_JS.read_text(encoding="utf-8")


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element: "<" never appears raw (no "</script>")."""
    return value.replace("<", "\\u003c") if isinstance(value, str) else _script_json(
        json.dumps(value, separators=(",", ":")))


def _numbers(values: object) -> np.ndarray | None:
    """A trace's x or y as a 1-D float array (plain lists, numpy arrays or plotly.js typed
    arrays), or None if it is something else (text categories, 2-D data)."""
    if values is None:
        return None
    if isinstance(values, dict) and "bdata" in values:
        try:
            array = np.frombuffer(base64.b64decode(values["bdata"]),
                                  dtype=np.dtype(values.get("dtype", "f8")).newbyteorder("<"))
        except (TypeError, ValueError):
            return None
        return array.astype(float) if "shape" not in values else None
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return None
    return array if array.ndim == 1 else None


def _cell(value: float) -> str:
    return "" if not math.isfinite(value) else f"{value:.6g}"


def figure_table(figure: go.Figure) -> tuple[list[str], list[list[str]]] | None:
    """The numbers behind a 2-D figure: x, then the y of each trace drawn over the same x
    (header, rows); None when the figure has no such traces or too many points."""
    columns: list[tuple[str, np.ndarray]] = []
    x_values: np.ndarray | None = None
    for index, trace in enumerate(figure.data):
        if trace.type not in {"scatter", "bar", "scattergl"}:
            continue
        x, y = _numbers(getattr(trace, "x", None)), _numbers(getattr(trace, "y", None))
        if x is None or y is None or len(x) != len(y) or not 1 < len(x) <= MAX_TABLE_ROWS:
            continue
        if x_values is None:
            x_values = x
        elif len(x) != len(x_values) or not np.allclose(x, x_values, equal_nan=True):
            continue
        columns.append((trace.name or f"trace {index + 1}", y))
        if len(columns) == MAX_TABLE_COLUMNS:
            break
    if x_values is None or not columns:
        return None
    x_title = figure.layout.xaxis.title.text if figure.layout.xaxis.title else None
    header = [x_title or "x", *(name for name, _ in columns)]
    rows = [[_cell(x), *(_cell(values[i]) for _, values in columns)]
            for i, x in enumerate(x_values)]
    return header, rows


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], caption: str) -> str:
    head = "".join(f'<th scope="col">{_escape(cell)}</th>' for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{_escape(cell)}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return (f'<table><caption>{_escape(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _slide_open(number: int, count: int, title: str, story_title: str, src: str = "") -> str:
    source = f' data-src="{_escape(src)}"' if src else ""
    return (f'<section class="slide" id="slide-{number}" data-slide="{number}"{source} '
            f'aria-label="Slide {number} of {count}: {_escape(title)}" tabindex="-1">')


def slide_content(number: int, count: int, slide: Slide, href: str, story_title: str,
                  figures: list[str]) -> str:
    """The inside of a slide's section: heading, caption, pictures, figure places (their
    plotly JSON appended to ``figures``, numbered from its length), texts, note, numbers and
    link. Every text is escaped."""
    parts = [f'<p class="slide-kicker">{_escape(story_title)} · slide {number} of {count}</p>',
             f"<h2>{_escape(slide.title)}</h2>"]
    snapshot = slide.snapshot
    if snapshot is None:
        parts.append(f'<p class="problem" role="status">{_escape(slide.problem or "")}</p>')
    else:
        parts.append(f'<p class="caption">{_escape(snapshot.caption)}</p>')
        if snapshot.pictures:
            parts.append('<div class="pictures">')
            for label, data in snapshot.pictures:
                uri = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
                parts.append(f'<figure><img src="{uri}" alt="{_escape(label)}">'
                             f"<figcaption>{_escape(label)}</figcaption></figure>")
            parts.append("</div>")
        if snapshot.figures:
            parts.append(f'<div class="plots plots-{min(len(snapshot.figures), 4)}">')
            for label, figure in snapshot.figures:
                index = len(figures)
                figures.append(pio.to_json(figure, validate=False))
                parts.append(f'<div class="plot" data-figure="{index}" role="figure" '
                             f'aria-label="{_escape(label)}"></div>')
            parts.append("</div>")
        if snapshot.texts:
            parts.append('<div class="texts">' + "".join(
                f"<p>{_escape(text)}</p>" for text in snapshot.texts) + "</div>")
    if slide.view.note:
        parts.append('<aside class="note" aria-label="Note">' + "".join(
            f"<p>{_escape(line)}</p>" for line in slide.view.note.split("\n") if line.strip())
            + "</aside>")
    if snapshot is not None:
        tables = [_table(("parameter", "value"), snapshot.parameters,
                         "The view's settings (from its share link)")]
        for label, figure in snapshot.figures:
            table = figure_table(figure)
            if table is not None:
                tables.append(_table(*table, label))
        if snapshot.notices:
            tables.append("<ul>" + "".join(f"<li>{_escape(n)}</li>" for n in snapshot.notices)
                          + "</ul>")
        parts.append('<details class="numbers"><summary>The numbers behind this slide'
                     "</summary>" + "".join(tables) + "</details>")
    parts.append(f'<p class="open-link"><a href="{_escape(href)}">Open this view as the '
                 f"interactive page</a> <span class=\"url\">{_escape(href)}</span></p>")
    return "".join(parts)


def _slide_html(number: int, count: int, slide: Slide, href: str, story_title: str,
                figures: list[str]) -> str:
    return (_slide_open(number, count, slide.title, story_title)
            + slide_content(number, count, slide, href, story_title, figures) + "</section>")


def _pending_slide_html(number: int, count: int, view: StoryView, href: str,
                        story_title: str, src: str) -> str:
    """A slide drawn later by the browser from ``src`` (``slide_json``): its title, its link,
    and a line saying it is being drawn."""
    title = view.title or f"View {number}"
    return (_slide_open(number, count, title, story_title, src)
            + f'<p class="slide-kicker">{_escape(story_title)} · slide {number} of {count}</p>'
            f"<h2>{_escape(title)}</h2>"
            '<p class="pending" role="status">Drawing this slide\u2026</p>'
            f'<p class="open-link"><a href="{_escape(href)}">Open this view as the interactive '
            "page</a></p></section>")


def slide_json(number: int, count: int, slide: Slide, href: str, story_title: str) -> str:
    """One slide for a story page drawing its slides one by one: ``{"html": the section's
    inside, "figures": [plotly JSON, numbered from 0 in the html]}``."""
    figures: list[str] = []
    html_text = slide_content(number, count, slide, href, story_title, figures)
    return '{"html":' + json.dumps(html_text) + ',"figures":[' + ",".join(figures) + "]}"


def story_document(title: str, slides: Sequence[Slide | StoryView], hrefs: Sequence[str], *,
                   offline: bool, present: bool = False,
                   actions: Sequence[tuple[str, str]] = (), generated: datetime | None = None,
                   plotly_src: str = "/story/plotly.min.js", slide_src: str = "") -> str:
    """The HTML document of a story.

    ``slides``: drawn slides, or views (``StoryView``) that the browser draws one by one from
    ``slide_src.format(number=n)`` (a live page: the first slide shows at once, and no
    request draws the whole story). ``hrefs``: each slide's share link as the reader should
    follow it (absolute in a file). ``offline``: inline plotly.js and everything else (a file
    that needs no network), else plotly.js is loaded from ``plotly_src``. ``present``: open in
    presentation mode. ``actions``: links ``(label, href)`` in the header.
    """
    if len(hrefs) != len(slides):
        raise ValueError(f"hrefs has {len(hrefs)} links for {len(slides)} slides")
    generated = generated or datetime.now(UTC)
    figures: list[str] = []
    count = len(slides)
    body = "".join(
        _slide_html(i, count, slide, href, title, figures) if isinstance(slide, Slide)
        else _pending_slide_html(i, count, slide, href, title, slide_src.format(number=i))
        for i, (slide, href) in enumerate(zip(slides, hrefs, strict=True), 1))
    action_links = "".join(f'<a class="action" href="{_escape(href)}">{_escape(label)}</a>'
                           for label, href in actions)
    plotly = (f"<script>{plotly_js()}</script>" if offline
              else f'<script src="{_escape(plotly_src)}"></script>')
    figures_json = "[" + ",".join(_script_json(f) for f in figures) + "]"
    mode = "present" if present else "document"
    when = "shown" if slide_src else "drawn"
    offline_note = " This file works offline." if offline else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_escape(title)}</title>
<style>{static_text("document.css")}</style>
</head>
<body class="story-doc" data-mode="{mode}">
<a class="skip" href="#slides">Skip to the slides</a>
<header class="story-head">
<h1>{_escape(title)}</h1>
<p class="meta">{count} view{"s" if count != 1 else ""} from Noise &amp; Colour, \
{when} {generated:%Y-%m-%d %H:%M} UTC.{offline_note}</p>
<nav class="actions" aria-label="Story">{action_links}\
<button type="button" class="action" data-action="present">Present (P)</button></nav>
<p class="keys">Presenting: → / Page Down next, ← / Page Up back, Home / End, F full screen, \
N notes, W presenter window, Esc leaves.</p>
</header>
<main id="slides">{body}</main>
<div class="counter" aria-live="polite" aria-atomic="true"></div>
<script type="application/json" id="story-figures">{figures_json}</script>
<script type="application/json" id="story-config">{_script_json(PLOT_CONFIG)}</script>
{plotly}
<script>{static_text("document.js")}</script>
</body>
</html>
"""
