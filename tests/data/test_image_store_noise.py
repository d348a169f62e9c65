"""The image store's shared noise: every analyser, whatever image came before, gives what a
fresh NoiseAnalyser of that image and seed gives, bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dashboard.core.distributions import NoiseAnalyser
from dashboard.data.corpus import Corpus
from dashboard.data.image_store import ImageStore
from tests.support.apps import samples_settings

SOURCES = ("sample-astronaut", "sample-coffee", "sample-chelsea")
#: Slider positions: ordinary, wide and clipped, tiny, and a half-level shift with no spread.
POSITIONS = [(0.0, 0.01), (0.1, 0.3), (-0.2, 0.0005), (0.5 / 255, 0.0)]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ImageStore:
    settings = samples_settings(tmp_path_factory.mktemp("store"))
    return ImageStore(settings, Corpus.from_settings(settings))


@pytest.mark.parametrize("seed", [0, 9])
def test_shared_noise_equals_a_fresh_analyser(store: ImageStore, seed: int) -> None:
    for source in SOURCES:
        shared = store.analyser(source, seed)
        fresh = NoiseAnalyser(store.rgb(source), seed=seed)
        assert np.array_equal(shared.field, fresh.field)
        for mean, variance in POSITIONS:
            ours, theirs = shared.noise_summary(mean, variance), fresh.noise_summary(mean, variance)
            for name in ("grid", "pdf_theory", "cdf_theory", "ecdf", "edges", "density"):
                assert np.array_equal(getattr(ours, name), getattr(theirs, name)), name
            assert (ours.sample_mean, ours.sample_variance) == (
                theirs.sample_mean, theirs.sample_variance)
            assert np.array_equal(shared.move(mean, variance).noisy_counts,
                                  fresh.move(mean, variance).noisy_counts)


def test_fields_of_one_seed_share_one_stream(store: ImageStore) -> None:
    first = store.analyser(SOURCES[0], 4).field
    second = store.analyser(SOURCES[2], 4).field
    assert first.shape != second.shape
    assert np.shares_memory(first, second)  # views of the seed's stream, nothing drawn again
    assert not first.flags.writeable
    # One sorted sample per size and seed, whichever image asks.
    assert store.analyser(SOURCES[0], 4).sample is store.sample(first.shape, 4)


def test_a_field_larger_than_the_analysis_size_is_drawn_on_its_own(tmp_path: Path) -> None:
    settings = samples_settings(tmp_path)
    store = ImageStore(settings, Corpus.from_settings(settings))
    side = settings.max_side
    shape = (side + 1, side, 3)
    field = store.field(shape, 2)
    assert field.shape == shape
    assert np.array_equal(field[:1, :5, :], store.field((1, 5, 3), 2)[:1])
