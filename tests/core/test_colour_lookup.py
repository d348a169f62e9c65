"""Bin tables: a look-up per pixel gives exactly the bins of converting every pixel."""

import numpy as np
import pytest
from skimage import color as skcolor
from skimage import data, transform

from dashboard.core.colour_lookup import (
    bins_of_codes,
    build_bin_table,
    colours_of_codes,
    table_bytes,
    table_dtype,
)
from dashboard.core.colours import (
    _PAIR_PIXELS,
    _PAIR_SHIFT,
    N_COLOURS,
    PIXEL_CHUNK,
    _codes_into,
    _count_shift,
    colour_codes,
    colour_histogram,
    pixel_bins,
)
from dashboard.core.oklab import rgb_to_oklab
from dashboard.core.vocabulary import SPACES

CONVERT = {"rgb": lambda a: a.astype(float), "hsv": skcolor.rgb2hsv, "lab": skcolor.rgb2lab,
           "oklab": rgb_to_oklab}


def sample_images() -> list[np.ndarray]:
    """A random image, a photograph (a painting-like range of colours) and a flat one."""
    rng = np.random.default_rng(5)
    photo = transform.resize(data.astronaut(), (96, 128), preserve_range=True)
    return [rng.integers(0, 256, (40, 30, 3), dtype=np.uint8),
            np.rint(photo).astype(np.uint8),
            np.full((8, 8, 3), 200, dtype=np.uint8)]


def sparse_table(rgb: np.ndarray, space: str, bins: int) -> np.ndarray:
    """A full-length table filled only at the image's colours (the rest stays 0)."""
    table = np.zeros(N_COLOURS, dtype=table_dtype(bins))
    codes = np.unique(colour_codes(rgb))
    table[codes] = bins_of_codes(codes, space, bins)
    return table


def histogramdd_of_every_pixel(rgb: np.ndarray, space: str, edges) -> np.ndarray:
    coords = CONVERT[space](rgb).reshape(-1, 3)
    return np.histogramdd(coords, bins=edges)[0].astype(np.int64)


def test_codes_and_colours_are_inverse():
    rgb = np.array([[[1, 2, 3], [255, 0, 128]]], dtype=np.uint8)
    assert colour_codes(rgb).tolist() == [0x010203, 0xFF0080]
    np.testing.assert_array_equal(colours_of_codes(colour_codes(rgb)), rgb.reshape(-1, 3))


def test_table_type_and_size_by_bins():
    assert table_dtype(40) == np.uint16 and table_dtype(41) == np.uint32  # 40**3 < 2**16
    assert table_bytes(16) == 32 * 2**20 and table_bytes(64) == 64 * 2**20
    with pytest.raises(ValueError, match="bins must be an integer in 8..64"):
        table_dtype(65)


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("bins", [8, 16, 48])
def test_histogram_with_a_table_equals_every_pixel_converted(space, bins):
    for rgb in sample_images():
        table = sparse_table(rgb, space, bins)
        hist = colour_histogram(rgb, space, bins, bin_table=table)
        expected = histogramdd_of_every_pixel(rgb, space, hist.edges)
        np.testing.assert_array_equal(hist.counts, expected)
        reference = colour_histogram(rgb, space, bins)  # distinct colours, converted
        np.testing.assert_array_equal(hist.occupied, reference.occupied)
        np.testing.assert_array_equal(hist.mean_rgb, reference.mean_rgb)
        np.testing.assert_array_equal(pixel_bins(rgb, space, bins, bin_table=table),
                                      pixel_bins(rgb, space, bins))


def test_hand_made_image_through_a_full_table():
    # RGB with 8 bins: 32 levels a bin, so the bins are known by hand.
    table = build_bin_table("rgb", 8)
    rgb = np.array([[[0, 0, 0], [31, 32, 0], [255, 255, 255], [255, 255, 255]]], dtype=np.uint8)
    assert pixel_bins(rgb, "rgb", 8, bin_table=table).tolist() == [[0, 8, 511, 511]]
    assert int(table[(31 << 16) | (32 << 8)]) == 8
    hist = colour_histogram(rgb, "hsv", 8, bin_table=sparse_table(rgb, "hsv", 8))
    # black and white: hue 0, saturation 0, value 0 and 1; (31, 32, 0): hue 60.5 deg -> bin 1,
    # saturation 1 -> 7, value 32/255 -> bin 1.
    assert sorted(map(tuple, hist.occupied.tolist())) == [(0, 0, 0), (0, 0, 7), (1, 7, 1)]
    assert hist.counts[0, 0, 7] == 2


