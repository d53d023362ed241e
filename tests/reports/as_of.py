"""What the as-of report's tests share: a clock at a day's noon Eastern, a row by ref, the report's URL."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from directives import deadlines
from directives.publishing import reports


def at(day: dt.date, hour: int = 12):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=deadlines.EASTERN), tick=False)


def row(report: reports.Report, ref: str) -> reports.ReportRow:
    [found] = [r for r in report.rows if r.ref == ref]
    return found


def _url(name: str, as_of: str | None = None) -> str:
    return reverse(name, args=[14409]) + (f"?as_of={as_of}" if as_of is not None else "")
