"""The on-disk corpus index: contents checked against direct computations, reuse, location."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from PIL import Image
from skimage import color as skcolor

from dashboard.core.vocabulary import SPACES, STORED_PALETTE_SIZE
from dashboard.data.corpus_index import (
    INDEX_BINS,
    STAT_NAMES,
    CorpusIndex,
    build_index,
    default_index_root,
    index_parameters_name,
    load_or_build_index,
)
from dashboard.data.index_engine import Engine
from dashboard.data.index_store import IndexDataset


def entry_files(folder) -> dict[str, int]:
    """Stored Parquet parts: file name -> modification time (ns)."""
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("part-*.parquet")}


def histogramdd_shares(values: np.ndarray, ranges: list[tuple[float, float]]) -> np.ndarray:
    counts, _ = np.histogramdd(values.reshape(-1, 3), bins=INDEX_BINS, range=ranges)
    return (counts / counts.sum()).ravel()


@pytest.fixture
def built(tiny_corpus):
    corpus = tiny_corpus.corpus(include_samples=False)
    index, report = build_index(corpus, tiny_corpus.cache_dir / "index")
    return corpus, index, report


def test_index_rows_follow_the_available_artworks(built) -> None:
    corpus, index, report = built
    assert index.ids == ("red-field-1884", "green-street-1887", "blue-night-1888")
    assert index.periods == ("dutch", "paris", "arles")
    assert index.years == (1884, 1887, 1888)
    assert report.computed == index.ids and report.reused == () and report.skipped == ()
    assert len(index) == 3 and "blue-night-1888" in index and "yellow-wheat-1890" not in index
    n = len(index)
    assert index.pmfs.shape == (n, 3, 256)
    for space in ("rgb", "hsv", "lab"):
        assert index.histograms[space].shape == (n, INDEX_BINS**3)
    assert index.palette_colours.shape == (n, STORED_PALETTE_SIZE, 3)
    assert index.palette_colours.dtype == np.uint8
    assert index.palette_shares.shape == (n, STORED_PALETTE_SIZE)
    assert index.stats.shape == (n, len(STAT_NAMES))


def test_pmfs_match_numpy_histograms(built) -> None:
    corpus, index, _ = built
    for artwork_id in index.ids:
        pixels = corpus.load(artwork_id)
        row = index.pmfs[index.position(artwork_id)]
        for channel in range(3):
            counts, _ = np.histogram(pixels[..., channel], bins=256, range=(0, 256))
            np.testing.assert_allclose(row[channel], counts / counts.sum(), rtol=0, atol=1e-15)


def test_histograms_match_histogramdd_in_every_space(built) -> None:
    corpus, index, _ = built
    for artwork_id in index.ids:
        pixels = corpus.load(artwork_id)
        i = index.position(artwork_id)
        rgb = histogramdd_shares(pixels.astype(float), [(0, 256)] * 3)
        hsv = histogramdd_shares(skcolor.rgb2hsv(pixels), [(0, 1)] * 3)
        lab = histogramdd_shares(skcolor.rgb2lab(pixels), [(0, 100), (-87, 99), (-108, 95)])
        np.testing.assert_allclose(index.histograms["rgb"][i], rgb, atol=1e-12)
        np.testing.assert_allclose(index.histograms["hsv"][i], hsv, atol=1e-12)
        np.testing.assert_allclose(index.histograms["lab"][i], lab, atol=1e-12)
        assert index.histogram(artwork_id, "lab").shape == (INDEX_BINS,) * 3


def test_statistics_match_direct_computation(built) -> None:
    corpus, index, _ = built
    for artwork_id in index.ids:
        pixels = corpus.load(artwork_id)
        stats = index.stats_of(artwork_id)
        assert stats["mean_lightness"] == pytest.approx(skcolor.rgb2lab(pixels)[..., 0].mean())
        assert stats["mean_saturation"] == pytest.approx(skcolor.rgb2hsv(pixels)[..., 1].mean())
        shares = histogramdd_shares(pixels.astype(float), [(0, 256)] * 3)
        shares = shares[shares > 0]
        assert stats["entropy_bits"] == pytest.approx(-(shares * np.log2(shares)).sum())
        np.testing.assert_array_equal(
            index.stat("entropy_bits")[index.position(artwork_id)], stats["entropy_bits"]
        )


def test_yellow_and_blue_shares_tell_the_tiny_paintings_apart(built) -> None:
    _, index, _ = built
    blue = index.stats_of("blue-night-1888")
    red = index.stats_of("red-field-1884")
    assert blue["blue_share"] == pytest.approx(1.0)  # hue about 230 degrees everywhere
    assert red["blue_share"] == 0.0 and red["yellow_share"] == 0.0


def test_palettes_have_shares_of_all_pixels(built) -> None:
    corpus, index, _ = built
    for artwork_id in index.ids:
        colours, shares = index.palette(artwork_id)
        assert 1 <= len(shares) <= STORED_PALETTE_SIZE
        assert np.all(np.diff(shares) <= 0)  # largest first
        assert 0 < shares.sum() <= 1 + 1e-12
        # The top palette colour covers at least the most populated RGB bin.
        assert shares[0] >= index.histograms["rgb"][index.position(artwork_id)].max() - 1e-12
        # Palette colours are colours of the image: near its mean colour for these ramps.
        mean = corpus.load(artwork_id).reshape(-1, 3).mean(axis=0)
        assert np.abs(colours[0].astype(float) - mean).max() < 30


def test_a_second_build_reuses_every_entry(tiny_corpus, built) -> None:
    corpus, first, _ = built
    folder = tiny_corpus.cache_dir / "index" / index_parameters_name(1024)
    before = entry_files(folder)
    assert len(before) == 1  # three rows in one part
    assert sorted(IndexDataset(folder).read()) == sorted(first.sha256)
    second, report = build_index(corpus, tiny_corpus.cache_dir / "index")
    assert report.computed == () and sorted(report.reused) == sorted(first.ids)
    assert entry_files(folder) == before  # nothing rewritten
    np.testing.assert_array_equal(second.histograms["lab"], first.histograms["lab"])
    np.testing.assert_array_equal(second.stats, first.stats)


def test_only_changed_images_are_recomputed(tiny_corpus, built) -> None:
    corpus, first, _ = built
    folder = tiny_corpus.cache_dir / "index" / index_parameters_name(1024)
    before = entry_files(folder)
    Image.new("RGB", (30, 20), (250, 250, 250)).save(
        tiny_corpus.artworks_dir / "red-field-1884.jpg"
    )
    second, report = build_index(corpus, tiny_corpus.cache_dir / "index", prune=True)
    assert report.computed == ("red-field-1884",)
    assert sorted(report.reused) == ["blue-night-1888", "green-street-1887"]
    assert report.pruned == 1  # the row of the old red file
    after = entry_files(folder)
    assert len(after) == 1 and set(after) != set(before)  # folded into one new part
    rows = IndexDataset(folder).read()
    assert sorted(rows) == sorted(second.sha256)
    for digest in set(first.sha256) & set(second.sha256):  # unchanged rows kept as they were
        np.testing.assert_array_equal(rows[digest]["stats"],
                                      first.stats[first.sha256.index(digest)])
    assert second.stats_of("red-field-1884")["mean_lightness"] > 95


def test_a_new_file_is_added_lazily(tiny_corpus, built) -> None:
    corpus, _, _ = built
    (tiny_corpus.artworks_dir / "yellow-wheat-1890.jpg").write_bytes(
        tiny_corpus.files["yellow-wheat-1890"]
    )
    index = load_or_build_index(
        corpus, tiny_corpus.settings, index_root=tiny_corpus.cache_dir / "index"
    )
    assert index.ids[-1] == "yellow-wheat-1890"
    assert index.stats_of("yellow-wheat-1890")["yellow_share"] > 0.9


def test_a_damaged_part_is_ignored_and_its_rows_recomputed(tiny_corpus, built) -> None:
    corpus, first, _ = built
    folder = tiny_corpus.cache_dir / "index" / index_parameters_name(1024)
    (victim,) = folder.glob("part-*.parquet")
    victim.write_bytes(b"not a parquet file")
    with pytest.warns(UserWarning, match="damaged part"):
        second, report = build_index(corpus, tiny_corpus.cache_dir / "index")
    assert report.computed == first.ids
    np.testing.assert_array_equal(second.pmfs, first.pmfs)
    assert not victim.exists() and len(entry_files(folder)) == 1


def test_force_recomputes_everything(tiny_corpus, built) -> None:
    corpus, first, _ = built
    _, report = build_index(corpus, tiny_corpus.cache_dir / "index", force=True)
    assert report.computed == first.ids and report.reused == ()


def test_a_corrupt_image_is_skipped_with_a_warning(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus(include_samples=False)
    data = tiny_corpus.files["green-street-1887"]
    (tiny_corpus.artworks_dir / "green-street-1887.jpg").write_bytes(data[: len(data) // 2])
    with pytest.warns(UserWarning, match="skipped green-street-1887"):
        index, report = build_index(corpus, tiny_corpus.cache_dir / "index")
    assert index.ids == ("red-field-1884", "blue-night-1888")
    assert [artwork_id for artwork_id, _ in report.skipped] == ["green-street-1887"]
    assert index.skipped == report.skipped
    reason = report.skipped[0][1]
    assert "truncated" in reason or "cut short" in reason


def test_sha256_keys_the_entries(tiny_corpus, built) -> None:
    _, index, _ = built
    folder = tiny_corpus.cache_dir / "index" / index_parameters_name(1024)
    import hashlib

    for artwork_id, digest in zip(index.ids, index.sha256, strict=True):
        data = (tiny_corpus.artworks_dir / f"{artwork_id}.jpg").read_bytes()
        assert digest == hashlib.sha256(data).hexdigest()
    assert sorted(IndexDataset(folder).read()) == sorted(index.sha256)


def test_parameters_name_the_folder(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus(include_samples=False)
    index, _ = build_index(corpus, tiny_corpus.cache_dir / "index", max_side=16)
    assert index.location == tiny_corpus.cache_dir / "index" / index_parameters_name(16)
    assert int(index.n_pixels[index.position("red-field-1884")]) == 16 * 11  # 48x32 -> 16x11


def test_a_local_cluster_gives_the_same_index(tiny_corpus, built) -> None:
    corpus, first, _ = built
    second, report = build_index(corpus, None, engine=Engine("local", workers=2))
    assert "LocalCluster, 2 worker" in report.engine
    assert report.location is None and report.computed == first.ids
    assert second.ids == first.ids
    for space in first.histograms:
        np.testing.assert_array_equal(second.histograms[space], first.histograms[space])
    np.testing.assert_array_equal(second.stats, first.stats)
    np.testing.assert_array_equal(second.palette_colours, first.palette_colours)


def test_samples_are_indexed(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus()
    index, _ = build_index(corpus, None, max_side=64)
    sample_ids = [i for i, p in zip(index.ids, index.periods, strict=True) if p == "sample"]
    assert sample_ids == [a.id for a in corpus.samples]
    assert index.period_mask("sample").sum() == len(corpus.samples)
    assert index.years[-1] is None


def test_empty_corpus_gives_empty_arrays(tmp_path, tiny_corpus) -> None:
    from dashboard.data.corpus import Corpus

    corpus = Corpus(tiny_corpus.catalogue_path, tmp_path / "nowhere", include_samples=False)
    index, report = build_index(corpus, tmp_path / "index")
    assert len(index) == 0 and report.computed == ()
    assert index.pmfs.shape == (0, 3, 256)
    assert index.histograms["hsv"].shape == (0, INDEX_BINS**3)
    assert index.stats.shape == (0, len(STAT_NAMES))


def test_select_keeps_rows_in_the_given_order(built) -> None:
    _, index, _ = built
    subset = index.select(["blue-night-1888", "red-field-1884"])
    assert isinstance(subset, CorpusIndex)
    assert subset.ids == ("blue-night-1888", "red-field-1884")
    np.testing.assert_array_equal(subset.pmfs[0], index.pmfs[2])
    with pytest.raises(KeyError, match="not in the index"):
        index.position("yellow-wheat-1890")
    with pytest.raises(ValueError, match="space"):
        index.histogram("red-field-1884", "cmyk")
    with pytest.raises(ValueError, match="name"):
        index.stat("brightness")


def test_index_goes_beside_writable_images(tiny_corpus) -> None:
    settings = tiny_corpus.settings
    assert default_index_root(settings) == tiny_corpus.artworks_dir / ".index"
    corpus = tiny_corpus.corpus(include_samples=False)
    load_or_build_index(corpus, settings)
    assert (tiny_corpus.artworks_dir / ".index" / index_parameters_name(1024)).is_dir()
    assert corpus.unknown_files() == ()  # the index folder is not mistaken for an image


def test_index_goes_to_the_cache_when_images_are_read_only(tiny_corpus) -> None:
    settings = tiny_corpus.settings
    tiny_corpus.artworks_dir.chmod(0o555)
    try:
        assert default_index_root(settings) == tiny_corpus.cache_dir / "index"
        index = load_or_build_index(tiny_corpus.corpus(include_samples=False), settings)
        assert index.location == tiny_corpus.cache_dir / "index" / index_parameters_name(1024)
        assert not (tiny_corpus.artworks_dir / ".index").exists()
    finally:
        tiny_corpus.artworks_dir.chmod(0o755)


def test_an_unwritable_index_folder_falls_back_to_memory(tiny_corpus, tmp_path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.warns(UserWarning, match="not writable"):
            index, report = build_index(tiny_corpus.corpus(include_samples=False), locked)
        assert report.location is None and len(index) == 3
        assert os.listdir(locked) == []
    finally:
        locked.chmod(0o755)


def test_invalid_engines_are_rejected() -> None:
    with pytest.raises(ValueError, match="workers"):
        Engine("local", workers=0)
    with pytest.raises(ValueError, match="kind"):
        Engine("threads")
    with pytest.raises(ValueError, match="address"):
        Engine("scheduler")


@pytest.mark.corpus
@pytest.mark.slow
def test_whole_real_corpus_is_indexed(real_corpus, real_settings, tmp_path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        index, report = build_index(
            real_corpus, tmp_path / "index", max_side=real_settings.max_side,
            engine=Engine("local", workers=2)
        )
    assert report.skipped == ()
    assert len(index) == len(real_corpus.catalogue) + len(real_corpus.samples)
    for space in SPACES:
        np.testing.assert_allclose(index.histograms[space].sum(axis=1), 1.0)
    np.testing.assert_allclose(index.pmfs.sum(axis=2), 1.0)
    artworks = ~index.period_mask("sample")
    lightness = index.stat("mean_lightness")[artworks]
    assert np.all((lightness > 5) & (lightness < 95))
