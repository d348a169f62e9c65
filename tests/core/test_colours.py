"""3D colour histograms, palettes, distances and statistics: exact and independent checks."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance
from skimage import color as skcolor

from dashboard.core.colours import (
    HUE_FAMILIES,
    MAX_BINS,
    MIN_BINS,
    SPACE_AXES,
    bin_edges,
    channel_emd,
    channel_pmfs,
    colour_histogram,
    colour_statistics,
    dominant_colours,
    earth_movers_distance,
    js_divergence,
    max_entropy_bits,
    pixel_bins,
)
from dashboard.core.oklab import rgb_to_oklab
from dashboard.core.vocabulary import SPACES


def image(pixels) -> np.ndarray:
    """One-row uint8 image from a list of (r, g, b) triplets."""
    return np.array([pixels], dtype=np.uint8)


def random_image(seed: int, shape=(30, 40)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (*shape, 3), dtype=np.uint8)


def per_pixel_coordinates(rgb: np.ndarray, space: str) -> np.ndarray:
    """Every pixel converted with scikit-image, (n, 3): the slow reference."""
    convert = {
        "rgb": lambda a: a.astype(float),
        "hsv": skcolor.rgb2hsv,
        "lab": skcolor.rgb2lab,
        "oklab": rgb_to_oklab,
    }[space]
    return convert(rgb).reshape(-1, 3)


small_images = arrays(
    np.uint8,
    st.tuples(st.integers(1, 5), st.integers(1, 5), st.just(3)),
    elements=st.integers(0, 255),
)


# ----------------------------------------------------------------------- histogram


def test_hand_made_2x2_rgb_histogram():
    rgb = np.array([[[255, 0, 0], [250, 6, 3]], [[0, 0, 255], [255, 0, 0]]], dtype=np.uint8)
    hist = colour_histogram(rgb, "rgb", bins=8)
    assert hist.counts.shape == (8, 8, 8)
    assert hist.counts.sum() == 4
    assert hist.counts[7, 0, 0] == 3 and hist.counts[0, 0, 7] == 1
    np.testing.assert_array_equal(hist.occupied, [[7, 0, 0], [0, 0, 7]])
    np.testing.assert_array_equal(hist.occupied_counts, [3, 1])
    np.testing.assert_allclose(hist.shares, [0.75, 0.25])
    np.testing.assert_allclose(hist.centres, [[240, 16, 16], [16, 16, 240]])
    np.testing.assert_allclose(hist.mean_rgb, [[(255 * 2 + 250) / 3, 2, 1], [0, 0, 255]])
    np.testing.assert_array_equal(hist.colours, [[253, 2, 1], [0, 0, 255]])
    assert hist.colours.dtype == np.uint8
    assert hist.axis_names == ("red", "green", "blue")
    assert hist.n_pixels == 4


def test_hsv_and_lab_bins_of_known_colours():
    rgb = image([(255, 0, 0), (255, 255, 255), (0, 0, 0)])
    hsv = colour_histogram(rgb, "hsv", bins=8)
    # red: hue 0 -> bin 0; S = V = 1 sit on the top edge and go in the last bin.
    # white: hue 0, S 0, V 1; black: all 0.
    assert {tuple(b) for b in hsv.occupied.tolist()} == {(0, 7, 7), (0, 0, 7), (0, 0, 0)}
    lab = colour_histogram(rgb, "lab", bins=8)
    white = lab.occupied[(lab.colours == 255).all(axis=1)][0]
    assert white[0] == 7  # L = 100 exactly, the closed top edge
    # a, b of white are ~0: (0 + 87) / (186 / 8) = 3.7 and (0 + 108) / (203 / 8) = 4.3
    assert tuple(white[1:]) == (3, 4)


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("bins", [MIN_BINS, 13, 32, MAX_BINS])
def test_counts_equal_histogramdd_of_every_pixel_converted(space, bins):
    rgb = random_image(bins)
    hist = colour_histogram(rgb, space, bins)
    expected, _ = np.histogramdd(per_pixel_coordinates(rgb, space), bins=hist.edges)
    assert expected.sum() == rgb.shape[0] * rgb.shape[1]  # nothing fell outside the ranges
    np.testing.assert_array_equal(hist.counts, expected.astype(np.int64))


@pytest.mark.parametrize("space", SPACES)
def test_occupied_bins_and_representative_colours_by_direct_loop(space):
    rgb = random_image(1, shape=(12, 9))
    hist = colour_histogram(rgb, space, bins=8)
    pixels = rgb.reshape(-1, 3).astype(float)
    coords = per_pixel_coordinates(rgb, space)
    members: dict[tuple[int, int, int], list[int]] = {}
    for i, point in enumerate(coords):
        key = tuple(
            min(int(np.searchsorted(e, v, side="right")) - 1, len(e) - 2)
            for e, v in zip(hist.edges, point, strict=True)
        )
        members.setdefault(key, []).append(i)
    assert len(members) == len(hist.occupied)
    for bin_index, count, mean in zip(
        hist.occupied.tolist(), hist.occupied_counts, hist.mean_rgb, strict=True
    ):
        rows = members[tuple(bin_index)]
        assert count == len(rows)
        np.testing.assert_allclose(mean, pixels[rows].mean(axis=0), rtol=0, atol=1e-9)
    assert (np.diff(hist.occupied_counts) <= 0).all()
    for axis, e in enumerate(hist.edges):
        lo, hi = e[hist.occupied[:, axis]], e[hist.occupied[:, axis] + 1]
        np.testing.assert_allclose(hist.centres[:, axis], (lo + hi) / 2)


def test_rgb_edges_are_whole_levels_when_bins_divide_256():
    np.testing.assert_array_equal(bin_edges("rgb", 16)[0], np.arange(0, 257, 16))
    edges = bin_edges("lab", 10)
    assert (edges[0][0], edges[0][-1], edges[1][0], edges[2][-1]) == (0, 100, -87, 95)


def test_lab_ranges_contain_the_whole_srgb_gamut():
    lows, highs = np.full(3, np.inf), np.full(3, -np.inf)
    levels = np.arange(256, dtype=np.uint8)
    for red in range(0, 256, 32):
        r, g, b = np.meshgrid(levels[red : red + 32], levels, levels, indexing="ij")
        lab = skcolor.rgb2lab(np.stack([r, g, b], axis=-1).reshape(-1, 3))
        lows, highs = np.minimum(lows, lab.min(axis=0)), np.maximum(highs, lab.max(axis=0))
    for axis, (lo, hi) in enumerate(SPACE_AXES["lab"].ranges):
        assert lo <= lows[axis] and highs[axis] <= hi
        assert lows[axis] - lo < 1 and hi - highs[axis] < 1  # ranges are tight, rounded outward
    np.testing.assert_allclose(lows[1:], [-86.18, -107.86], atol=0.01)
    np.testing.assert_allclose(highs[1:], [98.23, 94.48], atol=0.01)


@pytest.mark.parametrize("space", ["xyz", "RGB", "", None])
def test_unknown_space_is_named_with_the_accepted_ones(space):
    accepted = "space must be one of 'rgb', 'hsv', 'lab', 'oklab'"
    with pytest.raises(ValueError, match=accepted) as info:
        colour_histogram(random_image(0), space)
    assert repr(space) in str(info.value)


@pytest.mark.parametrize("bins", [7, 65, 0, 16.0, True, "16"])
def test_bins_outside_8_to_64_are_rejected(bins):
    with pytest.raises(ValueError, match=r"bins must be an integer in 8\.\.64"):
        colour_histogram(random_image(0), "rgb", bins)


def test_bad_image_is_rejected():
    with pytest.raises(ValueError, match="dtype uint8"):
        colour_histogram(np.zeros((2, 2, 3)), "rgb")
    with pytest.raises(ValueError, match="rgb_b"):
        channel_emd(random_image(0), np.zeros((2, 2), dtype=np.uint8))


@settings(max_examples=30, deadline=None)
@given(rgb=small_images, space=st.sampled_from(SPACES), bins=st.integers(8, 64))
def test_histogram_invariants(rgb, space, bins):
    hist = colour_histogram(rgb, space, bins)
    n = rgb.shape[0] * rgb.shape[1]
    assert hist.n_pixels == n == hist.counts.sum()
    assert hist.shares.sum() == pytest.approx(1.0)
    assert len(hist.occupied) == np.count_nonzero(hist.counts)
    assert ((hist.mean_rgb >= 0) & (hist.mean_rgb <= 255)).all()


# ------------------------------------------------------------------------- palette


def palette_image() -> np.ndarray:
    # 6 red-ish (two bins side by side on the red axis), 3 blue, 1 green; 8-bin RGB grid.
    return image([(250, 0, 0)] * 4 + [(220, 0, 0)] * 2 + [(0, 0, 250)] * 3 + [(0, 250, 0)] * 1)


def test_palette_without_merging_is_the_top_bins():
    hist = colour_histogram(palette_image(), "rgb", bins=8)
    palette = dominant_colours(hist, n_colours=3)
    np.testing.assert_array_equal(palette.colours, [[250, 0, 0], [0, 0, 250], [220, 0, 0]])
    np.testing.assert_allclose(palette.shares, [0.4, 0.3, 0.2])
    np.testing.assert_array_equal(palette.counts, [4, 3, 2])
    assert palette.covered_share == pytest.approx(0.9)
    np.testing.assert_array_equal(palette.seed_bins, hist.occupied[:3])
    assert palette.colours.dtype == np.uint8


def test_palette_merges_neighbouring_bins_into_exact_means():
    hist = colour_histogram(palette_image(), "rgb", bins=8)
    palette = dominant_colours(hist, n_colours=2, merge_radius=1)
    # the two red bins (7 and 6 on the red axis) merge: 6 pixels, mean red (1000 + 440) / 6 = 240
    np.testing.assert_array_equal(palette.colours, [[240, 0, 0], [0, 0, 250]])
    np.testing.assert_allclose(palette.shares, [0.6, 0.3])
    np.testing.assert_array_equal(palette.seed_bins, [[7, 0, 0], [0, 0, 7]])


def test_palette_asks_for_more_colours_than_there_are():
    hist = colour_histogram(palette_image(), "rgb", bins=8)
    palette = dominant_colours(hist, n_colours=50)
    assert len(palette.colours) == 4
    assert palette.covered_share == pytest.approx(1.0)


def test_hsv_palette_merges_across_the_hue_wrap():
    # hues 2 degrees and 358 degrees: first and last hue bins, neighbours on the circle.
    rgb = image([(255, 8, 0)] * 3 + [(255, 0, 8)] * 2 + [(0, 0, 255)])
    hist = colour_histogram(rgb, "hsv", bins=16)
    assert {b[0] for b in hist.occupied.tolist()} == {0, 15, 10}
    palette = dominant_colours(hist, n_colours=2, merge_radius=1)
    np.testing.assert_allclose(palette.shares, [5 / 6, 1 / 6])


@settings(max_examples=30, deadline=None)
@given(
    rgb=small_images,
    space=st.sampled_from(SPACES),
    n_colours=st.integers(1, 10),
    radius=st.integers(0, 3),
)
def test_palette_invariants(rgb, space, n_colours, radius):
    hist = colour_histogram(rgb, space, 8)
    palette = dominant_colours(hist, n_colours=n_colours, merge_radius=radius)
    assert 1 <= len(palette.colours) <= n_colours
    assert palette.covered_share <= 1 + 1e-12
    assert (np.diff(palette.shares) <= 0).all()
    np.testing.assert_allclose(palette.shares, palette.counts / hist.n_pixels)
    if radius == 0:
        np.testing.assert_array_equal(palette.counts, hist.occupied_counts[:n_colours])


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"n_colours": 0}, "n_colours"),
        ({"merge_radius": -1}, "merge_radius"),
        ({"n_colours": 2.5}, "n_colours"),
    ],
)
def test_palette_validation(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        dominant_colours(colour_histogram(palette_image(), "rgb", 8), **kwargs)
    with pytest.raises(ValueError, match="ColourHistogram"):
        dominant_colours(np.zeros((8, 8, 8)))


# ----------------------------------------------------------------------- distances


def test_js_divergence_zero_for_same_and_one_for_disjoint():
    a = colour_histogram(image([(255, 0, 0), (0, 0, 0)]), "lab", 16)
    b = colour_histogram(image([(0, 0, 255), (255, 255, 255)]), "lab", 16)
    assert js_divergence(a, a) == 0.0
    assert js_divergence(a, b) == pytest.approx(1.0)


def test_js_divergence_matches_scipy():
    a = colour_histogram(random_image(1, (8, 8)), "rgb", 8)
    b = colour_histogram(random_image(2, (8, 8)), "rgb", 8)
    expected = jensenshannon(a.counts.ravel(), b.counts.ravel(), base=2) ** 2
    assert js_divergence(a, b) == pytest.approx(expected, abs=1e-12)
    assert js_divergence(b, a) == pytest.approx(expected, abs=1e-12)
    assert js_divergence(a.counts, b.pmf) == pytest.approx(expected, abs=1e-12)


def test_js_divergence_validation():
    a = colour_histogram(random_image(1), "rgb", 8)
    with pytest.raises(ValueError, match="share space and bins"):
        js_divergence(a, colour_histogram(random_image(1), "hsv", 8))
    with pytest.raises(ValueError, match="same shape"):
        js_divergence(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="non-negative"):
        js_divergence(np.zeros(3), np.ones(3))


@settings(max_examples=50, deadline=None)
@given(
    p=arrays(np.float64, 12, elements=st.floats(0, 10, allow_subnormal=False)),
    q=arrays(np.float64, 12, elements=st.floats(0, 10, allow_subnormal=False)),
)
@example(p=np.ones(12), q=np.full(12, 2.96205337))  # equal after normalising
def test_js_divergence_properties(p, q):
    if p.sum() <= 0 or q.sum() <= 0:
        return
    d = js_divergence(p, q)
    assert 0.0 <= d <= 1.0
    assert d == pytest.approx(js_divergence(q, p), abs=1e-12)
    # scipy returns NaN for equal distributions (the square root of a rounding-negative
    # number); the divergence there is 0.
    expected = np.nan_to_num(jensenshannon(p, q, base=2), nan=0.0) ** 2
    assert d == pytest.approx(expected, abs=1e-9)


def test_emd_of_a_shifted_spike_is_the_shift():
    a, b = np.zeros(256), np.zeros(256)
    a[10], b[42] = 1, 1
    assert earth_movers_distance(a, b) == pytest.approx(32.0)


def test_emd_matches_scipy_wasserstein_per_channel():
    rng = np.random.default_rng(5)
    pmf_a, pmf_b = rng.random((3, 256)), rng.random((3, 256)) ** 3
    emd = earth_movers_distance(pmf_a, pmf_b)
    assert emd.shape == (3,)
    levels = np.arange(256)
    for c in range(3):
        expected = wasserstein_distance(levels, levels, pmf_a[c], pmf_b[c])
        assert emd[c] == pytest.approx(expected, abs=1e-9)


def test_channel_emd_between_images_in_levels():
    rgb = random_image(6, (10, 10)) // 2
    shifted = rgb.copy()
    shifted[..., 0] += 10  # red moves up by 10 levels; green and blue stay
    shifted[..., 2] = 255 - shifted[..., 2]
    emd = channel_emd(rgb, shifted)
    assert emd[0] == pytest.approx(10.0)
    assert emd[1] == 0.0
    levels = np.arange(256)
    pa, pb = channel_pmfs(rgb), channel_pmfs(shifted)
    assert emd[2] == pytest.approx(wasserstein_distance(levels, levels, pa[2], pb[2]))
    np.testing.assert_allclose(pa.sum(axis=1), 1.0)


def test_emd_validation():
    with pytest.raises(ValueError, match="same non-empty shape"):
        earth_movers_distance(np.ones(4), np.ones(5))
    with pytest.raises(ValueError, match="pmf_b must be non-negative"):
        earth_movers_distance(np.ones(4), -np.ones(4))
    with pytest.raises(ValueError, match="pmf_a must be non-negative and finite"):
        earth_movers_distance(np.array([1.0, np.nan]), np.ones(2))


def test_emd_rows_against_one_reference_and_a_missing_one():
    # Spikes at levels 0, 1 and 3 against a spike at 0: distances 0, 1 and 3 levels.
    pmfs = np.eye(4)[[0, 1, 3]]
    np.testing.assert_array_equal(earth_movers_distance(pmfs, np.eye(4)[0]), [0.0, 1.0, 3.0])
    references = np.array([np.eye(4)[3], [np.nan] * 4, np.eye(4)[3]])
    np.testing.assert_array_equal(earth_movers_distance(pmfs, references), [3.0, np.nan, 0.0])


def test_js_divergence_of_whole_arrays_rejects_what_rows_call_missing():
    with pytest.raises(ValueError, match="b must be non-negative and finite"):
        js_divergence(np.ones(3), np.array([1.0, np.nan, 1.0]))


# ---------------------------------------------------------------------- statistics


def test_statistics_of_a_hand_made_image():
    # pure yellow (hue 60), pure blue (240), a mid grey and a dark, saturated yellow.
    rgb = image([(255, 255, 0), (0, 0, 255), (128, 128, 128), (30, 30, 0)])
    stats = colour_statistics(rgb, entropy_bins=8)
    assert stats.yellow_share == 0.25  # the dark yellow has V = 30/255 < 0.2: no hue
    assert stats.blue_share == 0.25
    assert stats.mean_saturation == pytest.approx((1 + 1 + 0 + 1) / 4)
    lab = skcolor.rgb2lab(rgb)
    assert stats.mean_lightness == pytest.approx(lab[..., 0].mean(), abs=1e-12)
    assert stats.entropy_bits == pytest.approx(2.0)  # four pixels in four distinct bins
    assert stats.n_pixels == 4
    assert stats.as_dict()["blue_share"] == 0.25


def test_dull_and_grey_pixels_have_no_hue_family():
    rgb = image([(200, 190, 170), (128, 128, 128), (255, 255, 255), (0, 0, 0)])
    stats = colour_statistics(rgb)
    assert stats.yellow_share == stats.blue_share == 0.0


def test_hue_family_boundaries_are_half_open_in_degrees():
    assert HUE_FAMILIES["yellow"][0] < 60 < HUE_FAMILIES["yellow"][1]
    assert HUE_FAMILIES["blue"][0] < 240 < HUE_FAMILIES["blue"][1]
    # hue 30 (orange) and 120 (green) belong to neither
    stats = colour_statistics(image([(255, 128, 0), (0, 255, 0)]))
    assert stats.yellow_share == stats.blue_share == 0.0


def test_statistics_match_per_pixel_conversion_on_a_random_image():
    rgb = random_image(9, (20, 25))
    stats = colour_statistics(rgb, entropy_bins=8)
    hsv, lab = skcolor.rgb2hsv(rgb).reshape(-1, 3), skcolor.rgb2lab(rgb).reshape(-1, 3)
    assert stats.mean_saturation == pytest.approx(hsv[:, 1].mean(), abs=1e-12)
    assert stats.mean_lightness == pytest.approx(lab[:, 0].mean(), abs=1e-10)
    degrees = hsv[:, 0] * 360
    chromatic = (hsv[:, 1] >= 0.2) & (hsv[:, 2] >= 0.2)
    assert stats.yellow_share == np.mean(chromatic & (degrees >= 40) & (degrees < 70))
    assert stats.blue_share == np.mean(chromatic & (degrees >= 190) & (degrees < 260))
    counts, _ = np.histogramdd(rgb.reshape(-1, 3), bins=8, range=[(0, 256)] * 3)
    p = counts.ravel() / counts.sum()
    p = p[p > 0]
    assert stats.entropy_bits == pytest.approx(-(p * np.log2(p)).sum(), abs=1e-10)
    assert stats.entropy_bits <= max_entropy_bits(8) == 9.0


def test_single_colour_has_zero_entropy():
    stats = colour_statistics(np.full((3, 3, 3), 77, dtype=np.uint8))
    assert stats.entropy_bits == 0.0
    assert math.isfinite(stats.mean_lightness)


def test_js_divergence_survives_an_underflowing_mean():
    # m = p / 2 underflows to 0 in the first cell; the divergence is still ~0, not 1.
    p = np.array([5e-324, 1.0])
    assert js_divergence(p, np.array([0.0, 1.0])) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("bins", [8, 24])
def test_pixel_bins_count_to_the_histogram(space, bins):
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, size=(23, 17, 3), dtype=np.uint8)
    rgb[:5] = rgb[0, 0]  # repeated colours
    flat = pixel_bins(rgb, space, bins)
    assert flat.shape == (23, 17)
    dense = np.bincount(flat.ravel(), minlength=bins**3).reshape((bins,) * 3)
    np.testing.assert_array_equal(dense, colour_histogram(rgb, space, bins).counts)


def test_pixel_bins_hand_made():
    rgb = np.array([[[0, 0, 0], [31, 32, 0], [255, 255, 255]]], dtype=np.uint8)
    # bins=8: 32 levels per bin; (31, 32, 0) -> (0, 1, 0) -> flat 8.
    assert pixel_bins(rgb, "rgb", 8).tolist() == [[0, 8, 511]]


# ------------------------------------------------------------------------- Oklab


def test_oklab_ranges_contain_the_srgb_cube_surface():
    # The faces of the RGB cube (a channel at 0 or 255) hold the a and b extremes.
    levels = np.arange(256)
    u, v = (g.ravel() for g in np.meshgrid(levels, levels, indexing="ij"))
    faces = []
    for axis in range(3):
        for fixed in (0, 255):
            face = np.empty((u.size, 3), dtype=np.uint8)
            face[:, axis], face[:, (axis + 1) % 3], face[:, (axis + 2) % 3] = fixed, u, v
            faces.append(face)
    oklab = rgb_to_oklab(np.concatenate(faces))
    lows, highs = oklab.min(axis=0), oklab.max(axis=0)
    for axis, (lo, hi) in enumerate(SPACE_AXES["oklab"].ranges):
        assert lo <= lows[axis] and highs[axis] <= hi
    np.testing.assert_allclose([lows[1], lows[2], highs[1], highs[2]],
                               [-0.2339, -0.3115, 0.2762, 0.1986], atol=1e-4)


@pytest.mark.slow
def test_oklab_ranges_contain_the_whole_srgb_gamut():
    lows, highs = np.full(3, np.inf), np.full(3, -np.inf)
    codes = np.arange(1 << 24, dtype=np.uint32)
    for start in range(0, codes.size, 1 << 22):
        chunk = codes[start:start + (1 << 22)]
        rgb = np.stack([chunk >> 16, (chunk >> 8) & 255, chunk & 255], axis=1).astype(np.uint8)
        oklab = rgb_to_oklab(rgb)
        lows, highs = np.minimum(lows, oklab.min(axis=0)), np.maximum(highs, oklab.max(axis=0))
    for axis, (lo, hi) in enumerate(SPACE_AXES["oklab"].ranges):
        assert lo <= lows[axis] and highs[axis] <= hi
    np.testing.assert_allclose([lows[1], lows[2], highs[1], highs[2]],
                               [-0.2339, -0.3115, 0.2762, 0.1986], atol=1e-4)
    for axis in (1, 2):  # a and b rounded outward to hundredths, no further
        lo, hi = SPACE_AXES["oklab"].ranges[axis]
        assert lows[axis] - lo < 0.01 and hi - highs[axis] < 0.01


def test_oklab_bins_of_known_colours_by_hand():
    # Oklab of red, green, blue, white and black (Ottosson's reference values), binned by hand
    # with 8 bins: L on [0, 1] (width 0.125), a on [-0.24, 0.28] and b on [-0.32, 0.2] (0.065).
    rgb = image([(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)])
    # red (0.628, 0.2249, 0.1258) -> (5, 7, 6); green (0.8664, -0.2339, 0.1795) -> (6, 0, 7);
    # blue (0.4520, -0.0325, -0.3115) -> (3, 3, 0); white (1, 0, 0) -> (7, 3, 4) (L = 1 is the
    # closed top edge); black (0, 0, 0) -> (0, 3, 4).
    expected = [(5, 7, 6), (6, 0, 7), (3, 3, 0), (7, 3, 4), (0, 3, 4)]
    flat = [(i * 8 + j) * 8 + k for i, j, k in expected]
    assert pixel_bins(rgb, "oklab", 8).ravel().tolist() == flat
    hist = colour_histogram(rgb, "oklab", 8)
    assert sorted(map(tuple, hist.occupied.tolist())) == sorted(expected)


def test_hsv_of_the_statistics_is_scikit_image_bit_for_bit():
    rgb = random_image(3, (40, 50))
    rgb[0, :8] = [(0, 0, 0), (255, 255, 255), (9, 9, 9), (200, 200, 10), (10, 200, 200),
                  (200, 10, 200), (3, 2, 1), (255, 0, 0)]  # greys and tied maxima
    from dashboard.core.colours import _hsv_of_pixels

    np.testing.assert_array_equal(np.stack(_hsv_of_pixels(rgb.reshape(-1, 3)), axis=1),
                                  skcolor.rgb2hsv(rgb).reshape(-1, 3))


def test_statistics_of_a_large_image_in_chunks_equal_the_whole():
    # More pixels than one chunk: the sums of the chunks equal the per-pixel reference.
    rgb = random_image(11, (600, 500))
    stats = colour_statistics(rgb)
    hsv = skcolor.rgb2hsv(rgb).reshape(-1, 3)
    assert stats.n_pixels == 300_000
    assert stats.mean_saturation == pytest.approx(hsv[:, 1].mean(), rel=1e-12)
    chromatic = (hsv[:, 1] >= 0.2) & (hsv[:, 2] >= 0.2)
    degrees = hsv[:, 0] * 360
    assert stats.yellow_share == np.mean(chromatic & (degrees >= 40) & (degrees < 70))
