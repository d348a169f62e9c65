# The dashboard as a container: gunicorn as in the Procfile, corpus fetched at build time.
#   docker build -t vangogh-dashboard .
#   docker run --rm -p 8050:8050 vangogh-dashboard        # then open http://127.0.0.1:8050
# Settings are environment variables (docs/deploy.md), e.g. -e REDIS_URL=redis://cache:6379/0
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# Only what the server needs (no tests, no .git, no local caches or images).
COPY dashboard/ dashboard/
COPY assets/ assets/
COPY data/catalogue.csv data/catalogue.csv
COPY gunicorn.conf.py Procfile ./

# Run as an unprivileged user who owns only data/ and the cache folder.
RUN useradd --create-home --uid 10001 dashboard \
    && mkdir -p /app/data/artworks /app/.cache \
    && chown -R dashboard /app/data /app/.cache
USER dashboard

# The Van Gogh corpus (public-domain JPEGs listed in data/catalogue.csv) is downloaded,
# checked against the catalogue and indexed (colour statistics, in data/artworks/.index)
# at build time, so a container never starts without it. Build with
# --build-arg FETCH_CORPUS=0 to mount it instead (-v /path/to/artworks:/app/data/artworks).
ARG FETCH_CORPUS=1
RUN if [ "$FETCH_CORPUS" = "1" ]; then \
        python -m dashboard data download --no-progress \
        && python -m dashboard data index --no-progress; \
    fi

ENV PORT=8050 \
    DASHBOARD_CACHE_DIR=/app/.cache
EXPOSE 8050

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8050'), timeout=4)"

# The Procfile's web command.
CMD ["gunicorn", "dashboard.app:server", "--config", "gunicorn.conf.py"]
