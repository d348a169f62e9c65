"""Shared Dash pieces and the shared reading of share-link parameters."""

from __future__ import annotations

from dash import html

from dashboard.ui.components import caption, rich_text
from dashboard.ui.query import control_number, read_choice, read_number, shortened


def test_backticked_commands_are_shown_as_code():
    pieces = rich_text("Run `scripts/python -m dashboard data download` or set X.")
    assert pieces[0] == "Run "
    assert isinstance(pieces[1], html.Code)
    assert pieces[1].children == "scripts/python -m dashboard data download"
    assert pieces[2] == " or set X."
    assert rich_text("an odd ` backtick") == ["an odd ` backtick"]
    assert rich_text("plain") == ["plain"]


def test_a_two_panel_caption_gives_one_caption_per_panel():
    row = caption(("left panel", "right panel"))
    assert [col.lg for col in row.children] == [6, 6]
    assert [col.children.children for col in row.children] == ["left panel", "right panel"]
    assert caption("one").children == "one"


def test_numbers_from_a_link_are_clamped_or_ignored_with_a_notice():
    notices: list[str] = []
    assert read_number("7", "mean", (-1.0, 1.0), notices) == 1.0
    assert read_number("nan", "mean", (-1.0, 1.0), notices) is None
    assert read_number("x" * 1000, "mean", (-1.0, 1.0), notices) is None
    assert read_number("0.5", "mean", (-1.0, 1.0), notices) == 0.5
    assert notices[0] == "mean=7 is outside [-1, 1]; clamped to 1."
    assert "not a finite number" in notices[1]
    assert len(notices) == 3 and len(notices[2]) < 120  # the long value is shortened


def test_choices_and_control_values():
    notices: list[str] = []
    assert read_choice(" LAB ", "space", ("rgb", "lab"), notices) == "lab"
    assert read_choice("64", "jbins", (32, 64), notices) == "64"
    assert read_choice("cmyk", "space", ("rgb", "lab"), notices) is None
    assert notices == ["Ignored space='cmyk': accepted values are rgb, lab."]
    assert control_number("0.25", 0.0, (-1.0, 1.0)) == 0.25
    assert control_number({"a": 1}, 0.5, (0.0, 1.0)) == 0.5
    assert control_number(float("inf"), 0.5, (0.0, 1.0)) == 0.5
    assert control_number(10**400, 0.5, (0.0, 1.0)) == 0.5
    assert control_number(-3, 0.5, (0.0, 1.0)) == 0.0
    assert shortened("abcdef", 5) == "ab..." and shortened("abc", 5) == "abc"
