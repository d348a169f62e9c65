"""Shared fixtures and markers.

* Tests marked ``@pytest.mark.corpus`` need the real Van Gogh images; they are skipped when
  ``DASHBOARD_ARTWORKS_DIR`` is not set (and fail loudly if it points nowhere). No artwork
  image is ever copied into the repository: the tiny corpus is generated.
* Every test in ``tests/deploy`` is marked ``deploy``; every test that drives Chromium is
  marked ``browser``. The fast tier is ``pytest -m "not browser and not deploy"``.
* The app on the embedded samples is built once per session: it holds no state a test could
  see besides its cache of pure results and its upload store. A test that changes what an
  app serves builds its own.

Helpers (ports, processes, Chromium, servers, the tiny corpus) live in ``tests/support``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.app import create_app
from dashboard.config import Settings, load_settings
from dashboard.data.corpus import Corpus
from tests.support.apps import samples_settings
from tests.support.chromium import MISSING, chromium_installed, launch_chromium
from tests.support.processes import free_port
from tests.support.redis_server import RedisServer, redis_server_binary
from tests.support.servers import serving
from tests.support.tiny_corpus import TinyCorpus, make_tiny_corpus

CORPUS_SKIP_REASON = "needs the real corpus: set DASHBOARD_ARTWORKS_DIR to the artworks folder"
DEPLOY_TESTS = Path(__file__).parent / "deploy"
#: Fixtures that start Chromium: a test using one is a browser test.
BROWSER_FIXTURES = {"browser", "page"}


def real_corpus_configured() -> bool:
    """Whether DASHBOARD_ARTWORKS_DIR is set (the artworks folder differs from the default)."""
    return load_settings().artworks_dir != Settings().artworks_dir


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_corpus = None
    if not real_corpus_configured():
        skip_corpus = pytest.mark.skip(reason=CORPUS_SKIP_REASON)
    for item in items:
        if item.path.is_relative_to(DEPLOY_TESTS):
            item.add_marker(pytest.mark.deploy)
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())) and (
            item.get_closest_marker("browser") is None
        ):
            item.add_marker(pytest.mark.browser)
        if skip_corpus is not None and item.get_closest_marker("corpus") is not None:
            item.add_marker(skip_corpus)


# --- the real corpus ----------------------------------------------------------------------


@pytest.fixture
def real_settings() -> Settings:
    """Settings from the environment, for ``@pytest.mark.corpus`` tests."""
    settings = load_settings()
    assert settings.artworks_dir.is_dir(), f"DASHBOARD_ARTWORKS_DIR={settings.artworks_dir}"
    return settings


@pytest.fixture
def real_corpus(real_settings: Settings) -> Corpus:
    """The real corpus named by DASHBOARD_ARTWORKS_DIR."""
    return Corpus.from_settings(real_settings)


# --- the tiny generated corpus ------------------------------------------------------------


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> TinyCorpus:
    """Four catalogued paintings (three files present, ``yellow-wheat-1890`` missing)."""
    return make_tiny_corpus(tmp_path)


# --- apps on the embedded samples (no corpus) ---------------------------------------------


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory):
    """The app on the embedded samples, shared by the session (do not change what it serves:
    build an app with :func:`fresh_app` for that)."""
    return create_app(samples_settings(tmp_path_factory.mktemp("samples-app")))


@pytest.fixture
def fresh_app(tmp_path: Path):
    """An app on the embedded samples with its own, empty cache folder ``tmp_path/cache``."""
    return create_app(samples_settings(tmp_path))


@pytest.fixture
def app_context(app):
    """The shared samples app, inside its Flask app context (callbacks call services that
    read the app's extensions and cache)."""
    with app.server.app_context():
        yield app


# --- real headless Chromium (Debian's chromium), shared by browser and deploy tests --------


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run (Playwright's sync API allows one driver per process)."""
    from playwright.sync_api import sync_playwright

    if not chromium_installed():
        pytest.fail(MISSING)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and uncaught page errors."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the app on the embedded samples, served over loopback HTTP."""
    root = tmp_path_factory.mktemp("browser-app")
    with serving(create_app(samples_settings(root)).server) as url:
        yield url


# --- a real redis-server -------------------------------------------------------------------


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A running redis-server on a free port; stopped after the test."""
    if redis_server_binary() is None:
        pytest.fail("redis-server is not installed: run `bash scripts/test.sh`")
    server = RedisServer(port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
