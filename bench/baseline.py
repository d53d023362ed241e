"""The hand-written baseline the API is measured against: the same fields, through ``values()`` and
``JsonResponse``, with the same token check, and no framework in between.

Mounted beside the project's URLs by ``bench/api.py`` (``ROOT_URLCONF = "bench.baseline"``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, F, Q
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, reverse
from django.utils import timezone
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from directives import deadlines
from directives.models import CLOSED_STATUSES, Directive, Involvement, Status, overdue_q

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PAGE_SIZE = 100


def _authenticated(request: HttpRequest) -> bool:
    """Check the ``Authorization: Token <key>`` header as the API does (knox: digest lookup)."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Token" or not key:
        return False
    try:
        TokenAuthentication().authenticate_credentials(key.encode())
    except AuthenticationFailed:
        return False
    return True


def _own_overdue(status: str, due_at: dt.datetime | None, now: dt.datetime) -> bool:
    return due_at is not None and now >= due_at and status not in CLOSED_STATUSES


def directives(request: HttpRequest) -> JsonResponse:
    """The first page of 100 directives, in the API's default order, with every field the API shows."""
    if not _authenticated(request):
        return JsonResponse({"detail": ["Authentication credentials were not provided."]}, status=401)
    now = timezone.now()
    today = deadlines.local_date(now)
    queryset = Directive.objects.order_by("order_id", "position", "ref")
    count = queryset.count()
    rows = list(
        queryset.values(
            "id", "ref", "title", "summary", "deadline", "original_due_on", "due_on", "due_at", "status",
            "status_changed_at",
            "overdue_flagged_at", "forecast_on", "completed_on", "updated_at",
            order_number=F("order__number"), parent_ref=F("parent__ref"),
        )[:PAGE_SIZE]
    )  # fmt: skip
    ids = [row["id"] for row in rows]
    agencies: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for directive_id, role, abbreviation, name in (
        Involvement.objects.filter(directive_id__in=ids)
        .order_by("role", "position")
        .values_list("directive_id", "role", "agency__abbreviation", "agency__name")
    ):
        agencies[directive_id, role].append({"abbreviation": abbreviation, "name": name})
    children: dict[int, list[tuple]] = defaultdict(list)
    for parent_id, ref, status, due_at in (
        Directive.objects.filter(parent_id__in=ids)
        .order_by("order", "position", "ref")
        .values_list("parent_id", "ref", "status", "due_at")
    ):
        children[parent_id].append((ref, status, due_at))
    base = request.build_absolute_uri(reverse("api:directive-list"))
    results = []
    for row in rows:
        due_on, status = row["due_on"], row["status"]
        own_overdue = _own_overdue(status, row["due_at"], now)
        completed = status == Status.COMPLETED
        if due_on is None:
            days_overdue = None
        elif completed:
            days_overdue = 0
        else:
            days_overdue = (today - due_on).days if now >= deadlines.end_of_day(due_on) else 0
        outcome = None
        if completed and row["completed_on"] is not None and due_on is not None:
            outcome = "on_time" if row["completed_on"] <= due_on else "late"
        results.append(
            {
                "id": row["id"],
                "url": f"{base}{row['id']}/",
                "order": row["order_number"],
                "ref": row["ref"],
                "title": row["title"],
                "summary": row["summary"],
                "parent": row["parent_ref"],
                "children": [ref for ref, _, _ in children[row["id"]]],
                "lead_agencies": agencies[row["id"], Involvement.Role.LEAD],
                "consulted_agencies": agencies[row["id"], Involvement.Role.CONSULTED],
                "deadline": row["deadline"],
                "original_due_on": row["original_due_on"],
                "due_on": due_on,
                "due_weekday": WEEKDAYS[due_on.weekday()] if due_on else None,
                "status": status,
                "status_changed_at": row["status_changed_at"],
                "is_overdue": own_overdue
                or any(_own_overdue(s, due_at, now) for _, s, due_at in children[row["id"]]),
                "days_overdue": days_overdue,
                "days_remaining": None
                if due_on is None or completed or own_overdue
                else max(0, (due_on - today).days),
                "overdue_flagged_at": row["overdue_flagged_at"],
                "forecast_on": row["forecast_on"],
                "completed_on": row["completed_on"],
                "outcome": outcome,
                "updated_at": row["updated_at"],
            }
        )
    next_url = f"{base}?page=2&page_size={PAGE_SIZE}" if count > PAGE_SIZE else None
    return JsonResponse({"count": count, "next": next_url, "previous": None, "results": results})


def summary(request: HttpRequest) -> JsonResponse:
    """The summary's numbers through ``aggregate()`` and ``values()``, with the model's ``overdue_q``."""
    if not _authenticated(request):
        return JsonResponse({"detail": ["Authentication credentials were not provided."]}, status=401)
    now = timezone.now()
    today = deadlines.local_date(now)
    completed = Q(status=Status.COMPLETED)
    open_and_due = ~completed & Q(due_at__gt=now)
    on_time = completed & Q(completed_on__lte=F("due_on"))
    late = completed & Q(completed_on__gt=F("due_on"))
    # The trackable items: every directive but a parent with parts (its parts are counted instead).
    directives = Directive.objects.order_by().filter(children__isnull=True)
    totals = directives.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q(now)),
        due_within_7_days=Count("pk", filter=open_and_due & Q(due_on__lte=today + dt.timedelta(days=7))),
        due_within_30_days=Count("pk", filter=open_and_due & Q(due_on__lte=today + dt.timedelta(days=30))),
        completed_on_time=Count("pk", filter=on_time),
        completed_late=Count("pk", filter=late),
        **{value: Count("pk", filter=Q(status=value)) for value in Status.values},
    )
    agencies = list(
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
    upcoming = list(
        directives.filter(open_and_due)
        .order_by("due_at", "order_id", "position", "ref")
        .values("id", "ref", "title", "due_on", order_number=F("order__number"))[:5]
    )
    leads: dict[int, list[dict]] = defaultdict(list)
    for directive_id, abbreviation, name in (
        Involvement.objects.filter(directive_id__in=[u["id"] for u in upcoming], role=Involvement.Role.LEAD)
        .order_by("position")
        .values_list("directive_id", "agency__abbreviation", "agency__name")
    ):
        leads[directive_id].append({"abbreviation": abbreviation, "name": name})
    base = request.build_absolute_uri(reverse("api:directive-list"))
    return JsonResponse(
        {
            "as_of": now,
            "today": today,
            "total": totals.pop("total"),
            "by_status": {value: totals.pop(value) for value in Status.values},
            **totals,
            "agencies": agencies,
            "next_deadlines": [
                {
                    "id": u["id"],
                    "url": f"{base}{u['id']}/",
                    "order": u["order_number"],
                    "ref": u["ref"],
                    "title": u["title"],
                    "lead_agencies": leads[u["id"]],
                    "due_on": u["due_on"],
                    "due_weekday": WEEKDAYS[u["due_on"].weekday()],
                    "days_remaining": max(0, (u["due_on"] - today).days),
                }
                for u in upcoming
            ],
        }
    )


urlpatterns = [
    path("baseline/directives/", directives),
    path("baseline/summary/", summary),
    path("", include("orderctl.urls")),
]