@pytest.mark.parametrize("space", ["hsv", "oklab"])
def test_full_table_equals_converting_each_colour(space):
    table = build_bin_table(space, 16)
    assert table.shape == (N_COLOURS,) and table.dtype == np.uint16
    codes = np.random.default_rng(2).integers(0, N_COLOURS, 200_000).astype(np.uint32)
    np.testing.assert_array_equal(table[codes], bins_of_codes(codes, space, 16))
    for rgb in sample_images():
        hist = colour_histogram(rgb, space, 16, bin_table=table)
        np.testing.assert_array_equal(hist.counts,
                                      histogramdd_of_every_pixel(rgb, space, hist.edges))


@pytest.mark.slow
def test_full_cielab_table_equals_every_pixel_converted():
    table = build_bin_table("lab", 24)
    for rgb in sample_images():
        hist = colour_histogram(rgb, "lab", 24, bin_table=table)
        np.testing.assert_array_equal(hist.counts,
                                      histogramdd_of_every_pixel(rgb, "lab", hist.edges))


@pytest.mark.parametrize("bad", [np.zeros(10, np.uint16), np.zeros(N_COLOURS, np.int64),
                                 [0] * 3, "table"])
def test_a_table_of_the_wrong_shape_or_type_is_refused(bad):
    with pytest.raises(ValueError, match="bin_table must be a"):
        colour_histogram(np.zeros((2, 2, 3), np.uint8), "lab", 8, bin_table=bad)


def test_a_table_of_another_bin_count_is_refused():
    table = np.full(N_COLOURS, 8**3, dtype=np.uint16)  # one past the last bin of 8**3
    rgb = np.zeros((2, 2, 3), np.uint8)
    with pytest.raises(ValueError, match="not a table of 8 bins"):
        colour_histogram(rgb, "lab", 8, bin_table=table)
    with pytest.raises(ValueError, match="not a table of 8 bins"):
        pixel_bins(rgb, "lab", 8, bin_table=table)


def test_a_table_is_built_into_the_array_given():
    out = np.zeros(N_COLOURS, dtype=np.uint16)
    assert build_bin_table("rgb", 8, out=out) is out
    assert int(out[0xFFFFFF]) == 511 and int(out[(31 << 16) | (32 << 8)]) == 8
    with pytest.raises(ValueError, match="out must be a"):
        build_bin_table("rgb", 8, out=np.zeros(N_COLOURS, dtype=np.uint32))


def test_codes_of_any_pixel_range_by_hand():
    rgb = np.array([[[1, 2, 3], [255, 0, 128], [0, 0, 1]], [[9, 8, 7], [0, 255, 0], [255] * 3]],
                   dtype=np.uint8)
    expected = [0x010203, 0xFF0080, 0x000001, 0x090807, 0x00FF00, 0xFFFFFF]
    assert colour_codes(rgb).tolist() == expected
    levels = rgb.reshape(-1)
    for start, stop in [(0, 1), (0, 6), (1, 6), (3, 5), (5, 6)]:
        out = np.full(8, -1, dtype=np.intp)
        assert _codes_into(levels, start, stop, out).tolist() == expected[start:stop]
    # A view with gaps and a read-only array give the codes of their own pixels.
    assert colour_codes(rgb[:, ::2]).tolist() == [0x010203, 0x000001, 0x090807, 0xFFFFFF]
    frozen = rgb.copy()
    frozen.flags.writeable = False
    assert colour_codes(frozen).tolist() == expected


def per_bin_reference(rgb: np.ndarray, flat: np.ndarray, n_cells: int):
    """Pixel count and integer R, G, B sums per flat bin by plain integer additions."""
    counts = np.zeros(n_cells, dtype=np.int64)
    sums = np.zeros((n_cells, 3), dtype=np.int64)
    np.add.at(counts, flat, 1)
    np.add.at(sums, flat, rgb.reshape(-1, 3).astype(np.int64))
    return counts, sums


@pytest.mark.parametrize("space, bins", [("rgb", 16), ("hsv", 16), ("oklab", 24), ("lab", 48),
                                         ("rgb", 24)])
