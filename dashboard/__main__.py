"""``python -m dashboard [serve | report | data] ...``: see :mod:`dashboard.cli.main`."""

from dashboard.cli.main import main

raise SystemExit(main())
