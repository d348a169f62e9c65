"""Diffusion page callbacks: controls -> cached services -> figure builders.

The ``*_outputs`` functions hold the logic and are called directly by tests; the decorated
wrappers only read Dash's callback context (what triggered them) and delegate.

The figures sit in tabs and only the visible one is sent. A move of the t slider (or a new
seed) keeps every curve over the steps: the callback sends a ``Patch`` that moves the step
markers or replaces the marginal's data, and the browser swaps the pictures' URLs itself
(``diffusion.syncStep`` and ``syncImage``, assets/40-diffusion.js). What needs the denoiser of
every pixel (its measured error, in the channel lines and on the information figure) comes
from a second callback fired by the same controls, so the figure does not wait for it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
from dash import ClientsideFunction, Input, Output, Patch, State, no_update

from dashboard.core.diffusion_schedules import SCHEDULES
from dashboard.core.vocabulary import CHANNELS
from dashboard.data.image_store import SourceUnavailableError, UnknownSourceError
from dashboard.diffusion import ids, services
from dashboard.diffusion.layout import step_marks
from dashboard.diffusion.routes import image_url
from dashboard.diffusion.state import DiffusionState
from dashboard.diffusion.summaries import (
    channel_texts,
    colour_sentence,
    explorer_link,
    step_sentence,
)
from dashboard.figures.diffusion import (
    correlation_figure,
    information_figure,
    marginal_figure,
    schedule_figure,
)
from dashboard.figures.theme import empty_figure, packed
from dashboard.ui.registry import CallbackRegistry
from dashboard.ui.upload import register_upload

registry = CallbackRegistry()

#: Traces of the information figure: 3 panels x 3 channels of lines, then the measured MSE
#: at t, then the 3D colour prior's (always present; empty until asked for).
MEASURED_TRACE = 9
COLOUR_TRACE = 10
#: Name of the 3D colour prior's trace in the information figure.
COLOUR_TRACE_NAME = "MSE with the 3D colour prior"


def offered_state(state: DiffusionState) -> DiffusionState:
    """``state`` with the painting's prior when the artist prior is not offered here."""
    if state.prior == "artist" and not services.artist_prior_offered():
        return replace(state, prior="painting")
    return state


# ------------------------------------------------------------------------ the whole view

#: Outputs of :func:`update_view`, in order.
VIEW_OUTPUTS = (
    *(Output(graph, "figure") for graph in ids.GRAPH_OF_VIEW.values()),
    Output(ids.STEP_TEXT, "children"), Output(ids.EXPLORER_TEXT, "children"),
    Output(ids.EXPLORER_LINK, "href"), Output(ids.EXPLORER_LINK, "children"),
    Output(ids.DRAWN_STORE, "data"),
)

#: Outputs of :func:`update_errors`, in order: the channel lines, then the information figure.
ERROR_OUTPUTS = (
    *(Output(ids.CHANNEL_LINES[channel], "children") for channel in CHANNELS),
    Output(ids.INFORMATION_GRAPH, "figure", allow_duplicate=True),
)


def _marker(value: float) -> list[float | None]:
    return [float(value) if math.isfinite(value) else None]


def schedule_marker_traces(selected: str, t: int) -> list[int]:
    """Indices of the step markers in :func:`schedule_figure`: one after the selected
    schedule's line in each panel (ᾱ, log SNR, and β from t = 1)."""
    position = list(SCHEDULES).index(selected)
    per_panel = len(SCHEDULES) + 1
    markers = [position + 1, per_panel + position + 1]
    if t >= 1:
        markers.append(2 * per_panel + position + 1)
    return markers


def _step_lines(patch: Patch, t: int, panels: int) -> None:
    for panel in range(panels):
        patch["layout"]["shapes"][panel]["x0"] = t
        patch["layout"]["shapes"][panel]["x1"] = t


