"""The status the outside world sees of a directive: one place, for feeds, calendars and open data.

A directive a later order revokes is ``Status.RESCINDED`` (``actions.changes``); it, a completed one
and one the agency says is not applicable are the ``CLOSED_STATUSES``, whose duty is over. The review
axis (``Directive.review``: unreviewed, verified, disputed, no evidence found; docs/oversight.md) is
published beside the status: the public feed, the calendars, OSCAL and the webhooks all ask here.
"""

from __future__ import annotations

from directives.models import CLOSED_STATUSES, Directive, Review, Status

# A completion oversight did not accept is never published as "completed" (issue 21): these replace it.
COMPLETION_DISPUTED = "completion_disputed"
COMPLETION_NO_EVIDENCE = "completion_no_evidence_found"
DOUBTED_COMPLETION: dict[str, tuple[str, str]] = {
    Review.DISPUTED: (COMPLETION_DISPUTED, "Completion disputed by oversight"),
    Review.NO_EVIDENCE_FOUND: (COMPLETION_NO_EVIDENCE, "Completion claimed, no evidence found by oversight"),
}


def public_status(directive: Directive) -> str:
    """Return the status to publish for ``directive``: the agency's claim, unless oversight doubted it.

    A completion a reviewer disputed or found no evidence for is published as ``completion_disputed``
    or ``completion_no_evidence_found``, never as ``completed``; ``review_status`` gives the review.
    """
    return public_status_of(directive.status, directive.review)


def public_status_of(status: str, review: str) -> str:
    """Return ``public_status`` for a status and a review (as the as-of report replays them to a date)."""
    if status == Status.COMPLETED and review in DOUBTED_COMPLETION:
        return DOUBTED_COMPLETION[review][0]
    return status


def public_status_label(directive: Directive) -> str:
    """Return the human words for ``public_status``."""
    if directive.status == Status.COMPLETED and directive.review in DOUBTED_COMPLETION:
        return DOUBTED_COMPLETION[directive.review][1]
    return directive.get_status_display()


def review_status(directive: Directive) -> str:
    """Return the directive's review: what an oversight reviewer found of the agency's claim."""
    return directive.review


def is_rescinded(directive: Directive) -> bool:
    """Return whether a later order withdrew the duty (rescinded): its calendar event is cancelled."""
    return directive.status == Status.RESCINDED


def is_closed(directive: Directive) -> bool:
    """Return whether the duty is over, met or withdrawn: nothing more is due on its date."""
    return directive.status in CLOSED_STATUSES
