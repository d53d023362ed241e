"""The project: debug, hosts, apps, middleware, templates, the database, cache, static files, the look."""

from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from .environment import env_bool, env_int, env_list, env_str

# `ModelAdmin[Agency]`, `ModelForm[Directive]`: Django's classes take the type checker's parameters.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent


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
