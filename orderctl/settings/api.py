"""The REST API: authentication, throttles, pagination, the schema."""

from django.core.exceptions import ImproperlyConfigured

from .environment import env_int, env_str
from .evidence import EVIDENCE_MAX_BYTES

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
        # A webhook's test message (POST webhooks/{id}/test/): each makes a request to the receiver.
        "webhook_test": env_str("API_RATE_WEBHOOK_TEST", "10/minute"),
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
