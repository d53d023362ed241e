# syntax=docker/dockerfile:1
# One image for the web server, the Celery worker and Celery beat (see docker-compose.yml).
#
# CI runs these steps outside Docker on every run (tests/test_production_smoke.py): it lays out /app
# from the COPY lines below, runs the RUN lines as written (all but those that set up the operating
# system: Node.js, the user), then starts gunicorn as CMD says, with the production settings, on
# PostgreSQL and Redis. A file this Dockerfile forgets is missing there too.

# --- Python and the runtime dependencies, exactly as requirements/runtime.txt pins them, hashes checked
# (the same versions `make install` and CI install from requirements/dev.txt). As `make install` does:
# pip installs uv from requirements/uv.txt (its pin and hashes), uv installs the runtime lock into the
# image's Python (about a tenth of pip's time, downloads in parallel) from a build cache that stays out of
# the image (BuildKit's cache mount, as uv's Docker guide has it), compiled to bytecode, then uv itself goes.
# Bytecode is made here, once: the image's processes write none (PYTHONDONTWRITEBYTECODE), so without it each
# gunicorn worker, Celery process and command would compile its ~1,400 modules at every start (a Django
# start: 3.4 s of CPU from source, 1.0 s from bytecode).
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_LINK_MODE=copy \
    PYTHONPATH=/app \
    DATA_DIR=/app/data
WORKDIR /app
COPY requirements/uv.txt requirements/runtime.txt requirements/
RUN --mount=type=cache,target=/root/.cache/uv \
    pip install --require-hashes -r requirements/uv.txt \
    && uv pip install --python python --require-hashes --compile-bytecode -r requirements/runtime.txt \
    && pip uninstall --yes uv

# --- The application's own files (the project runs from /app: settings find templates and static
# files next to it).
FROM runtime AS app
COPY manage.py package.json package-lock.json ./
COPY scripts/build-static scripts/build-static
COPY orderctl orderctl
COPY uswds uswds
COPY ledger ledger
COPY agencies agencies
COPY directives directives
COPY templates templates
COPY static static
# The application's bytecode, checked against its source by hash rather than time (valid whatever times a
# build gives the files).
RUN python -m compileall -q -j 0 --invalidation-mode checked-hash manage.py orderctl uswds ledger agencies directives

# --- Node.js for the static build only, from the official image of the same Debian release.
FROM runtime AS nodejs
COPY --from=node:22-bookworm-slim /usr/local/bin/node /usr/local/bin/node
COPY --from=node:22-bookworm-slim /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm

# --- The static files: every runtime npm package (`npm ci --omit=dev`), then collectstatic with the
# manifest storage, by the one script CI runs too.
FROM nodejs AS static
COPY --from=app /app /app
RUN scripts/build-static

# --- The image: the application, the npm packages the settings name in STATICFILES_DIRS, and the
# hashed, compressed static files that whitenoise serves. No DEBUG, no key: the settings refuse to start
# until SECRET_KEY and ALLOWED_HOSTS come from the environment (.env.example).
FROM app
COPY --from=static /app/node_modules node_modules
COPY --from=static /app/staticfiles staticfiles
RUN useradd --system --uid 10001 --home-dir /app --no-create-home orderctl \
    && mkdir -p /app/data/evidence \
    && chown orderctl /app/data /app/data/evidence
USER orderctl

EXPOSE 8000
# The web server's: /healthz/ answers 200 while the process serves (liveness: it asks no database; /readyz/
# says whether the database, the broker and the migrations are ready). It is exempt from the HTTPS
# redirect, asked under a host name the settings allow: the first of ALLOWED_HOSTS, or localhost when
# that is "*". docker-compose.yml gives worker and beat checks of their own.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; host = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.*') or 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz/', headers={'Host': host}), timeout=5)"]
# No control socket: it would go to $HOME/.gunicorn, and /app (the user's home) is not writable.
CMD ["gunicorn", "orderctl.wsgi:application", "--config", "python:orderctl.gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--no-control-socket"]
