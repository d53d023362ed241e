"""The dashboards' numbers, computed in the database: a fixed handful of queries for any number of rows."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, QuerySet
from rest_framework import generics
from rest_framework.response import Response

from directives import deadlines
from directives.models import Directive, Involvement, Status, overdue_q

from .clock import NowMixin, request_now
from .filters import ScopeFilter
from .serializers import SummarySerializer

NEXT_DEADLINES = 5

# Completed by the end of the effective due day, or after it. Shared with the dashboard's deadline chart
# (directives/dashboard.py) so that a chart and these counts can never disagree.
COMPLETED = Q(status=Status.COMPLETED)
COMPLETED_ON_TIME = COMPLETED & Q(completed_on__lte=F("due_on"))
COMPLETED_LATE = COMPLETED & Q(completed_on__gt=F("due_on"))


def summarize(directives: QuerySet[Directive], now: dt.datetime) -> dict:
    """Return the summary of ``directives`` at ``now``, shaped as ``SummarySerializer``."""
    today = deadlines.local_date(now)
    completed, on_time, late = COMPLETED, COMPLETED_ON_TIME, COMPLETED_LATE
    # Open and not yet past its own deadline, due within N days: days_remaining <= N.
    upcoming = ~completed & Q(due_at__gt=now)
    totals = directives.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q(now)),
        due_within_7_days=Count("pk", filter=upcoming & Q(due_on__lte=today + dt.timedelta(days=7))),
        due_within_30_days=Count("pk", filter=upcoming & Q(due_on__lte=today + dt.timedelta(days=30))),
        completed_on_time=Count("pk", filter=on_time),
        completed_late=Count("pk", filter=late),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Status.values},
    )
    agencies = (
        directives.filter(involvements__role=Involvement.Role.LEAD)
        .values(abbreviation=F("involvements__agency__abbreviation"), name=F("involvements__agency__name"))
        .annotate(
            led=Count("pk"),
            open=Count("pk", filter=~completed),
            overdue=Count("pk", filter=overdue_q(now)),
            completed_on_time=Count("pk", filter=on_time),
            completed_late=Count("pk", filter=late),
        )
        .order_by("abbreviation")
    )
    next_deadlines = (
        directives.filter(upcoming)
        .select_related("order")
        .prefetch_related("involvements__agency")
        .order_by("due_at", "order_id", "position", "ref")[:NEXT_DEADLINES]
    )
    return {
        "as_of": now,
        "today": today,
        "total": totals.pop("total"),
        "by_status": {value: totals.pop(f"status_{value}") for value in Status.values},
        **totals,
        "agencies": list(agencies),
        "next_deadlines": list(next_deadlines),
    }


class SummaryView(NowMixin, generics.GenericAPIView):
    """Counts for the dashboards: by status, overdue, due soon, on time or late, per lead agency."""

    serializer_class = SummarySerializer
    filterset_class = ScopeFilter
    pagination_class = None

    def get_queryset(self):
        return Directive.objects.all()

    def get(self, request, *args, **kwargs) -> Response:
        directives = self.filter_queryset(self.get_queryset()).order_by()
        return Response(self.get_serializer(summarize(directives, request_now(request))).data)
