"""Oklab against published reference values, round trips and the grey axis."""

import numpy as np
import pytest

from dashboard.core.oklab import (
    M1,
    M1_INV,
    M2,
    M2_INV,
    levels_to_oklab,
    linear_srgb_to_oklab,
    linear_to_srgb,
    oklab_to_linear_srgb,
    oklab_to_rgb,
    rgb_to_oklab,
    srgb_to_linear,
)

#: sRGB primaries and secondaries with their Oklab, as Ottosson's own conversion code gives them
#: (colorconversion.js of the colour picker; also the values of CSS Color 4 implementations).
REFERENCE = {
    (255, 0, 0): (0.6279553606145516, 0.22486306106597398, 0.1258462985307351),
    (0, 255, 0): (0.8664396115356694, -0.23388757418790818, 0.17949847989672985),
    (0, 0, 255): (0.4520137183853429, -0.03245698416876397, -0.3115281476783751),
    (255, 255, 255): (1.0, 0.0, 0.0),
    (0, 0, 0): (0.0, 0.0, 0.0),
}

#: Ottosson's table of XYZ (D65) -> Oklab (3 decimals), read here through linear sRGB.
XYZ_TABLE = [
    ((0.950, 1.000, 1.089), (1.000, 0.000, 0.000)),
    ((1.000, 0.000, 0.000), (0.450, 1.236, -0.019)),
    ((0.000, 1.000, 0.000), (0.922, -0.671, 0.263)),
    ((0.000, 0.000, 1.000), (0.153, -1.415, -0.449)),
]
#: Linear sRGB -> XYZ (IEC 61966-2-1).
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])


@pytest.mark.parametrize(("rgb", "expected"), list(REFERENCE.items()))
def test_known_colours(rgb, expected):
    got = rgb_to_oklab(np.array(rgb, dtype=np.uint8))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-7)
    np.testing.assert_allclose(rgb_to_oklab(np.array(rgb) / 255.0), got, rtol=0, atol=1e-15)


def test_white_is_l_one_within_the_published_rounding():
    white = rgb_to_oklab(np.array([1.0, 1.0, 1.0]))
    assert abs(white[0] - 1) < 1e-8 and abs(white[1]) < 1e-9 and abs(white[2]) < 4e-8


def test_published_xyz_table_through_linear_srgb():
    for xyz, expected in XYZ_TABLE:
        linear = np.linalg.solve(SRGB_TO_XYZ, np.array(xyz))
        np.testing.assert_allclose(linear_srgb_to_oklab(linear), expected, rtol=0, atol=2e-3)


def test_grey_axis_has_no_chroma_and_rising_lightness():
    greys = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    oklab = rgb_to_oklab(greys)
    np.testing.assert_allclose(oklab[:, 1:], 0.0, rtol=0, atol=4e-8)
    assert np.all(np.diff(oklab[:, 0]) > 0)
    # L of a grey is the cube root of its linear value (the rows of M1 and of M2's L sum to 1).
    np.testing.assert_allclose(oklab[:, 0], np.cbrt(srgb_to_linear(np.arange(256) / 255)),
                               rtol=0, atol=1e-8)


def test_round_trip_to_1e_10():
    rng = np.random.default_rng(0)
    colours = np.concatenate([rng.random((10_000, 3)), np.eye(3), [[0, 0, 0], [1, 1, 1]],
                              np.arange(256)[:, None].repeat(3, axis=1) / 255])
    np.testing.assert_allclose(oklab_to_rgb(rgb_to_oklab(colours)), colours, rtol=0, atol=1e-10)
    # The standard's two pieces meet 3e-8 apart: encoded values in (0.0404499, 0.04045] (no
    # 8-bit level) come back that far off, and no further.
    junction = np.array([[0.04045, 0.003, 0.5]])
    assert np.abs(oklab_to_rgb(rgb_to_oklab(junction)) - junction).max() < 1e-7
    levels = np.arange(256) / 255
    np.testing.assert_allclose(linear_to_srgb(srgb_to_linear(levels)), levels, rtol=0,
                               atol=1e-12)
    lab = rng.uniform([0, -0.2, -0.2], [1, 0.2, 0.2], (1000, 3))
    np.testing.assert_allclose(linear_srgb_to_oklab(oklab_to_linear_srgb(lab)), lab, rtol=0,
                               atol=1e-10)


def test_inverse_matrices_are_exact_and_agree_with_the_published_ones():
    np.testing.assert_allclose(M1_INV @ M1, np.eye(3), atol=1e-14)
    np.testing.assert_allclose(M2_INV @ M2, np.eye(3), atol=1e-14)
    published_m1_inv = [[4.0767416621, -3.3077115913, 0.2309699292],
                        [-1.2684380046, 2.6097574011, -0.3413193965],
                        [-0.0041960863, -0.7034186147, 1.7076147010]]
    published_m2_inv = [[1.0, 0.3963377774, 0.2158037573],
                        [1.0, -0.1055613458, -0.0638541728],
                        [1.0, -0.0894841775, -1.2914855480]]
    np.testing.assert_allclose(M1_INV, published_m1_inv, rtol=0, atol=1e-9)
    np.testing.assert_allclose(M2_INV, published_m2_inv, rtol=0, atol=1e-7)


def test_transfer_function_pieces():
    # below 0.04045 the curve is linear with slope 1 / 12.92; 1 maps to 1; 0.5 to 0.21404
    np.testing.assert_allclose(srgb_to_linear([0.0, 0.04, 0.5, 1.0]),
                               [0.0, 0.04 / 12.92, 0.21404114048223255, 1.0], rtol=1e-14)
    # out of gamut: negative linear values keep their sign
    assert linear_to_srgb(-0.001) == pytest.approx(-0.01292)


def test_levels_table_gives_the_same_floats_as_converting_each_colour():
    rgb = np.random.default_rng(1).integers(0, 256, (5000, 3), dtype=np.uint8)
    np.testing.assert_array_equal(levels_to_oklab(rgb), rgb_to_oklab(rgb))


def test_out_of_gamut_oklab_leaves_the_unit_cube():
    rgb = oklab_to_rgb([0.5, 0.3, 0.0])  # far more chroma than sRGB holds at that lightness
    assert rgb.max() > 1 or rgb.min() < 0


@pytest.mark.parametrize("bad", [np.zeros((2, 2)), np.zeros(3, dtype=np.int64), np.array(3.0)])
def test_bad_input_is_named(bad):
    with pytest.raises(ValueError, match="rgb must"):
        rgb_to_oklab(bad)
