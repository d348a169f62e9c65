"""Explorer callbacks: controls -> cached services -> figure builders.

Each ``*_outputs`` function holds the logic and is called directly by tests; the decorated
wrappers only read Dash's callback context (what triggered them) and delegate.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from dash import ClientsideFunction, Input, Output, Patch, State, ctx, html, no_update

from dashboard.core.colours import SPACE_AXES
from dashboard.core.diffusion_schedules import step_for_explorer_variance
from dashboard.core.vocabulary import CHANNELS
from dashboard.data.image_store import SourceUnavailableError
from dashboard.explorer import ids, services
from dashboard.explorer.layout import DIFFUSION_LINK
from dashboard.explorer.state import Selection, ViewState
from dashboard.explorer.summaries import (
    fit_summary_texts,
    joint_summary,
    noise_summary_texts,
)
from dashboard.figures.colour3d import colour_3d_figure
from dashboard.figures.distributions import (
    TRACE_KINDS,
    cdf_figure,
    clip_spike_layout,
    pmf_figure,
    trace_identity,
    trace_index,
)
from dashboard.figures.joint import conditional_figure, joint_figure
from dashboard.figures.noise import (
    CDF_LINE,
    ECDF_LINE,
    HISTOGRAM,
    PDF_LINE,
    effective_noise_figure,
    effective_noise_values,
    noise_figure,
    noise_values,
)
from dashboard.figures.theme import empty_figure, graph_config, packed
from dashboard.server import context
from dashboard.ui.components import palette_swatches
from dashboard.ui.registry import CallbackRegistry
from dashboard.ui.upload import register_upload

registry = CallbackRegistry()

NOISE_CONTROLS = {ids.MEAN_SLIDER, ids.VARIANCE_SLIDER, ids.SEED_INPUT}
DEFAULTS = ViewState(source="")


# ------------------------------------------------------------------------------ helpers

def _known(source: Any) -> bool:
    return isinstance(source, str) and context.store().is_known(source)


def _triggered() -> set[str]:
    return {str(key).split(".")[0] for key in ctx.triggered_prop_ids} if ctx.triggered else set()


def _only_noise_changed() -> bool:
    triggered = _triggered()
    return bool(triggered) and triggered <= NOISE_CONTROLS


def _unavailable(count: int, message: str = "This image is not available.") -> tuple:
    return tuple(empty_figure(message) for _ in range(count))


# ---------------------------------------------------------------------------------- images

def source_outputs(source) -> tuple:
    """The analysed size of the image (or why it cannot be shown) and the link to the artist
    page. The noise half of the caption and the σ text are written in the browser
    (``explorer.syncControls``), and the pictures' URLs too (mirroring
    :func:`dashboard.explorer.routes.image_url`), so a slider move waits for none of this."""
    hidden = {"display": "none"}
    if not _known(source):
        return "Choose an artwork or upload an image.", "/artist", hidden
    try:
        height, width = context.store().rgb(source).shape[:2]
    except SourceUnavailableError as error:
        return str(error), "/artist", hidden
    corpus = context.corpus()
    is_painting = source in corpus and not corpus.get(source).is_sample
    href = f"/artist?view=painting&artwork={source}" if is_painting else "/artist"
    return f"{width} × {height} px analysed · ", href, {} if is_painting else hidden


@registry.callback(
    Output(ids.IMAGE_CAPTION, "children"), Output(ids.ARTIST_LINK, "href"),
    Output(ids.ARTIST_LINK, "style"),
    Input(ids.ARTWORK_SELECT, "value"),
)
def update_source_caption(source):
    return source_outputs(source)


def diffusion_href(state: ViewState) -> str:
    """The diffusion page, same image and seed, at the step of the linear schedule (T = 1000)
    whose x_t / √ᾱ_t carries noise of this variance (before the explorer's clipping)."""
    params = ({"upload": state.source.removeprefix("upload:")}
              if state.source.startswith("upload:") else {"artwork": state.source})
    params.update(schedule="linear", steps=1000, t=step_for_explorer_variance(state.variance),
                  seed=state.seed)
    return "/diffusion?" + urlencode(params, safe=":")


@registry.callback(
    Output(DIFFUSION_LINK, "href"),
    Input(ids.ARTWORK_SELECT, "value"), Input(ids.VARIANCE_SLIDER, "value"),
    Input(ids.SEED_INPUT, "value"),
)
def update_diffusion_link(source, variance, seed):
    return diffusion_href(ViewState.from_controls(source, None, variance, seed))


#: What the browser derives from the controls without the server (assets/30-explorer.js,
#: ``explorer.syncControls``): the noise caption and σ text, the pictures' URLs, the highlight
#: key, and the share link in the address bar. One callback, so a slider move costs Dash one
#: callback round in the browser rather than one per output.
registry.clientside_callback(
    ClientsideFunction(namespace="explorer", function_name="syncControls"),
    Output(ids.NOISE_CAPTION, "children"), Output(ids.SIGMA_TEXT, "children"),
    Output(ids.ORIGINAL_IMAGE, "src"), Output(ids.NOISY_IMAGE, "src"),
    Output(ids.SELECTION_KEY, "data"),
    Input(ids.ARTWORK_SELECT, "value"), Input(ids.MEAN_SLIDER, "value"),
    Input(ids.VARIANCE_SLIDER, "value"), Input(ids.SEED_INPUT, "value"),
    Input(ids.VIEW_TABS, "active_tab"), Input(ids.JOINT_X, "value"),
    Input(ids.JOINT_Y, "value"), Input(ids.JOINT_IMAGE, "value"),
    Input(ids.JOINT_BINS, "value"), Input(ids.GIVEN_STORE, "data"),
    Input(ids.COLOUR_SPACE, "value"), Input(ids.COLOUR_BINS, "value"),
    Input(ids.SELECTION_STORE, "data"), State(ids.SELECTION_KEY, "data"),
)
registry.copy_link(ids.SHARE_CLIPBOARD)


# ----------------------------------------------------------------------------------- noise

def noise_outputs(state: ViewState, patch_only: bool = False) -> tuple:
    """The noise figure (density and cumulative panels), the effective-noise figure and the
    summary's two texts, or no_update when the tab is hidden.

    ``patch_only``: the figures are drawn for this image, so send only what a noise change
    changes (``Patch``); a zero variance, drawn with a marker line, is always drawn in full.
    """
    if state.view != "noise":
        return (no_update,) * 4
    if not _known(state.source):
        return (*_unavailable(2), None, None)
    mean, variance, seed = state.noise
    data = services.noise(state.source, mean, variance, seed)
    summary = noise_summary_texts(data, mean, variance)
    noise_args = (data["grid"], data["pdf_theory"], data["cdf_theory"], data["ecdf"],
                  data["edges"], data["density"])
    effective_args = (data["effective_levels"], data["effective_pmf"],
                      data["effective_pmf_theory"])
    if patch_only and variance > 0:
        return (_noise_patch(noise_values(*noise_args, mean=mean, variance=variance)),
                _effective_noise_patch(effective_noise_values(*effective_args)), *summary)
    return (noise_figure(*noise_args, mean=mean, variance=variance),
            effective_noise_figure(*effective_args), *summary)


def _noise_patch(values: dict) -> Patch:
    patch = Patch()
    traces = {HISTOGRAM: ("hist_x", "hist_y"), PDF_LINE: ("grid", "pdf"),
              ECDF_LINE: ("grid", "ecdf"), CDF_LINE: ("grid", "cdf")}
    for index, (x, y) in traces.items():
        patch["data"][index]["x"] = packed(values[x])
        patch["data"][index]["y"] = packed(values[y])
    patch["data"][PDF_LINE]["name"] = values["pdf_name"]
    patch["layout"]["title"]["text"] = values["title"]
    # Clears the σ = 0 marker line and its note, if the last full draw had them.
    patch["layout"]["shapes"] = values["shapes"]
    patch["layout"]["annotations"] = values["annotations"]
    return patch


def _effective_noise_patch(values: dict) -> Patch:
    patch = Patch()
    for index, ys in enumerate(values["ys"]):
        patch["data"][index]["y"] = packed(ys)
    patch["layout"]["xaxis"]["range"] = values["x_range"]
    patch["layout"]["yaxis"]["range"] = values["y_range"]
    return patch


# --------------------------------------------------------------------------- distributions

def _level_selection(state: ViewState) -> tuple[int, int] | None:
    highlight = state.highlight
    if highlight is not None and highlight.kind == "levels":
        return highlight.lo, highlight.hi
    return None


def _distribution_patch(data: dict, prefix: str) -> Patch:
    patch = Patch()
    for ci, channel in enumerate(CHANNELS):
        patch["data"][trace_index(channel, "noisy")]["y"] = packed(data[f"noisy_{prefix}"][ci])
        patch["data"][trace_index(channel, "theory")]["y"] = packed(
            data[f"noisy_{prefix}_theory"][ci])
    return patch


def distribution_outputs(state: ViewState, patch_only: bool = False) -> tuple:
    """PMF and CDF figures (a Patch of the noisy traces when only the noise moved)."""
    if state.view != "distributions":
        return (no_update,) * 2
    if not _known(state.source):
        return _unavailable(2)
    data = services.distributions(state.source, *state.noise)
    if patch_only:
        pmf_patch = _distribution_patch(data, "pmf")
        spikes = clip_spike_layout((data["original_pmf"], data["noisy_pmf"],
                                    data["noisy_pmf_theory"]))
        pmf_patch["layout"]["annotations"] = spikes["annotations"]
        pmf_patch["layout"]["yaxis"]["range"] = spikes["range"]
        return pmf_patch, _distribution_patch(data, "cdf")
    shaded = _level_selection(state)
    return (
        pmf_figure(data["original_pmf"], data["noisy_pmf"], data["noisy_pmf_theory"], shaded),
        cdf_figure(data["original_cdf"], data["noisy_cdf"], data["noisy_cdf_theory"], shaded),
    )


def fit_outputs(state: ViewState) -> tuple:
    """The four texts of the fit summary: a header and a sentence per channel."""
    if state.view != "distributions":
        return (no_update,) * 4
    if not _known(state.source):
        return (None,) * 4
    try:
        data = services.goodness_of_fit(state.source, *state.noise)
    except SourceUnavailableError:
        return (None,) * 4
    return fit_summary_texts(data["fit"], data["size"])


# Its own callback, asked for once the figures of the Colour distribution tab have been
# answered (update_view writes FIT_TRIGGER): the figures of a slider move neither wait for
# what chance gives there nor share the server's cores with it.
@registry.callback(
    Output(ids.FIT_HEADER, "children"),
    *(Output(ids.FIT_LINES[channel], "children") for channel in CHANNELS),
    Input(ids.FIT_TRIGGER, "data"),
    State(ids.VIEW_TABS, "active_tab"), State(ids.ARTWORK_SELECT, "value"),
    State(ids.MEAN_SLIDER, "value"), State(ids.VARIANCE_SLIDER, "value"),
    State(ids.SEED_INPUT, "value"),
    prevent_initial_call=True,
)
def update_fit(_trigger, active_tab, source, mean, variance, seed):
    return fit_outputs(ViewState.from_controls(source, mean, variance, seed, view=active_tab))


def fit_trigger(state: ViewState) -> object:
    """What update_view writes to FIT_TRIGGER: the noise the distribution tab now shows, or
    no_update on the other tabs (the fit summary is on that tab only)."""
    if state.view != "distributions":
        return no_update
    return [state.source, *state.noise]


# ----------------------------------------------------------------------------------- joint

def joint_outputs(state: ViewState, noise_only: bool = False) -> tuple:
    """Joint heatmap, conditional PMF and the statistics line."""
    if state.view != "joint" or (noise_only and state.joint_picture == "original"):
        return (no_update,) * 3
    if not _known(state.source):
        return (*_unavailable(2), None)
    x_channel, y_channel, given = state.joint_x, state.joint_y, state.given
    if x_channel == y_channel:
        message = "Choose two different channels to see how they depend on each other."
        return empty_figure(message), empty_figure(message), None
    picture = state.joint_picture
    data = services.joint_view(state.source, picture, *state.noise_for(picture), x_channel,
                               y_channel, state.joint_bins, given)
    heatmap = joint_figure(data["pmf_yx"], data["level_edges"], x_channel=x_channel,
                           y_channel=y_channel, selection=given)
    if given is None:
        conditional = empty_figure(f"Click the heatmap, or drag across it,<br>to pick {x_channel} "
                                   f"levels and see the<br>distribution of {y_channel} there.")
    else:
        conditional = conditional_figure(range(256), data["conditional"], data["y_marginal"],
                                         given_channel=x_channel, other_channel=y_channel,
                                         given_range=given)
    return heatmap, conditional, joint_summary(data, x_channel, y_channel, picture, given)


def _real(value: object) -> float | None:
    """``value`` if it is a finite JSON number (plotly sends nothing else), else None: a forged
    body may carry 1e999, NaN, strings or lists where a coordinate belongs."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _first_point(event: object) -> dict | None:
    """The first point of a plotly click or selection event, if it has one."""
    points = event.get("points") if isinstance(event, dict) else None
    if isinstance(points, list) and points and isinstance(points[0], dict):
        return points[0]
    return None


def _x_range(selected_data: object) -> tuple[float, float] | None:
    """The x interval of a box drag, if the event has a readable one."""
    box = selected_data.get("range") if isinstance(selected_data, dict) else None
    x = box.get("x") if isinstance(box, dict) else None
    if not isinstance(x, list) or len(x) != 2:
        return None
    lo, hi = _real(x[0]), _real(x[1])
    return None if lo is None or hi is None else (lo, hi)


def _given_from_click(click_data, bins) -> list[int] | None:
    point = _first_point(click_data)
    centre = _real(point.get("x")) if point is not None else None
    if centre is None:
        return None
    width = 256 // ViewState.from_controls("", joint_bins=bins).joint_bins
    # Heatmap cells are centred at first_level + (width - 1) / 2.
    first = round(centre - (width - 1) / 2)
    if not 0 <= first <= 255:
        return None
    return [first, min(first + width - 1, 255)]


def _given_from_selection(selected_data) -> list[int] | None:
    x_range = _x_range(selected_data)
    return _range_to_levels(*x_range) if x_range is not None else None


def _range_to_levels(lo: float, hi: float) -> list[int] | None:
    """Whole levels covered by the x interval [lo, hi] (heatmap cells are centred on levels)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    lo_level = max(0, math.ceil(min(lo, hi) - 0.5))
    hi_level = min(255, math.floor(max(lo, hi) + 0.5))
    if lo_level > hi_level:
        return None
    return [lo_level, hi_level]


@registry.callback(
    Output(ids.GIVEN_STORE, "data"),
    Input(ids.JOINT_GRAPH, "clickData"), Input(ids.JOINT_GRAPH, "selectedData"),
    State(ids.JOINT_BINS, "value"),
    prevent_initial_call=True,
)
def update_given(click_data, selected_data, bins):
    return given_outputs(click_data, selected_data, bins,
                         "selectedData" in str(ctx.triggered_prop_ids))


def given_outputs(click_data, selected_data, bins, selection_triggered: bool):
    """Conditioning levels from a drag (which has a range) or else from a clicked cell.

    A click conditions on the whole cell it hits (``256 / bins`` levels). With
    ``clickmode="event+select"`` a click also emits a selection without a range, so a
    range-less selection falls back to the click.
    """
    levels = _given_from_selection(selected_data) if selection_triggered else None
    if levels is None:
        levels = _given_from_click(click_data, bins)
    return levels if levels is not None else no_update


# -------------------------------------------------------------------------------- colour 3D

def colour_outputs(state: ViewState, noise_only: bool = False) -> tuple:
    """3D scatters of the original and noisy colour histograms, and the palettes."""
    if state.view != "colour3d":
        return (no_update,) * 3
    if not _known(state.source):
        return (*_unavailable(2), None)
    source, space, bins = state.source, state.space, state.bins
    noisy = services.colour_view(source, "noisy", *state.noise, space, bins)
    ranges = SPACE_AXES[space].ranges
    noisy_fig = colour_3d_figure(
        noisy["centres"], noisy["shares"], noisy["colours"], space=space, axis_ranges=ranges,
        bin_ids=noisy["bin_ids"], title=_colour_title("With noise", noisy, bins))
    original = services.colour_view(source, "original", None, None, None, space, bins)
    original_fig = no_update if noise_only else colour_3d_figure(
        original["centres"], original["shares"], original["colours"], space=space,
        axis_ranges=ranges, bin_ids=original["bin_ids"],
        title=_colour_title("Original", original, bins))
    palettes = html.Div([
        palette_swatches("Original", original["palette_colours"], original["palette_shares"]),
        palette_swatches("With noise", noisy["palette_colours"], noisy["palette_shares"]),
    ])
    return original_fig, noisy_fig, palettes


def _colour_title(label: str, data: dict, bins: int) -> str:
    shown = (f"the fullest {data['shown']:,} of {data['occupied']:,} bins "
             f"({100 * data['shown_share']:.1f}% of pixels)"
             if data["shown"] < data["occupied"] else f"{data['occupied']:,} occupied bins")
    return f"{label}: {bins}³ bins, {shown}"


# ------------------------------------------------------------------------------- selection

def selection_from_levels(selected_data) -> str | None:
    """A level-range selection from a box drag on the PMF or CDF figure; None when the drag
    cannot be read (no range, or a point that is not one of the figure's traces)."""
    x_range = _x_range(selected_data)
    levels = _range_to_levels(*x_range) if x_range is not None else None
    if levels is None:
        return None
    channel, kind = "red", "original"
    if selected_data.get("points"):
        point = _first_point(selected_data)
        curve = point.get("curveNumber", 0) if point is not None else None
        if (isinstance(curve, bool) or not isinstance(curve, int)
                or not 0 <= curve < len(CHANNELS) * len(TRACE_KINDS)):
            return None
        channel, kind = trace_identity(curve)
    picture = "original" if kind == "original" else "noisy"
    return Selection.levels(channel, picture, levels[0], levels[1]).key


def is_drag(selected_data) -> bool:
    """Whether a figure's ``selectedData`` comes from a box drag (it has a range); a redrawn
    figure sends one without a range, which must not clear the highlight."""
    return isinstance(selected_data, dict) and isinstance(selected_data.get("range"), dict)


def selection_from_bin(click_data, picture: str, space, bins) -> str | None:
    """A colour-bin selection from a click on a 3D scatter (``space`` and ``bins`` as the
    controls send them: the figure was drawn from their cleaned values)."""
    point = _first_point(click_data)
    customdata = point.get("customdata") if point is not None else None
    bin_id = _real(customdata[0]) if isinstance(customdata, list) and customdata else None
    if bin_id is None or bin_id != int(bin_id):
        return None
    state = ViewState.from_controls("", space=space, bins=bins)
    try:
        return Selection.colour_bin(state.space, state.bins, int(bin_id), picture).key
    except ValueError:  # not a bin of this grid
        return None


@registry.callback(
    Output(ids.SELECTION_STORE, "data"),
    Input(ids.PMF_GRAPH, "selectedData"), Input(ids.CDF_GRAPH, "selectedData"),
    Input(ids.COLOUR_3D_GRAPH, "clickData"), Input(ids.COLOUR_3D_NOISY_GRAPH, "clickData"),
    Input(ids.CLEAR_SELECTION, "n_clicks"), Input(ids.ARTWORK_SELECT, "value"),
    State(ids.COLOUR_SPACE, "value"), State(ids.COLOUR_BINS, "value"),
    prevent_initial_call=True,
)
def update_selection(pmf_selected, cdf_selected, original_click, noisy_click, _clear, _source,
                     space, bins):
    trigger = ctx.triggered_id
    # Redrawing a figure (which a new highlight does) sends a selection without a range:
    # only a real drag changes the highlight; the Clear button or another image removes it.
    if trigger in (ids.PMF_GRAPH, ids.CDF_GRAPH):
        selected = pmf_selected if trigger == ids.PMF_GRAPH else cdf_selected
        return selection_from_levels(selected) if is_drag(selected) else no_update
    if trigger == ids.COLOUR_3D_GRAPH:
        return selection_from_bin(original_click, "original", space, bins)
    if trigger == ids.COLOUR_3D_NOISY_GRAPH:
        return selection_from_bin(noisy_click, "noisy", space, bins)
    return None


@registry.callback(
    Output(ids.SELECTION_TEXT, "children"),
    Input(ids.SELECTION_KEY, "data"),
)
def update_selection_text(key):
    """The highlight sentence; its key (explorer.selectionKey in the browser) carries the noise
    parameters only for a selection on the noisy image, so most slider moves skip this."""
    key = key if isinstance(key, dict) else {}
    return selection_text_outputs(key.get("selection"), key.get("source"), key.get("mean"),
                                  key.get("variance"), key.get("seed"))


def selection_text_outputs(selection, source, mean, variance, seed):
    """A sentence saying what is highlighted and how many pixels that is."""
    state = ViewState.from_controls(source, mean, variance, seed, selection=selection)
    highlight = state.highlight
    if highlight is None or not _known(state.source):
        return ("Tip: drag across the PMF or CDF, or click a colour in 3D, to highlight those "
                "pixels in both images.")
    summary = services.selection_summary(state.source, highlight.key,
                                         *state.noise_for(highlight.picture))
    return (f"Highlighted: {highlight.describe()}: {summary['pixels']:,} pixels "
            f"({100 * summary['share']:.2f}% of the image).")


# ------------------------------------------------------------------------ seed and upload

registry.new_seed_button(ids.NEW_SEED_BUTTON, ids.SEED_INPUT)


register_upload(registry, ids.UPLOAD_IDS, ids.ARTWORK_SELECT)


# ------------------------------------------------------------------------- URL and export

@registry.callback(
    [Output(graph_id, "config") for graph_id in ids.GRAPHS],
    Input(ids.EXPORT_FORMAT, "value"),
)
def update_export_format(export_format):
    return [graph_config(export_format, graph_id) for graph_id in ids.GRAPHS]


# ------------------------------------------------------------------------- the active tab

#: Outputs of each tab, in the order of :func:`update_view`'s outputs.
TAB_OUTPUTS = {
    "noise": (Output(ids.NOISE_GRAPH, "figure"), Output(ids.EFFECTIVE_NOISE_GRAPH, "figure"),
              Output(ids.NOISE_MOMENTS, "children"), Output(ids.NOISE_CLIPPING, "children")),
    "distributions": (Output(ids.PMF_GRAPH, "figure"), Output(ids.CDF_GRAPH, "figure")),
    "joint": (Output(ids.JOINT_GRAPH, "figure"), Output(ids.CONDITIONAL_GRAPH, "figure"),
              Output(ids.JOINT_STATS, "children")),
    "colour3d": (Output(ids.COLOUR_3D_GRAPH, "figure"), Output(ids.COLOUR_3D_NOISY_GRAPH, "figure"),
                 Output(ids.PALETTE, "children")),
}


def drawn_key(state: ViewState) -> str:
    """What the visible tab's figures depend on besides the noise: a slider move may patch
    them (or leave the original's figures alone) only if the last full draw had this key."""
    parts = {
        "distributions": (state.source, state.selection),
        "joint": (state.source, state.joint_x, state.joint_y, state.joint_picture,
                  state.joint_bins, state.given),
        "colour3d": (state.source, state.space, state.bins),
    }.get(state.view, (state.source,))
    return repr((state.view, *parts))


def view_outputs(state: ViewState, drawn=None, noise_only: bool = False) -> tuple:
    """Every tab's outputs in TAB_OUTPUTS order, then the updated record of what is drawn.

    Only the visible tab computes anything. A slider move sends partial updates only onto
    figures known to be drawn for the same image and settings (``drawn``): after a failed
    request the next move redraws in full. An image that cannot be decoded gives the visible
    tab empty figures carrying the reason.
    """
    drawn = dict(drawn) if isinstance(drawn, dict) else {}
    key = drawn_key(state)
    patchable = noise_only and drawn.get(state.view) == key
    try:
        outputs = (*noise_outputs(state, patch_only=patchable),
                   *distribution_outputs(state, patch_only=patchable),
                   *joint_outputs(state, noise_only=patchable),
                   *colour_outputs(state, noise_only=patchable))
    except SourceUnavailableError as error:
        outputs = []
        for tab, tab_outputs in TAB_OUTPUTS.items():
            for output in tab_outputs:
                if tab != state.view:
                    outputs.append(no_update)
                elif output.component_property == "figure":
                    outputs.append(empty_figure(str(error)))
                else:
                    outputs.append(None)
        drawn.pop(state.view, None)
        return (*outputs, drawn)
    if drawn.get(state.view) == key:
        return (*outputs, no_update)  # a slider move: the record is already right
    drawn[state.view] = key
    return (*outputs, drawn)


# One request per control change instead of one per tab: the hidden tabs answer no_update.
@registry.callback(
    [output for outputs in TAB_OUTPUTS.values() for output in outputs]
    + [Output(ids.DRAWN_STORE, "data"), Output(ids.FIT_TRIGGER, "data")],
    Input(ids.VIEW_TABS, "active_tab"), Input(ids.ARTWORK_SELECT, "value"),
    Input(ids.MEAN_SLIDER, "value"), Input(ids.VARIANCE_SLIDER, "value"),
    Input(ids.SEED_INPUT, "value"), Input(ids.SELECTION_STORE, "data"),
    Input(ids.JOINT_X, "value"), Input(ids.JOINT_Y, "value"), Input(ids.JOINT_IMAGE, "value"),
    Input(ids.JOINT_BINS, "value"), Input(ids.GIVEN_STORE, "data"),
    Input(ids.COLOUR_SPACE, "value"), Input(ids.COLOUR_BINS, "value"),
    State(ids.DRAWN_STORE, "data"),
)
def update_view(active_tab, source, mean, variance, seed, selection, joint_x, joint_y,
                joint_picture, joint_bins, given, space, bins, drawn):
    state = ViewState.from_controls(
        source, mean, variance, seed, view=active_tab, joint_x=joint_x, joint_y=joint_y,
        joint_picture=joint_picture, joint_bins=joint_bins, given=given, space=space,
        bins=bins, selection=selection)
    return (*view_outputs(state, drawn, noise_only=_only_noise_changed()), fit_trigger(state))

