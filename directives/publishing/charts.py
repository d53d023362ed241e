"""The dashboard's two chart series, each in a fixed number of queries whatever the number of directives.

The deadline timeline counts directives by due date and where they stand against it; the history
replays open against completed over time from the status changes in each directive's history. Both
count the trackable directives (``DirectiveQuerySet.trackable``), as the tiles do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Aggregate, Count, Exists, Min, OuterRef, Q, TextChoices
from django.db.models.functions import Coalesce, TruncDate

from directives import deadlines
from directives.models import Directive, DirectiveEvent, DirectiveQuerySet, Status, own_overdue_q
from directives.queries import COMPLETED, DISPUTED, FLAGGED_ON_TIME, HONEST_LATE, HONEST_ON_TIME

# More distinct due dates than this and the deadline chart groups them by week, then by month.
MAX_TIMELINE_BARS = 24
# Up to this many days since the Order, the history chart has a point per day; beyond, one per week.
MAX_DAILY_HISTORY_DAYS = 62


class Standing(TextChoices):
    """Where a directive stands against its deadline: the deadline chart's stacks, worst last."""

    COMPLETED_ON_TIME = "completed_on_time", "Completed on time"
    COMPLETED_LATE = "completed_late", "Completed late"
    # Claimed on time but recorded long after its date or back-dated, not verified (docs/oversight.md):
    # never counted on time on the agency's word, as the tiles count it (queries.FLAGGED_ON_TIME), the
    # outcome ``flagged`` of the API and the exports.
    COMPLETED_FLAGGED = "completed_flagged", "Completed, flagged for review"
    # Disputed by a reviewer: neither on time nor late, whatever its dates (queries.DISPUTED), the
    # outcome ``disputed`` of the API and the exports, the summary's ``disputed``.
    COMPLETED_DISPUTED = "completed_disputed", "Completion disputed"
    RESCINDED = "rescinded", "Rescinded"
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    OVERDUE = "overdue", "Overdue"


# Colours of the chart series: USWDS system tokens, each at 3:1 or more against white (WCAG 1.4.11).
STANDING_COLOURS = {
    Standing.COMPLETED_ON_TIME: "#216e1f",
    Standing.COMPLETED_LATE: "#c05600",
    Standing.COMPLETED_FLAGGED: "#8e704f",
    Standing.COMPLETED_DISPUTED: "#ab2165",  # magenta-60v
    Standing.RESCINDED: "#3d4551",
    Standing.NOT_STARTED: "#71767a",
    Standing.IN_PROGRESS: "#005ea2",
    Standing.BLOCKED: "#54278f",
    Standing.OVERDUE: "#b50909",
}
HISTORY_COLOURS = {"open": "#005ea2", "completed": "#216e1f"}


def _timeline_bucket(day: dt.date, granularity: str) -> tuple[dt.date, str]:
    if granularity == "day":
        return day, deadlines.weekday_date(day)
    if granularity == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, f"Week of {deadlines.weekday_date(monday)}"
    first = day.replace(day=1)
    return first, f"{first:%B %Y}"


def standing_counts(now: dt.datetime) -> dict[str, Aggregate]:
    """Return a count per ``Standing`` at ``now``, over trackable directives (the deadline chart's stacks).

    A trackable directive has no parts, so it is overdue by its own deadline alone: the same answer as
    overdue_q, without its subquery per row (four times over, in the standings below).
    """
    overdue = own_overdue_q(now)
    conditions = {
        Standing.COMPLETED_ON_TIME: HONEST_ON_TIME,
        Standing.COMPLETED_LATE: HONEST_LATE,
        Standing.COMPLETED_FLAGGED: FLAGGED_ON_TIME,
        Standing.COMPLETED_DISPUTED: DISPUTED,
        Standing.RESCINDED: Q(status=Status.RESCINDED),
        Standing.NOT_STARTED: Q(status=Status.NOT_STARTED) & ~overdue,
        Standing.IN_PROGRESS: Q(status=Status.IN_PROGRESS) & ~overdue,
        Standing.BLOCKED: Q(status=Status.BLOCKED) & ~overdue,
        Standing.OVERDUE: overdue,
    }
    return {s.value: Count("pk", filter=c) for s, c in conditions.items()}


