"""``/thumb/<artwork id>.jpg``: a small JPEG of a catalogued artwork, for lists of paintings.

The id is looked up in the catalogue (never turned into a path), so an unknown id, a missing
file or anything like ``../../etc/passwd`` is a 404. The bytes are cached (flask-caching,
keyed on the id and the file's modification time and size) and sent with
``Cache-Control: public``, so a browser fetches each thumbnail once.
"""

from __future__ import annotations

from flask import Flask, Response, abort

from dashboard.core.images import ImageError, load_image
from dashboard.data.corpus import UnknownArtworkError
from dashboard.data.files import encode_jpeg
from dashboard.server import context
from dashboard.server.cache import cache

#: Long side of a thumbnail, pixels.
THUMB_SIDE = 240
THUMB_QUALITY = 82
#: Seconds browsers and proxies may reuse a thumbnail (a day: a replaced file gets a new
#: cache entry on the server at once, and in browsers by the next day).
THUMB_MAX_AGE = 86400


def thumbnail_url(artwork_id: str) -> str:
    """The URL of the thumbnail of ``artwork_id``."""
    return f"/thumb/{artwork_id}.jpg"


@cache.memoize()
def thumbnail_jpeg(artwork_id: str, mtime_ns: int, size: int) -> bytes:
    """JPEG bytes of the artwork's image with its long side at most ``THUMB_SIDE`` pixels.

    ``mtime_ns`` and ``size`` (of the file) only key the cache, so a replaced file is
    encoded again.
    """
    corpus = context.corpus()
    pixels = load_image(corpus.path(artwork_id), max_side=THUMB_SIDE,
                        max_pixels=corpus.max_pixels).pixels
    return encode_jpeg(pixels, quality=THUMB_QUALITY)


def serve_thumbnail(artwork_id: str) -> Response:
    """Flask view: 404 unless ``artwork_id`` is catalogued and its file is present."""
    corpus = context.corpus()
    try:
        path = corpus.path(artwork_id)
        stat = path.stat()
    except (UnknownArtworkError, OSError):
        abort(404, "No such artwork, or its image is not on this server.")
    try:
        data = thumbnail_jpeg(artwork_id, stat.st_mtime_ns, stat.st_size)
    except ImageError:
        abort(404, "This artwork's image cannot be read.")
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = f"public, max-age={THUMB_MAX_AGE}"
    return response


def no_thumbnail(rest: str) -> Response:
    """Flask view for any other path under ``/thumb/``: a 404, not Dash's page shell."""
    abort(404, "Thumbnails are at /thumb/<artwork id>.jpg.")


def register_thumbnail_route(server: Flask) -> None:
    """Add ``/thumb/<artwork id>.jpg`` to ``server``; other paths under ``/thumb/`` are 404."""
    server.add_url_rule("/thumb/<artwork_id>.jpg", "dashboard_thumbnail", serve_thumbnail)
    server.add_url_rule("/thumb/<path:rest>", "dashboard_no_thumbnail", no_thumbnail)
