"""``python -m dashboard [serve | report | diffusion | data] ...``: see
:mod:`dashboard.cli.main`."""

from dashboard.config import limit_native_threads

limit_native_threads()  # before numpy is imported by the commands

from dashboard.cli.main import main  # noqa: E402

raise SystemExit(main())
