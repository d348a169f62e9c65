"""Crafted requests a hostile or broken client may send: callback bodies with values no control
produces (1e999, NaN, wrong types, wrong shapes), malformed Dash bodies, and odd paths.

A callback probe is described by the output it targets and the values it sends; its body is
written against the server's own ``/_dash-dependencies`` (:class:`Bodies`), so it names the
outputs, inputs and states the server registered. The server must answer every probe with a
4xx, or a 200 that updates nothing or shows a notice: never a 500, never a logged traceback.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

#: The embedded sample the probes look at.
SOURCE = "sample-astronaut"
CALLBACK_PATH = "/_dash-update-component"


class Raw:
    """A JSON value written as is (``1e999``, ``NaN``): Python's json reads both, and a forged
    body may carry them."""

    def __init__(self, text: str) -> None:
        self.text = text


INF = Raw("1e999")
NAN = Raw("NaN")
MINUS_INF = Raw("-1e999")


def dumps(value: Any) -> str:
    """JSON text of ``value`` with every :class:`Raw` written as its text."""
    raws: list[str] = []

    def marked(item: Any) -> Any:
        if isinstance(item, Raw):
            raws.append(item.text)
            return f"@@raw{len(raws) - 1}@@"
        if isinstance(item, dict):
            return {key: marked(v) for key, v in item.items()}
        if isinstance(item, list | tuple):
            return [marked(v) for v in item]
        return item

    text = json.dumps(marked(value))
    for index, raw in enumerate(raws):
        text = text.replace(f'"@@raw{index}@@"', raw)
    return text


def _split_outputs(output: str) -> Any:
    """The ``outputs`` field Dash's renderer sends for a callback's ``output`` string."""
    def one(text: str) -> dict[str, str]:
        name, _, prop = text.rpartition(".")
        return {"id": name, "property": prop.split("@")[0]}

    if output.startswith(".."):
        return [one(part) for part in output[2:-2].split("...")]
    return one(output)


class Bodies:
    """Callback bodies for the server callbacks of one app, from its ``/_dash-dependencies``."""

    def __init__(self, dependencies: list[Mapping[str, Any]]) -> None:
        self.dependencies = [d for d in dependencies if not d.get("clientside_function")]

    def find(self, output: str) -> Mapping[str, Any]:
        """The server callback whose output string contains ``output`` ("id.property")."""
        for dependency in self.dependencies:
            if output in dependency["output"]:
                return dependency
        raise LookupError(f"no server callback has the output {output!r}")

    def body(self, output: str, values: Mapping[str, Any],
             changed: list[str] | None = None) -> dict[str, Any]:
        """The body for the callback with ``output``: ``values`` maps "id.property" of its
        inputs and states to what is sent (None when absent); ``changed`` defaults to the
        inputs named in ``values``."""
        dependency = self.find(output)

        def fill(items: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
            return [{"id": item["id"], "property": item["property"],
                     "value": values.get(f"{item['id']}.{item['property']}")} for item in items]

        input_keys = [f"{i['id']}.{i['property']}" for i in dependency["inputs"]]
        return {
            "output": dependency["output"],
            "outputs": _split_outputs(dependency["output"]),
            "inputs": fill(dependency["inputs"]),
            "changedPropIds": changed if changed is not None
            else [key for key in input_keys if key in values],
            "state": fill(dependency["state"]),
        }


@dataclass(frozen=True)
class Probe:
    """One request. A POST targets the callback with ``output``, sending ``values`` (see
    :meth:`Bodies.body`), then ``edit`` may reshape the body; ``raw`` is sent as is instead."""

    name: str
    path: str = CALLBACK_PATH
    method: str = "POST"
    output: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    changed: list[str] | None = None
    edit: Callable[[dict[str, Any]], Any] | None = None
    raw: str | None = None

    def body(self, bodies: Bodies) -> str | None:
        """The text of the request body (None for a GET)."""
        if self.method == "GET":
            return None
        if self.raw is not None:
            return self.raw
        body: Any = bodies.body(self.output or "", self.values, self.changed)
        return dumps(self.edit(body) if self.edit is not None else body)


def tiny_png() -> str:
    """A data URL of a 4 x 4 PNG, as the upload component sends it."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 100, 50)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


