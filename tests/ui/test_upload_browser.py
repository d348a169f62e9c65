"""The upload zone shared by the explorer and the diffusion page, in Chromium: a file of a type
it does not take (an SVG drawing, a PDF), dropped or chosen, gets a visible message; a picture
is taken, selected and drawn."""

from __future__ import annotations

import base64
import io
from urllib.parse import parse_qsl, urlsplit

import pytest
from PIL import Image

pytestmark = pytest.mark.browser

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
       '<rect width="4" height="4"/></svg>')

#: Each page with an upload zone: its address and the zone's id.
PAGES = {"explorer": ("/?artwork=sample-astronaut", "upload"),
         "diffusion": ("/diffusion?artwork=sample-astronaut&steps=50", "diffusion-upload")}

DROP = """([zoneId, name, type, base64]) => {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type}));
  const zone = document.querySelector('#' + zoneId + ' > div') ||
               document.getElementById(zoneId);
  for (const kind of ['dragenter', 'dragover', 'drop']) {
    zone.dispatchEvent(new DragEvent(kind, {dataTransfer: transfer, bubbles: true,
                                            cancelable: true}));
  }
}"""


def _refused_text(page, zone: str) -> str:
    page.wait_for_function(
        f"document.getElementById('{zone}-refused').innerText.length > 0", timeout=20_000)
    return page.inner_text(f"#{zone}-refused")


def _open(page, live_server: str, name: str) -> str:
    """Open page ``name``; its upload zone's id."""
    path, zone = PAGES[name]
    page.goto(live_server + path)
    page.wait_for_selector(f"#{zone} input[type=file]", state="attached")
    return zone


@pytest.mark.parametrize("name", PAGES)
def test_a_chosen_svg_is_refused_with_a_message(page, live_server, tmp_path, name):
    path = tmp_path / "drawing.svg"
    path.write_text(SVG)
    zone = _open(page, live_server, name)
    page.set_input_files(f"#{zone} input[type=file]", str(path))
    text = _refused_text(page, zone)
    assert "drawing.svg is an SVG drawing" in text and "JPEG, PNG" in text


@pytest.mark.parametrize(("name", "media_type", "said"), [
    ("drawing.svg", "image/svg+xml", "is an SVG drawing"),
    ("notes.pdf", "application/pdf", "is a file of type application/pdf"),
    ("x" * 200 + ".svg", "image/svg+xml", "x" * 37 + "... is an SVG drawing"),
])
def test_a_dropped_file_of_another_type_is_refused_with_a_message(page, live_server, name,
                                                                  media_type, said):
    zone = _open(page, live_server, "explorer")
    page.evaluate(DROP, [zone, name, media_type, base64.b64encode(SVG.encode()).decode()])
    assert said in _refused_text(page, zone)


@pytest.mark.parametrize("name", PAGES)
def test_a_dropped_png_is_taken_and_clears_an_earlier_refusal(page, live_server, name):
    zone = _open(page, live_server, name)
    page.evaluate(DROP, [zone, "drawing.svg", "image/svg+xml",
                         base64.b64encode(SVG.encode()).decode()])
    assert "SVG" in _refused_text(page, zone)
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 200, 10)).save(buffer, "PNG")
    data = buffer.getvalue()
    page.evaluate(DROP, [zone, "green.png", "image/png", base64.b64encode(data).decode()])
    page.wait_for_function(
        f"document.getElementById('{zone}-message').innerText.includes('30 × 20 px')",
        timeout=20_000)
    assert page.inner_text(f"#{zone}-refused") == ""
    # The upload is selected: the page's share link names it, and its pictures show it.
    page.wait_for_function("window.location.search.includes('upload=')", timeout=20_000)
    upload = dict(parse_qsl(urlsplit(page.url).query))["upload"]
    assert len(upload) == 64
    picture = "#noisy-image" if name == "explorer" else "#diffusion-xt-image"
    page.wait_for_function(f"document.querySelector('{picture}').src.includes('{upload}')",
                           timeout=20_000)
    assert page.console_errors == []
