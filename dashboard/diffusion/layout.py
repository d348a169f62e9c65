"""The diffusion page: a painting under a diffusion model's forward process, step by step.

``layout(**query)`` (``page.py``) builds it from a share link, so the first render already
shows the linked view; bad parameters become a visible notice, never an error.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.core.diffusion_schedules import SCHEDULES
from dashboard.core.noise import SEED_RANGE
from dashboard.diffusion import ids
from dashboard.diffusion.services import COLOUR_BINS
from dashboard.diffusion.state import STEPS_RANGE, DiffusionState
from dashboard.diffusion.summaries import channel_slots
from dashboard.ui.components import caption, labelled, loading_graph, notice_banners
from dashboard.ui.story_control import story_control
from dashboard.ui.upload import upload_zone

CAPTIONS = {
    ids.ORIGINAL_IMAGE: "The image as analysed: x₀ = 2·level/255 − 1 on the data scale [−1, 1].",
    ids.NOISY_IMAGE: "x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε, shown mapped back to 0–255 with values "
                     "beyond [−1, 1] clipped for display only: every number on this page uses "
                     "the unclipped x_t.",
    ids.DENOISED_IMAGE: "The best guess of each pixel from its own noisy value alone, "
                        "E[x₀ | x_t], under the chosen prior's levels per channel.",
    ids.STRUCTURE_FREE_IMAGE: "The painting's own pixels redrawn independently at random: "
                              "exactly its colours and none of its shapes, which is all a model "
                              "that learned only the colour distribution could paint.",
    ids.COLOUR_DENOISED_IMAGE: f"The same guess under the painting's 3D colour histogram "
                               f"({COLOUR_BINS}³ bins) as the prior: it knows which colours "
                               "occur together, so the three channels help each other.",
    ids.MARGINAL_GRAPH: "Per channel, the histogram of this image's x_t against the exact "
                        "density predicted from its own levels, with the standard normal "
                        "that every channel drifts to.",
    ids.SCHEDULE_GRAPH: "How much of the signal each schedule keeps (ᾱ_t), its signal-to-noise "
                        "ratio on a log scale, and the noise added at each step, with the "
                        "current step marked on the selected schedule.",
    ids.INFORMATION_GRAPH: "Over every step, how far p_t still is from pure noise, how many bits "
                           "about x₀ a noisy pixel still carries, and the smallest error any "
                           "per-pixel denoiser can reach, with this image's measured error at t.",
    ids.CORRELATION_GRAPH: "How strongly the colour channels move together in x_t: the theory "
                           "from the painting's channel covariance (lines) against this noisy "
                           "sample (markers), falling to zero as noise takes over.",
}

SCHEDULE_LABELS = {"linear": "Linear (DDPM)", "scaled-linear": "Scaled linear (Stable Diffusion)",
                   "cosine": "Cosine (Nichol & Dhariwal)"}


def step_marks(steps: int) -> dict[int, str]:
    """Marks of the t slider: both ends and the quarters."""
    return {t: str(t) for t in sorted({0, steps // 4, steps // 2, 3 * steps // 4, steps})}


def process_controls(state: DiffusionState) -> html.Div:
    """Schedule, zero terminal SNR, number of steps T and the step t."""
    return html.Div([
        labelled("Schedule", dbc.RadioItems(
            id=ids.SCHEDULE, value=state.schedule,
            options=[{"label": SCHEDULE_LABELS.get(name, name), "value": name}
                     for name in SCHEDULES])),
        dbc.Switch(id=ids.ZERO_SNR, value=state.zero_snr, className="mb-3",
                   label="Rescale to zero terminal SNR (Lin et al. 2024): the last step keeps "
                         "no signal at all"),
        labelled("Steps T", dbc.Input(id=ids.STEPS, type="number", min=STEPS_RANGE[0],
                                      max=STEPS_RANGE[1], step=1, value=state.steps,
                                      debounce=True),
                 f"{STEPS_RANGE[0]}–{STEPS_RANGE[1]}; models usually train with 1000.",
                 label_for=ids.STEPS),
        labelled("Step t", dcc.Slider(
            id=ids.STEP_SLIDER, min=0, max=state.steps, step=1, value=state.t,
            marks=step_marks(state.steps), allow_direct_input=True, updatemode="mouseup",
        ), "0 is the image itself; T is (nearly) pure noise."),
    ])


def noise_controls(state: DiffusionState, artist_prior: bool) -> html.Div:
    """Seed of the noise and the prior of the denoiser."""
    options = [{"label": "This painting's own levels", "value": "painting"}]
    note = ("The prior is what the denoiser assumes x₀ is drawn from, per channel: its guess "
            "and its expected error. The theory of x_t always uses this image's own levels, "
            "which the noise is added to.")
    if artist_prior:
        options.append({"label": "Van Gogh's levels (all paintings pooled)", "value": "artist"})
    else:
        note += (" The artist prior pools the Van Gogh corpus, which is not on this server "
                 "(see the explorer for how to add it).")
    return html.Div([
        labelled("Seed", dbc.InputGroup([
            dbc.Input(id=ids.SEED_INPUT, type="number", min=SEED_RANGE[0], max=SEED_RANGE[1],
                      step=1, value=state.seed, debounce=True),
            dbc.Button("New seed", id=ids.NEW_SEED_BUTTON, color="secondary", outline=True),
        ]), "The same seed draws the same ε at every step, and the same noise as the explorer.",
            label_for=ids.SEED_INPUT),
        labelled("Prior", dbc.RadioItems(id=ids.PRIOR, value=state.prior, options=options),
                 html.Span(note, id=ids.PRIOR_NOTE)),
    ])


def share_controls() -> html.Div:
    return html.Div([html.Div([
        dcc.Clipboard(id=ids.SHARE_CLIPBOARD, title="Copy a link to this exact view",
                      className="share-clipboard"),
        html.Span("Copy link to this view", className="ms-2"),
    ], className="d-flex align-items-center mb-2"), story_control()])


def controls_card(state: DiffusionState, options: list[dict], artist_prior: bool,
                  max_upload_bytes: int) -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        labelled("Artwork", dcc.Dropdown(
            id=ids.ARTWORK_SELECT, options=options, value=state.source, clearable=False,
            searchable=True, placeholder="Search by title, year or period",
        ), label_for=ids.ARTWORK_SELECT),
        upload_zone(ids.UPLOAD_IDS, max_upload_bytes),
        html.Hr(),
        process_controls(state),
        html.Hr(),
        noise_controls(state, artist_prior),
        html.Hr(),
        share_controls(),
    ]), className="controls-card")


def step_summary() -> html.Div:
    """Where step t is, the matching explorer noise, and one line per channel."""
    return html.Div([
        html.P(id=ids.STEP_TEXT, className="summary-header mb-1"),
        html.P([html.Span(id=ids.EXPLORER_TEXT), " ",
                dcc.Link(id=ids.EXPLORER_LINK, href="/", className="explorer-link")],
               className="mb-1"),
        html.Ul(channel_slots(), className="mb-0"),
    ], className="summary")


def _picture(image_id: str, title: str):
    """A picture (its URL set in the browser, at the screen's size: ``syncStep``, ``syncImage``)."""
    return html.Figure([
        dcc.Loading(html.Img(id=image_id, alt=title, className="artwork-image"),
                    delay_show=300, type="dot"),
        html.Figcaption(title),
        html.P(CAPTIONS[image_id], className="figure-caption"),
    ], className="image-figure")


def pictures_card() -> dbc.Card:
    """x₀, x_t and the denoised image; the structure-free sample and, on request, the 3D
    colour prior's denoised image."""
    colour_button = html.Div([
        dbc.Button("Denoise with the 3D colour prior", id=ids.COLOUR_BUTTON, color="primary",
                   outline=True, className="mb-2"),
        html.P("About 2 s for a 1024-pixel painting; the result is for the step shown when "
               "pressed.", className="form-text"),
        dcc.Loading(html.P(id=ids.COLOUR_RESULT, className="colour-result"), delay_show=300),
    ])
    colour_picture = html.Div(_picture(ids.COLOUR_DENOISED_IMAGE, "E[x₀ | x_t], 3D colour prior"),
                              id=ids.COLOUR_FIGURE, hidden=True)
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            dbc.Col(_picture(ids.ORIGINAL_IMAGE, "x₀, the image"), md=4),
            dbc.Col(_picture(ids.NOISY_IMAGE, "x_t, at step t"), md=4),
            dbc.Col(_picture(ids.DENOISED_IMAGE, "E[x₀ | x_t], per channel"), md=4),
        ]),
        html.Hr(),
        dbc.Row([
            dbc.Col(_picture(ids.STRUCTURE_FREE_IMAGE, "Colours without structure"), md=4),
            dbc.Col(colour_button, md=4),
            dbc.Col(colour_picture, md=4),
        ]),
    ]))


