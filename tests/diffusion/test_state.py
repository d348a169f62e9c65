"""Share links of the diffusion page: every parameter round-trips, every bad one is clamped or
ignored with a notice, and nothing raises."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.diffusion.state import (
    PRIORS,
    SCHEDULE_NAMES,
    STEPS_RANGE,
    VIEWS,
    DiffusionState,
    default_step,
    parse_query,
)

KNOWN = {"starry", "upload:" + "a" * 64}


def parse(query: dict, artist_prior: bool = True):
    return parse_query(query, is_known_source=KNOWN.__contains__, default_source="starry",
                       artist_prior=artist_prior)


def round_trip(state: DiffusionState):
    return parse(dict(parse_qsl(state.to_query().lstrip("?"))))


def test_full_state_round_trips_through_the_query_string():
    state = DiffusionState(source="starry", schedule="cosine", steps=500, t=123, zero_snr=True,
                           seed=987654321, prior="artist", view="correlation")
    assert state.to_query() == ("?artwork=starry&schedule=cosine&steps=500&t=123&zero_snr=1"
                                "&seed=987654321&prior=artist&view=correlation")
    parsed, notices = round_trip(state)
    assert notices == []
    assert parsed == state


@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
@pytest.mark.parametrize("t", [0, 1, 999, 1000])
def test_every_schedule_and_the_ends_of_the_process_round_trip(schedule, t):
    state = DiffusionState(source="upload:" + "a" * 64, schedule=schedule, t=t)
    assert "upload=" + "a" * 64 in state.to_query()
    assert round_trip(state) == (state, [])


def test_empty_query_gives_defaults_without_notices():
    state, notices = parse({})
    assert state == DiffusionState(source="starry")
    assert (state.schedule, state.steps, state.t, state.zero_snr, state.seed, state.prior,
            state.view) == ("linear", 1000, 250, False, 0, "painting", "marginal")
    assert notices == []


def test_a_link_without_t_starts_a_quarter_of_the_way_through_its_steps():
    state, notices = parse({"steps": "40"})
    assert (state.steps, state.t) == (40, default_step(40)) == (40, 10)
    assert notices == []


@pytest.mark.parametrize(("query", "field", "expected", "notice"), [
    ({"schedule": "quadratic"}, "schedule", "linear", "accepted values"),
    ({"steps": "1"}, "steps", 2, "clamped to 2"),
    ({"steps": "50000"}, "steps", 2000, "clamped to 2000"),
    ({"steps": "many"}, "steps", 1000, "not a number"),
    ({"steps": "inf"}, "steps", 1000, "not a finite number"),
    ({"steps": "100.5"}, "steps", 100, "not a whole number"),
    ({"t": "-3"}, "t", 0, "clamped to 0"),
    ({"t": "1001"}, "t", 1000, "clamped to 1000"),
    ({"t": "nan"}, "t", 250, "not a finite number"),
    ({"t": "12.5"}, "t", 12, "not a whole number"),
    ({"zero_snr": "maybe"}, "zero_snr", False, "accepted values"),
    ({"seed": "-5"}, "seed", 0, "clamped to 0"),
    ({"seed": str(2**40)}, "seed", 2**32 - 1, "clamped to 4.29497e+09"),
    ({"seed": "7.9"}, "seed", 7, "not a whole number"),
    ({"prior": "impressionists"}, "prior", "painting", "accepted values"),
    ({"view": "everything"}, "view", "marginal", "accepted values"),
    ({"artwork": "../../etc/passwd"}, "source", "starry", "Unknown artwork"),
    ({"upload": "f" * 64}, "source", "starry", "not on this server"),
    ({"upload": "not-a-hash"}, "source", "starry", "not on this server"),
])
def test_bad_parameters_are_clamped_or_ignored_with_a_notice(query, field, expected, notice):
    state, notices = parse(query)
    assert getattr(state, field) == expected
    assert len(notices) == 1 and notice in notices[0], notices


def test_t_is_clamped_to_the_steps_of_the_same_link():
    state, notices = parse({"steps": "100", "t": "400"})
    assert (state.steps, state.t) == (100, 100)
    assert notices == ["t=400 is outside [0, 100]; clamped to 100."]


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("TRUE", True), ("on", True),
                                               ("yes", True), ("0", False), ("false", False),
                                               ("off", False), ("no", False)])
def test_zero_snr_accepts_the_usual_spellings(raw, expected):
    assert parse({"zero_snr": raw}) == (DiffusionState(source="starry", zero_snr=expected), [])


def test_the_artist_prior_needs_the_corpus():
    state, notices = parse({"prior": "artist"}, artist_prior=False)
    assert state.prior == "painting"
    assert len(notices) == 1 and "corpus" in notices[0]
    assert parse({"prior": "artist"}) == (DiffusionState(source="starry", prior="artist"), [])


def test_unknown_parameters_are_ignored_silently():
    state, notices = parse({"utm_source": "mail", "variance": "0.5", "x": "red"})
    assert state == DiffusionState(source="starry") and notices == []


def test_long_values_are_shortened_in_notices():
    _, notices = parse({"schedule": "x" * 500})
    assert len(notices[0]) < 200 and "..." in notices[0]


def test_controls_are_cleaned_in_one_place():
    state = DiffusionState.from_controls("starry", "cosine", 500, 123, True, 42, "artist",
                                         "schedules")
    assert state == DiffusionState("starry", "cosine", 500, 123, True, 42, "artist", "schedules")
    # Numbers are clamped and made whole (halves up, as the browser rounds); t follows steps.
    assert DiffusionState.from_controls("starry", "linear", 99999, 5000.5, False, -1) == (
        DiffusionState("starry", "linear", 2000, 2000, False, 0))
    assert DiffusionState.from_controls("starry", steps=100.5, t=10.5, seed=2**40) == (
        DiffusionState("starry", steps=101, t=11, seed=2**32 - 1))
    # No t: a quarter of the steps.
    assert DiffusionState.from_controls("starry", steps=40).t == 10
    forged = DiffusionState.from_controls({"a": 1}, schedule=["linear"], steps="1e999",
                                          t=float("nan"), zero_snr="maybe", seed=None,
                                          prior="everyone", view={"tab": 1})
    assert forged == DiffusionState(source="")
    assert DiffusionState.from_controls("s", zero_snr="1").zero_snr is True
    assert DiffusionState.from_controls("s", zero_snr=1).zero_snr is False  # only True or a word
    assert DiffusionState("s", "cosine", 50, 3, True).process == ("cosine", 50, True)


@given(st.dictionaries(
    st.sampled_from(["artwork", "upload", "schedule", "steps", "t", "zero_snr", "seed", "prior",
                     "view", "other"]),
    st.one_of(st.text(max_size=30), st.integers().map(str),
              st.floats(allow_nan=True, allow_infinity=True).map(str)),
    max_size=8), st.booleans())
def test_parse_query_never_raises_and_always_gives_a_valid_state(query, artist_prior):
    state, notices = parse(query, artist_prior=artist_prior)
    assert state.source in KNOWN
    assert state.schedule in SCHEDULE_NAMES and state.prior in PRIORS and state.view in VIEWS
    assert STEPS_RANGE[0] <= state.steps <= STEPS_RANGE[1] and 0 <= state.t <= state.steps
    assert isinstance(state.zero_snr, bool) and 0 <= state.seed <= 2**32 - 1
    assert artist_prior or state.prior == "painting"
    assert all(isinstance(n, str) for n in notices)
    # What was read is a fixed point: its own link reads back to itself without notices.
    assert round_trip(state) == (state, [])


@given(st.tuples(*(st.one_of(st.none(), st.booleans(), st.text(max_size=10), st.integers(),
                             st.floats(allow_nan=True, allow_infinity=True),
                             st.lists(st.integers(), max_size=2))
                   for _ in range(8))))
def test_from_controls_never_raises(values):
    state = DiffusionState.from_controls(*values)
    assert STEPS_RANGE[0] <= state.steps <= STEPS_RANGE[1] and 0 <= state.t <= state.steps
    assert state.schedule in SCHEDULE_NAMES and state.prior in PRIORS and state.view in VIEWS
