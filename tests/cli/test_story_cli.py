"""``python -m dashboard story export`` and ``report --html``: offline reports from the command
line, with no server and no browser; bad links are one line and exit 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.cli.main import main
from tests.cli.test_report import gradient, write_png
from tests.support.apps import samples_settings
from tests.support.processes import REPO_ROOT


def run_cli(*args: str, cache: Path) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    environ["DASHBOARD_CACHE_DIR"] = str(cache)
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=REPO_ROOT,
                          env=environ, capture_output=True, text=True, timeout=120)


def test_export_builds_one_offline_file_from_links_on_any_host(tmp_path):
    out = tmp_path / "story.html"
    code = main([
        "story", "export",
        "--url", "https://deployed.example/?artwork=sample-coffee&view=distributions&seed=4",
        "--url", "http://127.0.0.1:8050/?artwork=sample-astronaut&view=noise&variance=0.05",
        "--title", "Two <views>", "--html", str(out)], settings=samples_settings(tmp_path))
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert page.count('<section class="slide"') == 2
    assert "<title>Two &lt;views&gt;</title>" in page
    # Each slide links to the page as it was given; nothing is loaded from anywhere.
    assert ('href="https://deployed.example/?artwork=sample-coffee&amp;view=distributions'
            '&amp;seed=4"') in page
    assert "<script src=" not in page and page.count("plotly.js v") == 1
    assert page.count('class="plot"') == 2 + 2
    assert len(re.findall(r'src="data:image/jpeg;base64,', page)) == 4
    # The numbers behind the slide: the link's settings, read by the page's own parser.
    assert "<td>seed</td><td>4</td>" in page and "<td>variance</td><td>0.05</td>" in page


@pytest.mark.parametrize(("url", "fragment"), [
    ("ftp://example.org/", "is not http or https"),
    ("https://example.org/admin?x=1", "is not one of this app's pages"),
    ("http://[::1", "is not a well-formed URL"),
    ("file:///etc/passwd", "is not http or https"),
])
def test_bad_links_are_one_line_and_exit_2(tmp_path, url, fragment, capsys):
    out = tmp_path / "x.html"
    code = main(["story", "export", "--url", "/", "--url", url, "--html", str(out)],
                settings=samples_settings(tmp_path))
    captured = capsys.readouterr()
    assert code == 2 and not out.exists()
    assert captured.err.count("\n") == 1 and fragment in captured.err
    assert captured.err.startswith("error: the link ")


def test_usage_errors_exit_2(tmp_path, capsys):
    settings = samples_settings(tmp_path)
    assert main(["story", "export", "--html", str(tmp_path / "x.html")], settings=settings) == 2
    assert main(["story", "export", "--url", "/", "--html", str(tmp_path / "no" / "x.html")],
                settings=settings) == 2
    assert main(["story", "export", *["--url", "/"] * 51, "--html", str(tmp_path / "x.html")],
                settings=settings) == 2
    errors = capsys.readouterr().err.splitlines()
    assert [e.split(":")[0] for e in errors] == ["error"] * 3
    assert "--url" in errors[0] and "does not exist" in errors[1] and "at most 50" in errors[2]


def test_report_writes_the_single_view_beside_the_json(tmp_path):
    image = write_png(tmp_path / "g.png", gradient(48, 64))
    completed = run_cli("report", "--image", str(image), "--variance", "0.02", "--seed", "3",
                        "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"),
                        cache=tmp_path / "cache")
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "r.json").stat().st_size > 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count('<section class="slide"') == 1 and page.count('class="plot"') == 2
    assert "<td>variance</td><td>0.02</td>" in page and "<td>seed</td><td>3</td>" in page
    assert "Your upload" in page


def test_report_checks_the_html_path_before_the_work(tmp_path, capsys):
    code = main(["report", "--artwork", "sample-coffee", "--json", str(tmp_path / "s.json"),
                 "--html", str(tmp_path / "missing" / "s.html")],
                settings=samples_settings(tmp_path))
    error = capsys.readouterr().err
    assert code == 2 and error.startswith("error: cannot write") and "missing" in error
    assert not (tmp_path / "s.json").exists()
