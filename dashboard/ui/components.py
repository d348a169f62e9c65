"""Layout pieces shared by the pages."""

from __future__ import annotations

from dash import dcc

from dashboard.figures.theme import graph_config


def loading_graph(graph_id: str, height: int = 380) -> dcc.Loading:
    """A graph of fixed ``height`` (px) with slide-size export, whose spinner shows only for
    updates slower than 300 ms."""
    return dcc.Loading(
        dcc.Graph(id=graph_id, config=graph_config("png", graph_id),
                  style={"height": f"{height}px"}),
        delay_show=300, type="circle",
    )
