"""What agencies record about a directive: status, completion, forecast, notes, and the parents' roll-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.access import Access
from directives import deadlines, history
from directives.queries import permissions

from ..history import NewEvent
from ..models import Directive, DirectiveEvent, Status
from . import chains, events, series
from .common import (
    UNSET,
    StaleVersion,
    Unset,
    lock,
    lock_with_ancestors,
    new_claim,
    owe_event_notices,
    saved_event,
    validate_note,
    version_of,
)


def record_update(
    directive: Directive,
    *,
    actor: User | None,
    access: Access | None = None,
    status: str | None = None,
    note: str = "",
    evidence_url: str = "",
    completed_on: dt.date | None = None,
    forecast_on: dt.date | Unset | None = UNSET,
    expected_version: str | None = None,
) -> DirectiveEvent:
    """Record an agency's update of ``directive`` as one event and return it.

    A new ``status`` needs an editor of a lead agency; so does a ``forecast_on`` (None clears it). A
    note alone may also come from an editor of a consulted agency. Completing without ``completed_on``
    means completed today (Eastern time). Not applicable needs a ``note`` saying why. Every status
    change resets the review to unreviewed; a completion recorded long after its date, or dated
    before an earlier completion, is flagged for review (``flag_completion``). ``access`` is the
    request's rights when the caller has them (the directive page), so they are not worked out again.
    """
    if access is not None and access.user != actor:
        raise ValueError("access must be the actor's own")
    rights = access if access is not None or actor is None else Access.of(actor)
    asked = _Asked(status, note.strip(), evidence_url.strip(), completed_on, forecast_on)
    with transaction.atomic():
        current = lock_with_ancestors(directive) if status is not None else lock(directive)
        # The clock is read once the directive is ours: a writer that waited for it changes it after the
        # one it waited for, so its status_changed_at (and its event's time) is never the earlier.
        now = timezone.now()
        if expected_version is not None and expected_version != version_of(current):
            raise StaleVersion(current)
        if rights is not None:
            _require(rights, current, asked)
        today = deadlines.local_date(now)
        planned = _plan(current, asked, today)
        written = [_update_event(current, asked, planned, actor=actor, rights=rights, now=now)]
        written += _apply(current, planned, note=asked.note, today=today, now=now, first=written)
        # Appended last, once the parents are locked too: every writer locks directives before orders.
        event_id = history.append(written)[0]
        # Who asked to hear of status changes and completions is told (their channels: preferences).
        owe_event_notices(
            current, events.status_notices(written[0].old_status, written[0].new_status), event_id, now
        )
    return saved_event(event_id)


def update_errors(
    directive: Directive,
    *,
    today: dt.date,
    status: str | None = None,
    note: str = "",
    evidence_url: str = "",
    completed_on: dt.date | None = None,
    forecast_on: dt.date | Unset | None = UNSET,
) -> dict[str, list[str]]:
    """Return, field by field, what ``record_update`` would refuse of this update, writing nothing.

    For a form some of whose fields did not parse: it asks about the rest, so every error is shown
    at once. Who may make the update is the caller's to check, as for ``record_update``.
    """
    asked = _Asked(status, note.strip(), evidence_url.strip(), completed_on, forecast_on)
    try:
        _plan(directive, asked, today)
    except ValidationError as error:
        return error.message_dict
    return {}


@dataclass(frozen=True)
class _Asked:
    """What an update asks for, its note and link stripped (``record_update``'s arguments)."""

    status: str | None
    note: str
    evidence_url: str
    completed_on: dt.date | None
    forecast_on: dt.date | Unset | None

    @property
    def changes_state(self) -> bool:
        """Whether it asks for more than a note: a status, a completion date or a forecast."""
        return self.status is not None or self.completed_on is not None or self.forecast_on is not UNSET


@dataclass(frozen=True)
class _Planned:
    """The directive's status, completion and forecast once the update is recorded."""

    status: str
    completed_on: dt.date | None
    forecast_on: dt.date | None


def _require(rights: Access, current: Directive, asked: _Asked) -> None:
    """Raise PermissionDenied unless the actor may make this update (a lead's editor; a note, consulted)."""
    if asked.changes_state:
        permissions.require_update_status(rights, current)
    else:
        permissions.require_add_note(rights, current)


def _plan(current: Directive, asked: _Asked, today: dt.date) -> _Planned:
    """Return what ``current`` becomes, or raise ValidationError with every field's errors."""
    errors: dict[str, list[str]] = {}
    new_status, new_completed_on = _planned_status(current, asked, today, errors)
    new_forecast_on = _planned_forecast(current, asked, errors)
    note, evidence_url = asked.note, asked.evidence_url
    if new_status == Status.NOT_APPLICABLE and asked.status is not None and not note and not errors:
        errors["note"] = [f"Say why {current.ref} does not apply: the reason is kept and shown."]
    validate_note(note, evidence_url, errors)
    if not errors and not asked.changes_state and not note and not evidence_url:
        errors[NON_FIELD_ERRORS] = ["Nothing to record: give a status, a forecast date or a note."]
    if errors:
        raise ValidationError(errors)
    return _Planned(new_status, new_completed_on, new_forecast_on)


def _planned_status(
    current: Directive, asked: _Asked, today: dt.date, errors: dict[str, list[str]]
) -> tuple[str, dt.date | None]:
    """Return the status and completion date asked for, adding to ``errors`` what stands in the way."""
    status, completed_on = asked.status, asked.completed_on
    new_status = current.status
    new_completed_on = current.completed_on
    if current.is_rescinded and asked.changes_state:
        field = "status" if status is not None else "completed_on" if completed_on else "forecast_on"
        errors[field] = [
            f"{current.ref} was rescinded by a later order: only a note can still be added to it."
        ]
    elif status is not None:
        if status not in Status.values:
            errors["status"] = [f"{status!r} is not a valid status; use one of {', '.join(Status.values)}."]
        elif status == Status.RESCINDED:
            errors["status"] = [
                "Only a later order that revokes a directive rescinds it (load that order's file)."
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
        signed_on = current.order.signed_on
        if new_status != Status.COMPLETED or status is None:
            errors.setdefault("completed_on", []).append(
                "A completion date goes only with the status completed."
            )
        elif completed_on > today:
            errors.setdefault("completed_on", []).append(
                "The completion date cannot be in the future "
                f"(today is {deadlines.weekday_date(today)}, Eastern time)."
            )
        elif completed_on < signed_on:
            errors.setdefault("completed_on", []).append(
                f"The completion date cannot be before {current.order} was signed "
                f"({deadlines.weekday_date(signed_on)})."
            )
    return new_status, new_completed_on


def _planned_forecast(current: Directive, asked: _Asked, errors: dict[str, list[str]]) -> dt.date | None:
    """Return the forecast asked for (the current one if none is), adding to ``errors`` what is wrong."""
    forecast_on = asked.forecast_on
    if isinstance(forecast_on, Unset):  # UNSET is its one instance
        return current.forecast_on
    signed_on = current.order.signed_on
    if forecast_on is not None and forecast_on < signed_on:
        errors.setdefault("forecast_on", []).append(
            f"The forecast cannot be before {current.order} was signed ({deadlines.weekday_date(signed_on)})."
        )
    elif forecast_on == current.forecast_on and asked.status is None:
        errors.setdefault("forecast_on", []).append("The forecast is unchanged.")
    else:
        return forecast_on
    return current.forecast_on


def _update_event(
    current: Directive,
    asked: _Asked,
    planned: _Planned,
    *,
    actor: User | None,
    rights: Access | None,
    now: dt.datetime,
) -> NewEvent:
    """Return the update's own event, built before ``current`` changes (its old values are the event's)."""
    return events.update_recorded(
        current,
        new_status=planned.status,
        note=asked.note,
        evidence_url=asked.evidence_url,
        completed_on=planned.completed_on if planned.status == Status.COMPLETED else None,
        new_forecast_on=planned.forecast_on,
        actor=actor,
        agency=permissions.acting_agency(rights, current) if rights is not None else None,
        created=now,
    )


def _apply(
    current: Directive,
    planned: _Planned,
    *,
    note: str,
    today: dt.date,
    now: dt.datetime,
    first: list[NewEvent],
) -> list[NewEvent]:
    """Save ``planned`` on ``current`` and return the events that follow from it (after ``first``).

    A completion flagged for review, the parents' roll-up, the deadlines waiting for it and a
    series' next occurrence, all in the caller's transaction.
    """
    new_status, new_completed_on = planned.status, planned.completed_on
    status_changed = new_status != current.status
    more: list[NewEvent] = []
    current.forecast_on = planned.forecast_on
    update_fields = ["forecast_on", "updated_at"]
    if status_changed:
        flag = flag_completion(current, new_completed_on, today) if new_status == Status.COMPLETED else ""
        current.status = new_status
        current.completed_on = new_completed_on
        current.status_changed_at = now
        update_fields += ["status", "completed_on", "status_changed_at"]
        update_fields += new_claim(current, new_status, note=note)
        if new_status == Status.COMPLETED:
            current.completion_recorded_on = today
        if flag:
            current.completion_flag = flag
            more.append(
                events.completion_flagged(
                    current, status=new_status, completed_on=new_completed_on, note=flag, created=now
                )
            )
    current.save(update_fields=update_fields)
    if not status_changed:
        return more
    if current.parent_id is not None:
        more += roll_up(current.parent_id, cause=current, now=now)
    # Deadlines waiting for this directive (or a parent it completed) are dated now, and a series
    # whose occurrence this completes gets its next one, all in this transaction.
    more += chains.consequences([*first, *more], now=now)
    if new_status == Status.COMPLETED:
        more += series.advance_one(current, now=now)
    return more


def flag_completion(directive: Directive, completed_on: dt.date | None, today: dt.date) -> str:
    """Return why completing ``directive`` as of ``completed_on`` on ``today`` needs a review, or "".

    Two things an edit alone could use to improve an outcome: a completion recorded more than
    ``COMPLETION_RECORDED_LATE_DAYS`` after the day it claims, and a completion dated before one
    recorded earlier (reopened and completed again, back-dated). The note gives both dates.
    """
    if completed_on is None:
        return ""
    reasons = []
    lag = (today - completed_on).days
    if lag > settings.COMPLETION_RECORDED_LATE_DAYS:
        reasons.append(
            f"recorded {lag} days after the completion date it claims "
            f"(more than {settings.COMPLETION_RECORDED_LATE_DAYS})"
        )
    earlier = (
        DirectiveEvent.objects.filter(
            directive=directive, kind=DirectiveEvent.Kind.STATUS_CHANGED, new_status=Status.COMPLETED
        )
        .exclude(completed_on=None)
        .order_by("-completed_on")
        .values_list("completed_on", flat=True)
        .first()
    )
    if earlier is not None and completed_on < earlier:
        reasons.append(f"dated before an earlier completion of {_day(earlier)}")
    if not reasons:
        return ""
    return (
        f"Completed {_day(completed_on)}, recorded {_day(today)}: flagged for review, "
        f"{' and '.join(reasons)}."
    )


def _day(value: dt.date) -> str:
    """Return ``value`` as the pages write it, e.g. "Wed 2026-06-10" (events stored before kept theirs)."""
    return deadlines.weekday_date(value)


def change_status(
    directive: Directive,
    status: str,
    *,
    actor: User | None,
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
    directive: Directive, note: str, *, actor: User | None, evidence_url: str = ""
) -> DirectiveEvent:
    """Add a note (and an optional evidence link) to ``directive``'s history."""
    if not note.strip():
        raise ValidationError({"note": ["A note cannot be empty."]})
    return record_update(directive, actor=actor, note=note, evidence_url=evidence_url)


def set_forecast(
    directive: Directive, forecast_on: dt.date | None, *, actor: User | None, note: str = ""
) -> DirectiveEvent:
    """Set (or with None, clear) the agency's projected completion date."""
    return record_update(directive, actor=actor, forecast_on=forecast_on, note=note)


def _rolled_up(children: list[Directive]) -> tuple[str, dt.date | None]:
    """Return a parent's status and completion date from its children's.

    Rescinded and not applicable parts no longer count: rescinded (or not applicable, when any part
    is) when every part is one of them; completed when every part still in force is; in progress once
    any of them has started; otherwise not started.
    """
    statuses = {c.status for c in children} - {Status.RESCINDED, Status.NOT_APPLICABLE}
    if not statuses:
        if any(c.status == Status.NOT_APPLICABLE for c in children):
            return Status.NOT_APPLICABLE, None
        return Status.RESCINDED, None
    if statuses == {Status.COMPLETED}:
        # A part completed before it was rescinded keeps its date; the parts in force date the parent.
        done = (c.completed_on for c in children if c.status == Status.COMPLETED and c.completed_on)
        return Status.COMPLETED, max(done, default=None)
    if statuses - {Status.NOT_STARTED}:
        return Status.IN_PROGRESS, None
    return Status.NOT_STARTED, None


def roll_up(parent_id: int, *, cause: Directive, now: dt.datetime, reason: str = "") -> list[NewEvent]:
    """Roll the status up to ``parent_id`` and its ancestors; return their events, to be appended.

    ``reason``, when given, ends each roll-up's note: why the part changed (a revoking order's name).
    """
    parent = Directive.objects.select_for_update().get(pk=parent_id)
    children = list(Directive.objects.filter(parent_id=parent_id).only("status", "completed_on"))
    status, completed_on = _rolled_up(children)
    if status == parent.status and completed_on == parent.completed_on:
        return []
    event = events.rolled_up(
        parent,
        new_status=status,
        completed_on=completed_on,
        note=(
            f"Rolled up from its parts after {cause.ref} changed to {cause.get_status_display().lower()}"
            + (f": {reason}" if reason else ".")
        ),
        created=now,
    )
    parent.status = status
    parent.completed_on = completed_on
    parent.status_changed_at = now
    claim_fields = new_claim(parent, status, note=event.note)
    parent.save(update_fields=["status", "completed_on", "status_changed_at", "updated_at", *claim_fields])
    if parent.parent_id is not None:
        return [event, *roll_up(parent.parent_id, cause=parent, now=now, reason=reason)]
    return [event]
