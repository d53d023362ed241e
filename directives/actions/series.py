"""Recurring directives: each occurrence is a directive of its own, made when the one before is due or done.

"Within 90 days, and annually thereafter" is a series. The directive the order file names is its first
occurrence (``occurrence`` 1); each later occurrence is a directive row of its own, ref ``<ref>#<n>``,
linked to the first by ``series``, with the first's title, summary and agencies, and its own due date,
status, outcome, notices and history. So the dashboards, the API, the notices and the exports count
and show occurrences as they do any directive.

Occurrence n+1 is made once occurrence n is completed or its due day has ended, whichever comes first:
by ``record_update`` in the transaction that completes it, and by the beat sweep ``advance_series``,
which catches up after an outage (one occurrence after another, up to the present). Occurrences count
from the first one's date before any business-day roll (``deadlines.occurrence_due``); each is the
schedule's first date after the newest one (``deadlines.next_occurrence_due``), so an amended interval
continues from where the series is; they stop at the rule's ``until``. A rescinded series makes no
more. The unique (series, occurrence) constraint and the lock on the first occurrence make a second
run, or two at once, create nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from .. import deadlines, history
from ..history import NewEvent
from ..history.definitions import starts_as
from ..models import Directive, Involvement, Status
from .events import directive_created

RECURRING = Directive.DeadlineKind.RECURRING


def first_on(head: Directive) -> dt.date | None:
    """Return the series' first date before any business-day roll: what its occurrences count from."""
    return head.rule.due_on(signed_on=head.order.signed_on, event_on=head.event_on, trigger_on=head.event_on)


def _is_due_or_done(newest: Directive, now: dt.datetime) -> bool:
    if newest.status == Status.RESCINDED or newest.due_at is None:
        return False
    return newest.status == Status.COMPLETED or newest.due_at <= now


def _next(head: Directive, newest: Directive, now: dt.datetime) -> tuple[int, dt.date] | None:
    """Return the number and due date of the occurrence to make after ``newest``, or None for none (yet)."""
    rule = head.rule
    if not isinstance(rule, deadlines.Recurring) or head.status == Status.RESCINDED:
        return None
    if not _is_due_or_done(newest, now):
        return None
    start = first_on(head)
    if start is None:
        return None
    n = (newest.occurrence or 1) + 1
    # After the newest occurrence's scheduled date, on the rule as it stands: an amendment that changed
    # the interval neither skips a period nor dates the next occurrence before the newest.
    after = newest.original_due_on or newest.due_on
    if after is None:
        return None
    due_on = deadlines.next_occurrence_due(
        rule, after=after, first_on=start, policy=head.order.deadline_policy
    )
    return None if due_on is None else (n, due_on)


def _create(head: Directive, n: int, due_on: dt.date, now: dt.datetime) -> tuple[Directive, NewEvent]:
    occurrence = Directive.objects.create(
        order=head.order,
        ref=f"{head.ref}#{n}",
        position=head.position,
        title=head.title,
        summary=head.summary,
        deadline=head.deadline,
        deadline_kind=head.deadline_kind,
        series=head,
        occurrence=n,
        original_due_on=due_on,
        due_on=due_on,
        due_at=deadlines.end_of_day(due_on),
    )
    involved = list(Involvement.objects.filter(directive=head).select_related("agency"))
    Involvement.objects.bulk_create(
        Involvement(directive=occurrence, agency_id=i.agency_id, role=i.role, position=i.position)
        for i in involved
    )
    named = sorted(involved, key=lambda i: (i.role, i.position))
    starts = starts_as(
        head.title,
        [i.agency.abbreviation for i in named if i.role == Involvement.Role.LEAD],
        [i.agency.abbreviation for i in named if i.role == Involvement.Role.CONSULTED],
        None,
    )
    event = directive_created(
        occurrence,
        new_due_on=due_on,
        note=(
            f"Occurrence {n} of Sec. {head.ref} ({head.rule.describe()}), due "
            f"{deadlines.weekday_date(due_on)}. {starts}"
        ),
        created=now,
    )
    return occurrence, event


def newest_occurrence(head: Directive) -> Directive:
    """Return the series' newest occurrence (the first when there is no other yet)."""
    return head.occurrences.order_by("-occurrence").first() or head


def advance(head: Directive, *, now: dt.datetime) -> list[NewEvent]:
    """Make every occurrence of ``head``'s series that is owed at ``now``; return their events.

    Runs in the caller's transaction with ``head`` locked; the caller appends the events.
    """
    events = []
    newest = newest_occurrence(head)
    while (following := _next(head, newest, now)) is not None:
        newest, event = _create(head, *following, now)
        events.append(event)
    return events


def advance_one(directive: Directive, *, now: dt.datetime) -> list[NewEvent]:
    """Lock the series of ``directive`` (any occurrence of it) and make what it owes; return the events."""
    if directive.deadline_kind != RECURRING:
        return []
    head = (
        Directive.objects.select_for_update(of=("self",))
        .select_related("order")
        .get(pk=directive.series_id or directive.pk)
    )
    return advance(head, now=now)


def advance_series(*, actor: User | None = None) -> list[int]:
    """Make the next occurrence of every series whose newest one is due or done; return the new ids.

    One read of the recurring directives finds the series that owe one; each is then locked, checked
    again and advanced in a transaction of its own, so a second run, or two at once, make nothing twice.
    """
    now = timezone.now()
    # The series link is null on a first occurrence (the stubs type the column as always set).
    rows: Iterable[tuple[int, int | None, int | None, str, dt.datetime | None]] = Directive.objects.filter(
        deadline_kind=RECURRING
    ).values_list("pk", "series_id", "occurrence", "status", "due_at")
    newest: dict[int, tuple[int, str, dt.datetime | None]] = {}
    heads: set[int] = set()
    for pk, series_id, number, status, due_at in rows:
        head_id = series_id or pk
        if series_id is None:
            heads.add(pk)
        if head_id not in newest or (number or 1) > newest[head_id][0]:
            newest[head_id] = (number or 1, status, due_at)

    def owes_next(status: str, due_at: dt.datetime | None) -> bool:
        """Return whether a series whose newest occurrence stands so owes the next one."""
        if status == Status.COMPLETED:
            return True
        return status != Status.RESCINDED and due_at is not None and due_at <= now

    owing = sorted(head_id for head_id in heads if owes_next(*newest[head_id][1:]))
    created: list[int] = []
    for head_id in owing:
        with transaction.atomic():
            head = Directive.objects.select_for_update(of=("self",)).select_related("order").get(pk=head_id)
            events = advance(head, now=now)
            history.append(events)
        created += [e.directive_id for e in events]
    return created
