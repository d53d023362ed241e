"""Notification preferences: immediate or one daily digest at an Eastern hour (kept across daylight-saving
changes), which kinds; exactly one digest per person per day; the settings page refuses bad input."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from directives import actions
from directives.actions.preferences import next_digest_at
from directives.models import Delivery, Directive, Notification
from directives.models.outreach import DigestSlot, NotificationPreference

JULY_2_ENDS = dt.datetime(2026, 7, 3, 4, 0, tzinfo=dt.UTC)  # midnight Eastern (EDT) into July 3
SEVEN_EDT_JULY_3 = dt.datetime(2026, 7, 3, 11, 0, tzinfo=dt.UTC)


def at(instant: dt.datetime):
    return time_machine.travel(instant, tick=False)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Winter: 07:00 EST is 12:00 UTC; a minute before, the same day's; at it, the next day's.
        (utc(2026, 1, 15, 11, 59), utc(2026, 1, 15, 12, 0)),
        (utc(2026, 1, 15, 12, 0), utc(2026, 1, 16, 12, 0)),
        # Clocks spring forward on Sunday March 8, 2026: the 07:00 after 07:00 EST Saturday is 07:00 EDT.
        (utc(2026, 3, 7, 12, 0), utc(2026, 3, 8, 11, 0)),
        (utc(2026, 3, 8, 6, 59), utc(2026, 3, 8, 11, 0)),  # 01:59 EST, before the change
        (utc(2026, 3, 8, 10, 59), utc(2026, 3, 8, 11, 0)),
        # Clocks fall back on Sunday November 1, 2026: 07:00 EDT Saturday, then 07:00 EST Sunday.
        (utc(2026, 10, 31, 11, 0), utc(2026, 11, 1, 12, 0)),
        (utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 12, 0)),  # 01:30 EDT, the first of two
        (utc(2026, 11, 1, 6, 30), utc(2026, 11, 1, 12, 0)),  # 01:30 EST, the second
    ],
)
def test_the_digest_goes_out_at_the_eastern_hour_across_daylight_saving(now, expected):
    assert next_digest_at(now, hour=7) == expected


def test_an_hour_that_does_not_exist_is_read_as_standard_time():
    # 02:00 on March 8, 2026 never happens in New York: 02:00 EST is 03:00 EDT, 07:00 UTC.
    assert next_digest_at(utc(2026, 3, 8, 0, 0), hour=2) == utc(2026, 3, 8, 7, 0)


def digest_for(user) -> None:
    actions.set_notification_preference(
        user, actor=user, mode="daily_digest", kinds=["reminder", "overdue", "escalation"]
    )


def test_a_digest_user_waits_for_their_digest_and_gets_one_email_a_day(order, cisa_editor, settings):
    settings.DIGEST_HOUR_EASTERN = 7
    digest_for(cisa_editor)
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
        Notification.objects.exclude(directive__ref="2(c)(ii)").delete()
        actions.dispatch_notifications()
    assert mail.outbox == []
    delivery = Delivery.objects.get(recipient="cisa-editor@example.com")
    assert delivery.next_attempt_at == SEVEN_EDT_JULY_3
    # A second notice before the digest hour joins the same digest: one slot, one delivery.
    other = (
        Directive.objects.filter(involvements__agency__abbreviation="CISA", involvements__role="lead")
        .exclude(ref="2(c)(ii)")
        .exclude(children__isnull=False)
        .first()
    )
    later = utc(2026, 7, 3, 9, 0)
    Notification.objects.create(
        directive=other, kind=Notification.Kind.REMINDER, due_on=other.due_on, offset_days=-7, created=later,
        next_attempt_at=later,
    )  # fmt: skip
    with at(later):
        report = actions.dispatch_notifications()
    assert DigestSlot.objects.count() == 1
    assert Delivery.objects.filter(recipient="cisa-editor@example.com").count() == 1
    assert mail.outbox == []
    with at(SEVEN_EDT_JULY_3 - dt.timedelta(minutes=1)):
        actions.dispatch_notifications()
    assert mail.outbox == []
    with at(SEVEN_EDT_JULY_3):
        report = actions.dispatch_notifications()
    assert len(report.emails) == 1
    [email] = mail.outbox
    assert email.to == ["cisa-editor@example.com"]
    assert "2(c)(ii)" in email.body
    # Run again the same minute and the next: nothing more.
    with at(SEVEN_EDT_JULY_3 + dt.timedelta(minutes=1)):
        actions.dispatch_notifications()
    assert len(mail.outbox) == 1


def test_a_notice_after_the_digest_hour_waits_for_the_next_day(order, cisa_editor, settings):
    settings.DIGEST_HOUR_EASTERN = 7
    digest_for(cisa_editor)
    after = SEVEN_EDT_JULY_3 + dt.timedelta(minutes=5)
    with at(after):
        actions.flag_overdue(actor=None)
        actions.dispatch_notifications()
    slot = DigestSlot.objects.get()
    assert slot.day == dt.date(2026, 7, 4)
    assert slot.delivery.next_attempt_at == SEVEN_EDT_JULY_3 + dt.timedelta(days=1)


def test_an_immediate_user_beside_a_digest_user_is_told_at_once(order, cisa_editor, dhs_editor):
    digest_for(cisa_editor)
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
        Notification.objects.exclude(directive__ref="2(c)(ii)").delete()
        actions.dispatch_notifications()
    assert [m.to for m in mail.outbox] == [["dhs-editor@example.com"]]


def test_kinds_turned_off_are_not_sent_and_a_notice_nobody_wants_is_cancelled(order, cisa_editor):
    actions.set_notification_preference(cisa_editor, actor=cisa_editor, mode="immediate", kinds=["reminder"])
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
        Notification.objects.exclude(directive__ref="2(c)(ii)").delete()
        report = actions.dispatch_notifications()
    assert mail.outbox == []
    notice = Notification.objects.get()
    assert notice.pk in report.cancelled
    assert (notice.state, notice.last_error) == (
        "cancelled",
        "Everyone it goes to turned off overdue notices.",
    )


@pytest.mark.parametrize(
    ("mode", "kinds", "field"),
    [("weekly", ["overdue"], "mode"), ("immediate", ["gossip"], "kinds"), ("immediate", "overdue", "kinds")],
)
def test_bad_preferences_are_refused_and_nothing_is_saved(cisa_editor, mode, kinds, field):
    with pytest.raises(ValidationError) as refused:
        actions.set_notification_preference(cisa_editor, actor=cisa_editor, mode=mode, kinds=kinds)
    assert field in refused.value.message_dict
    assert not NotificationPreference.objects.exists()


def test_only_the_person_or_an_admin_sets_their_preferences(cisa_editor, treasury_editor, admin_user):
    with pytest.raises(PermissionDenied):
        actions.set_notification_preference(cisa_editor, actor=treasury_editor, mode="immediate", kinds=[])
    actions.set_notification_preference(cisa_editor, actor=admin_user, mode="daily_digest", kinds=["overdue"])
    assert NotificationPreference.objects.get(user=cisa_editor).mode == "daily_digest"


def test_the_settings_page_saves_and_refuses_bad_input_at_the_field(client, cisa_editor):
    client.force_login(cisa_editor)
    page = client.get("/account/notifications/")
    assert page.status_code == 200
    assert 'value="America/New_York"' in page.content.decode()  # the time zone a new preference has
    refused = client.post("/account/notifications/", {"mode": "weekly", "kinds": ["overdue", "gossip"]})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'id="id_mode_error"' in body and 'id="id_kinds_error"' in body
    assert not NotificationPreference.objects.exists()
    saved = client.post(
        "/account/notifications/", {"mode": "daily_digest", "kinds": ["overdue", "escalation"]}
    )
    assert saved.status_code == 302
    preference = NotificationPreference.objects.get(user=cisa_editor)
    assert (preference.mode, preference.kinds) == ("daily_digest", ["overdue", "escalation"])
