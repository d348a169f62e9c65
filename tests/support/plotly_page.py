"""Reading and clicking plotly graphs in a Playwright page through plotly.js's public state.

A graph's ``gd.data`` and ``gd.layout`` are the figure as the server sent it (plus the axis
ranges plotly computed): numbers may arrive as typed-array specs (``{dtype, bdata}``, see
``dashboard.figures.theme.packed``), which :data:`VALUES_JS` decodes in the page.
"""

from __future__ import annotations

from typing import Any

#: ``values(v)``: a typed-array spec decoded to a typed array (2-D specs to an array of rows);
#: anything else as it is.
VALUES_JS = """
const values = (v) => {
  if (!v || typeof v !== 'object' || typeof v.bdata !== 'string') { return v; }
  const types = {f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array,
                 i2: Int16Array, u2: Uint16Array, i1: Int8Array, u1: Uint8Array,
                 u1c: Uint8ClampedArray};
  const bytes = Uint8Array.from(atob(v.bdata), (c) => c.charCodeAt(0));
  const flat = new types[v.dtype](bytes.buffer);
  const shape = String(v.shape || flat.length).split(',').map(Number);
  if (shape.length === 1) { return flat; }
  return Array.from({length: shape[0]},
                    (_, i) => flat.subarray(i * shape[1], (i + 1) * shape[1]));
};
"""


def _graph_function(expression: str) -> str:
    """A page function of ``[graph id, arg]`` evaluating ``expression`` with ``g`` the graph
    div (``null`` before it exists) and ``values`` in scope."""
    return f"""([id, arg]) => {{
        {VALUES_JS}
        const g = document.querySelector('#' + id + ' .js-plotly-plot');
        return ({expression});
    }}"""


def graph_eval(page, graph_id: str, expression: str, arg: Any = None) -> Any:
    """The value of the JS ``expression`` (``g``, ``values`` and ``arg`` in scope)."""
    return page.evaluate(_graph_function(expression), [graph_id, arg])


def wait_for_graph_state(
    page, graph_id: str, condition: str, arg: Any = None, timeout: float = 20_000
) -> None:
    """Wait until the JS ``condition`` holds (``g``, ``values`` and ``arg`` in scope)."""
    page.wait_for_function(
        _graph_function(f"!!g && !!g.data && ({condition})"), arg=[graph_id, arg],
        timeout=timeout)


def wait_for_graph(page, graph_id: str, min_traces: int = 1, timeout: float = 20_000) -> None:
    """Wait until the graph holds at least ``min_traces`` traces."""
    wait_for_graph_state(page, graph_id, "g.data.length >= arg", min_traces, timeout)


def shown_text(page, element_id: str, text: str, timeout: float = 20_000) -> None:
    """Wait until the element shows ``text`` on screen (``innerText``: a dcc.Loading keeps what
    it wraps hidden for a moment after its graph is drawn, and hidden text does not count)."""
    page.wait_for_function(
        "([id, text]) => (document.getElementById(id) || {innerText: ''}).innerText"
        ".includes(text)", arg=[element_id, text], timeout=timeout)


def trace_values(page, graph_id: str, index: int, axis: str = "y") -> list[float]:
    """``data[index][axis]`` of the graph as plain numbers."""
    return graph_eval(page, graph_id, "Array.from(values(g.data[arg[0]][arg[1]]))",
                      [index, axis])


def point_position(page, graph_id: str, x: float, y: float) -> tuple[float, float]:
    """The page coordinates (px) of the data point (x, y) on the graph's main (x, y) axes.

    From the axis ranges plotly writes back into ``gd.layout`` and the plot area's box
    (its drag layer), for linear axes.
    """
    graph = page.locator(f"#{graph_id} .js-plotly-plot")
    graph.scroll_into_view_if_needed()
    x_range, y_range, x_type, y_type = graph_eval(
        page, graph_id,
        "[g.layout.xaxis.range, g.layout.yaxis.range, g.layout.xaxis.type, g.layout.yaxis.type]")
    assert x_type in (None, "linear") and y_type in (None, "linear"), (x_type, y_type)
    box = page.locator(f"#{graph_id} .nsewdrag[data-subplot=xy]").bounding_box()
    left = box["x"] + (x - x_range[0]) / (x_range[1] - x_range[0]) * box["width"]
    top = box["y"] + (y_range[1] - y) / (y_range[1] - y_range[0]) * box["height"]
    return left, top
