"""The dispatcher under faults: a send that raises, and a dispatcher that dies between claim and mark.

The faults are injected where they happen in production, inside the email backend's send, through
Django's ``EMAIL_BACKEND`` setting; everything around it (claim, lease, marks) is the real code.
"""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from directives import actions
from directives.models import Notification

JULY_2_ENDS = dt.datetime(2026, 7, 3, 4, 0, tzinfo=dt.UTC)
BACKEND = f"{__name__}.FaultyBackend"


class DispatcherKilled(BaseException):
    """Stands for SIGKILL: not an ``Exception``, so nothing in the dispatcher catches it."""


class FaultyBackend(LocmemBackend):
    """The locmem backend, failing as told: ``fail_on`` maps a message number (from 1) to an error."""

    fail_on: dict[int, BaseException] = {}  # set per test by the fixture
    calls = 0

    def send_messages(self, messages):
        for _ in messages:
            FaultyBackend.calls += 1
            error = self.fail_on.get(FaultyBackend.calls)
            if error is not None:
                raise error
        return super().send_messages(messages)


@pytest.fixture
def faulty(settings):
    settings.EMAIL_BACKEND = BACKEND
    FaultyBackend.calls = 0
    FaultyBackend.fail_on = {}
    yield FaultyBackend
    FaultyBackend.fail_on = {}


@pytest.fixture
def overdue(order, cisa_editor, treasury_editor):
    """Eight overdue notices owed at the end of July 2: four for CISA, one for Treasury, three for nobody."""
    with time_machine.travel(JULY_2_ENDS, tick=False):
        actions.flag_overdue(actor=None)
    # Keep the five that have someone to tell.
    Notification.objects.filter(directive__ref__in=["2(a)", "2(b)", "2(e)"]).delete()
    return list(Notification.objects.order_by("next_attempt_at", "id").values_list("pk", flat=True))


def dispatch(instant: dt.datetime) -> actions.DispatchReport:
    with time_machine.travel(instant, tick=False):
        return actions.dispatch_notifications()


def emails_per_notification() -> Counter:
    return Counter(m.extra_headers["Message-ID"] for m in mail.outbox)


def test_a_send_that_raises_is_retried_once_and_nothing_is_sent_twice(faulty, overdue):
    faulty.fail_on = {2: ConnectionRefusedError("SMTP server down")}
    report = dispatch(JULY_2_ENDS)
    assert len(report.sent) == 4
    assert report.failed == [overdue[1]]
    failed = Notification.objects.get(pk=overdue[1])
    assert failed.state == Notification.State.PENDING
    assert failed.last_error == "ConnectionRefusedError: SMTP server down"
    assert failed.next_attempt_at == JULY_2_ENDS + dt.timedelta(seconds=60)
    assert len(mail.outbox) == 4

    assert dispatch(JULY_2_ENDS + dt.timedelta(seconds=30)).sent == []
    assert dispatch(JULY_2_ENDS + dt.timedelta(seconds=60)).sent == [overdue[1]]
    assert dispatch(JULY_2_ENDS + dt.timedelta(hours=1)).sent == []
    assert len(mail.outbox) == 5
    assert set(emails_per_notification().values()) == {1}
    assert set(Notification.objects.values_list("state", flat=True)) == {Notification.State.SENT}


def test_a_dispatcher_killed_between_claim_and_send_resends_nothing_already_sent(faulty, overdue, settings):
    # The third send dies: two rows are sent and marked, the third is claimed and never marked.
    faulty.fail_on = {3: DispatcherKilled()}
    with pytest.raises(DispatcherKilled):
        dispatch(JULY_2_ENDS)
    states = dict(Notification.objects.values_list("pk", "state"))
    assert [states[pk] for pk in overdue] == ["sent", "sent", "sending", "pending", "pending"]
    assert len(mail.outbox) == 2

    # A restarted dispatcher sends the rest, not the two sent ones, and leaves the claimed row to
    # its lease in case the killed one is only slow.
    report = dispatch(JULY_2_ENDS + dt.timedelta(minutes=1))
    assert report.sent == overdue[3:]
    assert len(mail.outbox) == 4

    # Once the lease is over, the interrupted row is sent, once.
    lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    assert dispatch(JULY_2_ENDS + lease - dt.timedelta(seconds=1)).sent == []
    report = dispatch(JULY_2_ENDS + lease)
    assert report.sent == [overdue[2]]
    interrupted = Notification.objects.get(pk=overdue[2])
    assert interrupted.attempts == 2
    assert interrupted.last_error == ""
    assert dispatch(JULY_2_ENDS + 2 * lease).sent == []
    assert len(mail.outbox) == 5
    assert set(emails_per_notification().values()) == {1}


def test_a_row_interrupted_on_every_attempt_is_given_up_with_the_reason(faulty, overdue, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    Notification.objects.exclude(pk=overdue[0]).delete()
    lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    faulty.fail_on = {1: DispatcherKilled(), 2: DispatcherKilled()}
    for attempt in range(2):
        with pytest.raises(DispatcherKilled):
            dispatch(JULY_2_ENDS + attempt * lease)
    assert dispatch(JULY_2_ENDS + 2 * lease).gave_up == []  # given up while claiming, not sent
    notice = Notification.objects.get()
    assert notice.state == Notification.State.FAILED
    assert notice.attempts == 2
    assert notice.last_error.startswith("Attempt 2 was interrupted: claimed at 2026-07-03 04:10:00 UTC")
    assert mail.outbox == []
