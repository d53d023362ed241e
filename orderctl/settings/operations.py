"""Operating the service: metrics and draining (docs/operations.md), and logging."""

from django.core.exceptions import ImproperlyConfigured

from .core import DEBUG
from .environment import _secret_from_env_or_file, env_str

# --- Metrics (/metrics, Prometheus; docs/operations.md) ----------------------------------------------
# Off until set: the bearer token Prometheus sends (`authorization: credentials_file` in its scrape
# config). The numbers say how late each agency is, so they are never open to anyone who asks.
METRICS_TOKEN = _secret_from_env_or_file("METRICS_TOKEN")
# While this file exists, /readyz/ answers 503 "draining": Kubernetes' preStop makes it before SIGTERM
# (deploy/web.yaml), so the Service stops sending here while gunicorn still serves. Empty: never drains.
DRAIN_FILE = env_str("DRAIN_FILE", "")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters (e.g. `openssl rand -hex 32`)")


# --- Logging --------------------------------------------------------------------------------------
# Production writes one JSON object a line (for a log collector: time, level, logger, message and the
# request id, plus whatever a line adds, e.g. a failed task's name and ids); development, plain text.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'plain', not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "filters": {
        # An expected refusal (a 403 from PermissionDenied) is one line with its reason, not a traceback.
        "refusal_without_traceback": {"()": "agencies.logs.RefusalWithoutTraceback"},
        # The request's (or task's) id on every line (agencies.middleware.RequestIdMiddleware).
        "request_id": {"()": "agencies.logs.RequestIdFilter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default configuration gives "django" a console handler of its own while DEBUG is
        # on; with the root's, every warning would be printed twice. One handler, the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; its warnings (repeated failures, lockouts) matter.
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["refusal_without_traceback"]},
    },
}