def _schedule_patch(state: DiffusionState, curves: dict) -> Patch:
    patch = Patch()
    schedule, t = state.schedule, state.t
    _step_lines(patch, t, 3)
    values = (curves["alpha_bar"][schedule][t], curves["log_snr"][schedule][t])
    if t >= 1:
        values += (curves["beta"][schedule][t - 1],)
    for index, value in zip(schedule_marker_traces(schedule, t), values, strict=True):
        patch["data"][index]["x"] = [t]
        patch["data"][index]["y"] = _marker(float(value))
    patch["layout"]["title"]["text"] = f"Noise schedules ({schedule} selected), step t = {t}"
    return patch


def _measured_patch(t: int, errors: np.ndarray) -> Patch:
    """The information figure's measured errors of the denoiser, at step t."""
    patch = Patch()
    patch["data"][MEASURED_TRACE]["x"] = [t] * len(CHANNELS)
    patch["data"][MEASURED_TRACE]["y"] = [_marker(float(e))[0] for e in errors]
    return patch


def _information_patch(t: int) -> Patch:
    """The step lines and the title; the 3D colour prior's point is cleared (it belonged to
    the step it was asked for). The measured errors follow (:func:`error_outputs`)."""
    patch = Patch()
    _step_lines(patch, t, 3)
    patch["data"][COLOUR_TRACE]["x"] = [t]
    patch["data"][COLOUR_TRACE]["y"] = [None]
    patch["data"][COLOUR_TRACE]["showlegend"] = False
    patch["layout"]["title"]["text"] = f"What the forward process leaves, step t = {t}"
    return patch


def _marginal_patch(t: int, step: dict) -> Patch:
    patch = Patch()
    marginal = step["marginal"]
    edges = packed(marginal["bin_edges"])
    grid = packed(marginal["x"])
    normal = packed(marginal["standard_normal"])
    for c in range(len(CHANNELS)):
        patch["data"][3 * c]["x"] = edges
        patch["data"][3 * c]["y"] = packed(np.append(marginal["density_sample"][c], 0.0))
        patch["data"][3 * c + 1]["x"] = grid
        patch["data"][3 * c + 1]["y"] = packed(marginal["density_theory"][c])
        patch["data"][3 * c + 2]["x"] = grid
        patch["data"][3 * c + 2]["y"] = normal
    patch["layout"]["title"]["text"] = (
        f"Marginal of x_t at step t = {t} (ᾱ = {step['alpha_bar']:.4g})")
    return patch


def _correlation_patch(t: int, sample: np.ndarray) -> Patch:
    patch = Patch()
    _step_lines(patch, t, 1)
    for pair, value in enumerate(sample):
        patch["data"][2 * pair + 1]["x"] = [t]
        patch["data"][2 * pair + 1]["y"] = _marker(float(value))
    patch["layout"]["title"]["text"] = f"Channel correlation of x_t, step t = {t}"
    return patch


def full_figure(view: str, state: DiffusionState, curves: dict, information: dict,
                correlation, step: dict, errors: np.ndarray | None = None):
    """The figure of tab ``view`` for ``state``, drawn in full; the information figure's
    measured errors are left empty without ``errors``."""
    t = state.t
    if view == "schedules":
        return schedule_figure(curves["alpha_bar"], curves["log_snr"], curves["beta"],
                               selected=state.schedule, t=t)
    if view == "information":
        info = information_figure(information["kl_nats"],
                                  information["mutual_information_bits"],
                                  information["mse_expected"], t=t,
                                  mse_sample=np.full(len(CHANNELS), math.nan)
                                  if errors is None else errors,
                                  mse_colour_prior=math.nan)
        # The 3D colour prior's point is drawn when asked for (a Patch fills it in).
        info.update_traces(showlegend=False, selector={"name": COLOUR_TRACE_NAME})
        return info
    if view == "correlation":
        return correlation_figure(correlation, step["correlation_sample"], t=t)
    marginal = step["marginal"]
    return marginal_figure(marginal["x"], marginal["density_theory"], marginal["bin_edges"],
                           marginal["density_sample"], marginal["standard_normal"], t=t,
                           alpha_bar_t=step["alpha_bar"])


