"""The outbox under faults at the mail server and the database, counted by Message-ID at a real SMTP server.

The SMTP server is the test's own (``tests.fault_servers.SmtpSink``, aiosmtpd on a free port); the
dispatcher is orderctl's real SMTP backend talking to it. For a database outage the dispatcher runs as
a process of its own whose connection goes through a proxy the test cuts (``TcpProxy``): what a client
sees of PostgreSQL going down and coming back. The outage is timed from inside the SMTP exchange, after
the server took the email and before the dispatcher could write its "sent" mark: the window that used
to send duplicates.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from directives import actions
from directives.actions import outbox
from directives.models import Delivery, Notification
from directives.models.notices import STUCK_MARGIN_SECONDS
from directives.notices import notify, outbox_counts
from tests.conftest import _user
from tests.fault_servers import SmtpSink
from tests.test_metrics import TOKEN, samples

ROOT = Path(__file__).resolve().parent.parent
JULY_2_ENDS = dt.datetime(2026, 7, 3, 4, 0, tzinfo=dt.UTC)


def dispatch(instant: dt.datetime) -> actions.DispatchReport:
    # The clock ticks: the SMTP exchange and its timeouts run on real time.
    with time_machine.travel(instant, tick=True):
        return actions.dispatch_notifications()


@pytest.fixture
def one_notice(order, cisa_editor):
    """One overdue notice (2(c)(ii), told to CISA's one editor) owed at the end of July 2."""
    with time_machine.travel(JULY_2_ENDS, tick=False):
        actions.flag_overdue(actor=None)
    Notification.objects.exclude(directive__ref="2(c)(ii)").delete()
    return Notification.objects.get()


@pytest.fixture
def sink(settings):
    server = SmtpSink()
    for key, value in server.settings().items():
        setattr(settings, key, int(value) if key in ("EMAIL_PORT", "EMAIL_TIMEOUT") else value)
    settings.EMAIL_USE_TLS = False
    yield server
    server.stop()


def test_a_mail_server_that_answers_after_the_timeout_gets_the_email_once(one_notice, sink, settings):
    settings.EMAIL_TIMEOUT = 1
    sink.delay = 3  # takes the message, answers 250 two seconds after the client gave up
    sink.start()
    report = dispatch(JULY_2_ENDS)
    delivery = Delivery.objects.get()
    assert report.unconfirmed == [delivery.pk]
    assert report.emails == []
    assert delivery.state == Delivery.State.UNCONFIRMED  # never "sent" without a 250
    assert delivery.last_error.startswith("Sent, unconfirmed: the mail server took the message")
    lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    for later in (lease, 2 * lease, dt.timedelta(days=3)):
        assert dispatch(JULY_2_ENDS + later).emails == []
    assert sink.message_ids == {notify.message_id(delivery): 1}
    one_notice.refresh_from_db()
    assert one_notice.state == Notification.State.UNCONFIRMED
    assert list(Delivery.objects.needing_attention(JULY_2_ENDS)) == [delivery]


# --- The mail server's every answer, per message ---------------------------------------------------------

# Each CISA editor's email meets one answer on its first attempt (then 250, if it is tried again).
SCRIPT = {
    "ok": [],
    "rcpt451": ["451-rcpt"],
    "rcpt550": ["550-rcpt"],
    "data451": ["451-data"],
    "data554": ["554-data"],
    "hang": ["hang"],
    "drop": ["drop"],
}


@pytest.fixture
def eight_emails(one_notice):
    """The overdue notice of 2(c)(ii) owed to CISA's editor and seven more, one per answer in SCRIPT."""
    for name in SCRIPT:
        _user(name, editor_of="CISA")
    return one_notice


def test_every_email_is_delivered_once_or_refused_and_shown_whatever_the_server_answers(
    eight_emails, sink, settings
):
    settings.EMAIL_TIMEOUT = 1
    sink.hang_seconds = 30  # silent after the message until the client gives up and leaves
    sink.script = {f"{name}@example.com": list(answers) for name, answers in SCRIPT.items()}
    sink.start()
    sink.refuse_connections = 1  # and the first connection of all is met with 421 at the greeting
    reports = []
    for run in range(8):  # beat's dispatches, an hour apart: past every backoff of a first retry
        reports.append(dispatch(JULY_2_ENDS + run * dt.timedelta(hours=1)))
    state = {d.recipient.split("@")[0]: d for d in Delivery.objects.all()}
    assert {name: d.state for name, d in state.items()} == {
        "cisa-editor": "sent",
        "ok": "sent",
        "rcpt451": "sent",
        "data451": "sent",
        "rcpt550": "refused",
        "data554": "refused",
        "hang": "unconfirmed",
        "drop": "unconfirmed",
    }
    # Counted at the server: each email it answered 250 arrived once; no other was ever answered 250.
    sent_ids = {notify.message_id(d) for d in state.values() if d.state == Delivery.State.SENT}
    assert sink.message_ids == dict.fromkeys(sent_ids, 1)
    # Nothing recorded sent without a 250, and the server's queue id kept with it.
    for d in state.values():
        if d.state == Delivery.State.SENT:
            assert [d.queue_id] == sink.queue_ids[notify.message_id(d)]
    assert "550 5.1.1 No such user here (RCPT)" in state["rcpt550"].last_error
    assert "554 5.7.1 Message rejected as spam (DATA)" in state["data554"].last_error
    assert state["drop"].last_error.startswith("Sent, unconfirmed:")
    # The deferred ones were tried again, the others never.
    assert {name: d.attempts for name, d in state.items() if d.attempts > 1} == {
        "cisa-editor": 2,  # met the 421 first
        "rcpt451": 2,
        "data451": 2,
    }
    # Honest counts, summed over the runs: one line of the report per outcome.
    totals = {key: sum(len(getattr(r, key)) for r in reports) for key in ("emails", "deferred", "refused")}
    assert totals == {"emails": 4, "deferred": 3, "refused": 2}
    assert sorted(pk for r in reports for pk in r.unconfirmed) == sorted([state["hang"].pk, state["drop"].pk])
    # Shown to a person: refused and unconfirmed need attention; the notice says who it missed.
    assert set(Delivery.objects.needing_attention(JULY_2_ENDS)) == {
        state[name] for name in ("rcpt550", "data554", "hang", "drop")
    }
    eight_emails.refresh_from_db()
    assert eight_emails.state == Notification.State.SENT
    assert "Refused for rcpt550@example.com: Refused by the mail server: 550" in eight_emails.last_error
    assert "Unconfirmed for drop@example.com" in eight_emails.last_error
    assert not Delivery.objects.filter(state__in=["pending", "sending"]).exists()


def test_a_notice_refused_for_everyone_is_refused_and_never_sent_again(one_notice, sink, settings):
    sink.script = {"cisa-editor@example.com": ["550-rcpt"]}
    sink.start()
    report = dispatch(JULY_2_ENDS)
    delivery = Delivery.objects.get()
    assert (report.refused, report.emails) == ([delivery.pk], [])
    for later in (dt.timedelta(hours=1), dt.timedelta(days=3)):
        assert dispatch(JULY_2_ENDS + later).refused == []
    one_notice.refresh_from_db()
    assert one_notice.state == Notification.State.REFUSED
    assert sink.message_ids == {}
    assert [answer for _, _, answer in sink.answers] == ["550-rcpt"]


def test_an_smtp_outage_of_any_length_loses_nothing_and_delivery_resumes_within_a_minute(
    one_notice, sink, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    # The server is down (nothing listens on its port) for a month: the dispatcher tries every minute it
    # runs; this samples that month, as beat would find it.
    instant = JULY_2_ENDS
    for hop in (
        dt.timedelta(0),
        dt.timedelta(minutes=1, seconds=1),
        dt.timedelta(hours=9),
        dt.timedelta(days=30),
    ):
        instant += hop
        report = dispatch(instant)
        assert (len(report.deferred), report.refused) == (1, [])
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 4)
    assert "ConnectionRefusedError" in delivery.last_error
    # Not dropped, and shown to operators: the admin's list and `outbox_status` count these.
    assert list(Delivery.objects.needing_attention()) == [delivery]
    assert not Notification.objects.filter(state=Notification.State.FAILED).exists()
    assert not Delivery.objects.filter(state=Delivery.State.FAILED).exists()

    sink.start()  # the server is back
    retry_at = delivery.next_attempt_at
    assert retry_at - instant < dt.timedelta(minutes=1, seconds=1)
    assert dispatch(retry_at + dt.timedelta(seconds=1)).emails == [delivery.pk]
    assert sink.message_ids == {notify.message_id(delivery): 1}
    assert Delivery.objects.needing_attention().count() == 0
    one_notice.refresh_from_db()
    assert one_notice.state == Notification.State.SENT


def test_a_delivery_reclaimed_after_the_server_took_it_is_marked_sent_not_sent_again(
    one_notice, sink, settings
):
    sink.start()
    with time_machine.travel(JULY_2_ENDS, tick=True):
        actions.plan_deliveries()
        claimed = actions.claim_delivery()
        # A dispatcher handed it to the server, the server took it, and the dispatcher died (or lost the
        # database for longer than it waits) before the "sent" mark: what it leaves behind.
        outbox._finish(claimed, handed_over_at=JULY_2_ENDS)
        notify.send_delivery(claimed, [one_notice])
        outbox._remember_accepted(claimed, JULY_2_ENDS)
    lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS + 1)
    assert dispatch(JULY_2_ENDS + lease).emails == []
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.sent_at, delivery.attempts) == (Delivery.State.SENT, JULY_2_ENDS, 1)
    assert sink.message_ids == {notify.message_id(delivery): 1}
    one_notice.refresh_from_db()
    assert one_notice.state == Notification.State.SENT


