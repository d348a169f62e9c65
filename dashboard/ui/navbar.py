"""The navigation bar shared by every page."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.ui.story_control import draft_store

#: (label, path) of each page, in the order of the navigation bar.
PAGES = (("Explorer", "/"), ("Van Gogh's colours", "/artist"), ("Diffusion", "/diffusion"),
         ("Story", "/story"))


def navbar(title: str) -> dbc.Navbar:
    """The dark bar at the top: the product's name and a link to each page; it also holds the
    story being edited (localStorage), which every page can add to."""
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand([html.Span(title, className="brand-title"),
                         html.Span(" · a probability view of diffusion models",
                                   className="brand-subtitle d-none d-md-inline")],
                        href="/"),
        dbc.Nav([dbc.NavItem(dbc.NavLink(label, href=path, active="exact"))
                 for label, path in PAGES], navbar=True),
        draft_store(),
    ], fluid=True), color="dark", dark=True, className="mb-3")
