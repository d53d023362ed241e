"""What becomes of a claimed email (``outbox``): the marks written once the mail server answered.

Each mark finishes the delivery only while its dispatcher still holds the lease (``leases.finish``)
and, in the same transaction, settles the notices it carried (``_settle``): a notice is sent once
every email carrying it is, and its history records the sending. The marks written after the mail
server took an email are retried through a database outage (``_retrying_database``), and a mark
keyed by the email's ``Message-ID`` goes to the shared cache (``_remember_accepted``), so a claim
that finds the attempt in flight after its lease records it sent rather than sending it again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from directives import deadlines, history
from directives.notices import mail, notify

from ..history import NewEvent
from ..models import Delivery, Directive, Notification
from . import events, leases

logger = logging.getLogger(__name__)

# One backoff for every retry of one email or notice: NOTIFICATION_RETRY_SECONDS * 2**(attempts - 1), at
# most six hours, for ever. A mail server that is down is tried again every NOTIFICATION_RETRY_SECONDS
# instead, so delivery resumes within a minute or two of its return, however long it was away.
MAX_BACKOFF_SECONDS = 6 * 60 * 60
# How long the mark of an email taken by the mail server is kept in the cache, for a claim to find.
ACCEPTED_MARK_SECONDS = 7 * 24 * 60 * 60

T = TypeVar("T")


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
_SENT_EVENTS: dict[str, Callable[..., NewEvent]] = {
    Notification.Kind.REMINDER: events.reminder_sent,
    Notification.Kind.ESCALATION: events.escalation_sent,
}


def _record_sent(notification: Notification, addresses: int, now: dt.datetime) -> int | None:
    """Append the event saying ``notification`` was sent, if its kind has one; return its id.

    Written when its last delivery is done, in the same transaction as the mark: the record says
    "sent" only of what the mail server took, never of a notice queued and later cancelled.
    """
    sent = _SENT_EVENTS.get(notification.kind)
    if sent is None:
        return notification.event_id
    to = f"{addresses} address{'es' if addresses != 1 else ''}"
    due = notification.due_on
    deadline = deadlines.weekday_date(due)
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
    [event_id] = history.append([sent(directive, note=note, due_on=due, created=now)])
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
