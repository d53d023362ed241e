"""The hand-written baseline the API is measured against: the same fields of the same rows, through
``values()`` and ``JsonResponse``, with the same token check, the same SQL shapes and no framework in
between. ``bench/api.py`` checks that each returns exactly what the API returns, field by field.

Mounted beside the project's URLs by ``bench/api.py`` (``ROOT_URLCONF = "bench.baseline"``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, reverse
from django.utils import timezone
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from directives import deadlines
from directives.models import (
    CLOSED_STATUSES,
    REVIEWABLE_STATUSES,
    Directive,
    EvidenceFile,
    Involvement,
    Review,
    Status,
)

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


class _Encoder(DjangoJSONEncoder):
    """Instants as DRF writes them (every microsecond, ``Z`` for UTC), so every field compares equal."""

    def default(self, o: object) -> object:
        if isinstance(o, dt.datetime):
            return o.isoformat().replace("+00:00", "Z")
        return super().default(o)


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, encoder=_Encoder, status=status)


def _own_overdue(status: str, due_at: dt.datetime | None, now: dt.datetime) -> bool:
    return due_at is not None and now >= due_at and status not in CLOSED_STATUSES


def _outcome(status: str, completed_on: dt.date | None, due_on: dt.date | None) -> str | None:
    if status != Status.COMPLETED or completed_on is None or due_on is None:
        return None
    return "on_time" if completed_on <= due_on else "late"


def directives(request: HttpRequest) -> JsonResponse:
    """A page of directives (``page``, ``page_size``) in the API's order, with all 34 of its fields.

    The same five queries as the API's list (count; the page's ids, then their rows joined to their
    order, parent and series; its involvements with their agencies; its parts; its evidence files),
    each through ``values()``.
    """
    if not _authenticated(request):
        return _json({"detail": ["Authentication credentials were not provided."]}, status=401)
    now = timezone.now()
    page = int(request.GET.get("page", "1"))
    size = int(request.GET.get("page_size", str(PAGE_SIZE)))
    queryset = Directive.objects.order_by("order_id", "position", "ref")
    count = queryset.count()
    # The page's ids first, then their rows, as the API pages (directives.queries.page_rows).
    page_ids = queryset.values("pk")[(page - 1) * size : page * size]
    rows = list(
        queryset.filter(pk__in=page_ids).values(
            "id", "ref", "title", "summary", "occurrence", "deadline", "original_due_on", "due_on", "due_at",
            "status", "status_changed_at", "overdue_flagged_at", "forecast_on", "completed_on",
            "status_reason", "review", "reviewed_at", "completion_recorded_on", "completion_flag",
            "updated_at",
            order_number=F("order__number"), parent_ref=F("parent__ref"), series_ref=F("series__ref"),
        )
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
    for parent_id, ref, status, due_at, part_due_on in (
        Directive.objects.filter(parent_id__in=ids)
        .order_by("position", "ref")
        .values_list("parent_id", "ref", "status", "due_at", "due_on")
    ):
        children[parent_id].append((ref, status, due_at, part_due_on))
    evidence: dict[int, list[dict]] = defaultdict(list)
    for file in (
        EvidenceFile.objects.filter(directive_id__in=ids)
        .order_by("created", "id")
        .values(
            "id", "directive_id", "name", "content_type", "size", "sha256", "event_id", "created",
            uploaded_by_name=F("uploaded_by__username"),
        )
    ):  # fmt: skip
        directive_id = file["directive_id"]
        download = reverse("api:directive-evidence-download", args=[directive_id, file["id"]])
        evidence[directive_id].append(
            {
                "id": file["id"],
                "name": file["name"],
                "content_type": file["content_type"],
                "size": file["size"],
                "sha256": file["sha256"],
                "download_url": request.build_absolute_uri(download),
                "uploaded_by": file["uploaded_by_name"],
                "event": file["event_id"],
                "created": file["created"],
            }
        )
    base = request.build_absolute_uri(reverse("api:directive-list"))
    results = []
    for row in rows:
        due_on, status = row["due_on"], row["status"]
        is_open = status not in CLOSED_STATUSES
        own_overdue = _own_overdue(status, row["due_at"], now)
        # As the model works them out: a parent's from its parts (the earliest open part's due date;
        # overdue when a part is), a directive with no parts from its own.
        parts = children[row["id"]]
        if parts:
            effective_due_on = min(
                (d for _, s, _, d in parts if s not in CLOSED_STATUSES and d is not None), default=None
            )
            overdue = any(_own_overdue(s, due_at, now) for _, s, due_at, _ in parts)
        else:
            effective_due_on, overdue = due_on, own_overdue
        if effective_due_on is None:
            days_overdue = None if is_open or due_on is None else 0
        else:
            days_overdue = deadlines.days_overdue(effective_due_on, now) if is_open else 0
        outcome = _outcome(status, row["completed_on"], due_on)
        results.append(
            {
                "id": row["id"],
                "url": f"{base}{row['id']}/",
                "order": row["order_number"],
                "ref": row["ref"],
                "title": row["title"],
                "summary": row["summary"],
                "parent": row["parent_ref"],
                "children": [part[0] for part in parts],
                "series": row["series_ref"],
                "occurrence": row["occurrence"],
                "lead_agencies": agencies[row["id"], Involvement.Role.LEAD],
                "consulted_agencies": agencies[row["id"], Involvement.Role.CONSULTED],
                "deadline": row["deadline"],
                "original_due_on": row["original_due_on"],
                "due_on": due_on,
                "due_weekday": WEEKDAYS[due_on.weekday()] if due_on else None,
                "status": status,
                "status_changed_at": row["status_changed_at"],
                "is_overdue": overdue,
                "days_overdue": days_overdue,
                "days_remaining": None
                if effective_due_on is None or not is_open or overdue
                else deadlines.days_remaining(effective_due_on, now),
                "overdue_flagged_at": row["overdue_flagged_at"],
                "forecast_on": row["forecast_on"],
                "completed_on": row["completed_on"],
                "outcome": outcome,
                "days_late": (row["completed_on"] - due_on).days if outcome == "late" else None,
                "status_reason": row["status_reason"],
                "review": row["review"],
                "reviewed_at": row["reviewed_at"],
                "verified_outcome": outcome if row["review"] == Review.VERIFIED else None,
                "completion_recorded_on": row["completion_recorded_on"],
                "completion_flag": row["completion_flag"],
                "evidence": evidence[row["id"]],
                "updated_at": row["updated_at"],
            }
        )
    pages = -(-count // size)
    link = f"{base}?page={{}}&page_size={size}"
    previous = None if page == 1 else (link.format(page - 1) if page > 2 else f"{base}?page_size={size}")
    return _json(
        {
            "count": count,
            "next": link.format(page + 1) if page < pages else None,
            "previous": previous,
            "results": results,
        }
    )


def summary(request: HttpRequest) -> JsonResponse:
    """The summary's numbers through ``aggregate()`` and ``values()``, in the app's SQL shapes.

    The trackable items as the app selects them (``NOT EXISTS`` a part: written as
    ``children__isnull=True`` PostgreSQL misplans it, and the baseline was 4x faster for it), the
    overdue test over them as the app writes it (their own deadline: they have no parts), the same
    aggregates, the same per-agency tally and the same next five deadlines with their lead agencies.
    """
    if not _authenticated(request):
        return _json({"detail": ["Authentication credentials were not provided."]}, status=401)
    now = timezone.now()
    today = deadlines.local_date(now)
    is_open = ~Q(status__in=sorted(CLOSED_STATUSES))
    overdue = Q(due_at__lte=now) & is_open
    upcoming = is_open & Q(due_at__gt=now)
    completed = Q(status=Status.COMPLETED)
    on_time = completed & Q(completed_on__lte=F("due_on"))
    late = completed & Q(completed_on__gt=F("due_on"))
    verified = Q(review=Review.VERIFIED)
    claims = Q(status__in=sorted(REVIEWABLE_STATUSES))
    parts = Directive.objects.filter(parent=OuterRef("pk"))
    directives = Directive.objects.order_by().exclude(Exists(parts))
    totals = directives.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue),
        due_within_7_days=Count("pk", filter=upcoming & Q(due_on__lte=today + dt.timedelta(days=7))),
        due_within_30_days=Count("pk", filter=upcoming & Q(due_on__lte=today + dt.timedelta(days=30))),
        completed_on_time=Count("pk", filter=on_time),
        completed_late=Count("pk", filter=late),
        verified_on_time=Count("pk", filter=on_time & verified),
        verified_late=Count("pk", filter=late & verified),
        claimed_complete=Count("pk", filter=completed),
        flagged=Count("pk", filter=completed & ~Q(completion_flag="")),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Status.values},
        **{f"review_{value}": Count("pk", filter=claims & Q(review=value)) for value in Review.values},
        **{f"complete_{value}": Count("pk", filter=completed & Q(review=value)) for value in Review.values},
    )
    agencies = list(
        directives.filter(involvements__role=Involvement.Role.LEAD)
        .values(abbreviation=F("involvements__agency__abbreviation"), name=F("involvements__agency__name"))
        .annotate(
            led=Count("pk"),
            open=Count("pk", filter=is_open),
            overdue=Count("pk", filter=overdue),
            completed_on_time=Count("pk", filter=on_time),
            completed_late=Count("pk", filter=late),
        )
        .order_by("abbreviation")
    )
    upcoming_rows = list(
        directives.filter(upcoming)
        .order_by("due_at", "order_id", "position", "ref")
        .values("id", "ref", "title", "due_on", order_number=F("order__number"))[:5]
    )
    leads: dict[int, list[dict]] = defaultdict(list)
    for directive_id, abbreviation, name in (
        Involvement.objects.filter(
            directive_id__in=[u["id"] for u in upcoming_rows], role=Involvement.Role.LEAD
        )
        .order_by("role", "position")
        .values_list("directive_id", "agency__abbreviation", "agency__name")
    ):
        leads[directive_id].append({"abbreviation": abbreviation, "name": name})
    base = request.build_absolute_uri(reverse("api:directive-list"))
    return _json(
        {
            "as_of": now,
            "today": today,
            "total": totals.pop("total"),
            "by_status": {value: totals.pop(f"status_{value}") for value in Status.values},
            "overdue": totals.pop("overdue"),
            "due_within_7_days": totals.pop("due_within_7_days"),
            "due_within_30_days": totals.pop("due_within_30_days"),
            "completed_on_time": totals.pop("completed_on_time"),
            "completed_late": totals.pop("completed_late"),
            "verified_on_time": totals.pop("verified_on_time"),
            "verified_late": totals.pop("verified_late"),
            "by_review": {value: totals.pop(f"review_{value}") for value in Review.values},
            "claimed_complete": totals.pop("claimed_complete"),
            **{value: totals.pop(f"complete_{value}") for value in Review.values},
            "flagged": totals.pop("flagged"),
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
                    "days_remaining": deadlines.days_remaining(u["due_on"], now),
                }
                for u in upcoming_rows
            ],
        }
    )


urlpatterns = [
    path("baseline/directives/", directives),
    path("baseline/summary/", summary),
    path("", include("orderctl.urls")),
]
