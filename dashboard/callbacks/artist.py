"""Artist page callbacks."""

from __future__ import annotations

from dashboard.callbacks import CallbackRegistry

registry = CallbackRegistry()
