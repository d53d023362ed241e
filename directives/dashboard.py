"""The oversight dashboard: who is late, on what, by how many days; and exports of what it lists.

The tiles and the scorecard are ``summarize``, the function behind ``/api/v1/summary/``, and the overdue
list and the exports are selected by the API's own filters and ordering, so the page rendered here, the
numbers its script re-fetches from the API every few minutes and the exports cannot disagree. The page
works without JavaScript; ``static/js/dashboard.js`` draws the two charts and keeps the numbers fresh.

The two chart series have no API endpoint; they are computed here, each in a fixed number of queries
whatever the number of directives: the deadline timeline (directives by due date and standing), and
open against completed over time, replayed from the history's status changes.

Filters: ``order`` and ``agency`` (the lead agency, a department with its components) choose the scope
that the tiles, the scorecard and the history chart count; ``status`` narrows the overdue list, the
deadline chart and the exports further, as the API's directive list does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Min, Q, QuerySet, TextChoices
from django.db.models.functions import Coalesce, TruncDate
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from agencies.models import Agency
from uswds.forms import UswdsForm

from . import deadlines
from .api.clock import request_now
from .api.filters import DIRECTIVE_SEQUENCE, DirectiveFilter, ScopeFilter
from .api.summary import COMPLETED, COMPLETED_LATE, COMPLETED_ON_TIME, summarize
from .export import status_rows, to_csv, to_json
from .models import Directive, DirectiveEvent, Order, Status, overdue_q
from .views import Row, rows_of

# How often the page re-fetches its numbers; the template hands it to the script in a data attribute.
REFRESH_SECONDS = 300
# The overdue list shows the most overdue directives first; the exports list every one.
OVERDUE_LIST_SIZE = 50
# More distinct due dates than this and the deadline chart groups them by week, then by month.
MAX_TIMELINE_BARS = 24
# Up to this many days since the Order, the history chart has a point per day; beyond, one per week.
MAX_DAILY_HISTORY_DAYS = 62

SCOPE_FIELDS = ("order", "agency")
LIST_FIELDS = (*SCOPE_FIELDS, "status")


class Standing(TextChoices):
    """Where a directive stands against its deadline: the deadline chart's stacks, worst last."""

    COMPLETED_ON_TIME = "completed_on_time", "Completed on time"
    COMPLETED_LATE = "completed_late", "Completed late"
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    OVERDUE = "overdue", "Overdue"


# Colours of the chart series: USWDS system tokens, each at 3:1 or more against white (WCAG 1.4.11).
STANDING_COLOURS = {
    Standing.COMPLETED_ON_TIME: "#216e1f",
    Standing.COMPLETED_LATE: "#c05600",
    Standing.NOT_STARTED: "#71767a",
    Standing.IN_PROGRESS: "#005ea2",
    Standing.BLOCKED: "#54278f",
    Standing.OVERDUE: "#b50909",
}
HISTORY_COLOURS = {"open": "#005ea2", "completed": "#216e1f"}


# --- Filters ------------------------------------------------------------------------------------------


class DashboardFilterForm(UswdsForm):
    """The dashboard's filters, all in the URL so that a filtered view can be bookmarked and shared."""

    order = forms.ChoiceField(required=False)
    agency = forms.ChoiceField(
        required=False, label="Lead agency", help_text="A department includes its components."
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *Status.choices],
        help_text="Narrows the overdue list, the deadline chart and the downloads.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].choices = [
            ("", "All orders"),
            *((str(o.number), f"EO {o.number}: {o.title}") for o in Order.objects.all()),
        ]
        self.fields["agency"].choices = [
            ("", "All lead agencies"),
            *((a.abbreviation, f"{a.abbreviation}: {a.name}") for a in Agency.objects.all()),
        ]


