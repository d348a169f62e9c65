"""Settings, read from the environment in one place.

Precedence: an explicit argument to :func:`load_settings` beats an environment
variable, which beats the default. Nothing else in the package reads
``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"


class SettingsError(ValueError):
    """An environment variable or argument has a value the app cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything the app, the CLI and the workers need to know about their environment."""

    host: str = "127.0.0.1"
    port: int = 8050
    debug: bool = False
    #: Folder with the artwork JPEGs (``DASHBOARD_ARTWORKS_DIR``).
    artworks_dir: Path = DATA_DIR / "artworks"
    #: The catalogue of artworks (metadata only), committed in ``data/``.
    catalogue_path: Path = DATA_DIR / "catalogue.csv"
    #: Folder for the file-system cache, uploads and the corpus index when the
    #: artworks folder is read-only (``DASHBOARD_CACHE_DIR``).
    cache_dir: Path = REPO_ROOT / ".cache"
    #: ``redis://`` URL; when set, Redis is the shared cache (``REDIS_URL``).
    redis_url: str | None = None
    #: Upper bound on cached entries (``DASHBOARD_CACHE_MAX_ITEMS``).
    cache_max_items: int = 2000
    #: Upper bound on the file-system cache's bytes on disk (``DASHBOARD_CACHE_MAX_BYTES``).
    cache_max_bytes: int = 512 * 1024 * 1024
    #: Upper bound on the bytes of stored uploads (``DASHBOARD_UPLOADS_MAX_BYTES``).
    uploads_max_bytes: int = 256 * 1024 * 1024
    #: Seconds a cached result lives (``DASHBOARD_CACHE_TIMEOUT``).
    cache_timeout: int = 24 * 3600
    #: Largest accepted upload, bytes (``DASHBOARD_MAX_UPLOAD_BYTES``).
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Largest accepted image, pixels (``DASHBOARD_MAX_PIXELS``).
    max_pixels: int = 50_000_000
    #: Long side of the analysed image, pixels (``DASHBOARD_MAX_SIDE``).
    max_side: int = 1024
    #: Heavy computations allowed at once per worker (``DASHBOARD_MAX_HEAVY``).
    max_heavy_computations: int = 2
    #: gunicorn workers (``WEB_CONCURRENCY``).
    workers: int = 2

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded images are kept, named by the sha256 of their bytes."""
        return self.cache_dir / "uploads"


_ENV_NAMES: dict[str, str] = {
    "host": "HOST",
    "port": "PORT",
    "debug": "DASHBOARD_DEBUG",
    "artworks_dir": "DASHBOARD_ARTWORKS_DIR",
    "catalogue_path": "DASHBOARD_CATALOGUE",
    "cache_dir": "DASHBOARD_CACHE_DIR",
    "redis_url": "REDIS_URL",
    "cache_max_items": "DASHBOARD_CACHE_MAX_ITEMS",
    "cache_max_bytes": "DASHBOARD_CACHE_MAX_BYTES",
    "uploads_max_bytes": "DASHBOARD_UPLOADS_MAX_BYTES",
    "cache_timeout": "DASHBOARD_CACHE_TIMEOUT",
    "max_upload_bytes": "DASHBOARD_MAX_UPLOAD_BYTES",
    "max_pixels": "DASHBOARD_MAX_PIXELS",
    "max_side": "DASHBOARD_MAX_SIDE",
    "max_heavy_computations": "DASHBOARD_MAX_HEAVY",
    "workers": "WEB_CONCURRENCY",
}

_POSITIVE_INTS = {
    "cache_max_items",
    "cache_max_bytes",
    "uploads_max_bytes",
    "cache_timeout",
    "max_upload_bytes",
    "max_pixels",
    "max_side",
    "max_heavy_computations",
    "workers",
}


#: Native thread pools under numpy and scipy (OpenBLAS, OpenMP, MKL).
NATIVE_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_native_threads(environ: MutableMapping[str, str] = os.environ) -> None:
    """Give numpy's BLAS one thread unless the environment already chose a number.

    The server already runs a process per core and several request threads in each, so a
    second, BLAS-level pool per call only oversubscribes the cores: on a loaded 2-core machine
    the goodness-of-fit null of one slider position took 0.4-1.5 s with two BLAS threads
    and 0.05 s with one. It takes effect only before numpy is first imported, so the entry
    points (``python -m dashboard``, gunicorn.conf.py, the benchmarks) call it first.
    """
    for name in NATIVE_THREAD_VARIABLES:
        environ.setdefault(name, "1")


def env_name(field_name: str) -> str:
    """The environment variable that sets ``field_name``."""
    return _ENV_NAMES[field_name]


def _parse(name: str, raw: str) -> object:
    env = _ENV_NAMES[name]
    if name == "debug":
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise SettingsError(
            f"{env}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off")
    if name == "port" or name in _POSITIVE_INTS:
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{env}={raw!r} is not an integer") from None
        if name == "port" and not 1 <= value <= 65535:
            raise SettingsError(f"{env}={value} is not a TCP port (1..65535)")
        if name in _POSITIVE_INTS and value < 1:
            raise SettingsError(f"{env}={value} must be a positive integer")
        return value
    if name in {"artworks_dir", "catalogue_path", "cache_dir"}:
        return Path(raw).expanduser()
    if name == "redis_url":
        return raw.strip() or None
    return raw


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build :class:`Settings` from ``overrides`` > ``environ`` (default ``os.environ``) > defaults.

    Raises :class:`SettingsError` naming the variable and the bad value.
    """
    env = os.environ if environ is None else environ
    known = {f.name for f in fields(Settings)}
    unknown = set(overrides) - known
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    values: dict[str, object] = {}
    for name, variable in _ENV_NAMES.items():
        raw = env.get(variable)
        if raw is not None and raw != "":
            values[name] = _parse(name, raw)
    for name, value in overrides.items():
        if value is None and name != "redis_url":
            continue
        if name in _ENV_NAMES and value is not None:
            # Arguments are checked like environment values (e.g. a port out of range).
            value = _parse(name, value if isinstance(value, str) else str(value))
        values[name] = value
    return replace(Settings(), **values)
