"""The notification outbox: hand the notices owed to the people they go to, one email each, and send it.

Two steps, each idempotent and safe to run twice at once:

1. **Plan** (``plan_deliveries``): take the due pending notices (``skip_locked``, so two dispatchers
   take disjoint ones), cancel those that stopped being true, find who each goes to, and write one
   ``Delivery`` per person carrying all the notices owed to them: ten directives overdue at one midnight
   are one email to each of their editors. A notice with nobody to tell yet waits, with backoff.
2. **Send** (``claim_delivery`` and the loop in ``dispatch_notifications``): claim one delivery at a
   time under a lease, email it, mark it sent. A notice is sent once every delivery carrying it is.

What the mail server answers decides what becomes of an email (``mail.read_answer``): a 250 after
the message is sent (its queue id kept); a 4xx at any stage is deferred, tried again with a capped
backoff (while the server is down, closing or refusing our session, every minute, and the rest of
the batch waits); a 5xx to the recipient or the message is refused for good, with the server's reply;
no answer after the whole message went out is unconfirmed, for that email only (the batch stops
there). Refused and unconfirmed emails, and any tried ``NOTIFICATION_MAX_ATTEMPTS`` times, are shown
to operators (``Delivery.objects.needing_attention``: the admin and ``manage.py outbox_status``); each
outcome is one log line and a count (``outbox_counts``, read by ``/metrics`` and the admin).

Delivery is at least once, by choice: a notice that nobody gets defeats a deadline tracker, a
duplicate only annoys. Three things keep a send from doubling (docs/faults.md):

- the "sent" mark after the mail server took an email is retried through a database outage;
- just before an email goes out, its attempt is recorded (``handed_over_at``), and right after the
  server took it a mark keyed by its stable ``Message-ID`` goes to the shared cache; a claim that
  finds an attempt in flight whose email the cache says was taken records it sent instead of sending
  it again;
- a server that took the whole message but never answered (``mail.UnconfirmedSend``) is not sent
  the email again: it is recorded as unconfirmed.

What is left is a dispatcher killed between the server's answer and the cache mark: that email goes
out again once its lease ends, with the same ``Message-ID`` so mail systems can recognise the copy.
A delivery whose dispatcher died is returned to the queue by ``sweep_expired_leases`` (every minute)
or by the next claim, whichever comes first.
A warm shutdown (SIGTERM) stops the loop after the email in hand (``request_stop``) and releases a
delivery claimed but not yet sent, rather than holding it for the lease.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from .. import history, mail, notify, outbox_counts
from ..history import NewEvent
from ..models import Delivery, Directive, DirectiveEvent, Notification
from . import leases, preferences, webhooks

logger = logging.getLogger(__name__)

# One backoff for every retry of one email or notice: NOTIFICATION_RETRY_SECONDS * 2**(attempts - 1), at
# most six hours, for ever. A mail server that is down is tried again every NOTIFICATION_RETRY_SECONDS
# instead, so delivery resumes within a minute or two of its return, however long it was away.
MAX_BACKOFF_SECONDS = 6 * 60 * 60
# How long the mark of an email taken by the mail server is kept in the cache, for a claim to find.
ACCEPTED_MARK_SECONDS = 7 * 24 * 60 * 60

T = TypeVar("T")

# Set by a warm shutdown (directives/tasks.py connects Celery's signal): stop after the email in hand.
_stopping = threading.Event()


def request_stop() -> None:
    """Ask every dispatch loop of this process to stop after the email it is sending."""
    _stopping.set()


def stop_requested() -> bool:
    return _stopping.is_set()


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(
        seconds=min(settings.NOTIFICATION_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)
    )


def _retrying_database(write: Callable[[], T], *, what: str) -> T:
    """Run ``write`` (its own transaction), retrying with backoff while the database is unreachable.

    Used for the marks written after the mail server took an email: losing one would send it again.
    Retried for up to half the claim's lease, so the mark lands before another dispatcher could take the
    delivery over; inside an outer transaction (the tests') there is nothing to retry.
    """
    deadline = time.monotonic() + settings.NOTIFICATION_CLAIM_SECONDS / 2
    delay = 0.25
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError) as exc:
            if connection.in_atomic_block or time.monotonic() + delay > deadline:
                raise
            logger.warning("%s: the database failed (%s); retrying in %.2f s", what, exc, delay)
            connection.close()  # the next try opens a fresh connection
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def _accepted_key(delivery: Delivery) -> str:
    return f"outbox:accepted:{notify.message_id(delivery)}"


def _remember_accepted(delivery: Delivery, when: dt.datetime) -> None:
    """Note in the shared cache that the mail server took ``delivery``, keyed by its ``Message-ID``."""
    try:
        cache.set(_accepted_key(delivery), when.isoformat(), timeout=ACCEPTED_MARK_SECONDS)
    except Exception:  # the cache is a second line; the database mark is the record
        logger.warning("could not note delivery %s as taken in the cache", delivery.pk, exc_info=True)


def _accepted_at(delivery: Delivery) -> dt.datetime | None:
    """Return when the mail server took ``delivery``, if the shared cache remembers it."""
    try:
        value = cache.get(_accepted_key(delivery))
    except Exception:
        logger.warning("could not ask the cache about delivery %s", delivery.pk, exc_info=True)
        return None
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


@dataclass
class DispatchReport:
    """What one dispatch did: notices (``sent``, ``waiting``, ``cancelled``), emails by what the mail
    server answered (``emails`` sent with a 250, ``deferred`` 4xx or down, ``refused`` 5xx,
    ``unconfirmed`` no answer after the message), and ``database_errors``."""

    sent: list[int] = field(default_factory=list)
    emails: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)  # tried again later, with capped backoff
    refused: list[int] = field(default_factory=list)  # never sent again; a person must look
    unconfirmed: list[int] = field(default_factory=list)  # went out whole, no answer: not sent again
    database_errors: int = 0  # the dispatch stopped on one; the next dispatch carries on
    waiting: list[int] = field(default_factory=list)  # notices with nobody to tell yet, to be retried
    cancelled: list[int] = field(default_factory=list)
    more: bool = False

    def summary(self) -> str:
        emails = len(self.emails)
        text = (
            f"{len(self.sent)} notices sent in {emails} email{'s' if emails != 1 else ''}, "
            f"{len(self.deferred)} emails deferred, {len(self.refused)} refused, "
            f"{len(self.unconfirmed)} unconfirmed, {self.database_errors} database errors, "
            f"{len(self.waiting)} notices waiting for someone to tell (will retry), "
            f"{len(self.cancelled)} cancelled as no longer true"
        )
        return text + ("; more are due" if self.more else "")

    def counts(self) -> dict[str, int]:
        return {
            "sent": len(self.sent),
            "emails": len(self.emails),
            "deferred": len(self.deferred),
            "refused": len(self.refused),
            "unconfirmed": len(self.unconfirmed),
            "database_errors": self.database_errors,
            "waiting": len(self.waiting),
            "cancelled": len(self.cancelled),
        }


def _cancel(notification: Notification, reason: str, report: DispatchReport) -> None:
    Notification.objects.filter(pk=notification.pk).exclude(state=Notification.State.SENT).update(
        state=Notification.State.CANCELLED, last_error=reason
    )
    report.cancelled.append(notification.pk)


def plan_deliveries(report: DispatchReport | None = None) -> DispatchReport:
    """Hand every due pending notice to one delivery per person it goes to; return what was done."""
    now = timezone.now()
    report = report if report is not None else DispatchReport()
    with transaction.atomic():
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(state=Notification.State.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
        )
        owed: dict[str, list[Notification]] = defaultdict(list)
        for notification in due:
            directive = notify.current_directive(notification)
            reason = notify.obsolete_reason(notification, directive)
            if reason is not None:
                _cancel(notification, reason, report)
                continue
            # Issue 15: webhooks are planned from the same notices (actions/webhooks.py).
            webhooks.plan_webhooks(notification, directive, now)
            notification.attempts += 1
            recipients = notify.recipients_for(notification, directive)
            if not recipients:
                who = (
                    "oversight reviewers"
                    if notification.kind in notify.REVIEWER_KINDS
                    else "requester"
                    if notification.kind == Notification.Kind.EXTENSION_DECIDED
                    else "lead editors"
                )
                notification.last_error = (
                    f"NoRecipients: No active {who} with an email address for {directive.ref}."
                )
                # Never given up: someone may be given the role tomorrow (capped backoff, for ever).
                notification.next_attempt_at = now + _backoff(notification.attempts)
                report.waiting.append(notification.pk)
                notification.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                continue
            notification.state = Notification.State.SENDING
            notification.sending_started_at = now
            notification.last_error = ""
            notification.save(update_fields=["attempts", "state", "sending_started_at", "last_error"])
            for address in recipients:
                owed[address].append(notification)
        # Issue 15: each person's preferences say now or in their daily digest (actions/preferences.py).
        preferences.deliver(owed, now, report.cancelled)
    return report


def claim_delivery() -> Delivery | None:
    """Claim the next delivery due for sending, or return None when there is none.

    The claim is a lease: the row is marked ``sending`` and not due again for
    ``NOTIFICATION_CLAIM_SECONDS``, in a short transaction of its own (no lock is held while the email
    goes out). ``skip_locked`` lets dispatchers claim side by side. A delivery whose lease ran out was
    claimed by a dispatcher that died (or lost the database) before marking it: if its attempt was
    handed to the mail server and the cache remembers the server taking it, it is marked sent without
    sending it again; otherwise it is claimed again.
    """
    return leases.claim_next(
        Delivery,
        seconds=settings.NOTIFICATION_CLAIM_SECONDS,
        expired=_recover,
        reset={"handed_over_at": None},
    )


def _recover(row: Delivery, now: dt.datetime) -> bool:
    """Deal with ``row``, locked, whose lease ran out while "sending": its dispatcher died or hung.

    If its attempt was handed to the mail server and the cache remembers the server taking it, mark it
    sent without sending it again and return True; otherwise note the interruption on it (the caller
    queues it again) and return False.
    """
    accepted = _accepted_at(row) if row.handed_over_at is not None else None
    if accepted is not None:
        row.state = Delivery.State.SENT
        row.sent_at = accepted
        row.handed_over_at = None
        row.last_error = ""
        row.save(update_fields=["state", "sent_at", "handed_over_at", "last_error"])
        _settle(row.notifications.all(), now)
        logger.info("delivery %s: the mail server took it before; marked sent, not resent", row.pk)
        return True
    row.last_error = (
        f"Attempt {row.attempts} was interrupted: claimed at "
        f"{row.sending_started_at:%Y-%m-%d %H:%M:%S} UTC and never marked sent or failed"
        + (" (it may have reached the mail server)." if row.handed_over_at else ".")
    )
    return False


def sweep_expired_leases(*, batch: int = 500) -> dict[str, int]:
    """Return to the queue every delivery whose lease ran out, and settle notices left "sending".

    A dispatcher killed (or hung) while holding a delivery leaves it "sending"; the next claim would
    find it, but only when a dispatch runs and reaches it. This sweep (every minute, from beat) puts it
    back to "pending", due now, or marks it sent when the cache says the server took it. It also settles
    any notice still "sending" whose emails are all finished, so no notice is left behind whatever
    happened to the dispatcher that finished the last one. Return how many of each it handled.
    """
    now = timezone.now()
    returned = recovered = 0
    with transaction.atomic():
        expired = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(state=Delivery.State.SENDING, next_attempt_at__lte=now)
            .order_by("id")[:batch]
        )
        for row in expired:
            if _recover(row, now):
                recovered += 1
                continue
            row.state = Delivery.State.PENDING
            row.next_attempt_at = now
            row.handed_over_at = None
            row.save(update_fields=["state", "next_attempt_at", "handed_over_at", "last_error"])
            returned += 1
            logger.warning("delivery %s to %s: lease expired; returned to the queue", row.pk, row.recipient)
    left = list(
        Notification.objects.filter(state=Notification.State.SENDING, deliveries__isnull=False)
        .exclude(deliveries__state__in=[Delivery.State.PENDING, Delivery.State.SENDING])
        .distinct()
        .order_by("id")[:batch]
    )
    if left:
        with transaction.atomic():
            _settle(left, now)
        logger.warning("outbox: settled %d notices left sending after their emails", len(left))
    return {"returned": returned, "recovered": recovered, "settled": len(left)}


def release_delivery(claimed: Delivery) -> bool:
    """Give back a delivery claimed but not sent (a warm shutdown): due again at once, the try not counted."""
    return _finish(
        claimed,
        state=Delivery.State.PENDING,
        next_attempt_at=timezone.now(),
        attempts=max(claimed.attempts - 1, 0),
        handed_over_at=None,
    )


def _finish(claimed: Delivery, **values: object) -> bool:
    """Update the claimed delivery unless its lease went to another dispatcher; return whether it did."""
    return leases.finish(claimed, **values)


def _settle(notifications: Iterable[Notification], now: dt.datetime) -> None:
    """Mark each notice whose deliveries are all finished: sent if one was, else unconfirmed, refused or
    cancelled. Must run inside the transaction that finished the delivery, which it reads.
    """
    ids = sorted({n.pk for n in notifications})
    # The directives whose history may get a "sent" event are locked first, in ascending id, as every
    # writer takes a directive and then its order's chain (common.lock, history.append). Appending here
    # first took the order's lock and then, through the event's foreign key, waited on a directive a
    # writer held while it waited on the order: a deadlock (found by the two-of-everything test).
    # A notice's directive never changes, so reading it before the lock is safe.
    directive_ids = sorted(
        set(
            Notification.objects.filter(pk__in=ids, state=Notification.State.SENDING).values_list(
                "directive_id", flat=True
            )
        )
    )
    if directive_ids:
        list(
            Directive.objects.select_for_update(of=("self",))
            .filter(pk__in=directive_ids)
            .order_by("pk")
            .only("pk")
        )
    # Then the notices, and only then their deliveries: two dispatchers each finishing one email of
    # the same notice used to read before locking, each saw the other's email still "sending", and the
    # notice stayed "sending" for ever. Under the lock, the second reads what the first committed.
    settling = list(
        Notification.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, state=Notification.State.SENDING)
        .order_by("pk")
    )
    by_notice: dict[int, list[Delivery]] = defaultdict(list)
    through = Delivery.notifications.through
    for link in through.objects.filter(notification_id__in=[n.pk for n in settling]).select_related(
        "delivery"
    ):
        by_notice[link.notification_id].append(link.delivery)
    for notification in settling:
        deliveries = by_notice[notification.pk]
        open_states = {Delivery.State.PENDING, Delivery.State.SENDING}
        if any(d.state in open_states for d in deliveries):
            continue
        sent = sorted(d.recipient for d in deliveries if d.state == Delivery.State.SENT)
        deliveries.sort(key=lambda d: d.recipient)
        unconfirmed = [d for d in deliveries if d.state == Delivery.State.UNCONFIRMED]
        refused = [d for d in deliveries if d.state in (Delivery.State.REFUSED, Delivery.State.FAILED)]
        problems = [f"Refused for {d.recipient}: {d.last_error}" for d in refused] + [
            f"Unconfirmed for {d.recipient}: the mail server took it and did not answer." for d in unconfirmed
        ]
        notification.recipients = sent
        notification.last_error = " ".join(problems)[:2000]
        if sent:
            notification.state = Notification.State.SENT
            notification.sent_at = max(
                d.sent_at for d in deliveries if d.sent_at and d.state == Delivery.State.SENT
            )
            notification.event_id = _record_sent(notification, len(sent), now)
        elif unconfirmed:
            notification.state = Notification.State.UNCONFIRMED
        elif refused:
            notification.state = Notification.State.REFUSED
        else:
            notification.state = Notification.State.CANCELLED
        notification.save(update_fields=["recipients", "state", "sent_at", "last_error", "event"])


# What the history says of a notice once the mail server took it. An overdue notice needs no event of
# its own: the ``flagged_overdue`` event that caused it is the record.
_SENT_EVENTS: dict[str, str] = {
    Notification.Kind.REMINDER: DirectiveEvent.Kind.REMINDER_SENT,
    Notification.Kind.ESCALATION: DirectiveEvent.Kind.ESCALATED,
}


def _record_sent(notification: Notification, addresses: int, now: dt.datetime) -> int | None:
    """Append the event saying ``notification`` was sent, if its kind has one; return its id.

    Written when its last delivery is done, in the same transaction as the mark: the record says
    "sent" only of what the mail server took, never of a notice queued and later cancelled.
    """
    kind = _SENT_EVENTS.get(notification.kind)
    if kind is None:
        return notification.event_id
    to = f"{addresses} address{'es' if addresses != 1 else ''}"
    due = notification.due_on
    deadline = f"{due:%A} {due.isoformat()}"
    if notification.kind == Notification.Kind.ESCALATION:
        note = (
            f"Escalation sent to the oversight reviewers ({to}): still open {notification.offset_days} or "
            f"more days after the deadline of {deadline}."
        )
    else:
        days = -notification.offset_days
        left = f"{days} day{'s' if days != 1 else ''}"
        note = f"Reminder sent to the lead agencies' editors ({to}): {left} to the deadline of {deadline}."
    directive = Directive.objects.only("id", "ref", "order_id").get(pk=notification.directive_id)
    [event_id] = history.append([NewEvent.of(directive, kind=kind, note=note, old_due_on=due, created=now)])
    return event_id


def mark_delivery_sent(claimed: Delivery, *, reply: str = "") -> bool:
    """Record that the mail server took ``claimed`` (a 250, ``reply``); it is never claimed again.

    Written after the mail server took the email, so a database outage here is waited out (with
    backoff) rather than leaving the delivery to be sent again.
    """
    sent_at = timezone.now()

    def write() -> bool:
        with transaction.atomic():
            done = _finish(
                claimed,
                state=Delivery.State.SENT,
                sent_at=sent_at,
                last_error="",
                queue_id=mail.queue_id(reply) if reply else "",
                handed_over_at=None,
            )
            if done:
                _settle(claimed.notifications.all(), sent_at)
        return done

    return _retrying_database(write, what=f"marking delivery {claimed.pk} sent")


def mark_delivery_unconfirmed(claimed: Delivery, *, error: str) -> bool:
    """Record that ``claimed`` went out whole and no answer came: maybe delivered, never sent again."""
    now = timezone.now()
    note = (
        f"Sent, unconfirmed: {error}. Not sent again, so that it arrives at most once more; the mail "
        "server's log says whether it was delivered."
    )[:2000]

    def write() -> bool:
        with transaction.atomic():
            done = _finish(claimed, state=Delivery.State.UNCONFIRMED, last_error=note, handed_over_at=None)
            if done:
                _settle(claimed.notifications.all(), now)
        return done

    return _retrying_database(write, what=f"marking delivery {claimed.pk} unconfirmed")


def mark_delivery_refused(claimed: Delivery, *, reply: str) -> bool:
    """Record that the mail server refused ``claimed`` for good (a 5xx), with its reply: never resent."""
    now = timezone.now()

    def write() -> bool:
        with transaction.atomic():
            done = _finish(
                claimed, state=Delivery.State.REFUSED, last_error=reply[:2000], handed_over_at=None
            )
            if done:
                _settle(claimed.notifications.all(), now)
        return done

    return _retrying_database(write, what=f"marking delivery {claimed.pk} refused")


def mark_delivery_deferred(claimed: Delivery, *, error: str, server_down: bool = False) -> bool:
    """Record a send to try again (a 4xx, or no server): after the next minute when the server is down
    or closing (``server_down``), else with exponential backoff capped at six hours."""
    now = timezone.now()
    retry = (
        dt.timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS)
        if server_down
        else _backoff(claimed.attempts)
    )
    return _retrying_database(
        lambda: _finish(
            claimed,
            state=Delivery.State.PENDING,
            next_attempt_at=now + retry,
            last_error=error[:2000],
            handed_over_at=None,
        ),
        what=f"marking delivery {claimed.pk} for retry",
    )


def _send(claimed: Delivery, report: DispatchReport) -> bool:
    """Email ``claimed`` with the notices of it that are still true, and record what the server said.

    Return False when the rest of the batch should wait for the next dispatch: the mail server is down
    or closing, or it went silent after a whole message (only that message is unconfirmed).
    """
    now = timezone.now()
    live = []
    for notification in claimed.notifications.exclude(state=Notification.State.CANCELLED).order_by("id"):
        directive = notify.current_directive(notification)
        reason = notify.obsolete_reason(notification, directive)
        if reason is not None:
            _cancel(notification, reason, report)
        else:
            live.append(notification)
    if not live:
        with transaction.atomic():
            if _finish(
                claimed, state=Delivery.State.CANCELLED, last_error="Every notice in it stopped being true."
            ):
                _settle(claimed.notifications.all(), now)
        return True
    # The attempt in flight, committed before the email goes out: a claim that finds it set after the
    # lease knows the server may have taken it, and asks the cache before sending again.
    if not _finish(claimed, handed_over_at=now):
        logger.warning("delivery %s: lease lost before sending; left to its new holder", claimed.pk)
        return True
    where = (
        f"delivery {claimed.pk} to {claimed.recipient} "
        f"(attempt {claimed.attempts}, {notify.message_id(claimed)})"
    )
    try:
        reply = notify.send_delivery(claimed, live)
    except mail.UnconfirmedSend as exc:
        logger.warning("%s: unconfirmed, not sent again: %s", where, exc)
        outbox_counts.count("unconfirmed")
        mark_delivery_unconfirmed(claimed, error=str(exc))
        report.unconfirmed.append(claimed.pk)
        return False
    except DatabaseError:
        raise  # reading the notices to render them: the database's fault, not the mail server's
    except Exception as exc:
        answer = mail.read_answer(exc)
        if answer.permanent:
            logger.warning("%s: refused by the mail server, not sent again: %s", where, answer.reply)
            outbox_counts.count("refused")
            mark_delivery_refused(claimed, reply=f"Refused by the mail server: {answer.reply}")
            report.refused.append(claimed.pk)
            return True
        logger.warning(
            "%s: deferred%s: %s", where, ", mail server down" if answer.server_down else "", answer.reply
        )
        outbox_counts.count("deferred")
        mark_delivery_deferred(claimed, error=answer.reply, server_down=answer.server_down)
        report.deferred.append(claimed.pk)
        return not answer.server_down
    _remember_accepted(claimed, timezone.now())
    if mark_delivery_sent(claimed, reply=reply):
        logger.info("%s: sent%s", where, f" ({reply})" if reply else "")
        outbox_counts.count("sent")
        report.emails.append(claimed.pk)
        report.sent += [n.pk for n in live if n.pk not in report.sent]
    else:
        logger.warning("%s: sent after its lease ran out", where)
    return True


def dispatch_notifications(*, max_seconds: float | None = None) -> DispatchReport:
    """Plan the due notices into deliveries and send every delivery that is due; report what happened.

    With ``max_seconds``, stop claiming once that much time has passed and set ``more`` when deliveries
    may be left, so a task can hand over to a fresh one within its time limit. Stop at once when the
    mail server is unreachable (the next dispatch tries again) or a warm shutdown was asked for
    (``request_stop``): the email in hand is finished, one claimed but not sent is released.
    """
    started = time.monotonic()
    report = DispatchReport()
    try:
        plan_deliveries(report)
        while not _stopping.is_set():
            if max_seconds is not None and time.monotonic() - started >= max_seconds:
                report.more = True
                break
            claimed = claim_delivery()
            if claimed is None:
                break
            if _stopping.is_set():
                release_delivery(claimed)
                break
            if not _send(claimed, report):
                break
    except DatabaseError as exc:
        # Counted as what it is, not as a mail failure. What was claimed stays claimed: its lease ends
        # and the sweep returns it (the cache says whether the server took it). Raised again so the
        # task or command fails visibly; the report is on the exception.
        report.database_errors += 1
        outbox_counts.count("database_error")
        logger.error("dispatch stopped: the database failed (%s: %s)", type(exc).__name__, exc)
        exc.dispatch_report = report  # type: ignore[attr-defined]  # for the task's counts
        raise
    return report
