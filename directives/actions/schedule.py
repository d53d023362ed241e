"""Moving a deadline: an extension granted, or the date of the event a deadline counts from.

The original due date is kept (an event-relative deadline gets its original when its event is first
dated); the effective one moves through ``_move_deadline``, which also clears the overdue flag, since
the flag belongs to the old deadline and the new one is flagged in its turn, with notices of its own.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from directives import deadlines, history
from directives.queries import permissions

from ..history import NewEvent
from ..models import Directive, DirectiveEvent
from . import events
from .common import StaleVersion, lock, saved_event, validate_note, validate_required_text, version_of


def _move_deadline(current: Directive, new_due_on: dt.date | None) -> None:
    """Make ``new_due_on`` the effective deadline of the locked ``current``, and save it.

    The first date a deadline gets is its original (an event-relative or chained deadline gets it when
    first dated); None (an amendment to a rule not dated yet) leaves the original as it was. The
    overdue flag belongs to the old deadline, so it is cleared. ``verify_history`` replays exactly
    this from the event that records the move (``proof.Replay``).
    """
    if current.original_due_on is None:
        current.original_due_on = new_due_on
    current.due_on = new_due_on
    current.due_at = deadlines.end_of_day(new_due_on) if new_due_on is not None else None
    current.overdue_flagged_at = None
    current.save(
        update_fields=[
            "original_due_on", "due_on", "due_at", "overdue_flagged_at", "event_on", "deadline",
            "deadline_kind", "occurrence", "updated_at",
        ]
    )  # fmt: skip


def refuse_if_rescinded(current: Directive, field: str) -> None:
    """Raise ``ValidationError`` at ``field`` if ``current`` was rescinded: its deadline no longer moves."""
    if current.is_rescinded:
        raise ValidationError(
            {field: [f"{current.ref} was rescinded by a later order: its deadline no longer applies."]}
        )


def extend_deadline(
    directive: Directive,
    new_due_on: dt.date,
    *,
    actor: User | None,
    justification: str,
    expected_version: str | None = None,
) -> DirectiveEvent:
    """Move ``directive``'s effective deadline to the later ``new_due_on``, recording why.

    The original due date never changes. The overdue flag belongs to the old deadline, so it is
    cleared: the new deadline can be flagged in its turn. Under separation of duties an administrator
    whose own extension request of it is pending may not extend it: a reviewer decides that request.
    """
    now = timezone.now()
    justification = justification.strip()
    with transaction.atomic():
        current = lock(directive)
        if expected_version is not None and expected_version != version_of(current):
            raise StaleVersion(current)
        if actor is not None:
            permissions.require_extend_deadline(actor, current)
            permissions.require_independent(permissions.own_pending_request_refusal(actor, current))
        event = extension(current, new_due_on, actor=actor, justification=justification, now=now)
        [event_id] = history.append([event])
    return saved_event(event_id)


def extension(
    current: Directive, new_due_on: dt.date, *, actor: User | None, justification: str, now: dt.datetime
) -> NewEvent:
    """Move the locked ``current``'s deadline to the later ``new_due_on``; return the event to append.

    Shared by ``extend_deadline`` and an approved extension request (``actions.extensions``): the
    caller has checked who acts. Bad input raises ``ValidationError`` before anything is saved.
    """
    refuse_if_rescinded(current, "new_due_on")
    errors: dict[str, list[str]] = {}
    if current.due_on is None:
        errors["new_due_on"] = [f"{current.ref} has no deadline to extend."]
    elif new_due_on <= current.due_on:
        errors["new_due_on"] = [
            f"An extension must move the deadline later than {deadlines.weekday_date(current.due_on)}."
        ]
    validate_required_text(justification, "justification", "Say why the deadline is extended.", errors)
    if errors:
        raise ValidationError(errors)
    event = events.deadline_extended(
        current,
        new_due_on=new_due_on,
        justification=justification,
        actor=actor,
        agency=permissions.acting_agency(actor, current) if actor is not None else None,
        created=now,
    )
    _move_deadline(current, new_due_on)
    return event


def event_date_errors(current: Directive, event_on: dt.date | None, note: str) -> dict[str, list[str]]:
    """Return, field by field, what stands in the way of dating ``current``'s event ``event_on``.

    ``set_event_date`` refuses on them; a form whose date did not parse (``event_on`` None) asks
    for the rest, so every error is shown at once. Nothing is written.
    """
    errors: dict[str, list[str]] = {}
    rule = current.rule
    counted_from = deadlines.first_rule(rule)
    if not isinstance(counted_from, deadlines.DaysFromEvent) or current.series_id is not None:
        errors["event_on"] = [
            f"The deadline of {current.ref} does not count from an event: it is {rule.describe()}."
        ]
    elif event_on is None:
        pass
    elif event_on == current.event_on:
        errors["event_on"] = [f"The event date is already {deadlines.weekday_date(event_on)}."]
    elif event_on < (signed_on := current.order.signed_on):
        errors["event_on"] = [
            f"The event date cannot be before {current.order} was signed "
            f"({deadlines.weekday_date(signed_on)})."
        ]
    validate_note(note.strip(), "", errors)
    return errors


def set_event_date(
    directive: Directive,
    event_on: dt.date,
    *,
    actor: User | None,
    note: str = "",
    expected_version: str | None = None,
) -> DirectiveEvent:
    """Record the date of the event ``directive``'s deadline counts from, and date the deadline by it.

    Only for a ``days_from_event`` deadline (EO 14409 Sec. 3(b)(ii): "up to 30 days before" a model's
    release), and only by an editor of a lead agency. The first date recorded gives the deadline its
    original due date; a later one (the release moved) moves the effective deadline, as recorded here.
    """
    now = timezone.now()
    note = note.strip()
    with transaction.atomic():
        current = lock(directive)
        if expected_version is not None and expected_version != version_of(current):
            raise StaleVersion(current)
        if actor is not None:
            permissions.require_update_status(actor, current)
        refuse_if_rescinded(current, "event_on")
        errors = event_date_errors(current, event_on, note)
        if errors:
            raise ValidationError(errors)
        rule = current.rule
        counted_from = deadlines.first_rule(rule)
        # A recurring rule whose first occurrence counts from the event is dated here too (its first).
        assert isinstance(counted_from, deadlines.DaysFromEvent)  # noqa: S101 - any other is refused above
        due_on = deadlines.due_date(
            rule, signed_on=current.order.signed_on, event_on=event_on, policy=current.order.deadline_policy
        )
        assert due_on is not None  # noqa: S101 - a rule counted from an event, once it is dated, has a date
        event_name = counted_from.event
        dated = f"{event_name[:1].upper()}{event_name[1:]}: {deadlines.weekday_date(event_on)}."
        event = events.event_dated(
            current,
            new_due_on=due_on,
            note=f"{dated} {note}".strip(),
            actor=actor,
            agency=permissions.acting_agency(actor, current) if actor is not None else None,
            created=now,
        )
        current.event_on = event_on
        _move_deadline(current, due_on)
        [event_id] = history.append([event])
    return saved_event(event_id)


def amended_deadline(
    current: Directive,
    rule: deadlines.Rule,
    *,
    trigger_on: dt.date | None,
    note: str,
    now: dt.datetime,
    actor: User | None,
) -> NewEvent:
    """Give the locked ``current`` an amending order's ``rule`` and the date it gives; return the event.

    The same path as an extension (``_move_deadline``): the original due date is kept, the effective
    one moves, the overdue flag goes with the old date. Relative rules count from ``current``'s own
    order (text inserted into an order speaks of "the date of this order"); ``trigger_on`` dates an
    after_directive rule whose directive is done. The caller locks, appends the event and commits.
    """
    order = current.order
    first, old_first = deadlines.first_rule(rule), deadlines.first_rule(current.rule)
    if isinstance(first, deadlines.DaysFromEvent):
        same_event = isinstance(old_first, deadlines.DaysFromEvent) and old_first.event == first.event
        event_on = current.event_on if same_event else None
    else:
        event_on = trigger_on if isinstance(first, deadlines.AfterDirective) else None
    due_on = deadlines.due_date(
        rule, signed_on=order.signed_on, event_on=event_on, trigger_on=event_on, policy=order.deadline_policy
    )
    event = events.amended(current, new_due_on=due_on, note=note, actor=actor, created=now)
    current.set_rule(rule)
    current.event_on = event_on
    if isinstance(rule, deadlines.Recurring) and current.occurrence is None:
        current.occurrence = 1
    if due_on != current.due_on:
        _move_deadline(current, due_on)
    else:
        current.save(update_fields=["deadline", "deadline_kind", "event_on", "occurrence", "updated_at"])
    return event
