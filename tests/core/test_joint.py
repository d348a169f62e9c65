"""Joint and conditional channel distributions: exact values on hand-made images."""

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image
from skimage import data

from dashboard.core.joint import (
    ACCEPTED_JOINT_BINS,
    channel_correlation,
    conditional_pmf,
    entropy_bits,
    independence_baseline,
    joint_histogram,
    marginals,
    mutual_information,
    mutual_information_miller_madow,
    pearson_correlation,
    shuffled_joint_counts,
)
from dashboard.core.vocabulary import CHANNELS, channel_index


def image(pixels) -> np.ndarray:
    """One-row uint8 image from a list of (r, g, b) triplets."""
    return np.array([pixels], dtype=np.uint8)


def random_image(seed: int, shape=(37, 41)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (*shape, 3), dtype=np.uint8)


small_images = arrays(
    np.uint8,
    st.tuples(st.integers(1, 6), st.integers(1, 6), st.just(3)),
    elements=st.integers(0, 255),
)


# ----------------------------------------------------------------------- histogram


def test_hand_made_2x2_counts_at_full_resolution():
    rgb = np.array([[[0, 10, 0], [0, 10, 0]], [[255, 0, 0], [7, 200, 0]]], dtype=np.uint8)
    joint = joint_histogram(rgb, "red", "green")
    assert joint.counts.shape == (256, 256)
    assert joint.counts.dtype == np.int64
    assert joint.total == 4
    assert joint.counts[0, 10] == 2
    assert joint.counts[255, 0] == 1
    assert joint.counts[7, 200] == 1
    assert joint.counts.sum() == 4
    np.testing.assert_array_equal(joint.level_edges, np.arange(257))
    assert (joint.x_channel, joint.y_channel, joint.bins) == ("red", "green", 256)


def test_coarse_bins_group_whole_level_blocks():
    # With 16 bins each bin holds 16 levels: 0 and 15 share bin 0, 16 is bin 1, 255 bin 15.
    rgb = image([(0, 0, 255), (15, 0, 16), (16, 0, 16), (255, 0, 0)])
    joint = joint_histogram(rgb, "red", "blue", bins=16)
    expected = np.zeros((16, 16), dtype=np.int64)
    expected[0, 15] = 1
    expected[0, 1] = 1
    expected[1, 1] = 1
    expected[15, 0] = 1
    np.testing.assert_array_equal(joint.counts, expected)
    np.testing.assert_array_equal(joint.level_edges, np.arange(0, 257, 16))
    assert joint.bin_width == 16
    np.testing.assert_array_equal(joint.level_centres, np.arange(16) * 16 + 7.5)