@dataclass(frozen=True)
class Selection:
    """The filters a request asked for, as the API takes them; those not understood are left out."""

    form: DashboardFilterForm
    listed: dict[str, str]  # order, agency and status: the overdue list, the deadline chart, the exports

    @classmethod
    def of(cls, request: HttpRequest) -> Selection:
        form = DashboardFilterForm(request.GET)
        form.is_valid()  # errors stay on the form; cleaned_data keeps only the valid fields
        listed = {name: value for name in LIST_FIELDS if (value := form.cleaned_data.get(name))}
        return cls(form=form, listed=listed)

    @property
    def scope(self) -> dict[str, str]:
        """Return the order and agency: what the summary and the history chart count."""
        return {name: value for name, value in self.listed.items() if name in SCOPE_FIELDS}

    def query(self, **extra: str | int) -> str:
        """Return the listed filters (and ``extra``) as a query string for the page, the API or a download."""
        return urlencode({**self.listed, **extra})

    def url(self, base: str, *, scope_only: bool = False, **extra: str | int) -> str:
        """Return ``base`` with these filters (only the scope's, if asked) and ``extra`` as its query."""
        query = urlencode({**(self.scope if scope_only else self.listed), **extra})
        return f"{base}?{query}" if query else base


def _canonical(query: QueryDict) -> dict[str, str]:
    """Return the known, non-empty filters of ``query``: the address a filtered view is bookmarked at."""
    return {name: query[name] for name in LIST_FIELDS if query.get(name)}


def _api_filtered(
    filterset_class, data: dict[str, str], queryset: QuerySet, request: HttpRequest
) -> QuerySet:
    """Return ``queryset`` filtered by the API's own filter set, at the request's one instant."""
    params = QueryDict(mutable=True)
    params.update(data)
    filterset = filterset_class(data=params, queryset=queryset, request=request)
    if not filterset.is_valid():
        # The dashboard's form accepts only values the API takes; disagreeing would be a bug here.
        raise ValueError(f"the API refused the dashboard's filters: {filterset.errors.as_json()}")
    return filterset.qs


def _scoped(selection: Selection, request: HttpRequest) -> QuerySet:
    return _api_filtered(ScopeFilter, selection.scope, Directive.objects.all(), request).order_by()


def _listed(
    selection: Selection, request: HttpRequest, queryset: QuerySet | None = None, **extra
) -> QuerySet:
    queryset = Directive.objects.order_by(*DIRECTIVE_SEQUENCE) if queryset is None else queryset
    return _api_filtered(DirectiveFilter, {**selection.listed, **extra}, queryset, request)


def overdue_directives(selection: Selection, request: HttpRequest) -> QuerySet:
    """Return the overdue directives of ``selection``, most days overdue first, as the API lists them."""
    return _listed(
        selection,
        request,
        Directive.objects.with_agencies().order_by(*DIRECTIVE_SEQUENCE),
        overdue="true",
        ordering="-days_overdue",
    )


def worst_first(agencies: list[dict]) -> list[dict]:
    """Return the summary's per-agency tallies, the agency with the most overdue directives first.

    Ties go to more completed late, then more still open, then the abbreviation; ``dashboard.js`` sorts
    the refreshed tallies the same way.
    """
    return sorted(
        agencies, key=lambda a: (-a["overdue"], -a["completed_late"], -a["open"], a["abbreviation"])
    )


# --- Chart series -------------------------------------------------------------------------------------


def _timeline_bucket(day: dt.date, granularity: str) -> tuple[dt.date, str]:
    if granularity == "day":
        return day, deadlines.weekday_date(day)
    if granularity == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, f"Week of {deadlines.weekday_date(monday)}"
    first = day.replace(day=1)
    return first, f"{first:%B %Y}"


