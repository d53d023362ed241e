"""Who gets in: tokens and sessions read; anonymous gets 401 except the schema and the docs;
a read-only token writes nothing; every token has its own rate limit."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from agencies import actions
from agencies.models import APIToken
from directives.models import DirectiveEvent

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/orders/",
    "/api/v1/orders/14409/",
    "/api/v1/agencies/",
    "/api/v1/agencies/CISA/",
    "/api/v1/directives/",
    "/api/v1/directives/{id}/",
    "/api/v1/directives/{id}/events/",
    "/api/v1/summary/",
    "/api/v1/no-such-endpoint/",
]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_gets_401_with_a_token_challenge(anonymous, directive, path):
    response = anonymous.get(path.format(id=directive("2(a)").pk))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": ["Authentication credentials were not provided."]}


def test_anonymous_cannot_post_an_update(anonymous, directive):
    response = anonymous.post(
        f"/api/v1/directives/{directive('2(a)').pk}/events/", {"note": "hi"}, format="json"
    )
    assert response.status_code == 401
    assert not DirectiveEvent.objects.filter(note="hi").exists()


def test_the_schema_and_the_docs_are_open_to_anyone(anonymous):
    schema = anonymous.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/directives/{id}/" in schema.json()["paths"]
    docs = anonymous.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    # Swagger UI is served from our own static files (drf-spectacular-sidecar), not a CDN.
    assert b"cdn.jsdelivr" not in docs.content and b"unpkg.com" not in docs.content


@pytest.mark.parametrize(
    "persona", ["as_cisa", "as_treasury", "as_oncd", "as_reviewer", "as_read_only", "as_admin"]
)
@pytest.mark.parametrize("path", ENDPOINTS[:-1])
def test_every_persona_reads_every_endpoint(request, directive, persona, path):
    client = request.getfixturevalue(persona)
    assert client.get(path.format(id=directive("2(a)").pk)).status_code == 200


def test_a_signed_in_user_of_no_agency_reads_too(as_outsider, directive):
    assert as_outsider.get(f"/api/v1/directives/{directive('2(a)').pk}/").status_code == 200


def test_a_wrong_token_is_refused(order):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    response = client.get("/api/v1/directives/")
    assert response.status_code == 401
    assert response.json() == {"detail": ["Invalid token."]}


@pytest.mark.parametrize(
    "key",
    [
        "\xff\xfe\xfd",  # not UTF-8 (the header's bytes are read as Latin-1)
        "caf\xe9" + "0" * 60,  # Latin-1, right length
        "0" * 63,  # too short
        "0" * 65,  # too long
        "g" * 64,  # not hexadecimal
        "0" * 14 + "\x00" + "0" * 49,  # a NUL, which PostgreSQL refuses in a query
    ],
)
def test_a_malformed_token_is_a_401_in_the_error_shape(order, key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/directives/")
    assert response.status_code == 401
    assert response.json() == {"detail": ["Invalid token."]}


def test_the_schema_describes_the_token_header(anonymous):
    schema = anonymous.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["components"]["securitySchemes"]["knoxApiToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    assert {"knoxApiToken": []} in schema["paths"]["/api/v1/orders/"]["get"]["security"]


def test_an_expired_token_is_refused(cisa_editor):
    with time_machine.travel(dt.datetime(2026, 7, 1, tzinfo=dt.UTC), tick=False):
        _, key = actions.create_api_token(cisa_editor, actor=cisa_editor, name="short", expires_days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with time_machine.travel(dt.datetime(2026, 7, 1, 23, 59, tzinfo=dt.UTC), tick=False):
        assert client.get("/api/v1/orders/").status_code == 200
    with time_machine.travel(dt.datetime(2026, 7, 2, 0, 1, tzinfo=dt.UTC), tick=False):
        assert client.get("/api/v1/orders/").status_code == 401


def test_a_revoked_token_is_refused(cisa_editor):
    token, key = actions.create_api_token(cisa_editor, actor=cisa_editor, name="soon gone", expires_days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/orders/").status_code == 200
    actions.revoke_api_token(token, actor=cisa_editor)
    assert client.get("/api/v1/orders/").status_code == 401


def test_an_inactive_users_token_is_refused(cisa_editor, as_cisa):
    cisa_editor.is_active = False
    cisa_editor.save()
    assert as_cisa.get("/api/v1/orders/").status_code == 401


def test_a_read_only_token_reads(as_read_only, directive):
    assert as_read_only.get(f"/api/v1/directives/{directive('2(c)(i)').pk}/").status_code == 200


def test_a_read_only_token_cannot_write_even_for_an_editor(as_read_only, directive):
    response = as_read_only.post(
        f"/api/v1/directives/{directive('2(c)(i)').pk}/events/", {"status": "in_progress"}, format="json"
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"][0]
    assert not DirectiveEvent.objects.filter(kind="status_changed").exists()


def test_a_browser_session_reads_and_must_send_the_csrf_token_to_write(cisa_editor, directive):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cisa_editor)
    path = f"/api/v1/directives/{directive('2(c)(i)').pk}/events/"
    assert client.get(path).status_code == 200
    refused = client.post(path, {"note": "from the browser"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"][0]
    secret = "s" * 32  # what the browser holds in its csrftoken cookie and echoes in X-CSRFToken
    client.cookies["csrftoken"] = secret
    accepted = client.post(path, {"note": "from the browser"}, format="json", HTTP_X_CSRFTOKEN=secret)
    assert accepted.status_code == 201


def test_each_token_has_its_own_rate_limit(cisa_editor, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "token": "3/minute"},
    }
    first, second = APIClient(), APIClient()
    for client in (first, second):
        _, key = actions.create_api_token(cisa_editor, actor=cisa_editor, name="rate", expires_days=1)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert [first.get("/api/v1/orders/").status_code for _ in range(3)] == [200, 200, 200]
    throttled = first.get("/api/v1/orders/")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert "throttled" in throttled.json()["detail"][0].lower()
    assert second.get("/api/v1/orders/").status_code == 200
    assert APIToken.objects.filter(user=cisa_editor).count() == 2
