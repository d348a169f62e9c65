"""``/image/<original|noisy>.jpg``: the explorer's pictures as cacheable JPEG files.

Callbacks send only this URL (a few hundred bytes); the browser fetches the JPEG once per
distinct view and caches it, since the same query always gives the same bytes.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from flask import Flask, Response, abort, request

from dashboard.data.image_store import SourceUnavailableError
from dashboard.explorer import services
from dashboard.explorer.state import (
    MEAN_RANGE,
    SEED_RANGE,
    VARIANCE_RANGE,
    round_mean,
    round_variance,
    selection_parts,
    valid_selection,
)

IMAGE_KINDS = ("original", "noisy")


def image_url(kind: str, source: str, mean: float, variance: float, seed: int,
              selection: str | None = None) -> str:
    """The URL of one picture of the explorer; noise parameters are left out of the original's
    URL unless the highlight depends on them."""
    params: dict[str, object] = {"src": source}
    noisy_involved = kind == "noisy" or (
        selection is not None and selection_parts(selection)["image"] == "noisy")
    if noisy_involved:
        params.update(mean=round_mean(mean), variance=round_variance(variance), seed=int(seed))
    if selection:
        params["sel"] = selection
    return f"/image/{kind}.jpg?{urlencode(params, safe=':')}"


def _number(name: str, bounds: tuple[float, float]) -> float:
    raw = request.args.get(name, "")
    try:
        value = float(raw)
    except ValueError:
        abort(400, f"{name} must be a number in [{bounds[0]:g}, {bounds[1]:g}]; got {raw!r}")
    if not math.isfinite(value) or not bounds[0] <= value <= bounds[1]:
        abort(400, f"{name} must be a number in [{bounds[0]:g}, {bounds[1]:g}]; got {raw!r}")
    return value


def serve_image(kind: str) -> Response:
    """Flask view: validate the query, then return the (cached) JPEG."""
    if kind not in IMAGE_KINDS:
        abort(404)
    source = request.args.get("src", "")
    if not services.store().is_known(source):
        abort(404, "This image is not on the server (unknown artwork or expired upload).")
    selection = request.args.get("sel") or None
    if selection is not None and not valid_selection(selection):
        abort(400, "sel is not a valid highlight selection")
    noisy_involved = kind == "noisy" or (
        selection is not None and selection_parts(selection)["image"] == "noisy")
    mean = variance = seed = None
    if noisy_involved:
        mean = round_mean(_number("mean", MEAN_RANGE))
        variance = round_variance(_number("variance", VARIANCE_RANGE))
        seed_value = _number("seed", SEED_RANGE)
        if seed_value != int(seed_value):
            abort(400, "seed must be a whole number")
        seed = int(seed_value)
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
