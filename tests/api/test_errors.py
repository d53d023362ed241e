"""Every status under /api/ answers in the API's JSON shape, never Django's HTML page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/", "/api/v2/directives/", "/api/v1/no-such-endpoint/"])
def test_an_unknown_path_under_api_is_a_json_404(as_reviewer, path):
    response = as_reviewer.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "No endpoint at" in response.json()["detail"][0]


def test_an_unknown_path_under_api_asks_the_anonymous_to_sign_in_in_json(client):
    response = client.get("/api/v2/directives/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["detail"]


def test_a_server_error_under_api_is_json(monkeypatch, reviewer):
    from directives.api import summary

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(summary, "summarize", broken)
    client = Client(raise_request_exception=False)
    client.force_login(reviewer)
    response = client.get("/api/v1/summary/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": ["The server failed to answer; it has been logged. Nothing may have been written."]
    }


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_a_method_the_schema_or_its_page_does_not_take_is_a_json_405(as_reviewer, path):
    """They answer in YAML and HTML; their refusals did too, until issue 24."""
    response = as_reviewer.post(path, {})
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": ['Method "POST" not allowed.']}
