"""Issue 24, item 3: digests that respect each person's time zone, chosen on their settings page.

The digest goes out at the digest hour where the person is (across their own daylight-saving changes,
which are not the United States' everywhere), one a local day, and prints its times in their zone.
Every instant is fixed: no test depends on the day it runs.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives

from directives import actions
from directives.actions.preferences import next_digest_at
from directives.models import Delivery, Status
from directives.models.outreach import DigestSlot, NotificationPreference


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def at(instant: dt.datetime):
    return time_machine.travel(instant, tick=False)


@pytest.mark.parametrize(
    ("zone", "now", "expected"),
    [
        # 07:00 CDT is 12:00 UTC; a minute before it, that day's; at it, the next day's.
        ("America/Chicago", utc(2026, 7, 3, 11, 59), utc(2026, 7, 3, 12, 0)),
        ("America/Chicago", utc(2026, 7, 3, 12, 0), utc(2026, 7, 4, 12, 0)),
        # 08:30 in New York is 05:30 in Los Angeles: New York's 07:00 is tomorrow's, Los Angeles's today's.
        ("America/New_York", utc(2026, 7, 3, 12, 30), utc(2026, 7, 4, 11, 0)),
        ("America/Los_Angeles", utc(2026, 7, 3, 12, 30), utc(2026, 7, 3, 14, 0)),
        # London moves its clocks on March 29, 2026, three weeks after the United States.
        ("Europe/London", utc(2026, 3, 28, 8, 0), utc(2026, 3, 29, 6, 0)),  # 07:00 BST
        ("Europe/London", utc(2026, 3, 27, 8, 0), utc(2026, 3, 28, 7, 0)),  # 07:00 GMT
        # Honolulu keeps one offset all year (-10): 07:00 there is 17:00 UTC.
        ("Pacific/Honolulu", utc(2026, 1, 15, 16, 0), utc(2026, 1, 15, 17, 0)),
        # Tokyo's 07:00 on July 4 is 22:00 UTC on July 3.
        ("Asia/Tokyo", utc(2026, 7, 3, 12, 30), utc(2026, 7, 3, 22, 0)),
    ],
)
def test_the_digest_goes_out_at_the_hour_of_each_persons_zone(zone, now, expected):
    assert next_digest_at(now, hour=7, zone=zone) == expected


def digest_in(user, zone: str) -> None:
    actions.set_notice_settings(
        user, actor=user, mode="daily_digest", kinds=["overdue", "status_changed", "completed"],
        webhook_kinds=[], feed_kinds=[], time_zone=zone, webhook_url="",
    )  # fmt: skip


def test_each_digest_waits_for_its_own_local_hour_and_day(settings, order, reviewer, dhs_editor, cisa_editor):
    settings.DIGEST_HOUR_EASTERN = 7
    digest_in(reviewer, "America/Los_Angeles")
    digest_in(dhs_editor, "America/New_York")
    instant = utc(2026, 7, 3, 12, 30)  # 08:30 in New York, 05:30 in Los Angeles
    with at(instant):
        actions.change_status(order.directives.get(ref="2(c)(ii)"), Status.IN_PROGRESS, actor=cisa_editor)
        actions.dispatch_notifications()
    slots = {s.recipient: (s.day, s.delivery.next_attempt_at) for s in DigestSlot.objects.all()}
    assert slots == {
        "reviewer@example.com": (dt.date(2026, 7, 3), utc(2026, 7, 3, 14, 0)),
        "dhs-editor@example.com": (dt.date(2026, 7, 4), utc(2026, 7, 4, 11, 0)),
    }
    with at(utc(2026, 7, 3, 13, 59)):
        actions.dispatch_notifications()
    assert mail.outbox == []
    with at(utc(2026, 7, 3, 14, 0)):
        actions.dispatch_notifications()
    assert [m.to for m in mail.outbox] == [["reviewer@example.com"]]
    assert Delivery.objects.get(recipient="dhs-editor@example.com").state == "pending"


def test_the_digest_prints_the_times_of_events_in_the_persons_zone(settings, order, reviewer, cisa_editor):
    settings.DIGEST_HOUR_EASTERN = 7
    digest_in(reviewer, "America/Los_Angeles")
    d = order.directives.get(ref="2(c)(ii)")
    with at(utc(2026, 7, 3, 12, 30)):
        actions.change_status(d, Status.IN_PROGRESS, actor=cisa_editor)
    with at(utc(2026, 7, 3, 12, 45)):
        actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 2))
        actions.dispatch_notifications()
    with at(utc(2026, 7, 3, 14, 0)):
        actions.dispatch_notifications()
    [email] = mail.outbox
    assert "Fri 2026-07-03 05:30 PDT (America/Los_Angeles)" in email.body
    assert "Fri 2026-07-03 05:45 PDT (America/Los_Angeles)" in email.body
    assert "EDT" not in email.body and "UTC" not in email.body
    assert isinstance(email, EmailMultiAlternatives)
    html = str(email.alternatives[0][0])
    assert "05:45 PDT (America/Los_Angeles)" in html


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "EST5EDT ", "", "posixrules/../UTC", "a" * 65])
def test_a_time_zone_zoneinfo_does_not_know_is_refused_at_its_field(reviewer, zone):
    with pytest.raises(ValidationError) as refused:
        digest_in(reviewer, zone)
    assert list(refused.value.message_dict) == ["time_zone"]
    assert (
        "is not a time zone; give its IANA name, such as America/Chicago"
        in (refused.value.message_dict["time_zone"][0])
    )
    assert not NotificationPreference.objects.exists()
