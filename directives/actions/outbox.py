"""The notification outbox: claim a due row, send it, mark it sent, failed or cancelled."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import notify
from ..models import Notification

logger = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    gave_up: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    more: bool = False

    def summary(self) -> str:
        text = (
            f"{len(self.sent)} sent, {len(self.failed)} failed (will retry), {len(self.gave_up)} given up, "
            f"{len(self.cancelled)} cancelled as no longer true"
        )
        return text + ("; more are due" if self.more else "")


def claim_notification() -> Notification | None:
    """Claim the next notification due for sending, or return None when there is none.

    The claim is a lease: the row is marked ``sending`` and not due again for
    ``NOTIFICATION_CLAIM_SECONDS``, in a short transaction of its own (no lock is held while the email
    goes out). ``skip_locked`` lets dispatchers claim side by side without waiting on each other. A row
    whose lease ran out was claimed by a dispatcher that died before marking it: it is claimed again,
    or given up after ``NOTIFICATION_MAX_ATTEMPTS``.
    """
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    with transaction.atomic():
        while True:
            row = (
                Notification.objects.select_for_update(skip_locked=True)
                .filter(
                    state__in=[Notification.State.PENDING, Notification.State.SENDING],
                    next_attempt_at__lte=now,
                )
                .order_by("next_attempt_at", "id")
                .first()
            )
            if row is None:
                return None
            if row.state == Notification.State.SENDING:
                row.last_error = (
                    f"Attempt {row.attempts} was interrupted: claimed at "
                    f"{row.sending_started_at:%Y-%m-%d %H:%M:%S} UTC and never marked sent or failed."
                )
                if row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                    row.state = Notification.State.FAILED
                    row.save(update_fields=["state", "last_error"])
                    continue
            row.state = Notification.State.SENDING
            row.attempts += 1
            row.sending_started_at = now
            row.next_attempt_at = now + lease
            row.save(
                update_fields=["state", "attempts", "sending_started_at", "next_attempt_at", "last_error"]
            )
            return row


def _finish(claimed: Notification, **values: object) -> bool:
    """Update the claimed row unless its lease went to another dispatcher; return whether it did."""
    return bool(
        Notification.objects.filter(
            pk=claimed.pk, state=Notification.State.SENDING, sending_started_at=claimed.sending_started_at
        ).update(**values)
    )


def mark_notification_sent(claimed: Notification, *, recipients: list[str]) -> bool:
    """Record that ``claimed`` went out to ``recipients``; a sent row is never claimed again."""
    now = timezone.now()
    return _finish(claimed, state=Notification.State.SENT, sent_at=now, recipients=recipients, last_error="")


def mark_notification_cancelled(claimed: Notification, *, reason: str) -> bool:
    """Record that ``claimed`` is no longer true and will not be sent."""
    return _finish(claimed, state=Notification.State.CANCELLED, last_error=reason)


def mark_notification_failed(claimed: Notification, *, error: str) -> bool:
    """Record a failed send: retry with exponential backoff, or give up after the last attempt."""
    now = timezone.now()
    if claimed.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        return _finish(claimed, state=Notification.State.FAILED, last_error=error)
    delay = min(settings.NOTIFICATION_RETRY_SECONDS * 2 ** (claimed.attempts - 1), 6 * 60 * 60)
    return _finish(
        claimed,
        state=Notification.State.PENDING,
        next_attempt_at=now + dt.timedelta(seconds=delay),
        last_error=error,
    )


def dispatch_notifications(*, max_seconds: float | None = None) -> DispatchReport:
    """Send every notification that is due, claiming one row at a time, and report what happened.

    Delivery is at least once, by choice: a notice that nobody gets defeats a deadline tracker, a
    duplicate only annoys. Each row is claimed (committed), then emailed, then marked sent
    (committed). A row marked sent is never sent again. A failure raised by the send is recorded and
    retried with backoff. Only a dispatcher killed after the mail server accepted the message and
    before the mark committed (a window of one UPDATE) leaves a row that is sent again once its lease
    ends; the message keeps the same ``Message-ID`` so mail systems can recognise the copy. Exactly
    once is not possible across SMTP and a database without a shared transaction; holding a lock
    through the SMTP exchange instead would block every other writer on SQLite meanwhile.

    With ``max_seconds``, stop claiming once that much time has passed and set ``more`` when rows may
    be left, so a task can hand over to a fresh one within its time limit.
    """
    started = time.monotonic()
    report = DispatchReport()
    while True:
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            report.more = True
            break
        claimed = claim_notification()
        if claimed is None:
            break
        try:
            recipients = notify.send_notification(claimed)
        except notify.Obsolete as exc:
            mark_notification_cancelled(claimed, reason=str(exc))
            report.cancelled.append(claimed.pk)
            continue
        except Exception as exc:
            logger.warning("notification %s failed (attempt %s): %s", claimed.pk, claimed.attempts, exc)
            mark_notification_failed(claimed, error=f"{type(exc).__name__}: {exc}"[:2000])
            if claimed.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                report.gave_up.append(claimed.pk)
            else:
                report.failed.append(claimed.pk)
            continue
        if mark_notification_sent(claimed, recipients=recipients):
            report.sent.append(claimed.pk)
        else:
            logger.warning("notification %s was sent after its lease ran out", claimed.pk)
    return report
