"""HTTP hardening for the Flask server under Dash: headers, body cap, /healthz, errors, load limit.

The app factory calls :func:`install` once on ``dash_app.server``. Services wrap
expensive computations in :func:`heavy_slot` so that one worker never runs more
than ``settings.max_heavy_computations`` of them at once.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dash.exceptions import DependencyException
from flask import Flask, Response, current_app, has_app_context, jsonify, request
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    NotFound,
    RequestEntityTooLarge,
)

from dashboard import __version__
from dashboard.config import Settings, env_name
from dashboard.server.cache import cache_status
from dashboard.server.http_headers import SECURITY_HEADERS

logger = logging.getLogger(__name__)


#: Bytes a request may carry beyond the base64-encoded upload: the Dash
#: callback JSON around it, the data-URL prefix, the file name.
REQUEST_OVERHEAD_BYTES = 1024 * 1024
#: Seconds a queued request waits for a heavy-computation slot before giving up with 503.
HEAVY_WAIT_SECONDS = 20.0
#: Requests that may queue for a slot, per slot; beyond that a heavy request is refused at once,
#: so that a worker's threads stay free for health checks, cached results and pictures.
HEAVY_QUEUE_PER_SLOT = 8
#: Requests that may always queue, per slot (a page's first requests come together). Beyond
#: them, up to :data:`HEAVY_QUEUE_PER_SLOT`, a request queues only if the wait it can expect
#: is within :data:`HEAVY_WAIT_BUDGET_SECONDS`, judged from how long recent computations held
#: their slot: short ones (slider moves) may queue deep, long ones only this far.
HEAVY_QUEUE_ALWAYS_PER_SLOT = 4
HEAVY_WAIT_BUDGET_SECONDS = 1.0
#: Weight of the newest hold in the running mean of hold times, and the mean to start from (s).
HOLD_SMOOTHING = 0.2
INITIAL_HOLD_SECONDS = 0.05
#: Seconds the browser is asked to wait before sending a refused request again.
RETRY_AFTER_SECONDS = 1
#: Seconds between two log lines about refused requests in one worker.
_REFUSAL_LOG_SECONDS = 10.0
_HEAVY_KEY = "dashboard.heavy_limiter"


def request_body_limit(max_upload_bytes: int) -> int:
    """Largest request body (bytes) that can carry an upload of ``max_upload_bytes``.

    Dash sends uploads base64-encoded inside callback JSON: 4 bytes per 3, plus
    :data:`REQUEST_OVERHEAD_BYTES`.
    """
    if max_upload_bytes < 1:
        raise ValueError(f"max_upload_bytes={max_upload_bytes!r} must be a positive byte count")
    return 4 * math.ceil(max_upload_bytes / 3) + REQUEST_OVERHEAD_BYTES


#: Dash's callback route: every server callback is a POST of a JSON body here.
CALLBACK_PATH = "/_dash-update-component"
#: Dash's hot-reload poll, served only in debug mode.
RELOAD_HASH_PATH = "/_reload-hash"
#: dcc.Location properties, which Dash's page router reads as text.
_TEXT_PROPERTIES = frozenset({"pathname", "search", "hash", "href"})


def callback_body_problem(body: object, callbacks: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Why ``body`` is not a callback request this app can run (a short sentence), or None.

    Dash's dispatcher trusts the shape of the body its renderer sends; a forged one (a JSON
    array, an unknown output, too few inputs, a garbled changed-property id) would fail inside
    Dash with a 500. This checks that shape against ``callbacks`` (``Dash.callback_map``).
    The values themselves are the callbacks' to clean.
    """
    if not isinstance(body, dict):
        return "the body is not a JSON object with the callback's output, inputs and state"
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        return "the body names no callback of this app"
    callback = callbacks[output]
    for field in ("inputs", "state"):
        items = body.get(field, [])
        expected = len(callback.get(field, ()))
        if not isinstance(items, list) or len(items) != expected:
            return f"'{field}' must list the callback's {expected} {field}"
        if not all(_is_dependency(item) or _is_dependency_list(item) for item in items):
            return f"'{field}' holds an item that is not {{id, property, value}}"
        for item in items:
            for one in item if isinstance(item, list) else [item]:
                if one["property"] in _TEXT_PROPERTIES and not isinstance(
                        one.get("value"), str | None):
                    return f"'{one['property']}' must be text"
    if not callback.get("no_output"):
        outputs = body.get("outputs")
        if output.startswith(".."):
            count = output.count("...") + 1
            if not isinstance(outputs, list) or len(outputs) != count:
                return f"'outputs' must list the callback's {count} outputs"
            items = outputs
        else:
            items = [outputs]
        if not all(_is_dependency(item) or _is_dependency_list(item) for item in items):
            return "'outputs' holds an item that is not {id, property}"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(_is_prop_id(item) for item in changed):
        return "'changedPropIds' must list 'id.property' strings"
    return None


