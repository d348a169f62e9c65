"""Uploads the browser refuses say why, in Chromium: a file of a type the upload zone does
not take (an SVG drawing, a PDF), dropped or chosen, gets a visible message."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

pytestmark = pytest.mark.browser

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
       '<rect width="4" height="4"/></svg>')

DROP = """([name, type, base64]) => {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type}));
  const zone = document.querySelector('#upload > div') || document.querySelector('#upload');
  for (const kind of ['dragenter', 'dragover', 'drop']) {
    zone.dispatchEvent(new DragEvent(kind, {dataTransfer: transfer, bubbles: true,
                                            cancelable: true}));
  }
}"""


def _refused_text(page) -> str:
    page.wait_for_function("document.getElementById('upload-refused').innerText.length > 0",
                           timeout=20_000)
    return page.inner_text("#upload-refused")


def _open(page, live_server: str) -> None:
    page.goto(live_server + "/?artwork=sample-astronaut")
    page.wait_for_selector("#upload input[type=file]", state="attached")


def test_a_chosen_svg_is_refused_with_a_message(page, live_server, tmp_path):
    path = tmp_path / "drawing.svg"
    path.write_text(SVG)
    _open(page, live_server)
    page.set_input_files("#upload input[type=file]", str(path))
    text = _refused_text(page)
    assert "drawing.svg is an SVG drawing" in text and "JPEG, PNG" in text


@pytest.mark.parametrize(("name", "media_type", "said"), [
    ("drawing.svg", "image/svg+xml", "is an SVG drawing"),
    ("notes.pdf", "application/pdf", "is a file of type application/pdf"),
    ("x" * 200 + ".svg", "image/svg+xml", "x" * 37 + "... is an SVG drawing"),
])
def test_a_dropped_file_of_another_type_is_refused_with_a_message(page, live_server, name,
                                                                  media_type, said):
    _open(page, live_server)
    page.evaluate(DROP, [name, media_type, base64.b64encode(SVG.encode()).decode()])
    assert said in _refused_text(page)


def test_a_dropped_png_is_taken_and_clears_an_earlier_refusal(page, live_server):
    _open(page, live_server)
    page.evaluate(DROP, ["drawing.svg", "image/svg+xml", base64.b64encode(SVG.encode()).decode()])
    assert "SVG" in _refused_text(page)
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 200, 10)).save(buffer, "PNG")
    page.evaluate(DROP, ["green.png", "image/png", base64.b64encode(buffer.getvalue()).decode()])
    page.wait_for_function(
        "document.getElementById('upload-message').innerText.includes('30 × 20 px')",
        timeout=20_000)
    assert page.inner_text("#upload-refused") == ""
