"""Single sign-on: the OpenID Connect backend (mozilla-django-oidc) and the accounts it makes.

The flow is the authorization code flow with PKCE and a nonce (the library's request and callback
views, ``agencies/sso_views.py``). Here the client authenticates to the token endpoint with
``private_key_jwt`` (RFC 7523: a short-lived JWT signed with our RSA key, as Login.gov requires) or a
client secret, and the ID token is checked in full: signature against the provider's keys, issuer,
audience (our client id), expiry, nonce and, when asked for, the assurance level (``acr``). The
library checks the signature and nonce only; the rest is ours.

People are matched by the provider's issuer and subject (``sub``), the one thing a provider promises
never to give anyone else, through a ``SignOnLink``. The first sign-in of a subject makes the link:

- to a new account, made with no membership (so no rights beyond reading until an administrator
  grants one), when no account has the email address;
- to the one account that has the address, if the provider vouches for it (``email_verified`` true,
  or absent from a provider set ``OIDC_OP_EMAILS_ARE_VERIFIED``), that account was never linked, and
  it is neither staff nor superuser: an address can be reassigned, a subject cannot;
- to nobody otherwise: the sign-in is refused and the log says why. Staff and superusers sign in with
  their password, or an administrator links them in the admin.

Later sign-ins match the link alone; the email address is never read again. Each link and unlink is
in the access log (``agencies.actions``).
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

import jwt
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as Account
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import actions, sso_discovery
from .access import SSO_IDENTITY
from .models import SignOnLink

logger = logging.getLogger(__name__)
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CLOCK_SKEW_SECONDS = 60
# Where the session keeps the ID token a person signed on with, for the provider's sign-out.
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # noqa: S105 - a session key name, not a secret


def identity_of(issuer: str, subject: str) -> str:
    """Return the name single sign-on failures of ``subject`` at ``issuer`` are counted under."""
    return f"sso:{subject}@{issuer}"[:255]


def client_assertion(now: float | None = None, *, audience: str | None = None) -> str:
    """Return a ``private_key_jwt`` client assertion for one token request (RFC 7523, section 2.2),
    addressed to ``audience``, the token endpoint (the one in the settings if not given)."""
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": settings.OIDC_RP_CLIENT_ID,
        "sub": settings.OIDC_RP_CLIENT_ID,
        "aud": audience or settings.OIDC_OP_TOKEN_ENDPOINT,
        "jti": secrets.token_urlsafe(24),
        "iat": issued,
        "exp": issued + 300,
    }
    return jwt.encode(claims, settings.OIDC_RP_PRIVATE_KEY, algorithm="RS256")


def create_sso_user(email: str, *, issuer: str, subject: str) -> Account:
    """Create the account of someone signing in for the first time, linked to their subject: no
    password, no membership."""
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
        actions.link_sign_on(user, actor=None, issuer=issuer, subject=subject, how="new account")
    logger.info("single sign-on created the account %s (no membership yet)", username)
    return user


def email_vouched_for(claims: dict[str, Any]) -> bool:
    """Return whether the provider vouches that the person controls ``claims["email"]``.

    ``email_verified`` true does; false never does; absent does only from a provider configured to
    issue verified addresses alone (``OIDC_OP_EMAILS_ARE_VERIFIED``, e.g. Microsoft Entra ID, which
    does not send the claim).
    """
    if not isinstance(claims.get("email"), str) or not claims["email"].strip():
        return False
    if "email_verified" not in claims:
        return bool(settings.OIDC_OP_EMAILS_ARE_VERIFIED)
    return claims["email_verified"] is True


class Refused(SuspiciousOperation):
    """A verified person the rules do not let in (they are told to ask an administrator)."""


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
        # The provider's endpoints, found from its issuer (only now: a password sign-in passes here too).
        found = sso_discovery.endpoints()
        self.OIDC_OP_TOKEN_ENDPOINT = found.token
        self.OIDC_OP_USER_ENDPOINT = found.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = found.jwks
        user: Account | None = super().authenticate(request, **kwargs)  # type: ignore[no-untyped-call]  # mozilla-django-oidc: untyped
        return user

    def get_token(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Exchange the code at the token endpoint, authenticating as the configured method says."""
        payload = dict(payload)
        method = settings.OIDC_RP_CLIENT_AUTH
        if method == "private_key_jwt":
            payload.pop("client_secret", None)
            payload["client_assertion_type"] = CLIENT_ASSERTION_TYPE
            payload["client_assertion"] = client_assertion(audience=self.OIDC_OP_TOKEN_ENDPOINT)
        token: dict[str, Any] = super().get_token(payload)  # type: ignore[no-untyped-call]  # mozilla-django-oidc: untyped
        return token

    @staticmethod  # as the library's: it reads settings, not the backend
    def get_settings(attr: str, *args: Any) -> Any:
        # Basic authentication at the token endpoint is OIDC_RP_CLIENT_AUTH's choice, not a setting apart.
        if attr == "OIDC_TOKEN_USE_BASIC_AUTH":
            return settings.OIDC_RP_CLIENT_AUTH == "client_secret_basic"
        return OIDCAuthenticationBackend.get_settings(attr, *args)

    def retrieve_matching_jwk(self, token: str | bytes) -> jwt.PyJWK:
        """Return the provider's key for ``token``, picking up rotated keys (``sso_discovery``)."""
        return sso_discovery.signing_key(token, self.OIDC_OP_JWKS_ENDPOINT)

    def store_tokens(self, access_token: str, id_token: str) -> None:
        # The ID token, for RP-initiated sign-out (its id_token_hint); the access token is not kept.
        self.request.session[ID_TOKEN_SESSION_KEY] = id_token

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

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Account | None:
        """Return the account linked to the ID token's issuer and subject, linking one first if the
        rules allow (the module's docstring); raise ``Refused`` saying why not."""
        issuer, subject = payload["iss"], str(payload["sub"])
        if self.request is not None:
            setattr(self.request, SSO_IDENTITY, identity_of(issuer, subject))
            # Failures are counted per (subject, address) from here on; refuse a pair that is locked.
            if AxesProxyHandler.is_locked(self.request, {}):
                # As for passwords: refused without being counted, so trying again does not extend it.
                self.request.axes_locked_out = True  # django-axes reads this mark
                raise Refused(f"{subject} at {issuer} failed too often from this address: paused")
        link = (
            SignOnLink.objects.filter(issuer=issuer, subject=subject, unlinked__isnull=True)
            .select_related("user")
            .first()
        )
        if link is not None:
            if not link.user.is_active:
                raise Refused(f"{subject} at {issuer} is linked to the inactive account {link.user}")
            return link.user
        claims = dict(payload)
        if "email" not in claims:
            userinfo = self.get_userinfo(access_token, id_token, payload)  # type: ignore[no-untyped-call]  # mozilla-django-oidc: untyped
            if str(userinfo.get("sub")) != subject:
                raise Refused("The provider's userinfo names another subject than its ID token")
            claims.update({k: userinfo[k] for k in ("email", "email_verified") if k in userinfo})
        if not email_vouched_for(claims):
            raise Refused(
                f"{subject} at {issuer} is new and the provider does not vouch for an email address"
            )
        email = claims["email"].strip()
        with transaction.atomic():
            candidates = list(get_user_model().objects.select_for_update().filter(email__iexact=email)[:2])
            if not candidates:
                return create_sso_user(email, issuer=issuer, subject=subject)
            if len(candidates) > 1:
                raise Refused(f"Several accounts have the address {email}: an administrator must link one")
            user = candidates[0]
            if user.is_staff or user.is_superuser or not user.is_active:
                raise Refused(f"{user} is staff, a superuser or inactive: only an administrator links it")
            if SignOnLink.objects.filter(user=user).exists():
                raise Refused(
                    f"{user} has been linked before, so its address ({email}) no longer links it: "
                    "a changed subject or a reused address needs an administrator"
                )
            actions.link_sign_on(user, actor=None, issuer=issuer, subject=subject, how="verified email")
        return user
