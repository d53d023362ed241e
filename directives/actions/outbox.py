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

The claim is the lease every queue shares (``leases``); the marks written once the server answered,
and the notices they settle, are in ``deliveries``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from directives.notices import mail, notify, outbox_counts

from ..models import Delivery, Notification
from . import channels, leases, preferences, webhooks
from .deliveries import (
    _accepted_at,
    _backoff,
    mark_delivery_deferred,
    mark_delivery_refused,
    mark_delivery_sent,
    mark_delivery_unconfirmed,
)

# Re-exported: the fault tests drive a claimed delivery through these by hand.
from .deliveries import _finish as _finish
from .deliveries import _remember_accepted as _remember_accepted
from .deliveries import _settle as _settle

logger = logging.getLogger(__name__)

# Set by a warm shutdown (directives/tasks.py connects Celery's signal): stop after the email in hand.
_stopping = threading.Event()


def request_stop() -> None:
    """Ask every dispatch loop of this process to stop after the email it is sending."""
    _stopping.set()


def stop_requested() -> bool:
    return _stopping.is_set()


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
            if not recipients and notification.kind in notify.EVENT_KINDS:
                # Told to who is there when it happens: a reviewer named tomorrow did not ask for it.
                _cancel(notification, f"Nobody to tell of this event of {directive.ref}.", report)
                continue
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
        # Issue 21: the webhook and the feed each person chose for some kinds (actions/channels.py);
        # issue 15: their preferences say which by email, now or in their daily digest (preferences.py).
        elsewhere = channels.deliver_elsewhere(owed, now)
        preferences.deliver(owed, now, report.cancelled, elsewhere)
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