EXPLORER_VIEW = {
    "view-tabs.active_tab": "colour3d", "artwork-select.value": SOURCE,
    "mean-slider.value": 0, "variance-slider.value": 0.01, "seed-input.value": 0,
    "selection-store.data": None, "joint-x.value": "blue", "joint-y.value": "green",
    "joint-image.value": "original", "joint-bins.value": 64, "given-store.data": None,
    "color-space.value": "rgb", "color-bins.value": 8, "drawn-store.data": None,
}
ARTIST_VIEW = {
    "artist-tabs.active_tab": "search", "artist-space.value": "rgb",
    "artist-timeline-stat.value": "mean_lightness", "artist-artwork-select.value": "",
    "artist-colour-1.value": "#e8b923", "artist-colour-2.value": "#2a4b8d",
    "artist-colour-3.value": "#c0432b", "artist-colour-use-1.value": True,
    "artist-colour-use-2.value": True, "artist-colour-use-3.value": False,
}
DIFFUSION_VIEW = {
    "diffusion-artwork-select.value": SOURCE, "diffusion-schedule.value": "linear",
    "diffusion-steps.value": 50, "diffusion-t-slider.value": 10,
    "diffusion-zero-snr.value": False, "diffusion-seed-input.value": 0,
    "diffusion-prior.value": "painting", "diffusion-drawn.data": None,
}


def _view(name: str, base: Mapping[str, Any], output: str, **changes: Any) -> Probe:
    return Probe(name, output=output, values={**base, **changes})


def _explorer(name: str, **changes: Any) -> Probe:
    return _view(name, EXPLORER_VIEW, "noise-graph.figure", **changes)


def _artist(name: str, **changes: Any) -> Probe:
    return _view(name, ARTIST_VIEW, "artist-search-results.children", **changes)


def _diffusion(name: str, **changes: Any) -> Probe:
    return _view(name, DIFFUSION_VIEW, "diffusion-step-text.children", **changes)


def _given(name: str, click: Any = None, selected: Any = None, bins: Any = 64) -> Probe:
    trigger = "joint-graph.selectedData" if selected is not None else "joint-graph.clickData"
    return Probe(name, output="given-store.data", changed=[trigger], values={
        "joint-graph.clickData": click, "joint-graph.selectedData": selected,
        "joint-bins.value": bins})


def _selection(name: str, trigger: str, value: Any, space: Any = "rgb",
               bins: Any = 16) -> Probe:
    return Probe(name, output="selection-store.data", changed=[trigger], values={
        trigger: value, "color-space.value": space, "color-bins.value": bins,
        "artwork-select.value": SOURCE})


def _upload(name: str, data: Any, options: Any = None) -> Probe:
    return Probe(name, output="upload-message.children", values={
        "upload-store.data": data, "artwork-select.options": options or []})


def _compare(name: str, item_id: Any, changed: str) -> Probe:
    def pattern_input(body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "inputs": [[{"id": item_id, "property": "n_clicks", "value": 1}]],
                "changedPropIds": [changed]}

    return Probe(name, output="artist-tabs.active_tab", edit=pattern_input)


def _malformed(name: str, edit: Callable[[dict[str, Any]], Any]) -> Probe:
    return Probe(name, output="upload-message.children",
                 values={"upload-store.data": {"contents": 5}}, edit=edit)


