"""The vocabularies of orders and directives: statuses, reviews, outcomes, kinds of order."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    # Some of the work is done: still open (it can fall overdue), and a claim a reviewer may check.
    PARTIALLY_COMPLETE = "partially_complete", "Partially complete"
    COMPLETED = "completed", "Completed"
    # The agency says the directive does not apply to it; the reason is required and kept
    # (``Directive.status_reason``), and a reviewer may dispute it.
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    # Revoked by a later order ([[revokes]] in its file): set only by loading that order.
    RESCINDED = "rescinded", "Rescinded"


# Statuses that end a directive's duty: it is no longer open, so never overdue, reminded or flagged.
# Not applicable and rescinded leave the overdue counts but keep their history and say why (the
# status_reason, the revoking order); partially complete is still open (docs/oversight.md).
CLOSED_STATUSES = frozenset({Status.COMPLETED, Status.NOT_APPLICABLE, Status.RESCINDED})
# The agency's claims an oversight reviewer may review: the work (or part of it) done, or not owed.
REVIEWABLE_STATUSES = frozenset({Status.PARTIALLY_COMPLETE, Status.COMPLETED, Status.NOT_APPLICABLE})


class Review(models.TextChoices):
    """The second axis: what an oversight reviewer found of the agency's claim (docs/oversight.md).

    Every change of the claim (a status change, a new completion date) resets it to unreviewed.
    """

    UNREVIEWED = "unreviewed", "Unreviewed"
    VERIFIED = "verified", "Verified"
    DISPUTED = "disputed", "Disputed"
    NO_EVIDENCE_FOUND = "no_evidence_found", "No evidence found"


# The verdicts a reviewer gives (unreviewed is only where a new claim starts).
VERDICTS = (Review.VERIFIED, Review.DISPUTED, Review.NO_EVIDENCE_FOUND)
# The rules, stated once each, that the model's methods, the partial index, the sweep and its benchmark
# all use: "open", and "open and not yet flagged", the condition of directive_open_due_at_idx.
OPEN = ~Q(status__in=sorted(CLOSED_STATUSES))
FLAGGABLE = OPEN & Q(overdue_flagged_at__isnull=True)


class Outcome(models.TextChoices):
    """How a completion stands against its effective due date (``Directive.outcome``, docs/oversight.md).

    A completion claimed on time but flagged for review (recorded long after the date it claims, or
    back-dated before one recorded earlier) is ``flagged`` until a reviewer verifies it: never on time
    on the agency's word. A late one is late, flagged or not. A completion a reviewer disputed is
    ``disputed``, whatever its dates or flag: neither on time nor late, until the agency records it anew.
    """

    ON_TIME = "on_time", "On time"
    LATE = "late", "Late"
    FLAGGED = "flagged", "Claimed on time, flagged for review"
    DISPUTED = "disputed", "Completion disputed by a reviewer"


class OrderKind(models.TextChoices):
    """What kind of presidential document an order is (the order file's ``kind``, orderfile.ORDER_KINDS)."""

    EXECUTIVE_ORDER = "executive_order", "Executive Order"
    NATIONAL_SECURITY_MEMORANDUM = "national_security_memorandum", "National Security Memorandum"
    PRESIDENTIAL_MEMORANDUM = "presidential_memorandum", "Presidential Memorandum"
    PROCLAMATION = "proclamation", "Proclamation"
