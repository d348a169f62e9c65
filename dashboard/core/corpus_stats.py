"""Colour distributions of a body of work: equal-weight pooling, typicality, search by colour.

The inputs are stacked per-painting statistics (see ``dashboard.data.corpus_index``): per-channel
PMFs ``(N, 3, 256)`` over levels 0..255 and flattened 3D colour histograms ``(N, bins**3)``,
each row normalised to sum 1 along its last axis.

**Equal weights.** A pooled distribution is the *mean of the per-painting distributions*,
so every painting counts the same however many pixels it has; it is not the histogram of
all pixels put together (which would let large canvases dominate).

**Typicality.** A painting's distance to a group is the Jensen-Shannon divergence (bits,
base 2, in [0, 1]) between its 3D histogram and the equal-weight mean of the *other*
paintings of the group (leave-one-out), so a painting is never compared with itself.

**Representative colours.** The stored histograms keep shares per bin, not the mean colour
of the pixels in each bin, so a bin is drawn in the colour of its centre converted to
sRGB (:func:`bin_colours`). In RGB with 16 bins per axis that is within 8 levels per
channel of any colour in the bin. A pooled palette entry is the share-weighted mean of the
centres of the bins it merges (:func:`pooled_palette`).

**Search by colour.** :func:`colour_search` ranks paintings by how well their palettes
contain the picked colours, by the Euclidean distance either in Oklab (ΔE_ok, the colour
difference of CSS Color 4; about 0.02 is just noticeable) or in CIELAB (the CIE 1976 ΔE*ab;
about 2.3 is just noticeable). Oklab's lightness runs 0..1 and CIELAB's 0..100, so a ΔE_ok is
roughly 1/100 of the ΔE*ab of the same pair of colours.

Examples
--------
>>> import numpy as np
>>> hists = np.array([[1.0, 0.0], [0.5, 0.5]])
>>> equal_weight_mean(hists).tolist()
[0.75, 0.25]
>>> [round(d, 3) for d in typicality(hists, ["a", "a"]).tolist()]
[0.311, 0.311]
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from skimage import color as skcolor

from dashboard.core.colours import bin_edges, greedy_palette, js_divergence_rows
from dashboard.core.distributions import pmf_from_counts
from dashboard.core.oklab import oklab_to_rgb, rgb_to_oklab
from dashboard.core.vocabulary import validate_choice, validate_int

#: Colour spaces :func:`colour_search` measures differences in: Oklab (ΔE_ok) and CIELAB
#: (ΔE76, ΔE*ab).
DISTANCE_SPACES: tuple[str, str] = ("oklab", "lab")
#: Extra cost, in ΔE units of the space, of a palette colour that covers none of the painting;
#: a colour covering share ``s`` of the pixels costs ``penalty * (1 - s)`` extra. So in CIELAB
#: an exact but marginal colour (5 % of the pixels, cost 19) still beats a dominant one 20 ΔE
#: away (40 %, cost 32), yet among equally near colours the more present one wins. Oklab's
#: penalty is the same on its scale (about 1/100 of ΔE*ab).
SHARE_PENALTIES: dict[str, float] = {"oklab": 0.2, "lab": 20.0}
#: The CIELAB penalty, in ΔE*ab units.
SHARE_PENALTY = SHARE_PENALTIES["lab"]
#: Most colours one search may ask for.
MAX_SEARCH_COLOURS = 3

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


# ---------------------------------------------------------------------------- checks


def _as_rows(values, name: str) -> np.ndarray:
    """Per-painting distributions (paintings first) as float64, each normalised to sum 1
    along the last axis."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim < 2 or array.shape[0] == 0 or array.shape[-1] == 0:
        raise ValueError(
            f"{name} must be a non-empty array of per-painting distributions with at least "
            f"2 axes (paintings first); got shape {array.shape}"
        )
    return pmf_from_counts(array, name)


