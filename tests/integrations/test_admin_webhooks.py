"""The webhook admin: its form names the field of a bad scope or address, and saves through the actions."""

from __future__ import annotations

from agencies.models import Agency
from directives import actions
from directives.models.outreach import WebhookSubscription
from ledger.models import AccessEvent

ADD = "/admin/directives/webhooksubscription/add/"
NO_DELIVERIES = {
    "deliveries-TOTAL_FORMS": "0",
    "deliveries-INITIAL_FORMS": "0",
    "deliveries-MIN_NUM_FORMS": "0",
    "deliveries-MAX_NUM_FORMS": "1000",
}


def test_a_new_webhook_naming_both_an_agency_and_an_order_is_refused_at_the_agency(client, admin_user, order):
    client.force_login(admin_user)
    response = client.post(
        ADD,
        {
            "name": "hook",
            "url": "https://hooks.example.gov/x",
            "format": "standard",
            "agency": Agency.objects.get(abbreviation="CISA").pk,
            "order": order.pk,
            "kinds": ["overdue"],
            "active": "on",
            **NO_DELIVERIES,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"agency": ["Name exactly one agency or one order."]}
    assert not WebhookSubscription.objects.exists()


def test_a_new_webhook_to_a_private_address_is_refused_at_the_url(client, admin_user, order, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(admin_user)
    response = client.post(
        ADD,
        {
            "name": "hook",
            "url": "https://10.1.2.3/x",
            "format": "standard",
            "agency": Agency.objects.get(abbreviation="CISA").pk,
            "kinds": ["overdue"],
            "active": "on",
            **NO_DELIVERIES,
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["url"]
    assert "private or local network" in errors["url"][0]
    assert not WebhookSubscription.objects.exists()


def test_a_change_to_a_saved_webhook_keeps_its_scope_and_is_in_the_access_log(client, admin_user, order):
    subscription = actions.create_webhook(
        actor=admin_user,
        name="hook",
        url="https://hooks.example.gov/x",
        agency=Agency.objects.get(abbreviation="CISA"),
    )
    client.force_login(admin_user)
    response = client.post(
        f"/admin/directives/webhooksubscription/{subscription.pk}/change/",
        {
            "name": "renamed",
            "url": "https://hooks.example.gov/y",
            "format": "slack",
            "kinds": ["overdue", "escalation"],
            "active": "on",
            **NO_DELIVERIES,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    subscription.refresh_from_db()
    assert (subscription.name, subscription.url, subscription.format, subscription.kinds) == (
        "renamed",
        "https://hooks.example.gov/y",
        "slack",
        ["overdue", "escalation"],
    )
    assert subscription.agency.abbreviation == "CISA"
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.WEBHOOK_CHANGED).count() == 1
