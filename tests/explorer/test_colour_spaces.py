"""The 3D colour tab in every colour space: Oklab links, old links, and the served bin tables."""

from __future__ import annotations

from urllib.parse import parse_qsl

import numpy as np
import pytest
from skimage import data as skdata

from dashboard.core.colours import bin_edges
from dashboard.core.oklab import rgb_to_oklab
from dashboard.data.colour_tables import ColourTables
from dashboard.explorer import callbacks as cb
from dashboard.explorer import services
from dashboard.explorer.state import ViewState, parse_query
from dashboard.server.context import settings, store
from tests.support.apps import SAMPLE


def _parse(query: dict):
    return parse_query(query, is_known_source={"starry"}.__contains__, default_source="starry")


@pytest.mark.parametrize("space", ["oklab", "lab", "hsv", "rgb"])
def test_a_link_with_any_space_reproduces_the_view(space):
    state = ViewState(source="starry", view="colour3d", space=space, bins=24)
    query = dict(parse_qsl(state.to_query().lstrip("?")))
    assert query["space"] == space
    parsed, notices = _parse(query)
    assert parsed == state and notices == []


def test_oklab_figures_hold_the_oklab_histogram_of_every_pixel(app_context):
    state = ViewState(source=SAMPLE, view="colour3d", space="oklab", bins=8)
    original, _, palettes = cb.colour_outputs(state)
    pixels = rgb_to_oklab(skdata.astronaut()).reshape(-1, 3)
    counts, _ = np.histogramdd(pixels, bins=bin_edges("oklab", 8))
    shares = np.sort(counts[counts > 0])[::-1] / pixels.shape[0]
    np.testing.assert_allclose(np.sort(original.data[0].customdata[:, 1])[::-1], 100 * shares)
    assert original.layout.scene.xaxis.range == (0.0, 1.0)
    assert original.layout.scene.xaxis.title.text == "L (0–1)"
    assert "Original" in str(palettes)


def test_the_service_reads_the_bin_table_once_it_is_built(app_context):
    folder = settings().cache_dir / "colour-tables"
    assert ColourTables(folder, background=False, build_after=1).get("oklab", 16) is not None
    assert services._bin_table("oklab", 16) is not None  # mapped from the shared folder
    assert services._bin_table("rgb", 16) is None  # RGB needs none
    served = services.colour_view.uncached(SAMPLE, "original", None, None, None, "oklab", 16)
    pixels = rgb_to_oklab(store().rgb(SAMPLE)).reshape(-1, 3)
    counts, _ = np.histogramdd(pixels, bins=bin_edges("oklab", 16))
    np.testing.assert_allclose(np.sort(served["shares"])[::-1],
                               np.sort(counts[counts > 0])[::-1] / pixels.shape[0])
    # a highlight of one Oklab bin covers exactly that bin's pixels
    fullest = int(served["bin_ids"][0])
    summary = services.selection_summary.uncached(
        SAMPLE, f"bin:oklab:16:{fullest}:original", 0.0, 0.01, 0)
    assert summary["pixels"] == int(counts.ravel()[fullest])
