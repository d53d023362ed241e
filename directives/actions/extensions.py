"""Extension requests: a lead agency asks for a later deadline; an oversight reviewer decides.

Each step is an event of the directive's history and owes a notice through the outbox in the same
transaction: a request tells the reviewers, a decision tells the requester. An approval moves the
deadline as ``extend_deadline`` does (``schedule.extension``: the original date kept, the flag
cleared). One pending request per directive (a unique constraint holds it, too).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from directives import deadlines, history
from directives.queries import permissions

from ..models import Directive, ExtensionRequest, Notification
from . import events
from .common import lock, queue_dispatch_on_commit, validate_note, validate_required_text
from .schedule import extension


def _owe_notice(directive: Directive, kind: str, due_on: dt.date, event_id: int, now: dt.datetime) -> None:
    """Owe one notice of ``kind`` about the date ``due_on``, sent once this transaction commits.

    The outbox is unique per directive, kind, date and offset: asking again for a date the reviewers
    were already told of (after a denial) owes no second notice of it; the event records the request.
    """
    Notification.objects.bulk_create(
        [
            Notification(
                directive_id=directive.pk, kind=kind, due_on=due_on, offset_days=0, event_id=event_id,
                created=now, next_attempt_at=now,
            )
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    queue_dispatch_on_commit()


def request_extension(
    directive: Directive, requested_due_on: dt.date, *, actor: User, justification: str
) -> ExtensionRequest:
    """Ask, as an editor of a lead agency, for ``directive``'s deadline to move to ``requested_due_on``."""
    now = timezone.now()
    justification = justification.strip()
    with transaction.atomic():
        current = lock(directive)
        permissions.require_request_extension(actor, current)
        errors = extension_request_errors(current, requested_due_on, justification)
        if errors:
            raise ValidationError(errors)
        assert current.due_on is not None  # noqa: S101 - refused above when there is none
        agency = permissions.acting_agency(actor, current)
        request = ExtensionRequest.objects.create(
            directive=current, current_due_on=current.due_on, requested_due_on=requested_due_on,
            justification=justification, requested_by=actor, agency=agency, created=now,
        )  # fmt: skip
        event = events.extension_requested(
            current,
            requested_due_on=requested_due_on,
            justification=justification,
            actor=actor,
            agency=agency,
            created=now,
        )
        [event_id] = history.append([event])
        for notice in events.notices_of(events.extension_requested):
            _owe_notice(current, notice, requested_due_on, event_id, now)
    return request


def extension_request_errors(
    current: Directive, requested_due_on: dt.date | None, justification: str
) -> dict[str, list[str]]:
    """Return, field by field, what stands in the way of asking ``current``'s deadline to move.

    ``request_extension`` refuses on them; a form whose date did not parse (``requested_due_on``
    None) asks for the rest, so every error is shown at once. Nothing is written.
    """
    errors: dict[str, list[str]] = {}
    pending = current.extension_requests.filter(state=ExtensionRequest.State.PENDING).first()
    if pending is not None:
        errors[NON_FIELD_ERRORS] = [
            f"An extension of {current.ref} to {deadlines.weekday_date(pending.requested_due_on)} is already "
            "pending: a reviewer decides it before another is asked for."
        ]
    if not current.is_open:
        errors["requested_due_on"] = [
            f"{current.ref} is {current.get_status_display().lower()}: its deadline no longer runs."
        ]
    elif current.due_on is None:
        errors["requested_due_on"] = [f"{current.ref} has no deadline to extend."]
    elif requested_due_on is not None and requested_due_on <= current.due_on:
        errors["requested_due_on"] = [
            f"Ask for a date after the current deadline, {deadlines.weekday_date(current.due_on)}."
        ]
    validate_required_text(
        justification.strip(),
        "justification",
        "Say why more time is needed: the reviewers decide on it.",
        errors,
    )
    return errors


def _pending(request: ExtensionRequest) -> tuple[Directive, ExtensionRequest]:
    """Lock the request's directive, then the request; refuse one already decided."""
    current = lock(request.directive)
    locked = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_pending:
        raise ValidationError(
            {NON_FIELD_ERRORS: [f"This request was already {locked.get_state_display().lower()}."]}
        )
    return current, locked


def approve_extension(request: ExtensionRequest, *, actor: User, note: str = "") -> ExtensionRequest:
    """Approve ``request`` as an oversight reviewer who did not ask for it: the deadline moves."""
    now = timezone.now()
    note = note.strip()
    with transaction.atomic():
        permissions.require_review(actor)
        current, locked = _pending(request)
        permissions.require_independent(permissions.own_request_refusal(actor, locked))
        errors: dict[str, list[str]] = {}
        validate_note(note, "", errors)
        if errors:
            raise ValidationError(errors)
        justification = f"Extension approved (asked {locked.created:%Y-%m-%d}): {locked.justification}"
        if note:
            justification += f" Reviewer: {note}"
        try:
            event = extension(
                current, locked.requested_due_on, actor=actor, justification=justification, now=now
            )
        except ValidationError as exc:  # the deadline moved since: say it of the request's date
            raise ValidationError({"requested_due_on": exc.messages}) from None
        locked.state = ExtensionRequest.State.APPROVED
        locked.decided_by, locked.decided_at, locked.decision_reason = actor, now, note
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        [event_id] = history.append([event])
        for notice in events.DECISION_NOTICES:
            _owe_notice(current, notice, locked.requested_due_on, event_id, now)
    return locked


def deny_extension(request: ExtensionRequest, *, actor: User, reason: str) -> ExtensionRequest:
    """Deny ``request`` as an oversight reviewer who did not ask for it, saying why; the deadline stays."""
    now = timezone.now()
    reason = reason.strip()
    with transaction.atomic():
        permissions.require_review(actor)
        current, locked = _pending(request)
        permissions.require_independent(permissions.own_request_refusal(actor, locked))
        errors: dict[str, list[str]] = {}
        validate_required_text(
            reason, "reason", "Say why the extension is denied: the agency is told.", errors
        )
        if errors:
            raise ValidationError(errors)
        event = events.extension_denied(
            current, requested_due_on=locked.requested_due_on, reason=reason, actor=actor, created=now
        )
        locked.state = ExtensionRequest.State.DENIED
        locked.decided_by, locked.decided_at, locked.decision_reason = actor, now, reason
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        [event_id] = history.append([event])
        for notice in events.notices_of(events.extension_denied):
            _owe_notice(current, notice, locked.requested_due_on, event_id, now)
    return locked
