"""Cached entry points of the artist page: the corpus index, loaded lazily, and views of it.

The colour-statistics index (:mod:`dashboard.data.corpus_index`) is loaded, or built for the files
that lack a stored entry, on the first call that needs it: once per process, under a lock, and
kept in the app's extension dict (never at import time). Only paintings count: the
scikit-image samples are left out.

Without any painting image, the index is read from the shipped snapshot of the paintings'
statistics (:mod:`dashboard.data.snapshot`): the same numbers, no pictures
(``PaintingIndex.images`` is False and every listed painting says so).

Every view is a function of small hashable arguments (space, statistic, artwork id, picked
colours) memoized with flask-caching; the index fingerprint (a hash of the indexed files'
SHA-256) is part of each key, so a rebuilt index never serves stale entries. Results are
plain numbers, strings and small arrays.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashboard.core import corpus_stats as cs
from dashboard.core.colours import earth_movers_distance, js_divergence_rows
from dashboard.core.distributions import cdf_from_pmf
from dashboard.core.vocabulary import PERIOD_PALETTE_SIZE, SHOWN_PALETTE_SIZE, SPACES
from dashboard.data import collections as cl
from dashboard.data.corpus import PERIOD_IDS, PERIOD_LABELS, PERIODS, Corpus
from dashboard.data.corpus_index import STAT_NAMES, CorpusIndex, load_or_build_index, stack_rows
from dashboard.data.snapshot import SnapshotError, read_snapshot, snapshot_path
from dashboard.server import context
from dashboard.server.cache import cache

VAN_GOGH = cl.VAN_GOGH
#: Key of the lazily built index in ``server.extensions["dashboard"]``.
HOLDER_KEY = "artist_index"
#: Most markers in the pooled 3D scatter: the fullest bins (the caption gives their share).
MAX_3D_MARKERS = 1500
#: Paintings listed per period as most and as least typical.
TYPICAL_PER_PERIOD = 3
SEARCH_RESULTS = 12
#: Axis of the Lab histogram holding lightness L*.
_LAB_L_AXIS = 0


@dataclass(frozen=True, eq=False)
class PaintingIndex:
    """The index restricted to paintings, with titles, and a fingerprint of its files."""

    index: CorpusIndex
    titles: tuple[str, ...]
    fingerprint: str
    #: Whether the images are here (False: read from the shipped snapshot).
    images: bool = True

    def __len__(self) -> int:
        return len(self.index)

    @functools.cached_property
    def as_collection(self) -> dict[str, Any]:
        """The paintings as a collection for the Collections view (computed once, as a
        collection's aggregates are when it is added)."""
        return _van_gogh_summary(self.index)


class IndexHolder:
    """One :class:`PaintingIndex` per process, built on first use under a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: PaintingIndex | None = None

    def get(self, corpus: Corpus, settings) -> PaintingIndex:
        """The paintings' index, loading or building it if this is the first call."""
        if self._index is not None:
            return self._index
        with self._lock:
            if self._index is None:
                self._index = _load_paintings(corpus, settings)
            return self._index


def _load_paintings(corpus: Corpus, settings) -> PaintingIndex:
    if not corpus.has_artworks():
        return _snapshot_paintings(corpus, settings)
    paintings = Corpus(corpus.catalogue_path, corpus.artworks_dir,
                       max_pixels=corpus.max_pixels, cache_size=0, include_samples=False)
    index = load_or_build_index(paintings, settings, progress=False)
    ids = [i for i, period in zip(index.ids, index.periods, strict=True) if period in PERIOD_IDS]
    index = index.select(ids)
    digest = hashlib.sha256("\n".join(f"{i} {s}" for i, s in zip(index.ids, index.sha256,
                                                                   strict=True)).encode())
    return PaintingIndex(index=index, titles=tuple(corpus.get(i).title for i in index.ids),
                         fingerprint=digest.hexdigest()[:16])


def _snapshot_paintings(corpus: Corpus, settings) -> PaintingIndex:
    """The paintings' index from the shipped snapshot (empty if there is none to read)."""
    try:
        index = read_snapshot(snapshot_path(settings), corpus)
    except SnapshotError:
        index = stack_rows([], [], max_side=settings.max_side)
    digest = hashlib.sha256("\n".join(["snapshot", *(f"{i} {s}" for i, s in zip(
        index.ids, index.sha256, strict=True))]).encode())
    return PaintingIndex(index=index, titles=tuple(corpus.get(i).title for i in index.ids),
                         fingerprint=digest.hexdigest()[:16], images=False)


def paintings() -> PaintingIndex | None:
    """The paintings' index (built on first use, or read from the snapshot when no image is
    present), or None when there is no painting to show."""
    extension = context.extension()
    holder = extension.setdefault(HOLDER_KEY, IndexHolder())
    result = holder.get(extension["corpus"], extension["settings"])
    return result if len(result) else None


def _current() -> PaintingIndex:
    result = paintings()
    if result is None:
        raise LookupError("no painting is indexed; see dashboard.data.corpus.CORPUS_HELP")
    return result


def is_indexed(artwork_id: str) -> bool:
    """Whether ``artwork_id`` is an indexed painting."""
    result = paintings()
    return result is not None and isinstance(artwork_id, str) and artwork_id in result.index


def _entry(data: PaintingIndex, row: int) -> dict[str, Any]:
    index = data.index
    entry = {"id": index.ids[row], "title": data.titles[row], "year": index.years[row],
             "period": index.periods[row], "image": data.images}
    if not data.images:  # shown in place of the picture
        used = index.palette_shares[row] > 0
        entry["swatches"] = [(cs.hex_colour(c), float(s)) for c, s in zip(
            index.palette_colours[row][used], index.palette_shares[row][used], strict=True)]
    return entry


def _bin_view(histogram: np.ndarray, space: str, bins: int) -> dict[str, Any]:
    shown = cs.top_bins(histogram, MAX_3D_MARKERS)
    return {
        "centres": cs.bin_centres(space, bins)[shown], "shares": histogram[shown],
        "colours": cs.bin_colours(space, bins)[shown], "bin_ids": shown,
        "occupied": int(np.count_nonzero(histogram)), "shown": int(shown.size),
        "shown_share": float(histogram[shown].sum()),
    }


def _check_space(space: str) -> str:
    if space not in SPACES:
        raise ValueError(f"space must be one of {', '.join(SPACES)}; got {space!r}")
    return space


# ----------------------------------------------------------------------------- the corpus

def corpus_view() -> dict[str, Any]:
    """Pooled per-channel PMF/CDF (3, 256), the spread across paintings and the palette."""
    return _corpus_view(_current().fingerprint)


@cache.memoize()
def _corpus_view(fingerprint: str) -> dict[str, Any]:
    data = _current()
    index = data.index
    pmf = cs.equal_weight_mean(index.pmfs)
    palette = cs.pooled_palette(cs.equal_weight_mean(index.histograms["rgb"]), index.bins,
                                n_colours=SHOWN_PALETTE_SIZE)
    years = [y for y in index.years if y is not None]
    return {
        "n": len(index), "years": (min(years), max(years)) if years else None,
        "pmf": pmf, "cdf": cdf_from_pmf(pmf), "band": cs.quantile_band(index.pmfs),
        "palette_colours": palette.colours, "palette_shares": palette.shares,
        "counts": {p: int(np.sum(index.period_mask(p))) for p in PERIOD_IDS},
    }


def corpus_colour_3d(space: str) -> dict[str, Any]:
    """Fullest bins of the pooled 3D histogram in ``space`` (capped at MAX_3D_MARKERS)."""
    return _corpus_colour_3d(_current().fingerprint, _check_space(space))


@cache.memoize()
def _corpus_colour_3d(fingerprint: str, space: str) -> dict[str, Any]:
    index = _current().index
    pooled = cs.equal_weight_mean(index.histograms[space])
    return {**_bin_view(pooled, space, index.bins), "bins": index.bins}


# ------------------------------------------------------------------------------ periods

def period_view() -> dict[str, Any]:
    """Per period with paintings: pooled PMFs, lightness distribution, palette, mean statistics."""
    return _period_view(_current().fingerprint)


@cache.memoize()
def _period_view(fingerprint: str) -> dict[str, Any]:
    index = _current().index
    periods = [p for p in PERIOD_IDS if index.period_mask(p).any()]
    pmfs = cs.group_means(index.pmfs, index.periods, periods)
    rgb = cs.group_means(index.histograms["rgb"], index.periods, periods)
    lab = cs.group_means(index.histograms["lab"], index.periods, periods)
    palettes = [cs.pooled_palette(rgb[p], index.bins, n_colours=PERIOD_PALETTE_SIZE)
                for p in periods]
    years = {p.id: p.years for p in PERIODS}
    return {
        "periods": periods, "labels": [PERIOD_LABELS[p] for p in periods],
        "years": [years[p] for p in periods],
        "counts": [int(index.period_mask(p).sum()) for p in periods],
        "pmfs": np.stack([pmfs[p] for p in periods]),
        "lightness": np.stack([cs.marginal(lab[p], index.bins, _LAB_L_AXIS) for p in periods]),
        "lightness_edges": np.linspace(0.0, 100.0, index.bins + 1),
        "palette_colours": [pal.colours for pal in palettes],
        "palette_shares": [pal.shares for pal in palettes],
        "stat_names": STAT_NAMES,
        "stat_means": np.stack([index.stats[index.period_mask(p)].mean(axis=0)
                                for p in periods]),
    }


def timeline_view(stat: str) -> dict[str, Any]:
    """One value of ``stat`` per painting, and the mean per year."""
    if stat not in STAT_NAMES:
        raise ValueError(f"stat must be one of {', '.join(STAT_NAMES)}; got {stat!r}")
    return _timeline_view(_current().fingerprint, stat)


@cache.memoize()
def _timeline_view(fingerprint: str, stat: str) -> dict[str, Any]:
    data = _current()
    index = data.index
    dated = [i for i, y in enumerate(index.years) if y is not None]
    values = index.stat(stat)[dated]
    years = [index.years[i] for i in dated]
    yearly, means, counts = cs.group_value_means(values, years)
    return {
        "ids": [index.ids[i] for i in dated], "titles": [data.titles[i] for i in dated],
        "years": years, "periods": [index.periods[i] for i in dated], "values": values,
        "labels": {p: PERIOD_LABELS[p] for p in PERIOD_IDS},
        "yearly_years": yearly, "yearly_means": means, "yearly_counts": counts,
    }


# ------------------------------------------------------------------ one painting vs the rest

def painting_view(artwork_id: str, space: str) -> dict[str, Any] | None:
    """The painting against the other paintings of its period and of the corpus, or None
    if it is not indexed."""
    if not is_indexed(artwork_id):
        return None
    return _painting_view(_current().fingerprint, artwork_id, _check_space(space))


@cache.memoize()
def _painting_view(fingerprint: str, artwork_id: str, space: str) -> dict[str, Any]:
    data = _current()
    index = data.index
    row = index.position(artwork_id)
    period = index.periods[row]
    everyone = ["corpus"] * len(index)
    pmf_period = cs.leave_one_out_means(index.pmfs, index.periods)[row]
    pmf_corpus = cs.leave_one_out_means(index.pmfs, everyone)[row]
    hist = index.histograms[space]
    hist_period = cs.leave_one_out_means(hist, index.periods)[row]
    hist_corpus = cs.leave_one_out_means(hist, everyone)[row]
    own = index.pmfs[row:row + 1]
    typical = cs.typicality(hist, index.periods)
    peers = index.period_mask(period) & np.isfinite(typical)
    rank = (int(np.sum(typical[peers] < typical[row])) + 1, int(peers.sum())) \
        if np.isfinite(typical[row]) else None
    colours, shares = index.palette(artwork_id)
    rgb = index.histograms["rgb"]
    palettes = {}
    for name, pooled in (("period", cs.leave_one_out_means(rgb, index.periods)[row]),
                         ("corpus", cs.leave_one_out_means(rgb, everyone)[row])):
        if np.all(np.isfinite(pooled)):
            palette = cs.pooled_palette(pooled, index.bins, n_colours=PERIOD_PALETTE_SIZE)
            palettes[name] = (palette.colours, palette.shares)
    return {
        **_entry(data, row), "period_label": PERIOD_LABELS[period],
        "n_period_others": int(index.period_mask(period).sum()) - 1,
        "n_corpus_others": len(index) - 1,
        "pmf": index.pmfs[row], "pmf_period": pmf_period, "pmf_corpus": pmf_corpus,
        "js_period": float(js_divergence_rows(hist[row:row + 1], hist_period)[0]),
        "js_corpus": float(js_divergence_rows(hist[row:row + 1], hist_corpus)[0]),
        "emd_period": earth_movers_distance(own, pmf_period)[0],
        "emd_corpus": earth_movers_distance(own, pmf_corpus)[0],
        "palette_colours": colours, "palette_shares": shares, "palettes": palettes,
        "stats": index.stats_of(artwork_id), "typicality_rank": rank,
    }


def typical_view(space: str) -> dict[str, Any]:
    """Per period, the most and least typical paintings by JS divergence from the others."""
    return _typical_view(_current().fingerprint, _check_space(space))


@cache.memoize()
def _typical_view(fingerprint: str, space: str) -> dict[str, Any]:
    data = _current()
    index = data.index
    distances = cs.typicality(index.histograms[space], index.periods)
    ranking = cs.rank_typical(distances, index.periods, PERIOD_IDS, TYPICAL_PER_PERIOD)

    def listed(rows: list[int]) -> list[dict[str, Any]]:
        return [{**_entry(data, r), "distance": float(distances[r])} for r in rows]

    return {
        "space": space,
        "periods": [{"period": p, "label": PERIOD_LABELS[p],
                     "count": int(index.period_mask(p).sum()),
                     "most": listed(most), "least": listed(least)}
                    for p, (most, least) in ranking.items()],
        "distances": {index.ids[i]: float(d) for i, d in enumerate(distances)},
    }


# ---------------------------------------------------------------------------- by colour

def search_distance_space(space: str) -> str:
    """Where find by colour measures ΔE for the page's colour space: CIELAB when CIE Lab is
    chosen, Oklab otherwise."""
    return "lab" if space == "lab" else "oklab"


def search_view(colours: tuple[str, ...], space: str = "oklab") -> list[dict[str, Any]]:
    """Paintings whose palettes hold ``colours`` (hex strings) most closely, best first, by ΔE
    in ``search_distance_space(space)``."""
    colours = tuple(cs.hex_colour(cs.parse_hex_colour(c)) for c in colours)
    if not colours:
        return []
    return _search_view(_current().fingerprint, colours,
                        search_distance_space(_check_space(space)))


@cache.memoize()
def _search_view(fingerprint: str, colours: tuple[str, ...],
                 space: str) -> list[dict[str, Any]]:
    data = _current()
    index = data.index
    targets = np.array([cs.parse_hex_colour(c) for c in colours])
    matches = cs.colour_search(targets, index.palette_colours, index.palette_shares,
                               space=space)
    results = []
    for row in matches.ranking()[:SEARCH_RESULTS].tolist():
        if not np.isfinite(matches.distance[row]):
            break
        found = []
        for j, target in enumerate(colours):
            slot = int(matches.slot[row, j])
            found.append({"target": target,
                          "match": cs.hex_colour(index.palette_colours[row, slot]),
                          "delta_e": float(matches.delta_e[row, j]),
                          "share": float(matches.share[row, j])})
        results.append({**_entry(data, row), "distance": float(matches.distance[row]),
                        "space": space,
                        "matches": found})
    return results


# ------------------------------------------------------------------------ collections

def collection_options(n_paintings: int) -> list[dict[str, str]]:
    """The collections one can compare: Van Gogh (when it has paintings: ``n_paintings``,
    so the index is not built for a menu) and every registered one."""
    settings = context.extension()["settings"]
    options = []
    if n_paintings:
        options.append({"label": f"Van Gogh ({n_paintings} paintings)", "value": cl.VAN_GOGH})
    for name in cl.list_collections(settings):
        options.append({"label": name, "value": name})
    return options


def registered_collections() -> list[str]:
    """Names of the registered collections (Van Gogh not included)."""
    return cl.list_collections(context.extension()["settings"])


def _collection_version(name: str) -> str | None:
    """What keys a collection's cached views: its aggregates file's time and size."""
    if name == cl.VAN_GOGH:
        data = paintings()
        return None if data is None else data.fingerprint
    try:
        path = cl.collection_home(context.extension()["settings"], name) / cl.AGGREGATES_FILE
        stat = path.stat()
    except (cl.CollectionError, OSError):
        return None
    return f"{stat.st_mtime_ns}-{stat.st_size}"


def collection_summary(name: str) -> dict[str, Any] | None:
    """Pooled PMF and histograms (every space) of a collection, and the same per group
    (periods for Van Gogh); None if there is no such collection."""
    version = _collection_version(name)
    return None if version is None else _collection_summary(name, version)


def _collection_summary(name: str, version: str) -> dict[str, Any]:
    return _current().as_collection if name == cl.VAN_GOGH else _stored_summary(name, version)


@cache.memoize()
def _stored_summary(name: str, version: str) -> dict[str, Any]:
    # Everything here is read from the collection's stored aggregates (palettes, group order
    # and per-year sums included): a view never reads its rows or its list of images.
    aggregates = cl.load_aggregates(context.extension()["settings"], name, pixel_counts=False,
                                    histograms="whole")
    groups = []
    for group in aggregates.groups:
        key = f"group:{group}"
        colours, shares = aggregates.palette(key)
        groups.append({"label": group, "count": int(aggregates.count[aggregates.row(key)]),
                       "colours": colours, "shares": shares})
    years, counts, means = aggregates.years()
    return {"name": name, "label": name, "n": int(aggregates.count[aggregates.row(cl.ALL)]),
            "unit": "images", "pmf": aggregates.pmf(),
            "histograms": {s: aggregates.histogram(s) for s in SPACES},
            "palette": aggregates.palette(cl.ALL), "groups": groups,
            "years": {"years": years, "counts": counts, "means": means}}


def _palette_of(rgb_histogram, bins: int) -> tuple[np.ndarray, np.ndarray]:
    palette = cs.pooled_palette(rgb_histogram, bins, n_colours=PERIOD_PALETTE_SIZE)
    return palette.colours, palette.shares


def _van_gogh_summary(index: CorpusIndex) -> dict[str, Any]:
    """The Van Gogh corpus as a collection: its periods as groups, its dated paintings by
    year (each painting equally)."""
    groups = []
    for period in (p for p in PERIOD_IDS if index.period_mask(p).any()):
        mask = index.period_mask(period)
        colours, shares = _palette_of(cs.equal_weight_mean(index.histograms["rgb"], mask),
                                      index.bins)
        groups.append({"label": PERIOD_LABELS[period], "count": int(mask.sum()),
                       "colours": colours, "shares": shares})
    histograms = {s: cs.equal_weight_mean(index.histograms[s]) for s in SPACES}
    dated = [i for i, y in enumerate(index.years) if y is not None]
    dated_years = [index.years[i] for i in dated]
    years = sorted(set(dated_years))
    counts = np.array([dated_years.count(y) for y in years], dtype=np.int64)
    means = np.full((len(years), len(STAT_NAMES)), np.nan)
    for column, stat in enumerate(STAT_NAMES):
        found, stat_means, _ = cs.group_value_means(index.stat(stat)[dated], dated_years)
        for year, mean in zip(found, stat_means, strict=True):
            means[years.index(year), column] = mean
    return {"name": cl.VAN_GOGH, "label": "Van Gogh", "n": len(index), "unit": "paintings",
            "pmf": cs.equal_weight_mean(index.pmfs), "histograms": histograms,
            "palette": _palette_of(histograms["rgb"], index.bins), "groups": groups,
            "years": {"years": years, "counts": counts, "means": means}}


def compare_key(left: str, right: str) -> str | None:
    """What the Collections view draws for ``left`` against ``right`` (names and the data's
    versions: equal keys, equal figures and palettes); None if either is unknown."""
    versions = (_collection_version(left), _collection_version(right))
    return None if None in versions else f"{left}@{versions[0]}|{right}@{versions[1]}"


def compare_years(left: str, right: str) -> dict[str, Any] | None:
    """The two collections' dated images per year (``labels`` and ``years``: per side,
    ``years``, ``counts`` and the mean of each statistic, ``means``); None if either is
    unknown."""
    versions = (_collection_version(left), _collection_version(right))
    if None in versions:
        return None
    sides = [_collection_summary(left, versions[0]), _collection_summary(right, versions[1])]
    return {"labels": [s["label"] for s in sides], "years": [s["years"] for s in sides]}


#: Groups whose palettes are shown per collection (the largest first beyond this).
COMPARE_GROUPS = 8


def compare_view(left: str, right: str, space: str) -> dict[str, Any] | None:
    """Two collections side by side: pooled PMFs and lightness, palettes (whole and per
    group), the divergences between them, and each one's dated images per year (counts and
    the mean of every statistic: ``years``); None if either is unknown."""
    space = _check_space(space)
    versions = (_collection_version(left), _collection_version(right))
    if None in versions:
        return None
    return _compare_view(left, versions[0], right, versions[1], space)


@cache.memoize()
def _compare_view(left: str, left_version: str, right: str, right_version: str,
                  space: str) -> dict[str, Any]:
    sides = [_collection_summary(left, left_version), _collection_summary(right, right_version)]
    bins = round(len(sides[0]["histograms"]["rgb"]) ** (1 / 3))
    palettes = []
    for side in sides:
        rows = [(f"{side['label']}: all {side['n']}", *side["palette"])]
        largest = sorted(side["groups"], key=lambda g: -g["count"])[:COMPARE_GROUPS]
        rows += [(f"{side['label']}: {g['label']} ({g['count']})", g["colours"], g["shares"])
                 for g in side["groups"] if any(g is big for big in largest)]
        palettes.append(rows)
    histograms = [side["histograms"][space] for side in sides]
    pmfs = [side["pmf"] for side in sides]
    lab = [side["histograms"]["lab"] for side in sides]
    return {
        "names": [left, right], "labels": [s["label"] for s in sides],
        "counts": [s["n"] for s in sides], "units": [s["unit"] for s in sides],
        "groups": [[(g["label"], g["count"]) for g in s["groups"]] for s in sides],
        "pmfs": np.stack(pmfs),
        "lightness": np.stack([cs.marginal(h, bins, _LAB_L_AXIS) for h in lab]),
        "lightness_edges": np.linspace(0.0, 100.0, bins + 1),
        "js": float(js_divergence_rows(histograms[0][None], histograms[1][None])[0]),
        "emd": earth_movers_distance(pmfs[0][None], pmfs[1])[0],
        "palettes": palettes, "space": space,
        "years": [side["years"] for side in sides],
    }