def _without(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: {k: v for k, v in body.items() if k != key}


def _with(**changes: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: {**body, **changes}


DRAG = "pmf-graph.selectedData"
CLICK_3D = "color-3d-graph.clickData"
PAGES = "_pages_content.children"

#: Every crafted request.
PROBES: tuple[Probe, ...] = (
    # The explorer's one view callback: every control value out of its domain.
    _explorer("explorer bins 1e999", **{"color-bins.value": INF}),
    _explorer("explorer bins NaN", **{"color-bins.value": NAN}),
    _explorer("explorer bins a dict", **{"color-bins.value": {"a": 1}}),
    _explorer("explorer joint bins 1e999", **{"view-tabs.active_tab": "joint",
                                              "joint-bins.value": INF}),
    _explorer("explorer given 1e999", **{"view-tabs.active_tab": "joint",
                                         "given-store.data": [INF, 3]}),
    _explorer("explorer given NaN", **{"view-tabs.active_tab": "joint",
                                       "given-store.data": [NAN, NAN]}),
    _explorer("explorer given a string", **{"view-tabs.active_tab": "joint",
                                            "given-store.data": "0-10"}),
    _explorer("explorer mean 1e999 variance NaN", **{
        "view-tabs.active_tab": "noise", "mean-slider.value": INF,
        "variance-slider.value": NAN}),
    _explorer("explorer seed -1e999", **{"view-tabs.active_tab": "noise",
                                         "seed-input.value": MINUS_INF}),
    _explorer("explorer active_tab a dict", **{"view-tabs.active_tab": {"tab": "noise"}}),
    _explorer("explorer active_tab a list", **{"view-tabs.active_tab": ["noise"]}),
    _explorer("explorer source a dict", **{"artwork-select.value": {"upload": 1}}),
    _explorer("explorer selection a dict", **{"selection-store.data": {"kind": "levels"}}),
    _explorer("explorer drawn a list", **{"drawn-store.data": [1, 2]}),
    # A click or a drag on the joint heatmap.
    _given("given click x 1e999", click={"points": [{"x": INF}]}),
    _given("given click x NaN", click={"points": [{"x": NAN}]}),
    _given("given click points [5]", click={"points": [5]}),
    _given("given click points a dict", click={"points": {"x": 1}}),
    _given("given click with bins 1e999", click={"points": [{"x": 3}]}, bins=INF),
    _given("given click with bins NaN", click={"points": [{"x": 3}]}, bins=NAN),
    _given("given click with bins 0", click={"points": [{"x": 3}]}, bins=0),
    _given("given click with bins -1e999", click={"points": [{"x": 3}]}, bins=MINUS_INF),
    _given("given selection 1e999 and NaN", selected={"range": {"x": [INF, NAN]}}),
    _given("given selection range a string", selected={"range": {"x": "ab"}}),
    _given("given selection range of lists", selected={"range": {"x": [[1], [2]]}}),
    _given("given selection range a number", selected={"range": 5}),
    _given("given selection a list", selected=[1, 2]),
    # A drag on the PMF or CDF, a click on a 3D colour scatter.
    _selection("selection curveNumber 999", DRAG,
               {"range": {"x": [1, 20]}, "points": [{"curveNumber": 999}]}),
    _selection("selection curveNumber 1e999", DRAG,
               {"range": {"x": [1, 20]}, "points": [{"curveNumber": INF}]}),
    _selection("selection curveNumber NaN", DRAG,
               {"range": {"x": [1, 20]}, "points": [{"curveNumber": NAN}]}),
    _selection("selection curveNumber -4", DRAG,
               {"range": {"x": [1, 20]}, "points": [{"curveNumber": -4}]}),
    _selection("selection curveNumber a string", DRAG,
               {"range": {"x": [1, 20]}, "points": [{"curveNumber": "red"}]}),
    _selection("selection points [5]", DRAG, {"range": {"x": [1, 20]}, "points": [5]}),
    _selection("selection points a number", DRAG, {"range": {"x": [1, 20]}, "points": 5}),
    _selection("selection range 1e999", DRAG, {"range": {"x": [INF, 20]}}),
    _selection("selection range NaN", DRAG, {"range": {"x": [NAN, NAN]}}),
    _selection("selection range strings", "cdf-graph.selectedData", {"range": {"x": "ab"}}),
    _selection("3D click customdata 1e999", CLICK_3D, {"points": [{"customdata": [INF]}]}),
    _selection("3D click customdata NaN", CLICK_3D, {"points": [{"customdata": [NAN]}]}),
    _selection("3D click points [5]", CLICK_3D, {"points": [5]}),
    _selection("3D click with bins 1e999", CLICK_3D, {"points": [{"customdata": [3]}]},
               bins=INF),
    _selection("3D click with space a dict", "color-3d-noisy-graph.clickData",
               {"points": [{"customdata": [3]}]}, space={"a": 1}),
    Probe("selection text 1e999 noise", output="selection-text.children", values={
        "selection-key.data": {"selection": "levels:red:noisy:0-10", "source": SOURCE,
                               "mean": INF, "variance": NAN, "seed": INF}}),
    Probe("selection text a list", output="selection-text.children",
          values={"selection-key.data": [1, 2]}),
    # An upload, as the browser's check hands it on.
    _upload("upload contents an int", {"contents": 5, "filename": "a.png"}),
    _upload("upload contents a list", {"contents": ["data:image/png;base64,AA"],
                                       "filename": "a.png"}),
    _upload("upload contents a dict", {"contents": {"a": 1}, "filename": "a.png"}),
    _upload("upload store an int", 5),
    _upload("upload store a list", ["data:image/png;base64,AA", "a.png"]),
    _upload("upload filename a dict", {"contents": tiny_png(), "filename": {"a": 1}}),
    _upload("upload filename a list", {"contents": tiny_png(), "filename": ["a.png"]}),
    _upload("upload options an int", {"contents": tiny_png(), "filename": "a.png"}, options=5),
    _upload("upload options [5]", {"contents": tiny_png(), "filename": "a.png"}, options=[5]),
    _upload("upload garbled base64", {"contents": "data:image/png;base64,@@@",
                                      "filename": "x"}),
    Probe("export format a dict", output="noise-graph.config",
          values={"export-format.value": {"a": 1}}),
    Probe("diffusion link variance 1e999", output="explorer-diffusion-link.href", values={
        "artwork-select.value": SOURCE, "variance-slider.value": INF,
        "seed-input.value": NAN}),
    # The artist page.
    _artist("artist active_tab a dict", **{"artist-tabs.active_tab": {"tab": "search"}}),
    _artist("artist stat a dict", **{"artist-timeline-stat.value": {"a": 1},
                                     "artist-tabs.active_tab": "timeline"}),
    _artist("artist space a list", **{"artist-space.value": ["rgb"],
                                      "artist-tabs.active_tab": "corpus"}),
    _artist("artist colour 1e999", **{"artist-colour-1.value": INF}),
    _artist("artist colour a dict", **{"artist-colour-2.value": {"hex": "#ffffff"}}),
    _artist("artist colour very long", **{"artist-colour-1.value": "#" + "f" * 100_000}),
    _artist("artist switch a dict", **{"artist-colour-use-1.value": {"on": True}}),
    _artist("artist artwork a list", **{"artist-artwork-select.value": ["x"],
                                        "artist-tabs.active_tab": "painting"}),
    Probe("artist query colours a list", output="artist-url-query.data", values={
        **ARTIST_VIEW, "artist-colour-1.value": ["#ffffff"], "artist-tabs.active_tab": 5}),
    _compare("artist compare index a dict", {"index": {"a": 1}, "type": "artist-compare"},
             '{"index":{"a":1},"type":"artist-compare"}.n_clicks'),
    _compare("artist compare index a number", {"index": 5, "type": "artist-compare"},
             '{"index":5,"type":"artist-compare"}.n_clicks'),
    _compare("artist compare changed id garbled", {"index": "x", "type": "artist-compare"},
             '{"index":.n_clicks'),
    # The diffusion page.
    _diffusion("diffusion t 1e999", **{"diffusion-t-slider.value": INF}),
    _diffusion("diffusion steps NaN", **{"diffusion-steps.value": NAN}),
    _diffusion("diffusion seed -1e999", **{"diffusion-seed-input.value": MINUS_INF}),
    _diffusion("diffusion schedule a dict", **{"diffusion-schedule.value": {"a": 1}}),
    _diffusion("diffusion prior a list", **{"diffusion-prior.value": ["artist"]}),
    _diffusion("diffusion zero-snr a dict", **{"diffusion-zero-snr.value": {"on": 1}}),
    _diffusion("diffusion source a dict", **{"diffusion-artwork-select.value": {"a": 1}}),
    Probe("diffusion slider steps 1e999", output="diffusion-t-slider.max", values={
        "diffusion-steps.value": INF, "diffusion-t-slider.value": NAN}),
    # Dash's page router.
    Probe("pages pathname a number", output=PAGES, values={
        "_pages_location.pathname": 5, "_pages_location.search": "?a=1"}),
    Probe("pages pathname a dict", output=PAGES, values={
        "_pages_location.pathname": {"a": 1}, "_pages_location.search": ""}),
    Probe("pages search a list", output=PAGES, values={
        "_pages_location.pathname": "/", "_pages_location.search": ["?mean=1"]}),
    Probe("pages explorer link 1e999", output=PAGES, values={
        "_pages_location.pathname": "/",
        "_pages_location.search": "?mean=1e999&variance=nan&bins=inf&given=1e999"}),
    # Bodies that are not a callback request of this app at all.
    Probe("body a JSON array", raw="[]"),
    Probe("body null", raw="null"),
    Probe("body a number", raw="5"),
    Probe("body a string", raw='"output"'),
    Probe("body an empty object", raw="{}"),
    Probe("body not JSON", raw='{"output": '),
    _malformed("unknown output", _with(output="no-such.children")),
    _malformed("output a list", _with(output=["upload-message.children"])),
    _malformed("inputs a number", _with(inputs=5)),
    _malformed("inputs [5]", _with(inputs=[5])),
    _malformed("inputs missing", _without("inputs")),
    _malformed("inputs too few", _with(inputs=[])),
    _malformed("input id a number", _with(inputs=[{"id": 5, "property": "data"}])),
    _malformed("state a dict", _with(state={"a": 1})),
    _malformed("state too many", lambda body: {**body, "state": body["state"] * 3}),
    _malformed("outputs a number", _with(outputs=5)),
    _malformed("outputs too few", lambda body: {**body, "outputs": body["outputs"][:1]}),
    _malformed("changedPropIds a number", _with(changedPropIds=5)),
    _malformed("changedPropIds [5]", _with(changedPropIds=[5])),
    # Paths.
    *(Probe(f"GET {path}", path=path, method="GET") for path in (
        "/_dash-component-suites/os/x.js",
        "/_dash-component-suites/dash/../../etc/passwd",
        "/_dash-component-suites/dash/no-such-file.js",
        "/image/noisy.jpg?src=sample-astronaut&mean=1e999&variance=0.01&seed=1",
        "/image/noisy.jpg?src=sample-astronaut&mean=0&variance=NaN&seed=1",
        "/image/noisy.jpg?src=sample-astronaut&mean=0&variance=0.01&seed=1e999",
        "/image/original.jpg?src=sample-astronaut&sel=bin:rgb:16:99999999:noisy",
        "/diffusion/image/xt.jpg?src=sample-astronaut&schedule=linear&steps=1e999"
        "&zero_snr=0&t=1&seed=0",
        "/diffusion/image/xt.jpg?src=sample-astronaut&schedule=linear&steps=50"
        "&zero_snr=0&t=NaN&seed=0",
        "/thumb/%00.jpg",
        "/?mean=1e999&variance=NaN&seed=-1e999&bins=inf&jbins=1e999&given=1e999",
        "/artist?colours=" + ",".join(["zz"] * 50) + "&stat=%00",
        "/diffusion?t=1e999&steps=NaN&seed=inf",
    )),
)
