"""The one write path for directives.

Every change of a directive's state goes through a function here: atomic, with a keyword-only
``actor`` (None for the system), checking permission and input before writing anything, and writing
its ``DirectiveEvent`` in the same transaction through ``history.append``, the one function that
writes events (it chains them; see ``directives/history.py``). Bad input raises ``ValidationError``
with a dict of field -> messages; a forbidden change raises ``PermissionDenied``; a stale
``expected_version`` raises ``StaleVersion``. In each case nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from agencies.models import Agency

from . import deadlines, history, permissions
from .history import NewEvent
from .models import (
    Directive,
    DirectiveEvent,
    DirectiveQuerySet,
    Involvement,
    Notification,
    Order,
    Status,
)

if TYPE_CHECKING:
    from .orderfile import DirectiveSpec, OrderSpec

logger = logging.getLogger(__name__)

MAX_NOTE_LENGTH = 4000
MAX_URL_LENGTH = 500


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()


class StaleVersion(Exception):
    """The directive changed after the caller read it; carries the current directive."""

    def __init__(self, directive: Directive):
        super().__init__(f"{directive.ref} was changed by someone else since you loaded it.")
        self.directive = directive


def version_of(directive: Directive) -> str:
    """Return an opaque version tag of ``directive`` (used as the API's ETag and the form's guard).

    Every change writes an event, so the newest event's id moves with every change, even two within
    the same clock tick; ``updated_at`` also covers definition edits made by ``load_order``.
    """
    last_event_id = directive.events.order_by("-id").values_list("id", flat=True).first()
    raw = f"{directive.pk}:{last_event_id}:{directive.updated_at.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _lock(directive: Directive) -> Directive:
    """Return a fresh copy of ``directive`` with its row locked until the transaction ends."""
    return Directive.objects.select_for_update(of=("self",)).with_agencies().get(pk=directive.pk)


def _lock_with_ancestors(directive: Directive) -> Directive:
    """Lock ``directive`` and the parents its status rolls up to, in ascending id; return it fresh.

    Every writer that locks several directives takes them in ascending id, as ``flag_overdue`` does:
    a part's change locking the part and then its parent could otherwise wait on a sweep that holds
    the parent and waits on the part (a deadlock, which PostgreSQL breaks by failing one of them).
    """
    ids = [directive.pk]
    parent_id = directive.parent_id
    while parent_id is not None and parent_id not in ids:
        ids.append(parent_id)
        parent_id = Directive.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    if len(ids) > 1:
        list(Directive.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    return _lock(directive)


def _validate_note(note: str, evidence_url: str, errors: dict[str, list[str]]) -> None:
    if len(note) > MAX_NOTE_LENGTH:
        errors.setdefault("note", []).append(
            f"Ensure this note has at most {MAX_NOTE_LENGTH} characters (it has {len(note)})."
        )
    if evidence_url:
        if len(evidence_url) > MAX_URL_LENGTH:
            errors.setdefault("evidence_url", []).append(
                f"Ensure this link has at most {MAX_URL_LENGTH} characters."
            )
        else:
            try:
                URLValidator(schemes=["http", "https"])(evidence_url)
            except ValidationError:
                errors.setdefault("evidence_url", []).append("Enter a valid http:// or https:// link.")


def record_update(
    directive: Directive,
    *,
    actor: AbstractBaseUser | None,
    status: str | None = None,
    note: str = "",
    evidence_url: str = "",
    completed_on: dt.date | None = None,
    forecast_on: dt.date | _Unset | None = UNSET,
    expected_version: str | None = None,
) -> DirectiveEvent:
    """Record an agency's update of ``directive`` as one event and return it.

    A new ``status`` needs an editor of a lead agency; so does a ``forecast_on`` (None clears it). A
    note alone may also come from an editor of a consulted agency. Completing without ``completed_on``
    means completed today (Eastern time).
    """
    now = timezone.now()
    note = note.strip()
    evidence_url = evidence_url.strip()
    with transaction.atomic():
        current = _lock_with_ancestors(directive) if status is not None else _lock(directive)
        if expected_version is not None and expected_version != version_of(current):
            raise StaleVersion(current)

        changes_state = status is not None or completed_on is not None or forecast_on is not UNSET
        if actor is not None:
            if changes_state:
                permissions.require_update_status(actor, current)
            else:
                permissions.require_add_note(actor, current)

        errors: dict[str, list[str]] = {}
        today = deadlines.local_date(now)
        signed_on = current.order.signed_on
        new_status = current.status
        new_completed_on = current.completed_on
        if status is not None:
            if status not in Status.values:
                errors["status"] = [
                    f"{status!r} is not a valid status; use one of {', '.join(Status.values)}."
                ]
            elif current.is_parent:
                children = ", ".join(c.ref for c in current.children.all())
                errors["status"] = [f"{current.ref} rolls up from its parts; update {children} instead."]
            elif status == current.status:
                errors["status"] = [f"{current.ref} is already {current.get_status_display().lower()}."]
            else:
                new_status = status
                new_completed_on = None
        if new_status == Status.COMPLETED and status is not None and not errors.get("status"):
            new_completed_on = completed_on or today
        if completed_on is not None:
            if new_status != Status.COMPLETED or status is None:
                errors.setdefault("completed_on", []).append(
                    "A completion date goes only with the status completed."
                )
            elif completed_on > today:
                errors.setdefault("completed_on", []).append(
                    "The completion date cannot be in the future "
                    f"(today is {today.isoformat()}, Eastern time)."
                )
            elif completed_on < signed_on:
                errors.setdefault("completed_on", []).append(
                    f"The completion date cannot be before the Order was signed ({signed_on.isoformat()})."
                )
        new_forecast_on = current.forecast_on
        if forecast_on is not UNSET:
            if forecast_on is not None and forecast_on < signed_on:
                errors.setdefault("forecast_on", []).append(
                    f"The forecast cannot be before the Order was signed ({signed_on.isoformat()})."
                )
            elif forecast_on == current.forecast_on and status is None:
                errors.setdefault("forecast_on", []).append("The forecast is unchanged.")
            else:
                new_forecast_on = forecast_on
        _validate_note(note, evidence_url, errors)
        if not errors and not changes_state and not note and not evidence_url:
            errors[NON_FIELD_ERRORS] = ["Nothing to record: give a status, a forecast date or a note."]
        if errors:
            raise ValidationError(errors)

        if new_status != current.status:
            kind = DirectiveEvent.Kind.STATUS_CHANGED
        elif new_forecast_on != current.forecast_on:
            kind = DirectiveEvent.Kind.FORECAST_CHANGED
        else:
            kind = DirectiveEvent.Kind.NOTE
        events = [
            NewEvent.of(
                current,
                kind=kind,
                old_status=current.status,
                new_status=new_status,
                note=note,
                evidence_url=evidence_url,
                completed_on=new_completed_on if new_status == Status.COMPLETED else None,
                old_forecast_on=current.forecast_on,
                new_forecast_on=new_forecast_on,
                actor=actor,
                agency=permissions.acting_agency(actor, current) if actor is not None else None,
                created=now,
            )
        ]
        status_changed = new_status != current.status
        current.forecast_on = new_forecast_on
        update_fields = ["forecast_on", "updated_at"]
        if status_changed:
            current.status = new_status
            current.completed_on = new_completed_on
            current.status_changed_at = now
            update_fields += ["status", "completed_on", "status_changed_at"]
        current.save(update_fields=update_fields)
        if status_changed and current.parent_id is not None:
            events += _roll_up(current.parent_id, cause=current, now=now)
        # Appended last, once the parents are locked too: every writer locks directives before orders.
        event_id = history.append(events)[0]
    return _saved_event(event_id)


def _saved_event(event_id: int) -> DirectiveEvent:
    return DirectiveEvent.objects.select_related("directive", "actor", "agency").get(pk=event_id)


def change_status(
    directive: Directive,
    status: str,
    *,
    actor: AbstractBaseUser | None,
    note: str = "",
    evidence_url: str = "",
    completed_on: dt.date | None = None,
    expected_version: str | None = None,
) -> DirectiveEvent:
    """Change ``directive``'s status, with an optional note, evidence link and completion date."""
    return record_update(
        directive,
        actor=actor,
        status=status,
        note=note,
        evidence_url=evidence_url,
        completed_on=completed_on,
        expected_version=expected_version,
    )


