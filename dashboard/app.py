"""The Dash app factory: ``create_app(settings) -> Dash``.

``dashboard.app:server`` is the Flask server for gunicorn. It is built on first access (module
``__getattr__``), so importing this module has no side effects.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Dash, dcc, html

from dashboard import __version__
from dashboard.config import REPO_ROOT, Settings, load_settings
from dashboard.data.corpus import Corpus
from dashboard.data.image_store import ImageStore
from dashboard.server import context
from dashboard.server.cache import init_cache
from dashboard.server.hardening import install
from dashboard.ui.navbar import navbar

TITLE = "Noise & Colour"


def _register_pages(app: Dash) -> None:
    from dashboard.artist import page as artist
    from dashboard.diffusion import page as diffusion
    from dashboard.explorer import page as explorer
    from dashboard.story import page as story

    dash.register_page("explorer", path="/", name="Explorer", title=TITLE,
                       layout=explorer.layout)
    dash.register_page("artist", path="/artist", name="Van Gogh's colours",
                       title=f"{TITLE} · Van Gogh's colours", layout=artist.layout)
    dash.register_page("diffusion", path="/diffusion", name="Diffusion",
                       title=f"{TITLE} · Diffusion", layout=diffusion.layout)
    dash.register_page("story", path="/story", name="Story", title=f"{TITLE} · Story",
                       layout=story.layout)


def _register_callbacks(app: Dash) -> None:
    from dashboard.artist import callbacks as artist
    from dashboard.diffusion import callbacks as diffusion
    from dashboard.explorer import callbacks as explorer
    from dashboard.story import callbacks as story
    from dashboard.ui import story_control

    explorer.registry.register(app)
    artist.registry.register(app)
    diffusion.registry.register(app)
    story_control.registry.register(app)
    story.registry.register(app)


def create_app(settings: Settings | None = None) -> Dash:
    """Build the app for ``settings`` (default: :func:`load_settings` from the environment)."""
    settings = settings or load_settings()
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(REPO_ROOT / "assets"),
        title=TITLE,
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    # The page's language, for screen readers and for axe's html-has-lang rule.
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    server = app.server
    corpus = Corpus.from_settings(settings)
    context.bind(server, settings, corpus, ImageStore(settings, corpus))
    init_cache(server, settings)
    install(server, settings, health_details=lambda: {
        "artworks": corpus.has_artworks(), "version": __version__},
        callbacks=lambda: app.callback_map)
    from dashboard.artist.routes import register_thumbnail_route
    from dashboard.diffusion.routes import register_picture_route
    from dashboard.explorer.routes import register_image_route
    from dashboard.story.routes import register_story_routes

    register_image_route(server)
    register_story_routes(server)
    register_thumbnail_route(server)
    register_picture_route(server)
    _register_pages(app)
    _register_callbacks(app)
    app.layout = html.Div([
        navbar(TITLE),
        dbc.Container(dash.page_container, fluid=True, className="page", tag="main"),
        dcc.Store(id="app-version", data=__version__),
    ])
    return app


def prepare_to_serve(app: Dash) -> Dash:
    """Let Dash finish its one-time set-up (registering the script bundles it may serve) now,
    once every route and callback is in place; returns ``app``.

    Dash does it on a server's first request and marks it done before it is: a threaded worker
    that receives the page's script requests at once can answer one of them with a 500 ("not a
    registered library") and leave the page blank. One request served in-process here does the
    set-up before the server takes any. Flask accepts no new routes after it.
    """
    response = app.server.test_client().get("/_dash-layout")
    if response.status_code != 200:
        raise RuntimeError(f"the dashboard could not set itself up: HTTP {response.status_code}")
    return app


#: The one app of a gunicorn worker, built on first access to ``server``; everything else
#: (tests, the CLI) calls :func:`create_app` and holds its own.
_APP: Dash | None = None


def __getattr__(name: str):
    """``dashboard.app.server`` / ``.app``: the app for the environment's settings, built once."""
    global _APP
    if name in {"server", "app"}:
        if _APP is None:
            _APP = prepare_to_serve(create_app())
        return _APP.server if name == "server" else _APP
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
