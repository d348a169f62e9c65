"""The artwork catalogue and the corpus: listing, look-up, loading, samples."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dashboard.config import REPO_ROOT, load_settings
from dashboard.core.images import ImageError
from dashboard.data.corpus import (
    CATALOGUE_COLUMNS,
    CORPUS_HELP,
    PERIOD_IDS,
    PERIODS,
    SAMPLE_PERIOD,
    ArtworkUnavailableError,
    CatalogueError,
    Corpus,
    UnknownArtworkError,
    is_writable_dir,
    read_catalogue,
    sample_artworks,
    sample_dir,
)
from tests.support.tiny_corpus import write_catalogue

REPO_CATALOGUE = REPO_ROOT / "data" / "catalogue.csv"


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the committed catalogue --------------------------------------------------------------


def test_committed_catalogue_has_every_column_and_79_rows() -> None:
    rows = csv_rows(REPO_CATALOGUE)
    assert len(rows) == 79
    assert tuple(rows[0]) == CATALOGUE_COLUMNS


def test_committed_catalogue_integrity() -> None:
    rows = csv_rows(REPO_CATALOGUE)
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == len(ids)
    assert len({row["sha256"] for row in rows}) == len(rows)
    for row in rows:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row["id"]), row["id"]
        assert row["file"] == f"{row['id']}.jpg"
        assert row["period"] in PERIOD_IDS
        assert 1880 <= int(row["year"]) <= 1890
        assert max(int(row["width"]), int(row["height"])) <= 1024
        assert re.fullmatch(r"[0-9a-f]{64}", row["sha256"])
        assert row["title"].strip()


def test_committed_catalogue_years_fit_their_periods() -> None:
    # Years as given by the corpus README (Antwerp 1885-86 counts as Paris).
    allowed = {
        "dutch": range(1881, 1886),
        "paris": range(1885, 1889),
        "arles": range(1888, 1890),
        "saint-remy": range(1889, 1891),
        "auvers": range(1890, 1891),
    }
    for row in csv_rows(REPO_CATALOGUE):
        assert int(row["year"]) in allowed[row["period"]], row["id"]


def test_committed_catalogue_period_counts() -> None:
    counts: dict[str, int] = {}
    for row in csv_rows(REPO_CATALOGUE):
        counts[row["period"]] = counts.get(row["period"], 0) + 1
    assert counts == {"dutch": 9, "paris": 17, "arles": 22, "saint-remy": 17, "auvers": 14}


def test_read_catalogue_parses_the_committed_file() -> None:
    artworks = read_catalogue(REPO_CATALOGUE)
    assert len(artworks) == 79
    rows = {row["id"]: row for row in csv_rows(REPO_CATALOGUE)}
    for artwork in artworks:
        row = rows[artwork.id]
        assert artwork.year == int(row["year"])
        assert (artwork.width, artwork.height) == (int(row["width"]), int(row["height"]))
        assert artwork.title == row["title"] and artwork.commons_file == row["commons_file"]
    keys = [(a.year, a.title.casefold()) for a in artworks]
    assert keys == sorted(keys)


def test_periods_are_ordered_with_labels_and_years() -> None:
    assert PERIOD_IDS == ("dutch", "paris", "arles", "saint-remy", "auvers")
    assert [p.label for p in PERIODS] == ["Dutch", "Paris", "Arles", "Saint-Rémy", "Auvers"]
    assert PERIODS[0] == ("dutch", "Dutch", "1881–1885")
    assert all(p.years for p in PERIODS)


# --- catalogue validation -----------------------------------------------------------------


def good_row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "a-painting-1888",
        "file": "a-painting-1888.jpg",
        "title": "A Painting",
        "year": 1888,
        "place": "Arles",
        "period": "arles",
        "width": 10,
        "height": 20,
        "sha256": "0" * 64,
    }
    row.update(changes)
    return row


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "Bad Id"}, "id='Bad Id'"),
        ({"file": "../../etc/passwd"}, "file='../../etc/passwd'"),
        ({"file": "sub/dir.jpg"}, "not a plain file name"),
        ({"period": "cubist"}, "period='cubist'"),
        ({"year": "soon"}, "year='soon'"),
        ({"width": 0}, "width=0"),
        ({"sha256": "xyz"}, "sha256='xyz'"),
        ({"title": ""}, "title is empty"),
    ],
)
def test_bad_catalogue_rows_name_the_line(tmp_path, changes, message) -> None:
    path = tmp_path / "catalogue.csv"
    write_catalogue(path, [good_row(id="fine-1888", file="fine-1888.jpg"), good_row(**changes)])
    with pytest.raises(CatalogueError, match="line 3") as excinfo:
        read_catalogue(path)
    assert message in str(excinfo.value)


def test_duplicate_ids_are_rejected(tmp_path) -> None:
    path = tmp_path / "catalogue.csv"
    write_catalogue(path, [good_row(), good_row(file="other.jpg")])
    with pytest.raises(CatalogueError, match="appears more than once"):
        read_catalogue(path)


def test_missing_column_and_missing_file(tmp_path) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text("id,file,title\nx,x.jpg,X\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="lacks the column"):
        read_catalogue(path)
    with pytest.raises(CatalogueError, match="does not exist"):
        read_catalogue(tmp_path / "nope.csv")


# --- the corpus on a tiny generated catalogue ---------------------------------------------


def test_listing_is_sorted_by_year_then_title_with_samples_last(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus()
    ids = [a.id for a in corpus.artworks()]
    assert ids[:4] == [
        "red-field-1884",
        "green-street-1887",
        "blue-night-1888",
        "yellow-wheat-1890",
    ]
    assert all(i.startswith("sample-") for i in ids[4:])
    assert corpus.ids == tuple(ids)
    assert len(corpus) == len(ids)
    assert [a.id for a in corpus.artworks(include_samples=False)] == ids[:4]


def test_get_known_and_unknown_ids(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus()
    artwork = corpus.get("blue-night-1888")
    assert artwork.title == "Blue Night" and artwork.year == 1888 and artwork.period == "arles"
    assert artwork.label == "Blue Night (1888)" and artwork.period_label == "Arles"
    for bad in ["../../etc/passwd", "blue-night-1888.jpg", "", "BLUE-NIGHT-1888", None, 3]:
        with pytest.raises(UnknownArtworkError, match="not in the catalogue"):
            corpus.get(bad)
        assert bad not in corpus


def test_path_traversal_ids_never_touch_the_file_system(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus()
    secret = tiny_corpus.root / "secret.jpg"
    secret.write_bytes(tiny_corpus.files["red-field-1884"])
    for bad in ["../secret", "../secret.jpg", str(secret), "..%2Fsecret"]:
        with pytest.raises(UnknownArtworkError):
            corpus.load(bad)
        with pytest.raises(UnknownArtworkError):
            corpus.available(bad)


def test_by_period_groups_in_chronological_order(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus()
    groups = corpus.by_period()
    assert list(groups) == ["dutch", "paris", "arles", "auvers", SAMPLE_PERIOD.id]
    assert [a.id for a in groups["auvers"]] == ["yellow-wheat-1890"]
    available = corpus.by_period(available_only=True, include_samples=False)
    assert list(available) == ["dutch", "paris", "arles"]


def test_available_missing_and_unknown_files(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus()
    assert corpus.available("red-field-1884")
    assert not corpus.available("yellow-wheat-1890")
    assert corpus.available("sample-astronaut")
    assert [a.id for a in corpus.missing()] == ["yellow-wheat-1890"]
    assert corpus.unknown_files() == ()
    stray = tiny_corpus.artworks_dir / "stray.png"
    Image.new("RGB", (4, 4)).save(stray)
    (tiny_corpus.artworks_dir / "notes.txt").write_text("not an image")
    (tiny_corpus.artworks_dir / ".hidden.jpg").write_bytes(b"")
    assert corpus.unknown_files() == (stray,)
    assert corpus.has_artworks()


def test_missing_artworks_folder_still_lists_and_serves_samples(tmp_path, tiny_corpus) -> None:
    corpus = Corpus(tiny_corpus.catalogue_path, tmp_path / "does-not-exist")
    assert not corpus.has_artworks()
    assert len(corpus.missing()) == 4
    assert corpus.unknown_files() == ()
    assert [a.id for a in corpus.artworks(available_only=True)] == [a.id for a in sample_artworks()]
    with pytest.raises(ArtworkUnavailableError) as excinfo:
        corpus.load("red-field-1884")
    assert "python -m dashboard data download" in str(excinfo.value)


def test_corpus_help_names_every_way_to_add_images() -> None:
    for needle in [
        "python -m dashboard data download",
        "data import DIR",
        "DASHBOARD_ARTWORKS_DIR",
    ]:
        assert needle in CORPUS_HELP


def test_load_returns_the_decoded_jpeg(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus()
    pixels = corpus.load("green-street-1887")
    path = tiny_corpus.artworks_dir / "green-street-1887.jpg"
    with Image.open(path) as image:
        expected = np.asarray(image.convert("RGB"))
    np.testing.assert_array_equal(pixels, expected)
    assert pixels.dtype == np.uint8 and pixels.shape == (48, 32, 3)
    assert pixels.flags.c_contiguous


def test_load_downscales_and_caches_read_only_arrays(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus()
    small = corpus.load("red-field-1884", max_side=24)
    assert small.shape == (16, 24, 3)
    assert corpus.load("red-field-1884", max_side=24) is small  # cached
    assert corpus.load("red-field-1884", max_side=None).shape == (32, 48, 3)
    with pytest.raises(ValueError, match="read-only"):
        small[0, 0, 0] = 1


def test_a_replaced_file_is_decoded_again(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus()
    before = corpus.load("blue-night-1888")
    path = tiny_corpus.artworks_dir / "blue-night-1888.jpg"
    Image.new("RGB", (40, 40), (255, 255, 255)).save(path, quality=95)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    after = corpus.load("blue-night-1888")
    assert after is not before
    assert after.min() >= 250


def test_load_rejects_a_corrupt_file(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus()
    path = tiny_corpus.artworks_dir / "red-field-1884.jpg"
    path.write_bytes(tiny_corpus.files["red-field-1884"][:200])
    with pytest.raises(ImageError, match="red-field-1884.jpg"):
        corpus.load("red-field-1884")


def test_a_corrupt_file_is_skipped_with_a_warning_and_the_rest_load(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus(include_samples=False)
    (tiny_corpus.artworks_dir / "green-street-1887.jpg").write_bytes(b"garbage, not a JPEG")
    with pytest.warns(UserWarning, match="skipped green-street-1887"):
        loaded = {artwork.id: pixels for artwork, pixels in corpus.iter_images()}
    assert sorted(loaded) == ["blue-night-1888", "red-field-1884"]
    assert all(p.shape[2] == 3 for p in loaded.values())


def test_cache_size_zero_disables_caching(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus(cache_size=0)
    assert corpus.load("red-field-1884") is not corpus.load("red-field-1884")
    with pytest.raises(ValueError, match="cache_size"):
        tiny_corpus.corpus(cache_size=-1)


def test_from_settings_uses_the_configured_folders(tiny_corpus) -> None:
    corpus = Corpus.from_settings(tiny_corpus.settings)
    assert corpus.artworks_dir == tiny_corpus.artworks_dir
    assert corpus.catalogue_path == tiny_corpus.catalogue_path
    assert corpus.max_pixels == tiny_corpus.settings.max_pixels


def test_default_settings_point_at_the_committed_catalogue() -> None:
    settings = load_settings(environ={})
    corpus = Corpus.from_settings(settings)
    assert len(corpus.catalogue) == 79
    assert settings.artworks_dir == REPO_ROOT / "data" / "artworks"


def test_is_writable_dir_respects_read_only_mode(tmp_path) -> None:
    assert is_writable_dir(tmp_path)
    assert not is_writable_dir(tmp_path / "missing")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert not is_writable_dir(locked)
    finally:
        locked.chmod(0o755)


# --- the bundled samples ------------------------------------------------------------------


def test_samples_are_bundled_and_load_offline(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus()
    samples = sample_artworks()
    assert [s.id for s in samples] == [
        "sample-astronaut",
        "sample-chelsea",
        "sample-coffee",
        "sample-rocket",
    ]
    for sample in samples:
        assert sample.is_sample and sample.year is None and sample.period == "sample"
        assert "scikit-image sample" in sample.title
        path = corpus.path(sample.id)
        assert path.parent == sample_dir() and path.is_file()
        pixels = corpus.load(sample.id)
        with Image.open(path) as image:
            width, height = image.size
        assert pixels.shape == (height, width, 3) and pixels.dtype == np.uint8


def test_sample_pixels_match_skimage_data(tiny_corpus) -> None:
    import skimage.data

    corpus = tiny_corpus.corpus()
    np.testing.assert_array_equal(corpus.load("sample-astronaut"), skimage.data.astronaut())
    np.testing.assert_array_equal(corpus.load("sample-coffee"), skimage.data.coffee())


def test_samples_can_be_left_out(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus(include_samples=False)
    assert not any(a.is_sample for a in corpus)
    with pytest.raises(UnknownArtworkError):
        corpus.get("sample-astronaut")


# --- the real corpus (DASHBOARD_ARTWORKS_DIR) ---------------------------------------------


@pytest.mark.corpus
def test_every_shared_file_is_catalogued(real_corpus) -> None:
    assert real_corpus.unknown_files() == ()
    assert real_corpus.missing() == ()
    assert real_corpus.has_artworks()


@pytest.mark.corpus
def test_shared_catalogue_matches_the_committed_one(real_settings) -> None:
    shared = real_settings.artworks_dir / "catalogue.csv"
    if not shared.exists():
        pytest.skip(f"{real_settings.artworks_dir} has no catalogue.csv")
    assert csv_rows(shared) == csv_rows(REPO_CATALOGUE)


@pytest.mark.corpus
def test_every_artwork_loads_and_matches_its_catalogue_entry(real_corpus) -> None:
    for artwork in real_corpus.catalogue:
        path = real_corpus.path(artwork.id)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == artwork.sha256, artwork.id
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            pixels = real_corpus.load(artwork.id)
        assert pixels.shape == (artwork.height, artwork.width, 3), artwork.id
        assert pixels.dtype == np.uint8
        assert 5 < pixels.mean() < 250, artwork.id  # neither blank nor black
