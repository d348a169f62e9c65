"""Dash layout builders: small named functions, component ids kept in :mod:`ids`."""
