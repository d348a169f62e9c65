"""``python -m dashboard report``, run as a user runs it: in a subprocess."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dashboard.core.distributions import NoiseAnalyser, channel_pmfs, noisy_pmf_theory
from dashboard.core.images import load_image
from dashboard.core.noise import add_gaussian_noise
from dashboard.data.corpus import sample_dir
from tests.support.processes import REPO_ROOT


def run_report(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the CLI with the environment cleaned of DASHBOARD_* (plus ``env``)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "report", *args],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_bad_input(completed: subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit 2, one line on stderr starting 'error:', containing every fragment."""
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert lines[0].startswith("error: ")
    return lines[0]


def write_png(path: Path, pixels: np.ndarray) -> Path:
    Image.fromarray(pixels).save(path, format="PNG")
    return path


def gradient(height: int, width: int) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack(
        [x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), (x + y) % 256], axis=-1
    ).astype(np.uint8)


@pytest.fixture(scope="module")
def astronaut_report(tmp_path_factory) -> tuple[dict, Path]:
    folder = tmp_path_factory.mktemp("report")
    out, png = folder / "report.json", folder / "noisy.png"
    completed = run_report(
        "--artwork",
        "sample-astronaut",
        "--mean",
        "0.05",
        "--variance",
        "0.02",
        "--seed",
        "3",
        "--json",
        str(out),
        "--noisy-out",
        str(png),
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(out.read_text()), png


# ----------------------------------------------------------------------------- success


def test_report_has_the_documented_keys(astronaut_report):
    report, _ = astronaut_report
    for key in (
        "size",
        "params",
        "channels",
        "noise",
        "joint",
        "color_3d",
        "palette",
        "source",
        "downscaled",
    ):
        assert key in report
    assert report["schema_version"] == 2  # 2: p_value under the exact noise model
    assert report["size"] == {"height": 512, "width": 512}
    assert report["params"] == {"mean": 0.05, "variance": 0.02, "seed": 3}
    assert report["source"]["artwork"] == "sample-astronaut"
    assert report["downscaled"] == {
        "downscaled": False,
        "original_size": {"height": 512, "width": 512},
        "max_side": 1024,
    }
    assert set(report["channels"]) == {"red", "green", "blue"}
    for channel in report["channels"].values():
        for key in (
            "original_pmf",
            "original_cdf",
            "noisy_pmf",
            "noisy_cdf",
            "noisy_pmf_theory",
            "noisy_cdf_theory",
        ):
            values = channel[key]
            assert len(values) == 256 and all(isinstance(v, float) for v in values)
        assert sum(channel["noisy_pmf"]) == pytest.approx(1.0)
        assert channel["noisy_cdf_theory"][-1] == 1.0


def test_report_values_match_an_independent_recomputation(astronaut_report):
    report, png = astronaut_report
    original = load_image(sample_dir() / "astronaut.png").pixels
    expected_noisy = add_gaussian_noise(original, 0.05, 0.02, seed=3)
    with Image.open(png) as image:
        assert image.format == "PNG"
        written = np.asarray(image)
    np.testing.assert_array_equal(written, expected_noisy)  # lossless, analysed size
    noisy_pmfs = channel_pmfs(expected_noisy)
    theory = noisy_pmf_theory(channel_pmfs(original), 0.05, 0.02)
    for index, name in enumerate(("red", "green", "blue")):
        channel = report["channels"][name]
        np.testing.assert_allclose(channel["noisy_pmf"], noisy_pmfs[index], rtol=0, atol=1e-15)
        np.testing.assert_allclose(channel["noisy_pmf_theory"], theory[index], atol=1e-15)
        counts = np.bincount(original[..., index].ravel(), minlength=256)
        np.testing.assert_allclose(channel["original_pmf"], counts / counts.sum(), atol=1e-15)


def test_report_fit_and_dependence_against_chance(astronaut_report):
    report, _ = astronaut_report
    original = load_image(sample_dir() / "astronaut.png").pixels
    analyser = NoiseAnalyser(original, seed=3)
    expected = analyser.goodness_of_fit(analyser.move(0.05, 0.02))
    for name, fit in report["noise"]["goodness_of_fit"].items():
        engine = expected[name]
        assert fit["p_value"] == pytest.approx(engine.p_value, rel=1e-12)
        assert fit["p_value_iid"] == pytest.approx(engine.p_value_iid, rel=1e-12)
        assert fit["chi_square_null_mean"] == pytest.approx(engine.chi_square_null_mean)
        low, high = fit["total_variation_chance_low"], fit["total_variation_chance_high"]
        assert 0 < low < fit["total_variation_chance_mean"] < high
        assert fit["total_variation_chance_method"] in ("exact draws", "normal approximation")
    for pair in report["joint"]["pairs"].values():
        for picture in ("original", "noisy"):
            summary = pair[picture]
            baseline = summary["independent_bits"]
            assert len(baseline["shuffles"]) == 8
            assert baseline["mean"] <= baseline["bound"]
            assert summary["dependence_detected"] == (
                summary["mutual_information_bits"] > baseline["bound"])
        assert pair["original"]["dependence_detected"]


def test_report_noise_joint_and_colour_sections(astronaut_report):
    report, _ = astronaut_report
    noise = report["noise"]
    assert noise["theory"]["variance"] == 0.02
    assert noise["sample"]["count"] == 512 * 512 * 3
    assert noise["sample"]["variance"] == pytest.approx(0.02, rel=0.01)
    assert len(noise["effective"]["levels"]) == 511
    for name, fit in noise["goodness_of_fit"].items():
        assert fit["count"] == 512 * 512 and fit["total_variation"] < 0.02, name
        assert 0.0 <= fit["p_value"] <= 1.0
    pairs = report["joint"]["pairs"]
    assert set(pairs) == {"red_green", "red_blue", "green_blue"}
    original = load_image(sample_dir() / "astronaut.png").pixels.reshape(-1, 3).astype(float)
    expected_r = np.corrcoef(original[:, 0], original[:, 1])[0, 1]
    assert pairs["red_green"]["original"]["correlation"] == pytest.approx(expected_r, rel=1e-9)
    # Independent noise on each channel weakens the correlation.
    assert abs(pairs["red_green"]["noisy"]["correlation"]) < abs(expected_r)
    assert np.sum(pairs["red_green"]["original"]["pmf"]) == pytest.approx(1.0)
    for space in ("rgb", "hsv", "lab"):
        summary = report["color_3d"]["spaces"][space]
        assert 0 < summary["original"]["occupied_bins"] <= summary["total_bins"]
        assert 0.0 <= summary["js_divergence_bits"] <= 1.0
    palette = report["palette"]["original"]
    assert len(palette) == 8 and palette[0]["hex"].startswith("#")
    assert sum(entry["share"] for entry in palette) <= 1.0


def test_image_file_is_downscaled_to_max_side(tmp_path):
    path = write_png(tmp_path / "wide.png", gradient(150, 300))
    out = tmp_path / "r.json"
    completed = run_report(
        "--image",
        str(path),
        "--max-side",
        "100",
        "--variance",
        "0",
        "--mean",
        "0.1",
        "--json",
        str(out),
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(out.read_text())
    assert report["size"] == {"height": 50, "width": 100}
    assert report["downscaled"] == {
        "downscaled": True,
        "original_size": {"height": 150, "width": 300},
        "max_side": 100,
    }
    assert report["source"]["path"] == str(path)
    # variance 0: the noisy PMF is the original shifted by rint(25.5) = 26 levels, exactly.
    red = report["channels"]["red"]
    shifted = np.zeros(256)
    np.add.at(shifted, np.minimum(np.arange(256) + 26, 255), red["original_pmf"])
    np.testing.assert_allclose(red["noisy_pmf"], shifted, atol=1e-15)
    np.testing.assert_allclose(red["noisy_pmf_theory"], shifted, atol=1e-15)


def test_json_to_stdout(tmp_path):
    path = write_png(tmp_path / "small.png", gradient(8, 6))
    completed = run_report("--image", str(path), "--json", "-")
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["size"] == {"height": 8, "width": 6}
    # A one-colour channel has no correlation: null in strict JSON, never NaN.
    assert "NaN" not in completed.stdout


def test_constant_image_gives_null_not_nan(tmp_path):
    path = write_png(tmp_path / "flat.png", np.full((5, 7, 3), 90, np.uint8))
    completed = run_report("--image", str(path), "--json", "-")
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["joint"]["pairs"]["red_green"]["original"]["correlation"] is None


def test_catalogued_artwork_from_a_configured_folder(tiny_corpus, tmp_path):
    env = {
        "DASHBOARD_CATALOGUE": str(tiny_corpus.catalogue_path),
        "DASHBOARD_ARTWORKS_DIR": str(tiny_corpus.artworks_dir),
    }
    artwork = tiny_corpus.present_ids[0]
    out = tmp_path / "a.json"
    completed = run_report("--artwork", artwork, "--json", str(out), env=env)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(out.read_text())["source"]["artwork"] == artwork
    missing = run_report("--artwork", "yellow-wheat-1890", "--json", str(out), env=env)
    assert_bad_input(missing, "yellow-wheat-1890", "data status")


# --------------------------------------------------------------------------- bad input


def png_declaring(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header declares ``width`` x ``height`` (CRC fixed): a bomb."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        (None, ("does not exist",)),
        (b"", ("empty",)),
        (b"hello, this is text and not an image\n", ("not an image", "JPEG")),
        ("truncated", ("truncated",)),
        (png_declaring(30000, 30000), ("900,000,000 pixels", "50,000,000")),
    ],
    ids=["missing", "empty", "text", "truncated", "bomb"],
)
def test_bad_image_files(tmp_path, content, fragments):
    path = tmp_path / "input.png"
    if content == "truncated":
        buffer = io.BytesIO()
        Image.fromarray(gradient(120, 160)).save(buffer, format="PNG")
        content = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out.json"
    assert_bad_input(run_report("--image", str(path), "--json", str(out)), *fragments)
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value", "fragments"),
    [
        ("--mean", "1.5", ("mean", "1.5", "[-1, 1]")),
        ("--mean", "nan", ("mean", "nan", "[-1, 1]")),
        ("--variance", "-0.1", ("variance", "-0.1", "[0, 1]")),
        ("--variance", "inf", ("variance", "inf", "[0, 1]")),
        ("--seed", "-1", ("seed", "-1", "4294967295")),
        ("--seed", "4294967296", ("seed", "4294967296")),
        ("--max-side", "0", ("--max-side", "0", "[1, 8192]")),
    ],
)
def test_parameters_out_of_range(tmp_path, option, value, fragments):
    out = tmp_path / "out.json"
    completed = run_report("--artwork", "sample-astronaut", option, value, "--json", str(out))
    assert_bad_input(completed, *fragments)
    assert not out.exists()


