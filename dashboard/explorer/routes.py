"""``/image/<original|noisy>.jpg``: the explorer's pictures as cacheable JPEG files.

Callbacks send only this URL (a few hundred bytes); the browser fetches the JPEG once per
distinct view and caches it, since the same query always gives the same bytes.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, abort, request

from dashboard.data.image_store import SourceUnavailableError
from dashboard.explorer import services
from dashboard.explorer.state import (
    MEAN_RANGE,
    PICTURES,
    SEED_RANGE,
    VARIANCE_RANGE,
    Selection,
    ViewState,
)
from dashboard.server import context
from dashboard.ui.query import read_number


def image_url(picture: str, state: ViewState) -> str:
    """The URL of one picture of ``state``; noise parameters are left out of the original's
    URL unless the highlight depends on them."""
    params: dict[str, object] = {"src": state.source}
    highlight = state.highlight
    if picture == "noisy" or (highlight is not None and highlight.picture == "noisy"):
        params.update(mean=state.mean, variance=state.variance, seed=state.seed)
    if highlight is not None:
        params["sel"] = highlight.key
    return f"/image/{picture}.jpg?{urlencode(params, safe=':')}"


def _number(name: str, bounds: tuple[float, float]) -> float:
    """A query parameter within ``bounds``: a link built by the page never needs clamping, so
    anything else is refused (400) with the reason."""
    raw = request.args.get(name, "")
    problems: list[str] = []
    value = read_number(raw, name, bounds, problems)
    if value is None or problems:
        abort(400, f"{name} must be a number in [{bounds[0]:g}, {bounds[1]:g}]; "
                   f"{problems[0] if problems else ''}")
    return value


def serve_image(kind: str) -> Response:
    """Flask view: validate the query, then return the (cached) JPEG."""
    if kind not in PICTURES:
        abort(404)
    source = request.args.get("src", "")
    if not context.store().is_known(source):
        abort(404, "This image is not on the server (unknown artwork or expired upload).")
    highlight = None
    if request.args.get("sel"):
        highlight = Selection.read(request.args["sel"])
        if highlight is None:
            abort(400, "sel is not a valid highlight selection")
    mean = variance = seed = None
    if kind == "noisy" or (highlight is not None and highlight.picture == "noisy"):
        seed_value = _number("seed", SEED_RANGE)
        if seed_value != int(seed_value):
            abort(400, "seed must be a whole number")
        state = ViewState.from_controls(source, _number("mean", MEAN_RANGE),
                                        _number("variance", VARIANCE_RANGE), seed_value)
        mean, variance, seed = state.noise
    selection = highlight.key if highlight is not None else None
    try:
        data = services.image_jpeg(source, kind, mean, variance, seed, selection)
    except SourceUnavailableError as error:
        abort(404, str(error))
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def register_image_route(server: Flask) -> None:
    """Add the image route to ``server``."""
    server.add_url_rule("/image/<kind>.jpg", "dashboard_image", serve_image)
