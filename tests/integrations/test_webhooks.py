"""Webhooks: planned from the same notices as email, signed per Standard Webhooks, sent to a real local
receiver that verifies each with the standardwebhooks library; retried with backoff, given up,
disabled after repeated failure; Teams and Slack shapes; bad input refused with nothing written."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from agencies.models import Agency
from directives import actions
from directives.actions import webhooks
from directives.models import Directive, Notification, Order
from directives.models.outreach import WebhookDelivery, WebhookSubscription
from directives.notices import payloads
from ledger.models import AccessEvent
from tests.integrations.receiver import running_receiver

JULY_2_ENDS = dt.datetime(2026, 7, 3, 4, 0, tzinfo=dt.UTC)  # 2(c)(ii) falls overdue


def at(instant: dt.datetime):
    return time_machine.travel(instant, tick=False)


@pytest.fixture
def receiver():
    with running_receiver() as running:
        yield running


def subscribe(receiver, admin_user, agency: str = "CISA", **kwargs) -> WebhookSubscription:
    subscription = actions.create_webhook(
        actor=admin_user,
        name="compliance channel",
        url=receiver.url,
        agency=Agency.objects.get(abbreviation=agency),
        **kwargs,
    )
    receiver.secret = subscription.secret
    return subscription


def overdue_and_dispatched(instant: dt.datetime = JULY_2_ENDS) -> webhooks.WebhookReport:
    with at(instant):
        actions.flag_overdue(actor=None)
        Notification.objects.exclude(directive__ref="2(c)(ii)").delete()
        actions.dispatch_notifications()
        return actions.dispatch_webhooks()


def test_an_overdue_notice_arrives_signed_and_verifies(receiver, admin_user, cisa_editor):
    subscription = subscribe(receiver, admin_user)
    report = overdue_and_dispatched()
    assert len(report.delivered) == 1
    [request] = receiver.received
    assert request.verified, request.error
    body = request.json
    assert body["type"] == "directive.overdue"
    assert body["data"]["directive"] == "2(c)(ii)"
    assert body["data"]["order"] == 14409
    assert body["data"]["lead_agencies"] == ["CISA"]
    assert body["data"]["due_on"] == "2026-07-02"
    assert "note" not in json.dumps(body) and "evidence" not in json.dumps(body)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.subscription, delivery.state, delivery.response_status) == (
        subscription,
        "delivered",
        200,
    )
    assert request.headers["webhook-id"] == delivery.message_id
    assert delivery.delivered_at == JULY_2_ENDS


def test_a_changed_body_or_another_secret_does_not_verify(receiver, admin_user):
    subscribe(receiver, admin_user)
    overdue_and_dispatched()
    [request] = receiver.received
    with at(JULY_2_ENDS):
        with pytest.raises(WebhookVerificationError):
            Webhook(receiver.secret).verify(request.body.replace(b"2(c)(ii)", b"2(c)(i)"), request.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(payloads.new_secret()).verify(request.body, request.headers)


def test_a_department_hears_of_its_components_and_another_agency_does_not(receiver, admin_user):
    subscribe(receiver, admin_user, agency="DHS")
    actions.create_webhook(
        actor=admin_user,
        name="treasury",
        url=receiver.url + "/treasury",
        agency=Agency.objects.get(abbreviation="TREASURY"),
    )
    overdue_and_dispatched()
    assert [r.json["data"]["directive"] for r in receiver.received] == ["2(c)(ii)"]
    assert WebhookDelivery.objects.count() == 1


def test_an_order_subscription_hears_of_every_directive_of_the_order(receiver, admin_user):
    subscription = actions.create_webhook(
        actor=admin_user, name="all of it", url=receiver.url, order=Order.objects.get(number=14409)
    )
    receiver.secret = subscription.secret
    with at(JULY_2_ENDS):
        flagged = actions.flag_overdue(actor=None)
        actions.dispatch_notifications()
        report = actions.dispatch_webhooks()
    assert len(report.delivered) == Notification.objects.count() == len(receiver.received)
    assert len(flagged) >= len(receiver.received) > 1
    assert all(r.verified for r in receiver.received)


def test_a_notice_that_stopped_being_true_is_cancelled_not_sent(receiver, admin_user, cisa_editor, directive):
    subscribe(receiver, admin_user)
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
        Notification.objects.exclude(directive__ref="2(c)(ii)").delete()
        actions.dispatch_notifications()
    with at(JULY_2_ENDS + dt.timedelta(seconds=1)):
        actions.change_status(
            directive("2(c)(ii)"), "completed", actor=cisa_editor, completed_on=dt.date(2026, 7, 2)
        )
        actions.dispatch_webhooks()
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "cancelled" and "was completed" in delivery.last_error


def test_a_notice_planned_twice_is_one_delivery(receiver, admin_user, directive):
    subscribe(receiver, admin_user)
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
        notice = Notification.objects.get(directive__ref="2(c)(ii)")
        assert webhooks.plan_webhooks(notice, directive("2(c)(ii)"), JULY_2_ENDS) == 1
        assert webhooks.plan_webhooks(notice, directive("2(c)(ii)"), JULY_2_ENDS) == 0
    assert WebhookDelivery.objects.count() == 1


def test_a_kind_the_subscription_did_not_ask_for_is_not_sent(receiver, admin_user):
    subscribe(receiver, admin_user, kinds=["reminder"])
    overdue_and_dispatched()
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_a_refused_delivery_is_retried_with_backoff_and_the_same_webhook_id(receiver, admin_user, settings):
    settings.WEBHOOK_RETRY_SECONDS = 60
    subscribe(receiver, admin_user)
    receiver.statuses = [503, 500]
    first = overdue_and_dispatched()
    assert len(first.failed) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending"
    assert delivery.next_attempt_at == JULY_2_ENDS + dt.timedelta(seconds=60)
    assert delivery.last_error.startswith("HTTP 503")
    with at(JULY_2_ENDS + dt.timedelta(seconds=59)):
        assert actions.dispatch_webhooks().failed == []  # not due yet
    with at(JULY_2_ENDS + dt.timedelta(seconds=60)):
        actions.dispatch_webhooks()
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == JULY_2_ENDS + dt.timedelta(seconds=60 + 120)
    with at(JULY_2_ENDS + dt.timedelta(seconds=180)):
        assert len(actions.dispatch_webhooks().delivered) == 1
    assert [r.headers["webhook-id"] for r in receiver.received] == [delivery.message_id] * 3
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.subscription.consecutive_failures) == (
        "delivered",
        3,
        0,
    )


def test_a_delivery_is_given_up_after_the_last_attempt(receiver, admin_user, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    subscribe(receiver, admin_user)
    receiver.statuses = [500, 500]
    overdue_and_dispatched()
    with at(JULY_2_ENDS + dt.timedelta(hours=1)):
        report = actions.dispatch_webhooks()
    assert len(report.gave_up) == 1
    assert WebhookDelivery.objects.get().state == "failed"
    with at(JULY_2_ENDS + dt.timedelta(days=1)):
        assert actions.dispatch_webhooks().delivered == []
    assert len(receiver.received) == 2


def test_repeated_failures_disable_the_subscription_and_the_access_log_says_so(
    receiver, admin_user, settings
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    subscription = subscribe(receiver, admin_user)
    receiver.statuses = [500, 500, 500]
    overdue_and_dispatched()
    with at(JULY_2_ENDS + dt.timedelta(hours=1)):
        report = actions.dispatch_webhooks()
    assert report.disabled == [subscription.pk]
    subscription.refresh_from_db()
    assert not subscription.active
    assert "2 attempts in a row failed" in subscription.disabled_reason
    assert WebhookDelivery.objects.get().state == "cancelled"
    logged = AccessEvent.objects.filter(kind=AccessEvent.Kind.WEBHOOK_CHANGED).order_by("-seq").first()
    assert "disabled_reason" in logged.detail
    # Re-enabled by a person: failures forgotten, new notices flow again.
    actions.update_webhook(subscription, actor=admin_user, active=True)
    subscription.refresh_from_db()
    assert (subscription.active, subscription.consecutive_failures, subscription.disabled_reason) == (
        True,
        0,
        "",
    )


def test_an_unreachable_receiver_is_a_failure_with_its_reason(admin_user, settings):
    with running_receiver() as gone:
        url = gone.url
    actions.create_webhook(
        actor=admin_user, name="gone", url=url, agency=Agency.objects.get(abbreviation="CISA")
    )
    report = overdue_and_dispatched()
    assert len(report.failed) == 1
    assert "ConnectionError" in WebhookDelivery.objects.get().last_error


# --- Teams and Slack -------------------------------------------------------------------------------
def test_teams_gets_one_adaptive_card(receiver, admin_user):
    subscribe(receiver, admin_user, format="teams")
    overdue_and_dispatched()
    [request] = receiver.received
    body = request.json
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert [block["type"] for block in card["body"]] == ["RichTextBlock", "RichTextBlock", "FactSet"]
    assert "2(c)(ii)" in card["body"][0]["inlines"][0]["text"]
    facts = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
    assert facts["Lead"] == "CISA" and facts["Due"].startswith("2026-07-02")
    assert card["actions"][0]["type"] == "Action.OpenUrl"
    assert card["actions"][0]["url"].endswith(
        f"/directives/{WebhookDelivery.objects.get().notification.directive_id}/"
    )
    assert request.verified  # the same signed headers as every format


def test_slack_gets_blocks_and_a_text_fallback(receiver, admin_user):
    subscribe(receiver, admin_user, format="slack")
    overdue_and_dispatched()
    body = receiver.received[0].json
    assert "2(c)(ii)" in body["text"]
    assert [b["type"] for b in body["blocks"]] == ["header", "section", "section", "actions"]
    assert body["blocks"][0]["text"]["type"] == "plain_text"
    assert len(body["blocks"][0]["text"]["text"]) <= 150
    assert body["blocks"][3]["elements"][0]["type"] == "button"
    assert body["blocks"][3]["elements"][0]["url"].startswith("http")


def test_the_events_timestamp_is_when_it_happened_and_the_headers_when_it_was_sent(
    receiver, admin_user, settings
):
    settings.WEBHOOK_RETRY_SECONDS = 60
    subscribe(receiver, admin_user)
    receiver.statuses = [503]
    overdue_and_dispatched()  # the notice falls due and is first tried at July 2's end, Eastern
    with at(JULY_2_ENDS + dt.timedelta(minutes=5)):
        assert len(actions.dispatch_webhooks().delivered) == 1
    first, second = receiver.received
    assert first.json["timestamp"] == second.json["timestamp"] == "2026-07-03T04:00:00Z"
    assert first.headers["webhook-timestamp"] == str(int(JULY_2_ENDS.timestamp()))
    assert second.headers["webhook-timestamp"] == str(int(JULY_2_ENDS.timestamp()) + 300)
    assert second.verified, second.error


TRICKY_TITLE = "Report *all* systems & <b>inventories</b> [here](https://evil.example) by _Q3_"


def test_slack_text_is_escaped(receiver, admin_user, directive):
    Directive.objects.filter(pk=directive("2(c)(ii)").pk).update(title=TRICKY_TITLE)
    subscribe(receiver, admin_user, format="slack")
    overdue_and_dispatched()
    body = receiver.received[0].json
    escaped = "Report *all* systems &amp; &lt;b&gt;inventories&lt;/b&gt; [here](https://evil.example) by _Q3_"
    assert body["text"].endswith(": " + escaped)
    assert body["blocks"][1]["text"] == {"type": "mrkdwn", "text": escaped}
    assert "<b>" not in json.dumps(body)


def test_teams_shows_the_title_as_written_not_as_markdown(receiver, admin_user, directive):
    Directive.objects.filter(pk=directive("2(c)(ii)").pk).update(title=TRICKY_TITLE)
    subscribe(receiver, admin_user, format="teams")
    overdue_and_dispatched()
    card = receiver.received[0].json["attachments"][0]["content"]
    title = card["body"][1]
    # A TextRun is never read as Markdown (Adaptive Cards 1.2+), unlike a TextBlock's text.
    assert title == {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": TRICKY_TITLE}]}
    assert not [b for b in card["body"] if b["type"] == "TextBlock"]


# --- The test button -------------------------------------------------------------------------------


def test_the_test_button_sends_a_signed_sample_and_shows_the_answer(receiver, admin_user, client):
    subscription = subscribe(receiver, admin_user)
    client.force_login(admin_user)
    page = client.post(
        "/admin/directives/webhooksubscription/",
        {"action": "send_test", "_selected_action": [subscription.pk]},
        follow=True,
    ).content.decode()
    [request] = receiver.received
    assert request.verified, request.error  # the standardwebhooks library accepts its signature
    assert request.json["type"] == "orderctl.test"
    assert request.json["data"]["subscription"] == "compliance channel"
    assert "Compliance channel: HTTP 200. ok" in page  # the admin capitalises a message
    assert not WebhookDelivery.objects.exists()  # a test is no notice: nothing recorded


def test_the_subscriptions_page_has_the_button_and_comes_back_to_it_with_the_answer(
    receiver, admin_user, client
):
    subscription = subscribe(receiver, admin_user)
    client.force_login(admin_user)
    page_url = f"/admin/directives/webhooksubscription/{subscription.pk}/change/"
    page = client.get(page_url).content.decode()
    assert "Send a signed test message</button>" in page
    assert f'name="_selected_action" value="{subscription.pk}"' in page
    response = client.post(
        "/admin/directives/webhooksubscription/",
        {"action": "send_test", "_selected_action": [subscription.pk], "back_to": "change"},
    )
    assert (response.status_code, response["Location"]) == (302, page_url)
    assert "Compliance channel: HTTP 200. ok" in client.get(page_url).content.decode()
    [request] = receiver.received
    assert request.verified, request.error
    assert not WebhookDelivery.objects.exists()


def test_the_test_button_shows_a_refusal_and_counts_no_failure(receiver, admin_user, client):
    subscription = subscribe(receiver, admin_user, format="slack")
    receiver.statuses = [503]
    client.force_login(admin_user)
    page = client.post(
        "/admin/directives/webhooksubscription/",
        {"action": "send_test", "_selected_action": [subscription.pk]},
        follow=True,
    ).content.decode()
    assert "Compliance channel: HTTP 503. refused" in page
    assert receiver.received[0].json == {
        "text": "orderctl test: the subscription 'compliance channel' reaches this address."
    }
    subscription.refresh_from_db()
    assert (subscription.consecutive_failures, subscription.active) == (0, True)


def test_only_those_who_manage_a_subscription_may_test_it(receiver, admin_user, treasury_editor):
    subscription = subscribe(receiver, admin_user)
    with pytest.raises(PermissionDenied):
        webhooks.send_test_webhook(subscription, actor=treasury_editor)
    assert receiver.received == []


# --- Bad input --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": "ftp://example.gov/hook"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://example.gov/" + "a" * 500}, "url"),
        ({"name": "  "}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"format": "email"}, "format"),
        ({"kinds": []}, "kinds"),
        ({"kinds": ["overdue", "gossip"]}, "kinds"),
        ({"agency": None}, "scope"),
        ({"order": "both"}, "scope"),
    ],
)
def test_bad_subscriptions_are_refused_naming_the_field_and_nothing_is_written(
    admin_user, order, changes, field
):
    values: dict[str, Any] = {  # the bad values are of any type: the action must refuse them
        "name": "hook",
        "url": "https://hooks.example.gov/x",
        "agency": Agency.objects.get(abbreviation="CISA"),
    }
    if changes.get("order") == "both":
        changes = {"order": order}
    values.update(changes)
    before = AccessEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        actions.create_webhook(actor=admin_user, **values)
    assert field in refused.value.message_dict
    assert not WebhookSubscription.objects.exists()
    assert AccessEvent.objects.count() == before


def test_an_editor_manages_their_agencys_webhooks_only(cisa_editor, treasury_editor, dhs_editor, order):
    cisa = Agency.objects.get(abbreviation="CISA")
    mine = actions.create_webhook(
        actor=cisa_editor, name="mine", url="https://hooks.example.gov/a", agency=cisa
    )
    actions.create_webhook(
        actor=dhs_editor, name="department", url="https://hooks.example.gov/b", agency=cisa
    )
    with pytest.raises(PermissionDenied):
        actions.create_webhook(
            actor=treasury_editor, name="theirs", url="https://hooks.example.gov/c", agency=cisa
        )
    with pytest.raises(PermissionDenied):
        actions.update_webhook(mine, actor=treasury_editor, active=False)
    with pytest.raises(PermissionDenied, match="administrator"):
        actions.create_webhook(
            actor=cisa_editor, name="order", url="https://hooks.example.gov/d", order=order
        )
    assert WebhookSubscription.objects.count() == 2


def test_production_sends_only_to_public_https_addresses(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert "HTTPS only" in webhooks.url_problem("http://hooks.example.gov/x")
    assert "private or local" in webhooks.url_problem("https://127.0.0.1:8443/x")
    assert "private or local" in webhooks.url_problem("https://10.1.2.3/x")
    assert "private or local" in webhooks.url_problem("https://[::1]/x")
    assert "cannot be found" in webhooks.url_problem("https://no-such-host.invalid/x")


def test_the_beat_task_sends_and_counts(receiver, admin_user):
    from directives import tasks

    subscribe(receiver, admin_user)
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
        Notification.objects.exclude(directive__ref="2(c)(ii)").delete()
        actions.dispatch_notifications()
        assert tasks.dispatch_webhooks() == {"delivered": 1, "failed": 0, "gave_up": 0, "disabled": 0}
        assert tasks.dispatch_webhooks() == {"delivered": 0, "failed": 0, "gave_up": 0, "disabled": 0}
