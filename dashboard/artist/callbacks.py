"""Artist page callbacks: controls -> cached artist services -> figure and layout builders.

Each ``*_outputs`` function holds the logic and is called directly by tests; the decorated
wrappers only read Dash's callback context and delegate. One callback serves every tab: a
hidden tab computes nothing, a tab already showing what its inputs ask for (its drawn-key
store) is not sent again, and nothing touches the corpus index before a tab needs it.
"""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, no_update

from dashboard.artist import ids
from dashboard.artist import services as artist_services
from dashboard.artist.layout import (
    STAT_HELP,
    compare_palettes,
    compare_summary,
    corpus_summary,
    message,
    painting_summary,
    palette_rows,
    period_table,
    search_results,
    typical_lists,
)
from dashboard.artist.state import ArtistState, collection_name
from dashboard.data.corpus import CORPUS_HELP
from dashboard.data.corpus_index import STAT_NAMES
from dashboard.figures.artist import (
    corpus_3d_figure,
    painting_comparison_figure,
    period_distributions_figure,
    pooled_cdf_figure,
    pooled_pmf_figure,
    timeline_figure,
)
from dashboard.figures.collections import comparison_figure, years_figure
from dashboard.figures.theme import empty_figure
from dashboard.ui.registry import CallbackRegistry

registry = CallbackRegistry()

NO_PAINTINGS = "No painting could be indexed. " + CORPUS_HELP


# ------------------------------------------------------------------------------ helpers

def drawn_key(section: str, *inputs) -> str:
    """What a section shows for ``inputs`` with the current index: equal keys, equal outputs."""
    data = artist_services.paintings()
    return "|".join([section, data.fingerprint if data else "no-index", *map(str, inputs)])


def _no_paintings(figures: int, blocks: int) -> tuple:
    return (*(empty_figure(NO_PAINTINGS) for _ in range(figures)),
            *(message(NO_PAINTINGS) for _ in range(blocks)))


# ------------------------------------------------------------------------------ the corpus

def corpus_outputs(state: ArtistState, drawn: str | None = None) -> tuple:
    """Pooled PMF and CDF figures, the artist's palette, the summary line, and the drawn key.

    Everything is ``no_update`` while the tab is hidden or already shows these outputs.
    """
    if state.view != "corpus":
        return (no_update,) * 5
    key = drawn_key("corpus")
    if key == drawn:
        return (no_update,) * 5
    if artist_services.paintings() is None:
        return (*_no_paintings(2, 2), key)
    view = artist_services.corpus_view()
    return (
        pooled_pmf_figure(view["pmf"], view["band"], n_paintings=view["n"]),
        pooled_cdf_figure(view["cdf"], n_paintings=view["n"]),
        palette_rows([("Van Gogh", view["palette_colours"], view["palette_shares"])]),
        corpus_summary(view),
        key,
    )



def corpus_3d_outputs(state: ArtistState, drawn: str | None = None) -> tuple:
    """The pooled 3D colour distribution in the state's colour space, and the drawn key."""
    if state.view != "corpus":
        return no_update, no_update
    space = state.space
    key = drawn_key("corpus3d", space)
    if key == drawn:
        return no_update, no_update
    data = artist_services.paintings()
    if data is None:
        return _no_paintings(1, 0)[0], key
    view = artist_services.corpus_colour_3d(space)
    return corpus_3d_figure(view, space=space, n_paintings=len(data)), key



# -------------------------------------------------------------------------------- periods

def period_outputs(state: ArtistState, drawn: str | None = None) -> tuple:
    """Period small multiples, period palettes, the statistics table and the drawn key."""
    if state.view != "periods":
        return (no_update,) * 4
    key = drawn_key("periods")
    if key == drawn:
        return (no_update,) * 4
    if artist_services.paintings() is None:
        return (*_no_paintings(1, 2), key)
    view = artist_services.period_view()
    rows = [(f"{label} ({count})", colours, shares) for label, count, colours, shares in zip(
        view["labels"], view["counts"], view["palette_colours"], view["palette_shares"],
        strict=True)]
    return period_distributions_figure(view), palette_rows(rows), period_table(view), key