def test_a_warm_shutdown_releases_a_claimed_delivery_instead_of_holding_it_for_the_lease(
    one_notice, sink, settings
):
    sink.start()
    actions.request_stop()
    try:
        with time_machine.travel(JULY_2_ENDS, tick=True):
            actions.plan_deliveries()
            report = actions.dispatch_notifications()
    finally:
        outbox._stopping.clear()
    delivery = Delivery.objects.get()
    assert report.emails == []
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 0)
    assert delivery.next_attempt_at <= JULY_2_ENDS + dt.timedelta(minutes=1)
    assert dispatch(JULY_2_ENDS + dt.timedelta(minutes=1)).emails == [delivery.pk]


def test_a_refused_email_is_shown_to_its_owner_counted_in_the_metrics_and_the_admin(
    one_notice, sink, settings, client, admin_client, cisa_editor
):
    settings.METRICS_TOKEN = TOKEN
    sink.script = {"cisa-editor@example.com": ["550-rcpt"]}
    sink.start()
    before = outbox_counts.totals()
    dispatch(JULY_2_ENDS)
    after = outbox_counts.totals()
    assert {k: after[k] - before[k] for k in after} == {
        "sent": 0,
        "deferred": 0,
        "refused": 1,
        "unconfirmed": 0,
        "database_error": 0,
    }
    with time_machine.travel(JULY_2_ENDS + dt.timedelta(hours=1), tick=False):
        client.force_login(cisa_editor)
        page = client.get("/account/notifications/").content.decode()
        scraped = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
        listing = admin_client.get("/admin/directives/delivery/").content.decode()
    assert "Emails to you that may not have arrived" in page
    assert "550 5.1.1 No such user here (RCPT)" in page
    found = samples(scraped)
    assert found["orderctl_outbox_deliveries", (("state", "refused"),)] == 1
    assert found["orderctl_outbox_needing_attention", ()] == 1
    assert found["orderctl_outbox_events_total", (("outcome", "refused"),)] == after["refused"]
    assert "1 email needs attention: 1 refused by the mail server" in listing
    assert f"{after['refused']} refused (5xx)" in listing


