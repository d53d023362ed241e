"""The review axis: an oversight reviewer's verdict on what an agency claims (docs/oversight.md)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from directives import history
from directives.queries import permissions

from ..models import VERDICTS, Directive, DirectiveEvent, Review
from . import events
from .common import (
    MAX_URL_LENGTH,
    StaleVersion,
    lock,
    owe_event_notices,
    saved_event,
    validate_note,
    version_of,
)


def review(
    directive: Directive,
    verdict: str,
    *,
    actor: User | None,
    note: str,
    evidence: str = "",
    expected_version: str | None = None,
) -> DirectiveEvent:
    """Record a reviewer's ``verdict`` on ``directive``'s claim, with a note and an evidence reference.

    Only oversight reviewers review, and never a claim they recorded themselves (separation of
    duties, ``SEPARATION_OF_DUTIES``); only a claim (partially complete, completed, not applicable) of a
    directive that is not a parent is reviewed. The verdict is the event's kind, so the history's hash
    covers it; the next change of the claim resets the review to unreviewed (``updates``).
    ``evidence`` is a link (http or https) or a reference such as a report's number.
    """
    now = timezone.now()
    note, evidence = note.strip(), evidence.strip()
    with transaction.atomic():
        current = lock(directive)
        if expected_version is not None and expected_version != version_of(current):
            raise StaleVersion(current)
        if actor is not None:
            permissions.require_review(actor)
            permissions.require_independent(permissions.own_claim_refusal(actor, current))
        errors = review_errors(current, verdict, note, evidence)
        if errors:
            raise ValidationError(errors)
        event = events.review_recorded(
            current, verdict=verdict, note=note, evidence=evidence, actor=actor, created=now
        )
        current.review = Review(verdict)
        current.reviewed_at = now
        current.save(update_fields=["review", "reviewed_at", "updated_at"])
        [event_id] = history.append([event])
        owe_event_notices(current, events.notices_of(events.review_recorded), event_id, now)
    return saved_event(event_id)


def review_errors(current: Directive, verdict: str | None, note: str, evidence: str) -> dict[str, list[str]]:
    """Return, field by field, what stands in the way of this review of ``current``.

    ``review`` refuses on them; a form whose verdict did not parse (``verdict`` None) asks for the
    rest, so every error is shown at once. Nothing is written.
    """
    note, evidence = note.strip(), evidence.strip()
    errors: dict[str, list[str]] = {}
    if verdict is None:
        pass
    elif verdict not in VERDICTS:
        choices = ", ".join(v.value for v in VERDICTS)
        errors["review"] = [f"{verdict!r} is not a review; use one of {choices}."]
    elif current.is_parent:
        children = ", ".join(c.ref for c in current.children.all())
        errors["review"] = [f"{current.ref} rolls up from its parts; review {children} instead."]
    elif not current.is_claim:
        errors["review"] = [
            f"{current.ref} is {current.get_status_display().lower()}: there is no claim of completion "
            "(or of not applying) to review."
        ]
    if not note:
        errors["note"] = ["Say what the review found: the note is kept in the history."]
    validate_note(note, "", errors)
    if len(evidence) > MAX_URL_LENGTH:
        errors["evidence"] = [f"Ensure the evidence reference has at most {MAX_URL_LENGTH} characters."]
    elif "://" in evidence:
        link_errors: dict[str, list[str]] = {}
        validate_note("", evidence, link_errors)
        if link_errors:
            errors["evidence"] = link_errors["evidence_url"]
    return errors
