"""Every history event the actions write, built by name: one constructor a kind of change.

Each returns the ``NewEvent`` to append (``history.append``) with the same content an action used to
write by hand, so the chain of an existing history verifies unchanged. Built from the directive as
it stands *before* the change (its status, forecast and deadline are the event's old values), unless
the constructor says otherwise. The notices an event owes are declared beside its constructor
(``@triggers``), and the actions owe them from there (``notices_of``).

The overdue sweep is the one writer that builds its events directly (``actions.sweeps``): tens of
thousands at a time, from the rows its update returns, with no ``Directive`` to build from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ..history import NewEvent
from ..models import DirectiveEvent, Notification, Status

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from agencies.models import Agency

    from ..models import Directive

Kind = DirectiveEvent.Kind
Builder = TypeVar("Builder", bound=Callable[..., NewEvent])

# The notices each constructor's event owes (by the constructor's name); none unless declared.
_NOTICES: dict[str, tuple[str, ...]] = {}


def triggers(*notices: str) -> Callable[[Builder], Builder]:
    """Declare the notices (``Notification.Kind``) the event built by the decorated constructor owes."""

    def declare(build: Builder) -> Builder:
        _NOTICES[build.__name__] = notices
        return build

    return declare


def notices_of(build: Callable[..., NewEvent]) -> tuple[str, ...]:
    """Return the notices an event built by ``build`` owes, as declared beside it."""
    return _NOTICES.get(build.__name__, ())


# --- What agencies record (actions.updates, actions.evidence) ---------------------------------------
# An update that changes the status owes one of these (``status_notices``): who asked for them is told.
STATUS_NOTICES: tuple[str, ...] = (Notification.Kind.STATUS_CHANGED, Notification.Kind.COMPLETED)


def status_notices(old_status: str, new_status: str) -> tuple[str, ...]:
    """Return the notice an update from ``old_status`` to ``new_status`` owes: completed for a
    completion, status changed for any other change, none when the status stays."""
    if old_status == new_status:
        return ()
    return (
        Notification.Kind.COMPLETED if new_status == Status.COMPLETED else Notification.Kind.STATUS_CHANGED,
    )


@triggers(*STATUS_NOTICES)
def update_recorded(
    directive: Directive,
    *,
    new_status: str,
    completed_on: dt.date | None,
    new_forecast_on: dt.date | None,
    note: str,
    evidence_url: str,
    actor: User | None,
    agency: Agency | None,
    created: dt.datetime,
) -> NewEvent:
    """An agency's update: a status change if the status changes, else a forecast change, else a note."""
    if new_status != directive.status:
        kind = Kind.STATUS_CHANGED
    elif new_forecast_on != directive.forecast_on:
        kind = Kind.FORECAST_CHANGED
    else:
        kind = Kind.NOTE
    return NewEvent.of(
        directive,
        kind=kind,
        old_status=directive.status,
        new_status=new_status,
        note=note,
        evidence_url=evidence_url,
        completed_on=completed_on,
        old_forecast_on=directive.forecast_on,
        new_forecast_on=new_forecast_on,
        actor=actor,
        agency=agency,
        created=created,
    )


def completion_flagged(
    directive: Directive, *, status: str, completed_on: dt.date | None, note: str, created: dt.datetime
) -> NewEvent:
    """A completion flagged for review (``updates.flag_completion``), built once ``status`` is saved."""
    return NewEvent.of(
        directive,
        kind=Kind.COMPLETION_FLAGGED,
        old_status=status,
        new_status=status,
        completed_on=completed_on,
        note=note,
        created=created,
    )


def rolled_up(
    parent: Directive, *, new_status: str, completed_on: dt.date | None, note: str, created: dt.datetime
) -> NewEvent:
    """A parent's status rolled up from its parts (``updates.roll_up``)."""
    return NewEvent.of(
        parent,
        kind=Kind.STATUS_CHANGED,
        old_status=parent.status,
        new_status=new_status,
        completed_on=completed_on,
        note=note,
        created=created,
    )