def add_note(
    directive: Directive, note: str, *, actor: AbstractBaseUser | None, evidence_url: str = ""
) -> DirectiveEvent:
    """Add a note (and an optional evidence link) to ``directive``'s history."""
    if not note.strip():
        raise ValidationError({"note": ["A note cannot be empty."]})
    return record_update(directive, actor=actor, note=note, evidence_url=evidence_url)


def set_forecast(
    directive: Directive, forecast_on: dt.date | None, *, actor: AbstractBaseUser | None, note: str = ""
) -> DirectiveEvent:
    """Set (or with None, clear) the agency's projected completion date."""
    return record_update(directive, actor=actor, forecast_on=forecast_on, note=note)


def _rolled_up(children: list[Directive]) -> tuple[str, dt.date | None]:
    """Return a parent's status and completion date from its children's.

    Completed only when every child is; in progress once any child has started; otherwise not started.
    """
    statuses = {c.status for c in children}
    if statuses == {Status.COMPLETED}:
        return Status.COMPLETED, max(c.completed_on for c in children)
    if statuses - {Status.NOT_STARTED}:
        return Status.IN_PROGRESS, None
    return Status.NOT_STARTED, None


def _roll_up(parent_id: int, *, cause: Directive, now: dt.datetime) -> list[NewEvent]:
    """Roll the status up to ``parent_id`` and its ancestors; return their events, to be appended."""
    parent = Directive.objects.select_for_update().get(pk=parent_id)
    children = list(Directive.objects.filter(parent_id=parent_id).only("status", "completed_on"))
    status, completed_on = _rolled_up(children)
    if status == parent.status and completed_on == parent.completed_on:
        return []
    event = NewEvent.of(
        parent,
        kind=DirectiveEvent.Kind.STATUS_CHANGED,
        old_status=parent.status,
        new_status=status,
        completed_on=completed_on,
        note=f"Rolled up from its parts after {cause.ref} changed to {cause.get_status_display().lower()}.",
        created=now,
    )
    parent.status = status
    parent.completed_on = completed_on
    parent.status_changed_at = now
    parent.save(update_fields=["status", "completed_on", "status_changed_at", "updated_at"])
    if parent.parent_id is not None:
        return [event, *_roll_up(parent.parent_id, cause=parent, now=now)]
    return [event]


