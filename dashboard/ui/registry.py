"""Callbacks: thin functions that read inputs, call a cached service and a figure builder.

Each feature module declares its callbacks on a :class:`CallbackRegistry`; ``create_app``
registers them on its own app, so several apps (tests, workers) never share global state and
no module imports the app.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any


class CallbackRegistry:
    """Callbacks declared now, bound to an app later with :meth:`register`."""

    def __init__(self) -> None:
        self._server_side: list[tuple[tuple, dict, Callable]] = []
        self._client_side: list[tuple[str, tuple, dict]] = []

    @property
    def server_callbacks(self) -> tuple[tuple[tuple, dict, Callable], ...]:
        """The server-side callbacks declared so far: ``(args, kwargs, function)`` each."""
        return tuple(self._server_side)

    def callback(self, *args: Any, **kwargs: Any) -> Callable[[Callable], Callable]:
        """Like ``dash.callback``: the decorated function stays a plain, testable function."""
        def decorate(function: Callable) -> Callable:
            self._server_side.append((args, kwargs, function))
            return function
        return decorate

    def clientside_callback(self, javascript: str, *args: Any, **kwargs: Any) -> None:
        """Like ``dash.clientside_callback``."""
        self._client_side.append((javascript, args, kwargs))

    def register(self, app) -> None:
        """Attach every declared callback to ``app``."""
        for args, kwargs, function in self._server_side:
            app.callback(*args, **kwargs)(function)
        for javascript, args, kwargs in self._client_side:
            app.clientside_callback(javascript, *args, **kwargs)

    def share_link(self, query_store: str, sink: str, clipboard: str) -> None:
        """Keep the address bar on the query in ``query_store`` (no reload, no history entry
        per change) and let ``clipboard`` copy the page's link (assets/25-share.js)."""
        from dash import ClientsideFunction, Input, Output

        self.clientside_callback(
            ClientsideFunction(namespace="share", function_name="replaceQuery"),
            Output(sink, "data"), Input(query_store, "data"))
        self.copy_link(clipboard)

    def copy_link(self, clipboard: str) -> None:
        """Let ``clipboard`` copy the page's link as the address bar shows it."""
        from dash import ClientsideFunction, Input, Output

        self.clientside_callback(
            ClientsideFunction(namespace="share", function_name="currentHref"),
            Output(clipboard, "content"), Input(clipboard, "n_clicks"),
            prevent_initial_call=True)


    def new_seed_button(self, button: str, seed_input: str) -> None:
        """Let ``button`` put a fresh random seed (0..999,999) into ``seed_input``."""
        from dash import Input, Output

        def new_seed(_n_clicks):
            return secrets.randbelow(1_000_000)

        self.callback(Output(seed_input, "value"), Input(button, "n_clicks"),
                      prevent_initial_call=True)(new_seed)
