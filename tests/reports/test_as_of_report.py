"""The as-of report: an order's requirements graded by section on a chosen date, replayed from the
history (not today's rows), on a page, in CSV and as a PDF brief read back as text."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from directives import actions, deadlines, reports
from directives.models import Directive, Status


def at(day: dt.date, hour: int = 12):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=deadlines.EASTERN), tick=False)


@pytest.fixture
def timeline(directive, cisa_editor):
    """2(c)(i): completed Jul 1, reopened Aug 3. 2(c)(ii): in progress from Jul 6, blocked Aug 4."""
    with at(dt.date(2026, 7, 1)):
        actions.change_status(directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor)
    with at(dt.date(2026, 7, 6)):
        actions.change_status(directive("2(c)(ii)"), Status.IN_PROGRESS, actor=cisa_editor)
    with at(dt.date(2026, 8, 3)):
        actions.change_status(directive("2(c)(i)"), Status.IN_PROGRESS, actor=cisa_editor, note="Reopened.")
    with at(dt.date(2026, 8, 4)):
        actions.change_status(directive("2(c)(ii)"), Status.BLOCKED, actor=cisa_editor)


def row(report: reports.Report, ref: str) -> reports.ReportRow:
    [found] = [r for r in report.rows if r.ref == ref]
    return found


def test_the_report_is_the_state_on_that_date_replayed_from_history(order, timeline):
    trackable = Directive.objects.filter(order=order).trackable().count()
    on_signing_day = reports.build(order, dt.date(2026, 6, 2))
    assert len(on_signing_day.rows) == trackable and on_signing_day.not_yet_tracked == 0
    assert reports.Grade.FULLY not in {r.grade for r in on_signing_day.rows}

    july = reports.build(order, dt.date(2026, 7, 2))
    assert (row(july, "2(c)(i)").grade, row(july, "2(c)(i)").completed_on) == (
        reports.Grade.FULLY,
        "2026-07-01",
    )
    assert row(july, "2(c)(ii)").status == Status.NOT_STARTED

    # Today the row says in progress; the report as of July still says what was claimed then.
    assert Directive.objects.get(order=order, ref="2(c)(i)").status == Status.IN_PROGRESS
    august = reports.build(order, dt.date(2026, 8, 3))
    assert (row(august, "2(c)(i)").grade, row(august, "2(c)(i)").status) == (
        reports.Grade.NOT_COMPLETE,
        Status.IN_PROGRESS,
    )
    assert row(august, "2(c)(ii)").status == Status.IN_PROGRESS  # blocked only the next day
    assert row(reports.build(order, dt.date(2026, 8, 4)), "2(c)(ii)").grade == reports.Grade.NOT_COMPLETE


def test_a_day_ends_at_midnight_eastern(order, directive, cisa_editor):
    # Completed at 11:30 pm Eastern on Jul 1 (Jul 2 in UTC): it counts on Jul 1.
    with time_machine.travel(dt.datetime(2026, 7, 1, 23, 30, tzinfo=deadlines.EASTERN), tick=False):
        actions.change_status(directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor)
    assert row(reports.build(order, dt.date(2026, 6, 30)), "2(c)(i)").grade == reports.Grade.NOT_COMPLETE
    assert row(reports.build(order, dt.date(2026, 7, 1)), "2(c)(i)").grade == reports.Grade.FULLY


def test_sections_count_each_grade(order, timeline):
    report = reports.build(order, dt.date(2026, 7, 2))
    sections = {section: (counts, total) for section, counts, total in report.sections()}
    counts, total = sections["2"]
    assert counts[reports.Grade.FULLY] == 1
    assert total == sum(1 for r in report.rows if r.section == "2")
    assert sum(report.totals().values()) == len(report.rows)


def test_statuses_map_to_gao_grades_and_everything_is_claimed_until_reviewed(order):
    assert reports.GRADE_OF_STATUS == {
        Status.NOT_STARTED: reports.Grade.NOT_COMPLETE,
        Status.IN_PROGRESS: reports.Grade.NOT_COMPLETE,
        Status.BLOCKED: reports.Grade.NOT_COMPLETE,
        Status.COMPLETED: reports.Grade.FULLY,
        Status.RESCINDED: reports.Grade.NOT_APPLICABLE,
    }
    assert {r.basis for r in reports.build(order, order.signed_on).rows} == {"claimed"}


# --- Page, CSV and PDF ---------------------------------------------------------------------------------


def _url(name: str, as_of: str | None = None) -> str:
    return reverse(name, args=[14409]) + (f"?as_of={as_of}" if as_of is not None else "")


def test_the_page_shows_the_table_as_of_the_chosen_date(client, reviewer, order, timeline):
    client.force_login(reviewer)
    html = client.get(_url("order_report", "2026-07-02")).content.decode()
    assert "Status of its requirements as of Thu 2026-07-02" in html
    assert (
        '<th scope="col">Fully complete</th>' in html and '<th scope="col">Verified or claimed</th>' in html
    )
    assert html.count("<td>claimed</td>") == len(reports.build(order, dt.date(2026, 7, 2)).rows)
    assert 'href="/orders/14409/report.pdf?as_of=2026-07-02"' in html
    total = len(reports.build(order, dt.date(2026, 7, 2)).rows)
    assert (
        f'<tr><th scope="row">All</th><td>1</td><td>0</td><td>{total - 1}</td><td>0</td><td>{total}</td></tr>'
        in html
    )


def test_the_page_defaults_to_today(client, reviewer, today):
    client.force_login(reviewer)
    html = client.get(_url("order_report")).content.decode()
    assert f'value="{today.isoformat()}"' in html
    assert f"as of {deadlines.weekday_date(today)}" in html


def test_the_csv_has_one_line_per_requirement(client, reviewer, timeline):
    client.force_login(reviewer)
    response = client.get(_url("order_report_csv", "2026-07-02"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="eo-14409-as-of-2026-07-02.csv"'
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    [first] = [line for line in lines if line["ref"] == "2(c)(i)"]
    assert first == {
        "order": "14409",
        "as_of": "2026-07-02",
        "section": "2",
        "ref": "2(c)(i)",
        "title": "Expedite and prioritize the cyber defense of civilian federal systems",
        "lead_agencies": "CISA",
        "status": "completed",
        "completed_on": "2026-07-01",
        "due_on": first["due_on"],
        "grade": "Fully complete",
        "verified_or_claimed": "claimed",
    }


def test_the_pdf_brief_reads_back_as_the_report(client, reviewer, timeline):
    client.force_login(reviewer)
    response = client.get(_url("order_report_pdf", "2026-07-02"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="eo-14409-as-of-2026-07-02.pdf"'
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert "Executive Order 14409: Promoting Advanced Artificial Intelligence Innovation and Security" in flat
    assert "as of Thu 2026-07-02" in flat
    assert "Grades by section" in flat and "Fully complete" in flat and "Verified or claimed" in flat
    assert "2(c)(i)" in flat and "2026-07-01" in flat and "claimed" in flat


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("yesterday", "Enter a date as YYYY-MM-DD, not 'yesterday'."),
        ("2026-02-30", "Enter a date as YYYY-MM-DD, not '2026-02-30'."),
        ("2026-06-01", "Executive Order 14409 was signed on 2026-06-02: choose that date or later."),
        ("2026-12-01", "The record holds nothing after today (2026-11-30, Eastern time)."),
    ],
)
def test_a_bad_as_of_is_a_400_naming_the_parameter(client, reviewer, today, as_of, message):
    client.force_login(reviewer)
    page = client.get(_url("order_report", as_of))
    assert page.status_code == 400
    assert message.replace("'", "&#x27;") in page.content.decode()
    for name in ("order_report_csv", "order_report_pdf"):
        response = client.get(_url(name, as_of))
        assert (response.status_code, response.content.decode()) == (400, f"as_of: {message}\n")


def test_an_unknown_order_is_a_404(client, reviewer, order):
    client.force_login(reviewer)
    assert client.get(reverse("order_report", args=[1])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, order):
    for name in ("order_report", "order_report_csv", "order_report_pdf"):
        response = client.get(_url(name, "2026-07-02"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
