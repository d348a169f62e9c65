"""The explorer page: one image under Gaussian noise, and its colour distributions.

``layout(**query)`` builds the page from a share link's query string, so the first render
already shows the linked view; bad parameters become a visible notice, never an error.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.core.vocabulary import CHANNELS, JOINT_BIN_CHOICES, SPACES
from dashboard.explorer import ids
from dashboard.explorer.state import BINS_RANGE, ViewState
from dashboard.explorer.summaries import fit_summary_slots, noise_summary_slots
from dashboard.figures.theme import EXPORT_FORMATS
from dashboard.ui.components import caption, labelled, loading_graph, notice_banners
from dashboard.ui.story_control import story_control
from dashboard.ui.upload import upload_zone

#: The link to the diffusion page at the step whose noise matches the variance; its href
#: follows the controls (``callbacks.update_diffusion_link``).
DIFFUSION_LINK = "explorer-diffusion-link"

CAPTIONS = {
    ids.NOISE_GRAPH: ("Left: the dashed curve is the Gaussian density the noise is drawn from; "
                      "the shaded histogram is the noise actually drawn for this image. With "
                      "millions of samples they agree closely.",
                      "Right: the same comparison as running totals: the share of noise values "
                      "below each point, in theory (dashed) and in the sample."),
    ids.EFFECTIVE_NOISE_GRAPH: "How far each pixel really moved once the result was clipped to "
                               "0–255 and rounded. Without clipping this would be the Gaussian "
                               "itself, in levels; pixels near black or white cannot move past "
                               "them, which cuts and bends the tails.",
    ids.PMF_GRAPH: "How often each intensity occurs, per channel: dotted = original image, solid "
                   "= noisy image, dashed = what probability theory predicts for the noisy image; "
                   "circles mark red, triangles green, squares blue. Drag across a range to "
                   "highlight those pixels.",
    ids.CDF_GRAPH: "The share of pixels at or below each intensity. Noise smooths the steps of "
                   "the original; the dashed theory should lie on the solid noisy curve.",
    ids.JOINT_GRAPH: "How often each pair of intensities occurs together in one pixel (brighter = "
                     "more common, log scale). Click a column or drag a range to condition on it.",
    ids.CONDITIONAL_GRAPH: "The distribution of the second channel among only the pixels in the "
                           "chosen range of the first, against all pixels (dotted).",
    ids.COLOUR_3D_GRAPH: "Each ball is a small cube of colours; its size is the share of pixels in "
                        "it and its colour their average. Click one to highlight its pixels.",
    ids.COLOUR_3D_NOISY_GRAPH: "The same colour distribution after noise: colours spread into "
                              "neighbouring cubes, which is exactly what diffusion models undo.",
    ids.PALETTE: "The most likely colours: the fullest colour cubes, with the share of all "
                 "pixels each holds.",
}


def _caption(graph_id: str):
    return caption(CAPTIONS[graph_id])


def source_controls(state: ViewState, options: list[dict], max_upload_bytes: int) -> html.Div:
    """Artwork selector and upload (refused in the browser above ``max_upload_bytes``)."""
    return html.Div([
        labelled("Artwork", dcc.Dropdown(
            id=ids.ARTWORK_SELECT, options=options, value=state.source, clearable=False,
            searchable=True, placeholder="Search by title, year or period",
        ), label_for=ids.ARTWORK_SELECT),
        upload_zone(ids.UPLOAD_IDS, max_upload_bytes),
    ])


def noise_controls(state: ViewState) -> html.Div:
    """Mean, variance and seed of the noise."""
    return html.Div([
        labelled("Noise mean μ", dcc.Slider(
            id=ids.MEAN_SLIDER, min=-1, max=1, step=0.01, value=state.mean,
            marks={-1: "−1", -0.5: "−0.5", 0: "0", 0.5: "0.5", 1: "1"},
            allow_direct_input=True, updatemode="mouseup",
        ), "On the 0–1 intensity scale (× 255 = levels)."),
        labelled("Noise variance σ²", dcc.Slider(
            id=ids.VARIANCE_SLIDER, min=0, max=1, step=0.0005, value=state.variance,
            marks={0: "0", 0.25: "0.25", 0.5: "0.5", 0.75: "0.75", 1: "1"},
            allow_direct_input=True, updatemode="mouseup",
        )),
        html.Div(id=ids.SIGMA_TEXT, className="sigma-text mb-3"),
        labelled("Seed", dbc.InputGroup([
            dbc.Input(id=ids.SEED_INPUT, type="number", min=0, max=2**32 - 1, step=1,
                      value=state.seed, debounce=True),
            dbc.Button("New seed", id=ids.NEW_SEED_BUTTON, color="secondary", outline=True),
        ]), "Same seed, same noise: move the sliders and the noise pattern stays.",
            label_for=ids.SEED_INPUT),
    ])


def share_controls() -> html.Div:
    """Copy-link button and the export format of the figures' camera button."""
    return html.Div([
        html.Div([
            dcc.Clipboard(id=ids.SHARE_CLIPBOARD, title="Copy a link to this exact view",
                          className="share-clipboard"),
            html.Span("Copy link to this view", id=ids.SHARE_TEXT, className="ms-2"),
        ], className="d-flex align-items-center mb-3"),
        story_control(),
        labelled("Figure download format", dbc.RadioItems(
            id=ids.EXPORT_FORMAT, inline=True, value="png",
            options=[{"label": f.upper(), "value": f} for f in EXPORT_FORMATS],
        ), "The camera icon on each figure saves it at slide size (1200×700)."),
    ])


