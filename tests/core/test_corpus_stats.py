"""Equal-weight pooling, typicality and search by colour: against direct loops, scipy and
scikit-image, on a small generated corpus and on hand-made data."""

import math

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance
from skimage import color as skcolor

from dashboard.core import corpus_stats as cs
from dashboard.core.colours import (
    bin_edges,
    channel_pmfs,
    colour_histogram,
    dominant_colours,
    earth_movers_distance,
    js_divergence_rows,
)
from dashboard.core.distributions import cdf_from_pmf

LEVEL_AXIS = np.arange(256)


# ----------------------------------------------------------------- a small generated corpus

def painting(seed: int, shape: tuple[int, int], centre: tuple[int, int, int]) -> np.ndarray:
    """A random uint8 image whose colours scatter around ``centre``."""
    rng = np.random.default_rng(seed)
    pixels = rng.normal(centre, 40, size=(*shape, 3))
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def generated():
    """Five paintings of very different sizes in three groups, and their statistics."""
    specs = [(0, (10, 12), (200, 60, 40), "a"), (1, (60, 80), (40, 60, 200), "a"),
             (2, (20, 25), (220, 200, 50), "b"), (3, (50, 40), (30, 30, 30), "b"),
             (4, (15, 30), (120, 160, 90), "c")]
    images = [painting(seed, shape, centre) for seed, shape, centre, _ in specs]
    groups = [group for *_, group in specs]
    pmfs = np.stack([channel_pmfs(img) for img in images])
    hists = {space: np.stack([colour_histogram(img, space, 16).pmf.ravel() for img in images])
             for space in ("rgb", "hsv", "lab")}
    return {"images": images, "groups": groups, "pmfs": pmfs, "hists": hists}


def direct_pooled_pmf(images) -> np.ndarray:
    """Mean over paintings of each painting's per-channel PMF, counted pixel by pixel."""
    total = np.zeros((3, 256))
    for img in images:
        for c in range(3):
            counts = np.zeros(256)
            for value in img[..., c].ravel():
                counts[value] += 1
            total[c] += counts / counts.sum()
    return total / len(images)


def direct_pooled_histogram(images, space: str) -> np.ndarray:
    """Mean over paintings of np.histogramdd of every pixel's coordinates, normalised."""
    convert = {"rgb": lambda a: a.astype(float), "hsv": skcolor.rgb2hsv,
               "lab": skcolor.rgb2lab}[space]
    total = np.zeros((16, 16, 16))
    for img in images:
        counts, _ = np.histogramdd(convert(img).reshape(-1, 3), bins=bin_edges(space, 16))
        total += counts / counts.sum()
    return (total / len(images)).ravel()


def test_pooled_pmf_weights_each_painting_equally(generated):
    pooled = cs.equal_weight_mean(generated["pmfs"])
    np.testing.assert_allclose(pooled, direct_pooled_pmf(generated["images"]), atol=1e-15)
    np.testing.assert_allclose(pooled.sum(axis=1), 1.0)
    # Not the PMF of all pixels together: the 80x60 painting would dominate that one.
    all_pixels = np.concatenate([img.reshape(-1, 3) for img in generated["images"]])
    pixel_weighted = channel_pmfs(all_pixels[None])
    assert np.abs(pooled - pixel_weighted).sum() > 0.1


@pytest.mark.parametrize("space", ["rgb", "hsv", "lab"])
def test_pooled_histogram_matches_histogramdd(generated, space):
    pooled = cs.equal_weight_mean(generated["hists"][space])
    np.testing.assert_allclose(pooled, direct_pooled_histogram(generated["images"], space),
                               atol=1e-12)


def test_equal_weight_mean_normalises_counts_and_masks(generated):
    counts = np.stack([colour_histogram(img, "rgb", 16).counts.ravel()
                       for img in generated["images"]])
    mask = np.array([True, False, True, False, False])
    expected = (counts[0] / counts[0].sum() + counts[2] / counts[2].sum()) / 2
    np.testing.assert_allclose(cs.equal_weight_mean(counts, mask), expected, atol=1e-15)