def test_an_email_stuck_sending_past_its_lease_is_reported_by_readiness_and_metrics(
    one_notice, settings, client
):
    settings.METRICS_TOKEN = TOKEN
    with time_machine.travel(JULY_2_ENDS, tick=False):
        actions.plan_deliveries()
        actions.claim_delivery()  # and its dispatcher hangs, with no sweep running
    lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS + STUCK_MARGIN_SECONDS)
    for later, stuck in ((lease - dt.timedelta(seconds=1), 0), (lease + dt.timedelta(seconds=1), 1)):
        with time_machine.travel(JULY_2_ENDS + later, tick=False):
            ready = client.get("/readyz/").json()
            found = samples(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode())
        assert ready["detail"] == {"outbox_emails_stuck_sending": stuck, "outbox_notices_left_sending": 0}
        assert found["orderctl_outbox_stuck_sending", (("kind", "delivery"),)] == stuck


def test_a_5xx_to_the_sender_is_deferred_for_every_email_not_taken_as_a_refusal_of_one(one_notice, sink):
    # 553 at MAIL FROM says nothing of the recipient: the server refuses our sender, as it would for
    # every email. Refusing the email for good would lose it to a configuration mistake.
    _user("second", editor_of="CISA")  # the notice goes to two people: two emails
    sink.script = {"cisa-editor@example.com": ["553-mail"]}
    sink.start()
    report = dispatch(JULY_2_ENDS)
    first, second = Delivery.objects.order_by("id")
    assert (report.deferred, report.refused, report.emails) == ([first.pk], [], [])
    assert first.state == Delivery.State.PENDING
    assert first.last_error == "553 5.7.1 Sender address rejected: not owned by you (MAIL)"
    assert second.attempts == 0  # the batch waits, as for a server that is down
    # Once the sender is fixed (the script is used up), both go out, once each.
    assert sorted(dispatch(JULY_2_ENDS + dt.timedelta(minutes=2)).emails) == [first.pk, second.pk]
    assert sink.message_ids == {notify.message_id(first): 1, notify.message_id(second): 1}