def timeline_outputs(state: ArtistState, drawn: str | None = None) -> tuple:
    """The timeline of one statistic (the compared painting ringed), the statistic's help and
    the drawn key."""
    stat, artwork = state.stat, state.artwork
    if state.view != "timeline":
        return no_update, STAT_HELP[stat], no_update
    key = drawn_key("timeline", stat, artwork)
    if key == drawn:
        return no_update, STAT_HELP[stat], no_update
    if artist_services.paintings() is None:
        return _no_paintings(1, 0)[0], STAT_HELP[stat], key
    view = artist_services.timeline_view(stat)
    return timeline_figure(view, stat=stat, selected=artwork), STAT_HELP[stat], key



# --------------------------------------------------------------------------- one painting

def painting_outputs(state: ArtistState, drawn: str | None = None) -> tuple:
    """Comparison figure, distances in words, the three palettes and the drawn key."""
    if state.view != "painting":
        return (no_update,) * 4
    artwork, space = state.artwork, state.space
    key = drawn_key("painting", artwork, space)
    if key == drawn:
        return (no_update,) * 4
    if artist_services.paintings() is None:
        return (*_no_paintings(1, 2), key)
    view = artist_services.painting_view(artwork, space) if artwork else None
    if view is None:
        text = "Choose a painting to compare it with the rest of the corpus."
        return empty_figure(text), message(text), None, key
    rows = [("This painting", view["palette_colours"], view["palette_shares"])]
    labels = {"period": f"Other {view['period_label']}", "corpus": "All others"}
    rows += [(labels[k], *view["palettes"][k]) for k in ("period", "corpus")
             if k in view["palettes"]]
    return (painting_comparison_figure(view),
            painting_summary(view, space, view["typicality_rank"]), palette_rows(rows), key)



def typical_outputs(state: ArtistState, drawn: str | None = None) -> tuple:
    """Most and least typical paintings of every period (the compared one outlined), and the
    drawn key."""
    if state.view != "painting":
        return no_update, no_update
    space, artwork = state.space, state.artwork or None
    key = drawn_key("typical", space, artwork)
    if key == drawn:
        return no_update, no_update
    if artist_services.paintings() is None:
        return _no_paintings(0, 1)[0], key
    return typical_lists(artist_services.typical_view(space), artwork), key



def compare_outputs(triggered: list[dict], triggered_id) -> tuple:
    """Compare the painting of a clicked card: select it and show the comparison tab.

    Cards appearing (n_clicks 0) also fire the callback; only a real click counts.
    """
    clicked = any(item.get("value") for item in triggered or [])
    artwork = triggered_id.get("index") if isinstance(triggered_id, dict) else None
    if not clicked or not isinstance(artwork, str) or not artist_services.is_indexed(artwork):
        return no_update, no_update
    return artwork, "painting"