def test_group_means_and_leave_one_out_against_loops(generated):
    pmfs, groups = generated["pmfs"], generated["groups"]
    means = cs.group_means(pmfs, groups, ["c", "b", "a", "missing"])
    assert list(means) == ["c", "b", "a"]
    for group, mean in means.items():
        members = [p for p, g in zip(pmfs, groups, strict=True) if g == group]
        np.testing.assert_allclose(mean, sum(members) / len(members), atol=1e-15)
    others = cs.leave_one_out_means(pmfs, groups)
    for i, group in enumerate(groups):
        rest = [pmfs[j] for j in range(len(groups)) if j != i and groups[j] == group]
        if rest:
            np.testing.assert_allclose(others[i], sum(rest) / len(rest), atol=1e-15)
        else:
            assert np.all(np.isnan(others[i]))


def test_quantile_band_and_cdf(generated):
    pmfs = generated["pmfs"]
    band = cs.quantile_band(pmfs, (0.25, 0.75))
    for c in range(3):
        for level in (0, 60, 128, 255):
            values = sorted(pmfs[:, c, level])
            np.testing.assert_allclose(band[:, c, level],
                                       np.percentile(values, [25, 75]), atol=1e-15)
    cdf = cdf_from_pmf(pmfs[0])
    np.testing.assert_allclose(cdf[:, 100], pmfs[0][:, :101].sum(axis=1), atol=1e-12)
    assert np.all(cdf[:, -1] <= 1.0)


def test_marginal_of_lab_histogram_is_the_lightness_histogram(generated):
    img = generated["images"][1]
    lightness = skcolor.rgb2lab(img)[..., 0].ravel()
    expected, _ = np.histogram(lightness, bins=bin_edges("lab", 16)[0])
    got = cs.marginal(generated["hists"]["lab"][1], 16, 0)
    np.testing.assert_allclose(got, expected / lightness.size, atol=1e-12)


def test_group_value_means_by_hand():
    keys, means, counts = cs.group_value_means([1.0, 3.0, 10.0, np.nan, 5.0],
                                               [1888, 1888, 1885, 1885, 1890])
    assert keys == [1885, 1888, 1890]
    np.testing.assert_allclose(means, [10.0, 2.0, 5.0])
    assert counts.tolist() == [1, 2, 1]


# ---------------------------------------------------------------------------- distances

def test_js_divergence_rows_matches_scipy(generated):
    hists = generated["hists"]["lab"]
    reference = cs.equal_weight_mean(hists)
    got = js_divergence_rows(hists, reference)
    expected = [jensenshannon(h, reference, base=2) ** 2 for h in hists]
    np.testing.assert_allclose(got, expected, atol=1e-12)
    paired = js_divergence_rows(hists, hists[::-1])
    np.testing.assert_allclose(
        paired, [jensenshannon(a, b, base=2) ** 2 for a, b in zip(hists, hists[::-1],
                                                                   strict=True)], atol=1e-12)


def test_js_divergence_rows_bounds_and_missing_reference():
    p = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])
    q = np.array([[0.0, 0.0, 1.0], [np.nan, np.nan, np.nan]])
    got = js_divergence_rows(p, q)
    assert got[0] == pytest.approx(1.0)
    assert math.isnan(got[1])


def test_emd_against_one_reference_matches_scipy_wasserstein(generated):
    pmfs = generated["pmfs"]
    reference = cs.equal_weight_mean(pmfs)
    got = earth_movers_distance(pmfs, reference)
    assert got.shape == (5, 3)
    for i in range(5):
        for c in range(3):
            expected = wasserstein_distance(LEVEL_AXIS, LEVEL_AXIS, pmfs[i, c], reference[c])
            assert got[i, c] == pytest.approx(expected, abs=1e-9)