def _is_dependency(item: object) -> bool:
    return (isinstance(item, dict) and isinstance(item.get("property"), str)
            and isinstance(item.get("id"), str | dict))


def _is_dependency_list(item: object) -> bool:
    # A pattern-matching (ALL, ALLSMALLER) input or output: a list of matched components.
    return isinstance(item, list) and all(_is_dependency(one) for one in item)


def _is_prop_id(item: object) -> bool:
    if not isinstance(item, str) or "." not in item:
        return False
    component, _, _ = item.rpartition(".")
    if not component.startswith("{"):
        return True
    try:
        return isinstance(json.loads(component), dict)
    except ValueError:
        return False


class ServerBusy(HTTPException):
    """503: every heavy-computation slot of this worker is taken and its queue is full (or
    stayed so for the whole wait)."""

    code = 503
    description = (
        "The server is busy with other image computations. Please try again in a few seconds."
    )

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [*super().get_headers(environ, scope), ("Retry-After", str(RETRY_AFTER_SECONDS))]


class HeavyLimiter:
    """At most ``slots`` heavy computations at once in this process, a bounded queue behind
    them, and an immediate refusal beyond it; re-entrant per thread.

    A request joins a queue shorter than ``min_waiting``; up to ``max_waiting`` it joins only
    if the wait it can expect, ``(queued + 1) * mean hold / slots``, is within
    :data:`HEAVY_WAIT_BUDGET_SECONDS`; the mean hold is a running mean of how long
    computations held their slot.

    Parameters
    ----------
    slots : int
        Computations allowed at once (``settings.max_heavy_computations``).
    wait_seconds : float
        How long a queued request waits for a free slot before :class:`ServerBusy`.
    max_waiting : int, optional
        Requests allowed to queue; one more is refused at once. Default
        ``HEAVY_QUEUE_PER_SLOT * slots``.
    min_waiting : int, optional
        Requests that may queue whatever the expected wait. Default
        ``HEAVY_QUEUE_ALWAYS_PER_SLOT * slots``, at most ``max_waiting``.
    """

    def __init__(self, slots: int, wait_seconds: float = HEAVY_WAIT_SECONDS,
                 max_waiting: int | None = None, min_waiting: int | None = None) -> None:
        if slots < 1:
            raise ValueError(f"slots={slots!r} must be a positive integer")
        if wait_seconds < 0:
            raise ValueError(f"wait_seconds={wait_seconds!r} must be >= 0 seconds")
        max_waiting = HEAVY_QUEUE_PER_SLOT * slots if max_waiting is None else max_waiting
        if max_waiting < 0:
            raise ValueError(f"max_waiting={max_waiting!r} must be >= 0 requests")
        min_waiting = (HEAVY_QUEUE_ALWAYS_PER_SLOT * slots if min_waiting is None
                       else min_waiting)
        if min_waiting < 0:
            raise ValueError(f"min_waiting={min_waiting!r} must be >= 0 requests")
        self.min_waiting = min(min_waiting, max_waiting)
        self.slots = slots
        self.wait_seconds = wait_seconds
        self.max_waiting = max_waiting
        self._semaphore = threading.BoundedSemaphore(slots)
        self._held = threading.local()
        self._lock = threading.Lock()
        self._busy = 0
        self._waiting = 0
        self.refused = 0
        self.mean_hold = INITIAL_HOLD_SECONDS
        self._refusals_logged = 0
        self._next_log = 0.0

    @property
    def busy(self) -> int:
        """Slots taken right now."""
        return self._busy

    @property
    def waiting(self) -> int:
        """Requests queued for a slot right now."""
        return self._waiting

    def observe_hold(self, seconds: float) -> None:
        """Count one computation that held its slot for ``seconds`` in the mean hold."""
        with self._lock:
            self.mean_hold += HOLD_SMOOTHING * (max(0.0, seconds) - self.mean_hold)

    def expected_wait(self) -> float:
        """Seconds a request joining the queue now can expect to wait for a slot."""
        return (self._waiting + 1) * self.mean_hold / self.slots

    def _acquire(self, wait: float) -> bool:
        if self._semaphore.acquire(blocking=False):
            return True
        with self._lock:
            if self._waiting >= self.max_waiting or (
                    self._waiting >= self.min_waiting
                    and self.expected_wait() > HEAVY_WAIT_BUDGET_SECONDS):
                return False
            self._waiting += 1
        try:
            return self._semaphore.acquire(timeout=wait)
        finally:
            with self._lock:
                self._waiting -= 1

    def _refuse(self) -> ServerBusy:
        now = time.monotonic()
        with self._lock:
            self.refused += 1
            due = now >= self._next_log
            if due:
                count, self._refusals_logged = self.refused - self._refusals_logged, self.refused
                self._next_log = now + _REFUSAL_LOG_SECONDS
        if due:
            logger.warning("all %d heavy-computation slots busy, %d queued: %d request(s) got "
                           "503 since the last such line", self.slots, self.max_waiting, count)
        return ServerBusy()

    @contextmanager
    def slot(self, wait_seconds: float | None = None) -> Iterator[None]:
        """Hold a slot for the ``with`` block; nested use in one thread takes only one."""
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        if not self._acquire(self.wait_seconds if wait_seconds is None else wait_seconds):
            raise self._refuse()
        with self._lock:
            self._busy += 1
        self._held.depth = 1
        started = time.monotonic()
        try:
            yield
        finally:
            self._held.depth = 0
            self.observe_hold(time.monotonic() - started)
            with self._lock:
                self._busy -= 1
            self._semaphore.release()