def evidence_added(
    directive: Directive, *, note: str, actor: User | None, agency: Agency | None, created: dt.datetime
) -> NewEvent:
    """An evidence file attached (its name, type, size and digest in ``note``)."""
    return NewEvent.of(
        directive,
        kind=Kind.EVIDENCE_ADDED,
        old_status=directive.status,
        new_status=directive.status,
        note=note,
        old_forecast_on=directive.forecast_on,
        new_forecast_on=directive.forecast_on,
        actor=actor,
        agency=agency,
        created=created,
    )


def _deadline_moved(
    directive: Directive,
    kind: str,
    new_due_on: dt.date | None,
    note: str,
    actor: User | None,
    created: dt.datetime,
    *,
    agency: Agency | None = None,
) -> NewEvent:
    """Return the event of a deadline asked for, moved or dated, the status unchanged."""
    return NewEvent.of(
        directive,
        kind=kind,
        old_status=directive.status,
        new_status=directive.status,
        old_due_on=directive.due_on,
        new_due_on=new_due_on,
        note=note,
        actor=actor,
        agency=agency,
        created=created,
    )


# --- Oversight (actions.reviews, actions.extensions) ------------------------------------------------
@triggers(Notification.Kind.REVIEW_RECORDED)
def review_recorded(
    directive: Directive, *, verdict: str, note: str, evidence: str, actor: User | None, created: dt.datetime
) -> NewEvent:
    """An oversight reviewer's verdict on the claim (its kind is the verdict)."""
    return NewEvent.of(
        directive,
        kind=verdict,
        old_status=directive.status,
        new_status=directive.status,
        completed_on=directive.completed_on if directive.status == Status.COMPLETED else None,
        note=note,
        evidence_url=evidence,
        actor=actor,
        created=created,
    )


@triggers(Notification.Kind.EXTENSION_REQUESTED)
def extension_requested(
    directive: Directive,
    *,
    requested_due_on: dt.date,
    justification: str,
    actor: User | None,
    agency: Agency | None,
    created: dt.datetime,
) -> NewEvent:
    """A lead's editor asks for a later deadline; the reviewers are told."""
    return _deadline_moved(
        directive, Kind.EXTENSION_REQUESTED, requested_due_on, justification, actor, created, agency=agency
    )


# A request decided either way tells its requester: denied here, approved through ``deadline_extended``
# (an approval's event is the extension itself; ``extensions.approve_extension`` owes these).
DECISION_NOTICES: tuple[str, ...] = (Notification.Kind.EXTENSION_DECIDED,)


@triggers(*DECISION_NOTICES)
def extension_denied(
    directive: Directive, *, requested_due_on: dt.date, reason: str, actor: User | None, created: dt.datetime
) -> NewEvent:
    """A reviewer denies an extension request; its requester is told."""
    return _deadline_moved(directive, Kind.EXTENSION_DENIED, requested_due_on, reason, actor, created)


# --- Deadlines (actions.schedule, actions.chains, actions.changes) ----------------------------------
def deadline_extended(
    directive: Directive,
    *,
    new_due_on: dt.date,
    justification: str,
    actor: User | None,
    agency: Agency | None,
    created: dt.datetime,
) -> NewEvent:
    """The effective deadline moved later: by an administrator, or by an approved request."""
    return _deadline_moved(
        directive, Kind.DEADLINE_EXTENDED, new_due_on, justification, actor, created, agency=agency
    )


def event_dated(
    directive: Directive,
    *,
    new_due_on: dt.date | None,
    note: str,
    actor: User | None,
    agency: Agency | None,
    created: dt.datetime,
) -> NewEvent:
    """The event a deadline counts from is dated, and with it the deadline."""
    return _deadline_moved(directive, Kind.EVENT_DATED, new_due_on, note, actor, created, agency=agency)


def amended(
    directive: Directive, *, new_due_on: dt.date | None, note: str, actor: User | None, created: dt.datetime
) -> NewEvent:
    """A later order amends the directive's deadline rule (the deadline may move with it)."""
    return _deadline_moved(directive, Kind.AMENDED, new_due_on, note, actor, created)


