"""``python -m dashboard serve``: the dashboard under gunicorn, as the Procfile runs it.

The server runs in this process (:class:`DashboardServer`) with every setting of
``gunicorn.conf.py``, bound to ``--host``/``--port`` instead of the Procfile's
``0.0.0.0:$PORT``. ``--debug`` (or ``DASHBOARD_DEBUG``) runs Dash's development server
instead, with its debugging tools and without the reloader.
"""

from __future__ import annotations

import argparse
import runpy
import sys
from dataclasses import replace

from gunicorn.app.base import BaseApplication

from dashboard.config import REPO_ROOT, Settings, SettingsError, env_name, load_settings

#: The gunicorn settings of the Procfile, shared with this command.
GUNICORN_CONFIG = REPO_ROOT / "gunicorn.conf.py"


def bind_address(host: str, port: int) -> str:
    """``host:port`` as gunicorn's ``bind`` takes it (an IPv6 address in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class DashboardServer(BaseApplication):
    """gunicorn with the settings of ``gunicorn.conf.py``, bound to ``settings.host:port``.

    Each worker builds its own app on start (``preload_app`` stays off), as under the Procfile.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__(prog="python -m dashboard serve")

    def load_config(self) -> None:
        # Read the file the Procfile uses rather than repeating its values here.
        for name, value in runpy.run_path(str(GUNICORN_CONFIG)).items():
            if name in self.cfg.settings and value is not None:
                self.cfg.set(name, value)
        self.cfg.set("bind", [bind_address(self.settings.host, self.settings.port)])

    def load(self):
        from dashboard.app import create_app, prepare_to_serve

        return prepare_to_serve(create_app(self.settings)).server


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``serve`` command to the subcommands ``commands`` of the one CLI tree."""
    parser = commands.add_parser(
        "serve",
        help="serve the dashboard (the default command)",
        description="Serve the dashboard with gunicorn (the settings of gunicorn.conf.py).",
    )
    parser.add_argument(
        "--host",
        help=f"interface to bind (default: {env_name('host')} or {Settings.host})",
    )
    parser.add_argument(
        "--port", type=int, help=f"TCP port (default: {env_name('port')} or {Settings.port})"
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=None,
        help="Dash's development server with its debugging tools (never in production)",
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Serve until stopped (Ctrl+C or SIGTERM); 2 if a setting is unusable."""
    given = {
        name: value
        for name, value in (("host", args.host), ("port", args.port), ("debug", args.debug))
        if value is not None
    }
    try:
        if settings is None:
            settings = load_settings(**given)
        else:
            checked = load_settings({}, **given)  # the arguments, checked as the environment is
            settings = replace(settings, **{name: getattr(checked, name) for name in given})
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    address = bind_address(settings.host, settings.port)
    print(f"Noise & Colour on http://{address}/ (Ctrl+C stops it)", flush=True)
    if settings.debug:
        from dashboard.app import create_app, prepare_to_serve

        app = create_app(settings)
        # Dash's debugging tools add an error handler, which Flask refuses once the set-up
        # request of prepare_to_serve has been served: enable them first, then serve with
        # Flask's own run (Dash's would enable them a second time).
        app.enable_dev_tools(debug=True)
        prepare_to_serve(app).server.run(
            host=settings.host, port=settings.port, debug=True, use_reloader=False
        )
        return 0
    DashboardServer(settings).run()
    return 0
