"""One diffusion view for a story slide or the offline report (:mod:`dashboard.ui.snapshot`)."""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.data.image_store import SourceUnavailableError, UnknownSourceError
from dashboard.diffusion import services
from dashboard.diffusion.callbacks import (
    ERROR_OUTPUTS,
    VIEW_OUTPUTS,
    error_outputs,
    offered_state,
    view_outputs,
)
from dashboard.diffusion.state import parse_query
from dashboard.server import context
from dashboard.ui.snapshot import ViewSnapshot, drawn_outputs
from dashboard.ui.sources import default_source

#: The pictures a slide shows, with their labels.
PICTURES = (("x0", "the painting x₀"), ("xt", "x_t, the noisy image at step t"),
            ("denoised", "the posterior-mean denoiser's estimate"))


def snapshot(query: Mapping[str, str]) -> ViewSnapshot:
    """What ``/diffusion?<query>`` shows: the four figures, the texts and three pictures."""
    corpus = context.corpus()
    state, notices = parse_query(query, is_known_source=context.store().is_known,
                                 default_source=default_source(corpus),
                                 artist_prior=services.artist_prior_offered())
    state = offered_state(state)
    figures, texts = drawn_outputs(VIEW_OUTPUTS, view_outputs(state))
    texts += drawn_outputs(ERROR_OUTPUTS, error_outputs(state))[1]
    pictures = []
    for kind, label in PICTURES:
        try:
            pictures.append((label, services.picture_jpeg(kind, state)))
        except (SourceUnavailableError, UnknownSourceError, services.PriorUnavailableError):
            break
    name = next((a.title for a in corpus.artworks() if a.id == state.source), "an upload")
    caption = (f"{name}: the {state.schedule} schedule over {state.steps} steps"
               f"{' with zero terminal SNR' if state.zero_snr else ''}, step t = {state.t}, "
               f"seed {state.seed}, {state.prior} prior.")
    return ViewSnapshot(path="/diffusion", query=state.to_query(),
                        title=f"{name}: diffusion step {state.t} of {state.steps}",
                        caption=caption, figures=tuple(figures), pictures=tuple(pictures),
                        texts=tuple(texts), notices=tuple(notices))
