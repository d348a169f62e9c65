"""gunicorn settings: `gunicorn dashboard.app:server --config gunicorn.conf.py` (the Procfile).

`python -m dashboard serve` runs gunicorn in-process with these same settings, bound to its
``--host``/``--port`` instead (:mod:`dashboard.cli.serve`).

Port and worker count come from :func:`dashboard.config.load_settings` (``PORT``,
``WEB_CONCURRENCY``); command-line flags and ``GUNICORN_CMD_ARGS`` override
anything here (e.g. ``--bind 127.0.0.1:8050`` to stay local). Why these values:
docs/deploy.md, "Server processes".
"""

import os

from dashboard.config import limit_native_threads, load_settings

# Workers import numpy after they start: one BLAS thread each (see limit_native_threads).
limit_native_threads()
_settings = load_settings()

# A container or PaaS router reaches the app from outside: listen on all interfaces.
bind = [f"0.0.0.0:{_settings.port}"]

# 2 processes x 20 threads for 2 cores: numpy/scikit-image release the GIL in
# their inner loops, so threads overlap the heavy parts; processes give the
# pure-Python parts (Dash, Plotly JSON) a core each. At most DASHBOARD_MAX_HEAVY (2)
# heavy computations run per worker and up to 8 per slot queue for them
# (dashboard.server.hardening.HEAVY_QUEUE_PER_SLOT; beyond 4 only while the expected wait
# is short: HEAVY_WAIT_BUDGET_SECONDS): two more threads always remain for health checks,
# cached results and pictures.
workers = _settings.workers
# gthread, with the app's security headers on the 400/414/431 pages gunicorn writes itself.
worker_class = "dashboard.server.gunicorn_worker.HardenedThreadWorker"
threads = 9 * _settings.max_heavy_computations + 2

# Each worker builds its own app on first import (dashboard.app's lazy
# ``server``): nothing is forked half-initialised (thread pools, Redis sockets).
preload_app = False

# A slow histogram (the per-worker heavy-computation limit keeps these short)
# must not be mistaken for a hung worker, but a truly hung one is replaced.
timeout = 60
graceful_timeout = 30
keepalive = 5

# Recycle a worker after 50000-55000 requests (jittered so both never restart
# together) to bound slow memory growth inside libraries. The app's own memory
# is bounded by its LRU maps (~0.5 GiB per worker under load). A recycled worker
# starts cold (its images and noise decoded again) while the other takes all the
# work: 1000 cost 30 % of throughput, and 10000 (one recycle every ~3 minutes of
# the drag load test) put a move's p95 above 1 s.
max_requests = 50000
max_requests_jitter = 5000

# Heartbeat files on tmpfs: a slow or full disk in a container must not stall workers.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# gunicorn >= 25 opens a management socket in $HOME by default; the app does not
# use it, a read-only home would break start-up, and two servers on one host
# (tests, the load test) would fight over the same path.
control_socket_disable = True

loglevel = "debug" if _settings.debug else "info"
accesslog = "-"
errorlog = "-"
# The app's own loggers (dashboard.*, flask) go to stderr with the worker's pid.
logconfig_dict = {
    "root": {"level": "INFO", "handlers": ["app_console"]},
    "loggers": {
        "gunicorn.error": {
            "level": "INFO",
            "handlers": ["error_console"],
            "propagate": False,
            "qualname": "gunicorn.error",
        },
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["console"],
            "propagate": False,
            "qualname": "gunicorn.access",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "stream": "ext://sys.stdout",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "stream": "ext://sys.stderr",
        },
        "app_console": {
            "class": "logging.StreamHandler",
            "formatter": "app",
            "stream": "ext://sys.stderr",
        },
    },
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
            "class": "logging.Formatter",
        },
        "app": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
            "class": "logging.Formatter",
        },
    },
}