@contextmanager
def heavy_slot(wait_seconds: float | None = None) -> Iterator[None]:
    """Run the ``with`` block in one of this worker's heavy-computation slots.

    Uses the limiter :func:`install` put on the current Flask app; outside an app
    (CLI, benchmarks, unit tests) it limits nothing. Raises :class:`ServerBusy`
    (HTTP 503 with ``Retry-After``) when no slot frees up within the wait.
    """
    limiter = current_app.extensions.get(_HEAVY_KEY) if has_app_context() else None
    if limiter is None:
        yield
        return
    with limiter.slot(wait_seconds):
        yield


def install(
    server: Flask,
    settings: Settings,
    *,
    health_details: Callable[[], Mapping[str, Any]] | None = None,
    callbacks: Callable[[], Mapping[str, Mapping[str, Any]]] | None = None,
    heavy_wait_seconds: float = HEAVY_WAIT_SECONDS,
) -> None:
    """Add security headers, the body cap, ``/healthz``, error pages and the heavy limiter.

    ``health_details`` (optional) returns extra JSON-able fields for ``/healthz``,
    e.g. corpus availability; it must be cheap and must not raise. ``callbacks`` (optional)
    returns the Dash app's callback map: a callback body of another shape is then refused
    with 400 (:func:`callback_body_problem`) before Dash reads it.
    """
    limit = request_body_limit(settings.max_upload_bytes)
    server.config["MAX_CONTENT_LENGTH"] = limit
    server.extensions[_HEAVY_KEY] = HeavyLimiter(
        settings.max_heavy_computations, wait_seconds=heavy_wait_seconds
    )

    def reject_oversized_body() -> Response | None:
        # Refuse on the declared length before anything reads the body.
        length = request.content_length
        if length is not None and length > limit:
            raise RequestEntityTooLarge()
        if length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            # Werkzeug stops reading a chunked body at MAX_CONTENT_LENGTH without saying so
            # (the cut JSON then fails as a 400): read it here, and refuse it if more follows.
            request.get_data(cache=True)
            if request.environ["wsgi.input"].read(1):
                raise RequestEntityTooLarge()
        if request.path == RELOAD_HASH_PATH and not settings.debug:
            # Dash's hot-reload poll: development only, it tells a visitor nothing useful.
            raise NotFound()
        if callbacks is not None and request.path == CALLBACK_PATH and request.method == "POST":
            problem = callback_body_problem(request.get_json(silent=True), callbacks())
            if problem is not None:
                return _error_response(400, "bad_callback_request",
                                       f"Not a callback request of this page: {problem}.")
        return None

    def add_security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if _is_fingerprinted_static(request.path, request.args) and response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}"
        return response

    def too_large(_error: RequestEntityTooLarge) -> Response:
        size = request.content_length
        said = f"{size:,} bytes" if size is not None else "too large"
        message = (
            f"The request body is {said}; this server accepts at most {limit:,} bytes, "
            f"enough for an image of {settings.max_upload_bytes / 2**20:.1f} MiB "
            f"({env_name('max_upload_bytes')}). Choose a smaller image."
        )
        return _error_response(413, "request_too_large", message)

    def bad_request(error: BadRequest) -> Response:
        return _error_response(400, "bad_request", error.description or "bad request")

    def not_found(error: NotFound | DependencyException) -> Response:
        # Dash raises DependencyException for a script path it does not serve.
        text = error.description if isinstance(error, NotFound) else None
        return _error_response(404, "not_found", text or "There is nothing at this address.")

    def busy(error: ServerBusy) -> Response:
        response = _error_response(503, "server_busy", error.description or "busy")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def internal_error(_error: InternalServerError) -> Response:
        # Flask has already logged the traceback ("Exception on <path> [<method>]");
        # the browser gets no detail of it.
        return _error_response(
            500,
            "internal_error",
            "Something went wrong on the server. The error has been logged; "
            "please try again or choose other settings.",
        )

    def healthz() -> Response:
        limiter = server.extensions[_HEAVY_KEY]
        cache_state = cache_status(server)
        body: dict[str, Any] = {
            "status": "ok" if cache_state.get("healthy") else "degraded",
            "version": __version__,
            "cache": cache_state,
            "heavy_computations": {
                "busy": limiter.busy,
                "slots": limiter.slots,
                "waiting": limiter.waiting,
                "max_waiting": limiter.max_waiting,
                "refused": limiter.refused,
            },
        }
        if health_details is not None:
            body.update(health_details())
        response = jsonify(body)
        response.headers["Cache-Control"] = "no-store"
        return response

    server.before_request(reject_oversized_body)
    server.after_request(add_security_headers)
    server.register_error_handler(RequestEntityTooLarge, too_large)
    server.register_error_handler(BadRequest, bad_request)
    server.register_error_handler(NotFound, not_found)
    server.register_error_handler(DependencyException, not_found)
    server.register_error_handler(ServerBusy, busy)
    server.register_error_handler(InternalServerError, internal_error)
    server.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])


#: Seconds a browser may keep a static file whose URL names its version (a day).
STATIC_MAX_AGE = 86400


def _is_fingerprinted_static(path: str, args) -> bool:
    """Dash's favicon (``?v=`` its version) and ``/assets/`` files (``?m=`` their mtime):
    a new version gets a new URL, so the browser may cache them. Without this Chromium asks
    for the favicon again each time the share link rewrites the address bar."""
    if path == "/_favicon.ico":
        return "v" in args
    return path.startswith("/assets/") and "m" in args


def _error_response(status: int, code: str, message: str) -> Response:
    """JSON for API/XHR clients (Dash callbacks), plain text for everyone else."""
    # On a tie (a browser's */*) plain text wins; JSON only when asked for.
    wants_json = request.is_json or (
        request.accept_mimetypes.best_match(["text/plain", "application/json"])
        == "application/json"
    )
    if wants_json:
        response = jsonify({"error": code, "message": message})
    else:
        response = Response(message + "\n", mimetype="text/plain")
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
