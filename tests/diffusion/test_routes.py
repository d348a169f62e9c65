"""``/diffusion/image/<picture>.jpg``: JPEGs for valid links, 400 for a bad value, 404 for an
unknown image, and never a 500 whatever the query."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.app import create_app
from dashboard.diffusion.routes import PARAMETERS, image_url
from dashboard.diffusion.state import DiffusionState
from tests.support.apps import SAMPLE

PAINTING = "blue-night-1888"
STATE = DiffusionState(PAINTING, "cosine", 50, 12, True, 7, "artist")


@pytest.fixture
def tiny_client(tiny_corpus):
    """A test client of an app on the tiny generated corpus (small paintings: fast)."""
    return create_app(tiny_corpus.settings).server.test_client()


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def test_each_picture_url_names_what_the_picture_depends_on():
    assert image_url("x0", STATE) == f"/diffusion/image/x0.jpg?src={PAINTING}"
    assert query(image_url("structure-free", STATE)) == {"src": PAINTING, "seed": "7"}
    assert query(image_url("xt", STATE)) == {"src": PAINTING, "schedule": "cosine",
                                             "steps": "50", "zero_snr": "1", "t": "12",
                                             "seed": "7"}
    assert query(image_url("denoised", STATE)) == {**query(image_url("xt", STATE)),
                                                   "prior": "artist"}
    assert query(image_url("colour-denoised", STATE)) == query(image_url("xt", STATE))
    upload = DiffusionState("upload:" + "c" * 64)
    assert image_url("x0", upload) == "/diffusion/image/x0.jpg?src=upload:" + "c" * 64
    assert query(image_url("xt", STATE, "screen")) == {**query(image_url("xt", STATE)),
                                                       "size": "screen"}


@pytest.mark.parametrize("picture", sorted(PARAMETERS))
def test_every_picture_is_a_cacheable_jpeg(tiny_client, picture):
    response = tiny_client.get(image_url(picture, STATE))
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.data[:3] == b"\xff\xd8\xff"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert tiny_client.get(image_url(picture, STATE)).data == response.data


XT = "/diffusion/image/xt.jpg?src=blue-night-1888&schedule=linear&steps=100&zero_snr=0&t=5&seed=0"


def test_a_screen_sized_picture_is_served(tiny_client):
    response = tiny_client.get(XT + "&size=screen")
    assert response.status_code == 200 and response.data[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize(("change", "message"), [
    (("schedule", "quadratic"), "schedule must be one of"),
    (("steps", "1"), "steps must be a whole number in [2, 2000]"),
    (("steps", "abc"), "steps must be a whole number"),
    (("steps", "100.5"), "steps must be a whole number"),
    (("t", "101"), "t must be a whole number in [0, 100]"),
    (("t", "-1"), "t must be a whole number"),
    (("t", "nan"), "t must be a whole number"),
    (("zero_snr", "true"), "zero_snr must be one of 0, 1"),
    (("seed", "-3"), "seed must be a whole number"),
    (("seed", "1e99"), "seed must be a whole number"),
    (("seed", ""), "seed must be a whole number"),
    (("seed", "0&size=huge"), "size must be one of full, screen"),
])
def test_a_bad_value_is_refused_with_the_reason(tiny_client, change, message):
    name, value = change
    url = XT.replace(f"{name}={dict(parse_qsl(urlsplit(XT).query))[name]}", f"{name}={value}")
    response = tiny_client.get(url)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_missing_value_is_refused(tiny_client):
    response = tiny_client.get("/diffusion/image/xt.jpg?src=blue-night-1888&schedule=linear")
    assert response.status_code == 400
    response = tiny_client.get(image_url("denoised", DiffusionState(PAINTING)).replace(
        "&prior=painting", ""))
    assert response.status_code == 400 and "prior must be one of" in response.get_data(True)


@pytest.mark.parametrize("url", [
    "/diffusion/image/xt.jpg?src=no-such-painting&schedule=linear&steps=100&zero_snr=0&t=5&seed=0",
    "/diffusion/image/x0.jpg",
    "/diffusion/image/x0.jpg?src=yellow-wheat-1890",  # catalogued, file missing
    "/diffusion/image/x0.jpg?src=upload:" + "f" * 64,
    "/diffusion/image/x0.jpg?src=../../etc/passwd",
    "/diffusion/image/noisy.jpg?src=blue-night-1888",
])
def test_unknown_images_and_pictures_are_404(tiny_client, url):
    assert tiny_client.get(url).status_code == 404


def test_the_artist_prior_without_a_corpus_is_404(app):
    client = app.server.test_client()
    url = image_url("denoised", DiffusionState(SAMPLE, steps=20, t=3, prior="artist"))
    response = client.get(url)
    assert response.status_code == 404
    assert "corpus" in response.get_data(as_text=True)


VALUES = st.one_of(st.text(max_size=12), st.integers(-10, 3000).map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(str),
                   st.sampled_from(["linear", "cosine", "0", "1", "painting", "artist"]))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picture=st.sampled_from([*PARAMETERS, "other"]),
       params=st.dictionaries(st.sampled_from(["schedule", "steps", "zero_snr", "t", "seed",
                                               "prior", "x"]), VALUES, max_size=7))
def test_odd_queries_never_give_a_server_error(tiny_client, picture, params):
    response = tiny_client.get(f"/diffusion/image/{picture}.jpg",
                               query_string={"src": PAINTING, **params})
    assert response.status_code in (200, 400, 404)
