"""One lease for every queue: claim the next row due for a while, and finish it only while holding it.

The email outbox (``outbox``) and the webhooks' (``webhooks``) share it. A queue's row has a
``state`` (pending, sending, then its outcomes), ``attempts``, ``next_attempt_at``,
``sending_started_at`` and ``last_error``. A claim marks the row "sending" and not due again until
its lease ends, in a short transaction of its own (no lock is held while the row is sent);
``skip_locked`` lets dispatchers claim side by side. A row found "sending" once its lease ran out was
held by a dispatcher that died (or lost the database): the queue's ``expired`` settles it (and the
claim moves on) or notes the interruption (and it is claimed again). Finishing updates the row only
while it is still "sending" under the same claim, so a dispatcher whose lease went to another
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from ..models import Delivery
from ..models.outreach import WebhookDelivery

Queued = TypeVar("Queued", Delivery, WebhookDelivery)


def claim_next(
    model: type[Queued],
    *,
    seconds: int,
    expired: Callable[[Queued, dt.datetime], bool],
    reset: Mapping[str, object] | None = None,
) -> Queued | None:
    """Claim the next row of ``model`` due, leased for ``seconds``, or return None when none is due.

    ``expired(row, now)`` is called, the row locked, for one whose lease ran out while "sending"; it
    returns True when it settled the row (it is skipped), False to claim it again. ``reset`` names
    fields set afresh on each claim (the outbox's ``handed_over_at``).
    """
    now = timezone.now()
    lease = dt.timedelta(seconds=seconds)
    with transaction.atomic():
        while True:
            row = (
                model.objects.select_for_update(skip_locked=True)
                .filter(state__in=[model.State.PENDING, model.State.SENDING], next_attempt_at__lte=now)
                .order_by("next_attempt_at", "id")
                .first()
            )
            if row is None:
                return None
            if row.state == model.State.SENDING and expired(row, now):
                continue
            row.state = model.State.SENDING
            row.attempts += 1
            row.sending_started_at = now
            row.next_attempt_at = now + lease
            fields = ["state", "attempts", "sending_started_at", "next_attempt_at", "last_error"]
            for name, value in (reset or {}).items():
                setattr(row, name, value)
                fields.append(name)
            row.save(update_fields=fields)
            return row


def finish(claimed: Queued, **values: object) -> bool:
    """Update the claimed row unless its lease went to another dispatcher; return whether it did."""
    model = type(claimed)
    return bool(
        model.objects.filter(
            pk=claimed.pk, state=model.State.SENDING, sending_started_at=claimed.sending_started_at
        ).update(**values)
    )