def figure_patch(view: str, state: DiffusionState, curves: dict, step: dict) -> Patch:
    """What moves in tab ``view``'s figure when only the step or the seed changed (but the
    information figure's measured errors: :func:`error_outputs`)."""
    t = state.t
    if view == "schedules":
        return _schedule_patch(state, curves)
    if view == "information":
        return _information_patch(t)
    if view == "correlation":
        return _correlation_patch(t, step["correlation_sample"])
    return _marginal_patch(t, step)


_UNUSABLE = (SourceUnavailableError, UnknownSourceError, services.PriorUnavailableError)


def _reason(error: Exception) -> str:
    if isinstance(error, UnknownSourceError):
        return "Choose an artwork or upload an image in the explorer."
    return str(error)


def _patched(drawn_tabs: dict[str, int], view: str, t: int) -> bool:
    """Whether tab ``view``, drawn at the steps ``drawn_tabs``, gets a ``Patch`` for step t
    (or is drawn in full): t = 0 and later steps draw the marginal differently."""
    shown = drawn_tabs.get(view)
    return shown is not None and (shown == 0) == (t == 0)


def _drawn_tabs(drawn: Any, key: str) -> dict[str, int]:
    """From the record of what is drawn: the step each tab's figure shows for ``key`` (the
    image, schedule, steps, zero-SNR switch and prior), if it was drawn for it."""
    if not isinstance(drawn, dict) or drawn.get("key") != key:
        return {}
    tabs = drawn.get("tabs")
    if not isinstance(tabs, dict):
        return {}
    return {view: step for view, step in tabs.items()
            if view in ids.GRAPH_OF_VIEW and isinstance(step, int) and not isinstance(step, bool)}


def view_outputs(state: DiffusionState, drawn: Any = None) -> tuple:
    """Every output of :data:`VIEW_OUTPUTS` for ``state``.

    Only the visible tab's figure (``state.view``) is sent; the others are left as they are
    and drawn when their tab is opened (``drawn`` records the step each tab shows). A tab
    drawn for the same image, schedule, steps, zero-SNR switch and prior gets only what
    moved: the step markers and the marginal's data. Anything else is drawn in full. An image
    or prior that cannot be used gives the visible tab an empty figure carrying the reason.

    The denoiser's measured errors are not waited for on a move: :func:`error_outputs` sends
    them, with the patch of the information figure's measured points. An information figure
    drawn in full waits for them and draws them.
    """
    t = state.t
    graphs = [ids.GRAPH_OF_VIEW[view] for view in ids.GRAPH_OF_VIEW]
    try:
        keys = services.keys_of(state)
        key = repr(keys)
        tabs = _drawn_tabs(drawn, key)
        patched = _patched(tabs, state.view, t)
        curves = services.schedules(state.steps, state.zero_snr)
        information = services.information(*keys)
        step = services.step_view(*keys[:-1], t, state.seed)
        correlation = services.correlation(*keys[:-1])
        errors = (services.denoiser_errors(*keys, t, state.seed)
                  if state.view == "information" and not patched else None)
    except _UNUSABLE as error:
        visible = ids.GRAPH_OF_VIEW[state.view]
        figures = tuple(empty_figure(_reason(error)) if graph == visible else no_update
                        for graph in graphs)
        return (*figures, None, None, None, None, {})

    if patched:
        figure = figure_patch(state.view, state, curves, step)
    else:
        figure = full_figure(state.view, state, curves, information, correlation, step, errors)
    visible = ids.GRAPH_OF_VIEW[state.view]
    figures = tuple(figure if graph == visible else no_update for graph in graphs)
    link = explorer_link(state, step["alpha_bar"])
    return (*figures, step_sentence(state, step["alpha_bar"]), link.sentence, link.href,
            link.label, {"key": key, "tabs": {**tabs, state.view: t}})


