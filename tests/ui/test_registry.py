"""CallbackRegistry helpers shared by pages."""

from __future__ import annotations

from dashboard.explorer import callbacks as explorer_callbacks
from dashboard.explorer import ids
from dashboard.ui.registry import CallbackRegistry


def test_new_seed_button_puts_a_fresh_seed_in_the_input():
    registry = CallbackRegistry()
    registry.new_seed_button("button", "seed")
    (args, kwargs, function), = registry.server_callbacks
    assert [o.component_id for o in args if o.__class__.__name__ == "Output"] == ["seed"]
    assert kwargs == {"prevent_initial_call": True}
    seeds = {function(1) for _ in range(20)}
    assert all(0 <= s < 1_000_000 for s in seeds) and len(seeds) > 1


def test_the_explorer_declares_its_new_seed_button():
    outputs = [str(a) for args, _, _ in explorer_callbacks.registry.server_callbacks for a in args]
    assert f"{ids.SEED_INPUT}.value" in outputs
