"""``python -m dashboard diffusion``: the JSON and the arrays against the core and closed forms.

The main run is a subprocess, as a user runs it; the many small cases (closed forms, bad
input) call the one command line in-process, which prints and exits the same way.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dashboard.cli.main import main
from dashboard.config import load_settings
from dashboard.core.corpus_stats import equal_weight_mean
from dashboard.core.diffusion import (
    channel_covariance,
    correlation_sample,
    correlation_theory,
    entropy_bits,
    expected_denoiser_mse,
    kl_to_standard_normal,
    marginal_density,
    marginal_moments,
    mutual_information_bits,
    posterior_mean_image,
)
from dashboard.core.diffusion_schedules import alpha_bar, explorer_sigma, snr
from dashboard.core.distributions import channel_pmfs
from dashboard.core.images import load_image
from dashboard.core.noise import standard_normal_field
from dashboard.data.corpus import sample_dir
from tests.support.processes import REPO_ROOT

CHANNELS = ("red", "green", "blue")
PAIRS = {"red-green": (0, 1), "red-blue": (0, 2), "green-blue": (1, 2)}
SEED = 5
T = 300
#: Written arrays are float32: one rounding of values of size up to ~5.
FLOAT32_ATOL = 1e-6


def run_subprocess(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the command with the environment cleaned of DASHBOARD_* (plus ``env``)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "diffusion", *args],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_in_process(capsys, *args: str, settings=None) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``diffusion ARGS`` (settings: none from the env)."""
    capsys.readouterr()
    settings = load_settings(environ={}) if settings is None else settings
    code = main(["diffusion", *args], settings=settings)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, err: str, *fragments: str) -> str:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def data_scale(pixels: np.ndarray) -> np.ndarray:
    return 2.0 * pixels.astype(np.float64) / 255.0 - 1.0


def forward(pixels: np.ndarray, ab: float, seed: int) -> np.ndarray:
    """``sqrt(ab) x_0 + sqrt(1 - ab) eps`` (float64) with the standard-normal field of ``seed``."""
    eps = standard_normal_field(pixels.shape, seed).astype(np.float64)
    return math.sqrt(ab) * data_scale(pixels) + math.sqrt(1.0 - ab) * eps


def write_png(path: Path, pixels: np.ndarray) -> Path:
    Image.fromarray(pixels).save(path, format="PNG")
    return path


# ------------------------------------------------------------- a sample, as a user runs it


