"""The webhooks API's test message: a signed sample sent to a real local receiver that verifies it with
the ``standardwebhooks`` library, and the receiver's answer (or its silence) as the endpoint's JSON."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from agencies import actions as agency_actions
from agencies.models import Agency
from directives import actions
from directives.models.outreach import WebhookDelivery, WebhookSubscription
from tests.fault_servers import ephemeral_port
from tests.integrations.receiver import running_receiver


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Start every test with empty throttle counters (they live in the cache)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def receiver():
    with running_receiver() as running:
        yield running


@pytest.fixture
def api(cisa_editor) -> APIClient:
    client = APIClient()
    client.force_authenticate(cisa_editor)
    return client


def subscribe(url: str, actor, agency: str = "CISA") -> WebhookSubscription:
    return actions.create_webhook(
        actor=actor, name="CISA channel", url=url, agency=Agency.objects.get(abbreviation=agency)
    )


def test_it_sends_a_signed_sample_and_returns_the_receivers_answer(api, receiver, cisa_editor):
    subscription = subscribe(receiver.url, cisa_editor)
    receiver.secret = subscription.secret
    response = api.post(f"/api/v1/webhooks/{subscription.pk}/test/")
    assert response.status_code == 200, response.json()
    assert response.json() == {"ok": True, "status": 200, "failure": "", "answer": "ok"}
    [received] = receiver.received
    assert received.verified, received.error
    assert received.json["type"] == "orderctl.test"
    assert not WebhookDelivery.objects.exists()  # a test is no notice: nothing recorded


def test_a_receiver_that_refuses_is_an_answer_not_an_error(api, receiver, cisa_editor):
    subscription = subscribe(receiver.url, cisa_editor)
    receiver.secret = subscription.secret
    receiver.statuses = [503]
    response = api.post(f"/api/v1/webhooks/{subscription.pk}/test/")
    assert response.status_code == 200
    assert response.json() == {"ok": False, "status": 503, "failure": "", "answer": "refused"}
    subscription.refresh_from_db()
    assert (subscription.consecutive_failures, subscription.active) == (0, True)


def test_a_receiver_that_never_answers_is_a_timeout(api, cisa_editor, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        subscription = subscribe(f"http://127.0.0.1:{silent.getsockname()[1]}/hook", cisa_editor)
        response = api.post(f"/api/v1/webhooks/{subscription.pk}/test/")
    assert response.status_code == 200
    body = response.json()
    assert (body["ok"], body["status"], body["failure"]) == (False, None, "timeout")
    assert body["answer"].startswith("ReadTimeout: ")


def test_an_address_nothing_listens_on_is_a_connection_failure(api, cisa_editor):
    subscription = subscribe(f"http://127.0.0.1:{ephemeral_port()}/hook", cisa_editor)
    response = api.post(f"/api/v1/webhooks/{subscription.pk}/test/")
    assert response.status_code == 200
    body = response.json()
    assert (body["ok"], body["status"], body["failure"]) == (False, None, "connection")
    assert body["answer"].startswith("ConnectionError: ")


def test_an_address_production_refuses_is_not_sent_to(api, receiver, cisa_editor, settings):
    subscription = subscribe(receiver.url, cisa_editor)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = api.post(f"/api/v1/webhooks/{subscription.pk}/test/")
    assert response.json() == {
        "ok": False,
        "status": None,
        "failure": "address",
        "answer": "Webhooks are sent over HTTPS only: the address must start with https://.",
    }
    assert receiver.received == []


def test_another_agencys_editor_cannot_test_it(receiver, cisa_editor, treasury_editor):
    subscription = subscribe(receiver.url, cisa_editor)
    client = APIClient()
    client.force_authenticate(treasury_editor)
    assert client.post(f"/api/v1/webhooks/{subscription.pk}/test/").status_code == 404
    assert receiver.received == []


def test_a_read_only_token_cannot_test_it(receiver, cisa_editor):
    subscription = subscribe(receiver.url, cisa_editor)
    _, key = agency_actions.create_api_token(
        cisa_editor, actor=cisa_editor, name="script", read_only=True, expires_days=90
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(f"/api/v1/webhooks/{subscription.pk}/test/")
    assert response.status_code == 403
    assert receiver.received == []


def test_test_messages_are_throttled_per_token(api, receiver, cisa_editor, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "webhook_test": "2/minute",
        },
    }
    subscription = subscribe(receiver.url, cisa_editor)
    receiver.secret = subscription.secret
    statuses = [api.post(f"/api/v1/webhooks/{subscription.pk}/test/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert len(receiver.received) == 2
