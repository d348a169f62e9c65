"""Command line: ``python -m dashboard [serve|report|data] ...`` (``serve`` is the default)."""

from __future__ import annotations

import sys

from dashboard.cli.parsing import OneLineParser, UsageError
from dashboard.config import SettingsError, load_settings

USAGE = """usage: python -m dashboard [serve] [--host HOST] [--port PORT] [--debug]
       python -m dashboard report (--image PATH | --artwork ID) [options] --json OUT
       python -m dashboard data (status | import DIR | download | index) [options]

Run `python -m dashboard COMMAND --help` for the options of a command."""


def serve(argv: list[str]) -> int:
    """Run the development server (use gunicorn in production, see the Procfile)."""
    parser = OneLineParser(prog="python -m dashboard serve", description="Serve the dashboard.")
    parser.add_argument("--host", help="interface to bind (default: HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="TCP port (default: PORT or 8050)")
    parser.add_argument("--debug", action="store_true", default=None,
                        help="Dash debug mode (never in production)")
    try:
        args = parser.parse_args(argv)
        settings = load_settings(host=args.host, port=args.port, debug=args.debug)
    except (SettingsError, UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from dashboard.app import create_app, prepare_to_serve

    app = prepare_to_serve(create_app(settings))
    app.run(host=settings.host, port=settings.port, debug=settings.debug)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command = argv[0] if argv and not argv[0].startswith("-") else "serve"
    rest = argv[1:] if argv and argv[0] == command else argv
    if command == "serve":
        return serve(rest)
    if command == "report":
        from dashboard.cli.report import main as report_main

        return report_main(rest)
    if command == "data":
        from dashboard.cli.data import main as data_main

        return data_main(rest)
    print(f"error: unknown command {command!r}\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