def controls_card(state: ViewState, options: list[dict], max_upload_bytes: int) -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        source_controls(state, options, max_upload_bytes),
        html.Hr(),
        noise_controls(state),
        html.Hr(),
        share_controls(),
    ]), className="controls-card")


def images_card() -> dbc.Card:
    """Original and noisy image side by side, with the highlight status under them."""
    def figure(image_id: str, title: str):
        return dbc.Col(html.Figure([
            dcc.Loading(html.Img(id=image_id, alt=title, className="artwork-image"),
                        delay_show=300, type="dot"),
            html.Figcaption(title),
        ], className="image-figure"), md=6)

    return dbc.Card(dbc.CardBody([
        dbc.Row([figure(ids.ORIGINAL_IMAGE, "Original"), figure(ids.NOISY_IMAGE, "With noise")]),
        html.Div([
            html.Span([html.Span(id=ids.IMAGE_CAPTION), html.Span(id=ids.NOISE_CAPTION)],
                      className="image-caption"),
            dcc.Link("Compare with its period and the whole corpus →", id=ids.ARTIST_LINK,
                     href="/artist", className="artist-link", style={"display": "none"}),
            dcc.Link("This noise as a diffusion step (linear, T = 1000) →", id=DIFFUSION_LINK,
                     href="/diffusion", className="diffusion-link"),
        ], className="d-flex flex-wrap gap-3 align-items-baseline"),
        html.Div([
            html.Span(id=ids.SELECTION_TEXT, className="selection-text"),
            dbc.Button("Clear highlight", id=ids.CLEAR_SELECTION, size="sm", color="link"),
        ], className="d-flex align-items-center gap-2"),
    ]))


def noise_tab() -> dbc.Tab:
    return dbc.Tab(label="Noise", tab_id="noise", children=[
        html.Div(noise_summary_slots(), id=ids.NOISE_SUMMARY, className="summary mt-3"),
        loading_graph(ids.NOISE_GRAPH, 400), _caption(ids.NOISE_GRAPH),
        loading_graph(ids.EFFECTIVE_NOISE_GRAPH), _caption(ids.EFFECTIVE_NOISE_GRAPH),
    ])


def distributions_tab() -> dbc.Tab:
    return dbc.Tab(label="Colour distribution", tab_id="distributions", children=[
        html.Div(fit_summary_slots(), id=ids.FIT_SUMMARY, className="summary mt-3"),
        dbc.Row([
            dbc.Col([loading_graph(ids.PMF_GRAPH, 420), _caption(ids.PMF_GRAPH)], xl=6),
            dbc.Col([loading_graph(ids.CDF_GRAPH, 420), _caption(ids.CDF_GRAPH)], xl=6),
        ]),
    ])


