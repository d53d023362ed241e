"""Start the test OpenID provider (``provider.mjs``, npm's oidc-provider) and point orderctl at it."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SCRIPT = Path(__file__).with_name("provider.mjs")
ROOT = SCRIPT.parents[2]
CLIENT_ID = "orderctl-test"
ACR = "urn:acr.login.gov:auth-only"


def _b64url_uint(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    private_key_pem: str

    def settings(self) -> dict[str, object]:
        """Return the settings that point orderctl at this provider by its issuer alone (discovery),
        with private_key_jwt, PKCE and an acr."""
        return {
            "SSO_ENABLED": True,
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": "",
            "OIDC_OP_TOKEN_ENDPOINT": "",
            "OIDC_OP_USER_ENDPOINT": "",
            "OIDC_OP_JWKS_ENDPOINT": "",
            "OIDC_OP_LOGOUT_ENDPOINT": "",
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_AUTH": "private_key_jwt",
            "OIDC_RP_PRIVATE_KEY": self.private_key_pem,
            "OIDC_ACR_VALUES": ACR,
            "OIDC_AUTH_REQUEST_EXTRA_PARAMS": {"acr_values": ACR},
        }

    def set_mode(self, mode: str) -> None:
        """Make the token endpoint answer "normal", "tampered", "wrong-audience", "no-acr" or "expired"
        ID tokens."""
        self._post("mode", mode)

    def person(self, subject: str, email: str, verified: str) -> str:
        """Make the login ``subject`` that person: ``email`` ("" for none) and ``email_verified``
        "true", "false" or "absent"; return the login."""
        self._post("person", f"{subject}|{email}|{verified}")
        return subject

    def rotate_keys(self) -> None:
        """Replace the provider's signing key: a new kid, the old key gone from its jwks_uri."""
        self._post("rotate", "")

    def _post(self, what: str, body: str) -> None:
        url = f"{self.issuer}/__test__/{what}"
        request = urllib.request.Request(url, data=body.encode(), method="POST")  # noqa: S310 - http://127.0.0.1
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our own local provider
            assert response.status == 200


@contextmanager
def running_provider(redirect_uri: str, post_logout_redirect_uri: str = "") -> Iterator[Provider]:
    """Run the provider on a free local port until the block ends."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()
    public_jwk = {"kty": "RSA", "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    port = free_port()
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "REDIRECT_URI": redirect_uri,
        "POST_LOGOUT_REDIRECT_URI": post_logout_redirect_uri,
        "RP_PUBLIC_JWK": json.dumps(public_jwk),
        "ACR": ACR,
        "NODE_PATH": str(ROOT / "node_modules"),
        # On the suite's clock: under `make test-future` (libfaketime) the provider dates its tokens as
        # the application reads them, as a real provider and client share the time of day.
        **{k: v for k, v in os.environ.items() if k == "LD_PRELOAD" or k.startswith("FAKETIME")},
    }
    # Its warnings (a development adapter ...), shown if it fails to start; closed below.
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - outlives this statement: the provider writes it
    process = subprocess.Popen(  # noqa: S603 - node running our own script
        [shutil.which("node") or "node", str(SCRIPT)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        # "ready" once it listens; an empty line is its end: it stopped before listening.
        line = process.stdout.readline() if process.stdout else ""
        if line.strip() != "ready":
            log.seek(0)
            raise RuntimeError(f"the OpenID provider did not start: {line}{log.read()}")
        yield Provider(issuer=f"http://127.0.0.1:{port}", private_key_pem=pem)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
