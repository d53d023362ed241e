"""The status export shared by ``export_status``, the API and the dashboards."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from directives.models import Directive, DirectiveQuerySet
from directives.queries.public_status import public_status

EXPORT_COLUMNS = (
    "ref",
    "title",
    "lead_agencies",
    "original_due_on",
    "due_on",
    "status",
    "is_overdue",
    "days_overdue",
    "completed_on",
    # on_time, late, flagged (claimed on time but flagged for review, completion_flag says why, and not
    # verified by a reviewer: never counted on time), or disputed (a reviewer disputed the completion:
    # neither on time nor late) (``Directive.outcome``); empty until completed.
    "outcome",
    "days_late",
    "forecast_on",
    # The oversight loop (docs/oversight.md): the second axis, and the honest outcome.
    "status_reason",
    "review",
    "verified_outcome",  # on_time or late once a reviewer verified the completion; empty until then
    "completion_recorded_on",
    "completion_flag",
)

# A spreadsheet treats a cell that starts with one of these as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def status_rows(directives: DirectiveQuerySet, now: dt.datetime) -> list[dict[str, Any]]:
    """Return one dict per directive with exactly the ``EXPORT_COLUMNS`` keys."""
    rows = []
    for d in directives.with_agencies():
        rows.append(
            {
                "ref": d.ref,
                "title": d.title,
                "lead_agencies": [a.abbreviation for a in d.lead_agencies],
                "original_due_on": _iso(d.original_due_on),
                "due_on": _iso(d.due_on),
                # A completion oversight disputed or found no evidence for is never "completed".
                "status": public_status(d),
                "is_overdue": d.is_overdue(now),
                "days_overdue": d.days_overdue(now),
                "completed_on": _iso(d.completed_on),
                "outcome": d.outcome,
                "days_late": d.days_late,
                "forecast_on": _iso(d.forecast_on),
                "status_reason": d.status_reason,
                "review": d.review,
                "verified_outcome": d.verified_outcome,
                "completion_recorded_on": _iso(d.completion_recorded_on),
                "completion_flag": d.completion_flag,
            }
        )
    return rows


def csv_cell(value: object) -> str:
    """Return ``value`` as a CSV cell, neutralising what a spreadsheet would run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ";".join(value)
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        text = "'" + text
    return text


def to_csv(rows: list[dict[str, Any]], columns: tuple[str, ...] = EXPORT_COLUMNS) -> str:
    """Return ``rows`` as CSV, with cells that a spreadsheet would run as formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row[c]) for c in columns])
    return out.getvalue()


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, indent=2)


def directives_for_export(order_number: int | None = None) -> DirectiveQuerySet:
    qs = Directive.objects.all()
    if order_number is not None:
        qs = qs.filter(order__number=order_number)
    return qs
