"""Cached entry points between the diffusion page (callbacks, routes) and the numeric core.

Every function takes small hashable values (source, schedule, steps, zero_snr, prior key, t,
seed) and returns plain numbers and small arrays. Two granularities:

* per ``(source, schedule, steps, zero_snr, prior)``: the curves over every step t
  (:func:`information`: KL, mutual information, expected denoiser MSE; :func:`correlation`),
  memoized by ``cached_per_image`` in the shared cache, so another worker reads them without
  computing them;
* per step ``(…, t, seed)``: :func:`step_view` (the marginal of ``x_t`` per channel, its
  moments and channel correlation) and :func:`denoiser_errors` (the per-channel denoiser's
  measured error), kept in this process: a slider move asks for new steps, and writing each
  to the shared cache cost more than computing the step view; and, only when asked,
  :func:`colour_denoiser_errors` (the 3D colour prior), in the shared cache.

The big arrays (``x_0`` and ``x_t`` on the data scale, the denoised images) stay in this
process, in a few small single-flight LRU maps kept in the app's extension dict: the denoised
picture's request and the errors callback of one slider move ask for the same denoiser at
once, and it runs once. The pictures of x_t and of the denoiser are chunked passes over the
image's levels and noise (:mod:`dashboard.core.diffusion_pixels`); only the 3D colour prior
keeps a float ``x_t``. ``prior`` arguments are *prior keys* (:func:`prior_key`): ``"painting"``, or
``"artist:<fingerprint>"`` naming the indexed corpus, so a rebuilt index never reads an old
result.
"""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import norm

from dashboard.core import diffusion, diffusion_colour, diffusion_pixels, diffusion_sample
from dashboard.core.corpus_stats import equal_weight_mean
from dashboard.core.diffusion_schedules import (
    SCHEDULES,
    alpha_bar,
    betas,
    log_snr,
)
from dashboard.core.distributions import channel_pmfs
from dashboard.core.vocabulary import CHANNELS
from dashboard.data.corpus import PERIOD_IDS, Corpus
from dashboard.data.corpus_index import load_or_build_index
from dashboard.data.files import encode_jpeg
from dashboard.data.image_store import SingleFlightLRU
from dashboard.diffusion.state import DiffusionState
from dashboard.figures.diffusion import CHANNEL_PAIRS
from dashboard.server import context
from dashboard.server.context import cached_per_image
from dashboard.server.hardening import heavy_slot

#: Tolerance (data-scale units) of the per-channel denoiser on a whole image: far below what
#: a JPEG or a plotted MSE can show, and about a hundred times faster than the exact sum.
DENOISER_TOLERANCE = 1e-9
#: Bins per axis of the 3D colour prior (occupied bins are its atoms).
COLOUR_BINS = diffusion_colour.DEFAULT_COLOUR_BINS
JPEG_QUALITY = 85
#: The pictures of the page, by the name their URL uses.
PICTURES = ("x0", "xt", "denoised", "colour-denoised", "structure-free")
#: A picture's sizes: every pixel, or every k-th pixel of every k-th row with the long side
#: kept at :data:`SCREEN_MIN_SIDE` or more (what a screen of one device pixel per CSS pixel
#: shows in the page's picture columns).
PICTURE_SIZES = ("full", "screen")
SCREEN_MIN_SIDE = 480
#: Histogram bins of the sampled ``x_t`` per channel (after the first step).
MARGINAL_BINS = 160
#: The marginal is drawn over ``sqrt(ab) [-1, 1]`` widened by this many noise deviations.
MARGINAL_REACH = 4.5
#: Fewest and most points of the exact density's grid; between them the points are a third
#: of the noise deviation apart (p_t has no detail finer than that once t > 0).
GRID_POINTS = (201, 1501)
#: Keys of this page's objects in the app's extension dict.
_MEMORY_KEY = "diffusion_memory"
_ARTIST_KEY = "diffusion_artist_prior"


class PriorUnavailableError(LookupError):
    """The artist prior was asked for on a server without the corpus it pools."""


# ---------------------------------------------------------------------- per-process memory

