"""One explorer view for a story slide or the offline report (:mod:`dashboard.ui.snapshot`)."""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.core.vocabulary import CHANNELS
from dashboard.data.image_store import SourceUnavailableError
from dashboard.explorer import services
from dashboard.explorer.callbacks import TAB_OUTPUTS, fit_outputs, view_outputs
from dashboard.explorer.state import parse_query
from dashboard.server import context
from dashboard.ui.snapshot import ViewSnapshot, component_text, drawn_outputs
from dashboard.ui.sources import artwork_options, default_source

#: The tabs' names, as the page's tab bar writes them.
TAB_LABELS = {"noise": "Noise", "distributions": "Colour distribution",
              "joint": "Joint & conditional", "colour3d": "3D colour"}


def source_label(source: str) -> str:
    """The artwork's title as the selector shows it ("Your upload" for an upload)."""
    for option in artwork_options(context.corpus(), source):
        if option["value"] == source:
            return option["label"]
    return source


def snapshot(query: Mapping[str, str]) -> ViewSnapshot:
    """What ``/?<query>`` shows: the visible tab's figures and texts, and both pictures."""
    store = context.store()
    state, notices = parse_query(query, is_known_source=store.is_known,
                                 default_source=default_source(context.corpus()))
    outputs = view_outputs(state)[:-1]  # the last is the page's record of what is drawn
    specs = [spec for tab in TAB_OUTPUTS.values() for spec in tab]
    figures, texts = drawn_outputs(specs, outputs)
    # The goodness of fit has its own callback on the page (the figures do not wait for it);
    # the page writes each channel's name before its sentence.
    for label, value in zip(("", *(c.capitalize() for c in CHANNELS)), fit_outputs(state),
                            strict=True):
        if text := component_text(value):
            texts.append(label + text)
    label = source_label(state.source)
    pictures = []
    highlight = state.highlight
    for picture in ("original", "noisy"):
        noisy = picture == "noisy" or (highlight is not None and highlight.picture == "noisy")
        noise = state.noise if noisy else (None, None, None)
        try:
            pictures.append((f"{label}, {picture}",
                             services.image_jpeg(state.source, picture, *noise, state.selection)))
        except SourceUnavailableError as error:
            notices.append(str(error))
            break
    caption = (f"{label}: Gaussian noise with mean {state.mean:g} and variance "
               f"{state.variance:g} (seed {state.seed}), {TAB_LABELS[state.view]} tab.")
    return ViewSnapshot(path="/", query=state.to_query(),
                        title=f"{label}: {TAB_LABELS[state.view].lower()}, "
                              f"variance {state.variance:g}",
                        caption=caption, figures=tuple(figures), pictures=tuple(pictures),
                        texts=tuple(texts), notices=tuple(notices))