def extend_deadline(
    directive: Directive,
    new_due_on: dt.date,
    *,
    actor: AbstractBaseUser | None,
    justification: str,
) -> DirectiveEvent:
    """Move ``directive``'s effective deadline to the later ``new_due_on``, recording why.

    The original due date never changes. The overdue flag belongs to the old deadline, so it is
    cleared: the new deadline can be flagged in its turn.
    """
    now = timezone.now()
    justification = justification.strip()
    with transaction.atomic():
        current = _lock(directive)
        if actor is not None:
            permissions.require_extend_deadline(actor, current)
        errors: dict[str, list[str]] = {}
        if current.due_on is None:
            errors["new_due_on"] = [f"{current.ref} has no deadline to extend."]
        elif new_due_on <= current.due_on:
            errors["new_due_on"] = [
                f"An extension must move the deadline later than {current.due_on.isoformat()}."
            ]
        if not justification:
            errors["justification"] = ["Say why the deadline is extended."]
        _validate_note(justification, "", errors)
        if "note" in errors:
            errors["justification"] = errors.pop("note")
        if errors:
            raise ValidationError(errors)
        event = NewEvent.of(
            current,
            kind=DirectiveEvent.Kind.DEADLINE_EXTENDED,
            old_status=current.status,
            new_status=current.status,
            old_due_on=current.due_on,
            new_due_on=new_due_on,
            note=justification,
            actor=actor,
            created=now,
        )
        current.due_on = new_due_on
        current.due_at = deadlines.end_of_day(new_due_on)
        current.overdue_flagged_at = None
        current.save(update_fields=["due_on", "due_at", "overdue_flagged_at", "updated_at"])
        [event_id] = history.append([event])
    return _saved_event(event_id)