class _Memory:
    """The page's big arrays in one worker: a few recent ones of each kind, built once each
    (the image store's single-flight LRU maps)."""

    def __init__(self) -> None:
        self.clean = SingleFlightLRU(2)            # x_0 on the data scale, float64
        self.level_pmfs = SingleFlightLRU(4)       # per-channel level PMFs (3, 256)
        self.noisy = SingleFlightLRU(1)            # x_t, float64, of the latest step
        self.denoised = SingleFlightLRU(3)         # E[x_0 | x_t] per channel, as display levels
        self.colour_priors = SingleFlightLRU(2)    # ColourPrior of an image
        self.colour_denoised = SingleFlightLRU(2)  # E[x_0 | x_t] under the 3D colour prior
        self.noise_moments = SingleFlightLRU(4)    # NoiseMoments of an image and seed
        self.noise_ranges = SingleFlightLRU(4)     # least and greatest noise per channel
        self.sorted_noise = SingleFlightLRU(2)     # SortedNoise of an image, seed (~20 MB)
        self.steps = SingleFlightLRU(64)           # step_view of a step (~40 KB each)
        self.errors = SingleFlightLRU(1024)        # denoiser_errors of a step, (3,)


def _memory() -> _Memory:
    extension = context.extension()
    memory = extension.get(_MEMORY_KEY)
    return memory if memory is not None else extension.setdefault(_MEMORY_KEY, _Memory())


def _version(source: str) -> str:
    return context.store().version(source)


def _clean(source: str) -> np.ndarray:
    """``x_0 = 2 x / 255 - 1`` of the analysed image (H, W, 3), float64."""
    key = (source, _version(source))
    return _memory().clean.get(key, lambda: diffusion.to_data_scale(context.store().rgb(source)))


def alpha_bar_at(schedule: str, steps: int, zero_snr: bool, t: int) -> float:
    """``alpha_bar_t`` of one step of a schedule (a float in [0, 1])."""
    return float(alpha_bar(schedule, steps, zero_snr)[t])


def _noisy(source: str, schedule: str, steps: int, zero_snr: bool, t: int,
           seed: int) -> np.ndarray:
    """``x_t`` (H, W, 3) float64, real-valued: the seed's standard-normal field is the
    explorer's (the image store keeps it per seed), so moving t is arithmetic only."""
    key = (source, _version(source), schedule, steps, zero_snr, t, seed)

    def build() -> np.ndarray:
        field = context.store().analyser(source, seed).field
        return diffusion.forward_sample(_clean(source),
                                        alpha_bar_at(schedule, steps, zero_snr, t), field)

    return _memory().noisy.get(key, build)


def _noise_moments(source: str, seed: int) -> diffusion_sample.NoiseMoments:
    """Means and covariances of x_0 and the seed's noise: x_t's moments at any step."""
    key = (source, _version(source), seed)
    return _memory().noise_moments.get(key, lambda: diffusion_sample.noise_moments(
        context.store().rgb(source), context.store().analyser(source, seed).field))


def _sorted_noise(source: str, seed: int) -> diffusion_sample.SortedNoise:
    """The seed's noise grouped by level and sorted: x_t's histogram at any step."""
    key = (source, _version(source), seed)
    return _memory().sorted_noise.get(key, lambda: diffusion_sample.sorted_noise(
        context.store().rgb(source), context.store().analyser(source, seed).field))


def _noise_ranges(source: str, seed: int) -> tuple[tuple[float, float], ...]:
    """The least and greatest value of the seed's noise in each channel (the range of x_t at
    any step follows from them)."""
    key = (source, _version(source), seed)

    def build() -> tuple[tuple[float, float], ...]:
        field = context.store().analyser(source, seed).field
        return tuple((float(field[..., c].min()), float(field[..., c].max()))
                     for c in range(len(CHANNELS)))

    return _memory().noise_ranges.get(key, build)


@dataclass(frozen=True)
class _Denoised:
    """``E[x_0 | x_t]`` of every pixel as display levels (H, W, 3) uint8
    (:func:`diffusion.display_levels`), and its mean squared error against ``x_0`` per
    channel (3,), data-scale units."""

    levels: np.ndarray
    mse: np.ndarray