def joint_tab(state: ViewState) -> dbc.Tab:
    channel_options = [{"label": c.capitalize(), "value": c} for c in CHANNELS]
    pickers = dbc.Row([
        dbc.Col(labelled("Condition on (x)", dbc.Select(
            id=ids.JOINT_X, options=channel_options, value=state.joint_x)), sm=3),
        dbc.Col(labelled("Distribution of (y)", dbc.Select(
            id=ids.JOINT_Y, options=channel_options, value=state.joint_y)), sm=3),
        dbc.Col(labelled("Image", dbc.RadioItems(
            id=ids.JOINT_IMAGE, inline=True, value=state.joint_picture,
            options=[{"label": "original", "value": "original"},
                     {"label": "noisy", "value": "noisy"}])), sm=3),
        dbc.Col(labelled("Bins per axis", dbc.Select(
            id=ids.JOINT_BINS, value=str(state.joint_bins),
            options=[{"label": str(b), "value": str(b)} for b in JOINT_BIN_CHOICES])), sm=3),
    ], className="mt-3")
    return dbc.Tab(label="Joint & conditional", tab_id="joint", children=[
        pickers,
        html.Div(id=ids.JOINT_STATS, className="summary"),
        dbc.Row([
            dbc.Col([loading_graph(ids.JOINT_GRAPH, 460), _caption(ids.JOINT_GRAPH)], xl=6),
            dbc.Col([loading_graph(ids.CONDITIONAL_GRAPH, 460),
                     _caption(ids.CONDITIONAL_GRAPH)], xl=6),
        ]),
    ])


def colour3d_tab(state: ViewState) -> dbc.Tab:
    pickers = dbc.Row([
        dbc.Col(labelled("Colour space", dbc.RadioItems(
            id=ids.COLOUR_SPACE, inline=True, value=state.space,
            options=[{"label": {"lab": "CIE Lab", "oklab": "Oklab"}.get(s, s.upper()), "value": s}
                     for s in SPACES])), sm=6),
        dbc.Col(labelled("Bins per axis", dcc.Slider(
            id=ids.COLOUR_BINS, min=BINS_RANGE[0], max=BINS_RANGE[1], step=8, value=state.bins,
            marks={b: str(b) for b in range(BINS_RANGE[0], BINS_RANGE[1] + 1, 8)},
            updatemode="mouseup")), sm=6),
    ], className="mt-3")
    return dbc.Tab(label="3D colour", tab_id="colour3d", children=[
        pickers,
        dbc.Row([
            dbc.Col([loading_graph(ids.COLOUR_3D_GRAPH, 520), _caption(ids.COLOUR_3D_GRAPH)], xl=6),
            dbc.Col([loading_graph(ids.COLOUR_3D_NOISY_GRAPH, 520),
                     _caption(ids.COLOUR_3D_NOISY_GRAPH)], xl=6),
        ]),
        html.H5("Most likely colours", className="mt-3"),
        dcc.Loading(html.Div(id=ids.PALETTE, className="palette"), delay_show=300),
        _caption(ids.PALETTE),
    ])


def explorer_layout(state: ViewState, options: list[dict], notices: list[str],
                    corpus_message: str | None, max_upload_bytes: int) -> html.Div:
    """The whole explorer page for ``state``."""
    banners = notice_banners(notices, corpus_message)
    return html.Div([
        html.H1("Explorer: Gaussian noise on an image", className="visually-hidden"),
        html.Div(banners, id=ids.NOTICES),
        dcc.Store(id=ids.SELECTION_STORE, data=state.selection),
        dcc.Store(id=ids.DRAWN_STORE, data={}),
        dcc.Store(id=ids.FIT_TRIGGER),
        dcc.Store(id=ids.SELECTION_KEY),
        dcc.Store(id=ids.GIVEN_STORE, data=list(state.given) if state.given else None),
        dbc.Row([
            dbc.Col(controls_card(state, options, max_upload_bytes), lg=3, className="mb-3"),
            dbc.Col([
                images_card(),
                dbc.Tabs([noise_tab(), distributions_tab(), joint_tab(state),
                          colour3d_tab(state)],
                         id=ids.VIEW_TABS, active_tab=state.view, className="mt-3"),
            ], lg=9),
        ]),
    ])
