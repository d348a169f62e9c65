"""The shared vocabulary: one definition per idea, and the one image validator."""

import numpy as np
import pytest

from dashboard.core.colours import SPACE_AXES
from dashboard.core.joint import ACCEPTED_JOINT_BINS
from dashboard.core.vocabulary import (
    CHANNELS,
    JOINT_BIN_CHOICES,
    LEVELS,
    MAX_LEVEL,
    PERIOD_PALETTE_SIZE,
    SHOWN_PALETTE_SIZE,
    SPACES,
    STORED_PALETTE_SIZE,
    channel_index,
    validate_choice,
    validate_image,
    validate_int,
)


def test_values():
    assert CHANNELS == ("red", "green", "blue")
    assert (LEVELS, MAX_LEVEL) == (256, 255)
    assert SPACES == ("rgb", "hsv", "lab", "oklab")
    assert JOINT_BIN_CHOICES == (32, 64, 128, 256)
    assert (SHOWN_PALETTE_SIZE, STORED_PALETTE_SIZE, PERIOD_PALETTE_SIZE) == (10, 8, 8)


def test_tables_agree_with_the_vocabulary():
    assert tuple(SPACE_AXES) == SPACES
    assert SPACE_AXES["rgb"].axis_names == CHANNELS
    assert set(JOINT_BIN_CHOICES) <= set(ACCEPTED_JOINT_BINS)


def test_channel_index():
    assert [channel_index(c) for c in CHANNELS] == [0, 1, 2]
    with pytest.raises(ValueError) as info:
        channel_index("Red")
    assert str(info.value) == "channel must be one of 'red', 'green', 'blue'; got 'Red'"


@pytest.mark.parametrize("shape", [(1, 1, 3), (2, 5, 3)])
def test_valid_rgb_images_come_back_contiguous_and_equal(shape):
    image = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
    result = validate_image(image)
    assert result is image  # already contiguous: no copy
    strided = np.arange(2 * np.prod(shape), dtype=np.uint8).reshape(shape[0], -1, 3)[:, ::2]
    result = validate_image(strided)
    assert result.flags.c_contiguous
    np.testing.assert_array_equal(result, strided)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ([[[0, 0, 0]]], "rgb must be a numpy uint8 array of shape (H, W, 3); got list"),
        (None, "rgb must be a numpy uint8 array of shape (H, W, 3); got NoneType"),
        (np.zeros((2, 2, 3), np.float64),
         "rgb must have dtype uint8 (levels 0..255); got float64"),
        (np.zeros((2, 2, 3), bool), "rgb must have dtype uint8 (levels 0..255); got bool"),
        (np.zeros((2, 2), np.uint8), "rgb must have shape (H, W, 3) (RGB); got (2, 2)"),
        (np.zeros((2, 2, 4), np.uint8), "rgb must have shape (H, W, 3) (RGB); got (2, 2, 4)"),
        (np.zeros((1, 2, 2, 3), np.uint8),
         "rgb must have shape (H, W, 3) (RGB); got (1, 2, 2, 3)"),
        (np.zeros((0, 4, 3), np.uint8),
         "rgb must have at least one pixel, shape (H, W, 3) with H, W >= 1; got shape (0, 4, 3)"),
        (np.zeros((4, 0, 3), np.uint8),
         "rgb must have at least one pixel, shape (H, W, 3) with H, W >= 1; got shape (4, 0, 3)"),
    ],
)
def test_bad_rgb_images_name_the_parameter(image, message):
    with pytest.raises(ValueError) as info:
        validate_image(image, "rgb")
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ([1, 2], "image must be a numpy uint8 array; got list"),
        (np.zeros(3, np.int16), "image must have dtype uint8 (levels 0..255); got int16"),
        (np.zeros((0, 3), np.uint8), "image must have at least one pixel; got shape (0, 3)"),
        (np.array(7, np.uint8), "image must have at least one pixel; got shape ()"),
    ],
)
def test_any_shape_when_not_rgb(image, message):
    with pytest.raises(ValueError) as info:
        validate_image(image, rgb=False)
    assert str(info.value) == message
    grey = np.array([[0, 255]], dtype=np.uint8)
    assert validate_image(grey, rgb=False) is grey


@pytest.mark.parametrize(
    ("value", "lo", "hi", "message"),
    [
        (0, 1, None, "n must be a positive integer; got 0"),
        (-1, 0, None, "n must be an integer >= 0; got -1"),
        (65, 8, 64, "n must be an integer in 8..64; got 65"),
        (7, 8, 64, "n must be an integer in 8..64; got 7"),
        (2.0, 1, None, "n must be a positive integer; got 2.0"),
        (True, 1, None, "n must be a positive integer; got True"),
        ("3", 1, None, "n must be a positive integer; got '3'"),
    ],
)
def test_validate_int_names_the_parameter_and_the_range(value, lo, hi, message):
    with pytest.raises(ValueError) as info:
        validate_int(value, "n", lo, hi)
    assert str(info.value) == message


def test_validate_int_accepts_numpy_integers_and_the_bounds():
    assert validate_int(np.uint8(8), "bins", 8, 64) == 8
    assert type(validate_int(np.int64(64), "bins", 8, 64)) is int
    assert validate_int(10**6, "n", 1) == 10**6


def test_validate_choice():
    assert validate_choice("lab", "space", SPACES) == "lab"
    for bad in ("LAB", "", None, 0):
        with pytest.raises(ValueError) as info:
            validate_choice(bad, "space", SPACES)
        accepted = "'rgb', 'hsv', 'lab', 'oklab'"
        assert str(info.value) == f"space must be one of {accepted}; got {bad!r}"
