"""``/image/<kind>.jpg``: validated query, correct pixels, a highlight that dims the rest."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

from dashboard.core.distributions import NoiseAnalyser
from tests.support.apps import SAMPLE


def _decode(response) -> np.ndarray:
    assert response.status_code == 200, response.data[:200]
    assert response.mimetype == "image/jpeg"
    return np.asarray(Image.open(io.BytesIO(response.data)).convert("RGB")).astype(int)


def test_original_image_is_the_sample(app):
    pixels = _decode(app.server.test_client().get(f"/image/original.jpg?src={SAMPLE}"))
    # JPEG at quality 85: close to the source on average, not bit-exact.
    assert np.abs(pixels - skdata.astronaut()).mean() < 4


def test_noisy_image_matches_the_engine(app):
    client = app.server.test_client()
    response = client.get(f"/image/noisy.jpg?src={SAMPLE}&mean=0.2&variance=0&seed=0")
    expected = NoiseAnalyser(skdata.astronaut(), seed=0).move(0.2, 0.0).noisy
    assert np.abs(_decode(response) - expected).mean() < 4
    assert response.headers["Cache-Control"].startswith("public")


def test_highlight_dims_pixels_outside_the_selection(app):
    client = app.server.test_client()
    response = client.get(f"/image/original.jpg?src={SAMPLE}&sel=levels:red:original:200-255")
    pixels = _decode(response)
    inside = skdata.astronaut()[..., 0] >= 200
    # Dimmed pixels keep 22% of their brightness; JPEG blurs edges, so compare means.
    original = skdata.astronaut().astype(float)
    assert pixels[~inside].mean() < 0.35 * original[~inside].mean()
    assert abs(pixels[inside].mean() - original[inside].mean()) < 15


@pytest.mark.parametrize(("url", "status"), [
    ("/image/secret.jpg?src=" + SAMPLE, 404),
    ("/image/original.jpg?src=../../etc/passwd", 404),
    ("/image/original.jpg", 404),
    (f"/image/noisy.jpg?src={SAMPLE}&mean=2&variance=0.1&seed=0", 400),
    (f"/image/noisy.jpg?src={SAMPLE}&mean=0&variance=nan&seed=0", 400),
    (f"/image/noisy.jpg?src={SAMPLE}&mean=0&variance=0.1&seed=1.5", 400),
    (f"/image/noisy.jpg?src={SAMPLE}&mean=0&variance=0.1", 400),
    (f"/image/original.jpg?src={SAMPLE}&sel=levels:red:original:9-1", 400),
])
def test_bad_requests_are_refused_plainly(app, url, status):
    response = app.server.test_client().get(url)
    assert response.status_code == status
    assert b"Traceback" not in response.data


@pytest.mark.parametrize("query", [
    "mean=0_1&variance=0.01&seed=0", "mean=0&variance=٠.٠٥&seed=0",
    "mean=0&variance=0.01&seed=１２", "mean=0&variance=0.01&seed=١٢",
])
def test_numbers_in_other_digits_are_refused(app, query):
    response = app.server.test_client().get(f"/image/noisy.jpg?src={SAMPLE}&{query}")
    assert response.status_code == 400
    assert "not a number" in response.get_data(as_text=True)