def _denoised(source: str, schedule: str, steps: int, zero_snr: bool, prior: str, t: int,
              seed: int) -> _Denoised:
    """The per-channel denoiser of every pixel, each channel under the prior's level PMF
    (within :data:`DENOISER_TOLERANCE`), with its measured error."""
    key = (source, _version(source), schedule, steps, zero_snr, prior, t, seed)

    def build() -> _Denoised:
        with heavy_slot():
            return _denoise(source, schedule, steps, zero_snr, prior, t, seed)

    return _memory().denoised.get(key, build)


def _denoise(source: str, schedule: str, steps: int, zero_snr: bool, prior: str, t: int,
             seed: int) -> _Denoised:
    """Build :func:`_denoised` (the caller holds a heavy-computation slot): a chunked pass per
    channel (:func:`diffusion_pixels.denoise_channel`), one after the other in this thread.

    One thread, not two or three: in threads the passes hand the interpreter lock over often,
    and two threads took about a quarter more CPU (52 against 41 ms on *The Starry Night*)
    to save about 10 ms when both cores are free. With the cores shared (other requests, or
    the browser on the same machine) the lower CPU wins: 135 against 142 ms per t move in
    paired moves in Chromium."""
    rgb = context.store().rgb(source)
    field = context.store().analyser(source, seed).field
    pmfs = prior_pmfs(source, prior)
    ranges = _noise_ranges(source, seed)
    ab = alpha_bar_at(schedule, steps, zero_snr, t)
    levels = np.empty(rgb.shape, dtype=np.uint8)
    mse = [diffusion_pixels.denoise_channel(rgb[..., c], field[..., c], pmfs[c], ab,
                                            DENOISER_TOLERANCE, eps_range=ranges[c],
                                            out=levels[..., c]).mse
           for c in range(len(CHANNELS))]
    return _Denoised(levels=levels, mse=np.array(mse))


def _colour_prior(source: str) -> diffusion_colour.ColourPrior:
    key = (source, _version(source), COLOUR_BINS)
    return _memory().colour_priors.get(key, lambda: diffusion_colour.colour_prior(
        context.store().rgb(source), bins=COLOUR_BINS))


def _colour_denoised(source: str, schedule: str, steps: int, zero_snr: bool, t: int,
                     seed: int) -> np.ndarray:
    """``E[x_0 | x_t]`` of every pixel under the painting's 3D colour prior."""
    key = (source, _version(source), schedule, steps, zero_snr, t, seed)
    return _memory().colour_denoised.get(key, lambda: diffusion_colour.colour_posterior_mean(
        _noisy(source, schedule, steps, zero_snr, t, seed), _colour_prior(source),
        alpha_bar_at(schedule, steps, zero_snr, t)))


# ------------------------------------------------------------------------------ the priors

@dataclass(frozen=True)
class ArtistPrior:
    """Per-channel level PMFs (3, 256) of every indexed painting pooled with equal weights."""

    pmfs: np.ndarray
    paintings: int
    #: A hash of the pooled files (ids and SHA-256): part of every cache key of this prior.
    fingerprint: str