def test_histogram_of_an_image_of_several_chunks_equals_every_pixel(space, bins):
    # 69,841 pixels: a full chunk of PIXEL_CHUNK and a part of one whose length is not a
    # multiple of the interleaved copies (16 bins: 4 of them; 24 and 48 bins: none).
    assert PIXEL_CHUNK < 331 * 211 < 2 * PIXEL_CHUNK and (331 * 211) % 4 == 1
    photo = np.rint(transform.resize(data.astronaut(), (331, 211), preserve_range=True))
    rgb = photo.astype(np.uint8)
    rgb[200:, 150:] = np.random.default_rng(3).integers(0, 256, (131, 61, 3), dtype=np.uint8)
    table = None if space == "rgb" else sparse_table(rgb, space, bins)
    hist = colour_histogram(rgb, space, bins, bin_table=table)
    np.testing.assert_array_equal(hist.counts, histogramdd_of_every_pixel(rgb, space, hist.edges))
    flat = pixel_bins(rgb, space, bins).ravel()
    counts, sums = per_bin_reference(rgb, flat, bins**3)
    occupied = np.ravel_multi_index(hist.occupied.T, (bins,) * 3)
    np.testing.assert_array_equal(hist.occupied_counts, counts[occupied])
    np.testing.assert_array_equal(hist.mean_rgb, sums[occupied] / counts[occupied][:, None])


def test_green_and_blue_apart_when_a_chunk_is_too_large_to_share_a_weight():
    # 48 bins: chunks of 4 * 48**3 = 442,368 pixels, so this 270,400-pixel image is one
    # chunk above _PAIR_PIXELS (2**18), and green and blue are summed apart.
    assert 2**18 == _PAIR_PIXELS < 520 * 520 < 4 * 48**3
    rgb = np.random.default_rng(8).integers(0, 256, (520, 520, 3), dtype=np.uint8)
    rgb[:260] = (255, 255, 255)
    hist = colour_histogram(rgb, "rgb", 48)
    counts, sums = per_bin_reference(rgb, pixel_bins(rgb, "rgb", 48).ravel(), 48**3)
    occupied = np.ravel_multi_index(hist.occupied.T, (48,) * 3)
    np.testing.assert_array_equal(hist.occupied_counts, counts[occupied])
    np.testing.assert_array_equal(hist.mean_rgb, sums[occupied] / counts[occupied][:, None])
    # The top bin: the white half and the random pixels with every level >= 251 (48 bins
    # of 256/48 levels: the last one starts at 250.67).
    assert hist.occupied[0].tolist() == [47, 47, 47]
    assert hist.occupied_counts[0] == 260 * 520 + int(np.all(rgb[260:] >= 251, axis=2).sum())


def test_pixel_count_rides_on_the_red_sums_while_exact():
    # red * shift + 1 summed over n pixels: below 2**53 up to n = 4,210,752 (shift 2**23).
    assert _count_shift(786_432) == 2**20
    assert _count_shift(4_210_752) == 2**23
    assert 255 * 4_210_752 * 2**23 + 4_210_752 < 2**53 < 255 * 4_210_753 * 2**23
    assert _count_shift(4_210_753) is None and _count_shift(2**23) is None


@pytest.mark.parametrize("side", [2052, 2060])  # 4,210,704 pixels (packed); 4,243,600 (not)
def test_largest_sums_stay_exact_on_both_sides_of_the_packing_limit(side):
    # Also green and blue sharing a weight at their worst: 2**18 white pixels between
    # two takings apart, 255 * 2**18 each, just below 2**26.
    assert 255 * _PAIR_PIXELS < _PAIR_SHIFT == 2**26
    white = np.full((side, side, 3), 255, dtype=np.uint8)
    white[0, 0] = (0, 10, 20)
    hist = colour_histogram(white, "rgb", 8)
    assert (_count_shift(side * side) is None) == (side == 2060)
    assert hist.occupied_counts.tolist() == [side * side - 1, 1]
    assert hist.mean_rgb.tolist() == [[255.0, 255.0, 255.0], [0.0, 10.0, 20.0]]


def test_a_bin_beyond_the_grid_in_a_later_chunk_is_refused():
    rgb = np.zeros((300, 300, 3), dtype=np.uint8)
    rgb[-1, -1] = (1, 2, 3)  # in the second chunk only
    table = np.zeros(N_COLOURS, dtype=np.uint16)
    table[0x010203] = 16**3
    with pytest.raises(ValueError, match="not a table of 16 bins"):
        colour_histogram(rgb, "hsv", 16, bin_table=table)
