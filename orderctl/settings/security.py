"""Security: cookies, HTTPS, headers, the content security policy, sign-in limits (docs/security.md)."""

import datetime as dt

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .core import DEBUG
from .environment import env_bool, env_int, env_list

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
