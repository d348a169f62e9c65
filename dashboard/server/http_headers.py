"""The security headers of every response: the app's (:mod:`dashboard.server.hardening`) and
gunicorn's own error pages (:mod:`dashboard.server.gunicorn_worker`). No web framework is
imported here, so gunicorn's master can load it before any worker builds the app."""

from __future__ import annotations

from collections.abc import Mapping

#: Headers added to every response unless the view already set them.
#: The CSP only forbids framing by other sites and <base>/<object> tricks: Dash
#: renders with inline scripts and Plotly needs eval-like features, so a
#: script-src policy would break the page.
SECURITY_HEADERS: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": "frame-ancestors 'self'; base-uri 'self'; object-src 'none'",
}