# --- Loading an order ---------------------------------------------------------------------------------


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    agencies_created: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged; "
            f"{len(self.agencies_created)} agencies added"
        )


def load_order(spec: OrderSpec, *, actor: AbstractBaseUser | None = None) -> tuple[Order, LoadReport]:
    """Create or update an order, its agencies and its directives from a validated ``OrderSpec``.

    Idempotent: a second load of the same spec changes nothing. Definitions (titles, summaries,
    agencies, parents) follow the file; statuses, effective deadlines and history are kept. An
    original due date never changes after the first load: a spec that would move one is refused.
    """
    now = timezone.now()
    report = LoadReport()
    with transaction.atomic():
        agencies: dict[str, Agency] = {}
        for a in spec.agencies:
            agency, created = Agency.objects.get_or_create(
                abbreviation=a.abbreviation, defaults={"name": a.name, "kind": a.kind}
            )
            if created:
                report.agencies_created.append(a.abbreviation)
            agencies[a.abbreviation] = agency
        for a in spec.agencies:
            agency = agencies[a.abbreviation]
            parent = agencies.get(a.parent) or (
                Agency.objects.get(abbreviation=a.parent) if a.parent else None
            )
            if (agency.name, agency.kind, agency.parent_id) != (
                a.name,
                a.kind,
                parent.id if parent else None,
            ):
                agency.name, agency.kind, agency.parent = a.name, a.kind, parent
                agency.save()
        needed = {abbr for d in spec.directives for abbr in (*d.leads, *d.consulted)} - set(agencies)
        agencies.update({a.abbreviation: a for a in Agency.objects.filter(abbreviation__in=needed)})

        o = spec.order
        order_fields = {
            "title": o.title,
            "signed_on": o.signed_on,
            "federal_register_citation": o.federal_register_citation,
            "federal_register_document": o.federal_register_document,
            "published_on": o.published_on,
            "source_url": o.source_url,
            "notes": o.notes,
            "deadline_policy": o.deadline_policy,
        }
        order, _ = Order.objects.get_or_create(number=o.number, defaults=order_fields)
        if any(getattr(order, k) != v for k, v in order_fields.items()):
            if order.signed_on != o.signed_on and order.directives.exists():
                raise ValidationError(
                    {"order.signed_on": ["The signing date cannot change once directives are loaded."]}
                )
            for k, v in order_fields.items():
                setattr(order, k, v)
            order.save()

        existing = {d.ref: d for d in Directive.objects.filter(order=order).with_agencies()}
        by_ref: dict[str, Directive] = {}
        events: list[NewEvent] = []
        for position, d in enumerate(spec.directives):
            rule = d.rule
            due_on = deadlines.due_date(rule, signed_on=order.signed_on, policy=order.deadline_policy)
            fields = {
                "position": position,
                "title": d.title,
                "summary": d.summary,
                "deadline_kind": rule.kind.value,
                "deadline_days": getattr(rule, "days", None),
                "deadline_event": getattr(rule, "event", ""),
                "deadline_ongoing": getattr(rule, "ongoing", False),
            }
            directive = existing.get(d.ref)
            if directive is None:
                directive = Directive.objects.create(
                    order=order,
                    ref=d.ref,
                    original_due_on=due_on,
                    due_on=due_on,
                    due_at=deadlines.end_of_day(due_on) if due_on else None,
                    **fields,
                )
                events.append(
                    NewEvent.of(
                        directive,
                        kind=DirectiveEvent.Kind.CREATED,
                        new_status=directive.status,
                        new_due_on=due_on,
                        note=f"Loaded from Executive Order {order.number}.",
                        actor=actor,
                        created=now,
                    )
                )
                report.created.append(d.ref)
            else:
                if directive.original_due_on != due_on:
                    raise ValidationError(
                        {
                            f"directives[{d.ref}].deadline": [
                                f"would move the original due date from {directive.original_due_on} to "
                                f"{due_on}; original due dates never change after load."
                            ]
                        }
                    )
                changed = sorted(k for k, v in fields.items() if getattr(directive, k) != v)
                if changed:
                    for k in changed:
                        setattr(directive, k, fields[k])
                    directive.save(update_fields=[*changed, "updated_at"])
                    if changed != ["position"]:
                        events.append(
                            NewEvent.of(
                                directive,
                                kind=DirectiveEvent.Kind.UPDATED,
                                note="Definition updated from the order file: "
                                + ", ".join(k for k in changed if k != "position")
                                + ".",
                                actor=actor,
                                created=now,
                            )
                        )
                    report.updated.append(d.ref)
                else:
                    report.unchanged.append(d.ref)
            by_ref[d.ref] = directive
        history.append(events)

        for d in spec.directives:
            directive = by_ref[d.ref]
            parent_id = by_ref[d.parent].id if d.parent else None
            involvements_changed = _sync_involvements(directive, d, agencies)
            if directive.parent_id != parent_id:
                directive.parent_id = parent_id
                directive.save(update_fields=["parent", "updated_at"])
                involvements_changed = True
            if involvements_changed and d.ref not in report.created and d.ref in report.unchanged:
                report.unchanged.remove(d.ref)
                report.updated.append(d.ref)
    return order, report