def test_typicality_by_hand():
    # Group "x": a and b identical, c disjoint from them; "y": one painting alone.
    hists = np.array([[1.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5],
                      [0.25, 0.25, 0.25, 0.25]])
    got = cs.typicality(hists, ["x", "x", "x", "y"])
    # a against mean(b, c) = [.5, 0, .25, .25]: JS = 0.5 * KL(a||m) + 0.5 * KL(o||m)
    # with m = [.75, 0, .125, .125]: KL(a||m) = log2(4/3); KL(o||m) = .5 log2(2/3) + 2 * .25 * 1.
    expected_a = 0.5 * math.log2(4 / 3) + 0.5 * (0.5 * math.log2(0.5 / 0.75) + 0.5)
    assert got[0] == pytest.approx(expected_a, abs=1e-12)
    assert got[1] == pytest.approx(expected_a, abs=1e-12)
    assert got[2] == pytest.approx(1.0)  # c shares nothing with a and b
    assert math.isnan(got[3])


def test_rank_typical_by_hand():
    distances = [0.4, 0.1, 0.3, 0.2, 0.9, np.nan, 0.5, 0.6]
    groups = ["a", "a", "a", "a", "a", "a", "b", "c"]
    ranking = cs.rank_typical(distances, groups, ["c", "a", "b", "z"], n=2)
    assert list(ranking) == ["c", "a", "b"]
    assert ranking["a"] == ([1, 3], [4, 0])
    assert ranking["b"] == ([6], [])
    with pytest.raises(ValueError, match="n must be a positive integer"):
        cs.rank_typical(distances, groups, ["a"], n=0)


def test_rank_typical_never_lists_a_painting_twice():
    ranking = cs.rank_typical([0.3, 0.1, 0.2], ["a"] * 3, ["a"], n=3)
    most, least = ranking["a"]
    assert most == [1, 2] and least == [0]


# ------------------------------------------------------------------------------ colours

def test_bin_centres_and_colours():
    centres = cs.bin_centres("rgb", 16)
    assert centres.shape == (4096, 3)
    assert centres[0].tolist() == [8.0, 8.0, 8.0]
    assert centres[1].tolist() == [8.0, 8.0, 24.0]  # flat C order: blue varies fastest
    assert cs.bin_colours("rgb", 16)[-1].tolist() == [248, 248, 248]
    hsv_centres = cs.bin_centres("hsv", 16)
    expected = np.rint(skcolor.hsv2rgb(hsv_centres[1234][None]) * 255)[0]
    assert cs.bin_colours("hsv", 16)[1234].tolist() == expected.tolist()
    lab = cs.bin_centres("lab", 16)
    grey = np.argmin(np.abs(lab - [53.125, 0.0, 0.0]).sum(axis=1))
    r, g, b = cs.bin_colours("lab", 16)[grey].tolist()
    assert max(r, g, b) - min(r, g, b) < 40  # a* and b* near 0: nearly grey


def test_top_bins_by_hand():
    assert cs.top_bins(np.array([0.0, 0.2, 0.5, 0.0, 0.2, 0.1]), 3).tolist() == [2, 1, 4]
    with pytest.raises(ValueError, match="limit"):
        cs.top_bins(np.ones(4), 0)


def test_pooled_palette_matches_dominant_colours_on_centre_pixels():
    # Pixels exactly at bin centres: the mean RGB of a bin equals its centre, so the palette
    # of the pooled histogram must equal dominant_colours on the image.
    centres = cs.bin_centres("rgb", 16).astype(np.uint8)
    rng = np.random.default_rng(3)
    chosen = rng.choice(4096, size=60, replace=False)
    counts = rng.integers(1, 50, size=60)
    pixels = np.repeat(centres[chosen], counts, axis=0)[None]
    hist = colour_histogram(pixels, "rgb", 16)
    expected = dominant_colours(hist, n_colours=6, merge_radius=1)
    got = cs.pooled_palette(hist.pmf.ravel(), 16, n_colours=6, merge_radius=1)
    np.testing.assert_allclose(got.mean_rgb, expected.mean_rgb, atol=1e-9)
    np.testing.assert_allclose(got.shares, expected.shares, atol=1e-12)


