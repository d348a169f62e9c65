"""A naive Dash version of the diffusion page, the way a first version would be written.

Every move of the t slider recomputes everything from the image: the schedule, the KL, mutual
information and expected-MSE curves over all steps, a fresh noise field, the exact per-pixel
denoiser (the posterior over every level, no tabulation), the marginals and correlations; it
sends the three pictures as PNG inside ``px.imshow`` figures and returns whole figures. The
numbers come from the same core functions where the page uses them, so the comparison is of
the plumbing (caching, patches, JPEG files by URL), not of the mathematics. It is the baseline
of ``benchmarks/bench_diffusion.py``; do not optimise it.
"""

from __future__ import annotations

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

from dashboard.core import diffusion
from dashboard.core.diffusion_schedules import alpha_bar, betas, log_snr

GRAPHS = ("x0-graph", "xt-graph", "denoised-graph", "marginal-graph", "schedule-graph",
          "information-graph", "correlation-graph")
STEPS = 1000


def create_naive_app(image: np.ndarray) -> Dash:
    """The naive diffusion page for one RGB uint8 ``image`` (linear schedule, T = 1000)."""
    app = Dash(__name__, serve_locally=True, update_title=None)
    app.layout = html.Div([
        dcc.Slider(id="t-slider", min=0, max=STEPS, step=1, value=250),
        html.Div([dcc.Graph(id=graph_id, style={"height": "420px"}) for graph_id in GRAPHS]),
    ])

    @app.callback([Output(g, "figure") for g in GRAPHS], Input("t-slider", "value"))
    def update(t):
        curve = alpha_bar("linear", STEPS)
        ab = curve[t]
        x0 = image / 255.0 * 2 - 1
        eps = np.random.default_rng(0).standard_normal(image.shape)
        x_t = np.sqrt(ab) * x0 + np.sqrt(1 - ab) * eps
        pmfs = np.stack([np.bincount(image[..., c].ravel(), minlength=256) / image[..., c].size
                         for c in range(3)])
        denoised = diffusion.posterior_mean_image(x_t, pmfs, ab)
        info = diffusion.information_curves(pmfs, curve)
        def to_levels(x):
            return (np.clip((x + 1) / 2, 0, 1) * 255).astype(np.uint8)

        pictures = [px.imshow(picture, binary_string=True)
                    for picture in (image, to_levels(x_t), to_levels(denoised))]

        marginal = go.Figure()
        grid = np.linspace(-3, 3, 601)
        levels = np.arange(256) / 255 * 2 - 1
        for c in range(3):
            density, edges = np.histogram(x_t[..., c], bins=160, range=(-3, 3), density=True)
            marginal.add_trace(go.Bar(x=edges[:-1], y=density))
            if ab < 1:
                mixture = (pmfs[c][:, None] * np.exp(
                    -(grid[None, :] - np.sqrt(ab) * levels[:, None]) ** 2 / (2 * (1 - ab)))
                    / np.sqrt(2 * np.pi * (1 - ab))).sum(axis=0)
                marginal.add_trace(go.Scatter(x=grid, y=mixture))

        schedule = go.Figure()
        for name in ("linear", "scaled-linear", "cosine"):
            values = alpha_bar(name, STEPS)
            schedule.add_trace(go.Scatter(y=values, name=name))
            schedule.add_trace(go.Scatter(y=log_snr(values), name=name))
            schedule.add_trace(go.Scatter(y=betas(name, STEPS), name=name))
        schedule.add_vline(x=t)

        information = go.Figure()
        for c in range(3):
            information.add_trace(go.Scatter(y=np.where(np.isfinite(info.kl_nats[c]),
                                                         info.kl_nats[c], np.nan)))
            information.add_trace(go.Scatter(y=info.mutual_information_bits[c]))
            information.add_trace(go.Scatter(y=info.mse_expected[c]))
        mse = ((denoised - x0) ** 2).reshape(-1, 3).mean(axis=0)
        information.add_trace(go.Scatter(x=[t] * 3, y=mse, mode="markers"))
        information.add_vline(x=t)

        covariance = np.cov(x0.reshape(-1, 3), rowvar=False, bias=True)
        theory = diffusion.correlation_theory(covariance, curve)
        sample = np.corrcoef(x_t.reshape(-1, 3), rowvar=False)
        correlation = go.Figure()
        for i, j in ((0, 1), (0, 2), (1, 2)):
            correlation.add_trace(go.Scatter(y=theory[:, i, j]))
            correlation.add_trace(go.Scatter(x=[t], y=[sample[i, j]], mode="markers"))
        return (*pictures, marginal, schedule, information, correlation)

    return app