def _sync_involvements(directive: Directive, d: DirectiveSpec, agencies: dict[str, Agency]) -> bool:
    wanted = [(agencies[abbr].id, Involvement.Role.LEAD, i) for i, abbr in enumerate(d.leads)] + [
        (agencies[abbr].id, Involvement.Role.CONSULTED, i) for i, abbr in enumerate(d.consulted)
    ]
    have = sorted((i.agency_id, i.role, i.position) for i in directive.involvements.all())
    if sorted(wanted) == have:
        return False
    Involvement.objects.filter(directive=directive).delete()
    Involvement.objects.bulk_create(
        Involvement(directive=directive, agency_id=agency_id, role=role, position=position)
        for agency_id, role, position in wanted
    )
    return True


# --- Sweeps and the notification outbox ---------------------------------------------------------------
#
# Beat runs these (directives/tasks.py) and so do the management commands. Each compares instants
# (`due_at` against now), never dates for equality, so a sweep that did not run for days catches up on
# its next run; each records what it did (a flag, an outbox row unique per deadline), so a second run,
# or two at once, neither loses nor doubles anything.


def _queue_dispatch() -> None:
    """Ask a worker to send the new outbox rows as soon as this transaction commits."""
    from . import tasks  # tasks import this module

    # robust: the rows are committed whatever happens to the broker; beat's minute-by-minute
    # dispatch sends them if this early nudge is lost.
    transaction.on_commit(tasks.queue_dispatch, robust=True)


def _due_condition() -> str:
    """Return the SQL condition of an open, unflagged directive whose ``due_at`` is ``%(now)s`` or earlier.

    It is the partial index directive_open_due_at_idx's own condition, the status written as a literal
    so that the planner can prove the index applies.
    """
    qn = connection.ops.quote_name
    return (
        f"{qn('due_at')} <= %(now)s AND {qn('status')} <> '{Status.COMPLETED.value}' "
        f"AND {qn('overdue_flagged_at')} IS NULL"
    )


