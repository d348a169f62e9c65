"""What every page's services reach through the running app: its settings, corpus and image
store (bound once by the app factory), and memoization keyed on an image's version."""

from __future__ import annotations

import functools
import inspect
from typing import Any

from flask import Flask, current_app

from dashboard.config import Settings
from dashboard.data.corpus import Corpus
from dashboard.data.image_store import ImageStore
from dashboard.server.cache import cache

EXTENSION_KEY = "dashboard"


def bind(server: Flask, settings: Settings, corpus: Corpus, store: ImageStore) -> None:
    """Attach ``settings``, ``corpus`` and ``store`` to ``server`` for :func:`extension`."""
    server.extensions[EXTENSION_KEY] = {"settings": settings, "corpus": corpus, "store": store}


def extension() -> dict[str, Any]:
    """The current app's shared objects (pages may keep their own entries here too)."""
    return current_app.extensions[EXTENSION_KEY]


def store() -> ImageStore:
    """This app's image store."""
    return extension()["store"]


def corpus() -> Corpus:
    """This app's corpus."""
    return extension()["corpus"]


def settings() -> Settings:
    """This app's settings."""
    return extension()["settings"]


def cached_per_image(function):
    """Memoize ``function(source, ...)`` in the shared cache, keyed on its arguments and on
    the version of the image (:meth:`ImageStore.version`): a replaced file or another analysis
    size never reads an old result."""
    signature = inspect.signature(function)

    def keyed(source, version, *args):
        return function(source, *args)

    # flask-caching names entries after the function: give each its own name.
    keyed.__module__, keyed.__qualname__ = function.__module__, function.__qualname__
    memoized = cache.memoize()(keyed)

    @functools.wraps(function)
    def cached(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        source, *rest = bound.args
        return memoized(source, store().version(source), *rest)

    cached.uncached = function
    return cached
