"""Settings for orderctl, read from the environment.

Every setting has a working local default so that a newcomer needs no servers (SQLite and Celery's
filesystem broker under ``data/``); production sets ``DEBUG=false`` and must then provide
``SECRET_KEY`` and ``ALLOWED_HOSTS``. Misconfiguration is reported by Django system checks
(``directives/operations/checks.py``) or, where running on would be unsafe, refused at start-up.
"""

import datetime as dt
import os
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# `ModelAdmin[Agency]`, `ModelForm[Directive]`: Django's classes take the type checker's parameters.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """Return the environment variable ``name``, or ``default`` when it is unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean environment variable; anything but true/false (any case) is an error."""
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {raw!r}")
    return value == "true"


def env_int(name: str, default: int) -> int:
    """Return an integer environment variable, refusing anything that is not a whole number."""
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated environment variable as a list of non-empty, stripped items."""
    raw = os.environ.get(name, "")
    if raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Production is the default: development (`make run`, the tests) asks for DEBUG explicitly.
DEBUG = env_bool("DEBUG", False)

DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data")))

# A fixed, clearly marked key is only acceptable for local development; with DEBUG off the key must
# come from the environment (no silent random fallback that would log everyone out on every restart).
_DEV_SECRET_KEY = "django-insecure-local-development-only-never-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is false (DEBUG defaults to false: set DEBUG=true for "
        "local development, or SECRET_KEY to a long random string in production)"
    )
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must not be the public development key when DEBUG is false")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is false: the host names the site answers to, "
        "comma-separated (e.g. tracker.example.gov)"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The address people use, for links in emails. Development serves on PORT (`PORT=9000 make run`);
# production defaults to HTTPS on the first allowed host, and needs SITE_URL when that is a pattern.
if DEBUG:
    SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}")
elif env_str("SITE_URL"):
    SITE_URL = env_str("SITE_URL")
elif ALLOWED_HOSTS[0].startswith(".") or "*" in ALLOWED_HOSTS[0]:
    raise ImproperlyConfigured(
        f"SITE_URL must be set when the first of ALLOWED_HOSTS is a pattern ({ALLOWED_HOSTS[0]!r}): "
        "the address people use, for links in emails, e.g. https://tracker.example.gov"
    )
else:
    SITE_URL = f"https://{ALLOWED_HOSTS[0]}"
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "django_prometheus",
    "ledger",
    "agencies",
    "directives",
]

MIDDLEWARE = [
    # First: every line a request logs carries its id, and so does its response (X-Request-ID).
    "agencies.middleware.RequestIdMiddleware",
    # Request counts and latencies for /metrics (django-prometheus), around everything below.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body (the CSRF check parses forms) or asks who is signing in.
    "agencies.middleware.BodyLimitMiddleware",
    # Before anything that may query: PostgreSQL refuses a NUL in a string, which would be a 500.
    "agencies.middleware.RefuseNulMiddleware",
    # A database outage is a 503 in the format asked for (agencies/outage.py).
    "agencies.outage.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "agencies.middleware.IdleTimeoutMiddleware",
    "agencies.middleware.EasternTimeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A browser that signs in keeps a cookie saying so: others' failures do not lock it out.
    "agencies.middleware.KnownDeviceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "orderctl.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "orderctl.wsgi.application"


def _database_from_url(url: str) -> dj_database_url.DBConfig:
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # The web server and the Celery worker write at once in `make run`: WAL lets readers and a
        # writer coexist, IMMEDIATE transactions take the write lock up front (no upgrade deadlock),
        # and the timeout makes a writer wait instead of failing with "database is locked".
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        if config["NAME"] and config["NAME"] != ":memory:":
            # A fresh clone has no data folder yet (it is not in git); SQLite will not create it.
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    return config


DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'orderctl.sqlite3'}")
DATABASES = {"default": _database_from_url(DATABASE_URL)}
# A reused connection is checked at its first use in each request, so one broken by a database restart is
# replaced rather than failing the request (agencies/outage.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Stored instants are UTC; America/New_York is used (through zoneinfo) only to find where a due day ends.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Pages show instants in US Eastern time (agencies.middleware.EasternTimeMiddleware), saying so: the
# admin's date-time format ends with the zone's abbreviation ("Nov. 30, 2026, 9:15 a.m. EST").
FORMAT_MODULE_PATH = ["orderctl.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Our own CSS/JS, and USWDS served straight from the npm package that `npm ci` installs (no CDN, nothing
# third-party copied into the repository); its files are referenced as "uswds/css/uswds.min.css" etc.
STATICFILES_DIRS = [BASE_DIR / "static", ("uswds", BASE_DIR / "node_modules/@uswds/uswds/dist")]
STATICFILES_DIRS += [("chartjs", BASE_DIR / "node_modules/chart.js/dist")]  # the dashboard's charts
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- The federal look ------------------------------------------------------------------------------
# The USWDS "An official website of the United States government" banner on every page; a deployment
# that is not a government site turns it off.
OFFICIAL_GOV_BANNER = env_bool("OFFICIAL_GOV_BANNER", True)
# The system-use notice people accept by signing in (NIST SP 800-53 AC-8). Replace it with the agency's
# own text (SYSTEM_USE_NOTICE), or turn it off (SHOW_SYSTEM_USE_NOTICE=false).
SYSTEM_USE_NOTICE = env_str(
    "SYSTEM_USE_NOTICE",
    "You are accessing a U.S. Government information system, provided for authorized use only. "
    "Use of this system may be monitored, recorded and subject to audit; unauthorized use is "
    "prohibited and subject to criminal and civil penalties. By signing in you consent to this "
    "monitoring and recording.",
)
SHOW_SYSTEM_USE_NOTICE = env_bool("SHOW_SYSTEM_USE_NOTICE", True)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Security -------------------------------------------------------------------------------------
# What each setting protects, and the test that proves it: docs/security.md. Production (DEBUG false)
# gets the strict values by default; each can be relaxed from the environment, e.g. to try the site
# over plain HTTP on localhost.
# Behind a TLS-terminating proxy Django sees plain HTTP; the proxy's header says the request was HTTPS.
# Set only when the proxy always sets that header and strips it from clients: "HTTP_X_FORWARDED_PROTO,https".
_proxy_ssl_header = env_list("SECURE_PROXY_SSL_HEADER", [])
if _proxy_ssl_header and (len(_proxy_ssl_header) != 2 or not _proxy_ssl_header[0].startswith("HTTP_")):
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER must be a request.META header name and its value, "
        "e.g. 'HTTP_X_FORWARDED_PROTO,https'"
    )
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if _proxy_ssl_header else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers, Kubernetes and docker-compose probe liveness and readiness, and Prometheus scrapes
# the metrics, over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$", r"^metrics$"]
# Browsers remember to use HTTPS only; .gov domains are on the preload list already.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS must be 0 (off) or a positive number of seconds")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Cookies go over HTTPS only in production, never to scripts, and not with cross-site requests.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Idle timeout: a session ends SESSION_IDLE_MINUTES after its last request (each request renews it,
# through agencies.middleware.IdleTimeoutMiddleware, except a page's own background refresh).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
if SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 1")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# No inline script or style anywhere (tests/pages/test_no_inline_code.py), so the policy needs no
# 'unsafe-inline'; every script, style, image and font comes from our own origin (no CDN).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Sign-in throttling (django-axes): AXES_FAILURE_LIMIT failed sign-ins for one username from one
# address lock that pair out for AXES_COOLOFF_MINUTES. Per pair, not per address alone: an agency's
# staff share a few egress addresses, and one person's typos must not lock out their colleagues; nor
# per username alone, or anyone anywhere could lock a user out by guessing at their name.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before any password check
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on (OpenID Connect): acts only when SSO_ENABLED, on the provider's callback.
    "agencies.sso.SignOnBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT must be at least 1")
_cooloff_minutes = env_int("AXES_COOLOFF_MINUTES", 15)
if _cooloff_minutes < 1:
    raise ImproperlyConfigured("AXES_COOLOFF_MINUTES must be at least 1")
AXES_COOLOFF_TIME = dt.timedelta(minutes=_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The wait runs from the failure that locked the pair; attempts during it are refused without being
# counted, so they do not start it again. Otherwise anyone who shares the victim's address (an agency's
# egress, a hotel's wifi) could keep the victim locked out for ever by trying every few minutes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # no banner on every command's start, no user agents in the log; failures are logged
# Reverse proxies in front of gunicorn that each append the address they saw to X-Forwarded-For
# (0: people connect to gunicorn directly, and the header is ignored as anyone could forge it).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")


AXES_CLIENT_IP_CALLABLE = "agencies.access.client_address"
# The name a failure counts under: the username typed, or, for single sign-on, the person's subject at
# the provider once its ID token is verified; never nobody, which would make the pair the address alone.
AXES_USERNAME_CALLABLE = "agencies.access.sign_in_username"
# How long a browser someone signed in on stays known (agencies/devices.py): its attempts count apart
# from unknown browsers' at the same address, so nobody else's failures keep its owner out.
KNOWN_DEVICE_DAYS = env_int("KNOWN_DEVICE_DAYS", 90)
if not 1 <= KNOWN_DEVICE_DAYS <= 400:
    raise ImproperlyConfigured("KNOWN_DEVICE_DAYS must be between 1 and 400")

# --- Proof of the record ---------------------------------------------------------------------------
# What each key and sink is for, and what an operator keeps where: docs/history-proof.md.
from ledger import keys as _keys  # noqa: E402 - pure; parses the keys below


def _secret_from_env_or_file(name: str) -> str:
    """Return ``name`` from the environment, or the contents of the file ``<name>_FILE`` names."""
    value, path = env_str(name), env_str(f"{name}_FILE")
    if value and path:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc.strerror}") from None
    return value


# The Ed25519 key that signs each chain's head and every checkpoint. The database never holds it.
HISTORY_SIGNING_KEY = _secret_from_env_or_file("HISTORY_SIGNING_KEY")
if not HISTORY_SIGNING_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "HISTORY_SIGNING_KEY (or HISTORY_SIGNING_KEY_FILE) must be set when DEBUG is false: the key "
            "that signs the history; `python manage.py history_keys generate` makes one"
        )
    HISTORY_SIGNING_KEY = _keys.DEVELOPMENT_SEED  # public, marked: development and tests only
elif not DEBUG and HISTORY_SIGNING_KEY.strip() == _keys.DEVELOPMENT_SEED:
    raise ImproperlyConfigured(
        "HISTORY_SIGNING_KEY must not be the public development key when DEBUG is false"
    )
try:
    _keys.parse_private(HISTORY_SIGNING_KEY)
except _keys.BadKey as exc:
    raise ImproperlyConfigured(f"HISTORY_SIGNING_KEY: {exc}") from None
# Public keys of earlier signing keys, still trusted to verify what they signed (rotation).
HISTORY_TRUSTED_KEYS = env_list("HISTORY_TRUSTED_KEYS", [])
if env_str("HISTORY_TRUSTED_KEYS_FILE"):
    try:
        _lines = Path(env_str("HISTORY_TRUSTED_KEYS_FILE")).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ImproperlyConfigured(f"HISTORY_TRUSTED_KEYS_FILE: cannot read it: {exc.strerror}") from None
    HISTORY_TRUSTED_KEYS += [line.split("#")[0].strip() for line in _lines if line.split("#")[0].strip()]
for _key in HISTORY_TRUSTED_KEYS:
    try:
        _keys.parse_public(_key)
    except _keys.BadKey as exc:
        raise ImproperlyConfigured(f"HISTORY_TRUSTED_KEYS: {exc}") from None
# Where every signed checkpoint also goes, outside the database (any, all or none of them):
# a JSON-lines file in an append-only location, a webhook that receives each as a JSON POST, and
# email ("reviewers" for the oversight reviewers, and/or addresses, comma-separated).
HISTORY_CHECKPOINT_FILE = env_str("HISTORY_CHECKPOINT_FILE", "")
HISTORY_CHECKPOINT_WEBHOOK = env_str("HISTORY_CHECKPOINT_WEBHOOK", "")
if HISTORY_CHECKPOINT_WEBHOOK and not HISTORY_CHECKPOINT_WEBHOOK.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"HISTORY_CHECKPOINT_WEBHOOK must start with http:// or https://, not {HISTORY_CHECKPOINT_WEBHOOK!r}"
    )
HISTORY_CHECKPOINT_EMAIL = env_list("HISTORY_CHECKPOINT_EMAIL", [])
for _address in HISTORY_CHECKPOINT_EMAIL:
    if _address != "reviewers" and "@" not in _address:
        raise ImproperlyConfigured(
            f"HISTORY_CHECKPOINT_EMAIL: {_address!r} is neither an email address nor 'reviewers'"
        )
# Without any, checkpoints live in the database only: `check --deploy` warns
# (directives/operations/checks.py).

# --- Metrics (/metrics, Prometheus; docs/operations.md) ----------------------------------------------
# Off until set: the bearer token Prometheus sends (`authorization: credentials_file` in its scrape
# config). The numbers say how late each agency is, so they are never open to anyone who asks.
METRICS_TOKEN = _secret_from_env_or_file("METRICS_TOKEN")
# While this file exists, /readyz/ answers 503 "draining": Kubernetes' preStop makes it before SIGTERM
# (deploy/web.yaml), so the Service stops sending here while gunicorn still serves. Empty: never drains.
DRAIN_FILE = env_str("DRAIN_FILE", "")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters (e.g. `openssl rand -hex 32`)")
# --- Evidence files (docs/evidence-and-reports.md) -----------------------------------------------------
# Documents attached to directives. Their bytes live in the "evidence" storage, never under a public
# URL: local files in a private folder (not MEDIA, which nothing serves) by default, or an
# S3-compatible bucket (django-storages). Only the download view streams them, to those who may read.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
if EVIDENCE_MAX_BYTES < 1:
    raise ImproperlyConfigured(f"EVIDENCE_MAX_BYTES must be at least 1, not {EVIDENCE_MAX_BYTES}")
EVIDENCE_STORAGE = env_str("EVIDENCE_STORAGE", "local")
EVIDENCE_DIR = Path(env_str("EVIDENCE_DIR", str(DATA_DIR / "evidence")))
if EVIDENCE_STORAGE == "local":
    STORAGES["evidence"] = {
        "BACKEND": "directives.files.storing.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(EVIDENCE_DIR)},
    }
elif EVIDENCE_STORAGE == "s3":
    _s3 = {
        "bucket_name": env_str("EVIDENCE_S3_BUCKET"),
        "access_key": env_str("EVIDENCE_S3_ACCESS_KEY_ID"),
        "secret_key": _secret_from_env_or_file("EVIDENCE_S3_SECRET_ACCESS_KEY"),
    }
    _missing = [name for name, value in _s3.items() if not value]
    if _missing:
        raise ImproperlyConfigured(
            "EVIDENCE_STORAGE=s3 needs EVIDENCE_S3_BUCKET, EVIDENCE_S3_ACCESS_KEY_ID and "
            "EVIDENCE_S3_SECRET_ACCESS_KEY (or _FILE); missing: " + ", ".join(_missing)
        )
    _endpoint = env_str("EVIDENCE_S3_ENDPOINT_URL")
    if _endpoint and not _endpoint.startswith("https://" if not DEBUG else ("https://", "http://")):
        raise ImproperlyConfigured(
            f"EVIDENCE_S3_ENDPOINT_URL must be an https:// address when DEBUG is false, not {_endpoint!r}"
        )
    STORAGES["evidence"] = {
        "BACKEND": "directives.files.storing.PrivateS3Storage",
        "OPTIONS": {
            **_s3,
            "endpoint_url": _endpoint or None,
            "region_name": env_str("EVIDENCE_S3_REGION") or None,
            # Objects stay private: no public-read ACL, signed URLs only (and the app asks for none).
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "location": env_str("EVIDENCE_S3_PREFIX", ""),
        },
    }
else:
    raise ImproperlyConfigured(f"EVIDENCE_STORAGE must be 'local' or 's3', not {EVIDENCE_STORAGE!r}")
# The virus scan: off when empty; "clamd://host:3310" (TCP) or "clamd:///run/clamav/clamd.ctl" (a Unix
# socket) sends each upload to clamd's INSTREAM command first. An unreachable scanner refuses the upload.
EVIDENCE_SCANNER = env_str("EVIDENCE_SCANNER", "")
if EVIDENCE_SCANNER and not EVIDENCE_SCANNER.startswith("clamd://"):
    raise ImproperlyConfigured(
        "EVIDENCE_SCANNER must be empty (off), clamd://host:port or clamd:///path/to/socket, "
        f"not {EVIDENCE_SCANNER!r}"
    )
EVIDENCE_SCANNER_TIMEOUT = env_int("EVIDENCE_SCANNER_TIMEOUT", 60)

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous request's 401 then carries `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "agencies.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "agencies.authentication.TokenScope",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["directives.api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["directives.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "directives.api.pagination.PageNumberPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 50),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "directives.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "agencies.authentication.TokenRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    # Per token (per user for a browser session); anonymous requests reach only schema/ and docs/.
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_RATE_TOKEN", "3000/hour"),
        "anon": env_str("API_RATE_ANON", "100/hour"),
    },
}

# Personal API tokens (django-rest-knox), stored as agencies.APIToken: a name and a read-only scope.
KNOX_TOKEN_MODEL = "agencies.APIToken"  # noqa: S105 - a model name, not a secret
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    # Expiry is chosen per token when it is created (`create_api_token --expires-days`), within the
    # limits below; knox's own default lifetime is not used.
    "TOKEN_TTL": None,
}
# The longest lifetime of a read-only token (which may also never expire) ...
# The import page (/orders/import/): the largest order text it takes, uploaded or pasted. The text rides
# along every step of the review form, so it must stay well under DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
ORDER_IMPORT_MAX_BYTES = env_int("ORDER_IMPORT_MAX_BYTES", 1_000_000)
if not 1_000 <= ORDER_IMPORT_MAX_BYTES <= 1_500_000:
    raise ImproperlyConfigured("ORDER_IMPORT_MAX_BYTES must be between 1000 and 1500000")
# Its review form has about nine fields per drafted directive; a long order drafts 150 or more.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_000
# The largest file any form or API takes (an evidence file), enforced while the file is read.
UPLOAD_MAX_BYTES = max(EVIDENCE_MAX_BYTES, ORDER_IMPORT_MAX_BYTES)
FILE_UPLOAD_HANDLERS = [
    "agencies.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# The largest request body read at all: that file and a megabyte of form fields and multipart framing.
# A larger Content-Length is a 413 before anything reads the body (agencies.middleware.BodyLimitMiddleware).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", UPLOAD_MAX_BYTES + 1024 * 1024)
if REQUEST_MAX_BYTES < UPLOAD_MAX_BYTES:
    raise ImproperlyConfigured(
        f"REQUEST_MAX_BYTES must be at least {UPLOAD_MAX_BYTES} (the largest upload), not {REQUEST_MAX_BYTES}"
    )

API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 3650)
if API_TOKEN_MAX_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_MAX_DAYS must be at least 1")
# ... and of a read-write one, which always expires: it can change the record as its owner can, so a
# key forgotten in a script or a CI secret stops working on its own.
API_TOKEN_MAX_DAYS_READ_WRITE = env_int("API_TOKEN_MAX_DAYS_READ_WRITE", 90)
if not 1 <= API_TOKEN_MAX_DAYS_READ_WRITE <= API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured(
        f"API_TOKEN_MAX_DAYS_READ_WRITE must be between 1 and API_TOKEN_MAX_DAYS ({API_TOKEN_MAX_DAYS})"
    )
# knox's own migrations would create a knox_authtoken table even though KNOX_TOKEN_MODEL swaps its model
# out; the unused table references auth_user, which makes PostgreSQL refuse the test runner's flush.
MIGRATION_MODULES = {"knox": None}

SPECTACULAR_SETTINGS = {
    "TITLE": "orderctl API",
    "DESCRIPTION": (
        "Compliance status of executive-order directives, for scripts and dashboards. Authenticate with "
        "`Authorization: Token <key>` (create a key with `python manage.py create_api_token USERNAME`) "
        "or a signed-in browser session. Every error has one shape: an object of field -> messages."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "directives.models.Status",
        "DeadlineKindEnum": "directives.models.Directive.DeadlineKind",
        "EventKindEnum": "directives.models.DirectiveEvent.Kind",
        "OutcomeEnum": "directives.models.Outcome",
        "ReviewEnum": "directives.models.Review",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "directives.api.schema.add_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ---------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
# A shared cache keeps per-token rate limits true across gunicorn workers; a process's own memory
# cache is enough for one local process. Redis down or frozen must not take the site down: short socket
# timeouts, and the cache falls back to process memory while Redis fails (orderctl/cache.py).
REDIS_TIMEOUT_SECONDS = float(env_str("REDIS_TIMEOUT_SECONDS", "0.5"))
CACHES = {
    "default": (
        {
            "BACKEND": "orderctl.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "orderctl",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_DATA_DIR = DATA_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A web request that queues a task (an early nudge of the dispatcher, logged if lost) must not hang
    # on a frozen Redis: connecting and each command give up after a few seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"socket_connect_timeout": 2, "socket_timeout": 5}
else:
    # Embedded default: Celery's filesystem transport, every folder under the data folder.
    # The explicit host only spares a "No hostname was supplied" warning on every connection.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_DATA_DIR / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker and beat log through LOGGING above (JSON in production, with the task's id), not through
# Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(CELERY_DATA_DIR / "beat-schedule")
)


def env_seconds(name: str, default: int) -> int:
    """Return a positive number of seconds from the environment."""
    value = env_int(name, default)
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive number of seconds, not {value}")
    return value


def _beat(task: str, every_env: str, default_seconds: int) -> dict[str, object]:
    every = env_seconds(every_env, default_seconds)
    # A run that waited longer than its own interval in the queue (broker or worker down) is dropped:
    # the next one does the same work, so an outage never leaves a pile of identical sweeps behind.
    return {"task": task, "schedule": float(every), "options": {"expires": every}}


# Every sweep is idempotent and catches up by comparing instants, so these are latencies, not
# correctness settings. Beat also runs all three once when it starts (orderctl/celery.py).
CELERY_BEAT_SCHEDULE = {
    "flag-overdue": _beat("directives.tasks.flag_overdue", "FLAG_OVERDUE_EVERY_SECONDS", 15 * 60),
    "send-reminders": _beat("directives.tasks.send_reminders", "SEND_REMINDERS_EVERY_SECONDS", 60 * 60),
    # The next occurrence of each recurring directive once the current one is due or done.
    "advance-series": _beat("directives.tasks.advance_series", "ADVANCE_SERIES_EVERY_SECONDS", 15 * 60),
    "dispatch-notifications": _beat(
        "directives.tasks.dispatch_notifications", "DISPATCH_NOTIFICATIONS_EVERY_SECONDS", 60
    ),
    # Emails whose dispatcher died holding them go back to the queue once their lease ends.
    "sweep-outbox-leases": _beat("directives.tasks.sweep_outbox_leases", "SWEEP_OUTBOX_EVERY_SECONDS", 60),
    # A signed checkpoint of every chain's head, in the database and to the sinks above.
    # Webhook deliveries planned by the dispatcher above (actions/webhooks.py).
    "dispatch-webhooks": _beat("directives.tasks.dispatch_webhooks", "DISPATCH_WEBHOOKS_EVERY_SECONDS", 60),
    "write-checkpoint": _beat(
        "directives.tasks.write_checkpoint", "HISTORY_CHECKPOINT_EVERY_SECONDS", 60 * 60
    ),
}

# --- Reminders, escalation and the notification outbox
try:
    # Days before a deadline that its lead agencies' editors are reminded, e.g. "7,1".
    REMINDER_OFFSETS_DAYS = sorted({int(d) for d in env_list("REMINDER_OFFSETS_DAYS", ["7", "1"])})
except ValueError:
    raise ImproperlyConfigured("REMINDER_OFFSETS_DAYS must be whole numbers of days, e.g. '7,1'") from None
if not all(0 < d <= 365 for d in REMINDER_OFFSETS_DAYS):
    raise ImproperlyConfigured("REMINDER_OFFSETS_DAYS must be between 1 and 365 days")
# Overdue by this many days (as the dashboards count them) -> one notice to the oversight reviewers.
ESCALATION_AFTER_DAYS = env_int("ESCALATION_AFTER_DAYS", 7)
if ESCALATION_AFTER_DAYS < 1:
    raise ImproperlyConfigured("ESCALATION_AFTER_DAYS must be at least 1")
# Honest outcomes (docs/oversight.md): a completion recorded more than this many days after the date
# it claims is flagged for an oversight reviewer, showing both dates.
COMPLETION_RECORDED_LATE_DAYS = env_int("COMPLETION_RECORDED_LATE_DAYS", 7)
if COMPLETION_RECORDED_LATE_DAYS < 0:
    raise ImproperlyConfigured("COMPLETION_RECORDED_LATE_DAYS must be 0 or more days")
# Separation of duties (docs/oversight.md): nobody reviews a claim they recorded or decides an extension
# they asked for, whatever roles they hold. Turning it off is for a one-person trial; the deploy check
# warns about it.
SEPARATION_OF_DUTIES = env_bool("SEPARATION_OF_DUTIES", True)
# A failed send is retried for ever, nothing is given up (docs/faults.md): every NOTIFICATION_RETRY_SECONDS
# while the mail server is unreachable, else after NOTIFICATION_RETRY_SECONDS * 2**(attempts - 1), at most
# 6 hours. After NOTIFICATION_MAX_ATTEMPTS tries an email "needs attention" (the admin, outbox_status).
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 10)
NOTIFICATION_RETRY_SECONDS = env_seconds("NOTIFICATION_RETRY_SECONDS", 60)
# How long a claimed row is reserved for the dispatcher that claimed it. A dispatcher killed while
# sending leaves its row claimed; after this lease another one sends it again. It must be far longer
# than one SMTP exchange (EMAIL_TIMEOUT) or a slow send could be doubled by a second dispatcher.
NOTIFICATION_CLAIM_SECONDS = env_seconds("NOTIFICATION_CLAIM_SECONDS", 600)
# An email the mail server refused (5xx) or left unconfirmed "needs attention" for this many days.
NOTIFICATION_ATTENTION_DAYS = env_int("NOTIFICATION_ATTENTION_DAYS", 7)

# --- Integrations (docs/integrations.md) ---------------------------------------------------------
# Daily digests (for people who chose one) go out at this hour, Eastern Time, 0-23.
DIGEST_HOUR_EASTERN = env_int("DIGEST_HOUR_EASTERN", 7)
if not 0 <= DIGEST_HOUR_EASTERN <= 23:
    raise ImproperlyConfigured("DIGEST_HOUR_EASTERN must be an hour from 0 to 23")
# Webhooks: a failed attempt is retried after WEBHOOK_RETRY_SECONDS * 2**(attempts - 1), at most six
# hours, until WEBHOOK_MAX_ATTEMPTS; a subscription whose attempts fail WEBHOOK_DISABLE_AFTER_FAILURES
# times in a row is disabled. WEBHOOK_CLAIM_SECONDS is the lease of one send (far above the timeout).
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_RETRY_SECONDS = env_seconds("WEBHOOK_RETRY_SECONDS", 60)
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 15)
# After a signing secret is rotated, the old one signs beside the new one this long (Standard Webhooks
# allows several signatures), so the receiver can switch over without losing a message.
WEBHOOK_SECRET_OVERLAP_HOURS = env_int("WEBHOOK_SECRET_OVERLAP_HOURS", 24)
if not 0 <= WEBHOOK_SECRET_OVERLAP_HOURS <= 24 * 30:
    raise ImproperlyConfigured("WEBHOOK_SECRET_OVERLAP_HOURS must be from 0 to 720")
WEBHOOK_TIMEOUT_SECONDS = env_seconds("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_CLAIM_SECONDS = env_seconds("WEBHOOK_CLAIM_SECONDS", 120)
if WEBHOOK_MAX_ATTEMPTS < 1 or WEBHOOK_DISABLE_AFTER_FAILURES < 1:
    raise ImproperlyConfigured("WEBHOOK_MAX_ATTEMPTS and WEBHOOK_DISABLE_AFTER_FAILURES must be at least 1")
# Production sends webhooks over HTTPS only, never to loopback or private addresses; development and
# the tests' local receiver need both.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", DEBUG)
# Open data: the license every public feed states, and how often one address may ask for it.
OPEN_DATA_LICENSE = env_str(
    "OPEN_DATA_LICENSE",
    "A work of the United States Government, in the public domain in the United States (17 U.S.C. 105); "
    "elsewhere dedicated to the public domain under CC0 1.0 Universal.",
)
OPEN_DATA_RATE = env_str("OPEN_DATA_RATE", "60/minute")
# The DCAT-US 1.1 catalog (/data.json): the license as a URI, who publishes and answers for the data,
# and the OMB codes federal catalogs require (Circular A-11 Appendix C bureau; Federal Program Inventory).
OPEN_DATA_LICENSE_URL = env_str("OPEN_DATA_LICENSE_URL", "https://creativecommons.org/publicdomain/zero/1.0/")
OPEN_DATA_PUBLISHER = env_str("OPEN_DATA_PUBLISHER", "orderctl")
OPEN_DATA_CONTACT_NAME = env_str("OPEN_DATA_CONTACT_NAME", "Open data contact")
OPEN_DATA_CONTACT_EMAIL = env_str("OPEN_DATA_CONTACT_EMAIL", "opendata@example.gov")
OPEN_DATA_BUREAU_CODE = env_str("OPEN_DATA_BUREAU_CODE", "000:00")
OPEN_DATA_PROGRAM_CODE = env_str("OPEN_DATA_PROGRAM_CODE", "000:000")
if not __import__("re").fullmatch(r"[0-9]{3}:[0-9]{2}", OPEN_DATA_BUREAU_CODE):
    raise ImproperlyConfigured("OPEN_DATA_BUREAU_CODE must be OMB's agency:bureau code, e.g. 011:00")
if not __import__("re").fullmatch(r"[0-9]{3}:[0-9]{3}", OPEN_DATA_PROGRAM_CODE):
    raise ImproperlyConfigured("OPEN_DATA_PROGRAM_CODE must be agency:program, e.g. 011:000")
if not __import__("re").fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", OPEN_DATA_RATE):
    raise ImproperlyConfigured("OPEN_DATA_RATE must be N/second, N/minute, N/hour or N/day, e.g. 60/minute")

# --- Single sign-on (OpenID Connect, mozilla-django-oidc; docs/integrations.md) -------------------
# Off unless asked for. On, every setting below is checked now: a production site refuses to start
# with an endpoint that is not https://, without a client, or without the key its client
# authentication needs (Login.gov: private_key_jwt, an RSA private key in PEM).
SSO_ENABLED = env_bool("SSO_ENABLED", False)
# Sign-in with a local password; off leaves single sign-on as the only way in (the admin's too).
LOCAL_PASSWORDS = env_bool("LOCAL_PASSWORDS", True)
SSO_LABEL = env_str("SSO_LABEL", "Sign in with Login.gov")
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "")
# Where signing out continues at the provider (RP-initiated logout); discovered when empty.
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_OP_LOGOUT_ENDPOINT", "")
# The endpoints left empty above come from the issuer's discovery document, which is kept this long
# with the provider's keys (a key the kept set lacks makes us fetch them again: rotation is picked up).
OIDC_DISCOVERY_CACHE_SECONDS = env_seconds("OIDC_DISCOVERY_CACHE_SECONDS", 3600)
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_AUTH = env_str("OIDC_RP_CLIENT_AUTH", "private_key_jwt")
OIDC_RP_CLIENT_SECRET = _secret_from_env_or_file("OIDC_RP_CLIENT_SECRET")
OIDC_RP_PRIVATE_KEY = _secret_from_env_or_file("OIDC_RP_PRIVATE_KEY")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email")
# The assurance asked for, e.g. Login.gov's "urn:acr.login.gov:auth-only" (space-separated if several).
OIDC_ACR_VALUES = env_str("OIDC_ACR_VALUES", "")
# The provider issues only addresses it has verified and so sends no email_verified (Microsoft Entra ID
# for its tenant's own accounts): a missing claim then vouches for the address, an explicit false still
# does not. Off: only email_verified true links a pre-provisioned account by its address (agencies.sso).
OIDC_OP_EMAILS_ARE_VERIFIED = env_bool("OIDC_OP_EMAILS_ARE_VERIFIED", False)
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # for the provider's sign-out (its id_token_hint), in the server-side session
OIDC_CREATE_USER = True
OIDC_TIMEOUT = env_seconds("OIDC_TIMEOUT_SECONDS", 10)
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": OIDC_ACR_VALUES} if OIDC_ACR_VALUES else {}
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"  # the library redirects to it as given
OIDC_AUTHENTICATE_CLASS = "agencies.sso_views.SignOnView"
OIDC_CALLBACK_CLASS = "agencies.sso_views.CallbackView"
if not SSO_ENABLED and not LOCAL_PASSWORDS:
    raise ImproperlyConfigured("LOCAL_PASSWORDS=false needs SSO_ENABLED=true, or nobody could sign in")
if SSO_ENABLED:
    from agencies.sso_config import problems as _sso_problems

    _found = _sso_problems(globals(), production=not DEBUG)
    if _found:
        raise ImproperlyConfigured("Single sign-on is misconfigured: " + "; ".join(_found))
if not LOCAL_PASSWORDS:
    AUTHENTICATION_BACKENDS.remove("django.contrib.auth.backends.ModelBackend")

# --- Email ----------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    # Django's SMTP backend that tells an unanswered email from a refused one (directives/notices/mail.py).
    else "directives.notices.mail.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A hung SMTP server must fail the send well within NOTIFICATION_CLAIM_SECONDS (see above).
EMAIL_TIMEOUT = env_seconds("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "orderctl <orderctl@localhost>")

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
