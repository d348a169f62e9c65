"""Helpers shared by the tests and the benchmarks: apps on the samples, the tiny corpus,
Chromium, servers, gunicorn, redis-server, ports and processes, typed arrays."""