def _as_groups(groups: Sequence[str], n: int) -> np.ndarray:
    labels = np.asarray(list(groups), dtype=object)
    if labels.shape != (n,):
        raise ValueError(f"groups must have one label per painting ({n}); got {labels.shape[0]}")
    return labels


# --------------------------------------------------------------------------- pooling


def equal_weight_mean(distributions, mask=None) -> np.ndarray:
    """Mean of the per-painting distributions (rows first), every painting weighted equally.

    Parameters
    ----------
    distributions : (N, ...) array
        One distribution per painting; each is normalised to sum 1 along the last axis.
    mask : (N,) bool array, optional
        Paintings to pool (default: all).

    Returns
    -------
    (...) float64 array, summing to 1 along the last axis.
    """
    rows = _as_rows(distributions, "distributions")
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (rows.shape[0],):
            raise ValueError(f"mask must have shape ({rows.shape[0]},); got {mask.shape}")
        if not mask.any():
            raise ValueError("mask selects no painting; pool at least one")
        rows = rows[mask]
    return rows.mean(axis=0)


def group_means(
    distributions, groups: Sequence[str], order: Sequence[str]
) -> dict[str, np.ndarray]:
    """Equal-weight mean per group, for the groups of ``order`` that have paintings, in order."""
    rows = _as_rows(distributions, "distributions")
    labels = _as_groups(groups, rows.shape[0])
    return {g: rows[labels == g].mean(axis=0) for g in order if np.any(labels == g)}


def leave_one_out_means(distributions, groups: Sequence[str]) -> np.ndarray:
    """For each painting, the equal-weight mean of the *other* paintings of its group.

    Returns an array shaped like ``distributions``; rows of paintings alone in their group
    are NaN.
    """
    rows = _as_rows(distributions, "distributions")
    labels = _as_groups(groups, rows.shape[0])
    out = np.full_like(rows, np.nan)
    for group in dict.fromkeys(labels.tolist()):
        members = labels == group
        count = int(members.sum())
        if count < 2:
            continue
        total = rows[members].sum(axis=0)
        out[members] = (total[None] - rows[members]) / (count - 1)
    return out


def quantile_band(distributions, quantiles: tuple[float, float] = (0.25, 0.75)) -> np.ndarray:
    """Per-cell quantiles across paintings, ``(2, ...)``: how far paintings spread around the
    mean."""
    lo, hi = quantiles
    if not 0.0 <= lo <= hi <= 1.0:
        raise ValueError(f"quantiles must satisfy 0 <= lo <= hi <= 1; got {quantiles!r}")
    rows = _as_rows(distributions, "distributions")
    return np.quantile(rows, [lo, hi], axis=0)


def marginal(histograms, bins: int, axis: int) -> np.ndarray:
    """Marginal on ``axis`` (0, 1 or 2) of flattened ``(..., bins**3)`` 3D histograms:
    ``(..., bins)``."""
    array = np.asarray(histograms, dtype=np.float64)
    if array.shape[-1] != bins**3:
        raise ValueError(f"histograms must have bins**3 = {bins**3} cells; got {array.shape[-1]}")
    if axis not in (0, 1, 2):
        raise ValueError(f"axis must be 0, 1 or 2; got {axis!r}")
    cube = array.reshape((*array.shape[:-1], bins, bins, bins))
    others = tuple(array.ndim - 1 + a for a in (0, 1, 2) if a != axis)
    return cube.sum(axis=others)


def group_value_means(values, keys: Sequence) -> tuple[list, np.ndarray, np.ndarray]:
    """Mean of ``values`` per distinct key (sorted), NaN values ignored:
    ``(keys, means, counts)``."""
    values = np.asarray(values, dtype=np.float64)
    keys = list(keys)
    if values.shape != (len(keys),):
        raise ValueError(f"values must have one entry per key ({len(keys)}); got {values.shape}")
    distinct = sorted(set(k for k, v in zip(keys, values, strict=True) if np.isfinite(v)))
    labels = np.asarray(keys, dtype=object)
    means, counts = [], []
    for key in distinct:
        chosen = values[(labels == key) & np.isfinite(values)]
        means.append(chosen.mean())
        counts.append(chosen.size)
    return distinct, np.asarray(means, dtype=np.float64), np.asarray(counts, dtype=np.int64)


