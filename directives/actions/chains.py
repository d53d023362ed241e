"""Chained deadlines: an after_directive deadline is dated when the directive it waits for is completed.

"Within 60 days of the publication of the guidance described in subsection (b)" has no date until
that guidance is out. When the directive it names (in the same order or another) reaches completed,
through an update or a parent's roll-up, the waiting directive gets its original and effective due
dates in the same transaction, with a ``deadline_set`` event naming the directive that set it. The
day it was done is ``event_on``, the day the deadline counts from (not counted itself).

Dated once: a trigger reopened afterwards leaves the deadline as it was, with a note in the waiting
directive's history saying so (an administrator can extend the deadline if the work must wait); a
second completion does not move it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from .. import deadlines
from ..history import NewEvent
from ..models import Directive, DirectiveEvent, Status
from .events import deadline_kept, deadline_set
from .schedule import _move_deadline

WAITING_KINDS = (Directive.DeadlineKind.AFTER_DIRECTIVE, Directive.DeadlineKind.RECURRING)


def waited_for(rule: deadlines.Rule, own_order: int) -> tuple[int, str] | None:
    """Return the (order number, ref) of the directive ``rule`` waits for, or None if it waits for none."""
    first = deadlines.first_rule(rule)
    if isinstance(first, deadlines.AfterDirective):
        return (first.order or own_order, first.directive)
    return None


def trigger_date(rule: deadlines.Rule, own_order: int) -> dt.date | None:
    """Return the day the directive ``rule`` waits for was completed, or None if it is not (or none)."""
    target = waited_for(rule, own_order)
    if target is None:
        return None
    return (
        Directive.objects.filter(order__number=target[0], ref=target[1], status=Status.COMPLETED)
        .values_list("completed_on", flat=True)
        .first()
    )


def _label(directive: Directive) -> str:
    return f"Sec. {directive.ref} of Executive Order {directive.order.number}"


def _waiting_on(done: Iterable[Directive], *, dated: bool) -> list[tuple[Directive, Directive]]:
    """Return (waiting directive, the one of ``done`` it waits for), locked, in ascending id.

    Only first occurrences wait: a later occurrence of a series is dated by the series. ``dated``
    chooses those already dated (for a reopening) or those still waiting (for a completion).
    """
    by_key = {(d.order.number, d.ref): d for d in done}
    if not by_key:
        return []
    refs = sorted({ref for _, ref in by_key})
    candidates = (
        Directive.objects.select_for_update(of=("self",))
        .select_related("order")
        .filter(deadline_kind__in=WAITING_KINDS, series__isnull=True, due_on__isnull=not dated)
        .filter(Q(deadline__directive__in=refs) | Q(deadline__first__directive__in=refs))
        .exclude(status__in=[Status.COMPLETED, Status.RESCINDED])
        .order_by("pk")
    )
    found = []
    for waiting in candidates:
        key = waited_for(waiting.rule, waiting.order.number)  # never None: the kinds filtered wait for one
        target = by_key.get(key) if key is not None else None
        if target is not None and target.pk != waiting.pk:
            found.append((waiting, target))
    return found


def date_waiting(done: Iterable[Directive], *, now: dt.datetime) -> list[NewEvent]:
    """Date every deadline waiting for one of the just completed ``done``; return the events to append.

    The system dates them (no actor), as it rolls a status up: whoever completed ``done`` did not act
    on these directives.
    """
    events = []
    for waiting, target in _waiting_on(done, dated=False):
        order = waiting.order
        rule = waiting.rule
        trigger_on = target.completed_on
        assert trigger_on is not None  # noqa: S101 - ``done`` are completed, and a completion is dated
        due_on = deadlines.due_date(
            rule, signed_on=order.signed_on, trigger_on=trigger_on, policy=order.deadline_policy
        )
        assert due_on is not None  # noqa: S101 - a rule waiting for a directive, once it is done, has a date
        first = deadlines.first_rule(rule)
        word = first.trigger.value if isinstance(first, deadlines.AfterDirective) else "completed"
        events.append(
            deadline_set(
                waiting,
                new_due_on=due_on,
                note=(
                    f"{_label(target)} was {word} on {deadlines.weekday_date(trigger_on)}: this deadline, "
                    f"{rule.describe()}, falls on {deadlines.weekday_date(due_on)}."
                ),
                created=now,
            )
        )
        waiting.event_on = trigger_on
        _move_deadline(waiting, due_on)
    return events


def note_reopened(reopened: Iterable[Directive], *, now: dt.datetime) -> list[NewEvent]:
    """Note on each deadline dated by one of ``reopened`` that it stays as dated; return the events."""
    events = []
    for waiting, target in _waiting_on(reopened, dated=True):
        assert waiting.due_on is not None  # noqa: S101 - _waiting_on(dated=True) finds dated ones only
        events.append(
            deadline_kept(
                waiting,
                note=(
                    f"{_label(target)}, which this deadline counts from, was reopened; the deadline stays "
                    f"{deadlines.weekday_date(waiting.due_on)} (dated once, by its completion). An "
                    "administrator can extend it."
                ),
                created=now,
            )
        )
    return events


def consequences(events: list[NewEvent], *, now: dt.datetime) -> list[NewEvent]:
    """Return the events that ``events`` (status changes, roll-ups included) cause in waiting deadlines."""
    completed = [e.directive_id for e in events if _changed(e, to_completed=True)]
    reopened = [e.directive_id for e in events if _changed(e, to_completed=False)]
    if not completed and not reopened:
        return []
    rows = {d.pk: d for d in Directive.objects.select_related("order").filter(pk__in=completed + reopened)}
    return date_waiting([rows[pk] for pk in completed], now=now) + note_reopened(
        [rows[pk] for pk in reopened], now=now
    )


def _changed(event: NewEvent, *, to_completed: bool) -> bool:
    if event.kind != DirectiveEvent.Kind.STATUS_CHANGED or event.old_status == event.new_status:
        return False
    if to_completed:
        return event.new_status == Status.COMPLETED
    return event.old_status == Status.COMPLETED