def _anything_to_flag(now: dt.datetime) -> bool:
    """Return whether some directive is due for flagging: one read of the partial index."""
    table = connection.ops.quote_name(Directive._meta.db_table)
    sql = f"SELECT 1 FROM {table} WHERE {_due_condition()} LIMIT 1"  # noqa: S608 - no value in the text
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": connection.ops.adapt_datetimefield_value(now)})
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
    qn = connection.ops.quote_name
    table = qn(Directive._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""  # SQLite locks it all
    # Names come from the model and values are bound.
    sql = (
        f"UPDATE {table} SET {qn('overdue_flagged_at')} = %(now)s "  # noqa: S608
        f"WHERE {qn('id')} IN (SELECT {qn('id')} FROM {table} WHERE {_due_condition()} "
        f"ORDER BY {qn('id')}{lock}) AND {_due_condition()} "
        f"RETURNING {qn('id')}, {qn('due_on')}, {qn('ref')}, {qn('order_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": connection.ops.adapt_datetimefield_value(now)})
        rows = cursor.fetchall()
    due_on = Directive._meta.get_field("due_on")
    return sorted(_Flagged(pk, due_on.to_python(day), ref, order_id) for pk, day, ref, order_id in rows)


def _record_flags(flagged: list[_Flagged], now: dt.datetime, actor: AbstractBaseUser | None) -> None:
    """Write the event and the notification of every directive this sweep flagged.

    The events are chained in Python (a hash each) and inserted in multi-row statements; the notices
    come from those events in one ``INSERT ... SELECT`` over the new ids' range, skipping any the
    outbox has already (its unique constraint). Building model instances instead costs several times
    the sweep itself (bench/sweep.py).
    """
    actor_id = actor.pk if actor is not None else None
    kind = DirectiveEvent.Kind.FLAGGED_OVERDUE.value
    ids = history.append(
        [
            NewEvent(
                directive_id=f.id,
                order_id=f.order_id,
                directive_ref=f.ref,
                kind=kind,
                created=now,
                note=f"Overdue: the deadline of {f.due_on.isoformat()} passed unmet (end of that day, "
                "Eastern time).",
                old_due_on=f.due_on,
                actor_id=actor_id,
            )
            for f in flagged
        ]
    )
    qn = connection.ops.quote_name
    event, notification = (qn(m._meta.db_table) for m in (DirectiveEvent, Notification))
    params = {
        "now": connection.ops.adapt_datetimefield_value(now),
        "first": min(ids),
        "last": max(ids),
        "flagged": kind,
        "overdue": Notification.Kind.OVERDUE.value,
        "pending": Notification.State.PENDING.value,
    }
    # Table names come from the models; every value is bound. Another sweep's flag events in the
    # range would owe the same notices, which the unique constraint keeps single.
    notifications_sql = f"""
        INSERT INTO {notification} (directive_id, kind, due_on, offset_days, event_id, state, created,
            next_attempt_at, attempts, recipients, last_error)
        SELECT e.directive_id, %(overdue)s, e.old_due_on, 0, e.id, %(pending)s, %(now)s, %(now)s, 0, '[]', ''
        FROM {event} e
        WHERE e.id BETWEEN %(first)s AND %(last)s AND e.kind = %(flagged)s
        ON CONFLICT DO NOTHING
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(notifications_sql, params)


def flag_overdue(*, actor: AbstractBaseUser | None = None) -> list[int]:
    """Flag every directive whose deadline passed unmet, and return the ids this run flagged.

    In one transaction: the conditional update, then one ``flagged_overdue`` event and one overdue
    notification per flagged directive. A second run finds nothing to flag. A parent is flagged when
    its own deadline passes, like any directive. ``extend_deadline`` clears the flag and the outbox is
    unique per deadline, so a directive flagged for its old deadline is flagged again for the new one.
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
        _queue_dispatch()
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
    here: the history says a reminder or an escalation was sent only once it was
    (``mark_notification_sent``); the outbox row is the record that it is owed.
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
    owed = [d for d in locked if (d.id, d.due_on) not in done]
    Notification.objects.bulk_create(
        Notification(
            directive_id=d.id,
            kind=kind,
            due_on=d.due_on,
            offset_days=offset_days,
            created=now,
            next_attempt_at=now,
        )
        for d in owed
    )
    return [d.id for d in owed]


