"""Issue 21, item 10: notices of status changes, completions, reviews and extension decisions, by email,
to one's own webhook and in one's notices feed, each chosen per person on their settings page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from agencies import roles
from directives import actions
from directives.actions import channels
from directives.models import ExtensionRequest, FeedEntry, Notification, Status
from directives.models.outreach import NotificationPreference, WebhookDelivery, WebhookSubscription
from tests.integrations.receiver import running_receiver

EVENT_KINDS = ["status_changed", "completed", "review_recorded"]
# Mid-morning of a day after the deadlines (noon UTC is 08:00 Eastern): no test depends on the day it runs.
NOON = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.UTC)


def at(instant: dt.datetime):
    return time_machine.travel(instant, tick=False)


@pytest.fixture
def receiver():
    with running_receiver() as running:
        yield running


def choose(user, receiver=None, *, kinds=(), email=(), feed=(), time_zone="America/New_York"):
    """Choose ``kinds`` on every channel (the webhook only with a receiver), ``email`` by email alone."""
    actions.set_notice_settings(
        user,
        actor=user,
        mode="immediate",
        kinds=[*kinds, *email],
        webhook_kinds=list(kinds) if receiver else [],
        feed_kinds=[*kinds, *feed],
        time_zone=time_zone,
        webhook_url=receiver.url if receiver else "",
    )
    if receiver is not None:
        receiver.secret = channels.personal_webhook(user).secret


def dispatched() -> None:
    actions.dispatch_notifications()
    actions.dispatch_webhooks()


def test_an_opted_in_reviewer_gets_each_event_once_on_each_channel_and_an_opted_out_editor_none(
    receiver, directive, cisa_editor, dhs_editor, reviewer, admin_user
):
    choose(reviewer, receiver, kinds=EVENT_KINDS)
    actions.set_notice_settings(
        dhs_editor, actor=dhs_editor, mode="immediate", kinds=[], webhook_kinds=[], feed_kinds=[],
        time_zone="America/New_York", webhook_url="",
    )  # fmt: skip
    second = roles.grant_reviewer(admin_user, actor=None).user  # reviews; the reviewer is told
    d = directive("2(c)(ii)")
    with at(NOON):
        actions.change_status(d, Status.IN_PROGRESS, actor=cisa_editor)
        dispatched()
        actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 9))
        dispatched()
        actions.review(d, "verified", actor=second, note="The charter is signed.")
        dispatched()

    subjects = [m.subject for m in mail.outbox if m.to == ["reviewer@example.com"]]
    assert subjects == [
        "Status changed: EO 14409 sec. 2(c)(ii) is in progress",
        "Completed: EO 14409 sec. 2(c)(ii)",
        "Reviewed: verified: EO 14409 sec. 2(c)(ii)",
    ]
    assert [r.json["type"] for r in receiver.received] == [
        "directive.status_changed",
        "directive.completed",
        "directive.review_recorded",
    ]
    assert all(r.verified for r in receiver.received), [r.error for r in receiver.received]
    feed = FeedEntry.objects.filter(user=reviewer).order_by("id")
    assert [e.notification.kind for e in feed] == EVENT_KINDS
    # Opted out (dhs-editor), never asked (admin, staff), or who did it (cisa-editor): nothing anywhere.
    for person in (dhs_editor, admin_user, cisa_editor):
        assert [m.subject for m in mail.outbox if m.to == [person.email]] == []
        assert not FeedEntry.objects.filter(user=person).exists()
    assert WebhookDelivery.objects.exclude(subscription__user=reviewer).count() == 0
    assert set(Notification.objects.filter(kind__in=EVENT_KINDS).values_list("state", flat=True)) == {"sent"}


def test_an_extension_decision_reaches_its_requester_on_each_channel_they_chose(
    receiver, directive, cisa_editor, reviewer
):
    choose(cisa_editor, receiver, kinds=["extension_decided"])
    with at(NOON):
        request = actions.request_extension(
            directive("2(c)(iii)"), dt.date(2026, 9, 1), actor=cisa_editor, justification="Funding came late."
        )
        actions.approve_extension(request, actor=reviewer)
        dispatched()
    assert ExtensionRequest.objects.get().state == "approved"
    assert [m.subject for m in mail.outbox if m.to == ["cisa-editor@example.com"]] == [
        "Extension approved: EO 14409 sec. 2(c)(iii) to Tue 2026-09-01"
    ]
    assert [r.json["type"] for r in receiver.received] == ["directive.extension_decided"]
    assert [e.notification.kind for e in FeedEntry.objects.filter(user=cisa_editor)] == ["extension_decided"]


def test_a_person_who_never_chose_gets_no_notices_of_events(directive, cisa_editor, dhs_editor, reviewer):
    with at(NOON):
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
        report = actions.dispatch_notifications()
    assert mail.outbox == []
    assert not FeedEntry.objects.exists()
    [notice] = Notification.objects.filter(kind="completed")
    assert report.cancelled == [notice.pk]


def test_the_feed_page_lists_ones_notices_in_ones_time_zone(client, directive, cisa_editor, reviewer):
    choose(reviewer, feed=["completed"], time_zone="America/Los_Angeles")
    with at(NOON):
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
        actions.dispatch_notifications()
    client.force_login(reviewer)
    page = client.get("/account/notices/").content.decode()
    assert "EO 14409 sec. 2(c)(ii)" in page
    # 16:00 UTC is 09:00 in Los Angeles (PDT) that day.
    assert "Fri 2026-07-10 09:00 PDT (America/Los_Angeles)" in page
    client.force_login(cisa_editor)
    assert "2(c)(ii)" not in client.get("/account/notices/").content.decode()


def test_the_settings_page_saves_each_channel_and_refuses_a_bad_time_zone_at_its_field(
    client, receiver, reviewer
):
    client.force_login(reviewer)
    form = {
        "mode": "immediate",
        "kinds": ["overdue", "completed"],
        "webhook_kinds": ["review_recorded"],
        "webhook_url": receiver.url,
        "feed_kinds": ["status_changed", "extension_decided"],
        "time_zone": "Mars/Olympus_Mons",
    }
    refused = client.post("/account/notifications/", form)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'id="id_time_zone_error"' in body
    assert "&#x27;Mars/Olympus_Mons&#x27; is not a time zone; give its IANA name" in body
    assert not NotificationPreference.objects.exists()
    assert not WebhookSubscription.objects.exists()

    saved = client.post("/account/notifications/", form | {"time_zone": "America/Chicago"})
    assert saved.status_code == 302
    preference = NotificationPreference.objects.get(user=reviewer)
    assert (preference.kinds, preference.webhook_kinds, preference.feed_kinds, preference.time_zone) == (
        ["overdue", "completed"],
        ["review_recorded"],
        ["extension_decided", "status_changed"],  # kept in the kinds' own order
        "America/Chicago",
    )
    hook = WebhookSubscription.objects.get(user=reviewer)
    assert hook.url == receiver.url
    page = client.get("/account/notifications/").content.decode()
    assert hook.secret in page and 'value="America/Chicago"' in page


def test_webhook_kinds_without_an_address_are_refused_at_the_address(reviewer):
    with pytest.raises(ValidationError) as refused:
        actions.set_notice_settings(
            reviewer, actor=reviewer, mode="immediate", kinds=[], webhook_kinds=["completed"], feed_kinds=[],
            time_zone="UTC", webhook_url="",
        )  # fmt: skip
    assert refused.value.message_dict == {
        "webhook_url": ["Give your webhook's address, or choose no kinds for the webhook."]
    }
    assert not NotificationPreference.objects.exists()


def test_a_persons_own_webhook_is_not_an_agencys_in_the_webhooks_api(receiver, reviewer, admin_user):
    choose(reviewer, receiver, kinds=["completed"])
    api = APIClient()
    api.force_authenticate(admin_user)
    assert api.get("/api/v1/webhooks/").json()["count"] == 0
    assert WebhookSubscription.objects.get().scope == "reviewer's own"