@registry.callback(
    Output(ids.ARTWORK_SELECT, "value"), Output(ids.TABS, "active_tab"),
    Input({"type": ids.COMPARE_BUTTON, "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def compare_painting(_n_clicks):
    return compare_outputs(ctx.triggered, ctx.triggered_id)


# ----------------------------------------------------------------------------- by colour

def search_outputs(state: ArtistState, drawn: str | None = None):
    """Cards of the paintings whose palettes hold the switched-on colours most closely, and
    the drawn key."""
    if state.view != "search":
        return no_update, no_update
    picked = state.colours
    space = artist_services.search_distance_space(state.space)
    key = drawn_key("search", space, *picked)
    if key == drawn:
        return no_update, no_update
    if artist_services.paintings() is None:
        return _no_paintings(0, 1)[0], key
    results = artist_services.search_view(picked, state.space) if picked else []
    return search_results(results, len(picked)), key



# ---------------------------------------------------------------------------- collections

def collections_outputs(state: ArtistState, drawn: dict | None = None) -> tuple:
    """Two collections side by side: figure, summary in words, palettes and what is drawn
    (``{"key", "left", "right"}``, for the year figure).

    A figure and palettes already showing these two collections (``drawn``) are not sent
    again: a colour space change redraws only the summary's divergence.
    """
    if state.view != "compare":
        return (no_update,) * 4
    choices = [artist_services.VAN_GOGH, *artist_services.registered_collections()]
    right = state.right or next((c for c in choices if c != state.left), state.left)
    view = artist_services.compare_view(state.left, right, state.space)
    if view is None:
        text = ("Choose two collections: register yours with `python -m dashboard data "
                "collection add NAME DIR`.")
        # The year figure follows (it says the same), rather than keep an older pair.
        return (empty_figure(text.replace("`", "")), message(text), None,
                {"key": None, "left": state.left, "right": right})
    key = artist_services.compare_key(state.left, right)
    if isinstance(drawn, dict) and drawn.get("key") == key:
        return no_update, compare_summary(view), no_update, no_update
    return (comparison_figure(view), compare_summary(view), compare_palettes(view["palettes"]),
            {"key": key, "left": state.left, "right": right})


@registry.callback(
    Output(ids.COMPARE_GRAPH, "figure"), Output(ids.COMPARE_SUMMARY, "children"),
    Output(ids.COMPARE_PALETTES, "children"), Output(ids.COMPARE_DRAWN, "data"),
    Input(ids.TABS, "active_tab"), Input(ids.SPACE, "value"),
    Input(ids.COMPARE_LEFT, "value"), Input(ids.COMPARE_RIGHT, "value"),
    State(ids.COMPARE_DRAWN, "data"),
)
def update_comparison(active_tab, space, left, right, drawn):
    return collections_outputs(ArtistState.from_controls(active_tab, "", space, None,
                                                         left=left, right=right), drawn)


def years_outputs(drawn: dict | None, stat: object):
    """The year-by-year figure of the two collections the view draws (``drawn``), for the
    statistic ``stat`` (mean lightness when it is not one)."""
    if not isinstance(drawn, dict):
        return no_update
    stat = ArtistState.from_controls("compare", "", None, stat).stat
    left, right = collection_name(drawn.get("left")), collection_name(drawn.get("right"))
    view = artist_services.compare_years(left, right) if left and right else None
    if view is None:
        return empty_figure("Choose two collections.")
    return years_figure(view, stat, STAT_NAMES)


# Drawn once the comparison is answered (its store is written), so it never delays it.
@registry.callback(
    Output(ids.COMPARE_YEARS_GRAPH, "figure"),
    Input(ids.COMPARE_DRAWN, "data"), Input(ids.COMPARE_YEAR_STAT, "value"),
)
def update_years(drawn, stat):
    return years_outputs(drawn, stat)


# ------------------------------------------------------------------------- the visible tab

#: Outputs of each section, in the order of :func:`update_view`'s outputs; each section ends
#: with its drawn-key store.
SECTION_OUTPUTS = {
    "corpus": (Output(ids.CORPUS_PMF_GRAPH, "figure"), Output(ids.CORPUS_CDF_GRAPH, "figure"),
               Output(ids.CORPUS_PALETTE, "children"), Output(ids.CORPUS_SUMMARY, "children")),
    "corpus3d": (Output(ids.CORPUS_3D_GRAPH, "figure"),),
    "periods": (Output(ids.PERIODS_GRAPH, "figure"), Output(ids.PERIOD_PALETTES, "children"),
                Output(ids.PERIOD_TABLE, "children")),
    "timeline": (Output(ids.TIMELINE_GRAPH, "figure"), Output(ids.TIMELINE_HELP, "children")),
    "painting": (Output(ids.PAINTING_GRAPH, "figure"), Output(ids.PAINTING_SUMMARY, "children"),
                 Output(ids.PAINTING_PALETTES, "children")),
    "typical": (Output(ids.TYPICAL_LISTS, "children"),),
    "search": (Output(ids.SEARCH_RESULTS, "children"),),
}


def view_outputs(state: ArtistState, drawn: dict) -> tuple:
    """Every section's outputs in SECTION_OUTPUTS order; only the visible tab computes, and
    only what it does not show already (``drawn``: section -> drawn key)."""
    return (
        *corpus_outputs(state, drawn.get("corpus")),
        *corpus_3d_outputs(state, drawn.get("corpus3d")),
        *period_outputs(state, drawn.get("periods")),
        *timeline_outputs(state, drawn.get("timeline")),
        *painting_outputs(state, drawn.get("painting")),
        *typical_outputs(state, drawn.get("typical")),
        *search_outputs(state, drawn.get("search")),
    )


# One request per control change instead of one per section: hidden tabs answer no_update.
@registry.callback(
    [output for section, outputs in SECTION_OUTPUTS.items()
     for output in (*outputs, Output(ids.DRAWN_STORES[section], "data"))],
    Input(ids.TABS, "active_tab"), Input(ids.SPACE, "value"), Input(ids.TIMELINE_STAT, "value"),
    Input(ids.ARTWORK_SELECT, "value"),
    *(Input(picker, "value") for picker in ids.COLOUR_PICKERS),
    *(Input(switch, "value") for switch in ids.COLOUR_SWITCHES),
    *(State(ids.DRAWN_STORES[section], "data") for section in SECTION_OUTPUTS),
)
def update_view(active_tab, space, stat, artwork, *values):
    n = len(ids.COLOUR_PICKERS)
    drawn = dict(zip(SECTION_OUTPUTS, values[2 * n:], strict=True))
    state = ArtistState.from_controls(active_tab, artwork, space, stat, values[:n],
                                      values[n:2 * n])
    return view_outputs(state, drawn)


# ------------------------------------------------------------------------------------ URL

def query_outputs(view, artwork, space, stat, colours: list, switches: list,
                  left=None, right=None, year_stat=None) -> str:
    """The canonical query string of the current controls; ``stat`` is the timeline's
    statistic, or on the Collections view the year figure's (``year_stat``)."""
    shown_stat = year_stat if view == "compare" else stat
    return ArtistState.from_controls(view, artwork, space, shown_stat, colours, switches,
                                     left=left, right=right).to_query()


@registry.callback(
    Output(ids.URL_QUERY_STORE, "data"),
    Input(ids.TABS, "active_tab"), Input(ids.ARTWORK_SELECT, "value"),
    Input(ids.SPACE, "value"), Input(ids.TIMELINE_STAT, "value"),
    *(Input(picker, "value") for picker in ids.COLOUR_PICKERS),
    *(Input(switch, "value") for switch in ids.COLOUR_SWITCHES),
    Input(ids.COMPARE_LEFT, "value"), Input(ids.COMPARE_RIGHT, "value"),
    Input(ids.COMPARE_YEAR_STAT, "value"),
)
def update_query(view, artwork, space, stat, *values):
    n = len(ids.COLOUR_PICKERS)
    left, right, year_stat = values[2 * n:]
    return query_outputs(view, artwork, space, stat, list(values[:n]), list(values[n:2 * n]),
                         left=left, right=right, year_stat=year_stat)


registry.share_link(ids.URL_QUERY_STORE, ids.URL_SYNC_SINK, ids.SHARE_CLIPBOARD)

# A click on a painting's point in the timeline opens it in the explorer (which needs the
# image: without the images, the click stays on this page).
registry.clientside_callback(
    """
    function(click, images) {
        const point = click && click.points && click.points[0];
        const id = point && Array.isArray(point.customdata) ? point.customdata[0] : null;
        if (typeof id === "string" && id && images !== false) {
            window.location.assign("/?artwork=" + encodeURIComponent(id));
        }
        return null;
    }
    """,
    Output(ids.NAVIGATION_SINK, "data"),
    Input(ids.TIMELINE_GRAPH, "clickData"),
    State(ids.IMAGES_STORE, "data"),
    prevent_initial_call=True,
)
