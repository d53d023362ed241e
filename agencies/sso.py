"""Single sign-on: the OpenID Connect backend (mozilla-django-oidc) and the accounts it makes.

The flow is the authorization code flow with PKCE and a nonce (the library's request and callback
views, ``agencies/sso_views.py``). Here the client authenticates to the token endpoint with
``private_key_jwt`` (RFC 7523: a short-lived JWT signed with our RSA key, as Login.gov requires) or a
client secret, and the ID token is checked in full: signature against the provider's keys, issuer,
audience (our client id), expiry, nonce and, when asked for, the assurance level (``acr``). The
library checks the signature and nonce only; the rest is ours.

People are matched by a **verified** email address (case-insensitive). Someone new is created on first
sign-in with no membership, so with no rights beyond reading, until an administrator grants one; the
access log records the new user (``agencies.audit``).
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as Account
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

logger = logging.getLogger(__name__)
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CLOCK_SKEW_SECONDS = 60


def client_assertion(now: float | None = None) -> str:
    """Return a ``private_key_jwt`` client assertion for one token request (RFC 7523, section 2.2)."""
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": settings.OIDC_RP_CLIENT_ID,
        "sub": settings.OIDC_RP_CLIENT_ID,
        "aud": settings.OIDC_OP_TOKEN_ENDPOINT,
        "jti": secrets.token_urlsafe(24),
        "iat": issued,
        "exp": issued + 300,
    }
    return jwt.encode(claims, settings.OIDC_RP_PRIVATE_KEY, algorithm="RS256")


def create_sso_user(email: str) -> Account:
    """Create the account of someone signing in for the first time: no password, no membership."""
    User = get_user_model()
    base = email.strip()
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    with transaction.atomic():
        user = User(username=username[:150], email=base)
        user.set_unusable_password()
        user.save()  # the access log's signal records the new user in this transaction
    logger.info("single sign-on created the account %s (no membership yet)", username)
    return user


class SignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, with private_key_jwt and the ID token checks it leaves out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Listed always, acting only when single sign-on is on: password sign-ins pass through it.
        self.enabled = settings.SSO_ENABLED
        if self.enabled:
            super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]  # mozilla-django-oidc: untyped

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Account | None:
        # ``username`` and ``password`` are a password sign-in's (ModelBackend's): not ours to check.
        if not self.enabled or "nonce" not in kwargs:
            return None
        user: Account | None = super().authenticate(request, **kwargs)  # type: ignore[no-untyped-call]  # mozilla-django-oidc: untyped
        return user

    def get_token(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Exchange the code at the token endpoint, authenticating as the configured method says."""
        payload = dict(payload)
        method = settings.OIDC_RP_CLIENT_AUTH
        if method == "private_key_jwt":
            payload.pop("client_secret", None)
            payload["client_assertion_type"] = CLIENT_ASSERTION_TYPE
            payload["client_assertion"] = client_assertion()
        token: dict[str, Any] = super().get_token(payload)  # type: ignore[no-untyped-call]  # mozilla-django-oidc: untyped
        return token

    @staticmethod  # as the library's: it reads settings, not the backend
    def get_settings(attr: str, *args: Any) -> Any:
        # Basic authentication at the token endpoint is OIDC_RP_CLIENT_AUTH's choice, not a setting apart.
        if attr == "OIDC_TOKEN_USE_BASIC_AUTH":
            return settings.OIDC_RP_CLIENT_AUTH == "client_secret_basic"
        return OIDCAuthenticationBackend.get_settings(attr, *args)

    def _verify_jws(self, payload: str | bytes, key: jwt.PyJWK | str | bytes) -> dict[str, Any]:
        """Verify signature, issuer, audience, expiry and issue time; refuse anything else."""
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"The ID token is not a JWT: {exc}") from None
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"The ID token is signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}"
            )
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=settings.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "aud", "sub", "exp", "iat"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"The ID token was refused: {exc}") from None

    def verify_token(self, token: str | bytes, **kwargs: Any) -> dict[str, Any]:
        claims: dict[str, Any] = super().verify_token(token, **kwargs)  # type: ignore[no-untyped-call]  # mozilla-django-oidc: untyped
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != settings.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("The ID token names several audiences and another party as azp")
        wanted = settings.OIDC_ACR_VALUES.split()
        if "nonce" in kwargs and wanted and claims.get("acr") not in wanted:
            raise SuspiciousOperation(f"The sign-in's assurance {claims.get('acr')!r} is not one asked for")
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        """Accept only a verified email address: it is what matches a person to their account."""
        return bool(claims.get("email")) and claims.get("email_verified") is True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[Account]:
        return get_user_model().objects.filter(email__iexact=claims["email"].strip())

    def create_user(self, claims: dict[str, Any]) -> Account:
        return create_sso_user(claims["email"])