class _ArtistPriorHolder:
    """One :class:`ArtistPrior` per process, built on first use under a lock (reading the
    corpus index, or building the entries it lacks)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built = False
        self._prior: ArtistPrior | None = None

    def get(self, corpus: Corpus, settings) -> ArtistPrior | None:
        with self._lock:
            if not self._built:
                self._prior = _pool_paintings(corpus, settings)
                self._built = True
            return self._prior


def _pool_paintings(corpus: Corpus, settings) -> ArtistPrior | None:
    paintings = Corpus(corpus.catalogue_path, corpus.artworks_dir, max_pixels=corpus.max_pixels,
                       cache_size=0, include_samples=False)
    # Not in a heavy slot: the first use of the prior may come from inside one (a cached
    # service), and the index is read, or built, once per process.
    index = load_or_build_index(paintings, settings, progress=False)
    rows = [i for i, period in enumerate(index.periods) if period in PERIOD_IDS]
    if not rows:
        return None
    files = "\n".join(f"{index.ids[i]} {index.sha256[i]}" for i in rows)
    return ArtistPrior(pmfs=equal_weight_mean(index.pmfs[rows]), paintings=len(rows),
                       fingerprint=hashlib.sha256(files.encode()).hexdigest()[:16])


def artist_prior_offered() -> bool:
    """Whether the page offers the artist prior: the corpus has paintings on this server.
    Cheap: the index is read only when the prior is first used."""
    return context.corpus().has_artworks()


def artist_prior() -> ArtistPrior | None:
    """The pooled PMFs of the corpus paintings (built on first use), or None without any."""
    extension = context.extension()
    if not extension["corpus"].has_artworks():
        return None
    holder = extension.setdefault(_ARTIST_KEY, _ArtistPriorHolder())
    return holder.get(extension["corpus"], extension["settings"])


def prior_key(prior: str) -> str:
    """The cache key of a prior by its name: ``"painting"``, or ``"artist:<fingerprint>"``.

    Raises :class:`PriorUnavailableError` for the artist prior without a corpus.
    """
    if prior == "painting":
        return "painting"
    if prior != "artist":
        raise ValueError(f"prior must be 'painting' or 'artist'; got {prior!r}")
    pooled = artist_prior()
    if pooled is None:
        raise PriorUnavailableError("The artist prior needs the Van Gogh corpus, which is not "
                                    "on this server.")
    return f"artist:{pooled.fingerprint}"


def prior_pmfs(source: str, key: str) -> np.ndarray:
    """Per-channel level PMFs (3, 256) of the prior named by ``key`` (see :func:`prior_key`)."""
    if key == "painting":
        return _memory().level_pmfs.get((source, _version(source)),
                                        lambda: channel_pmfs(context.store().rgb(source)))
    pooled = artist_prior()
    if pooled is None or key != f"artist:{pooled.fingerprint}":
        raise PriorUnavailableError("The artist prior has changed or is not on this server.")
    return pooled.pmfs


def keys_of(state: DiffusionState) -> tuple:
    """``(source, schedule, steps, zero_snr, prior key)``: the arguments of the curves."""
    return (state.source, *state.process, prior_key(state.prior))


# ------------------------------------------------------------------------- curves over t

def schedules(steps: int, zero_snr: bool) -> dict[str, dict[str, np.ndarray]]:
    """ᾱ_t and log SNR (T + 1 values each) and β_t (T values) of every schedule."""
    result: dict[str, dict[str, np.ndarray]] = {"alpha_bar": {}, "log_snr": {}, "beta": {}}
    for name in SCHEDULES:
        curve = alpha_bar(name, steps, zero_snr)
        result["alpha_bar"][name] = curve
        result["log_snr"][name] = log_snr(curve)
        result["beta"][name] = betas(name, steps, zero_snr)
    return result


@cached_per_image
def information(source: str, schedule: str, steps: int, zero_snr: bool,
                prior: str) -> dict[str, np.ndarray]:
    """KL(p_t ‖ N(0, 1)) in nats and I(x_0; x_t) in bits of this image's x_t (its own level
    PMFs: what the sample is drawn from, whatever the prior), and the expected MSE (data
    scale²) of the optimal denoiser under ``prior`` when x_0 follows it, per channel at every
    step: arrays (3, T + 1), exact at each step. As the ``diffusion`` command's JSON."""
    curve = alpha_bar(schedule, steps, zero_snr)
    if prior != "painting":
        # The image's own curves from the cache (or computed once, for both priors).
        own = information(source, schedule, steps, zero_snr, "painting")
        with heavy_slot():
            assumed = diffusion.information_curves(prior_pmfs(source, prior), curve)
        return {**own, "mse_expected": assumed.mse_expected}
    with heavy_slot():
        info = diffusion.information_curves(prior_pmfs(source, "painting"), curve)
    return {"alpha_bar": curve, "kl_nats": info.kl_nats,
            "mutual_information_bits": info.mutual_information_bits,
            "mse_expected": info.mse_expected}


def _pairs(matrices: np.ndarray) -> np.ndarray:
    """The channel pairs of ``CHANNEL_PAIRS`` from (..., 3, 3) correlation matrices: (3, ...)."""
    return np.stack([matrices[..., CHANNELS.index(a), CHANNELS.index(b)]
                     for a, b in CHANNEL_PAIRS])


@cached_per_image
def correlation(source: str, schedule: str, steps: int, zero_snr: bool) -> np.ndarray:
    """The channels' correlation ρ_t of x_t at every step in theory, from the painting's own
    channel covariance: (3 pairs in ``CHANNEL_PAIRS`` order, T + 1)."""
    with heavy_slot():
        covariance = diffusion.channel_covariance(context.store().rgb(source))
    return _pairs(diffusion.correlation_theory(covariance, alpha_bar(schedule, steps, zero_snr)))


