"""Single sign-on settings fail closed: a production site with SSO on refuses to start on anything
incomplete or unsafe; the client assertion is what RFC 7523 asks; the routes are absent when off."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from agencies import sso
from agencies.sso_config import problems
from tests.test_settings import run_django


def pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


GOOD = {
    "OIDC_OP_ISSUER": "https://idp.int.identitysandbox.gov/",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.int.identitysandbox.gov/openid_connect/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.int.identitysandbox.gov/api/openid_connect/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.int.identitysandbox.gov/api/openid_connect/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.int.identitysandbox.gov/api/openid_connect/certs",
    "OIDC_RP_CLIENT_ID": "urn:gov:gsa:openidconnect.profiles:sp:sso:agency:orderctl",
    "OIDC_RP_CLIENT_AUTH": "private_key_jwt",
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_RP_SCOPES": "openid email",
}


def test_a_complete_configuration_has_no_problems():
    assert problems({**GOOD, "OIDC_RP_PRIVATE_KEY": pem()}, production=True) == []


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            {"OIDC_OP_TOKEN_ENDPOINT": "http://idp.example.gov/token"},
            "OIDC_OP_TOKEN_ENDPOINT must start with https://",
        ),
        ({"OIDC_RP_CLIENT_ID": ""}, "OIDC_RP_CLIENT_ID must be set"),
        ({"OIDC_RP_PRIVATE_KEY": ""}, "OIDC_RP_PRIVATE_KEY (or OIDC_RP_PRIVATE_KEY_FILE) must be set"),
        ({"OIDC_RP_PRIVATE_KEY": "not a key"}, "not an unencrypted PEM private key"),
        ({"OIDC_RP_CLIENT_AUTH": "none"}, "OIDC_RP_CLIENT_AUTH must be one of"),
        ({"OIDC_RP_CLIENT_AUTH": "client_secret_post"}, "OIDC_RP_CLIENT_SECRET must be set"),
        ({"OIDC_RP_SIGN_ALGO": "HS256"}, "OIDC_RP_SIGN_ALGO must be one of"),
        ({"OIDC_RP_SCOPES": "email"}, "OIDC_RP_SCOPES must include openid"),
    ],
)
def test_each_problem_is_named(change, says):
    found = problems({**GOOD, "OIDC_RP_PRIVATE_KEY": pem(), **change}, production=True)
    assert any(says in p for p in found), found


def test_a_small_key_is_refused():
    assert any(
        "at least 2048 bits" in p
        for p in problems({**GOOD, "OIDC_RP_PRIVATE_KEY": pem(1024)}, production=True)
    )


def test_production_refuses_to_start_with_incomplete_sso():
    result = run_django(
        "print('started')", SECRET_KEY="k" * 50, ALLOWED_HOSTS="tracker.example.gov", SSO_ENABLED="true"
    )
    assert result.returncode != 0
    assert "Single sign-on is misconfigured" in result.stderr
    assert "OIDC_RP_CLIENT_ID must be set" in result.stderr


def test_production_starts_with_complete_sso_and_passwords_off():
    env = {**GOOD, "OIDC_RP_PRIVATE_KEY": pem(), "SSO_ENABLED": "true", "LOCAL_PASSWORDS": "false"}
    code = "from django.conf import settings; print(settings.AUTHENTICATION_BACKENDS)"
    result = run_django(code, SECRET_KEY="k" * 50, ALLOWED_HOSTS="tracker.example.gov", **env)
    assert result.returncode == 0, result.stderr
    assert "ModelBackend" not in result.stdout and "SignOnBackend" in result.stdout


def test_passwords_off_without_sso_is_refused():
    result = run_django("print('started')", DEBUG="true", LOCAL_PASSWORDS="false")
    assert result.returncode != 0
    assert "LOCAL_PASSWORDS=false needs SSO_ENABLED=true" in result.stderr


def test_the_client_assertion_is_short_lived_and_for_the_token_endpoint(settings):
    key = pem()
    settings.OIDC_RP_PRIVATE_KEY = key
    settings.OIDC_RP_CLIENT_ID = "orderctl"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example.gov/token"
    assertion = sso.client_assertion(now=1_800_000_000)
    private = serialization.load_pem_private_key(key.encode(), None)
    assert isinstance(private, rsa.RSAPrivateKey)  # pem() makes RSA keys, as RS256 needs
    public = private.public_key()
    claims = jwt.decode(
        assertion, public, algorithms=["RS256"], audience="https://idp.example.gov/token",
        options={"verify_exp": False, "verify_iat": False},
    )  # fmt: skip
    assert claims["iss"] == claims["sub"] == "orderctl"
    assert claims["exp"] - claims["iat"] == 300
    assert len(claims["jti"]) >= 24
    assert sso.client_assertion(now=1_800_000_000) != assertion  # a new jti each time


def test_with_passwords_off_a_password_sign_in_is_refused(client, cisa_editor, settings):
    settings.LOCAL_PASSWORDS = False
    settings.SSO_ENABLED = True
    response = client.post("/accounts/login/", {"username": "cisa-editor", "password": "pw"})
    assert response.status_code == 400
    assert "turned off" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.fixture
def sso_on(settings, db):
    settings.SSO_ENABLED = True
    for name, value in GOOD.items():
        setattr(settings, name, value)
    settings.OIDC_RP_PRIVATE_KEY = pem()
    settings.OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "urn:acr.login.gov:auth-only"}


def test_the_start_sends_the_browser_to_the_provider_with_pkce_nonce_and_acr(client, sso_on):
    response = client.get("/accounts/sso/start/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}{target.path}" == GOOD["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["acr_values"] == ["urn:acr.login.gov:auth-only"]
    assert query["response_type"] == ["code"] and query["nonce"] and query["state"]


@pytest.mark.parametrize(
    "query",
    [
        "?code=abc&state=forged",
        "?error=access_denied&state=x",
        "",
        "?code=%00&state=%00",
        "?state=" + "s" * 5000,
    ],
)
def test_a_bad_or_forged_callback_goes_back_to_sign_in_without_signing_in(client, sso_on, query):
    client.get("/accounts/sso/start/")  # a real state in the session, which the forged one is not
    response = client.get("/accounts/sso/callback/" + query)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_the_issuer_alone_is_enough_the_rest_is_discovered():
    issuer_only = {k: v for k, v in GOOD.items() if not k.endswith("_ENDPOINT")}
    assert problems({**issuer_only, "OIDC_RP_PRIVATE_KEY": pem()}, production=True) == []
    found = problems({**issuer_only, "OIDC_OP_ISSUER": "", "OIDC_RP_PRIVATE_KEY": pem()}, production=True)
    assert "OIDC_OP_ISSUER must be set" in found
