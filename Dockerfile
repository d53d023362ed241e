# One image for the web server, the Celery worker and Celery beat (see docker-compose.yml).

# --- Front-end assets: USWDS from npm, exactly as package-lock.json pins it (no CDN).
FROM node:22-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- The application
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DATA_DIR=/app/data
WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them. The
# project itself runs from /app (settings find templates and static files next to it).
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY --from=assets /app/node_modules/@uswds/uswds/dist node_modules/@uswds/uswds/dist
COPY manage.py ./
COPY orderctl orderctl
COPY ledger ledger
COPY agencies agencies
COPY directives directives
COPY templates templates
COPY static static

# Hashed, compressed static files for whitenoise. The key only lets the settings load for this step.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --no-input \
    && useradd --system --uid 10001 --home-dir /app --no-create-home orderctl \
    && mkdir -p /app/data \
    && chown orderctl /app/data
USER orderctl

EXPOSE 8000
CMD ["gunicorn", "orderctl.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
