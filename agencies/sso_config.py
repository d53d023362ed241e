"""What is wrong with a single sign-on configuration: checked when the settings load (fail closed).

Pure: reads the values ``orderctl/settings/`` computed, imports nothing of Django's app registry.
"""

from __future__ import annotations

from collections.abc import Mapping

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

# Each may be left empty: it is then found from the issuer's discovery document (agencies/sso_discovery.py).
ENDPOINTS = (
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_OP_LOGOUT_ENDPOINT",
)
CLIENT_AUTH_METHODS = ("private_key_jwt", "client_secret_post", "client_secret_basic")
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")


def problems(values: Mapping[str, object], *, production: bool) -> list[str]:
    """Return each problem of the ``OIDC_*`` values in ``values``; an empty list means it can run."""
    found: list[str] = []
    for name in ("OIDC_OP_ISSUER", *ENDPOINTS, "OIDC_RP_CLIENT_ID"):
        value = str(values.get(name) or "")
        if not value and name in ENDPOINTS:
            continue
        if not value:
            found.append(f"{name} must be set")
        elif name != "OIDC_RP_CLIENT_ID":
            if production and not value.startswith("https://"):
                found.append(f"{name} must start with https:// in production, not {value!r}")
            elif not value.startswith(("https://", "http://")):
                found.append(f"{name} must be an http(s):// address, not {value!r}")
    method = values.get("OIDC_RP_CLIENT_AUTH")
    if method not in CLIENT_AUTH_METHODS:
        found.append(f"OIDC_RP_CLIENT_AUTH must be one of {', '.join(CLIENT_AUTH_METHODS)}, not {method!r}")
    elif method == "private_key_jwt":
        key = str(values.get("OIDC_RP_PRIVATE_KEY") or "")
        if not key:
            found.append("OIDC_RP_PRIVATE_KEY (or OIDC_RP_PRIVATE_KEY_FILE) must be set for private_key_jwt")
        else:
            try:
                parsed = load_pem_private_key(key.encode(), password=None)
            except (ValueError, TypeError):
                found.append("OIDC_RP_PRIVATE_KEY is not an unencrypted PEM private key")
            else:
                if not isinstance(parsed, RSAPrivateKey) or parsed.key_size < 2048:
                    found.append("OIDC_RP_PRIVATE_KEY must be an RSA key of at least 2048 bits")
    elif not values.get("OIDC_RP_CLIENT_SECRET"):
        found.append(f"OIDC_RP_CLIENT_SECRET must be set for {method}")
    if values.get("OIDC_RP_SIGN_ALGO") not in SIGNING_ALGORITHMS:
        found.append(f"OIDC_RP_SIGN_ALGO must be one of {', '.join(SIGNING_ALGORITHMS)} (asymmetric)")
    if "openid" not in str(values.get("OIDC_RP_SCOPES") or "").split():
        found.append("OIDC_RP_SCOPES must include openid")
    return found