def deadline_timeline(
    directives: DirectiveQuerySet, now: dt.datetime, by_date: Sequence[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """Return ``directives`` counted by due date and standing at ``now``, in one query.

    An open directive past its deadline (or with a part past its own) is overdue whatever its status,
    as the summary counts it. Due dates are grouped by week, then by month, when there are too many to
    show one bar each; directives without a deadline come last. ``by_date``, when given, holds those
    counts already (``summarize(by_due_on=True, extra=standing_counts(now))`` over ``directives``).
    """
    if by_date is None:
        # One row per due date: due_on, total and a count per Standing (annotated by name, so Any).
        rows: list[Mapping[str, Any]] = list(
            directives.trackable()
            .order_by()
            .values("due_on")
            .annotate(total=Count("pk"), **standing_counts(now))
        )
        by_date = rows
    dated = sorted((row for row in by_date if row["due_on"] is not None), key=lambda row: row["due_on"])
    granularity = "day"
    if len(dated) > MAX_TIMELINE_BARS:
        weeks = {_timeline_bucket(row["due_on"], "week")[0] for row in dated}
        granularity = "week" if len(weeks) <= MAX_TIMELINE_BARS else "month"
    buckets: dict[object, dict[str, Any]] = {}
    names = ("total", *Standing.values)  # worked out once: each Standing.values builds the choices anew
    for row in dated:
        key, label = _timeline_bucket(row["due_on"], granularity)
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = {"label": label, **dict.fromkeys(names, 0)}
        for name in names:
            bucket[name] += row[name]
    undated = [row for row in by_date if row["due_on"] is None]
    if undated:
        buckets[None] = {"label": "No deadline", **{k: v for k, v in undated[0].items() if k != "due_on"}}
    bars = list(buckets.values())
    return {
        "granularity": granularity,
        "labels": [bar["label"] for bar in bars],
        "totals": [bar["total"] for bar in bars],
        "series": [
            {
                "key": standing.value,
                "label": standing.label,
                "colour": STANDING_COLOURS[standing],
                "values": [bar[standing.value] for bar in bars],
            }
            for standing in Standing
        ],
    }


def history_anchor() -> dict[str, Aggregate]:
    """Return the aggregates the history chart walks back from, over trackable directives.

    Today's total in force, how many are completed, and the earliest signing date; the dashboard
    adds them to the summary's totals query (``queries.summarize(extra=...)``), so tiles and chart
    come from one scan.
    """
    in_force = ~Q(status=Status.RESCINDED)
    return {
        "history_total": Count("pk", filter=in_force),
        "history_completed": Count("pk", filter=COMPLETED & in_force),
        "history_start": Min("order__signed_on", filter=in_force),
    }


def completion_history(
    directives: DirectiveQuerySet, now: dt.datetime, anchor: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return how many of ``directives`` were open and completed at the end of each day (or week).

    Replayed from the history's status changes, in two queries: a completion counts from the day the
    work was completed (the date the agency gave), a reopening from the day it was recorded. The series
    runs from the earliest signing date to today and ends at today's numbers, so its last point equals
    the tiles; every directive counts as open from the day its order was signed. A directive a later
    order rescinded is left out, its past included: the chart follows the duties still in force.
    ``anchor``, when given, is ``history_anchor()``'s aggregates already read over ``directives``.
    """
    today = deadlines.local_date(now)
    if anchor is None:
        anchor = directives.trackable().aggregate(**history_anchor())
    start = anchor["history_start"]
    if not anchor["history_total"] or start is None:
        return {"granularity": "day", "labels": [], "open": [], "completed": [], "colours": HISTORY_COLOURS}
    completed_now, total = anchor["history_completed"], anchor["history_total"]
    became_completed = Q(new_status=Status.COMPLETED) & ~Q(old_status=Status.COMPLETED)
    stopped_being_completed = Q(old_status=Status.COMPLETED) & ~Q(new_status=Status.COMPLETED)
    # Which directives count is asked of each event's directive, not by listing the 80,000 trackable
    # ones in force first (a scan of every directive row and a hash of them, most of the query's time):
    # it has no parts (the parts' index) and a later order did not rescind it (left out, its past
    # included: directive_rescinded_idx holds the few rescinded). The scope's own filters, when it has
    # any, still choose its directives.
    event_directive = OuterRef("directive_id")
    events = (
        DirectiveEvent.objects.filter(
            became_completed | stopped_being_completed, kind=DirectiveEvent.Kind.STATUS_CHANGED
        )
        .exclude(Exists(Directive.objects.filter(parent=event_directive)))
        .exclude(Exists(Directive.objects.filter(pk=event_directive, status=Status.RESCINDED)))
    )
    if directives.query.has_filters():
        events = events.filter(directive__in=directives.values("pk"))
    changes = (
        events.annotate(day=Coalesce("completed_on", TruncDate("created", tzinfo=deadlines.EASTERN)))
        .values("day")
        .annotate(
            # Counting the directive (never null), not the event's id, lets the index alone answer.
            completed=Count("directive", filter=became_completed),
            reopened=Count("directive", filter=stopped_being_completed),
        )
        .order_by()
    )
    net = {row["day"]: row["completed"] - row["reopened"] for row in changes}
    start = min(start, today, *net)
    step = 1 if (today - start).days <= MAX_DAILY_HISTORY_DAYS else 7
    points = [start + dt.timedelta(days=n) for n in range(0, (today - start).days, step)] + [today]
    # Walk back from today's numbers, undoing each day's changes once the walk passes that day.
    completed_at: dict[dt.date, int] = {}
    pending = sorted(net.items(), reverse=True)
    completed = completed_now
    for point in reversed(points):
        while pending and pending[0][0] > point:
            completed -= pending.pop(0)[1]
        completed_at[point] = min(max(completed, 0), total)
    return {
        "granularity": "day" if step == 1 else "week",
        "labels": [deadlines.weekday_date(point) for point in points],
        "open": [total - completed_at[point] for point in points],
        "completed": [completed_at[point] for point in points],
        "colours": HISTORY_COLOURS,
    }


def chart_data(
    *,
    scoped: DirectiveQuerySet,
    listed: DirectiveQuerySet,
    now: dt.datetime,
    anchor: Mapping[str, Any] | None = None,
    by_date: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return both charts' series: the deadline timeline of ``listed``, the history of ``scoped``."""
    return {
        "timeline": deadline_timeline(listed, now, by_date),
        "history": completion_history(scoped, now, anchor),
    }
