"""Link values are plain ASCII decimals: float() alone would read more than a link should."""

from __future__ import annotations

import math

import pytest

from dashboard.ui.query import control_number, plain_number, read_number

#: What float() reads but a link or a control must not carry.
NOT_PLAIN = ["1_000", "١٢", "１２", "۱۲", "١.٥", "0x10", "1e", ".", "", "--1", "1 000",
             "\u30001", "12\u00a0"]


@pytest.mark.parametrize("text, value", [
    ("1", 1.0), ("-1.5", -1.5), ("+.5", 0.5), ("5.", 5.0), ("1e-4", 1e-4), ("1E+3", 1e3),
    (" 2\t", 2.0), ("007", 7.0),
])
def test_plain_decimals_are_read(text: str, value: float) -> None:
    assert plain_number(text) == value


@pytest.mark.parametrize("text", ["nan", "-Inf", "infinity", "1e999"])
def test_non_finite_spellings_are_read_as_non_finite(text: str) -> None:
    assert not math.isfinite(plain_number(text))


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_other_number_spellings_are_not_numbers(text: str) -> None:
    assert plain_number(text) is None


def test_json_numbers_are_read_and_booleans_are_not() -> None:
    assert plain_number(3) == 3.0 and plain_number(2.5) == 2.5
    assert plain_number(10**400) == math.inf and plain_number(-(10**400)) == -math.inf
    for value in (True, False, None, [1], {"a": 1}):
        assert plain_number(value) is None


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_a_link_number_in_other_digits_is_ignored_with_a_notice(text: str) -> None:
    notices: list[str] = []
    assert read_number(text, "seed", (0, 100), notices) is None
    assert len(notices) == 1 and "not a number" in notices[0] and "0-9" in notices[0]


@pytest.mark.parametrize("value", [*NOT_PLAIN, "nan", math.inf, True, [5]])
def test_a_control_number_in_other_digits_takes_the_default(value) -> None:
    assert control_number(value, 0.25, (0.0, 1.0)) == 0.25


@pytest.mark.timeout(10)
@pytest.mark.parametrize("text", ["1" + "0" * 1_000_000 + "x", "." + "5" * 1_000_000 + "e",
                                  "+" + "9" * 1_000_000 + ".x"])
def test_a_long_value_is_read_in_linear_time(text: str) -> None:
    # A pattern that could match a run of digits in many ways took minutes on 100 KB here.
    assert plain_number(text) is None
