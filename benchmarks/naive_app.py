"""A naive Dash app doing what the explorer does, the way a first version would.

Every slider move regenerates the noise, sends both images as PNG inside ``px.imshow``
figures, histograms with ``np.histogram`` / ``np.histogram2d`` and returns whole figures.
It is the baseline of ``benchmarks/bench_browser.py``; do not optimise it.
"""

from __future__ import annotations

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

GRAPHS = ("original-graph", "noisy-graph", "noise-graph", "noise-cdf-graph", "pmf-graph",
          "cdf-graph", "joint-graph", "color-3d-graph")


def create_naive_app(image: np.ndarray) -> Dash:
    """The naive explorer for one RGB uint8 ``image``."""
    app = Dash(__name__, serve_locally=True, update_title=None)
    app.layout = html.Div([
        dcc.Slider(id="mean-slider", min=-1, max=1, step=0.01, value=0.0),
        dcc.Slider(id="variance-slider", min=0, max=1, step=0.0005, value=0.01),
        html.Div([dcc.Graph(id=graph_id, style={"height": "420px"}) for graph_id in GRAPHS]),
    ])

    @app.callback([Output(g, "figure") for g in GRAPHS],
                  Input("mean-slider", "value"), Input("variance-slider", "value"))
    def update(mean, variance):
        noise = np.random.normal(mean, np.sqrt(variance), image.shape)
        noisy = (np.clip(image / 255.0 + noise, 0, 1) * 255).astype(np.uint8)
        original_fig = px.imshow(image, binary_string=True)
        noisy_fig = px.imshow(noisy, binary_string=True)
        pmf, cdf = go.Figure(), go.Figure()
        for c, name in enumerate(("red", "green", "blue")):
            counts, _ = np.histogram(noisy[..., c], bins=256, range=(0, 256))
            p = counts / counts.sum()
            pmf.add_trace(go.Scatter(x=np.arange(256), y=p, name=name))
            cdf.add_trace(go.Scatter(x=np.arange(256), y=np.cumsum(p), name=name))
        joint, _, _ = np.histogram2d(noisy[..., 2].ravel(), noisy[..., 1].ravel(), bins=64,
                                     range=[[0, 256], [0, 256]])
        joint_fig = go.Figure(go.Heatmap(z=np.log10(joint.T / joint.sum() + 1e-9)))
        density, edges = np.histogram(noise, bins=60, density=True)
        grid = np.linspace(edges[0], edges[-1], 201)
        sigma = max(np.sqrt(variance), 1e-12)
        pdf = np.exp(-0.5 * ((grid - mean) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
        noise_fig = go.Figure([go.Bar(x=edges[:-1], y=density), go.Scatter(x=grid, y=pdf)])
        ordered = np.sort(noise, axis=None)
        ecdf = np.searchsorted(ordered, grid, side="right") / ordered.size
        noise_cdf_fig = go.Figure(go.Scatter(x=grid, y=ecdf))
        counts, cube_edges = np.histogramdd(noisy.reshape(-1, 3), bins=16,
                                            range=[(0, 256)] * 3)
        occupied = np.argwhere(counts > 0)
        centres = [(cube_edges[a][occupied[:, a]] + 8) for a in range(3)]
        colour_fig = go.Figure(go.Scatter3d(
            x=centres[0], y=centres[1], z=centres[2], mode="markers",
            marker={"size": 3 + 20 * np.sqrt(counts[counts > 0] / counts.max()),
                    "color": [f"rgb({r:.0f},{g:.0f},{b:.0f})"
                              for r, g, b in zip(*centres, strict=True)]}))
        return (original_fig, noisy_fig, noise_fig, noise_cdf_fig, pmf, cdf, joint_fig,
                colour_fig)

    return app
