"""Uploads bounded in memory, in a real gunicorn worker: a small file that declares many
pixels is decoded within the decoding budget, in a heavy-computation slot, and reduced while
it loads. Peak memory is the worker's own high-water mark (VmHWM in /proc), reset before each
measurement."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.deploy.crafted_requests import Bodies, Probe, tiny_png
from tests.support.gunicorn import Gunicorn, start_gunicorn

pytestmark = pytest.mark.slow

MIB = 2**20
SIDE = 7000
#: The decoded pixels of a 7000 x 7000 RGBA image: 187 MiB. Before decoding was bounded, one
#: such upload took a worker from 463 to 1,341 MB.
DECODED = SIDE * SIDE * 4
#: Above the worker's resting size: the decoded pixels, the reduced copy (at most a quarter of
#: them) and the request itself.
ONE_UPLOAD_BOUND = DECODED + 110 * MIB
#: Four at once, two heavy-computation slots (DASHBOARD_MAX_HEAVY=2): two decode together.
FOUR_UPLOADS_BOUND = 2 * DECODED + 160 * MIB


def _status(pid: int, field: str) -> int:
    """A memory field of /proc/<pid>/status, bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} for pid {pid}")


def _reset_peak(pid: int) -> None:
    # Writing 5 resets the peak resident set size (VmHWM) to the current one (Linux >= 4.0).
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def small_file_many_pixels() -> bytes:
    """A 7000 x 7000 RGBA PNG of about 200 KB: stripes on a flat colour, half translucent."""
    pixels = np.zeros((SIDE, SIDE, 4), dtype=np.uint8)
    pixels[..., 0], pixels[..., 3] = 200, 255
    pixels[::50, :, 1] = 255
    pixels[:, ::70, 2] = 128
    pixels[SIDE // 2:, :, 3] = 100
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    root = tmp_path_factory.mktemp("upload-memory")
    (root / "artworks").mkdir()
    env = {"DASHBOARD_ARTWORKS_DIR": str(root / "artworks"), "DASHBOARD_MAX_HEAVY": "2"}
    with start_gunicorn(root, workers=1, env=env) as running:
        yield running


@pytest.fixture(scope="module")
def upload_body(server: Gunicorn) -> str:
    data = small_file_many_pixels()
    assert len(data) < 400_000
    bodies = Bodies(server.get("/_dash-dependencies").json())
    return Probe("upload", output="upload-message.children", values={
        "upload-store.data": {"contents": "data:image/png;base64,"
                              + base64.b64encode(data).decode(), "filename": "big.png"},
    }).body(bodies)


def _post(server: Gunicorn, body: str) -> str:
    response = server.post("/_dash-update-component", data=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text[:300]
    return response.text


def _resting_worker(server: Gunicorn, upload_body: str) -> int:
    """The worker's pid, after one upload of each kind has loaded everything it imports."""
    (pid,) = server.worker_pids()
    bodies = Bodies(server.get("/_dash-dependencies").json())
    _post(server, Probe("warm", output="upload-message.children", values={
        "upload-store.data": {"contents": tiny_png(), "filename": "tiny.png"}}).body(bodies))
    assert "1024 × 1024 px (downscaled)" in _post(server, upload_body)
    return pid


def test_one_small_file_with_many_pixels_stays_within_its_decoded_size(
        server: Gunicorn, upload_body: str) -> None:
    pid = _resting_worker(server, upload_body)
    resting = _status(pid, "VmRSS")
    _reset_peak(pid)
    assert "Loaded big.png: 1024 × 1024 px (downscaled)" in _post(server, upload_body)
    grown = _status(pid, "VmHWM") - resting
    print(f"one upload: resting {resting / MIB:.0f} MiB, peak +{grown / MIB:.0f} MiB")
    assert grown <= ONE_UPLOAD_BOUND, f"+{grown / MIB:.0f} MiB"


def test_four_at_once_decode_two_at_a_time(server: Gunicorn, upload_body: str) -> None:
    pid = _resting_worker(server, upload_body)
    resting = _status(pid, "VmRSS")
    _reset_peak(pid)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: _post(server, upload_body), range(4)))
    grown = _status(pid, "VmHWM") - resting
    kept = _status(pid, "VmRSS") - resting
    print(f"four uploads: resting {resting / MIB:.0f} MiB, peak +{grown / MIB:.0f} MiB, "
          f"then +{kept / MIB:.0f} MiB")
    assert all("Loaded big.png" in answer for answer in answers)
    assert grown <= FOUR_UPLOADS_BOUND, f"+{grown / MIB:.0f} MiB"
    # The freed pixels go back to the system: the worker does not stay at its peak.
    assert kept <= 150 * MIB, f"+{kept / MIB:.0f} MiB"


def test_an_upload_that_cannot_be_decoded_within_the_budget_is_refused_at_once(
        server: Gunicorn) -> None:
    (pid,) = server.worker_pids()
    buffer = io.BytesIO()
    # 7000 x 7000 WebP: libwebp and Pillow hold four copies, 748 MiB; refused from its header.
    Image.new("RGB", (SIDE, SIDE), (20, 30, 40)).save(buffer, "WEBP", lossless=True)
    bodies = Bodies(server.get("/_dash-dependencies").json())
    body = Probe("webp", output="upload-message.children", values={"upload-store.data": {
        "contents": "data:image/webp;base64," + base64.b64encode(buffer.getvalue()).decode(),
        "filename": "huge.webp"}}).body(bodies)
    resting = _status(pid, "VmRSS")
    _reset_peak(pid)
    answer = _post(server, body)
    assert "to decode" in answer and "huge.webp" in answer
    assert _status(pid, "VmHWM") - resting < 50 * MIB