@pytest.mark.parametrize("artwork", ["no-such-painting", "../../etc/passwd", "/etc/passwd"])
def test_unknown_artwork_ids(tmp_path, artwork):
    completed = run_report("--artwork", artwork, "--json", str(tmp_path / "out.json"))
    assert_bad_input(completed, "not in the catalogue", repr(artwork), "sample-astronaut")


def test_help_lists_the_sample_ids_and_the_defaults():
    completed = run_report("--help")
    assert completed.returncode == 0, completed.stderr
    text = " ".join(completed.stdout.split())  # argparse wraps lines
    for sample_id in ("sample-astronaut", "sample-chelsea", "sample-coffee", "sample-rocket"):
        assert sample_id in text
    assert "0..1 (default: 0.01)" in text  # --variance
    assert "-1..1 (default: 0.0)" in text  # --mean


@pytest.mark.parametrize("where", ["missing-folder", "a-folder", "noisy-out"])
def test_unwritable_output(tmp_path, where):
    out = tmp_path / "out.json"
    extra: list[str] = []
    if where == "missing-folder":
        out = tmp_path / "no-such-folder" / "out.json"
    elif where == "a-folder":
        out = tmp_path
    else:
        extra = ["--noisy-out", str(tmp_path / "nowhere" / "noisy.png")]
    completed = run_report("--artwork", "sample-astronaut", "--json", str(out), *extra)
    assert_bad_input(completed, "cannot write", "choose a")
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(("option", "fragments"), [
    ("--noisy-out", ("--json and --noisy-out", "same file")),
    ("--html", ("--json and --html", "same file")),
])
def test_outputs_naming_the_same_file_are_refused(tmp_path, option, fragments):
    out = str(tmp_path / "out")
    completed = run_report("--artwork", "sample-astronaut", "--json", out, option, out)
    assert_bad_input(completed, *fragments, "give each output its own path")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["--json", "x.json"],  # no source
        ["--image", "a.png", "--artwork", "sample-astronaut", "--json", "x.json"],
        ["--artwork", "sample-astronaut"],  # no --json
        ["--artwork", "sample-astronaut", "--seed", "1.5", "--json", "x.json"],
        ["--artwork", "sample-astronaut", "--mean", "abc", "--json", "x.json"],
    ],
)
def test_usage_errors_exit_2_without_traceback(args):
    completed = run_report(*args)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert "error:" in completed.stderr