# ------------------------------------------------------------------------ typicality


def typicality(histograms, groups: Sequence[str]) -> np.ndarray:
    """JS divergence (bits) of each painting from the other paintings of its group, ``(N,)``.

    NaN for a painting alone in its group. Smaller means more typical.
    """
    others = leave_one_out_means(histograms, groups)
    return js_divergence_rows(histograms, others)


def rank_typical(
    distances, groups: Sequence[str], order: Sequence[str], n: int = 3
) -> dict[str, tuple[list[int], list[int]]]:
    """Per group: row indices of the most typical (smallest distance first) and least typical
    (largest first) paintings, at most ``n`` of each and never the same painting twice.

    Paintings with a NaN distance are left out; groups without any are left out.
    """
    n = validate_int(n, "n", 1)
    distances = np.asarray(distances, dtype=np.float64)
    labels = _as_groups(groups, distances.shape[0])
    ranking: dict[str, tuple[list[int], list[int]]] = {}
    for group in order:
        rows = np.flatnonzero((labels == group) & np.isfinite(distances))
        if rows.size == 0:
            continue
        ranked = rows[np.argsort(distances[rows], kind="stable")].tolist()
        most = ranked[: min(n, (len(ranked) + 1) // 2)]
        rest = ranked[len(most):]
        least = rest[::-1][: min(n, len(rest))]
        ranking[group] = (most, least)
    return ranking


# ------------------------------------------------------------------------- colours


def bin_centres(space: str, bins: int) -> np.ndarray:
    """Centre of every bin of a 3D histogram, flat C order: ``(bins**3, 3)`` in ``space`` units."""
    edges = bin_edges(space, bins)
    mids = [(e[:-1] + e[1:]) / 2 for e in edges]
    grid = np.meshgrid(*mids, indexing="ij")
    return np.stack([g.ravel() for g in grid], axis=1)


def bin_colours(space: str, bins: int) -> np.ndarray:
    """sRGB colour of every bin centre, flat C order: ``(bins**3, 3)`` uint8 levels 0..255.

    HSV centres use ``skimage.color.hsv2rgb``; CIELAB centres ``lab2rgb`` (D65) and Oklab
    centres :func:`~dashboard.core.oklab.oklab_to_rgb`, clipped to the sRGB gamut (a bin on
    the gamut's edge may have its centre just outside it).
    """
    centres = bin_centres(space, bins)
    if space == "rgb":
        rgb = centres / 255.0
    elif space == "hsv":
        rgb = skcolor.hsv2rgb(centres)
    elif space == "oklab":
        rgb = oklab_to_rgb(centres)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "negative Z values clipped": out-of-gamut centres
            rgb = skcolor.lab2rgb(centres)
    return np.clip(np.rint(np.clip(rgb, 0.0, 1.0) * 255.0), 0, 255).astype(np.uint8)


def top_bins(histogram, limit: int) -> np.ndarray:
    """Flat indices of the occupied bins of one histogram, fullest first (ties by index), at most
    ``limit``."""
    shares = np.asarray(histogram, dtype=np.float64).ravel()
    limit = validate_int(limit, "limit", 1)
    occupied = np.flatnonzero(shares > 0)
    order = np.argsort(-shares[occupied], kind="stable")
    return occupied[order][:limit]


@dataclass(frozen=True)
class PooledPalette:
    """The most likely colours of a pooled histogram, largest share first.

    ``colours`` (k, 3) uint8 and ``mean_rgb`` (k, 3) float64 levels 0..255: share-weighted
    mean of the bin-centre colours merged into each entry; ``shares`` (k,) of the pooled
    distribution (sum <= 1).
    """

    colours: np.ndarray
    mean_rgb: np.ndarray
    shares: np.ndarray


def pooled_palette(
    rgb_histogram, bins: int, n_colours: int = 10, merge_radius: int = 1
) -> PooledPalette:
    """Palette of a pooled RGB histogram (flat, ``bins**3`` shares), as ``dominant_colours``
    makes one, by the same :func:`~dashboard.core.colours.greedy_palette`.

    The fullest bin not yet taken seeds an entry that takes every free bin within
    ``merge_radius`` bins (Chebyshev distance on bin indices), until ``n_colours`` entries.
    Each bin counts with the colour of its centre.
    """
    shares = np.asarray(rgb_histogram, dtype=np.float64).ravel()
    if shares.size != bins**3:
        raise ValueError(f"rgb_histogram must have bins**3 = {bins**3} cells; got {shares.size}")
    occupied = top_bins(shares, bins**3) if np.any(shares > 0) else np.zeros(0, dtype=np.intp)
    entry_shares, mean_rgb, _ = greedy_palette(
        np.stack(np.unravel_index(occupied, (bins,) * 3), axis=1),
        shares[occupied],
        bin_centres("rgb", bins)[occupied],
        bins=bins,
        n_colours=n_colours,
        merge_radius=merge_radius,
    )
    return PooledPalette(
        colours=np.clip(np.rint(mean_rgb), 0, 255).astype(np.uint8),
        mean_rgb=mean_rgb,
        shares=entry_shares,
    )


def parse_hex_colour(text: str) -> tuple[int, int, int]:
    """``"#e8b923"``, ``"e8b923"`` or ``"#fc0"`` -> RGB levels 0..255; ValueError otherwise."""
    match = _HEX.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"colour must be a hex colour like #e8b923 or #fc0; got {text!r}")
    digits = match[1]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def hex_colour(rgb) -> str:
    """RGB levels 0..255 -> ``"#rrggbb"``."""
    r, g, b = (int(v) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def rgb_to_lab(colours) -> np.ndarray:
    """uint8 sRGB colours ``(..., 3)`` -> CIE Lab (D65, 2°) ``(..., 3)`` float64."""
    return _levels_in(colours, "lab")


def _levels_in(colours, space: str) -> np.ndarray:
    """sRGB levels ``(..., 3)`` (clipped to 0..255) -> CIELAB or Oklab ``(..., 3)`` float64."""
    array = np.asarray(colours)
    if array.shape[-1:] != (3,):
        raise ValueError(
            f"colours must have 3 values (R, G, B) on the last axis; got shape {array.shape}"
        )
    levels = np.clip(array, 0, 255).astype(np.uint8)
    return rgb_to_oklab(levels) if space == "oklab" else skcolor.rgb2lab(levels)


@dataclass(frozen=True)
class ColourMatches:
    """Result of :func:`colour_search` for ``N`` paintings and ``J`` picked colours.

    ``distance`` (N,): mean over picked colours of the best cost, in ΔE units of ``space``
    (inf for a painting without palette). ``slot`` (N, J): palette slot of the best match
    (-1: none); ``delta_e`` (N, J) its ΔE (ΔE_ok in Oklab, ΔE*ab in CIELAB); ``share`` (N, J)
    its share of the painting's pixels.
    """

    distance: np.ndarray
    slot: np.ndarray
    delta_e: np.ndarray
    share: np.ndarray
    space: str = "lab"

    def ranking(self) -> np.ndarray:
        """Row indices, closest first (ties keep corpus order)."""
        return np.argsort(self.distance, kind="stable")


def colour_search(
    targets, palette_colours, palette_shares, share_penalty: float | None = None, *,
    space: str = "lab",
) -> ColourMatches:
    """Rank paintings by how closely their palettes hold the picked colours, in CIELAB or Oklab.

    For picked colour ``c`` and a painting's palette colours ``p_k`` covering shares ``s_k``
    of its pixels (unused slots have share 0 and are ignored), the cost of ``c`` is
    ``min_k [ΔE(c, p_k) + share_penalty * (1 - s_k)]``, ΔE the Euclidean distance in ``space``
    (ΔE76 in CIELAB, ΔE_ok in Oklab); the painting's distance is the mean cost over the
    picked colours (ΔE units of the space; lower is closer).

    Parameters
    ----------
    targets : (J, 3) uint8-like
        Picked sRGB colours, levels 0..255, 1 <= J <= ``MAX_SEARCH_COLOURS``.
    palette_colours : (N, P, 3) uint8
    palette_shares : (N, P) float
        Share of all pixels per palette colour (0 = unused slot).
    share_penalty : float, optional
        ΔE units added for a colour covering none of the painting (>= 0); by default
        ``SHARE_PENALTIES[space]`` (20 ΔE*ab, 0.2 ΔE_ok).
    space : {"lab", "oklab"}
        Where differences are measured (``DISTANCE_SPACES``).
    """
    space = validate_choice(space, "space", DISTANCE_SPACES)
    if share_penalty is None:
        share_penalty = SHARE_PENALTIES[space]
    targets = np.asarray(targets)
    shape_ok = targets.ndim == 2 and targets.shape[1] == 3
    if not shape_ok or not 1 <= targets.shape[0] <= MAX_SEARCH_COLOURS:
        raise ValueError(
            f"targets must be 1 to {MAX_SEARCH_COLOURS} RGB colours, shape (J, 3); "
            f"got shape {targets.shape}"
        )
    if np.any(targets < 0) or np.any(targets > 255):
        raise ValueError("targets must be RGB levels in 0..255")
    colours = np.asarray(palette_colours)
    shares = np.asarray(palette_shares, dtype=np.float64)
    if colours.ndim != 3 or colours.shape[2] != 3 or shares.shape != colours.shape[:2]:
        raise ValueError(
            "palette_colours must be (N, P, 3) and palette_shares (N, P); got "
            f"{colours.shape} and {shares.shape}"
        )
    if not (np.isfinite(share_penalty) and share_penalty >= 0):
        raise ValueError(f"share_penalty must be a finite number >= 0; got {share_penalty!r}")
    target_lab = _levels_in(targets, space)  # (J, 3)
    palette_lab = _levels_in(colours, space)  # (N, P, 3)
    delta = np.linalg.norm(palette_lab[:, None, :, :] - target_lab[None, :, None, :], axis=-1)
    cost = delta + share_penalty * (1.0 - shares[:, None, :])  # (N, J, P)
    cost = np.where((shares > 0)[:, None, :], cost, np.inf)
    has_palette = np.any(shares > 0, axis=1)
    slot = np.where(has_palette[:, None], np.argmin(cost, axis=-1), -1)
    best = np.take_along_axis(cost, np.maximum(slot, 0)[..., None], axis=-1)[..., 0]
    chosen_delta = np.take_along_axis(delta, np.maximum(slot, 0)[..., None], axis=-1)[..., 0]
    chosen_share = np.take_along_axis(
        np.broadcast_to(shares[:, None, :], cost.shape), np.maximum(slot, 0)[..., None], axis=-1
    )[..., 0]
    distance = np.where(has_palette, best.mean(axis=1), np.inf)
    chosen_delta = np.where(has_palette[:, None], chosen_delta, np.nan)
    chosen_share = np.where(has_palette[:, None], chosen_share, 0.0)
    return ColourMatches(distance=distance, slot=slot, delta_e=chosen_delta, share=chosen_share,
                         space=space)


__all__ = [
    "DISTANCE_SPACES",
    "MAX_SEARCH_COLOURS",
    "SHARE_PENALTIES",
    "SHARE_PENALTY",
    "ColourMatches",
    "PooledPalette",
    "bin_centres",
    "bin_colours",
    "colour_search",
    "equal_weight_mean",
    "group_means",
    "group_value_means",
    "hex_colour",
    "leave_one_out_means",
    "marginal",
    "parse_hex_colour",
    "pooled_palette",
    "quantile_band",
    "rank_typical",
    "rgb_to_lab",
    "top_bins",
    "typicality",
]
