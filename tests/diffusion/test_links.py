"""The explorer and the diffusion page link to each other at matching noise: step t of the
diffusion page and the explorer's σ² = (1 − ᾱ_t) / (4 ᾱ_t) on the 0–1 scale."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

from dashboard.core.diffusion_schedules import alpha_bar, explorer_sigma
from dashboard.diffusion.state import DiffusionState, parse_query
from dashboard.diffusion.summaries import explorer_link
from dashboard.explorer.callbacks import diffusion_href
from dashboard.explorer.state import ViewState
from dashboard.explorer.state import parse_query as parse_explorer_query

LINEAR = alpha_bar("linear", 1000)


def diffusion_state(href: str) -> DiffusionState:
    assert href.startswith("/diffusion?")
    state, notices = parse_query(dict(parse_qsl(urlsplit(href).query)),
                                 is_known_source=lambda s: True, default_source="x",
                                 artist_prior=False)
    assert notices == []
    return state


@pytest.mark.parametrize("variance", [0.0, 0.0001, 0.01, 0.05, 0.25, 0.5, 1.0])
def test_the_explorer_links_to_the_step_of_its_variance_and_back(variance):
    href = diffusion_href(ViewState(source="sample-coffee", variance=variance, seed=7))
    state = diffusion_state(href)
    assert (state.source, state.schedule, state.steps, state.zero_snr, state.seed) == (
        "sample-coffee", "linear", 1000, False, 7)
    # The step's σ is the nearest of all steps' to the explorer's.
    sigmas = explorer_sigma(LINEAR)
    assert abs(sigmas[state.t] - np.sqrt(variance)) == np.min(np.abs(sigmas - np.sqrt(variance)))
    # ...and the diffusion page's link back lands on that step's σ², which is the explorer's
    # within half a step of the schedule.
    back = explorer_link(state, LINEAR[state.t])
    explorer, notices = parse_explorer_query(dict(parse_qsl(urlsplit(back.href).query)),
                                             is_known_source=lambda s: True, default_source="x")
    assert notices == []
    assert (explorer.source, explorer.mean, explorer.seed) == ("sample-coffee", 0.0, 7)
    assert explorer.variance == back.variance
    neighbours = sigmas[max(state.t - 1, 0):state.t + 2] ** 2
    assert neighbours.min() - 1e-4 <= explorer.variance <= neighbours.max() + 1e-4
    assert explorer.variance == pytest.approx(variance, abs=0.011)


def test_an_upload_keeps_its_source_both_ways():
    sha = "b" * 64
    state = diffusion_state(diffusion_href(ViewState(source=f"upload:{sha}", variance=0.1)))
    assert state.source == f"upload:{sha}"
    assert explorer_link(state, LINEAR[state.t]).href.startswith(f"/?upload={sha}&")
