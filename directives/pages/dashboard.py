"""The oversight dashboard: who is late, on what, by how many days; and downloads of what it lists.

Everything it shows is read through ``directives.queries``: the tiles and the scorecard are
``summarize``, the function behind ``/api/v1/summary/``; the overdue list and the downloads are
selected by the API's own filter set (``queries.DirectiveFilter``) with the same parameters, so the
page, the API and the downloads cannot disagree. The page works without JavaScript;
``static/js/dashboard.js`` draws the two charts from the series embedded in the page, and refreshes by
asking this view for its content again (``X-Orderctl-Fragment``) and swapping the server-rendered
fragment in, as healthchecks' status page does: no rendering is written twice.

Filters: ``order`` and ``agency`` (the lead agency, a department with its components) choose the scope
that the tiles, the scorecard and the history chart count; ``status`` (repeatable) narrows the overdue
list, the deadline chart and the downloads further, as the API's directive list does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from directives import deadlines
from directives.models import Directive, Status, own_overdue_q
from directives.publishing.charts import Standing, chart_data, history_anchor, standing_counts
from directives.publishing.export import status_rows, to_csv, to_json
from directives.queries import (
    DIRECTIVE_SEQUENCE,
    DirectiveFilter,
    ScopeFilter,
    filter_form,
    pending_extensions,
    request_now,
    rows_of,
    summarize,
    worst_first,
)

# How often the page refreshes its numbers; the template hands it to the script in a data attribute.
REFRESH_SECONDS = 300
# The overdue list shows the most overdue directives first; the All directives page pages through every
# one (the link under the list), and the downloads list them all.
OVERDUE_LIST_SIZE = 50
# The extension requests waiting longest; the count says how many more wait.
PENDING_LIST_SIZE = 50
# A request with this header wants the page's content alone: the script's refresh.
FRAGMENT_HEADER = "X-Orderctl-Fragment"

SCOPE_FIELDS = ("order", "agency")
LIST_FIELDS = (*SCOPE_FIELDS, "status")


@dataclass(frozen=True)
class Selection:
    """The filters a request asked for: the whole list's, and the scope's (order and agency) alone."""

    listed: DirectiveFilter
    scope: ScopeFilter

    @classmethod
    def of(cls, request: HttpRequest) -> Selection:
        data = QueryDict(mutable=True)
        for name in LIST_FIELDS:
            data.setlist(name, [value for value in request.GET.getlist(name) if value])
        scope = QueryDict(mutable=True)
        for name in SCOPE_FIELDS:
            scope.setlist(name, data.getlist(name))
        listed = DirectiveFilter(data, queryset=Directive.objects.all(), request=request)
        scoped = ScopeFilter(scope, queryset=Directive.objects.all(), request=request)
        listed.is_valid()  # errors stay on the form; the filters ignore what they did not understand
        return cls(listed=listed, scope=scoped)

    @property
    def valid(self) -> dict[str, list[str]]:
        """Return the filters understood, as lists of values (status repeats)."""
        cleaned = self.listed.form.cleaned_data
        return {name: self.listed.data.getlist(name) for name in LIST_FIELDS if cleaned.get(name)}

    def query(self, **extra: str | int) -> str:
        """Return the understood filters (and ``extra``) as a query string."""
        return urlencode({**self.valid, **extra}, doseq=True)

    @property
    def statuses(self) -> list[str]:
        return [Status(value).label.lower() for value in self.valid.get("status", [])]


def _canonical(query: QueryDict) -> list[tuple[str, str]]:
    """Return the known, non-empty filters of ``query``: the address a filtered view is bookmarked at."""
    return [(name, value) for name in LIST_FIELDS for value in query.getlist(name) if value]


def _scope_text(selection: Selection) -> str:
    valid = selection.valid
    parts = [f"Executive Order {valid['order'][0]}" if "order" in valid else "Every order"]
    parts.append(f"directives led by {valid['agency'][0]}" if "agency" in valid else "every lead agency")
    if selection.statuses:
        parts.append(f"lists: {' or '.join(selection.statuses)} only")
    return " · ".join(parts)


# The charts' tables write a thousand numbers or more (a row a week of the history since the first
# order): as text made here, not each through the template engine's localisation, which took a fifth of
# the page's time. Without a thousands separator (USE_THOUSAND_SEPARATOR is off) that is the same text.


def _timeline_rows(timeline: dict[str, Any]) -> list[tuple[str, list[str], str]]:
    columns = [series["values"] for series in timeline["series"]]
    return [
        (label, [str(values[i]) for values in columns], str(timeline["totals"][i]))
        for i, label in enumerate(timeline["labels"])
    ]


def _history_rows(history: dict[str, Any]) -> list[tuple[str, str, str]]:
    columns = zip(history["labels"], history["open"], history["completed"], strict=True)
    return [(label, str(open_), str(completed)) for label, open_, completed in columns]


def dashboard_context(request: HttpRequest, selection: Selection) -> dict[str, Any]:
    """Return everything the dashboard's content shows, read at the request's one instant."""
    now = request_now(request)
    scoped, listed = selection.scope.qs.order_by(), selection.listed.qs
    # Without a status filter the deadline chart counts what the tiles count: both from one scan,
    # grouped by due date. A status filter narrows the chart, which then has a query of its own.
    together = not selection.valid.get("status")
    extra = {**history_anchor(), **(standing_counts(now) if together else {})}
    summary = summarize(scoped, now, extra=extra, by_due_on=together, next_deadlines_shown=False)
    charts = chart_data(
        scoped=scoped,
        listed=listed,
        now=now,
        anchor=summary["extra"],
        by_date=summary["by_due_on"] if together else None,
    )
    # Most days overdue first is earliest due first: sorted on the indexed due date (directive_due_on_idx;
    # due_at is the end of that day, so the same order), not on a computed number of days, so the page
    # reads 50 rows off the index. A trackable directive is overdue by its own deadline (it has no
    # parts), and the deadline chart has counted these already: its overdue stacks are the list's length.
    overdue = (
        listed.trackable().filter(own_overdue_q(now)).with_agencies().order_by("due_on", *DIRECTIVE_SEQUENCE)
    )
    overdue_count = sum(
        next(s["values"] for s in charts["timeline"]["series"] if s["key"] == Standing.OVERDUE)
    )
    pending = pending_extensions(scoped)
    return {
        "selection": selection,
        "scope_text": _scope_text(selection),
        "statuses": " or ".join(selection.statuses),
        "summary": summary,
        "agencies": worst_first(summary["agencies"]),
        "overdue_rows": rows_of(overdue[:OVERDUE_LIST_SIZE], now),
        "overdue_count": overdue_count,
        "overdue_list_size": OVERDUE_LIST_SIZE,
        "pending_extensions": list(pending[:PENDING_LIST_SIZE]),
        "pending_count": pending.count(),
        "pending_list_size": PENDING_LIST_SIZE,
        "overdue_all_query": selection.query(overdue="true", ordering="-days_overdue"),
        "listed_count": listed.count(),
        "charts": charts,
        "timeline": charts["timeline"],
        "timeline_rows": _timeline_rows(charts["timeline"]),
        "history": charts["history"],
        "history_rows": _history_rows(charts["history"]),
        "standings": Standing,
        "query": selection.query(),
        "scope_query": urlencode({k: v for k, v in selection.valid.items() if k == "order"}, doseq=True),
        "now": now,
    }


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show who is late, on what and by how many days: tiles, overdue list, scorecard and charts."""
    canonical = _canonical(request.GET)
    if sorted(canonical) != sorted((k, v) for k, values in request.GET.lists() for v in values):
        # Empty fields of a submitted form (and unknown parameters) leave the address, so the one that
        # is bookmarked or shared names only the filters that are set.
        query = urlencode(canonical)
        return redirect(f"{request.path}?{query}" if query else request.path)
    selection = Selection.of(request)
    context = dashboard_context(request, selection)
    if request.headers.get(FRAGMENT_HEADER) == "content":
        return render(request, "dashboard/_content.html", context)
    context.update(
        form=filter_form(selection.listed, LIST_FIELDS),
        refresh_seconds=REFRESH_SECONDS,
        fragment_header=FRAGMENT_HEADER,
    )
    return render(request, "dashboard/dashboard.html", context)


def _refused(selection: Selection) -> HttpResponseBadRequest | None:
    """Return a 400 naming every filter not understood, or None when all were."""
    if selection.listed.form.is_valid():
        return None
    lines = [f"{name}: {' '.join(map(str, errors))}" for name, errors in selection.listed.form.errors.items()]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _export(request: HttpRequest, extension: str) -> HttpResponse:
    selection = Selection.of(request)
    refused = _refused(selection)
    if refused is not None:
        return refused
    now = request_now(request)
    rows = status_rows(selection.listed.qs.order_by(*DIRECTIVE_SEQUENCE), now)
    if extension == "csv":
        response = HttpResponse(to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(to_json(rows) + "\n", content_type="application/json")
    values = [value for values in selection.valid.values() for value in values]
    name = "-".join(["orderctl-status", *values, deadlines.local_date(now).isoformat()])
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