def _graph(graph_id: str, height: int) -> list:
    return [loading_graph(graph_id, height), caption(CAPTIONS[graph_id])]


#: Tab labels and graph heights (px) by view, in ``VIEWS`` order.
TABS = {"marginal": ("Marginal of x_t", 380), "information": ("Information over t", 380),
        "schedules": ("Schedules", 380), "correlation": ("Correlation", 400)}


def figure_tabs(state: DiffusionState) -> dbc.Tabs:
    """One tab per figure; only the visible one is drawn on a move (the others when opened)."""
    return dbc.Tabs([
        dbc.Tab(_graph(ids.GRAPH_OF_VIEW[view], height), label=label, tab_id=view)
        for view, (label, height) in TABS.items()
    ], id=ids.VIEW_TABS, active_tab=state.view, className="mt-3")


def diffusion_layout(state: DiffusionState, options: list[dict], notices: list[str],
                     corpus_message: str | None, artist_prior: bool,
                     max_upload_bytes: int) -> html.Div:
    """The whole diffusion page for ``state``."""
    banners = notice_banners(notices, corpus_message)
    return html.Div([
        html.H1("Diffusion: the forward process on a painting", className="visually-hidden"),
        html.Div(banners, id=ids.NOTICES),
        dcc.Store(id=ids.DRAWN_STORE, data={}),
        dbc.Row([
            dbc.Col(controls_card(state, options, artist_prior, max_upload_bytes), lg=3,
                    className="mb-3"),
            dbc.Col([
                step_summary(),
                pictures_card(),
                figure_tabs(state),
            ], lg=9),
        ]),
    ], className="diffusion-page")
