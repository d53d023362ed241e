"""What every action shares: the version guard, row locks, note validation, and the dispatch nudge."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from celery import current_app
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from .. import deadlines
from ..models import Directive, DirectiveEvent, Involvement, Notification, Review, Status

logger = logging.getLogger(__name__)

MAX_NOTE_LENGTH = 4000
MAX_URL_LENGTH = 500


class Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


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
    # The newest by seq (the chain appends in id order, so it is the largest id too), found on the
    # index (directive, -seq): ordering by id walks the primary key past every other directive's events.
    last_event_id = directive.events.order_by("-seq").values_list("id", flat=True).first()
    raw = f"{directive.pk}:{last_event_id}:{directive.updated_at.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def lock(directive: Directive) -> Directive:
    """Return a fresh copy of ``directive`` with its row locked until the transaction ends."""
    return Directive.objects.select_for_update(of=("self",)).with_agencies().get(pk=directive.pk)


def lock_with_ancestors(directive: Directive) -> Directive:
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
    return lock(directive)


def validate_note(note: str, evidence_url: str, errors: dict[str, list[str]]) -> None:
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


def validate_required_text(value: str, field: str, missing: str, errors: dict[str, list[str]]) -> None:
    """Check a required free text (a justification, a reason) as a note is checked, its errors at ``field``.

    ``missing`` is the error when it is empty: it says why the text is needed.
    """
    if not value:
        errors[field] = [missing]
    note_errors: dict[str, list[str]] = {}
    validate_note(value, "", note_errors)
    if note_errors:
        errors.setdefault(field, []).extend(note_errors["note"])


def saved_event(event_id: int) -> DirectiveEvent:
    return DirectiveEvent.objects.select_related("directive", "actor", "agency").get(pk=event_id)


def queue_dispatch() -> None:
    """Queue ``directives.tasks.dispatch_notifications`` now, without waiting for beat's next run.

    Sent by name: tasks call actions, so actions never import tasks. A broker that is down only delays
    the sends until beat's next dispatch, so it is logged, not raised.
    """
    try:
        current_app.send_task("directives.tasks.dispatch_notifications", retry=False)
    except Exception:
        logger.warning("could not queue dispatch_notifications; beat's next run sends them", exc_info=True)


def queue_dispatch_on_commit() -> None:
    """Ask a worker to send the new outbox rows as soon as this transaction commits."""
    # robust: the rows are committed whatever happens to the broker; beat's minute-by-minute
    # dispatch sends them if this early nudge is lost.
    transaction.on_commit(queue_dispatch, robust=True)


def sync_involvements(directive: Directive, leads: list[int], consulted: list[int]) -> bool:
    """Make ``directive``'s agencies the given ids (leads owner first); return whether any changed."""
    wanted = [(agency_id, Involvement.Role.LEAD, i) for i, agency_id in enumerate(leads)] + [
        (agency_id, Involvement.Role.CONSULTED, i) for i, agency_id in enumerate(consulted)
    ]
    have = sorted(
        Involvement.objects.filter(directive=directive).values_list("agency_id", "role", "position")
    )
    if sorted(wanted) == have:
        return False
    Involvement.objects.filter(directive=directive).delete()
    Involvement.objects.bulk_create(
        Involvement(directive=directive, agency_id=agency_id, role=role, position=position)
        for agency_id, role, position in wanted
    )
    return True


def new_claim(directive: Directive, status: str, *, note: str) -> list[str]:
    """Reset the review axis of ``directive`` for its new ``status``; return the fields to save.

    Every change of the agency's claim (a status change, and so every new completion date) starts the
    review again at unreviewed, and clears the flag of a completion that no longer stands. A directive
    that is not applicable keeps why (``note``, required then). ``proof.Replay`` replays the same from
    each ``status_changed`` event.
    """
    directive.review = Review.UNREVIEWED
    directive.reviewed_at = None
    directive.status_reason = note if status == Status.NOT_APPLICABLE else ""
    directive.completion_flag = ""
    directive.completion_recorded_on = None
    return ["review", "reviewed_at", "status_reason", "completion_flag", "completion_recorded_on"]


def owe_event_notices(directive: Directive, kinds: tuple[str, ...], event_id: int, now: dt.datetime) -> None:
    """Owe one notice of each of ``kinds`` about the event ``event_id`` of ``directive``, sent on commit.

    Its date is the directive's deadline then, or the day (Eastern) when it has none. Unique per event
    and kind, so owing it twice owes it once.
    """
    if not kinds:
        return
    due_on = directive.due_on or deadlines.local_date(now)
    Notification.objects.bulk_create(
        [
            Notification(
                directive_id=directive.pk, kind=kind, due_on=due_on, offset_days=0, event_id=event_id,
                created=now, next_attempt_at=now,
            )
            for kind in kinds
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    queue_dispatch_on_commit()
