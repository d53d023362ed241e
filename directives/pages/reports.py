"""An order's report as of a date (``?as_of=YYYY-MM-DD``, default today): page, CSV and PDF brief.

A bad ``as_of`` (not a date, before the order was signed, after today) is a 400 naming the parameter.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from directives import deadlines
from directives.models import Order
from directives.notices import notify
from directives.publishing import brief, reports
from directives.queries import request_now


def _report(request: HttpRequest, number: int) -> tuple[Order, reports.Report | None, str | None, dt.date]:
    order = get_object_or_404(Order, number=number)
    today = deadlines.local_date(request_now(request))
    try:
        as_of = reports.parse_as_of(request.GET.get("as_of"), order, today)
    except ValidationError as error:
        return order, None, " ".join(error.message_dict["as_of"]), today
    return order, reports.build(order, as_of), None, today


def _refused(message: str) -> HttpResponse:
    return HttpResponse(f"as_of: {message}\n", status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_safe
def order_report(request: HttpRequest, number: int) -> HttpResponse:
    """Show the order's requirements graded by section as of the chosen date."""
    order, report, error, today = _report(request, number)
    context = {
        "order": order,
        "report": report,
        "error": error,
        "today": today,
        "as_of": request.GET.get("as_of", "") if error else (report.as_of.isoformat() if report else ""),
        "grades": list(reports.Grade),
    }
    return render(request, "directives/order_report.html", context, status=400 if error else 200)


@login_required
@require_safe
def order_report_csv(request: HttpRequest, number: int) -> HttpResponse:
    """Return the report as CSV, one requirement a line."""
    order, report, error, _ = _report(request, number)
    if report is None:
        return _refused(error or "")
    response = HttpResponse(reports.csv_text(report), content_type="text/csv; charset=utf-8")
    name = f"eo-{order.number}-as-of-{report.as_of.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_safe
def order_report_pdf(request: HttpRequest, number: int) -> HttpResponse:
    """Return the report as a PDF brief."""
    order, report, error, _ = _report(request, number)
    if report is None:
        return _refused(error or "")
    # The time it was generated as the report's dates are read: US Eastern, the zone named.
    body = brief.pdf_bytes(report, generated=notify.local_time(request_now(request), "America/New_York"))
    response = HttpResponse(body, content_type="application/pdf")
    name = f"eo-{order.number}-as-of-{report.as_of.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
