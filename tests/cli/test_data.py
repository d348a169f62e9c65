"""``python -m dashboard data``: status, import, download (against a loopback server), index."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
from PIL import Image

from dashboard.cli.data import (
    MANIFEST_NAME,
    USER_AGENT,
    aspect_problem,
    commons_url,
)
from dashboard.cli.main import main
from dashboard.config import REPO_ROOT
from dashboard.data.corpus_index import index_parameters_name
from dashboard.data.index_store import IndexDataset
from tests.support.tiny_corpus import tiny_image

FILE_PATH = "/wiki/Special:FilePath/"


def encode(pixels: np.ndarray, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt, **options)
    return buffer.getvalue()


def run(capsys, argv: list[str], settings) -> tuple[int, str, str]:
    code = main(["data", *argv], settings=settings)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def quiet(*argv: str) -> list[str]:
    return [*argv, "--no-progress"]


def decoded(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        assert image.format == "JPEG" and image.mode == "RGB"
        assert not image.info.get("exif") and not image.info.get("icc_profile")
        return np.asarray(image)


# --- a loopback stand-in for Wikimedia Commons --------------------------------------------


@dataclass
class CommonsServer:
    base_url: str
    #: commons file name -> list of responses, served in turn (the last one repeats).
    routes: dict[str, list[tuple]] = field(default_factory=dict)
    #: (file name, query string, User-Agent) of every request.
    requests: list[tuple[str, str, str]] = field(default_factory=list)

    def names_requested(self) -> list[str]:
        return [name for name, _, _ in self.requests]


@pytest.fixture
def commons():
    release = threading.Event()
    state = CommonsServer(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            if parts.path.startswith("/files/"):
                name = unquote(parts.path[len("/files/") :])
                return self.send_body(state.routes[name][-1][1], "image/png")
            name = unquote(parts.path[len(FILE_PATH) :])
            state.requests.append((name, parts.query, self.headers.get("User-Agent", "")))
            responses = state.routes.get(name, [("status", 404)])
            served = sum(1 for n, _, _ in state.requests if n == name)
            response = responses[min(served, len(responses)) - 1]
            kind = response[0]
            if kind == "image":
                self.send_body(response[1], response[2] if len(response) > 2 else "image/png")
            elif kind == "redirect":
                self.send_response(302)
                self.send_header("Location", f"/files/{parts.path[len(FILE_PATH) :]}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif kind == "status":
                self.send_error(response[1])
            elif kind == "truncated":
                body = response[1]
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
            elif kind == "stall":
                release.wait(response[1])

        def send_body(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}{FILE_PATH}"
    try:
        yield state
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def download_args(commons: CommonsServer, *ids: str, timeout: str = "2") -> list[str]:
    argv = ["download", "--base-url", commons.base_url, "--timeout", timeout]
    argv += ["--retries", "2", "--backoff", "0.01", "--delay", "0"]
    return quiet(*argv, *(["--ids", *ids] if ids else []))


def red_field_png(width: int = 96, height: int = 64) -> bytes:
    return encode(tiny_image((200, 30, 20), (width, height)))


# --- download -----------------------------------------------------------------------------


def test_commons_url_percent_encodes_the_name() -> None:
    url = commons_url(
        "https://commons.wikimedia.org/wiki/Special:FilePath",
        "De oude kerktoren te Nuenen (`Het boerenkerkhof') - s0002V1962.jpg",
    )
    assert url == (
        "https://commons.wikimedia.org/wiki/Special:FilePath/De%20oude%20kerktoren%20te%20"
        "Nuenen%20%28%60Het%20boerenkerkhof%27%29%20-%20s0002V1962.jpg?width=1024"
    )
    assert commons_url("http://x/", "a/b?.jpg") == "http://x/a%2Fb%3F.jpg?width=1024"


def test_download_writes_a_normalised_jpeg(tiny_corpus, commons, capsys) -> None:
    (tiny_corpus.artworks_dir / "red-field-1884.jpg").unlink()
    commons.routes["Red Field.jpg"] = [("image", red_field_png())]
    code, out, _ = run(capsys, download_args(commons, "red-field-1884"), tiny_corpus.settings)
    assert code == 0, out
    assert "downloaded: 1, already present: 0, failed: 0" in out
    path = tiny_corpus.artworks_dir / "red-field-1884.jpg"
    pixels = decoded(path)
    assert pixels.shape == (64, 96, 3)
    expected = tiny_image((200, 30, 20), (96, 64)).astype(int)
    assert np.abs(pixels.astype(int) - expected).mean() < 3
    name, query, agent = commons.requests[0]
    assert name == "Red Field.jpg" and query == "width=1024"
    assert agent == USER_AGENT and "vangogh-noise-dashboard" in agent
    manifest = json.loads((tiny_corpus.artworks_dir / MANIFEST_NAME).read_text())
    entry = manifest["files"]["red-field-1884.jpg"]
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry["origin"] == "download" and entry["source"].startswith(commons.base_url)


def test_download_follows_redirects_and_downscales(tiny_corpus, commons, capsys) -> None:
    (tiny_corpus.artworks_dir / "red-field-1884.jpg").unlink()
    commons.routes["Red Field.jpg"] = [("redirect",), ("image", red_field_png(2048, 1365))]
    code, out, _ = run(capsys, download_args(commons, "red-field-1884"), tiny_corpus.settings)
    assert code == 0, out
    pixels = decoded(tiny_corpus.artworks_dir / "red-field-1884.jpg")
    assert pixels.shape[1] == 1024 and pixels.shape[0] in (682, 683)


def test_download_is_resumable(tiny_corpus, commons, capsys) -> None:
    commons.routes["Yellow Wheat.jpg"] = [("image", encode(tiny_image((230, 200, 40), (60, 30))))]
    settings = tiny_corpus.settings
    # Three files are already there (the catalogue's own bytes); only the missing one is fetched.
    code, out, _ = run(capsys, download_args(commons), settings)
    assert code == 0, out
    assert "downloaded: 1, already present: 3, failed: 0" in out
    assert commons.names_requested() == ["Yellow Wheat.jpg"]
    code, out, _ = run(capsys, download_args(commons), settings)
    assert code == 0 and "downloaded: 0, already present: 4" in out
    assert len(commons.requests) == 1


def test_download_replaces_a_corrupt_file(tiny_corpus, commons, capsys) -> None:
    (tiny_corpus.artworks_dir / "red-field-1884.jpg").write_bytes(b"broken")
    commons.routes["Red Field.jpg"] = [("image", red_field_png())]
    code, out, _ = run(capsys, download_args(commons), tiny_corpus.settings)
    assert "downloaded: 1," in out and commons.names_requested()[0] == "Red Field.jpg"
    assert decoded(tiny_corpus.artworks_dir / "red-field-1884.jpg").shape == (64, 96, 3)
    assert code == 1  # Yellow Wheat is not served: 404


def test_download_reports_a_404_without_retrying(tiny_corpus, commons, capsys) -> None:
    code, out, _ = run(capsys, download_args(commons, "yellow-wheat-1890"), tiny_corpus.settings)
    assert code == 1
    assert "failed: 1" in out and "yellow-wheat-1890: HTTP 404" in out
    assert commons.names_requested() == ["Yellow Wheat.jpg"]
    assert not (tiny_corpus.artworks_dir / "yellow-wheat-1890.jpg").exists()


def test_download_retries_a_server_error_with_backoff(tiny_corpus, commons, capsys) -> None:
    image = encode(tiny_image((230, 200, 40), (60, 30)))
    commons.routes["Yellow Wheat.jpg"] = [("status", 503), ("status", 503), ("image", image)]
    code, out, _ = run(capsys, download_args(commons, "yellow-wheat-1890"), tiny_corpus.settings)
    assert code == 0, out
    assert commons.names_requested() == ["Yellow Wheat.jpg"] * 3
    assert decoded(tiny_corpus.artworks_dir / "yellow-wheat-1890.jpg").shape == (30, 60, 3)


def test_download_rejects_a_truncated_body(tiny_corpus, commons, capsys) -> None:
    commons.routes["Yellow Wheat.jpg"] = [("truncated", encode(tiny_image((9, 9, 9), (60, 30))))]
    code, out, _ = run(capsys, download_args(commons, "yellow-wheat-1890"), tiny_corpus.settings)
    assert code == 1
    assert "truncated" in out and "after 3 attempts" in out
    assert len(commons.requests) == 3
    assert sorted(p.name for p in tiny_corpus.artworks_dir.iterdir()) == [
        "blue-night-1888.jpg",
        "green-street-1887.jpg",
        "red-field-1884.jpg",
    ]  # no partial or temporary file left behind


def test_download_rejects_a_non_image(tiny_corpus, commons, capsys) -> None:
    page = b"<html><body>Rate limited, try later</body></html>"
    commons.routes["Yellow Wheat.jpg"] = [("image", page, "text/html")]
    code, out, _ = run(capsys, download_args(commons, "yellow-wheat-1890"), tiny_corpus.settings)
    assert code == 1
    assert "did not send a usable image" in out and "not an image" in out
    assert not (tiny_corpus.artworks_dir / "yellow-wheat-1890.jpg").exists()


def test_download_rejects_the_wrong_shape(tiny_corpus, commons, capsys) -> None:
    square = encode(tiny_image((230, 200, 40), (50, 50)))  # the catalogue says 60 x 30
    commons.routes["Yellow Wheat.jpg"] = [("image", square)]
    code, out, _ = run(capsys, download_args(commons, "yellow-wheat-1890"), tiny_corpus.settings)
    assert code == 1 and "aspect ratio 50:50" in out


def test_download_gives_up_on_a_stalled_server(tiny_corpus, commons, capsys) -> None:
    commons.routes["Yellow Wheat.jpg"] = [("stall", 10)]
    argv = download_args(commons, "yellow-wheat-1890", timeout="0.3")
    code, out, _ = run(capsys, argv, tiny_corpus.settings)
    assert code == 1
    assert "no answer within 0.3 s (after 3 attempts)" in out
    assert not (tiny_corpus.artworks_dir / "yellow-wheat-1890.jpg").exists()


def test_download_unreachable_server(tiny_corpus, capsys) -> None:
    argv = quiet("download", "--base-url", "http://127.0.0.1:9/", "--ids", "yellow-wheat-1890")
    argv += ["--retries", "0", "--timeout", "1", "--delay", "0"]
    code, out, _ = run(capsys, argv, tiny_corpus.settings)
    assert code == 1 and "cannot connect" in out


def test_download_into_a_read_only_folder_is_bad_usage(tiny_corpus, commons, capsys) -> None:
    tiny_corpus.artworks_dir.chmod(0o555)
    try:
        code, out, err = run(capsys, download_args(commons), tiny_corpus.settings)
    finally:
        tiny_corpus.artworks_dir.chmod(0o755)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "read-only" in err
    assert commons.requests == []


# --- import -------------------------------------------------------------------------------


@pytest.fixture
def import_dir(tiny_corpus, tmp_path):
    """A folder of candidate images: matches by content and by name, and some bad files."""
    folder = tmp_path / "incoming"
    (folder / "nested").mkdir(parents=True)
    # The catalogue's own red file, renamed: matched by SHA-256.
    (folder / "IMG_0001.JPG").write_bytes(tiny_corpus.files["red-field-1884"])
    # A slightly different lossless version of the green one, named after its id:
    # matched by name (not content), then re-encoded.
    (folder / "nested" / "green-street-1887.png").write_bytes(
        encode(tiny_image((34, 160, 60), (32, 48)))
    )
    # A big RGBA TIFF for the missing painting, named in another case: normalised.
    rgba = np.dstack(
        [tiny_image((230, 200, 40), (2400, 1200)), np.full((1200, 2400), 255, np.uint8)]
    )
    (folder / "Yellow-Wheat-1890.tiff").write_bytes(encode(rgba, "TIFF"))
    (folder / "blue-night-1888.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    (folder / "holiday.jpg").write_bytes(encode(tiny_image((1, 2, 3), (8, 8)), "JPEG"))
    (folder / "README.txt").write_text("not an image, not even looked at")
    (folder / ".hidden.jpg").write_bytes(b"")
    return folder


def test_import_matches_validates_and_normalises(tiny_corpus, import_dir, capsys) -> None:
    for row in tiny_corpus.rows:
        (tiny_corpus.artworks_dir / row["file"]).unlink(missing_ok=True)
    code, out, _ = run(capsys, quiet("import", str(import_dir)), tiny_corpus.settings)
    assert code == 1  # one file was skipped
    assert "imported: 3, already present: 0, skipped: 1, unknown: 1" in out
    assert "from 5 image files" in out
    assert "blue-night-1888.jpg: " in out and "holiday.jpg" in out
    target = tiny_corpus.artworks_dir
    # Matched by content: the reference bytes, kept as they are.
    assert (target / "red-field-1884.jpg").read_bytes() == tiny_corpus.files["red-field-1884"]
    green = decoded(target / "green-street-1887.jpg")
    assert green.shape == (48, 32, 3)
    assert np.abs(green.astype(int) - tiny_image((30, 160, 60), (32, 48))).mean() < 3
    yellow = decoded(target / "yellow-wheat-1890.jpg")
    assert yellow.shape == (512, 1024, 3)  # long side 1024, aspect 2:1 kept
    assert not (target / "holiday.jpg").exists() and not (target / "blue-night-1888.jpg").exists()
    code, out, _ = run(capsys, quiet("status"), tiny_corpus.settings)
    assert code == 0
    assert "present: 3 (2 normalised copies), missing: 1, corrupt: 0" in out


def test_import_twice_finds_everything_present(tiny_corpus, import_dir, capsys) -> None:
    settings = tiny_corpus.settings
    run(capsys, quiet("import", str(import_dir)), settings)
    before = {p.name: p.read_bytes() for p in tiny_corpus.artworks_dir.glob("*.jpg")}
    code, out, _ = run(capsys, quiet("import", str(import_dir)), settings)
    assert "imported: 0, already present: 3" in out
    assert {p.name: p.read_bytes() for p in tiny_corpus.artworks_dir.glob("*.jpg")} == before


def test_import_rejects_a_different_shape(tiny_corpus, tmp_path, capsys) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "yellow-wheat-1890.png").write_bytes(encode(tiny_image((230, 200, 40), (30, 60))))
    code, out, _ = run(capsys, quiet("import", str(folder)), tiny_corpus.settings)
    assert code == 1 and "aspect ratio 30:60" in out
    assert not (tiny_corpus.artworks_dir / "yellow-wheat-1890.jpg").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["import", "/definitely/not/here"],
        ["import"],
        ["frobnicate"],
        [],
        ["download", "--timeout", "soon"],
        ["download", "--ids", "../../etc/passwd"],
        ["index", "--workers", "0"],
    ],
)
def test_bad_usage_exits_2_with_one_line(tiny_corpus, capsys, argv) -> None:
    code, out, err = run(capsys, argv, tiny_corpus.settings)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1


def test_import_into_read_only_folder_is_bad_usage(tiny_corpus, import_dir, capsys) -> None:
    tiny_corpus.artworks_dir.chmod(0o555)
    try:
        code, _, err = run(capsys, quiet("import", str(import_dir)), tiny_corpus.settings)
    finally:
        tiny_corpus.artworks_dir.chmod(0o755)
    assert code == 2 and "read-only" in err


def test_help_exits_0(tiny_corpus, capsys) -> None:
    assert main(["data", "--help"], settings=tiny_corpus.settings) == 0
    assert "status" in capsys.readouterr().out


# --- status -------------------------------------------------------------------------------


def test_status_reports_present_missing_corrupt_and_unknown(tiny_corpus, capsys) -> None:
    artworks = tiny_corpus.artworks_dir
    (artworks / "green-street-1887.jpg").write_bytes(b"not a jpeg")
    # A valid image that is neither the reference file nor one written by import/download.
    Image.new("RGB", (40, 40), (1, 1, 1)).save(artworks / "blue-night-1888.jpg")
    Image.new("RGB", (4, 4)).save(artworks / "sunflowers-1888.png")
    code, out, _ = run(capsys, quiet("status", "--verbose"), tiny_corpus.settings)
    assert code == 1
    assert "present: 1 (0 normalised copies), missing: 1, corrupt: 2, unknown files: 1" in out
    assert "green-street-1887.jpg: the file is not an image" in out
    assert "blue-night-1888.jpg: its SHA-256 matches neither" in out
    assert "yellow-wheat-1890.jpg" in out and "sunflowers-1888.png" in out


def test_status_of_an_empty_folder_says_how_to_add_images(tiny_corpus, tmp_path, capsys) -> None:
    argv = quiet("status", "--artworks-dir", str(tmp_path / "empty"))
    code, out, _ = run(capsys, argv, tiny_corpus.settings)
    assert code == 0
    assert "present: 0" in out and "missing: 4" in out
    assert "python -m dashboard data download" in out


def test_status_lists_the_bundled_sample_ids(tiny_corpus, capsys) -> None:
    code, out, _ = run(capsys, quiet("status"), tiny_corpus.settings)
    assert code == 0
    samples = next(line for line in out.splitlines() if line.startswith("bundled samples"))
    for sample_id in ("sample-astronaut", "sample-chelsea", "sample-coffee", "sample-rocket"):
        assert sample_id in samples


def test_status_through_the_real_command_line(tiny_corpus) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "data",
            "status",
            "--artworks-dir",
            str(tiny_corpus.artworks_dir),
            "--catalogue",
            str(tiny_corpus.catalogue_path),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "present: 3 (0 normalised copies), missing: 1, corrupt: 0" in result.stdout


# --- index --------------------------------------------------------------------------------


def test_index_command_builds_then_reuses(tiny_corpus, capsys) -> None:
    settings = tiny_corpus.settings
    code, out, _ = run(capsys, quiet("index", "--serial"), settings)
    assert code == 0
    # The 3 paintings present and the 4 bundled samples.
    assert "7 computed, 0 reused, 0 skipped" in out and "serial (this process)" in out
    folder = tiny_corpus.artworks_dir / ".index" / index_parameters_name(settings.max_side)
    assert len(IndexDataset(folder).read()) == 7
    code, out, _ = run(capsys, quiet("index", "--serial"), settings)
    assert code == 0 and "0 computed, 7 reused" in out


def test_index_command_reports_corrupt_files(tiny_corpus, capsys) -> None:
    (tiny_corpus.artworks_dir / "red-field-1884.jpg").write_bytes(b"junk")
    with pytest.warns(UserWarning, match="red-field-1884"):
        code, out, _ = run(capsys, quiet("index", "--serial"), tiny_corpus.settings)
    assert code == 1
    assert "6 computed, 0 reused, 1 skipped" in out and "red-field-1884: " in out


# --- helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "ok"), [((1024, 683), True), ((1000, 700), True), ((1024, 1024), False)]
)
def test_aspect_problem_tolerance(tiny_corpus, size, ok) -> None:
    from dashboard.data.corpus import Artwork

    artwork = Artwork("x", "x.jpg", "X", 1888, "", "arles", width=1500, height=1000)
    # 1000 / 700 = 1.4286 is 4.8 % from 1.5: inside the default 5 %.
    assert (aspect_problem(*size, artwork, 0.05) is None) is ok


@pytest.mark.parametrize("argv", [["--serial", "--workers", "2"],
                                  ["--scheduler", "tcp://127.0.0.1:1", "--serial"],
                                  ["--scheduler", ""]])
def test_index_engine_options_that_contradict_are_bad_usage(tiny_corpus, capsys, argv) -> None:
    code, _, err = run(capsys, quiet("index", *argv), tiny_corpus.settings)
    assert code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1
