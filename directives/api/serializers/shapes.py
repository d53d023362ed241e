"""Pieces of the directive's representation shared by the serializers: the weekday names, the
directive's URL and an agency list, each without a URL reverse or a nested serializer per row; and
the whole directive, field by field, without DRF's per-field machinery (``DIRECTIVE_FIELDS``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from directives.models import Directive, EvidenceFile, Order

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# A page of 100 directives builds 100 URLs and 200 agency lists. These two helpers do it without a URL
# reverse or a nested serializer per row: a third of the list's time in DRF (docs/benchmarks.md).


def directive_url(context: dict[str, Any], directive: Directive) -> str:
    """Return the absolute URL of ``directive``, reversing the list's URL once per request."""
    base = context.get("_directive_list_url")
    if base is None:
        base = context["_directive_list_url"] = context["request"].build_absolute_uri(
            reverse("api:directive-list")
        )
    return f"{base}{directive.pk}/"


def agency_refs(agencies: list[Agency]) -> list[dict[str, str]]:
    """Return ``agencies`` as ``AgencyRefSerializer`` shows them."""
    return [{"abbreviation": agency.abbreviation, "name": agency.name} for agency in agencies]


# --- A directive as the API returns it, built directly ---------------------------------------------------
#
# DRF turns a model into a dict field by field: it resolves each field's source, checks for a callable
# and for None, then calls the field's ``to_representation``. For a page of 100 directives with 34 fields
# that machinery was most of the list's Python time (docs/benchmarks.md). ``DIRECTIVE_FIELDS`` does the
# same work with one plain function per field; ``DirectiveSerializer`` declares the fields (the schema)
# and builds its answer from this table, and ``tests/api/test_representation.py`` holds the two equal
# for directives of every shape.


def instant(value: dt.datetime | None, context: dict[str, Any]) -> str | None:
    """Return ``value`` as DRF's ``DateTimeField`` writes it, or None.

    In the current time zone (the API's is UTC: ``agencies.middleware``), ISO 8601, "Z" for +00:00.
    The zone is read once per request: DRF asks for it again for every instant.
    """
    if value is None:
        return None
    zone = context.get("_zone")
    if zone is None:
        zone = context["_zone"] = timezone.get_current_timezone()
    text = value.astimezone(zone).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def day(value: dt.date | None) -> str | None:
    """Return ``value`` as DRF's ``DateField`` writes it (ISO 8601), or None."""
    return value.isoformat() if value else None


def choice(value: str | None) -> str | None:
    """Return a choice's value as DRF's ``ChoiceField`` writes it (a plain string), or None."""
    return value if value in ("", None) else str(value)


def evidence_file(file: EvidenceFile, context: dict[str, Any]) -> dict[str, Any]:
    """Return ``file`` as ``EvidenceSerializer`` shows it."""
    path = reverse("api:directive-evidence-download", args=[file.directive_id, file.pk])
    uploaded_by = file.uploaded_by
    return {
        "id": file.pk,
        "name": file.name,
        "content_type": file.content_type,
        "size": file.size,
        "sha256": file.sha256,
        "download_url": context["request"].build_absolute_uri(path),
        "uploaded_by": None if uploaded_by is None else uploaded_by.username,
        "event": file.event_id,
        "created": instant(file.created, context),
    }


def _now(context: dict[str, Any]) -> dt.datetime:
    now: dt.datetime = context["now"]
    return now


# Columns a list's query may annotate onto each directive instead of loading its order, parent and series
# as model instances: the annotation's name -> the subquery that reads the related column (a
# subquery, not a join: a COUNT(*) or an id query that does not select it leaves it out). Each finds
# one row by its primary key, so it is unordered: the models' default orderings would join the orders
# table and sort, per directive, to pick the one row there is.
RELATIVE_REFS = {
    "api_order_number": Subquery(
        Order.objects.filter(pk=OuterRef("order_id")).order_by().values("number")[:1]
    ),
    "api_parent_ref": Subquery(
        Directive.objects.filter(pk=OuterRef("parent_id")).order_by().values("ref")[:1]
    ),
    "api_series_ref": Subquery(
        Directive.objects.filter(pk=OuterRef("series_id")).order_by().values("ref")[:1]
    ),
}


def order_number(directive: Directive) -> int:
    """Return the number of the directive's order, from the row's annotation when the query made one."""
    row = directive.__dict__
    if "api_order_number" in row:  # not row.get(...): the default would load the order
        number: int = row["api_order_number"]
        return number
    return directive.order.number


def parent_ref(directive: Directive) -> str | None:
    """Return the ref of the directive's parent, or None; from the row's annotation when there is one."""
    row = directive.__dict__
    if "api_parent_ref" in row:
        ref: str | None = row["api_parent_ref"]
        return ref
    return None if directive.parent is None else directive.parent.ref


def series_ref(directive: Directive) -> str | None:
    """Return the ref of the directive's series, or None; from the row's annotation when there is one."""
    row = directive.__dict__
    if "api_series_ref" in row:
        ref: str | None = row["api_series_ref"]
        return ref
    return None if directive.series is None else directive.series.ref


Shape = Callable[[Directive, dict[str, Any]], Any]

# Each field of DirectiveSerializer.Meta.fields: the directive and the serializer's context -> its value.
DIRECTIVE_FIELDS: dict[str, Shape] = {
    "id": lambda d, c: d.pk,
    "url": lambda d, c: directive_url(c, d),
    "order": lambda d, c: order_number(d),
    "ref": lambda d, c: d.ref,
    "title": lambda d, c: d.title,
    "summary": lambda d, c: d.summary,
    "parent": lambda d, c: parent_ref(d),
    "children": lambda d, c: [part.ref for part in d.parts],
    "series": lambda d, c: series_ref(d),
    "occurrence": lambda d, c: d.occurrence,
    "lead_agencies": lambda d, c: agency_refs(d.lead_agencies),
    "consulted_agencies": lambda d, c: agency_refs(d.consulted_agencies),
    "deadline": lambda d, c: d.deadline,
    "original_due_on": lambda d, c: day(d.original_due_on),
    "due_on": lambda d, c: day(d.due_on),
    "due_weekday": lambda d, c: WEEKDAYS[d.due_on.weekday()] if d.due_on else None,
    "status": lambda d, c: choice(d.status),
    "status_changed_at": lambda d, c: instant(d.status_changed_at, c),
    "is_overdue": lambda d, c: d.is_overdue(_now(c)),
    "days_overdue": lambda d, c: d.days_overdue(_now(c)),
    "days_remaining": lambda d, c: d.days_remaining(_now(c)),
    "overdue_flagged_at": lambda d, c: instant(d.overdue_flagged_at, c),
    "forecast_on": lambda d, c: day(d.forecast_on),
    "completed_on": lambda d, c: day(d.completed_on),
    "outcome": lambda d, c: choice(d.outcome),
    "days_late": lambda d, c: d.days_late,
    "status_reason": lambda d, c: d.status_reason,
    "review": lambda d, c: choice(d.review),
    "reviewed_at": lambda d, c: instant(d.reviewed_at, c),
    "verified_outcome": lambda d, c: choice(d.verified_outcome),
    "completion_recorded_on": lambda d, c: day(d.completion_recorded_on),
    "completion_flag": lambda d, c: d.completion_flag,
    "evidence": lambda d, c: [evidence_file(file, c) for file in d.evidence],
    "updated_at": lambda d, c: instant(d.updated_at, c),
}
