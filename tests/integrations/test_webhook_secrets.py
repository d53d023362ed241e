"""Webhook signing secrets are shown once: in the answer that made them, never in a list, a read or to a
read-only token. Rotation keeps the old secret signing beside the new one for an overlap (Standard
Webhooks allows several signatures); endpoints are disabled and deleted; each is in the access log."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from agencies import actions as agency_actions
from agencies.models import Agency
from directives import actions
from directives.models.outreach import WebhookSubscription
from directives.notices import payloads
from ledger.models import AccessEvent

NOW = dt.datetime(2026, 7, 1, 14, 0, tzinfo=dt.UTC)
OVERLAP = dt.timedelta(hours=24)  # WEBHOOK_SECRET_OVERLAP_HOURS' default


@pytest.fixture
def editor(cisa_editor) -> APIClient:
    client = APIClient()
    client.force_authenticate(cisa_editor)
    return client


@pytest.fixture
def read_only(cisa_editor) -> APIClient:
    _, key = agency_actions.create_api_token(cisa_editor, actor=cisa_editor, name="ro", read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def webhook(cisa_editor) -> WebhookSubscription:
    return actions.create_webhook(
        actor=cisa_editor,
        name="CISA",
        url="https://hooks.example.gov/x",
        agency=Agency.objects.get(abbreviation="CISA"),
    )


def kinds(kind: str) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(kind=kind).order_by("seq"))


def test_a_read_only_token_never_sees_a_signing_secret(read_only, webhook):
    for path in ("/api/v1/webhooks/", f"/api/v1/webhooks/{webhook.pk}/"):
        response = read_only.get(path)
        assert response.status_code == 200
        assert webhook.secret not in response.content.decode()
        assert "whsec_" not in response.content.decode()


def test_a_list_and_a_read_never_show_the_secret_even_to_its_editor(editor, webhook):
    for path in ("/api/v1/webhooks/", f"/api/v1/webhooks/{webhook.pk}/"):
        assert "whsec_" not in editor.get(path).content.decode()


def test_the_secret_is_shown_once_when_the_webhook_is_made(editor):
    made = editor.post(
        "/api/v1/webhooks/",
        {"name": "x", "url": "https://hooks.example.gov/y", "agency": "CISA"},
        format="json",
    )
    assert made.status_code == 201
    secret = made.json()["secret"]
    assert secret == WebhookSubscription.objects.get().secret
    assert "no-store" in made["Cache-Control"]
    assert secret not in editor.get(f"/api/v1/webhooks/{made.json()['id']}/").content.decode()
    assert all(secret not in e.detail for e in AccessEvent.objects.all())


def test_a_rotation_shows_the_new_secret_once_and_is_audited(editor, webhook, cisa_editor):
    old = webhook.secret
    with time_machine.travel(NOW, tick=False):
        response = editor.post(f"/api/v1/webhooks/{webhook.pk}/rotate-secret/")
    assert response.status_code == 200
    new = response.json()["secret"]
    assert new.startswith("whsec_") and new != old
    assert response.json()["previous_secret_until"] == "2026-07-02T14:00:00Z"
    assert "no-store" in response["Cache-Control"]
    [rotated] = kinds(AccessEvent.Kind.WEBHOOK_SECRET_ROTATED)
    assert rotated.actor_id == cisa_editor.pk
    assert new not in rotated.detail and old not in rotated.detail
    assert new not in editor.get(f"/api/v1/webhooks/{webhook.pk}/").content.decode()


def test_during_the_overlap_both_secrets_verify_and_after_it_only_the_new(webhook, cisa_editor):
    old = webhook.secret
    with time_machine.travel(NOW, tick=False):
        rotated, new = actions.rotate_webhook_secret(webhook, actor=cisa_editor)
    body = '{"hello":"world"}'
    for moment, verifying in (
        (NOW + OVERLAP - dt.timedelta(minutes=1), {old, new}),
        (NOW + OVERLAP, {new}),
        (NOW + OVERLAP + dt.timedelta(minutes=1), {new}),
    ):
        with time_machine.travel(moment, tick=False):
            headers = payloads.signed_headers(rotated.signing_secrets(moment), "msg_1", moment, body)
            for secret in (old, new):
                try:
                    Webhook(secret).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    verified = False
                assert verified == (secret in verifying), (moment, secret == new)


def test_a_read_only_token_or_another_agency_cannot_rotate_or_delete(read_only, webhook, treasury_editor):
    assert read_only.post(f"/api/v1/webhooks/{webhook.pk}/rotate-secret/").status_code == 403
    assert read_only.delete(f"/api/v1/webhooks/{webhook.pk}/").status_code == 403
    theirs = APIClient()
    theirs.force_authenticate(treasury_editor)
    assert theirs.post(f"/api/v1/webhooks/{webhook.pk}/rotate-secret/").status_code == 404
    assert theirs.delete(f"/api/v1/webhooks/{webhook.pk}/").status_code == 404
    assert WebhookSubscription.objects.get().secret == webhook.secret
    assert not kinds(AccessEvent.Kind.WEBHOOK_SECRET_ROTATED)


def test_an_endpoint_is_disabled_then_deleted_each_in_the_access_log(editor, webhook, cisa_editor):
    assert (
        editor.patch(f"/api/v1/webhooks/{webhook.pk}/", {"active": False}, format="json").status_code == 200
    )
    [changed] = kinds(AccessEvent.Kind.WEBHOOK_CHANGED)
    assert '"active":false' in changed.detail
    assert editor.delete(f"/api/v1/webhooks/{webhook.pk}/").status_code == 204
    assert not WebhookSubscription.objects.exists()
    [deleted] = kinds(AccessEvent.Kind.WEBHOOK_DELETED)
    assert deleted.actor_id == cisa_editor.pk