def test_pooled_palette_by_hand():
    shares = np.zeros(16**3)
    flat = lambda i, j, k: (i * 16 + j) * 16 + k  # noqa: E731
    shares[flat(0, 0, 0)] = 0.5   # seed of entry 1 ...
    shares[flat(1, 0, 0)] = 0.25  # ... which absorbs its neighbour
    shares[flat(10, 10, 10)] = 0.25
    palette = cs.pooled_palette(shares, 16, n_colours=5, merge_radius=1)
    np.testing.assert_allclose(palette.shares, [0.75, 0.25])
    np.testing.assert_allclose(palette.mean_rgb[0], [(0.5 * 8 + 0.25 * 24) / 0.75, 8, 8])
    assert palette.colours[1].tolist() == [168, 168, 168]


def test_hex_colours():
    assert cs.parse_hex_colour("#E8B923") == (232, 185, 35)
    assert cs.parse_hex_colour("fc0") == (255, 204, 0)
    assert cs.hex_colour((232, 185, 35)) == "#e8b923"
    for bad in ("", "#12345", "zzzzzz", "#1234567", None, 123):
        with pytest.raises(ValueError, match="colour must be a hex colour"):
            cs.parse_hex_colour(bad)


def test_colour_search_against_a_direct_loop():
    rng = np.random.default_rng(7)
    colours = rng.integers(0, 256, (6, 4, 3)).astype(np.uint8)
    shares = rng.uniform(0.05, 0.3, (6, 4))
    shares[2, 2:] = 0.0  # unused slots
    targets = np.array([[232, 185, 35], [42, 75, 141]])
    got = cs.colour_search(targets, colours, shares, share_penalty=20.0)
    for n in range(6):
        costs = []
        for t, target in enumerate(targets):
            target_lab = skcolor.rgb2lab(target[None, None].astype(np.uint8))[0, 0]
            options = []
            for k in range(4):
                if shares[n, k] == 0:
                    continue
                lab = skcolor.rgb2lab(colours[n, k][None, None])[0, 0]
                delta = math.dist(lab, target_lab)
                options.append((delta + 20.0 * (1 - shares[n, k]), k, delta))
            best = min(options)
            costs.append(best[0])
            assert got.slot[n, t] == best[1]
            assert got.delta_e[n, t] == pytest.approx(best[2], abs=1e-9)
            assert got.share[n, t] == shares[n, best[1]]
        assert got.distance[n] == pytest.approx(sum(costs) / 2, abs=1e-9)


def test_colour_search_ranks_an_exact_dominant_match_first():
    yellow, blue, grey = (232, 185, 35), (42, 75, 141), (128, 128, 128)
    colours = np.array([[grey, blue, grey], [yellow, blue, grey], [yellow, grey, grey],
                        [(0, 0, 0), (0, 0, 0), (0, 0, 0)]], dtype=np.uint8)
    shares = np.array([[0.6, 0.3, 0.1], [0.5, 0.4, 0.1], [0.02, 0.9, 0.08], [0, 0, 0]])
    got = cs.colour_search(np.array([yellow, blue]), colours, shares)
    assert got.ranking().tolist()[0] == 1
    assert math.isinf(got.distance[3]) and got.slot[3].tolist() == [-1, -1]
    # Exact colours: the distance is only the share penalty, 20 * (1 - share), averaged.
    assert got.distance[1] == pytest.approx((20 * 0.5 + 20 * 0.6) / 2, abs=1e-6)


@pytest.mark.parametrize("targets", [np.zeros((0, 3)), np.zeros((4, 3)), np.zeros((2, 2)),
                                     np.array([[300, 0, 0]])])
