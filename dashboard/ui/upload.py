"""Uploading one's own image, shared by the pages that show one (explorer, diffusion).

A drop zone that refuses in the browser what it cannot take (over the size limit, or not a
picture: ``assets/26-upload.js``), and the server side that decodes, checks and stores the
image in one of the worker's heavy-computation slots, then adds it to the page's artwork
selector and selects it. Each page names its components from one id (:class:`UploadIds`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html, no_update

from dashboard.core.images import ImageError
from dashboard.server import context
from dashboard.server.hardening import ServerBusy, heavy_slot
from dashboard.ui.query import shortened
from dashboard.ui.registry import CallbackRegistry

#: Media types the drop zone takes (the formats the image store decodes).
ACCEPT = "image/jpeg,image/png,image/webp,image/gif,image/tiff,image/bmp"


@dataclass(frozen=True)
class UploadIds:
    """Component ids of one page's upload: the zone, and stores and messages named after it."""

    zone: str

    @property
    def limit(self) -> str:
        return f"{self.zone}-limit"

    @property
    def store(self) -> str:
        return f"{self.zone}-store"

    @property
    def refused(self) -> str:
        """The message of a file refused in the browser (``assets/26-upload.js`` finds it by
        this name)."""
        return f"{self.zone}-refused"

    @property
    def message(self) -> str:
        return f"{self.zone}-message"


def upload_zone(ids: UploadIds, max_upload_bytes: int) -> html.Div:
    """The drop zone (refused in the browser above ``max_upload_bytes``) and its messages."""
    return html.Div([
        dcc.Upload(
            id=ids.zone, multiple=False, accept=ACCEPT,
            children=html.Div(["Drop your own image here or ", html.A("choose a file")]),
            className="upload-zone",
        ),
        dcc.Store(id=ids.limit, data=max_upload_bytes),
        dcc.Store(id=ids.store),
        html.Div(id=ids.refused, className="mt-2 text-danger", role="alert"),
        html.Div(id=ids.message, className="mt-2"),
    ])


def _garbled(name: str) -> tuple:
    return no_update, no_update, dbc.Alert(f"Could not read {name}: the upload was garbled.",
                                           color="danger", className="py-2")


def upload_outputs(contents: object, filename: object, options: object) -> tuple:
    """Validate and store an upload: ``(options, value, message)`` for the page's selector,
    with the upload added first and selected, or no_update and a message saying why not."""
    if not contents:
        return no_update, no_update, no_update
    # The name is the sender's: quote only a short piece of it.
    name = shortened(filename) if isinstance(filename, str) and filename else "the file"
    if not isinstance(contents, str):
        return _garbled(name)
    try:
        _header, _, payload = contents.partition(",")
        data = base64.b64decode(payload, validate=True)
    except (ValueError, TypeError):
        return _garbled(name)
    try:
        # Decoding holds the full-size pixels for a moment: one of the worker's heavy slots.
        with heavy_slot():
            source, image = context.store().save_upload(data)
    except ServerBusy:
        return no_update, no_update, dbc.Alert(
            f"The server is busy with other images and could not read {name}; please try "
            "again in a few seconds.", color="warning", className="py-2")
    except ImageError as error:
        return no_update, no_update, dbc.Alert(f"{name}: {error}", color="danger",
                                               className="py-2")
    height, width = image.pixels.shape[:2]
    label = f"Your upload: {name}"[:80]
    kept = [o for o in (options if isinstance(options, list) else [])
            if isinstance(o, dict) and o.get("value") != source]
    note = " (downscaled)" if image.downscaled else ""
    message = dbc.Alert(f"Loaded {name}: {width} × {height} px{note}.", color="success",
                        className="py-2", duration=6000)
    return [{"label": label, "value": source}, *kept], source, message


def register_upload(registry: CallbackRegistry, ids: UploadIds, select_id: str) -> None:
    """The upload's callbacks: the browser's size check, then storing it and selecting it in
    the artwork selector ``select_id``."""
    registry.clientside_callback(
        ClientsideFunction(namespace="upload", function_name="check"),
        Output(ids.store, "data"), Output(ids.refused, "children"),
        Input(ids.zone, "contents"), State(ids.zone, "filename"), State(ids.limit, "data"),
        prevent_initial_call=True,
    )

    registry.callback(
        Output(select_id, "options"), Output(select_id, "value"),
        Output(ids.message, "children"),
        Input(ids.store, "data"), State(select_id, "options"),
        prevent_initial_call=True,
    )(handle_upload)


def handle_upload(upload: object, options: object) -> tuple:
    """:func:`upload_outputs` of what the browser's check passed on (``{contents, filename}``;
    anything else, as a forged request may send, is refused with a message)."""
    upload = upload if isinstance(upload, dict) else {}
    return upload_outputs(upload.get("contents"), upload.get("filename"), options)