@registry.callback(
    *VIEW_OUTPUTS,
    Input(ids.ARTWORK_SELECT, "value"), Input(ids.SCHEDULE, "value"), Input(ids.STEPS, "value"),
    Input(ids.STEP_SLIDER, "value"), Input(ids.ZERO_SNR, "value"), Input(ids.SEED_INPUT, "value"),
    Input(ids.PRIOR, "value"), Input(ids.VIEW_TABS, "active_tab"), State(ids.DRAWN_STORE, "data"),
)
def update_view(source, schedule, steps, t, zero_snr, seed, prior, view, drawn):
    state = offered_state(DiffusionState.from_controls(source, schedule, steps, t, zero_snr,
                                                       seed, prior, view))
    return view_outputs(state, drawn)


# --------------------------------------------------------------- the denoiser's errors

def error_outputs(state: DiffusionState, drawn: Any = None) -> tuple:
    """Every output of :data:`ERROR_OUTPUTS` for ``state``: the channel lines with the
    denoiser's error measured on this image, and the measured points of the information
    figure when it is the visible tab and :func:`view_outputs` patches it (it draws them in a
    figure drawn in full). ``drawn`` is the record of what is drawn that both read.

    Fired by the same controls as :func:`view_outputs`, so the figures do not wait for the
    denoiser; the patches of the two touch different traces. No usable image clears the lines.
    """
    try:
        keys = services.keys_of(state)
        t = state.t
        information = services.information(*keys)
        step = services.step_view(*keys[:-1], t, state.seed)
        errors = services.denoiser_errors(*keys, t, state.seed)
    except _UNUSABLE:
        return (*(None,) * len(CHANNELS), no_update)
    patched = _patched(_drawn_tabs(drawn, repr(keys)), state.view, t)
    figure = (_measured_patch(t, errors) if state.view == "information" and patched
              else no_update)
    return (*channel_texts(information, step, errors, t), figure)


@registry.callback(
    *ERROR_OUTPUTS,
    Input(ids.ARTWORK_SELECT, "value"), Input(ids.SCHEDULE, "value"), Input(ids.STEPS, "value"),
    Input(ids.STEP_SLIDER, "value"), Input(ids.ZERO_SNR, "value"), Input(ids.SEED_INPUT, "value"),
    Input(ids.PRIOR, "value"), Input(ids.VIEW_TABS, "active_tab"), State(ids.DRAWN_STORE, "data"),
    # On the first load nothing is drawn yet, so the information figure is never patched then.
    prevent_initial_call="initial_duplicate",
)
def update_errors(source, schedule, steps, t, zero_snr, seed, prior, view, drawn):
    state = offered_state(DiffusionState.from_controls(source, schedule, steps, t, zero_snr,
                                                       seed, prior, view))
    return error_outputs(state, drawn)


#: Pictures' URLs and the share link, built in the browser from the controls alone (mirroring
#: :func:`dashboard.diffusion.routes.image_url` and :meth:`DiffusionState.to_query`), so the
#: JPEG requests leave at once on a move; a 3D colour result on show is cleared (it belonged
#: to the controls before), without a server round trip.
registry.clientside_callback(
    ClientsideFunction(namespace="diffusion", function_name="syncStep"),
    Output(ids.NOISY_IMAGE, "src"), Output(ids.DENOISED_IMAGE, "src"),
    Output(ids.COLOUR_RESULT, "children"), Output(ids.COLOUR_FIGURE, "hidden"),
    Input(ids.ARTWORK_SELECT, "value"), Input(ids.SCHEDULE, "value"), Input(ids.STEPS, "value"),
    Input(ids.STEP_SLIDER, "value"), Input(ids.ZERO_SNR, "value"), Input(ids.SEED_INPUT, "value"),
    Input(ids.PRIOR, "value"), Input(ids.VIEW_TABS, "active_tab"),
)
registry.clientside_callback(
    ClientsideFunction(namespace="diffusion", function_name="syncImage"),
    Output(ids.ORIGINAL_IMAGE, "src"), Output(ids.STRUCTURE_FREE_IMAGE, "src"),
    Input(ids.ARTWORK_SELECT, "value"), Input(ids.SEED_INPUT, "value"),
)
registry.copy_link(ids.SHARE_CLIPBOARD)


