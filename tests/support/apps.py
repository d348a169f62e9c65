"""Settings for an app on the embedded samples only (no corpus)."""

from __future__ import annotations

from pathlib import Path

from dashboard.config import Settings, load_settings

#: The embedded sample most tests look at (512 x 512 px).
SAMPLE = "sample-astronaut"


def samples_settings(root: Path) -> Settings:
    """Settings with an empty artworks folder (the samples only) and a cache below ``root``."""
    return load_settings(environ={}, artworks_dir=root / "artworks", cache_dir=root / "cache")