# ------------------------------------------------------------------------------- one step

def _marginal(source: str, seed: int, pmfs: np.ndarray, ab: float) -> dict[str, np.ndarray]:
    """Histogram densities of the sampled x_t per channel and the exact density p_t on a grid.

    At t = 0 (ab = 1) x_t is x_0 itself, discrete: one bin per level, centred on it, and the
    exact "density" is each level's probability per bin width, on the same bins. Later, the
    histogram counts every pixel of x_t from the seed's sorted noise (no pass over the image).
    """
    if ab == 1.0:
        levels = context.store().rgb(source).reshape(-1, len(CHANNELS))
        width = 2.0 / 255.0
        edges = np.linspace(-1.0 - width / 2, 1.0 + width / 2, 257)
        counts = np.stack([np.bincount(levels[:, c], minlength=256) for c in range(3)])
        grid = np.linspace(-1.0, 1.0, 256)
        theory = pmfs / width
    else:
        a, s = math.sqrt(ab), math.sqrt(1.0 - ab)
        reach = a + MARGINAL_REACH * s
        edges = np.linspace(-reach, reach, MARGINAL_BINS + 1)
        counts = diffusion_sample.sample_histogram(_sorted_noise(source, seed), ab, edges)
        points = int(np.clip(math.ceil(2 * reach / (s / 3)) + 1, *GRID_POINTS))
        grid = np.linspace(-reach, reach, points)
        theory = np.stack([diffusion.marginal_density(grid, pmfs[c], ab) for c in range(3)])
        width = edges[1] - edges[0]
    pixels = int(counts[0].sum()) if ab == 1.0 else _sorted_noise(source, seed).pixels
    density = counts / (pixels * width)
    return {"x": grid, "density_theory": theory, "bin_edges": edges,
            "density_sample": density, "standard_normal": norm.pdf(grid)}


def step_view(source: str, schedule: str, steps: int, zero_snr: bool, t: int,
              seed: int) -> dict[str, Any]:
    """Everything of step t but the denoiser: ᾱ_t, the marginal of x_t per channel (sample
    histogram, exact density, N(0, 1)), its mean and variance in theory and in the sample,
    and the sample's channel correlation (3 pairs). Shared by the callers: read it only.
    The theory is that of the image's own levels, which the sample is drawn from; the prior
    changes only the denoiser.

    The sample's statistics are those of every pixel of x_t, from sums and sorted noise kept
    per image and seed (:mod:`dashboard.core.diffusion_sample`): x_t itself is not needed.
    """
    key = (source, _version(source), schedule, steps, zero_snr, t, seed)
    return _memory().steps.get(key, lambda: _step_view(source, schedule, steps, zero_snr,
                                                       t, seed))


def _step_view(source: str, schedule: str, steps: int, zero_snr: bool, t: int,
               seed: int) -> dict[str, Any]:
    ab = alpha_bar_at(schedule, steps, zero_snr, t)
    with heavy_slot():
        pmfs = prior_pmfs(source, "painting")
        marginal = _marginal(source, seed, pmfs, ab)
        moments = [diffusion.marginal_moments(pmfs[c], ab) for c in range(3)]
        mean, covariance = diffusion_sample.sample_moments(_noise_moments(source, seed), ab)
    return {
        "alpha_bar": ab,
        "marginal": marginal,
        "mean_theory": np.array([m[0] for m in moments]),
        "variance_theory": np.array([m[1] for m in moments]),
        "mean_sample": mean,
        "variance_sample": np.diag(covariance).copy(),
        "correlation_sample": _pairs(diffusion_sample.correlation_from_covariance(covariance)),
    }


def _mean_squared(error: np.ndarray) -> np.ndarray:
    """Mean of the squares per channel (last axis) of an (..., 3) array, in one pass."""
    flat = error.reshape(-1, 3)
    return np.einsum("ij,ij->j", flat, flat) / flat.shape[0]