# ---------------------------------------------------------------------- steps and seed

def step_range_outputs(steps, t) -> tuple:
    """The t slider's range for a new number of steps, t clamped into it, and the steps box
    rewritten when what was typed had to be cleaned."""
    state = DiffusionState.from_controls("", steps=steps, t=t)
    cleaned = state.steps if state.steps != steps else no_update
    value = state.t if state.t != t else no_update
    return state.steps, step_marks(state.steps), value, cleaned


@registry.callback(
    Output(ids.STEP_SLIDER, "max"), Output(ids.STEP_SLIDER, "marks"),
    Output(ids.STEP_SLIDER, "value"), Output(ids.STEPS, "value"),
    Input(ids.STEPS, "value"), State(ids.STEP_SLIDER, "value"),
    prevent_initial_call=True,
)
def update_step_range(steps, t):
    return step_range_outputs(steps, t)


registry.new_seed_button(ids.NEW_SEED_BUTTON, ids.SEED_INPUT)
register_upload(registry, ids.UPLOAD_IDS, ids.ARTWORK_SELECT)


# ------------------------------------------------------------------- 3D colour denoiser

def colour_outputs(state: DiffusionState, drawn: Any = None) -> tuple:
    """The 3D colour prior's denoised picture (its URL), the sentence comparing its error
    with the per-channel prior's, and its point on the information figure when that figure
    shows this step (``drawn``, the record of :func:`view_outputs`)."""
    try:
        process = (state.source, *state.process)
        colour = services.colour_denoiser_errors(*process, state.t, state.seed)
        errors = services.denoiser_errors(*process, "painting", state.t, state.seed)
    except (SourceUnavailableError, UnknownSourceError) as error:
        return no_update, str(error), True, no_update
    try:
        key = repr(services.keys_of(state))
    except services.PriorUnavailableError:
        key = None
    if key is None or _drawn_tabs(drawn, key).get("information") != state.t:
        return (image_url("colour-denoised", state), colour_sentence(colour, errors, state.t),
                False, no_update)
    patch = Patch()
    patch["data"][COLOUR_TRACE]["x"] = [state.t]
    patch["data"][COLOUR_TRACE]["y"] = [colour["mse_mean"]]
    patch["data"][COLOUR_TRACE]["showlegend"] = True
    return (image_url("colour-denoised", state), colour_sentence(colour, errors, state.t),
            False, patch)


@registry.callback(
    Output(ids.COLOUR_DENOISED_IMAGE, "src"),
    Output(ids.COLOUR_RESULT, "children", allow_duplicate=True),
    Output(ids.COLOUR_FIGURE, "hidden", allow_duplicate=True),
    Output(ids.INFORMATION_GRAPH, "figure", allow_duplicate=True),
    Input(ids.COLOUR_BUTTON, "n_clicks"),
    State(ids.ARTWORK_SELECT, "value"), State(ids.SCHEDULE, "value"), State(ids.STEPS, "value"),
    State(ids.STEP_SLIDER, "value"), State(ids.ZERO_SNR, "value"), State(ids.SEED_INPUT, "value"),
    State(ids.PRIOR, "value"), State(ids.DRAWN_STORE, "data"),
    prevent_initial_call=True,
)
def denoise_with_colour_prior(_n_clicks, source, schedule, steps, t, zero_snr, seed, prior,
                              drawn):
    state = offered_state(DiffusionState.from_controls(source, schedule, steps, t, zero_snr,
                                                       seed, prior))
    return colour_outputs(state, drawn)
