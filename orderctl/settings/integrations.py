"""Integrations (calendars, webhooks, open data), single sign-on (OpenID Connect) and email."""

from django.core.exceptions import ImproperlyConfigured

from .core import DATA_DIR, DEBUG
from .environment import _secret_from_env_or_file, env_bool, env_int, env_seconds, env_str
from .security import AUTHENTICATION_BACKENDS

# --- Integrations (docs/integrations.md) ---------------------------------------------------------
# Daily digests (for people who chose one) go out at this hour, 0-23, in each person's time zone
# (Eastern unless they chose another; the name is from when it was Eastern only).
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
# A hung SMTP server must fail the send well within NOTIFICATION_CLAIM_SECONDS (settings.workers).
EMAIL_TIMEOUT = env_seconds("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "orderctl <orderctl@localhost>")
