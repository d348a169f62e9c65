"""Your own collections: add (bad files among good, metadata), list, remove; aggregates as
exact sums whatever the order of the rows."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from dashboard.cli.main import main
from dashboard.core.corpus_stats import pooled_palette
from dashboard.core.vocabulary import SPACES
from dashboard.data import collections as cl
from dashboard.data.index_store import IndexDataset
from tests.support.apps import samples_settings
from tests.support.image_folder import write_images


@pytest.fixture
def settings(tmp_path):
    return samples_settings(tmp_path)


@pytest.fixture
def folder(tmp_path):
    """Six good images (PNG, JPEG, WebP, BMP, TIFF, PNG), two bad ones and a text file."""
    images = tmp_path / "mine"
    write_images(images, 5, side=20)
    write_images(images / "more", 1, side=30, first_seed=9)
    (images / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (images / "empty.jpg").write_bytes(b"")
    (images / "notes.txt").write_text("not an image")
    (images / ".hidden.png").write_bytes(b"junk")
    return images


@pytest.fixture
def metadata(tmp_path):
    path = tmp_path / "meta.csv"
    path.write_text("file,title,year,artist,group\n"
                    "img-0000.png,Dawn,1901,Ann,early\n"
                    "img-0001.jpg,Noon,19o2,Ann,late\n"
                    "img-0002.webp,Dusk,1905,Bo,late\n"
                    "more/img-0000.png,Night,1899,Bo,early\n"
                    "ghost.png,Ghost,1900,,early\n", encoding="utf-8")
    return path


def run(capsys, settings, *argv):
    code = main(["data", "collection", *argv], settings=settings)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_list_remove_with_bad_files_among_good(settings, folder, metadata, capsys):
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    code, out, _ = run(capsys, settings, "add", "mine", str(folder), "--metadata", str(metadata),
                       "--serial", "--no-progress")
    assert code == 1  # done, but some files were skipped
    assert "collection 'mine': 6 images added, 2 skipped (from 8 image files" in out
    assert "broken.png: the file is not an image" in out and "empty.jpg: the file is empty" in out
    assert "line 3: year '19o2' is not a year" in out
    assert "1 rows name no image file" in out
    collection = cl.load_collection(settings, "mine")
    by_file = {m.file: m for m in collection.images}
    assert sorted(by_file) == ["img-0000.png", "img-0001.jpg", "img-0002.webp", "img-0003.bmp",
                               "img-0004.tif", "more/img-0000.png"]
    assert by_file["img-0000.png"] == cl.ImageMeta("img-0000.png", "Dawn", 1901, "Ann", "early")
    assert by_file["img-0001.jpg"].year is None and by_file["img-0001.jpg"].group == "late"
    assert collection.groups == ["early", "late", "ungrouped"]
    rows = IndexDataset(collection.home / cl.INDEX_FOLDER).read().values()
    # Bad files are kept with their reason, so a second add does not decode them again.
    assert sorted(bool(r["error"]) for r in rows) == [False] * 6 + [True] * 2

    code, out, _ = run(capsys, settings, "list")
    assert code == 0 and out.startswith("mine: 6 images, 2 skipped, groups: early, late, ungrouped")

    code, _, err = run(capsys, settings, "add", "mine", str(folder), "--serial")
    assert code == 2 and "exists; remove it first or use --replace" in err

    code, out, _ = run(capsys, settings, "remove", "mine")
    assert code == 0 and "removed the collection 'mine' (6 images" in out
    assert not collection.home.exists()
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    code, out, _ = run(capsys, settings, "list")
    assert code == 0 and "no collection yet" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["add", "Bad Name!", "{folder}"], "is not a slug"),
    (["add", "van-gogh", "{folder}"], "built-in Van Gogh corpus"),
    (["add", "x", "{folder}/nowhere"], "is not a folder"),
    (["add", "x", "{empty}"], "holds no image file"),
    (["add", "x", "{bad_only}"], "no image of"),
    (["add", "x", "{folder}", "--metadata", "{folder}/notes.txt"], "needs a 'file' column"),
    (["add", "x", "{folder}", "--metadata", "{folder}/broken.png"], "is not UTF-8"),
    (["add", "x", "{folder}", "--scheduler", "not an address"], "not a scheduler address"),
    (["remove", "nope"], "there is no collection 'nope'"),
])
def test_bad_usage_is_one_clear_line(settings, folder, tmp_path, capsys, argv, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad-only").mkdir()
    (tmp_path / "bad-only" / "a.png").write_bytes(b"junk")
    values = {"folder": folder, "empty": tmp_path / "empty", "bad_only": tmp_path / "bad-only"}
    argv = [a.format(**values) for a in argv]
    serial = ["--serial"] if argv[0] == "add" and "--scheduler" not in argv else []
    code, _, err = run(capsys, settings, *argv, *serial, "--no-progress")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_aggregates_are_exact_sums_in_any_order(settings, folder, metadata, capsys):
    run(capsys, settings, "add", "mine", str(folder), "--metadata", str(metadata), "--serial")
    collection = cl.load_collection(settings, "mine")
    stored = cl.load_aggregates(settings, "mine")
    assert stored.keys[0] == cl.ALL and int(stored.count[0]) == 6
    assert int(stored.count[stored.row("group:late")]) == 2
    assert int(stored.count[stored.row("year:1905")]) == 1
    # Hand-computed: each image's level counts from its decoded pixels, shares averaged.
    pmfs = []
    for meta in collection.images:
        with Image.open(folder / meta.file) as image:
            pixels = np.asarray(image.convert("RGB"))
        counts = np.stack([np.bincount(pixels[..., c].ravel(), minlength=256) for c in range(3)])
        pmfs.append(counts / counts.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(stored.pmf(), np.mean(pmfs, axis=0), rtol=0, atol=1e-12)
    early = [i for i, m in enumerate(collection.images) if m.group == "early"]
    np.testing.assert_allclose(stored.pmf("group:early"), np.mean([pmfs[i] for i in early],
                                                                  axis=0), atol=1e-12)
    for space in SPACES:
        assert stored.histogram(space).sum() == pytest.approx(1.0, abs=1e-12)
    # Keys in the order a view shows them: groups by first year (undated last), then years.
    assert stored.keys == ["all", "group:early", "group:late", "group:ungrouped",
                           "year:1899", "year:1901", "year:1905"]
    assert stored.groups == ["early", "late", "ungrouped"]
    years, counts, means = stored.years()
    assert years == [1899, 1901, 1905] and counts.tolist() == [1, 1, 1]
    dated = {m.year: i for i, m in enumerate(collection.images) if m.year}
    np.testing.assert_array_equal(means[2], rows_stats(collection, dated[1905]))
    # Palettes are stored with the sums, equal to the palette of the mean histogram, and
    # computed on reading aggregates written before palettes were stored.
    late = pooled_palette(stored.histogram("rgb", "group:late"), 16, n_colours=8)
    colours, shares = stored.palette("group:late")
    np.testing.assert_array_equal(colours, late.colours)
    np.testing.assert_array_equal(shares, late.shares)
    legacy = cl.Aggregates(**{**vars(stored), "palette_colours": None, "palette_shares": None})
    np.testing.assert_array_equal(legacy.palette_colours, stored.palette_colours)
    # A view reads the whole collection's histograms only, the same numbers.
    whole = cl.load_aggregates(settings, "mine", pixel_counts=False, histograms="whole")
    assert whole.hist_units["oklab"].shape == (1, 16**3)
    assert whole.histogram("oklab").tobytes() == stored.histogram("oklab").tobytes()
    np.testing.assert_array_equal(whole.palette("group:late")[0], colours)
    with pytest.raises(KeyError, match="not read"):
        whole.histogram("rgb", "group:late")
    # The same rows in reverse order give the same sums, to the bit.
    rows = IndexDataset(collection.home / cl.INDEX_FOLDER).read()
    order = [rows[d] for d in collection.digests]
    for metas, ordered in ((collection.images, order),
                           (collection.images[::-1], order[::-1])):
        arrays = {k: np.stack([np.asarray(r[k]) for r in ordered]) for k in ordered[0]}
        again = cl.aggregate_rows(metas, arrays)
        for key in stored.keys:
            i, j = stored.row(key), again.row(key)
            assert stored.pmf_units[i].tobytes() == again.pmf_units[j].tobytes()
            assert stored.stat_sums[i].tobytes() == again.stat_sums[j].tobytes()
            for space in SPACES:
                assert stored.hist_units[space][i].tobytes() == \
                    again.hist_units[space][j].tobytes()


def rows_stats(collection, position: int) -> np.ndarray:
    """The statistics of one image of ``collection`` as its index row holds them."""
    rows = IndexDataset(collection.home / cl.INDEX_FOLDER).read()
    return np.asarray(rows[collection.digests[position]]["stats"], dtype=np.float64)


def test_a_damaged_collection_file_is_a_clear_error(settings, folder, capsys):
    run(capsys, settings, "add", "mine", str(folder), "--serial")
    home = cl.collections_root(settings) / "mine"
    (home / cl.COLLECTION_FILE).write_text(json.dumps({"images": "nonsense"}))
    with pytest.raises(cl.CollectionError, match="damaged"):
        cl.load_collection(settings, "mine")
    code, out, _ = run(capsys, settings, "list")
    assert code == 0 and "mine: the collection 'mine' is damaged" in out
