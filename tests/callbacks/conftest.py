"""An app on the embedded samples only (no corpus), with its own cache folder."""

from __future__ import annotations

import pytest

from dashboard.app import create_app
from dashboard.config import load_settings

SAMPLE = "sample-astronaut"


@pytest.fixture
def app(tmp_path):
    settings = load_settings(environ={}, artworks_dir=tmp_path / "artworks",
                             cache_dir=tmp_path / "cache")
    return create_app(settings)


@pytest.fixture
def app_context(app):
    """Callbacks call services that read the app's extensions and cache."""
    with app.server.app_context():
        yield app