def deadline_timeline(directives: QuerySet, now: dt.datetime) -> dict:
    """Return ``directives`` counted by due date and standing at ``now``, in one query.

    An open directive past its deadline (or with a part past its own) is overdue whatever its status,
    as the summary counts it. Due dates are grouped by week, then by month, when there are too many to
    show one bar each; directives without a deadline come last.
    """
    overdue = overdue_q(now)
    conditions = {
        Standing.COMPLETED_ON_TIME: COMPLETED_ON_TIME,
        Standing.COMPLETED_LATE: COMPLETED_LATE,
        Standing.NOT_STARTED: Q(status=Status.NOT_STARTED) & ~overdue,
        Standing.IN_PROGRESS: Q(status=Status.IN_PROGRESS) & ~overdue,
        Standing.BLOCKED: Q(status=Status.BLOCKED) & ~overdue,
        Standing.OVERDUE: overdue,
    }
    by_date = list(
        directives.order_by()
        .values("due_on")
        .annotate(total=Count("pk"), **{s.value: Count("pk", filter=c) for s, c in conditions.items()})
    )
    dated = sorted((row for row in by_date if row["due_on"] is not None), key=lambda row: row["due_on"])
    granularity = "day"
    if len(dated) > MAX_TIMELINE_BARS:
        weeks = {_timeline_bucket(row["due_on"], "week")[0] for row in dated}
        granularity = "week" if len(weeks) <= MAX_TIMELINE_BARS else "month"
    buckets: dict[object, dict] = {}
    for row in dated:
        key, label = _timeline_bucket(row["due_on"], granularity)
        bucket = buckets.setdefault(key, {"label": label, "total": 0, **{s.value: 0 for s in Standing}})
        for name in ("total", *Standing.values):
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


