"""What counts as completed, on time, verified, and the numbers a dashboard shows (``summarize``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    F,
    Min,
    Q,
    QuerySet,
)

from directives import deadlines
from directives.models import (
    OPEN,
    REVIEWABLE_STATUSES,
    DirectiveQuerySet,
    ExtensionRequest,
    Involvement,
    Review,
    Status,
    own_overdue_q,
)

from .filters import DIRECTIVE_SEQUENCE

# --- What counts ----------------------------------------------------------------------------------------


# Completed by the end of the effective due day, or after it, by the date claimed: the dates alone. The
# tiles, the scorecard (``summarize``) and the deadline chart count ``HONEST_ON_TIME`` and
# ``HONEST_LATE`` below, which are what the rows' outcomes say.
COMPLETED = Q(status=Status.COMPLETED)
COMPLETED_ON_TIME = COMPLETED & Q(completed_on__lte=F("due_on"))
COMPLETED_LATE = COMPLETED & Q(completed_on__gt=F("due_on"))
# Honest outcomes (docs/oversight.md): what a reviewer verified. Editing alone never raises these: every
# change of the claim resets the review to unreviewed.
VERIFIED = Q(review=Review.VERIFIED)
VERIFIED_ON_TIME = COMPLETED_ON_TIME & VERIFIED
VERIFIED_LATE = COMPLETED_LATE & VERIFIED
# The review axis over the claims it reviews (a completion, part of one, not applying).
CLAIMS = Q(status__in=sorted(REVIEWABLE_STATUSES))
FLAGGED = COMPLETED & ~Q(completion_flag="")
# A completion a reviewer disputed: the outcome ``disputed`` of the row (``Directive.outcome``), never
# counted completed on time nor late, whatever its dates or flag; the summary's ``disputed`` counts it.
# Still closed (its status is the agency's claim): never overdue, until the agency records it anew.
DISPUTED = COMPLETED & Q(review=Review.DISPUTED)
# Flagged for review and still awaiting a reviewer's word: neither verified nor disputed (the summary's
# ``flagged``). One claimed on time is ``FLAGGED_ON_TIME``, the outcome ``flagged`` of the row.
FLAGGED_PENDING = FLAGGED & ~Q(review__in=[Review.VERIFIED, Review.DISPUTED])
FLAGGED_ON_TIME = COMPLETED_ON_TIME & FLAGGED_PENDING
# What the numbers count as completed on time or late, as the rows' outcomes say: a completion flagged
# for review (recorded long after the date it claims, or back-dated before one recorded earlier) is
# never on time on the agency's word, only once a reviewer verified it; a late one is late, flagged or
# not; a disputed one is neither.
HONEST_ON_TIME = COMPLETED_ON_TIME & ~FLAGGED_ON_TIME & ~DISPUTED
HONEST_LATE = COMPLETED_LATE & ~DISPUTED


# --- The numbers ----------------------------------------------------------------------------------------

NEXT_DEADLINES = 5


def summarize(
    directives: DirectiveQuerySet,
    now: dt.datetime,
    *,
    extra: Mapping[str, Aggregate] | None = None,
    by_due_on: bool = False,
    next_deadlines_shown: bool = True,
) -> dict[str, Any]:
    """Return the numbers of ``directives``' trackable items at ``now``, in a fixed handful of queries.

    Shaped as ``api.serializers.SummarySerializer``: totals by status and by review, overdue, due soon,
    completed on time or late as claimed and as verified, the claimed completions by review and those
    flagged, a tally per lead agency, and the next deadlines. ``extra`` aggregates ride along in the
    totals' one query (the dashboard's charts), returned under ``"extra"``. With ``by_due_on`` that
    query counts per due date (returned under ``"by_due_on"``, the deadline chart's rows) and the
    totals are their sums: the tiles and the chart from one scan. Without ``next_deadlines_shown``
    the next deadlines are not read (an empty list): the dashboard does not show them.
    """
    directives = directives.trackable()
    today = deadlines.local_date(now)
    on_time, late = HONEST_ON_TIME, HONEST_LATE
    # A trackable directive has no parts: overdue by its own deadline alone, the same answer as
    # overdue_q without a subquery per row.
    overdue = own_overdue_q(now)
    # Open and not yet past its own deadline, due within N days: days_remaining <= N.
    upcoming = OPEN & Q(due_at__gt=now)
    aggregates: dict[str, Aggregate] = {
        "total": Count("pk"),
        "overdue": Count("pk", filter=overdue),
        "due_within_7_days": Count("pk", filter=upcoming & Q(due_on__lte=today + dt.timedelta(days=7))),
        "due_within_30_days": Count("pk", filter=upcoming & Q(due_on__lte=today + dt.timedelta(days=30))),
        "completed_on_time": Count("pk", filter=on_time),
        "completed_late": Count("pk", filter=late),
        "verified_on_time": Count("pk", filter=VERIFIED_ON_TIME),
        "verified_late": Count("pk", filter=VERIFIED_LATE),
        "claimed_complete": Count("pk", filter=COMPLETED),
        "flagged": Count("pk", filter=FLAGGED_PENDING),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Status.values},
        **{f"review_{value}": Count("pk", filter=CLAIMS & Q(review=value)) for value in Review.values},
        **{f"complete_{value}": Count("pk", filter=COMPLETED & Q(review=value)) for value in Review.values},
    }
    own = set(aggregates)
    for name, aggregate in (extra or {}).items():
        # An extra may share a name with one of the summary's only if it counts the same thing.
        if aggregates.setdefault(name, aggregate) != aggregate:
            raise ValueError(f"extra {name!r} differs from the summary's own {name!r}")
    by_date: list[Mapping[str, Any]] = []
    if by_due_on:
        by_date = list(directives.order_by().values("due_on").annotate(**aggregates))
        totals = _combined(by_date, aggregates)
    else:
        totals = directives.aggregate(**aggregates)
    extras = {name: totals[name] if name in own else totals.pop(name) for name in extra or {}}
    agencies = (
        directives.filter(involvements__role=Involvement.Role.LEAD)
        .values(abbreviation=F("involvements__agency__abbreviation"), name=F("involvements__agency__name"))
        .annotate(
            led=Count("pk"),
            open=Count("pk", filter=OPEN),
            overdue=Count("pk", filter=overdue),
            completed_on_time=Count("pk", filter=on_time),
            completed_late=Count("pk", filter=late),
        )
        .order_by("abbreviation")
    )
    next_deadlines = (
        directives.filter(upcoming)
        .with_agencies(evidence=False)  # its agencies and (no) parts: no query per row
        .order_by("due_at", *DIRECTIVE_SEQUENCE)[:NEXT_DEADLINES]
    )
    return {
        "as_of": now,
        "today": today,
        "total": totals.pop("total"),
        "by_status": {value: totals.pop(f"status_{value}") for value in Status.values},
        "by_review": {value: totals.pop(f"review_{value}") for value in Review.values},
        # Of the claimed completions: "claimed complete 12, verified 9, disputed 1".
        **{value: totals.pop(f"complete_{value}") for value in Review.values},
        **totals,
        "agencies": list(agencies),
        "next_deadlines": list(next_deadlines) if next_deadlines_shown else [],
        "extra": extras,
        "by_due_on": by_date,
    }


def _combined(rows: list[Mapping[str, Any]], aggregates: Mapping[str, Aggregate]) -> dict[str, Any]:
    """Return the totals of per-group ``rows``: a count's is the sum, a minimum's the least value."""
    totals: dict[str, Any] = {}
    for name, aggregate in aggregates.items():
        if isinstance(aggregate, Min):
            values = [row[name] for row in rows if row[name] is not None]
            totals[name] = min(values) if values else None
        elif isinstance(aggregate, Count):
            totals[name] = sum(row[name] for row in rows)
        else:
            raise TypeError(f"{name}: only counts and minimums add up across groups")
    return totals


def pending_extensions(directives: DirectiveQuerySet) -> QuerySet[ExtensionRequest]:
    """Return the pending extension requests of ``directives``, oldest first (what waits longest leads).

    A queryset, so a page slices it and counts it in the database.
    """
    return (
        ExtensionRequest.objects.filter(state=ExtensionRequest.State.PENDING, directive__in=directives)
        .select_related("directive__order", "requested_by", "agency")
        .order_by("created", "id")
    )


def worst_first(agencies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the summary's per-agency tallies, the agency with the most overdue directives first.

    Ties go to more completed late, then more still open, then the abbreviation.
    """
    return sorted(
        agencies, key=lambda a: (-a["overdue"], -a["completed_late"], -a["open"], a["abbreviation"])
    )
