"""The webhooks API: editors manage their agency's, administrators any; bad input is a 400 naming each
field in the one error shape, and nothing is written; the delivery log reads back."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agencies.models import Agency
from directives import actions
from directives.models.outreach import WebhookSubscription
from ledger.models import AccessEvent


@pytest.fixture
def api(cisa_editor) -> APIClient:
    client = APIClient()
    client.force_authenticate(cisa_editor)
    return client


def test_an_editor_adds_a_webhook_for_their_agency_and_sees_its_secret(api, cisa_editor):
    response = api.post(
        "/api/v1/webhooks/",
        {"name": "CISA channel", "url": "https://hooks.example.gov/x", "agency": "CISA", "format": "teams"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["agency"] == "CISA" and body["format"] == "teams" and body["secret"].startswith("whsec_")
    assert body["kinds"] == [
        "reminder", "overdue", "escalation", "extension_requested", "extension_decided"
    ]  # fmt: skip
    assert api.get("/api/v1/webhooks/").json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name", "url"}),
        ({"name": "x", "url": "javascript:alert(1)", "agency": "CISA"}, {"url"}),
        ({"name": "x", "url": "https://h.example.gov", "agency": "NOPE"}, {"agency"}),
        ({"name": "x", "url": "https://h.example.gov", "order": "abc"}, {"order"}),
        ({"name": "x", "url": "https://h.example.gov", "agency": "CISA", "format": "fax"}, {"format"}),
        ({"name": "x", "url": "https://h.example.gov", "agency": "CISA", "kinds": ["gossip"]}, {"kinds"}),
        ({"name": "x", "url": "https://h.example.gov", "agency": "CISA", "kinds": []}, {"kinds"}),
        ({"name": "x", "url": "https://h.example.gov", "agency": "CISA", "colour": "red"}, {"colour"}),
        ({"name": "x", "url": "https://h.example.gov"}, {"scope"}),
        ({"name": "", "url": "https://h.example.gov", "agency": "CISA"}, {"name"}),
    ],
)
def test_bad_input_is_a_400_naming_each_field_and_writes_nothing(api, body, fields):
    before = AccessEvent.objects.count()
    response = api.post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert fields <= set(errors), errors
    assert all(isinstance(m, list) and m for m in errors.values())
    assert not WebhookSubscription.objects.exists()
    assert AccessEvent.objects.count() == before


def test_a_body_that_is_not_an_object_is_a_400(api):
    assert api.post("/api/v1/webhooks/", "[1, 2]", content_type="application/json").status_code == 400
    assert api.post("/api/v1/webhooks/", "{not json", content_type="application/json").status_code == 400


def test_another_agencys_editor_is_refused_and_cannot_see_it(api, treasury_editor, order):
    theirs = APIClient()
    theirs.force_authenticate(treasury_editor)
    response = theirs.post(
        "/api/v1/webhooks/", {"name": "x", "url": "https://h.example.gov", "agency": "CISA"}, format="json"
    )
    assert response.status_code == 403
    made = api.post(
        "/api/v1/webhooks/", {"name": "x", "url": "https://h.example.gov", "agency": "CISA"}, format="json"
    )
    pk = made.json()["id"]
    assert theirs.get(f"/api/v1/webhooks/{pk}/").status_code == 404
    assert theirs.patch(f"/api/v1/webhooks/{pk}/", {"active": False}, format="json").status_code == 404


def test_patch_pauses_and_re_enables_and_refuses_bad_values(api, cisa_editor):
    sub = actions.create_webhook(
        actor=cisa_editor,
        name="x",
        url="https://h.example.gov",
        agency=Agency.objects.get(abbreviation="CISA"),
    )
    assert (
        api.patch(f"/api/v1/webhooks/{sub.pk}/", {"active": False}, format="json").json()["active"] is False
    )
    refused = api.patch(f"/api/v1/webhooks/{sub.pk}/", {"active": "maybe", "agency": "DHS"}, format="json")
    assert refused.status_code == 400 and {"active", "agency"} <= set(refused.json())
    assert api.patch(f"/api/v1/webhooks/{sub.pk}/", {}, format="json").status_code == 400
    sub.refresh_from_db()
    assert sub.active is False
    assert api.get(f"/api/v1/webhooks/{sub.pk}/deliveries/").json()["count"] == 0