def completion_history(directives: QuerySet, now: dt.datetime) -> dict:
    """Return how many of ``directives`` were open and completed at the end of each day (or week).

    Replayed from the history's status changes, in two queries: a completion counts from the day the
    work was completed (the date the agency gave), a reopening from the day it was recorded. The series
    runs from the earliest signing date to today and ends at today's numbers, so its last point equals
    the tiles; every directive counts as open from the day its order was signed.
    """
    today = deadlines.local_date(now)
    anchor = directives.aggregate(
        total=Count("pk"), completed=Count("pk", filter=COMPLETED), start=Min("order__signed_on")
    )
    start = anchor["start"]
    if not anchor["total"] or start is None:
        return {"granularity": "day", "labels": [], "open": [], "completed": [], "colours": HISTORY_COLOURS}
    completed_now, total = anchor["completed"], anchor["total"]
    became_completed = Q(new_status=Status.COMPLETED) & ~Q(old_status=Status.COMPLETED)
    stopped_being_completed = Q(old_status=Status.COMPLETED) & ~Q(new_status=Status.COMPLETED)
    changes = (
        DirectiveEvent.objects.filter(
            became_completed | stopped_being_completed,
            kind=DirectiveEvent.Kind.STATUS_CHANGED,
            directive__in=directives.values("pk"),
        )
        .annotate(day=Coalesce("completed_on", TruncDate("created", tzinfo=deadlines.EASTERN)))
        .values("day")
        .annotate(
            completed=Count("pk", filter=became_completed),
            reopened=Count("pk", filter=stopped_being_completed),
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


def chart_data(*, scoped: QuerySet, listed: QuerySet, now: dt.datetime) -> dict:
    """Return both charts' series: the deadline timeline of ``listed``, the history of ``scoped``."""
    return {"timeline": deadline_timeline(listed, now), "history": completion_history(scoped, now)}


# --- Views --------------------------------------------------------------------------------------------


def _scope_text(selection: Selection) -> str:
    order = selection.listed.get("order")
    agency = selection.listed.get("agency")
    status = selection.listed.get("status")
    parts = [f"Executive Order {order}" if order else "Every order"]
    parts.append(f"directives led by {agency}" if agency else "every lead agency")
    if status:
        parts.append(f"lists: {Status(status).label.lower()} only")
    return " · ".join(parts)


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show who is late, on what and by how many days: tiles, overdue list, scorecard and charts."""
    canonical = _canonical(request.GET)
    if {name: [value] for name, value in canonical.items()} != dict(request.GET.lists()):
        # Empty fields of a submitted form (and unknown parameters) leave the address, so the one that
        # is bookmarked or shared names only the filters that are set.
        query = urlencode(canonical)
        return redirect(f"{request.path}?{query}" if query else request.path)
    selection = Selection.of(request)
    now = request_now(request)
    scoped, listed = _scoped(selection, request), _listed(selection, request)
    summary = summarize(scoped, now)
    overdue = overdue_directives(selection, request)
    overdue_count = overdue.count()
    overdue_rows: list[Row] = rows_of(overdue[:OVERDUE_LIST_SIZE], now)
    listed_count = listed.count()
    charts = chart_data(scoped=scoped, listed=listed, now=now)
    script_config = {
        "timeZone": str(deadlines.EASTERN),
        "summaryUrl": selection.url(reverse("api:summary"), scope_only=True),
        "overdueUrl": selection.url(
            reverse("api:directive-list"),
            overdue="true",
            ordering="-days_overdue",
            page_size=OVERDUE_LIST_SIZE,
        ),
        "chartsUrl": selection.url(reverse("dashboard_charts")),
        "directiveUrl": reverse("directive_list"),
        "dashboardUrl": reverse("dashboard"),
        "order": selection.listed.get("order", ""),
        "statusLabels": dict(Status.choices),
        "charts": charts,
    }
    context = {
        "form": selection.form,
        "selection": selection,
        "scope_text": _scope_text(selection),
        "status_label": Status(selection.listed["status"]).label if "status" in selection.listed else "",
        "summary": summary,
        "agencies": worst_first(summary["agencies"]),
        "overdue_rows": overdue_rows,
        "overdue_count": overdue_count,
        "overdue_list_size": OVERDUE_LIST_SIZE,
        "listed_count": listed_count,
        "timeline": charts["timeline"],
        "timeline_rows": _timeline_rows(charts["timeline"]),
        "history": charts["history"],
        "history_rows": list(
            zip(
                charts["history"]["labels"],
                charts["history"]["open"],
                charts["history"]["completed"],
                strict=True,
            )
        ),
        "standings": Standing,
        "query": selection.query(),
        "script_config": script_config,
        "refresh_seconds": REFRESH_SECONDS,
        "now": now,
    }
    return render(request, "dashboard/dashboard.html", context)


def _timeline_rows(timeline: dict) -> list[tuple[str, list[int], int]]:
    columns = [series["values"] for series in timeline["series"]]
    return [
        (label, [values[i] for values in columns], timeline["totals"][i])
        for i, label in enumerate(timeline["labels"])
    ]


def _refused(selection: Selection) -> HttpResponseBadRequest | None:
    """Return a 400 naming every filter not understood, or None when all were."""
    if selection.form.is_valid():
        return None
    lines = [f"{name}: {' '.join(errors)}" for name, errors in selection.form.errors.items()]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@login_required
@require_safe
def dashboard_charts(request: HttpRequest) -> HttpResponse:
    """Return both charts' series as JSON, for the page's script to redraw them when it refreshes."""
    selection = Selection.of(request)
    if not selection.form.is_valid():
        return JsonResponse(selection.form.errors.get_json_data(), status=400)
    charts = chart_data(
        scoped=_scoped(selection, request), listed=_listed(selection, request), now=request_now(request)
    )
    return JsonResponse(charts)


def _export(request: HttpRequest, extension: str) -> HttpResponse:
    selection = Selection.of(request)
    refused = _refused(selection)
    if refused is not None:
        return refused
    now = request_now(request)
    rows = status_rows(_listed(selection, request), now)
    if extension == "csv":
        response = HttpResponse(to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(to_json(rows) + "\n", content_type="application/json")
    name = "-".join(["orderctl-status", *selection.listed.values(), deadlines.local_date(now).isoformat()])
    name = re.sub(r"[^a-z0-9_-]+", "-", name.lower())  # a safe file name whatever an abbreviation holds
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


@login_required
@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    """Download the filtered directives as CSV, with the columns of ``export_status``."""
    return _export(request, "csv")


@login_required
@require_safe
def export_json(request: HttpRequest) -> HttpResponse:
    """Download the filtered directives as JSON, with the columns of ``export_status``."""
    return _export(request, "json")
