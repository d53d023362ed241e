"""The sweeps beat runs: flag what is overdue, owe reminders and escalations.

Each compares instants (``due_at`` against now), never dates for equality, so a sweep that did not run
for days catches up on its next run; each records what it did (a flag, an outbox row unique per
deadline), so a second run, or two at once, neither loses nor doubles anything. Beat runs them through
``directives/tasks.py``, and so do the management commands.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.sql import Query
from django.utils import timezone

from .. import deadlines, history
from ..history import NewEvent
from ..models import FLAGGABLE, Directive, DirectiveEvent, DirectiveQuerySet, Notification
from .common import queue_dispatch_on_commit


def _inlined(condition: Q) -> str:
    """Return ``condition`` over the directives table as SQL, its constants written in.

    Written as Django writes a partial index's condition (``Index._get_condition_sql``), so the SQL of
    ``FLAGGABLE`` here is the very text of directive_open_due_at_idx's condition, and the planner can
    prove the index applies (a bound parameter in its place would not let SQLite's planner do so).
    """
    query = Query(model=Directive, alias_cols=False)
    sql, params = query.build_where(condition).as_sql(query.get_compiler(connection=connection), connection)
    return sql % tuple(connection.schema_editor().quote_value(p) for p in params)


def _due_condition() -> str:
    """Return the SQL of ``due_for_flagging_q``: ``FLAGGABLE`` (the index's condition) and ``due_at`` passed.

    The instant is the named parameter ``%(now)s``. A parent with parts is left out: it is overdue
    only through an open part past its effective deadline (``overdue_q``), and that part is flagged.
    """
    qn = connection.ops.quote_name
    table = qn(Directive._meta.db_table)
    # Names come from the model.
    has_parts = f"EXISTS (SELECT 1 FROM {table} part WHERE part.{qn('parent_id')} = {table}.{qn('id')})"  # noqa: S608
    return f"{qn('due_at')} <= %(now)s AND {_inlined(FLAGGABLE)} AND NOT {has_parts}"


@functools.cache
def _statements(vendor: str) -> tuple[str, str]:
    """Return the sweep's two statements for a database ``vendor``: the check and the flagging update.

    Built once per process and vendor: building them (the condition compiled and quoted) cost more
    than the empty check itself, three times per sweep (bench/sweep.py).
    """
    qn = connection.ops.quote_name
    table = qn(Directive._meta.db_table)
    due = _due_condition()
    check = f"SELECT 1 FROM {table} WHERE {due} LIMIT 1"  # noqa: S608 - no value in the text
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""  # SQLite locks it all
    # Names come from the model and values are bound.
    update = (
        f"UPDATE {table} SET {qn('overdue_flagged_at')} = %(now)s "  # noqa: S608
        f"WHERE {qn('id')} IN (SELECT {qn('id')} FROM {table} WHERE {due} "
        f"ORDER BY {qn('id')}{lock}) AND {due} "
        f"RETURNING {qn('id')}, {qn('due_on')}, {qn('ref')}, {qn('order_id')}"
    )
    return check, update


def _anything_to_flag(now: dt.datetime) -> bool:
    """Return whether some directive is due for flagging: one read of the partial index."""
    check, _ = _statements(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(check, {"now": connection.ops.adapt_datetimefield_value(now)})
        return cursor.fetchone() is not None


class _Flagged(NamedTuple):
    id: int
    due_on: dt.date
    ref: str
    order_id: int


def _flag_due_directives(now: dt.datetime) -> list[_Flagged]:
    """Flag every open, unflagged directive whose ``due_at`` has passed; return them, by id.

    One conditional ``UPDATE ... RETURNING`` (PostgreSQL, and SQLite since 3.35): the ``WHERE`` is
    re-checked on each row as it is locked, so two sweeps at once never flag the same directive twice.
    The rows are locked first in ascending id (``SELECT ... ORDER BY id FOR UPDATE``), the order in
    which a status change locks a part and its parents, so the two never wait on each other in a
    cycle. ``updated_at`` is left alone: the flag is the sweep's bookkeeping, not an edit.
    """
    _, update = _statements(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(update, {"now": connection.ops.adapt_datetimefield_value(now)})
        rows = cursor.fetchall()
    due_on = Directive._meta.get_field("due_on")
    return sorted(_Flagged(pk, due_on.to_python(day), ref, order_id) for pk, day, ref, order_id in rows)


def _record_flags(flagged: list[_Flagged], now: dt.datetime, actor: User | None) -> None:
    """Write the event and the notification of every directive this sweep flagged.

    The events are chained in Python (a hash each) and inserted in multi-row statements; the notices
    come from those events in one ``INSERT ... SELECT`` over the new ids' range, skipping any the
    outbox has already (``NotificationManager.owe_overdue_notices``). Building model instances instead
    costs several times the sweep itself (bench/sweep.py).
    """
    actor_id = actor.pk if actor is not None else None
    kind = DirectiveEvent.Kind.FLAGGED_OVERDUE.value
    notes: dict[dt.date, str] = {}  # a sweep's tens of thousands of directives share a few hundred due days
    for f in flagged:
        if f.due_on not in notes:
            notes[f.due_on] = (
                f"Overdue: the deadline of {deadlines.weekday_date(f.due_on)} passed unmet (end of that "
                "day, Eastern time)."
            )
    ids = history.append(
        [
            NewEvent(
                directive_id=f.id,
                order_id=f.order_id,
                directive_ref=f.ref,
                kind=kind,
                created=now,
                note=notes[f.due_on],
                old_due_on=f.due_on,
                actor_id=actor_id,
            )
            for f in flagged
        ]
    )
    Notification.objects.owe_overdue_notices(first_event=min(ids), last_event=max(ids), now=now)


def flag_overdue(*, actor: User | None = None) -> list[int]:
    """Flag every directive whose deadline passed unmet, and return the ids this run flagged.

    In one transaction: the conditional update, then one ``flagged_overdue`` event and one overdue
    notification per flagged directive. A second run finds nothing to flag. A parent with parts is
    not flagged: its own deadline is what its parts inherit, and they are flagged. ``extend_deadline``
    clears the flag and the outbox is unique per deadline, so a directive flagged for its old deadline
    is flagged again for the new one.
    """
    now = timezone.now()
    # Most runs find nothing new: then one read through the partial index is the whole cost, and no
    # transaction (no write lock, on SQLite) is taken.
    if not _anything_to_flag(now):
        return []
    with transaction.atomic():
        flagged = _flag_due_directives(now)
        if not flagged:
            return []
        _record_flags(flagged, now, actor)
        queue_dispatch_on_commit()
    return [f.id for f in flagged]


def _owe_notices(
    candidates: DirectiveQuerySet,
    *,
    kind: str,
    offset_days: int,
    now: dt.datetime,
) -> list[int]:
    """Write one ``kind`` notification per candidate that has none for its deadline.

    Runs inside the caller's transaction. Candidates are locked, skipping rows another sweep holds (it
    is writing their notices); the notices are read again once the locks are held, so one that a
    concurrent sweep committed in between is seen, and nothing is owed twice. No event is written
    here: the history says a reminder or an escalation was sent only once it was (``outbox``); the
    outbox row is the record that it is owed.
    """
    owed_already = Notification.objects.filter(
        directive=OuterRef("pk"), kind=kind, offset_days=offset_days, due_on=OuterRef("due_on")
    )
    locked = list(
        candidates.filter(~Exists(owed_already))
        .select_for_update(skip_locked=True)
        .only("id", "ref", "order_id", "due_on", "due_at")
        .order_by("id")
    )
    if not locked:
        return []
    done = set(
        Notification.objects.filter(
            directive__in=[d.id for d in locked], kind=kind, offset_days=offset_days
        ).values_list("directive_id", "due_on")
    )
    # (directive id, due date) of each notice owed; a candidate is due, so it has a due date.
    owed = [(d.id, d.due_on) for d in locked if d.due_on is not None and (d.id, d.due_on) not in done]
    Notification.objects.bulk_create(
        Notification(
            directive_id=pk,
            kind=kind,
            due_on=due_on,
            offset_days=offset_days,
            created=now,
            next_attempt_at=now,
        )
        for pk, due_on in owed
    )
    return [pk for pk, _ in owed]


def send_reminders(*, actor: User | None = None) -> dict[int, list[int]]:
    """Owe the reminders that are due before open deadlines; return the directive ids by offset in days.

    A reminder ``n`` days before a deadline is due from ``due_at`` less ``n`` Eastern calendar days (the
    same Eastern wall-clock time, whatever daylight saving does in between) and owed once per
    directive, deadline and offset. After an outage it is still sent if its moment passed less than a
    day ago; an older one is dropped rather than arriving stale (a "7 days left" notice with 3 days
    left), so a late load or a long outage sends no burst of them. Offsets are whole days, so their
    windows never overlap, and none reaches past the deadline, which the overdue notice covers.
    """
    now = timezone.now()
    owed: dict[int, list[int]] = {}
    with transaction.atomic():
        for days in settings.REMINDER_OFFSETS_DAYS:
            # due_at - days <= now < due_at - days + 1 day, in Eastern calendar days (23 or 25 hours
            # across a daylight-saving change), so the reminder comes at the deadline's wall-clock time.
            window_end = deadlines.wall_clock_days_later(now, days)
            window_start = deadlines.wall_clock_days_later(now, days - 1)
            candidates = (
                Directive.objects.open().trackable().filter(due_at__gt=window_start, due_at__lte=window_end)
            )
            ids = _owe_notices(candidates, kind=Notification.Kind.REMINDER, offset_days=-days, now=now)
            if ids:
                owed[days] = ids
        if owed:
            queue_dispatch_on_commit()
    return owed


def escalate_overdue(*, actor: User | None = None) -> list[int]:
    """Owe the oversight reviewers one notice per deadline left unmet for ``ESCALATION_AFTER_DAYS`` days.

    Days are counted as ``Directive.days_overdue`` counts them (Eastern calendar days since the due
    day), so the escalation goes out when the dashboards first show 7 days overdue. Unlike a
    reminder it is never stale: a directive still overdue after an outage is escalated late rather
    than never. Return the ids escalated by this run.
    """
    now = timezone.now()
    days = settings.ESCALATION_AFTER_DAYS
    # days_overdue >= days  <=>  due_on <= today - days  <=>  due_at <= the end of (today - days)
    cutoff = deadlines.end_of_day(deadlines.local_date(now) - dt.timedelta(days=days))
    with transaction.atomic():
        ids = _owe_notices(
            Directive.objects.open().trackable().filter(due_at__lte=cutoff),
            kind=Notification.Kind.ESCALATION,
            offset_days=days,
            now=now,
        )
        if ids:
            queue_dispatch_on_commit()
    return ids
