"""An argparse parser whose errors are one line (what was wrong, where to look), exit 2."""

from __future__ import annotations

import argparse


class UsageError(ValueError):
    """Bad command-line usage; the message is one line."""


class OneLineParser(argparse.ArgumentParser):
    """``error()`` raises :class:`UsageError` instead of printing argparse's usage dump."""

    def error(self, message: str) -> None:
        raise UsageError(f"{self.prog}: {message} (see --help)")
