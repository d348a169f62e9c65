"""The story editor's logic, called directly: reorder, edit, remove, clear, import."""

from __future__ import annotations

from dash import no_update

from dashboard.story import ids
from dashboard.story.callbacks import apply_edit, editor_outputs

DRAFT = {"title": "Mine", "views": [{"link": "/?seed=1", "title": "one", "note": ""},
                                    {"link": "/artist", "title": "two", "note": "n"},
                                    {"link": "/diffusion?t=5", "title": "three", "note": ""}]}


def action(name, index):
    return {"type": ids.VIEW_ACTION, "action": name, "index": index}


def titles(draft):
    return [view["title"] for view in draft["views"]]


def test_moving_and_removing_views():
    assert titles(apply_edit(DRAFT, action("up", 1))[0]) == ["two", "one", "three"]
    assert titles(apply_edit(DRAFT, action("down", 1))[0]) == ["one", "three", "two"]
    assert titles(apply_edit(DRAFT, action("up", 0))[0]) == ["one", "two", "three"]
    assert titles(apply_edit(DRAFT, action("down", 2))[0]) == ["one", "two", "three"]
    assert titles(apply_edit(DRAFT, action("remove", 0))[0]) == ["two", "three"]
    for bad in (action("remove", 3), action("remove", -1), action("remove", "0"),
                action("explode", 1), {"type": ids.VIEW_ACTION}):
        assert apply_edit(DRAFT, bad)[0] == DRAFT


def test_editing_titles_and_notes_keeps_them_plain_and_bounded():
    edited, _ = apply_edit(DRAFT, {"type": ids.VIEW_TITLE, "index": 1},
                           titles=["one", "  <b>Two</b>\u0000 ", "three"])
    assert titles(edited) == ["one", "<b>Two</b>", "three"]
    edited, _ = apply_edit(DRAFT, {"type": ids.VIEW_NOTE, "index": 2},
                           notes=["", "n", "x" * 5000])
    assert len(edited["views"][2]["note"]) == 2000
    edited, _ = apply_edit(DRAFT, {"type": ids.VIEW_TITLE, "index": 0}, titles=[{"x": 1}])
    assert titles(edited) == ["", "two", "three"]
    assert apply_edit(DRAFT, ids.TITLE_INPUT, story_title="New")[0]["title"] == "New"


def test_clearing_and_importing():
    assert apply_edit(DRAFT, ids.CLEAR_BUTTON)[0] == {"title": "", "views": []}
    shared = {"format": 1, "title": "Shared", "views": [{"link": "/artist", "title": "s"}]}
    imported, _ = apply_edit(DRAFT, ids.IMPORT_BUTTON, imported=shared)
    assert imported == {"title": "Shared",
                        "views": [{"link": "/artist", "title": "s", "note": ""}]}
    kept, notices = apply_edit(DRAFT, ids.IMPORT_BUTTON, imported={"views": "x"})
    assert kept == DRAFT and "could not be copied" in notices[0]


def test_a_tampered_draft_keeps_what_can_be_read():
    draft = {"title": 7, "views": [{"link": "javascript:alert(1)"}, {"link": "/artist"}]}
    cleaned, notices = apply_edit(draft, None)
    assert cleaned == {"title": "", "views": [{"link": "/artist", "title": "", "note": ""}]}
    assert "must be text" in notices[0] and "not http or https" in notices[1]
    assert apply_edit("garbage", None) == ({"title": "", "views": []}, [])


def test_the_list_is_redrawn_only_when_its_views_changed():
    first = editor_outputs(DRAFT, None)
    draft_out, cards, rendered, title, notices = first
    assert draft_out is no_update and rendered == DRAFT and title == "Mine" and notices is None
    assert len(cards) == 3
    # Drawn already: a new call (the drawn inputs report in) changes nothing.
    assert editor_outputs(DRAFT, None, rendered=DRAFT)[1] is no_update
    # Typing keeps the list (and focus) where it is, but records the draft as drawn.
    typed = editor_outputs(DRAFT, {"type": ids.VIEW_TITLE, "index": 0},
                           titles=["uno", "two", "three"], rendered=DRAFT)
    assert typed[1] is no_update and titles(typed[0]) == ["uno", "two", "three"]
    assert typed[2] == typed[0]
    moved = editor_outputs(DRAFT, action("remove", 1), rendered=DRAFT)
    assert titles(moved[0]) == ["one", "three"] and len(moved[1]) == 2
    assert editor_outputs(DRAFT, ids.TITLE_INPUT, story_title="T", rendered=DRAFT)[3] is no_update


def test_sharing_reads_what_the_fields_show():
    from dashboard.story.callbacks import shown_draft

    shown = shown_draft(DRAFT, "Typed", ["a", "b", "c"], ["", "x", "y"])
    assert shown["title"] == "Typed" and titles(shown) == ["a", "b", "c"]
    assert [v["note"] for v in shown["views"]] == ["", "x", "y"]
    # Fields of another number of views (a stale page) are not applied.
    assert titles(shown_draft(DRAFT, "T", ["a"], [""])) == ["one", "two", "three"]


def test_forged_callback_values_change_nothing_and_raise_nothing():
    for trigger in (None, 5, [1], {"type": ids.VIEW_TITLE, "index": 0},
                    {"type": ids.VIEW_NOTE, "index": 1}, {"type": ids.VIEW_ACTION, "index": 1},
                    ids.TITLE_INPUT, ids.IMPORT_BUTTON):
        for fields in (None, 7, "text", {"a": 1}, [None], [1e999] * 3):
            draft, _ = apply_edit(DRAFT, trigger, titles=fields, notes=fields,
                                  story_title=fields, imported=fields)
            assert [v["link"] for v in draft["views"]] == ["/?seed=1", "/artist",
                                                           "/diffusion?t=5"]
            editor_outputs(DRAFT, trigger, fields, fields, fields, fields, fields)
    huge = {"title": "x" * 10**6, "views": [{"link": "/"}] * 10**5}
    draft, notices = apply_edit(huge, None)
    assert len(draft["views"]) == 50 and draft["title"] == "x" * 120
