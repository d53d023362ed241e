"""The dispatcher under faults: a send that raises, and a dispatcher that dies between claim and mark.

The faults are injected where they happen in production, inside the email backend's send, through
Django's ``EMAIL_BACKEND`` setting; everything around it (claim, lease, marks) is the real code.
"""

import datetime as dt
import re
import smtplib
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from directives import actions
from directives.models import Delivery, Notification

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
def overdue(order, cisa_editor, dhs_editor, treasury_editor):
    """Notices owed at the end of July 2 and who gets them: three emails.

    CISA's three parts of 2(c) go to the editors of CISA and of its department DHS, 2(d) to Treasury's;
    the notices of directives nobody edits for (2(a), 2(b), 2(e)) are dropped.
    """
    with time_machine.travel(JULY_2_ENDS, tick=False):
        actions.flag_overdue(actor=None)
    Notification.objects.filter(directive__ref__in=["2(a)", "2(b)", "2(e)"]).delete()
    return dict(Notification.objects.values_list("directive__ref", "pk"))


def dispatch(instant: dt.datetime) -> actions.DispatchReport:
    with time_machine.travel(instant, tick=False):
        return actions.dispatch_notifications()


def emails_per_message_id() -> Counter:
    return Counter(m.extra_headers["Message-ID"] for m in mail.outbox)


def delivered() -> Counter:
    """Count each (recipient, directive) pair that an email carried."""
    return Counter(
        (to, ref)
        for m in mail.outbox
        for to in m.to
        for ref in re.findall(r"sec\. ([0-9a-z()]+)", str(m.body))
    )


def delivery_to(name: str) -> Delivery:
    return Delivery.objects.get(recipient=f"{name}@example.com")


def test_a_send_that_raises_is_retried_and_nothing_is_sent_twice(faulty, overdue):
    # The second email (to dhs-editor) is deferred on its own (451 after the message); the others go on.
    faulty.fail_on = {2: smtplib.SMTPDataError(451, b"Try again later")}
    report = dispatch(JULY_2_ENDS)
    assert report.deferred == [delivery_to("dhs-editor").pk]
    failed = delivery_to("dhs-editor")
    assert failed.state == Delivery.State.PENDING
    assert failed.last_error == "451 Try again later (DATA)"
    assert failed.next_attempt_at == JULY_2_ENDS + dt.timedelta(seconds=60)
    assert sorted(m.to[0] for m in mail.outbox) == ["cisa-editor@example.com", "treasury-editor@example.com"]
    # 2(d) is done; CISA's parts wait until their other editor is told too.
    assert Notification.objects.get(pk=overdue["2(d)"]).state == Notification.State.SENT
    assert Notification.objects.get(pk=overdue["2(c)(i)"]).state == Notification.State.SENDING

    assert dispatch(JULY_2_ENDS + dt.timedelta(seconds=30)).emails == []
    assert dispatch(JULY_2_ENDS + dt.timedelta(seconds=60)).emails == [failed.pk]
    assert dispatch(JULY_2_ENDS + dt.timedelta(hours=1)).emails == []
    assert len(mail.outbox) == 3
    assert set(emails_per_message_id().values()) == {1}
    assert set(delivered().values()) == {1}
    assert set(Notification.objects.values_list("state", flat=True)) == {Notification.State.SENT}
    assert Notification.objects.get(pk=overdue["2(c)(ii)"]).recipients == [
        "cisa-editor@example.com",
        "dhs-editor@example.com",
    ]


def test_a_dispatcher_killed_between_claim_and_send_resends_nothing_already_sent(faulty, overdue, settings):
    # The second email dies in the send: the first is sent and marked, the second claimed, never marked.
    faulty.fail_on = {2: DispatcherKilled()}
    with pytest.raises(DispatcherKilled):
        dispatch(JULY_2_ENDS)
    states = {d.recipient.split("@")[0]: d.state for d in Delivery.objects.all()}
    assert states == {"cisa-editor": "sent", "dhs-editor": "sending", "treasury-editor": "pending"}
    assert len(mail.outbox) == 1

    # A restarted dispatcher sends the rest, not the sent one, and leaves the claimed delivery to its
    # lease in case the killed dispatcher is only slow.
    report = dispatch(JULY_2_ENDS + dt.timedelta(minutes=1))
    assert report.emails == [delivery_to("treasury-editor").pk]
    assert len(mail.outbox) == 2

    # Once the lease is over, the interrupted delivery is sent, once.
    lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    assert dispatch(JULY_2_ENDS + lease - dt.timedelta(seconds=1)).emails == []
    report = dispatch(JULY_2_ENDS + lease)
    interrupted = delivery_to("dhs-editor")
    assert report.emails == [interrupted.pk]
    assert (interrupted.attempts, interrupted.last_error) == (2, "")
    assert dispatch(JULY_2_ENDS + 2 * lease).emails == []
    assert len(mail.outbox) == 3
    assert set(emails_per_message_id().values()) == {1}
    assert set(delivered().values()) == {1}


def test_a_delivery_interrupted_on_every_attempt_is_never_given_up_and_shown_to_operators(
    faulty, overdue, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    Notification.objects.exclude(pk=overdue["2(d)"]).delete()
    lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    faulty.fail_on = {1: DispatcherKilled(), 2: DispatcherKilled()}
    for attempt in range(2):
        with pytest.raises(DispatcherKilled):
            dispatch(JULY_2_ENDS + attempt * lease)
    delivery = delivery_to("treasury-editor")
    assert (delivery.state, delivery.attempts) == (Delivery.State.SENDING, 2)
    assert list(Delivery.objects.needing_attention()) == [delivery]
    report = dispatch(JULY_2_ENDS + 2 * lease)  # the third attempt goes out
    delivery = delivery_to("treasury-editor")
    assert (report.emails, report.refused) == ([delivery.pk], [])
    assert (delivery.state, delivery.attempts) == (Delivery.State.SENT, 3)
    assert Notification.objects.get().state == Notification.State.SENT
    assert len(mail.outbox) == 1


def test_an_unreachable_mail_server_stops_the_dispatch_and_the_rest_wait_their_turn(faulty, overdue):
    faulty.fail_on = {2: ConnectionRefusedError("SMTP server down")}  # the second email: to dhs-editor
    report = dispatch(JULY_2_ENDS)
    assert (len(report.emails), report.deferred) == (1, [delivery_to("dhs-editor").pk])
    # The third email was not tried against a server that is down; it is still due, for the next run.
    untried = Delivery.objects.get(state=Delivery.State.PENDING, attempts=0)
    assert untried.next_attempt_at <= JULY_2_ENDS
    report = dispatch(JULY_2_ENDS + dt.timedelta(seconds=60))
    assert len(report.emails) == 2
    assert len(mail.outbox) == 3
    assert set(emails_per_message_id().values()) == {1}
