"""A seed's stream of draws: every field is its start, and its block-sorted form counts exactly
as a sorted array does; the channel pattern of combined indices is shared by every size."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.core.noise import (
    SORT_BLOCK,
    SortedStream,
    channel_base,
    seed_stream,
    standard_normal_field,
)


@pytest.mark.parametrize("shape", [(1, 1, 3), (2, 5, 3), (37, 41, 3), (300, 1024, 3)])
@pytest.mark.parametrize("seed", [0, 1, 4294967295])
def test_every_field_is_the_start_of_its_seeds_stream(shape, seed) -> None:
    size = int(np.prod(shape))
    stream = seed_stream(seed, size + 1000)
    assert np.array_equal(stream[:size].reshape(shape), standard_normal_field(shape, seed))


def test_seed_stream_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="size must be a non-negative integer, got -1"):
        seed_stream(0, -1)
    with pytest.raises(ValueError, match="seed must be an integer"):
        seed_stream(-1, 3)


@pytest.mark.parametrize("size", [0, 1, 7, SORT_BLOCK, SORT_BLOCK + 1, 3 * SORT_BLOCK - 5])
def test_a_prefix_counts_as_its_sorted_draws(size) -> None:
    stream = seed_stream(3, 3 * SORT_BLOCK)
    # Repeated values and the draws themselves as thresholds: ties on both sides.
    stream[10:20] = stream[5]
    sorted_stream = SortedStream(stream)
    draws = sorted_stream.prefix(size)
    reference = np.sort(stream[:size])
    values = np.concatenate([stream[:50], [-np.inf, -9.0, 0.0, 9.0, np.inf],
                             np.nextafter(stream[:20], np.float32(np.inf))]).astype(np.float32)
    for side in ("left", "right"):
        counts = np.searchsorted(draws, values, side=side)  # numpy calls the method
        assert np.array_equal(counts, np.searchsorted(reference, values, side=side))
    assert len(draws) == draws.size == size


def test_a_hand_made_stream_counts_by_hand() -> None:
    stream = np.array([3, 1, 2, 2, 5], dtype=np.float32)
    draws = SortedStream(stream).prefix(4)  # 3, 1, 2, 2
    assert np.searchsorted(draws, np.float32(2.0), side="left") == 1
    assert np.searchsorted(draws, np.float32(2.0), side="right") == 3
    assert np.searchsorted(draws, np.float32(5.0), side="right") == 4
    with pytest.raises(ValueError, match="size must be in"):
        SortedStream(stream).prefix(6)
    with pytest.raises(ValueError, match="stream must be 1-D float32"):
        SortedStream(stream.astype(np.float64))


@pytest.mark.parametrize("shape", [(1, 1, 3), (2, 3, 3), (811, 1024, 3), (1025, 1024, 3),
                                   (4, 4, 2)])
@pytest.mark.parametrize(("stride", "offset"), [(256, 0), (511, 255)])
def test_channel_base_counts_channels_along_the_last_axis(shape, stride, offset) -> None:
    base = channel_base(shape, stride, offset)
    assert base.shape == shape and base.dtype == np.int16
    assert base.flags.c_contiguous and not base.flags.writeable
    # Every pixel holds offset, offset + stride, offset + 2 * stride, ...
    expected = offset + stride * np.arange(shape[-1])
    pixels = base.size // shape[-1]
    assert np.array_equal(base.reshape(-1, shape[-1]), np.tile(expected, (pixels, 1)))


def test_channel_bases_of_two_sizes_share_one_pattern() -> None:
    small, large = channel_base((3, 5, 3), 256), channel_base((600, 700, 3), 256)
    assert np.shares_memory(small, large)
