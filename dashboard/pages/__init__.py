"""Page layouts registered with Dash Pages: ``layout(**query)`` never fails on a bad query."""