@pytest.mark.parametrize("bins", ACCEPTED_JOINT_BINS)
def test_matches_histogram2d_for_every_bin_count(bins):
    rgb = random_image(bins)
    joint = joint_histogram(rgb, "green", "blue", bins=bins)
    edges = np.arange(0, 257, 256 // bins)
    expected, _, _ = np.histogram2d(rgb[..., 1].ravel(), rgb[..., 2].ravel(), bins=[edges, edges])
    np.testing.assert_array_equal(joint.counts, expected.astype(np.int64))


def test_same_channel_twice_gives_a_diagonal():
    rgb = random_image(3)
    joint = joint_histogram(rgb, "blue", "blue")
    np.testing.assert_array_equal(
        joint.counts, np.diag(np.bincount(rgb[..., 2].ravel(), minlength=256))
    )


def test_non_contiguous_view_is_accepted():
    rgb = random_image(4, shape=(20, 30))
    view = rgb[::2, ::3]
    np.testing.assert_array_equal(
        joint_histogram(view).counts, joint_histogram(np.ascontiguousarray(view)).counts
    )


def test_transpose_swaps_roles():
    rgb = random_image(5)
    swapped = joint_histogram(rgb, "red", "blue").transpose()
    direct = joint_histogram(rgb, "blue", "red")
    np.testing.assert_array_equal(swapped.counts, direct.counts)
    assert (swapped.x_channel, swapped.y_channel) == ("blue", "red")


@settings(max_examples=40, deadline=None)
@given(rgb=small_images, bins=st.sampled_from(ACCEPTED_JOINT_BINS))
def test_marginals_are_the_channel_pmfs(rgb, bins):
    joint = joint_histogram(rgb, "red", "blue", bins=bins)
    px, py = marginals(joint)
    shift = 256 // bins
    n = rgb.shape[0] * rgb.shape[1]
    np.testing.assert_allclose(px, np.bincount(rgb[..., 0].ravel() // shift, minlength=bins) / n)
    np.testing.assert_allclose(py, np.bincount(rgb[..., 2].ravel() // shift, minlength=bins) / n)
    assert joint.total == n
    assert math.isclose(joint.pmf.sum(), 1.0)


# -------------------------------------------------------------------- validation


@pytest.mark.parametrize("name", ["purple", "Red", "", None, 0])
def test_unknown_channel_is_named_with_the_accepted_ones(name):
    with pytest.raises(ValueError, match="channel") as info:
        joint_histogram(random_image(0), name, "green")
    assert repr(name) in str(info.value)
    for accepted in CHANNELS:
        assert accepted in str(info.value)


def test_channel_index():
    assert [channel_index(c) for c in CHANNELS] == [0, 1, 2]


@pytest.mark.parametrize("bins", [0, 1, 3, 100, 512, 16.0, True, "16"])
def test_bins_must_divide_256(bins):
    with pytest.raises(ValueError, match=r"bins must be one of 2, 4, .*256") as info:
        joint_histogram(random_image(0), bins=bins)
    assert repr(bins) in str(info.value)


@pytest.mark.parametrize(
    "rgb, fragment",
    [
        (np.zeros((4, 4, 3), dtype=np.float64), "dtype uint8"),
        (np.zeros((4, 4), dtype=np.uint8), r"shape \(H, W, 3\)"),
        (np.zeros((4, 4, 4), dtype=np.uint8), r"shape \(H, W, 3\)"),
        (np.zeros((0, 4, 3), dtype=np.uint8), r"shape \(H, W, 3\)"),
        ([[[0, 0, 0]]], "numpy uint8 array"),
    ],
)
def test_bad_images_are_rejected(rgb, fragment):
    with pytest.raises(ValueError, match=fragment):
        joint_histogram(rgb)


# ------------------------------------------------------------------ conditional


def test_conditional_at_one_level():
    rgb = image([(10, 0, 0), (10, 0, 0), (10, 0, 200), (11, 0, 50)])
    cond = conditional_pmf(joint_histogram(rgb, "red", "blue"), 10)
    assert cond.n_pixels == 3
    assert cond.pmf[0] == pytest.approx(2 / 3)
    assert cond.pmf[200] == pytest.approx(1 / 3)
    assert cond.pmf.sum() == pytest.approx(1.0)
    assert cond.x_range == cond.requested_range == (10, 10)
    assert not cond.is_empty


def test_conditional_over_an_inclusive_range():
    rgb = image([(10, 0, 0), (11, 0, 50), (12, 0, 50), (13, 0, 99)])
    cond = conditional_pmf(joint_histogram(rgb, "red", "blue"), 10, 12)
    assert cond.n_pixels == 3
    assert cond.counts[0] == 1 and cond.counts[50] == 2 and cond.counts.sum() == 3


def test_conditional_on_a_coarse_joint_covers_whole_bins_and_says_so():
    rgb = image([(0, 0, 0), (15, 255, 0), (16, 128, 0)])
    cond = conditional_pmf(joint_histogram(rgb, "red", "green", bins=16), 3, 5)
    assert cond.requested_range == (3, 5)
    assert cond.x_range == (0, 15)
    assert cond.n_pixels == 2
    np.testing.assert_allclose(cond.pmf[[0, 15]], [0.5, 0.5])


def test_empty_condition_is_flagged_not_a_crash():
    rgb = image([(0, 0, 0), (255, 255, 255)])
    cond = conditional_pmf(joint_histogram(rgb), 100, 200)
    assert cond.is_empty
    assert cond.n_pixels == 0
    assert cond.pmf.shape == (256,)
    assert np.isnan(cond.pmf).all()
    assert cond.counts.sum() == 0


@pytest.mark.parametrize(
    "lo, hi, fragment",
    [
        (-1, None, "x_lo"),
        (256, None, "x_lo"),
        (0, 256, "x_hi"),
        (5, 4, "x_hi must be >= x_lo"),
        (1.5, None, "x_lo"),
        (True, None, "x_lo"),
    ],
)
def test_conditional_validates_levels(lo, hi, fragment):
    with pytest.raises(ValueError, match=fragment):
        conditional_pmf(joint_histogram(random_image(0)), lo, hi)


@settings(max_examples=40, deadline=None)
@given(
    rgb=small_images,
    lo=st.integers(0, 255),
    width=st.integers(0, 255),
    bins=st.sampled_from((16, 256)),
)
def test_conditional_matches_direct_selection(rgb, lo, width, bins):
    hi = min(255, lo + width)
    cond = conditional_pmf(joint_histogram(rgb, "green", "red", bins=bins), lo, hi)
    green, red = rgb[..., 1].ravel(), rgb[..., 0].ravel()
    selected = (green >= cond.x_range[0]) & (green <= cond.x_range[1])
    assert cond.n_pixels == selected.sum()
    if cond.n_pixels:
        expected = np.bincount(red[selected] // (256 // bins), minlength=bins) / selected.sum()
        np.testing.assert_allclose(cond.pmf, expected)
        assert cond.pmf.sum() == pytest.approx(1.0)
    else:
        assert cond.is_empty and np.isnan(cond.pmf).all()


# ------------------------------------------------------------------ correlation


def correlated_image(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 200, (50, 60))
    noise = rng.integers(0, 56, (50, 60, 3))
    return (base[..., None] + noise).astype(np.uint8)


def test_correlation_matches_numpy_corrcoef():
    rgb = correlated_image(7)
    r, b = rgb[..., 0].ravel().astype(float), rgb[..., 2].ravel().astype(float)
    expected = np.corrcoef(r, b)[0, 1]
    assert expected > 0.8
    assert channel_correlation(rgb, "red", "blue") == pytest.approx(expected, abs=1e-12)
    assert pearson_correlation(joint_histogram(rgb, "red", "blue")) == pytest.approx(
        expected, abs=1e-12
    )


def test_coarse_joint_correlation_uses_bin_centres():
    rgb = correlated_image(8)
    joint = joint_histogram(rgb, "red", "green", bins=16)
    centred = (rgb[..., :2].astype(float) // 16) * 16 + 7.5
    expected = np.corrcoef(centred[..., 0].ravel(), centred[..., 1].ravel())[0, 1]
    assert pearson_correlation(joint) == pytest.approx(expected, abs=1e-12)


def test_perfect_and_anti_correlation():
    levels = np.arange(256, dtype=np.uint8)
    rgb = np.stack([levels, levels, 255 - levels], axis=-1)[None]
    assert channel_correlation(rgb, "red", "green") == 1.0
    assert channel_correlation(rgb, "red", "blue") == -1.0
    assert pearson_correlation(joint_histogram(rgb, "red", "blue")) == -1.0


def test_constant_channel_has_undefined_correlation():
    rgb = image([(0, 9, 1), (255, 9, 2)])
    assert math.isnan(channel_correlation(rgb, "red", "green"))
    assert math.isnan(pearson_correlation(joint_histogram(rgb, "red", "green")))
    assert math.isnan(pearson_correlation(joint_histogram(rgb, "red", "green", bins=4)))


# ------------------------------------------------------------ mutual information


def mi_by_counting(x: np.ndarray, y: np.ndarray) -> float:
    """Plug-in mutual information in bits from pair counts, by plain loops."""
    n = x.size
    pairs, cx, cy = (
        Counter(zip(x.tolist(), y.tolist(), strict=True)),
        Counter(x.tolist()),
        Counter(y.tolist()),
    )
    return sum(c / n * math.log2(c * n / (cx[a] * cy[b])) for (a, b), c in pairs.items())


def test_independent_channels_have_zero_mi():
    # Every (red, green) pair of a 2 x 3 grid of levels occurs exactly once: independent.
    reds, greens = np.meshgrid([0, 128], [5, 77, 250], indexing="ij")
    rgb = np.stack([reds, greens, np.zeros_like(reds)], axis=-1).astype(np.uint8)
    assert mutual_information(joint_histogram(rgb, "red", "green")) == pytest.approx(0, abs=1e-12)


def test_identical_channels_have_mi_equal_to_entropy():
    rgb = random_image(11)
    joint = joint_histogram(rgb, "green", "green")
    h = entropy_bits(marginals(joint)[0])
    assert mutual_information(joint) == pytest.approx(h, abs=1e-10)
    assert h > 7  # a random image has close to 8 bits per channel


def test_one_bit_when_a_channel_copies_a_fair_coin():
    rgb = image([(0, 0, 3), (255, 255, 3), (0, 0, 3), (255, 255, 3)])
    assert mutual_information(joint_histogram(rgb, "red", "green")) == pytest.approx(1.0)
    assert mutual_information(joint_histogram(rgb, "red", "green", bins=2)) == pytest.approx(1.0)
    assert mutual_information(joint_histogram(rgb, "red", "blue")) == 0.0


def test_mi_matches_counting_pairs():
    rgb = correlated_image(12)
    x, y = rgb[..., 0].ravel(), rgb[..., 1].ravel()
    assert mutual_information(joint_histogram(rgb, "red", "green")) == pytest.approx(
        mi_by_counting(x, y), abs=1e-10
    )
    assert mutual_information(joint_histogram(rgb, "red", "green", bins=32)) == pytest.approx(
        mi_by_counting(x // 8, y // 8), abs=1e-10
    )


@settings(max_examples=40, deadline=None)
@given(rgb=small_images, bins=st.sampled_from(ACCEPTED_JOINT_BINS[:-1]))
def test_coarser_bins_never_add_information(rgb, bins):
    fine = mutual_information(joint_histogram(rgb, "red", "blue"))
    coarse = mutual_information(joint_histogram(rgb, "red", "blue", bins=bins))
    assert 0.0 <= coarse <= fine + 1e-9


def test_entropy_bits_of_simple_pmfs():
    assert entropy_bits([0.5, 0.5]) == 1.0
    assert entropy_bits([1.0, 0.0]) == 0.0
    assert entropy_bits(np.full((4, 4), 1 / 16)) == pytest.approx(4.0)


def test_miller_madow_removes_the_finite_sample_bias_of_independent_channels():
    rng = np.random.default_rng(11)
    rgb = rng.integers(0, 256, size=(512, 512, 3), dtype=np.uint8)  # independent channels
    joint = joint_histogram(rgb, "red", "green", bins=256)
    n = 512 * 512
    plug_in = mutual_information(joint)
    expected_bias = 255 * 255 / (2 * n * np.log(2))  # (bins - 1)^2 / (2 N ln 2) bits
    assert plug_in == pytest.approx(expected_bias, rel=0.1)
    assert mutual_information_miller_madow(joint) < 0.1 * plug_in


def test_miller_madow_by_hand():
    # 4 pixels: (0,0), (0,0), (1,1), (1,1): plug-in MI = 1 bit; K_x = K_y = K_xy = 2.
    rgb = np.zeros((1, 4, 3), dtype=np.uint8)
    rgb[0, 2:, :2] = 1
    joint = joint_histogram(rgb, "red", "green", bins=256)
    assert mutual_information(joint) == pytest.approx(1.0)
    # correction (2 + 2 - 2 - 1) / (2 * 4 * ln 2) bits
    assert mutual_information_miller_madow(joint) == pytest.approx(1 + 1 / (8 * np.log(2)))


# ------------------------------------------------------------ what independence gives


def painting_like(height: int, width: int | None = None) -> np.ndarray:
    """scikit-image's astronaut resized: channels that depend on each other, as in a painting."""
    size = (width or height, height)
    return np.asarray(Image.fromarray(data.astronaut()).resize(size, Image.LANCZOS))


def with_green_shuffled(rgb: np.ndarray, seed: int) -> np.ndarray:
    shuffled = rgb.copy()
    green = shuffled[..., 1].reshape(-1)
    shuffled[..., 1] = np.random.default_rng(seed).permutation(green).reshape(rgb.shape[:2])
    return shuffled


@pytest.mark.parametrize("side", [64, 1024])  # shuffled pixels, then random tables
def test_shuffled_joint_keeps_both_histograms(side):
    joint = joint_histogram(painting_like(side), "red", "green")
    shuffled = shuffled_joint_counts(joint, rng=0)
    assert shuffled.dtype == np.int64 and shuffled.shape == (256, 256)
    np.testing.assert_array_equal(shuffled.sum(axis=1), joint.counts.sum(axis=1))
    np.testing.assert_array_equal(shuffled.sum(axis=0), joint.counts.sum(axis=0))
    assert not np.array_equal(shuffled, joint.counts)


def test_shuffled_tables_have_the_hypergeometric_mean():
    # Under shuffling, cell (i, j) holds Hypergeometric(N, row_i, col_j) pixels: mean
    # row_i col_j / N, whichever way the table is drawn.
    rgb = painting_like(600)  # 360,000 pixels: drawn as tables
    joint = joint_histogram(rgb, "red", "green", bins=4)
    rows, cols = joint.counts.sum(axis=1), joint.counts.sum(axis=0)
    rng = np.random.default_rng(1)
    mean = np.mean([shuffled_joint_counts(joint, rng) for _ in range(200)], axis=0)
    expected = np.outer(rows, cols) / joint.total
    np.testing.assert_allclose(mean, expected, rtol=0.01)


@pytest.mark.parametrize("side", [64, 128, 1024])
def test_shuffled_channels_show_no_detectable_dependence(side):
    rgb = with_green_shuffled(painting_like(side), seed=side)
    joint = joint_histogram(rgb, "red", "green")
    estimate = mutual_information(joint)
    baseline = independence_baseline(joint, rng=0)
    # The plug-in estimate is far from 0 on small images, and so is the baseline.
    assert estimate > (1.0 if side == 64 else 0.04)
    assert baseline.shuffles == 8
    assert not baseline.detects(estimate)
    assert abs(estimate - baseline.mean) < 5 * baseline.shuffled_bits.std(ddof=1)


@pytest.mark.parametrize("side", [64, 128, 1024])
def test_real_channels_show_dependence(side):
    joint = joint_histogram(painting_like(side), "red", "green")
    baseline = independence_baseline(joint, rng=0)
    assert baseline.detects(mutual_information(joint))
    assert mutual_information(joint) - baseline.mean > 0.5


@pytest.mark.slow
def test_independent_channels_are_called_dependent_in_about_5_percent_of_images():
    detected = 0
    for seed in range(300):
        rgb = with_green_shuffled(painting_like(32), seed)
        joint = joint_histogram(rgb, "red", "green")
        detected += independence_baseline(joint, rng=seed).detects(mutual_information(joint))
    assert abs(detected / 300 - 0.05) <= 2.576 * math.sqrt(0.05 * 0.95 / 300)


def test_independence_baseline_of_a_constant_channel_detects_nothing():
    rgb = painting_like(16).copy()
    rgb[..., 1] = 7
    joint = joint_histogram(rgb, "red", "green")
    baseline = independence_baseline(joint, shuffles=3, rng=0)
    assert baseline.mean == baseline.bound == 0.0
    assert not baseline.detects(mutual_information(joint))
    with pytest.raises(ValueError, match="shuffles"):
        independence_baseline(joint, shuffles=1)
