"""The one command line: ``python -m dashboard [serve | report | diffusion | data | story] ...``.

One argparse tree holds every command; each command module adds its own parser
(``add_parser``) and names the function that runs it (``run(args, settings)``).
Without a command, the dashboard is served. Bad usage is one line on stderr and exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from dashboard.cli import data, diffusion, report, serve, story
from dashboard.cli.parsing import OneLineParser, UsageError
from dashboard.config import Settings

PROG = "python -m dashboard"
COMMANDS = ("serve", "report", "diffusion", "data", "story")
HELP_FLAGS = frozenset({"-h", "--help"})
USAGE = f"""{PROG} [serve] [--host HOST] [--port PORT] [--debug]
       {PROG} report (--image PATH | --artwork ID) [options] --json OUT
       {PROG} diffusion (--image PATH | --artwork ID) --schedule NAME --t T [options] --json OUT
       {PROG} data (status | import DIR | download | index | snapshot) [options]
       {PROG} data collection (add NAME DIR [--metadata CSV] | list | remove NAME)
       {PROG} story export --url URL [--url URL ...] [--title TEXT] --html OUT"""


def build_parser() -> OneLineParser:
    """The whole command line: ``serve``, ``report``, ``diffusion`` and ``data`` under one
    parser."""
    parser = OneLineParser(
        prog=PROG,
        usage=USAGE,
        description="Noise & Colour: Gaussian noise on images, and the colour distributions "
        "of Van Gogh's paintings. Without a command, the dashboard is served.",
        epilog=f"Run `{PROG} COMMAND --help` for the options of a command.",
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", title="commands", prog=PROG,
        parser_class=OneLineParser,
    )
    commands.required = True
    for module in (serve, report, diffusion, data, story):
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None, *, settings: Settings | None = None) -> int:
    """Run the command in ``argv`` (default: ``sys.argv[1:]``); return its exit status.

    ``settings`` replace the environment's (for tests); command-line options still apply.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["help"]:
        argv = ["--help"]
    if not argv or (argv[0].startswith("-") and argv[0] not in HELP_FLAGS):
        argv = ["serve", *argv]  # the dashboard is the default command
    try:
        if argv[0] not in COMMANDS and argv[0] not in HELP_FLAGS:
            raise UsageError(
                f"unknown command {argv[0]!r}; use one of {', '.join(COMMANDS)} (see --help)"
            )
        args = build_parser().parse_args(argv)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SystemExit as request:  # --help: argparse has printed it
        return int(request.code or 0)
    return args.run(args, settings)