def test_colour_search_rejects_bad_targets(targets):
    with pytest.raises(ValueError, match="targets"):
        cs.colour_search(targets, np.zeros((1, 2, 3), np.uint8), np.ones((1, 2)))


def test_bad_inputs_name_the_parameter():
    with pytest.raises(ValueError, match="distributions"):
        cs.equal_weight_mean(np.zeros((0, 4)))
    with pytest.raises(ValueError, match="non-negative"):
        cs.equal_weight_mean(np.array([[1.0, -1.0]]))
    with pytest.raises(ValueError, match="mask selects no painting"):
        cs.equal_weight_mean(np.ones((2, 3)), np.array([False, False]))
    with pytest.raises(ValueError, match="groups must have one label per painting"):
        cs.group_means(np.ones((2, 3)), ["a"], ["a"])
    with pytest.raises(ValueError, match="bins\\*\\*3"):
        cs.marginal(np.ones(10), 16, 0)
    with pytest.raises(ValueError, match="quantiles"):
        cs.quantile_band(np.ones((2, 3)), (0.8, 0.2))
    with pytest.raises(ValueError, match="share_penalty"):
        cs.colour_search(np.zeros((1, 3)), np.zeros((1, 2, 3), np.uint8), np.ones((1, 2)),
                         share_penalty=-1)


def test_colour_search_in_oklab_against_a_direct_loop():
    from dashboard.core.oklab import rgb_to_oklab

    rng = np.random.default_rng(8)
    colours = rng.integers(0, 256, (5, 3, 3)).astype(np.uint8)
    shares = rng.uniform(0.05, 0.3, (5, 3))
    targets = np.array([[232, 185, 35]])
    target = rgb_to_oklab(targets[0].astype(np.uint8))
    got = cs.colour_search(targets, colours, shares, space="oklab")
    assert got.space == "oklab"
    for n in range(5):
        options = []
        for k in range(3):
            delta = math.dist(rgb_to_oklab(colours[n, k]), target)
            options.append((delta + 0.2 * (1 - shares[n, k]), k, delta))
        best = min(options)
        assert got.slot[n, 0] == best[1]
        assert got.delta_e[n, 0] == pytest.approx(best[2], abs=1e-12)
        assert got.distance[n] == pytest.approx(best[0], abs=1e-12)


def test_oklab_differences_are_about_a_hundredth_of_cielab_ones():
    # pure red against pure blue: ΔE_ok 0.5366 (Ottosson's values), ΔE76 176.3
    red_blue = np.array([[[255, 0, 0]]], dtype=np.uint8), np.array([[[0, 0, 255]]], np.uint8)
    ok = cs.colour_search(np.array([[255, 0, 0]]), red_blue[1], np.array([[1.0]]), space="oklab")
    lab = cs.colour_search(np.array([[255, 0, 0]]), red_blue[1], np.array([[1.0]]), space="lab")
    assert ok.delta_e[0, 0] == pytest.approx(math.dist((0.62796, 0.22486, 0.12585),
                                                       (0.45201, -0.03246, -0.31153)), abs=1e-4)
    assert 50 < lab.delta_e[0, 0] / ok.delta_e[0, 0] < 500
    with pytest.raises(ValueError, match="space must be one of 'oklab', 'lab'"):
        cs.colour_search(np.array([[255, 0, 0]]), red_blue[1], np.array([[1.0]]), space="hsv")


def test_oklab_bin_colours_of_the_grey_axis_and_white():
    # 8 bins: the bins holding a = b = 0 are a-bin 3 and b-bin 4; their centres are near grey.
    colours = cs.bin_colours("oklab", 8).reshape(8, 8, 8, 3)
    greyish = colours[:, 3, 4].astype(int)
    assert np.all(np.diff(greyish.mean(axis=1)) > 0)  # lighter with L
    assert np.all(greyish.max(axis=1) - greyish.min(axis=1) < 40)  # nearly grey
    assert colours.dtype == np.uint8
