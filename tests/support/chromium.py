"""Debian's headless Chromium under Playwright, for the browser tests and benchmarks."""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: No sandbox (containers run as root), no GPU, no background traffic, no QUIC on loopback.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
MISSING = "Debian's chromium is not installed: run `bash scripts/test.sh`"


def chromium_installed() -> bool:
    return Path(CHROMIUM).exists()


def launch_chromium(playwright):
    """A headless Chromium from Playwright's sync API (``sync_playwright()``)."""
    if not chromium_installed():
        raise RuntimeError(MISSING)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