def denoiser_errors(source: str, schedule: str, steps: int, zero_snr: bool, prior: str,
                    t: int, seed: int) -> np.ndarray:
    """Mean squared error (data scale²) of the per-channel denoiser on this image at step t,
    per channel (3,): measured against x_0, to set beside the expected MSE."""
    key = (source, _version(source), schedule, steps, zero_snr, prior, t, seed)

    def measure() -> np.ndarray:
        # No slot held here: this may only wait for the picture request's denoiser, which
        # takes a slot while it computes (a waiting slot would hold up other work).
        return _denoised(source, schedule, steps, zero_snr, prior, t, seed).mse

    return _memory().errors.get(key, measure).copy()


@cached_per_image
def colour_denoiser_errors(source: str, schedule: str, steps: int, zero_snr: bool, t: int,
                           seed: int) -> dict[str, Any]:
    """The 3D colour prior's denoiser at step t: its measured MSE per channel (3,), their
    mean, and the number of occupied colour bins (the prior's atoms)."""
    with heavy_slot():
        mse = _mean_squared(_colour_denoised(source, schedule, steps, zero_snr, t, seed)
                            - _clean(source))
        atoms = _colour_prior(source).size
    return {"mse_sample": mse, "mse_mean": float(mse.mean()), "atoms": atoms,
            "bins": COLOUR_BINS}


# ------------------------------------------------------------------------------- pictures

def screen_stride(shape: tuple[int, ...]) -> int:
    """Every how many pixels a ``"screen"`` picture of an image of ``shape`` keeps: the
    largest k that leaves the long side at :data:`SCREEN_MIN_SIDE` pixels or more (1 for
    smaller images)."""
    return max(1, max(shape[:2]) // SCREEN_MIN_SIDE)


def picture_jpeg(kind: str, state: DiffusionState, size: str = "full") -> bytes:
    """JPEG bytes of one picture of ``state`` (``kind`` in :data:`PICTURES`), at ``size``
    (:data:`PICTURE_SIZES`).

    ``x_t`` and the denoised images are mapped back to levels 0..255 with clipping, for
    display only. At ``"screen"`` size a picture keeps every k-th pixel of every k-th row
    (:func:`screen_stride`), each exactly the full picture's: nothing is averaged, so the
    noise in x_t looks as strong as it is (an average of k² pixels would shrink it k times).
    Kept in this process only (the image store's recent pictures): browsers cache each by
    its URL, which names everything it depends on.
    """
    if kind not in PICTURES:
        raise ValueError(f"picture must be one of {', '.join(PICTURES)}; got {kind!r}")
    if size not in PICTURE_SIZES:
        raise ValueError(f"size must be one of {', '.join(PICTURE_SIZES)}; got {size!r}")
    source, (schedule, steps, zero_snr), t, seed = state.source, state.process, state.t, state.seed
    prior = prior_key(state.prior) if kind == "denoised" else None
    depends = {
        "x0": (),
        "structure-free": (seed,),
        "xt": (schedule, steps, zero_snr, t, seed),
        "denoised": (schedule, steps, zero_snr, prior, t, seed),
        "colour-denoised": (schedule, steps, zero_snr, t, seed),
    }[kind]

    rgb = context.store().rgb(source)
    k = screen_stride(rgb.shape) if size == "screen" else 1

    def encode() -> bytes:
        if kind == "denoised":  # its denoiser takes a slot only while it computes
            levels = _denoised(source, schedule, steps, zero_snr, prior, t, seed).levels
            with heavy_slot():
                return encode_jpeg(np.ascontiguousarray(levels[::k, ::k]), quality=JPEG_QUALITY)
        with heavy_slot():
            if kind == "x0":
                levels = rgb[::k, ::k]
            elif kind == "structure-free":
                levels = diffusion_colour.structure_free_sample(rgb, seed)[::k, ::k]
            elif kind == "xt":  # only the pixels shown
                field = context.store().analyser(source, seed).field
                levels = diffusion_pixels.noisy_levels(
                    rgb[::k, ::k], field[::k, ::k], alpha_bar_at(schedule, steps, zero_snr, t))
            else:
                levels = diffusion.display_levels(
                    _colour_denoised(source, schedule, steps, zero_snr, t, seed)[::k, ::k])
            return encode_jpeg(np.ascontiguousarray(levels), quality=JPEG_QUALITY)

    # Keyed by the stride: a small image's screen picture is its full one.
    key = ("diffusion", source, _version(source), kind, k, *depends)
    return context.store().picture(key, encode)