def send_reminders(*, actor: AbstractBaseUser | None = None) -> dict[int, list[int]]:
    """Owe the reminders that are due before open deadlines; return the directive ids by offset in days.

    A reminder ``n`` days before a deadline is due from ``due_at - n days`` and owed once per
    directive, deadline and offset. After an outage it is still sent if its moment passed less than a
    day ago; an older one is dropped rather than arriving stale (a "7 days left" notice with 3 days
    left), so a late load or a long outage sends no burst of them. Offsets are whole days, so their
    windows never overlap, and none reaches past the deadline, which the overdue notice covers.
    """
    now = timezone.now()
    owed: dict[int, list[int]] = {}
    with transaction.atomic():
        for days in settings.REMINDER_OFFSETS_DAYS:
            # due_at - days <= now < due_at - days + 1 day
            window_end = now + dt.timedelta(days=days)
            candidates = Directive.objects.open().filter(
                due_at__gt=window_end - dt.timedelta(days=1), due_at__lte=window_end
            )
            ids = _owe_notices(candidates, kind=Notification.Kind.REMINDER, offset_days=-days, now=now)
            if ids:
                owed[days] = ids
        if owed:
            _queue_dispatch()
    return owed


def escalate_overdue(*, actor: AbstractBaseUser | None = None) -> list[int]:
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
            Directive.objects.open().filter(due_at__lte=cutoff),
            kind=Notification.Kind.ESCALATION,
            offset_days=days,
            now=now,
        )
        if ids:
            _queue_dispatch()
    return ids


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
    """Record that ``claimed`` went out to ``recipients``; a sent row is never claimed again.

    A reminder or an escalation also enters the directive's history now, in the same transaction:
    the record says "sent" only of what the mail server took (an overdue notice follows the
    ``flagged_overdue`` event that caused it).
    """
    now = timezone.now()
    with transaction.atomic():
        if not _finish(
            claimed, state=Notification.State.SENT, sent_at=now, recipients=recipients, last_error=""
        ):
            return False
        kind = _SENT_EVENTS.get(claimed.kind)
        if kind is not None:
            directive = Directive.objects.only("id", "ref", "order_id").get(pk=claimed.directive_id)
            [event_id] = history.append(
                [
                    NewEvent.of(
                        directive,
                        kind=kind,
                        note=_sent_note(claimed, len(recipients)),
                        old_due_on=claimed.due_on,
                        created=now,
                    )
                ]
            )
            Notification.objects.filter(pk=claimed.pk).update(event_id=event_id)
    return True


_SENT_EVENTS = {
    Notification.Kind.REMINDER: DirectiveEvent.Kind.REMINDER_SENT,
    Notification.Kind.ESCALATION: DirectiveEvent.Kind.ESCALATED,
}


def _sent_note(notice: Notification, addresses: int) -> str:
    to = f"{addresses} address{'es' if addresses != 1 else ''}"
    deadline = f"{notice.due_on:%A} {notice.due_on.isoformat()}"
    if notice.kind == Notification.Kind.ESCALATION:
        return (
            f"Escalation sent to the oversight reviewers ({to}): still open {notice.offset_days} or more "
            f"days after the deadline of {deadline}."
        )
    days = -notice.offset_days
    return (
        f"Reminder sent to the lead agencies' editors ({to}): {days} day{'s' if days != 1 else ''} to the "
        f"deadline of {deadline}."
    )


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
    from . import notify  # notify reads models and templates; keep actions importable without it

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
