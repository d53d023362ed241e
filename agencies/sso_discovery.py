"""The OpenID provider's endpoints and keys, found from its issuer URL (OpenID Connect Discovery 1.0).

``{issuer}/.well-known/openid-configuration`` names the authorization, token, userinfo and sign-out
endpoints and ``jwks_uri``, where the provider publishes its signing keys. Both are cached
(``OIDC_DISCOVERY_CACHE_SECONDS``); an ID token signed with a key the cached set does not have makes
us fetch the keys again once, so a provider's key rotation is picked up at the next sign-in. An
endpoint set in the settings (``OIDC_OP_*_ENDPOINT``) overrides the discovered one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation

WELL_KNOWN = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    userinfo: str
    jwks: str


def _get_json(url: str) -> dict[str, Any]:
    response = requests.get(url, timeout=settings.OIDC_TIMEOUT, headers={"Accept": "application/json"})
    response.raise_for_status()
    body = response.json()
    if not isinstance(body, dict):
        raise SuspiciousOperation(f"{url} did not answer a JSON object")
    return body


def _check_address(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise SuspiciousOperation(f"The provider's {name} is not an http(s) address: {value!r}")
    # An https:// issuer (production requires one, agencies/sso_config.py) keeps every endpoint on it.
    if settings.OIDC_OP_ISSUER.startswith("https://") and not value.startswith("https://"):
        raise SuspiciousOperation(f"The provider's {name} is not https://: {value!r}")
    return value


def configuration() -> dict[str, Any]:
    """Return the issuer's discovery document, checked to be the issuer's own (cached)."""
    issuer = settings.OIDC_OP_ISSUER
    key = f"oidc:discovery:{issuer}"
    document: dict[str, Any] | None = cache.get(key)
    if document is None:
        document = _get_json(issuer.rstrip("/") + WELL_KNOWN)
        # Discovery 1.0, section 4.3: the document's issuer must be exactly the one asked, or another
        # provider could stand in for ours (a mix-up).
        if document.get("issuer") != issuer:
            raise SuspiciousOperation(
                f"The discovery document names the issuer {document.get('issuer')!r}, not {issuer!r}"
            )
        cache.set(key, document, settings.OIDC_DISCOVERY_CACHE_SECONDS)
    return document


def endpoints() -> Endpoints:
    """Return the provider's endpoints: each from the settings if set there, else from discovery (asked
    only if one of them is missing)."""
    given = {
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.OIDC_OP_USER_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
    }
    if not all(given.values()):
        document = configuration()
        given = {name: value or document.get(name, "") for name, value in given.items()}
    return Endpoints(
        authorization=_check_address("authorization_endpoint", given["authorization_endpoint"]),
        token=_check_address("token_endpoint", given["token_endpoint"]),
        userinfo=_check_address("userinfo_endpoint", given["userinfo_endpoint"]),
        jwks=_check_address("jwks_uri", given["jwks_uri"]),
    )


def end_session_endpoint() -> str:
    """Return where the provider signs people out (RP-initiated logout), or "" if it offers nothing."""
    found = settings.OIDC_OP_LOGOUT_ENDPOINT or configuration().get("end_session_endpoint") or ""
    return _check_address("end_session_endpoint", found) if found else ""


def signing_key(token: str | bytes, jwks_uri: str) -> jwt.PyJWK:
    """Return the provider's key that signed ``token``, by its ``kid``; fetch the keys again once if the
    cached set lacks it (the provider rotated its keys)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise SuspiciousOperation(f"The ID token is not a JWT: {exc}") from None
    kid, alg = header.get("kid"), header.get("alg")
    key = f"oidc:jwks:{jwks_uri}"
    for fresh in (False, True):
        keys: dict[str, Any] | None = None if fresh else cache.get(key)
        if keys is None:
            keys = _get_json(jwks_uri)
            cache.set(key, keys, settings.OIDC_DISCOVERY_CACHE_SECONDS)
        for jwk in keys.get("keys", []):
            if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig":
                continue
            if (kid is None or jwk.get("kid") == kid) and jwk.get("alg", alg) == alg:
                return jwt.PyJWK(jwk)
    raise SuspiciousOperation(f"The provider publishes no key {kid!r} for {alg!r} at {jwks_uri}")
