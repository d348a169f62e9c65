"""Share links: every parameter round-trips, every bad one is clamped or ignored with a notice."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.explorer.state import Selection, ViewState, parse_query, valid_selection

KNOWN = {"starry", "upload:" + "a" * 64}


def parse(query: dict):
    return parse_query(query, is_known_source=KNOWN.__contains__, default_source="starry")


def test_full_state_round_trips_through_the_query_string():
    state = ViewState(source="starry", mean=-0.25, variance=0.0125, seed=1234, view="joint",
                      joint_x="red", joint_y="blue", joint_picture="noisy", joint_bins=128,
                      given=(40, 90), space="lab", bins=24, selection="levels:green:noisy:3-9")
    query = dict(parse_qsl(state.to_query().lstrip("?")))
    parsed, notices = parse(query)
    assert notices == []
    assert parsed == state


def test_upload_source_round_trips():
    state = ViewState(source="upload:" + "a" * 64)
    assert "upload=" + "a" * 64 in state.to_query()
    parsed, notices = parse(dict(parse_qsl(state.to_query().lstrip("?"))))
    assert parsed.source == state.source and notices == []


def test_empty_query_gives_defaults_without_notices():
    state, notices = parse({})
    assert state == ViewState(source="starry")
    assert notices == []


@pytest.mark.parametrize(("query", "field", "expected", "notice"), [
    ({"mean": "7"}, "mean", 1.0, "clamped to 1"),
    ({"mean": "-3.5"}, "mean", -1.0, "clamped to -1"),
    ({"variance": "-0.1"}, "variance", 0.0, "clamped to 0"),
    ({"variance": "nan"}, "variance", 0.01, "not a finite number"),
    ({"mean": "abc"}, "mean", 0.0, "not a number"),
    ({"seed": "-5"}, "seed", 0, "clamped to 0"),
    ({"seed": "12.7"}, "seed", 12, "not a whole number"),
    ({"bins": "1000"}, "bins", 64, "clamped to 64"),
    ({"view": "secret"}, "view", "noise", "accepted values"),
    ({"space": "cmyk"}, "space", "rgb", "accepted values"),
    ({"jbins": "100"}, "joint_bins", 64, "accepted values"),
    ({"given": "300-20"}, "given", None, "within 0..255"),
    ({"sel": "levels:red:original:9-3"}, "selection", None, "not a selection"),
    ({"artwork": "../../etc/passwd"}, "source", "starry", "Unknown artwork"),
    ({"upload": "f" * 64}, "source", "starry", "not on this server"),
])
def test_bad_parameters_are_clamped_or_ignored_with_a_notice(query, field, expected, notice):
    state, notices = parse(query)
    assert getattr(state, field) == expected
    assert len(notices) == 1 and notice in notices[0]


def test_same_channel_twice_is_corrected():
    state, notices = parse({"x": "red", "y": "red"})
    assert (state.joint_x, state.joint_y) == ("red", "green")
    assert "both red" in notices[0]


def test_values_are_rounded_to_slider_resolution():
    state, _ = parse({"mean": "0.123456", "variance": "0.0123456"})
    assert (state.mean, state.variance) == (0.123, 0.0123)


def test_unknown_parameters_are_ignored_silently():
    state, notices = parse({"utm_source": "mail", "fbclid": "x"})
    assert state == ViewState(source="starry") and notices == []


def test_selection_keys_parse_and_round_trip():
    levels = Selection.parse("levels:blue:noisy:0-255")
    assert levels == Selection("levels", "noisy", channel="blue", lo=0, hi=255)
    assert levels.key == "levels:blue:noisy:0-255"
    assert Selection.levels("blue", "noisy", 0, 255) == levels
    colour_bin = Selection.parse("bin:lab:16:4095:original")
    assert colour_bin == Selection("bin", "original", space="lab", bins=16, index=4095)
    assert Selection.colour_bin("lab", 16, 4095, "original").key == "bin:lab:16:4095:original"
    assert colour_bin.describe() == "one LAB colour bin (16³ grid) of the original image"
    assert levels.describe() == "blue levels 0–255 in the noisy image"
    assert not valid_selection("bin:lab:16:4096:original")  # 16**3 bins: 0..4095
    assert not valid_selection("bin:rgb:7:1:original")  # bins below 8
    assert not valid_selection("levels:red:noisy:9-3")  # lo above hi
    assert not valid_selection(None) and not valid_selection(["levels:red:noisy:1-2"])
    with pytest.raises(ValueError, match="not 'levels"):
        Selection.parse("levels:red:noisy:5")
    with pytest.raises(ValueError, match="not 'levels"):
        Selection.levels("red", "noisy", 5, 300)


def test_controls_are_cleaned_in_one_place():
    state = ViewState.from_controls("starry", 0.12345, 0.0123456, 7)
    assert state.noise == (0.123, 0.0123, 7)
    assert ViewState.from_controls("starry", 5, -1, -3).noise == (1.0, 0.0, 0)
    assert ViewState.from_controls("starry", None, "x", float("nan")).noise == (0.0, 0.01, 0)
    assert ViewState.from_controls("starry", "1e999", 0, 2**40).noise == (0.0, 0.0, 2**32 - 1)
    forged = ViewState.from_controls(
        {"a": 1}, view={"x": 1}, joint_x="purple", joint_y=3, joint_picture="both",
        joint_bins="100", given=[5, "z"], space="cmyk", bins="1e999",
        selection="levels:red:original:9-3")
    assert forged == ViewState(source="")
    kept = ViewState.from_controls("starry", 0, 0.01, 0, view="joint", joint_x="red",
                                   joint_y="blue", joint_picture="noisy", joint_bins="128",
                                   given=[40, 90], space="lab", bins=24.0,
                                   selection="bin:rgb:8:1:noisy")
    assert kept == ViewState(source="starry", view="joint", joint_x="red", joint_y="blue",
                             joint_picture="noisy", joint_bins=128, given=(40, 90),
                             space="lab", bins=24, selection="bin:rgb:8:1:noisy")
    assert kept.noise_for("original") == (None, None, None)
    assert kept.noise_for("noisy") == (0.0, 0.01, 0)
    assert kept.highlight == Selection.colour_bin("rgb", 8, 1, "noisy")


def test_notices_quote_only_a_short_piece_of_what_was_sent():
    _, notices = parse({"view": "v" * 100_000, "mean": "m" * 100_000})
    assert len(notices) == 2 and all(len(n) < 200 for n in notices)


@given(st.dictionaries(st.sampled_from(["artwork", "upload", "mean", "variance", "seed", "view",
                                        "x", "y", "joint", "jbins", "bins", "space", "given",
                                        "sel"]),
                       st.text(max_size=30)))
def test_parse_query_never_raises_and_always_yields_a_valid_state(query):
    state, notices = parse(query)
    assert -1 <= state.mean <= 1 and 0 <= state.variance <= 1
    assert 0 <= state.seed <= 2**32 - 1 and 8 <= state.bins <= 64
    assert state.joint_x != state.joint_y
    assert state.source in KNOWN | {"starry"}
    assert all(isinstance(n, str) for n in notices)


def test_rounding_is_half_up_like_the_browser():
    from dashboard.explorer.state import round_mean, round_variance

    assert round_mean(0.0625) == 0.063  # Python's round() would give 0.062
    assert round_mean(-0.0625) == -0.062  # Math.round(-62.5) is -62
    assert round_mean(-0.0004) == 0.0 and str(round_mean(-0.0004)) == "0.0"
    assert round_variance(0.00125) == 0.0013


@pytest.mark.parametrize("text", ["1_000", "١٢", "１２"])
@pytest.mark.parametrize("name", ["mean", "variance", "seed", "bins"])
def test_link_numbers_in_other_digits_are_ignored_with_a_notice(name: str, text: str):
    state, notices = parse({name: text})
    assert state == ViewState(source="starry")
    assert len(notices) == 1 and "not a number" in notices[0]


@pytest.mark.parametrize("query", [
    {"given": "١٢-٤٠"}, {"given": "１２"}, {"sel": "levels:red:original:١-٩"},
    {"sel": "bin:rgb:８:1:noisy"}, {"jbins": "６４"},
])
def test_levels_and_keys_in_other_digits_are_ignored_with_a_notice(query):
    state, notices = parse(query)
    assert state == ViewState(source="starry") and len(notices) == 1


def test_controls_in_other_digits_take_the_defaults():
    forged = ViewState.from_controls("starry", "٠.٥", "１", "1_000", joint_bins="１２８",
                                     bins="٢٤", given=["٤٠", "٩٠"])
    assert forged == ViewState(source="starry")
    assert ViewState.from_controls("starry", joint_bins="128", bins="24",
                                   given=["40", 90]).given == (40, 90)