# --- Two dispatchers, and one that died ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_finishing_one_notices_emails_at_once_leave_it_settled(order, cisa_editor):
    _user("cisa-second", editor_of="CISA")
    with time_machine.travel(JULY_2_ENDS, tick=False):
        actions.flag_overdue(actor=None)
        Notification.objects.exclude(directive__ref="2(c)(ii)").delete()
        actions.plan_deliveries()
        first, second = actions.claim_delivery(), actions.claim_delivery()
    notice = Notification.objects.get()
    # Each dispatcher marks its own email sent, and both have done so before either settles the notice:
    # each sees the other's email still "sending" unless settling waits for the other's commit.
    both_marked = threading.Barrier(2, timeout=20)
    failures: list[BaseException] = []

    def dispatcher(claimed: Delivery) -> None:
        try:
            with transaction.atomic():
                assert outbox._finish(claimed, state=Delivery.State.SENT, sent_at=JULY_2_ENDS)
                both_marked.wait()
                outbox._settle([notice], JULY_2_ENDS)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher, args=(claimed,)) for claimed in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    notice.refresh_from_db()
    assert notice.state == Notification.State.SENT
    assert notice.recipients == ["cisa-editor@example.com", "cisa-second@example.com"]


def test_a_killed_dispatchers_email_is_returned_to_the_queue_after_its_lease_and_sent_once(
    one_notice, sink, settings
):
    sink.start()
    with time_machine.travel(JULY_2_ENDS, tick=False):
        actions.plan_deliveries()
        claimed = actions.claim_delivery()  # and the dispatcher is SIGKILLed before it sends
    lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    with time_machine.travel(JULY_2_ENDS + lease - dt.timedelta(seconds=1), tick=False):
        assert actions.sweep_expired_leases() == {"returned": 0, "recovered": 0, "settled": 0}
    with time_machine.travel(JULY_2_ENDS + lease, tick=False):
        assert actions.sweep_expired_leases() == {"returned": 1, "recovered": 0, "settled": 0}
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.next_attempt_at) == (Delivery.State.PENDING, JULY_2_ENDS + lease)
    assert delivery.last_error.startswith("Attempt 1 was interrupted")
    assert dispatch(JULY_2_ENDS + lease + dt.timedelta(seconds=1)).emails == [claimed.pk]
    assert sink.message_ids == {notify.message_id(claimed): 1}
    one_notice.refresh_from_db()
    assert one_notice.state == Notification.State.SENT


def test_the_sweep_settles_a_notice_left_sending_after_its_last_email_was_sent(one_notice, sink):
    sink.start()
    with time_machine.travel(JULY_2_ENDS, tick=False):
        actions.plan_deliveries()
        claimed = actions.claim_delivery()
        # What a settle that lost the race left behind: the email sent, the notice still "sending".
        outbox._finish(claimed, state=Delivery.State.SENT, sent_at=JULY_2_ENDS)
        assert actions.sweep_expired_leases() == {"returned": 0, "recovered": 0, "settled": 1}
    one_notice.refresh_from_db()
    assert (one_notice.state, one_notice.recipients) == (Notification.State.SENT, ["cisa-editor@example.com"])


def test_emails_unsent_after_many_tries_are_shown_in_the_admin_and_fail_outbox_status(
    one_notice, settings, admin_client
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    settings.EMAIL_BACKEND = "directives.notices.mail.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False  # refused
    dispatch(JULY_2_ENDS)
    out = io.StringIO()
    call_command("outbox_status", stdout=out)  # one try: not yet a person's business
    assert "no email needs attention" in out.getvalue()
    dispatch(JULY_2_ENDS + dt.timedelta(minutes=2))
    with pytest.raises(CommandError, match="1 emails need attention: 1 still unsent after 2 or more tries"):
        call_command("outbox_status", stdout=io.StringIO())
    page = admin_client.get("/admin/directives/delivery/?attention=yes")
    assert page.status_code == 200
    assert "1 email needs attention: 0 refused by the mail server, 0 unconfirmed, 1 still unsent after 2" in (
        page.content.decode()
    )
    assert "cisa-editor@example.com" in page.content.decode()
