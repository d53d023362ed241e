"""The notification outbox: hand the notices owed to the people they go to, one email each, and send it.

Two steps, each idempotent and safe to run twice at once:

1. **Plan** (``plan_deliveries``): take the due pending notices (``skip_locked``, so two dispatchers
   take disjoint ones), cancel those that stopped being true, find who each goes to, and write one
   ``Delivery`` per person carrying all the notices owed to them: ten directives overdue at one midnight
   are one email to each of their editors. A notice with nobody to tell yet waits, with backoff.
2. **Send** (``claim_delivery`` and the loop in ``dispatch_notifications``): claim one delivery at a
   time under a lease, email it, mark it sent. A notice is sent once every delivery carrying it is.

Delivery is at least once, by choice: a notice that nobody gets defeats a deadline tracker, a
duplicate only annoys. Only a dispatcher killed after the mail server accepted an email and before the
mark committed leaves a delivery that is sent again once its lease ends; the email keeps the same
``Message-ID`` so mail systems can recognise the copy.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import history, notify
from ..history import NewEvent
from ..models import Delivery, Directive, DirectiveEvent, Notification
from . import preferences, webhooks

logger = logging.getLogger(__name__)

# One backoff for every retry: NOTIFICATION_RETRY_SECONDS * 2**(attempts - 1), at most six hours.
MAX_BACKOFF_SECONDS = 6 * 60 * 60


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(
        seconds=min(settings.NOTIFICATION_RETRY_SECONDS * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS)
    )


@dataclass
class DispatchReport:
    """What one dispatch did, by notice (``sent``, ``waiting``, ``gave_up``, ``cancelled``) and email."""

    sent: list[int] = field(default_factory=list)
    emails: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # emails the mail server refused (retried until given up)
    waiting: list[int] = field(default_factory=list)  # notices with nobody to tell yet, to be retried
    gave_up: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    more: bool = False

    def summary(self) -> str:
        emails = len(self.emails)
        text = (
            f"{len(self.sent)} notices sent in {emails} email{'s' if emails != 1 else ''}, "
            f"{len(self.failed)} emails failed, "
            f"{len(self.waiting)} notices waiting for someone to tell (will retry), "
            f"{len(self.gave_up)} given up, {len(self.cancelled)} cancelled as no longer true"
        )
        return text + ("; more are due" if self.more else "")


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
                if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                    notification.state = Notification.State.FAILED
                    report.gave_up.append(notification.pk)
                else:
                    notification.next_attempt_at = now + _backoff(notification.attempts)
                    report.waiting.append(notification.pk)
                notification.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
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
    claimed by a dispatcher that died before marking it: it is claimed again, or given up after
    ``NOTIFICATION_MAX_ATTEMPTS``.
    """
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    with transaction.atomic():
        while True:
            row = (
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(state__in=[Delivery.State.PENDING, Delivery.State.SENDING], next_attempt_at__lte=now)
                .order_by("next_attempt_at", "id")
                .first()
            )
            if row is None:
                return None
            if row.state == Delivery.State.SENDING:
                row.last_error = (
                    f"Attempt {row.attempts} was interrupted: claimed at "
                    f"{row.sending_started_at:%Y-%m-%d %H:%M:%S} UTC and never marked sent or failed."
                )
                if row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                    row.state = Delivery.State.FAILED
                    row.save(update_fields=["state", "last_error"])
                    _settle(row.notifications.all(), now)
                    continue
            row.state = Delivery.State.SENDING
            row.attempts += 1
            row.sending_started_at = now
            row.next_attempt_at = now + lease
            row.save(
                update_fields=["state", "attempts", "sending_started_at", "next_attempt_at", "last_error"]
            )
            return row


def _finish(claimed: Delivery, **values: object) -> bool:
    """Update the claimed delivery unless its lease went to another dispatcher; return whether it did."""
    return bool(
        Delivery.objects.filter(
            pk=claimed.pk, state=Delivery.State.SENDING, sending_started_at=claimed.sending_started_at
        ).update(**values)
    )


def _settle(
    notifications: Iterable[Notification], now: dt.datetime, report: DispatchReport | None = None
) -> None:
    """Mark each notice that every one of its deliveries has finished with: sent, or failed if none was."""
    for notification in Notification.objects.filter(
        pk__in=[n.pk for n in notifications], state=Notification.State.SENDING
    ).prefetch_related("deliveries"):
        deliveries = list(notification.deliveries.all())
        open_states = {Delivery.State.PENDING, Delivery.State.SENDING}
        if any(d.state in open_states for d in deliveries):
            continue
        sent = sorted(d.recipient for d in deliveries if d.state == Delivery.State.SENT)
        failed = sorted(d.recipient for d in deliveries if d.state == Delivery.State.FAILED)
        notification.recipients = sent
        if sent:
            notification.state = Notification.State.SENT
            notification.sent_at = max(
                d.sent_at for d in deliveries if d.sent_at and d.state == Delivery.State.SENT
            )
            notification.last_error = f"Never delivered to {', '.join(failed)}." if failed else ""
            notification.event_id = _record_sent(notification, len(sent), now)
        elif failed:
            notification.state = Notification.State.FAILED
            notification.last_error = f"Never delivered to {', '.join(failed)}."
            if report is not None:
                report.gave_up.append(notification.pk)
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


def mark_delivery_sent(claimed: Delivery) -> bool:
    """Record that ``claimed`` went out; a sent delivery is never claimed again."""
    now = timezone.now()
    with transaction.atomic():
        done = _finish(claimed, state=Delivery.State.SENT, sent_at=now, last_error="")
        if done:
            _settle(claimed.notifications.all(), now)
    return done


def mark_delivery_failed(claimed: Delivery, *, error: str, report: DispatchReport | None = None) -> bool:
    """Record a failed send: retry with exponential backoff, or give up after the last attempt."""
    now = timezone.now()
    with transaction.atomic():
        if claimed.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            done = _finish(claimed, state=Delivery.State.FAILED, last_error=error)
            if done:
                _settle(claimed.notifications.all(), now, report)
            return done
        return _finish(
            claimed,
            state=Delivery.State.PENDING,
            next_attempt_at=now + _backoff(claimed.attempts),
            last_error=error,
        )


def _send(claimed: Delivery, report: DispatchReport) -> None:
    """Email ``claimed`` with the notices of it that are still true, and record what happened."""
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
        return
    try:
        notify.send_delivery(claimed, live)
    except Exception as exc:
        logger.warning(
            "delivery %s to %s failed (attempt %s): %s", claimed.pk, claimed.recipient, claimed.attempts, exc
        )
        mark_delivery_failed(claimed, error=f"{type(exc).__name__}: {exc}"[:2000], report=report)
        report.failed.append(claimed.pk)
        return
    if mark_delivery_sent(claimed):
        report.emails.append(claimed.pk)
        report.sent += [n.pk for n in live if n.pk not in report.sent]
    else:
        logger.warning("delivery %s was sent after its lease ran out", claimed.pk)


def dispatch_notifications(*, max_seconds: float | None = None) -> DispatchReport:
    """Plan the due notices into deliveries and send every delivery that is due; report what happened.

    With ``max_seconds``, stop claiming once that much time has passed and set ``more`` when deliveries
    may be left, so a task can hand over to a fresh one within its time limit.
    """
    started = time.monotonic()
    report = plan_deliveries()
    while True:
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            report.more = True
            break
        claimed = claim_delivery()
        if claimed is None:
            break
        _send(claimed, report)
    return report
