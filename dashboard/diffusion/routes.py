"""``/diffusion/image/<picture>.jpg``: the diffusion page's pictures as cacheable JPEG files.

``picture`` is ``x0`` (the image), ``xt`` (the noisy sample at step t), ``denoised`` (the
per-channel denoiser's output), ``colour-denoised`` (the 3D colour prior's) or
``structure-free`` (the painting's pixels redrawn independently). ``x_t`` and the denoised
images are real-valued on the data scale; they are mapped back to 0–255 with clipping for
display only. The query names everything a picture depends on, so the same URL always gives
the same bytes: a bad value is refused (400), an unknown image is 404, never a 500. An optional
``size=screen`` asks for every k-th pixel only (:func:`services.picture_jpeg`), what a
screen of one device pixel per CSS pixel shows; without it the picture has every pixel.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, abort, request

from dashboard.core.noise import SEED_RANGE
from dashboard.data.image_store import SourceUnavailableError
from dashboard.diffusion import services
from dashboard.diffusion.state import PRIORS, SCHEDULE_NAMES, STEPS_RANGE, DiffusionState
from dashboard.server import context
from dashboard.ui.query import read_number

#: The query parameters each picture depends on (besides ``src``).
PARAMETERS = {
    "x0": (),
    "structure-free": ("seed",),
    "xt": ("schedule", "steps", "zero_snr", "t", "seed"),
    "denoised": ("schedule", "steps", "zero_snr", "t", "seed", "prior"),
    "colour-denoised": ("schedule", "steps", "zero_snr", "t", "seed"),
}


def image_url(picture: str, state: DiffusionState, size: str = "full") -> str:
    """The URL of one picture of ``state`` at ``size`` (``services.PICTURE_SIZES``), naming
    only what that picture depends on."""
    values = {"schedule": state.schedule, "steps": state.steps,
              "zero_snr": int(state.zero_snr), "t": state.t, "seed": state.seed,
              "prior": state.prior}
    params = {"src": state.source, **{name: values[name] for name in PARAMETERS[picture]}}
    if size != "full":
        params["size"] = size
    return f"/diffusion/image/{picture}.jpg?{urlencode(params, safe=':')}"


def _whole(name: str, bounds: tuple[float, float]) -> int:
    """A whole-number query parameter within ``bounds``: a link built by the page never needs
    clamping, so anything else is refused (400) with the reason."""
    raw = request.args.get(name, "")
    problems: list[str] = []
    value = read_number(raw, name, bounds, problems)
    if value is None or problems or value != int(value):
        abort(400, f"{name} must be a whole number in [{bounds[0]:g}, {bounds[1]:g}].")
    return int(value)


def _choice(name: str, choices: tuple[str, ...], default: str = "") -> str:
    value = request.args.get(name, default)
    if value not in choices:
        abort(400, f"{name} must be one of {', '.join(choices)}.")
    return value


def requested_state(picture: str) -> DiffusionState:
    """The state a picture's query describes (defaults for what the picture ignores)."""
    source = request.args.get("src", "")
    if not context.store().is_known(source):
        abort(404, "This image is not on the server (unknown artwork or expired upload).")
    needed = PARAMETERS[picture]
    values: dict[str, object] = {}
    if "schedule" in needed:
        values["schedule"] = _choice("schedule", SCHEDULE_NAMES)
    if "steps" in needed:
        values["steps"] = _whole("steps", STEPS_RANGE)
    if "zero_snr" in needed:
        values["zero_snr"] = _choice("zero_snr", ("0", "1")) == "1"
    if "t" in needed:
        values["t"] = _whole("t", (0, values["steps"]))
    if "seed" in needed:
        values["seed"] = _whole("seed", SEED_RANGE)
    if "prior" in needed:
        values["prior"] = _choice("prior", PRIORS)
    return DiffusionState(source=source, **values)


def serve_picture(picture: str) -> Response:
    """Flask view: validate the query, then return the (cached) JPEG."""
    if picture not in PARAMETERS:
        abort(404)
    state = requested_state(picture)
    size = _choice("size", services.PICTURE_SIZES, default="full")
    try:
        data = services.picture_jpeg(picture, state, size)
    except SourceUnavailableError as error:
        abort(404, str(error))
    except services.PriorUnavailableError as error:
        abort(404, str(error))
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def register_picture_route(server: Flask) -> None:
    """Add the diffusion pictures' route to ``server``."""
    server.add_url_rule("/diffusion/image/<picture>.jpg", "diffusion_picture", serve_picture)
