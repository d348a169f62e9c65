"""The story document: the numbers behind a figure, and text that stays text."""

from __future__ import annotations

import json
import re

import numpy as np
import plotly.graph_objects as go

from dashboard.figures.theme import packed
from dashboard.story.document import _script_json, figure_table, story_document
from dashboard.story.services import Slide, embeddable_jpeg
from dashboard.story.state import StoryView
from dashboard.ui.snapshot import ViewSnapshot
from tests.support.tiny_corpus import jpeg_bytes, tiny_image


def test_the_table_lists_x_and_the_traces_over_it():
    figure = go.Figure([go.Scatter(x=[0, 1, 2], y=[0.5, 0.25, 0.25], name="red"),
                        go.Bar(x=[0, 1, 2], y=packed([1.0, np.nan, 3.0]), name="blue"),
                        go.Scatter(x=[5, 6], y=[1, 2], name="other x"),
                        go.Heatmap(z=[[1, 2], [3, 4]])])
    figure.update_xaxes(title_text="level")
    header, rows = figure_table(figure)
    assert header == ["level", "red", "blue"]
    assert rows == [["0", "0.5", "1"], ["1", "0.25", ""], ["2", "0.25", "3"]]
    assert figure_table(go.Figure([go.Heatmap(z=[[1]])])) is None
    assert figure_table(go.Figure([go.Scatter(x=list(range(400)), y=list(range(400)))])) is None


def test_json_in_a_script_element_cannot_close_it():
    text = _script_json({"title": "</script><script>alert(1)</script>"})
    assert "</" not in text and json.loads(text)["title"].startswith("</script>")


def test_pictures_are_made_small_for_embedding():
    data = jpeg_bytes(tiny_image((200, 40, 40), (1200, 900)))
    small = embeddable_jpeg(data)
    assert small[:3] == b"\xff\xd8\xff" and len(small) < len(data)
    import io

    from PIL import Image
    assert Image.open(io.BytesIO(small)).size == (640, 480)


def test_a_slide_that_could_not_be_drawn_says_why():
    slides = [Slide(StoryView("/?x=1", "A", "note <b>"), problem="busy <now>"),
              Slide(StoryView("/artist"), ViewSnapshot("/artist", "?view=corpus", "Auto title",
                                                       "Cap", figures=(("F", go.Figure()),)))]
    page = story_document("T", slides, ["/?x=1", "/artist?view=corpus"], offline=False)
    assert "busy &lt;now&gt;" in page and "note &lt;b&gt;" in page
    assert re.findall(r"<h2>(.*?)</h2>", page) == ["A", "Auto title"]
    assert page.count('class="plot"') == 1