@pytest.fixture(scope="module")
def astronaut(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("diffusion")
    out, xt, denoised = folder / "d.json", folder / "xt.npy", folder / "denoised.npy"
    completed = run_subprocess(
        "--artwork", "sample-astronaut", "--max-side", "64", "--schedule", "cosine",
        "--t", str(T), "--seed", str(SEED), "--json", str(out),
        "--xt-out", str(xt), "--denoised-out", str(denoised),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    pixels = load_image(sample_dir() / "astronaut.png", max_side=64).pixels
    return {
        "json": json.loads(out.read_text()),
        "text": out.read_text(),
        "x_t": np.load(xt),
        "denoised": np.load(denoised),
        "pixels": pixels,
        "ab": float(alpha_bar("cosine", 1000)[T]),
    }


def test_schedule_section_is_the_core_schedule(astronaut):
    result = astronaut["json"]
    assert result["schema_version"] == 1
    assert result["size"] == {"height": 64, "width": 64}
    assert result["downscaled"]["downscaled"] is True
    assert result["downscaled"]["max_side"] == 64
    assert result["source"]["artwork"] == "sample-astronaut"
    assert result["params"] == {"seed": SEED, "prior": "painting"}
    schedule = result["schedule"]
    assert (schedule["name"], schedule["steps"], schedule["t"]) == ("cosine", 1000, T)
    assert schedule["zero_snr"] is False
    expected = alpha_bar("cosine", 1000)
    assert len(schedule["alpha_bar"]) == 1001
    assert schedule["alpha_bar"] == expected.tolist()  # JSON floats round-trip exactly
    assert schedule["alpha_bar_t"] == expected[T] == astronaut["ab"]
    assert schedule["snr_t"] == snr(expected[T])
    sigma = explorer_sigma(expected[T])
    assert result["explorer"] == {"sigma": sigma, "variance": sigma * sigma}


def test_channel_values_are_the_core_functions_on_the_image(astronaut):
    result, pixels, ab = astronaut["json"], astronaut["pixels"], astronaut["ab"]
    pmfs = channel_pmfs(pixels)
    assert result["prior"]["name"] == "painting" and result["prior"]["paintings"] is None
    x_t = astronaut["x_t"].astype(np.float64)
    exact_x_t = forward(pixels, ab, SEED)
    for index, name in enumerate(CHANNELS):
        channel = result["channels"][name]
        assert result["prior"]["pmf"][name] == pmfs[index].tolist()
        assert channel["kl_to_standard_normal"] == kl_to_standard_normal(pmfs[index], ab)
        assert channel["mutual_information_bits"] == mutual_information_bits(pmfs[index], ab)
        mean, variance = marginal_moments(pmfs[index], ab)
        assert (channel["mean_theory"], channel["variance_theory"]) == (mean, variance)
        assert channel["mean_sample"] == pytest.approx(x_t[..., index].mean(), abs=1e-6)
        assert channel["variance_sample"] == pytest.approx(x_t[..., index].var(), rel=1e-6)
        # 4096 pixels: the sample moments are near the theory.
        assert abs(channel["mean_sample"] - mean) < 5 * math.sqrt(variance / 4096)
        assert channel["variance_sample"] == pytest.approx(variance, rel=0.15)
        denoiser = channel["denoiser"]
        assert denoiser["mse_expected"] == expected_denoiser_mse(pmfs[index], ab)
        assert denoiser["mse_optimal"] == denoiser["mse_expected"]  # the prior is the image's
        marginal = channel["marginal"]
        x = np.array(marginal["x"])
        assert x.size == 256 and np.all(np.diff(x) > 0)
        np.testing.assert_allclose(marginal["density_theory"],
                                   marginal_density(x, pmfs[index], ab), rtol=1e-12)
        width = marginal["bin_width"]
        assert width == pytest.approx(x[1] - x[0], rel=1e-9)
        total = np.sum(marginal["density_sample"]) * width
        assert total == pytest.approx(1.0 - marginal["sample_outside"], rel=1e-12)
        assert marginal["sample_outside"] == 0.0
        # The histogram of this channel's 4096 values of x_t, in bins centred on x.
        edges = np.append(x - width / 2, x[-1] + width / 2)
        counts, _ = np.histogram(exact_x_t[..., index], bins=edges)
        np.testing.assert_allclose(np.array(marginal["density_sample"]) * 4096 * width, counts,
                                   rtol=1e-12)


def test_xt_array_is_the_forward_process_with_the_seeds_field(astronaut):
    pixels, ab, x_t = astronaut["pixels"], astronaut["ab"], astronaut["x_t"]
    assert x_t.dtype == np.float32 and x_t.shape == (64, 64, 3)
    np.testing.assert_allclose(x_t, forward(pixels, ab, SEED), rtol=0, atol=FLOAT32_ATOL)
    assert x_t.min() < -1.0 or x_t.max() > 1.0  # unclipped


def test_denoised_array_is_the_posterior_mean_and_its_mse(astronaut):
    result, pixels, ab = astronaut["json"], astronaut["pixels"], astronaut["ab"]
    x0 = data_scale(pixels)
    exact = posterior_mean_image(forward(pixels, ab, SEED), channel_pmfs(pixels), ab)
    denoised = astronaut["denoised"]
    assert denoised.dtype == np.float32 and denoised.shape == (64, 64, 3)
    np.testing.assert_allclose(denoised, exact, rtol=0, atol=FLOAT32_ATOL)
    for index, name in enumerate(CHANNELS):
        measured = np.mean((exact[..., index] - x0[..., index]) ** 2)
        mse = result["channels"][name]["denoiser"]
        assert mse["mse_sample"] == pytest.approx(measured, rel=1e-6)
        # The image's own PMF is its prior: the measured error is near its expectation.
        assert mse["mse_sample"] == pytest.approx(mse["mse_expected"], rel=0.2)


def test_correlation_theory_and_sample(astronaut):
    result, pixels, ab = astronaut["json"], astronaut["pixels"], astronaut["ab"]
    theory = correlation_theory(channel_covariance(pixels), ab)
    sample = correlation_sample(astronaut["x_t"].astype(np.float64))
    assert set(result["correlation"]) == set(PAIRS)
    for pair, (i, j) in PAIRS.items():
        assert result["correlation"][pair]["theory"] == theory[i, j]
        assert result["correlation"][pair]["sample"] == pytest.approx(sample[i, j], abs=1e-6)
        assert result["correlation"][pair]["sample"] == pytest.approx(theory[i, j], abs=0.1)


def test_output_is_strict_json(astronaut):
    for word in ("NaN", "Infinity"):
        assert word not in astronaut["text"]


# ------------------------------------------------------------- closed forms, in-process


ONE_LEVEL = (200, 40, 128)


@pytest.fixture
def one_level_png(tmp_path) -> Path:
    return write_png(tmp_path / "flat.png", np.full((32, 32, 3), ONE_LEVEL, np.uint8))


def test_one_level_image_is_one_gaussian(capsys, tmp_path, one_level_png):
    t = 400
    xt_path = tmp_path / "xt.npy"
    code, out, err = run_in_process(
        capsys, "--image", str(one_level_png), "--schedule", "linear", "--t", str(t),
        "--seed", "9", "--json", "-", "--xt-out", str(xt_path),
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    ab = alpha_bar("linear", 1000)[t]
    s2 = 1.0 - ab
    for index, name in enumerate(CHANNELS):
        channel = result["channels"][name]
        m = math.sqrt(ab) * (2.0 * ONE_LEVEL[index] / 255.0 - 1.0)
        kl = 0.5 * (m * m + s2 - 1.0 - math.log(s2))
        assert channel["kl_to_standard_normal"] == pytest.approx(kl, rel=1e-12)
        assert channel["mutual_information_bits"] == 0.0
        assert channel["mean_theory"] == pytest.approx(m, rel=1e-15)
        assert channel["variance_theory"] == pytest.approx(s2, rel=1e-15)
        assert channel["denoiser"]["mse_expected"] == 0.0
        assert channel["denoiser"]["mse_optimal"] == 0.0
        assert channel["denoiser"]["mse_sample"] <= 1e-30
        x = np.array(channel["marginal"]["x"])
        gaussian = np.exp(-((x - m) ** 2) / (2.0 * s2)) / math.sqrt(2.0 * math.pi * s2)
        np.testing.assert_allclose(channel["marginal"]["density_theory"], gaussian, rtol=1e-12)
    for pair in PAIRS:
        # Zero up to the rounding of the constant channels' covariance.
        assert result["correlation"][pair]["theory"] == pytest.approx(0.0, abs=1e-12)
        assert abs(result["correlation"][pair]["sample"]) < 0.2  # 1024 independent pairs
    x_t = np.load(xt_path)
    np.testing.assert_allclose(x_t.var(axis=(0, 1)), s2, rtol=0.15)


def test_step_zero_has_null_kl_and_the_entropy(capsys, tmp_path):
    code, out, err = run_in_process(
        capsys, "--artwork", "sample-coffee", "--max-side", "48", "--schedule", "scaled-linear",
        "--t", "0", "--json", "-", "--xt-out", str(tmp_path / "xt.npy"),
        "--denoised-out", str(tmp_path / "d.npy"),
    )  # fmt: skip
    assert code == 0, err
    assert "NaN" not in out and "Infinity" not in out
    result = json.loads(out)
    pixels = load_image(sample_dir() / "coffee.png", max_side=48).pixels
    pmfs = channel_pmfs(pixels)
    assert result["schedule"]["alpha_bar_t"] == 1.0
    assert result["schedule"]["snr_t"] is None  # +inf
    assert result["explorer"] == {"sigma": 0.0, "variance": 0.0}
    for index, name in enumerate(CHANNELS):
        channel = result["channels"][name]
        assert channel["kl_to_standard_normal"] is None  # +inf: x_0 is discrete
        assert channel["mutual_information_bits"] == pytest.approx(entropy_bits(pmfs[index]))
        assert channel["marginal"]["density_theory"] is None
        assert channel["denoiser"]["mse_expected"] == 0.0
        assert channel["denoiser"]["mse_sample"] <= 1e-30
        assert channel["variance_sample"] == pytest.approx(channel["variance_theory"], rel=1e-9)
    x_t = np.load(tmp_path / "xt.npy")
    np.testing.assert_array_equal(x_t, data_scale(pixels).astype(np.float32))


def test_one_level_image_at_step_zero(capsys, one_level_png):
    code, out, err = run_in_process(
        capsys, "--image", str(one_level_png), "--schedule", "cosine", "--t", "0", "--json", "-"
    )
    assert code == 0, err
    for index, channel in enumerate(json.loads(out)["channels"].values()):
        assert channel["kl_to_standard_normal"] is None
        assert channel["mutual_information_bits"] == 0.0
        assert channel["denoiser"] == {"mse_expected": 0.0, "mse_optimal": 0.0, "mse_sample": 0.0}
        level = 2 * ONE_LEVEL[index] / 255 - 1
        assert channel["mean_theory"] == pytest.approx(level, rel=1e-15)
        assert channel["mean_sample"] == pytest.approx(level, rel=1e-15)
        assert channel["variance_theory"] == 0.0
        assert channel["variance_sample"] == pytest.approx(0.0, abs=1e-30)


def test_one_level_image_at_step_zero_has_no_correlation(capsys, one_level_png):
    code, out, err = run_in_process(
        capsys, "--image", str(one_level_png), "--schedule", "cosine", "--t", "0", "--json", "-"
    )
    assert code == 0, err
    result = json.loads(out)
    for pair in PAIRS:
        assert result["correlation"][pair] == {"theory": None, "sample": None}


def test_zero_terminal_snr_at_the_last_step(capsys):
    code, out, err = run_in_process(
        capsys, "--artwork", "sample-rocket", "--max-side", "32", "--schedule", "linear",
        "--steps", "50", "--t", "50", "--zero-snr", "--json", "-",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    schedule = result["schedule"]
    assert schedule["alpha_bar"] == alpha_bar("linear", 50, zero_snr=True).tolist()
    assert schedule["alpha_bar_t"] == 0.0 and schedule["snr_t"] == 0.0
    assert result["explorer"] == {"sigma": None, "variance": None}  # +inf
    pmfs = channel_pmfs(load_image(sample_dir() / "rocket.jpg", max_side=32).pixels)
    for index, name in enumerate(CHANNELS):
        channel = result["channels"][name]
        assert channel["kl_to_standard_normal"] == 0.0
        assert channel["mutual_information_bits"] == 0.0
        assert (channel["mean_theory"], channel["variance_theory"]) == (0.0, 1.0)
        # Pure noise: the best guess is the prior mean, wrong by the variance of x_0.
        atoms = 2.0 * np.arange(256) / 255.0 - 1.0
        variance = pmfs[index] @ (atoms - pmfs[index] @ atoms) ** 2
        assert channel["denoiser"]["mse_expected"] == pytest.approx(variance, rel=1e-12)
    for pair in PAIRS:
        assert result["correlation"][pair]["theory"] == 0.0


# ------------------------------------------------------------------------- the artist prior


def test_artist_prior_pools_the_paintings_equally(capsys, tmp_path, tiny_corpus):
    settings = tiny_corpus.settings
    denoised_path = tmp_path / "d.npy"
    code, out, err = run_in_process(
        capsys, "--artwork", "sample-astronaut", "--max-side", "32", "--schedule", "cosine",
        "--t", "500", "--seed", "2", "--prior", "artist", "--json", "-",
        "--denoised-out", str(denoised_path), settings=settings,
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    present = tiny_corpus.present_ids
    pooled = equal_weight_mean(
        np.stack([
            channel_pmfs(load_image(tiny_corpus.artworks_dir / f"{artwork}.jpg").pixels)
            for artwork in present
        ])
    )  # fmt: skip
    assert result["params"]["prior"] == "artist"
    assert result["prior"]["name"] == "artist" and result["prior"]["paintings"] == len(present)
    pixels = load_image(sample_dir() / "astronaut.png", max_side=32).pixels
    own = channel_pmfs(pixels)
    ab = alpha_bar("cosine", 1000)[500]
    for index, name in enumerate(CHANNELS):
        np.testing.assert_allclose(result["prior"]["pmf"][name], pooled[index], atol=1e-15)
        denoiser = result["channels"][name]["denoiser"]
        assert denoiser["mse_expected"] == pytest.approx(
            expected_denoiser_mse(pooled[index], ab), rel=1e-9
        )
        assert denoiser["mse_optimal"] == expected_denoiser_mse(own[index], ab)
        # The theory of x_t is still the image's own.
        assert result["channels"][name]["kl_to_standard_normal"] == kl_to_standard_normal(
            own[index], ab
        )
    expected = posterior_mean_image(forward(pixels, ab, 2), pooled, ab)
    np.testing.assert_allclose(np.load(denoised_path), expected, rtol=0, atol=FLOAT32_ATOL)


def test_artist_prior_without_the_corpus_is_one_line(capsys, tmp_path):
    empty = tmp_path / "artworks"
    empty.mkdir()
    settings = load_settings(environ={}, artworks_dir=empty, cache_dir=tmp_path / "cache")
    out = tmp_path / "out.json"
    code, _, err = run_in_process(
        capsys, "--artwork", "sample-astronaut", "--schedule", "linear", "--t", "10",
        "--prior", "artist", "--json", str(out), settings=settings,
    )  # fmt: skip
    assert_one_line_error(code, err, "--prior artist", str(empty), "--prior painting")
    assert not out.exists()


@pytest.mark.corpus
def test_artist_prior_on_the_real_corpus(tmp_path):
    out = tmp_path / "out.json"
    env = {"DASHBOARD_ARTWORKS_DIR": os.environ["DASHBOARD_ARTWORKS_DIR"]}
    completed = run_subprocess(
        "--artwork", "sample-chelsea", "--max-side", "32", "--schedule", "linear", "--t", "200",
        "--prior", "artist", "--json", str(out), env=env,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    prior = json.loads(out.read_text())["prior"]
    assert prior["paintings"] >= 50
    for name in CHANNELS:
        assert sum(prior["pmf"][name]) == pytest.approx(1.0)


# ---------------------------------------------------------------------------- bad input


GOOD = ("--artwork", "sample-astronaut", "--max-side", "16")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--schedule", "quadratic", "--t", "1"),
         ("--schedule", "'quadratic'", "linear", "scaled-linear", "cosine")),
        (("--schedule", "linear", "--t", "1001"), ("t must be", "0..1000", "1001")),
        (("--schedule", "linear", "--t", "-1"), ("t must be", "0..1000", "-1")),
        (("--schedule", "linear", "--t", "20", "--steps", "10"), ("t must be", "0..10", "20")),
        (("--schedule", "linear", "--t", "1", "--steps", "0"), ("steps", "1..10000", "0")),
        (("--schedule", "linear", "--t", "1", "--steps", "10001"), ("steps", "1..10000")),
        (("--schedule", "cosine", "--t", "1", "--steps", "1", "--zero-snr"),
         ("steps must be at least 2", "zero_snr")),
        (("--schedule", "linear", "--t", "1.5"), ("--t", "'1.5'")),
        (("--schedule", "linear", "--t", "1", "--seed", "-1"), ("seed", "-1", "4294967295")),
        (("--schedule", "linear", "--t", "1", "--seed", "4294967296"), ("seed", "4294967296")),
        (("--schedule", "linear", "--t", "1", "--max-side", "0"), ("--max-side", "[1, 8192]")),
        (("--schedule", "linear", "--t", "1", "--prior", "museum"),
         ("--prior", "'museum'", "painting", "artist")),
        (("--schedule", "linear"), ("--t",)),
        (("--t", "1"), ("--schedule",)),
    ],
)  # fmt: skip
def test_bad_parameters(capsys, tmp_path, args, fragments):
    out = tmp_path / "out.json"
    code, _, err = run_in_process(capsys, *GOOD, *args, "--json", str(out))
    assert_one_line_error(code, err, *fragments)
    assert not out.exists()


@pytest.mark.parametrize("artwork", ["no-such-painting", "../../etc/passwd"])
def test_unknown_artwork_lists_the_samples(capsys, tmp_path, artwork):
    code, _, err = run_in_process(
        capsys, "--artwork", artwork, "--schedule", "linear", "--t", "1",
        "--json", str(tmp_path / "out.json"),
    )  # fmt: skip
    assert_one_line_error(code, err, "not in the catalogue", repr(artwork), "sample-astronaut",
                          "sample-rocket")


@pytest.mark.parametrize(
    "content", [None, b"", b"not an image\n"], ids=["missing", "empty", "text"]
)
def test_bad_image_files(capsys, tmp_path, content):
    path = tmp_path / "in.png"
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out.json"
    code, _, err = run_in_process(
        capsys, "--image", str(path), "--schedule", "linear", "--t", "1", "--json", str(out)
    )
    assert_one_line_error(code, err, path.name, "JPEG, PNG")
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "where", "fragments"),
    [
        ("--json", "missing-folder", ("cannot write", "does not exist")),
        ("--json", "a-folder", ("cannot write", "is a folder")),
        ("--xt-out", "missing-folder", ("cannot write", "does not exist")),
        ("--xt-out", "stdout", ("--xt-out", "'-'", ".npy")),
        ("--denoised-out", "missing-folder", ("cannot write", "does not exist")),
        ("--denoised-out", "a-folder", ("cannot write", "is a folder")),
    ],
)
def test_unwritable_outputs(capsys, tmp_path, option, where, fragments):
    target = {"missing-folder": str(tmp_path / "nowhere" / "f"), "a-folder": str(tmp_path),
              "stdout": "-"}[where]
    outputs = {"--json": str(tmp_path / "out.json")}
    outputs[option] = target
    args = [word for pair in outputs.items() for word in pair]
    code, _, err = run_in_process(capsys, *GOOD, "--schedule", "linear", "--t", "3", *args)
    assert_one_line_error(code, err, *fragments)
    assert not (tmp_path / "out.json").exists()


def test_array_outputs_are_written_to_the_names_given(capsys, tmp_path):
    xt, denoised = tmp_path / "xt.data", tmp_path / "denoised"
    code, _, err = run_in_process(
        capsys, *GOOD, "--schedule", "linear", "--t", "3", "--json", str(tmp_path / "o.json"),
        "--xt-out", str(xt), "--denoised-out", str(denoised),
    )  # fmt: skip
    assert code == 0, err
    assert np.load(xt).shape == np.load(denoised).shape == (16, 16, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["denoised", "o.json", "xt.data"]


def test_help_shows_the_choices_defaults_and_samples():
    completed = run_subprocess("--help")
    assert completed.returncode == 0, completed.stderr
    text = " ".join(completed.stdout.split())  # argparse wraps lines
    for fragment in ("{linear,scaled-linear,cosine}", "{painting,artist}", "(default: 1000)",
                     "(default: painting)", "(default: 0)", "sample-astronaut", "sample-rocket",
                     "docs/diffusion-schema.md"):
        assert fragment in text, fragment


def test_the_command_is_listed_by_the_main_help(capsys):
    assert main(["--help"]) == 0
    assert "python -m dashboard diffusion" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("outputs", "fragments"),
    [
        ({"--json": "a.json", "--xt-out": "same.npy", "--denoised-out": "same.npy"},
         ("--xt-out and --denoised-out", "same file", "same.npy")),
        ({"--json": "same", "--xt-out": "same"}, ("--json and --xt-out", "same file")),
        ({"--json": "sub/../same", "--denoised-out": "same"},
         ("--json and --denoised-out", "same file")),
    ],
)
def test_outputs_naming_the_same_file_are_refused(capsys, tmp_path, monkeypatch, outputs,
                                                  fragments):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    args = [word for pair in outputs.items() for word in pair]
    code, _, err = run_in_process(capsys, *GOOD, "--schedule", "linear", "--t", "3", *args)
    assert_one_line_error(code, err, *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]  # nothing written
