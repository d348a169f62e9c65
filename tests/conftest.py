"""Shared fixtures: a tiny generated corpus, and the switch for tests on the real one.

Tests marked ``@pytest.mark.corpus`` need the real Van Gogh images; they are skipped
when ``DASHBOARD_ARTWORKS_DIR`` is not set (and fail loudly if it points nowhere).
No artwork image is ever copied into the repository: the tiny corpus is generated.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dashboard.config import Settings, load_settings
from dashboard.data.corpus import CATALOGUE_COLUMNS, Corpus

CORPUS_SKIP_REASON = "needs the real corpus: set DASHBOARD_ARTWORKS_DIR to the artworks folder"


def real_corpus_configured() -> bool:
    """Whether DASHBOARD_ARTWORKS_DIR is set (the artworks folder differs from the default)."""
    return load_settings().artworks_dir != Settings().artworks_dir


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if real_corpus_configured():
        return
    skip = pytest.mark.skip(reason=CORPUS_SKIP_REASON)
    for item in items:
        if "corpus" in item.keywords:
            item.add_marker(skip)


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

#: (id, title, year, period, colour of the generated image, (width, height), file written)
TINY_ROWS: tuple[tuple[str, str, int, str, tuple[int, int, int], tuple[int, int], bool], ...] = (
    ("red-field-1884", "Red Field", 1884, "dutch", (200, 30, 20), (48, 32), True),
    ("green-street-1887", "Green Street", 1887, "paris", (30, 160, 60), (32, 48), True),
    ("blue-night-1888", "Blue Night", 1888, "arles", (20, 40, 190), (40, 40), True),
    ("yellow-wheat-1890", "Yellow Wheat", 1890, "auvers", (230, 200, 40), (60, 30), False),
)


def tiny_image(colour: tuple[int, int, int], size: tuple[int, int]) -> np.ndarray:
    """A ``size`` = (width, height) image: ``colour`` with a gentle horizontal ramp."""
    width, height = size
    ramp = np.linspace(-20, 20, width)[None, :, None]
    pixels = np.clip(np.asarray(colour, dtype=float)[None, None, :] + ramp, 0, 255)
    return np.broadcast_to(pixels, (height, width, 3)).round().astype(np.uint8)


def jpeg_bytes(pixels: np.ndarray, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def write_catalogue(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CATALOGUE_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in CATALOGUE_COLUMNS})


@dataclass
class TinyCorpus:
    """A generated catalogue and artworks folder in ``tmp_path``."""

    root: Path
    catalogue_path: Path
    artworks_dir: Path
    cache_dir: Path
    rows: list[dict[str, object]]
    #: id -> encoded JPEG bytes, for every row (also the one not written to disk).
    files: dict[str, bytes]

    @property
    def settings(self) -> Settings:
        return load_settings(
            environ={},
            catalogue_path=self.catalogue_path,
            artworks_dir=self.artworks_dir,
            cache_dir=self.cache_dir,
        )

    def corpus(self, **options: object) -> Corpus:
        return Corpus(self.catalogue_path, self.artworks_dir, **options)

    @property
    def present_ids(self) -> list[str]:
        return [row["id"] for row in self.rows if (self.artworks_dir / row["file"]).exists()]


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> TinyCorpus:
    """Four catalogued paintings (three files present, ``yellow-wheat-1890`` missing)."""
    artworks_dir = tmp_path / "artworks"
    artworks_dir.mkdir()
    rows: list[dict[str, object]] = []
    files: dict[str, bytes] = {}
    for artwork_id, title, year, period, colour, size, written in TINY_ROWS:
        data = jpeg_bytes(tiny_image(colour, size))
        files[artwork_id] = data
        file = f"{artwork_id}.jpg"
        if written:
            (artworks_dir / file).write_bytes(data)
        rows.append(
            {
                "id": artwork_id,
                "file": file,
                "title": title,
                "year": year,
                "place": "Testville",
                "period": period,
                "width": size[0],
                "height": size[1],
                "sha256": hashlib.sha256(data).hexdigest(),
                "source": "generated by tests/conftest.py",
                "commons_file": f"{title}.jpg",
            }
        )
    catalogue_path = tmp_path / "catalogue.csv"
    write_catalogue(catalogue_path, rows)
    return TinyCorpus(
        root=tmp_path,
        catalogue_path=catalogue_path,
        artworks_dir=artworks_dir,
        cache_dir=tmp_path / "cache",
        rows=rows,
        files=files,
    )


# --- real headless Chromium (Debian's chromium), shared by browser and deploy tests --------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run (Playwright's sync API allows one driver per process)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `bash scripts/test.sh`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