def deadline_set(waiting: Directive, *, new_due_on: dt.date, note: str, created: dt.datetime) -> NewEvent:
    """A deadline waiting for another directive is dated, now that directive is done."""
    return NewEvent.of(
        waiting,
        kind=Kind.DEADLINE_SET,
        old_status=waiting.status,
        new_status=waiting.status,
        old_due_on=None,
        new_due_on=new_due_on,
        note=note,
        created=created,
    )


def deadline_kept(waiting: Directive, *, note: str, created: dt.datetime) -> NewEvent:
    """A note that a dated deadline stays as it is, though the directive it counted from reopened."""
    return NewEvent.of(waiting, kind=Kind.NOTE, note=note, created=created)


def rescinded(directive: Directive, *, note: str, created: dt.datetime) -> NewEvent:
    """A later order revokes the directive (a status change to rescinded)."""
    return NewEvent.of(
        directive,
        kind=Kind.STATUS_CHANGED,
        old_status=directive.status,
        new_status=Status.RESCINDED,
        note=note,
        created=created,
    )


# --- Loading orders (actions.orders, actions.series) -----------------------------------------------
def directive_created(
    directive: Directive,
    *,
    new_due_on: dt.date | None,
    note: str,
    created: dt.datetime,
    actor: User | None = None,
) -> NewEvent:
    """A directive loaded from an order file, or a recurring directive's next occurrence."""
    return NewEvent.of(
        directive,
        kind=Kind.CREATED,
        new_status=directive.status,
        new_due_on=new_due_on,
        note=note,
        actor=actor,
        created=created,
    )


def definition_updated(
    directive: Directive, *, note: str, actor: User | None, created: dt.datetime
) -> NewEvent:
    """A reloaded order file changed the directive's definition (its text, agencies ...)."""
    return NewEvent.of(directive, kind=Kind.UPDATED, note=note, actor=actor, created=created)


def _changed(what: str, old: str, new: str) -> str:
    return f"{what} changed by the order file from {old or 'none'} to {new or 'none'}."


def title_changed(
    directive: Directive, *, old_title: str, new_title: str, actor: User | None, created: dt.datetime
) -> NewEvent:
    """A reloaded order file renamed the directive: the old and the new title, in the hashed note."""
    note = _changed("Title", repr(old_title), repr(new_title))
    return NewEvent.of(directive, kind=Kind.UPDATED, note=note, actor=actor, created=created)


def leads_changed(
    directive: Directive, *, old: list[str], new: list[str], actor: User | None, created: dt.datetime
) -> NewEvent:
    """A reloaded order file gave the directive other lead agencies (abbreviations, owner first)."""
    note = _changed("Lead agencies", ", ".join(old), ", ".join(new))
    return NewEvent.of(directive, kind=Kind.UPDATED, note=note, actor=actor, created=created)


def consulted_changed(
    directive: Directive, *, old: list[str], new: list[str], actor: User | None, created: dt.datetime
) -> NewEvent:
    """A reloaded order file changed the agencies the directive's leads consult."""
    note = _changed("Consulted agencies", ", ".join(old), ", ".join(new))
    return NewEvent.of(directive, kind=Kind.UPDATED, note=note, actor=actor, created=created)


def parent_changed(
    directive: Directive, *, old_ref: str, new_ref: str, actor: User | None, created: dt.datetime
) -> NewEvent:
    """A reloaded order file placed the directive under another section (the parents' refs)."""
    note = _changed("Part of", old_ref, new_ref)
    return NewEvent.of(directive, kind=Kind.UPDATED, note=note, actor=actor, created=created)


# --- Notices sent (actions.deliveries) ---------------------------------------------------------------
def reminder_sent(
    directive: Directive, *, due_on: dt.date | None, note: str, created: dt.datetime
) -> NewEvent:
    """A deadline reminder the mail server took, to the lead agencies' editors."""
    return NewEvent.of(directive, kind=Kind.REMINDER_SENT, note=note, old_due_on=due_on, created=created)


def escalation_sent(
    directive: Directive, *, due_on: dt.date | None, note: str, created: dt.datetime
) -> NewEvent:
    """An escalation the mail server took, to the oversight reviewers."""
    return NewEvent.of(directive, kind=Kind.ESCALATED, note=note, old_due_on=due_on, created=created)
