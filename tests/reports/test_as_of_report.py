"""The as-of report: an order's requirements graded by section on a chosen date, replayed from the
history (not today's rows), on a page, in CSV and as a PDF brief read back as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from agencies import roles
from directives import actions, deadlines
from directives.models import Directive, Review, Status
from directives.publishing import reports

from .as_of import _url, at, row


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
        Status.PARTIALLY_COMPLETE: reports.Grade.PARTIALLY,
        Status.COMPLETED: reports.Grade.FULLY,
        Status.NOT_APPLICABLE: reports.Grade.NOT_APPLICABLE,
        Status.RESCINDED: reports.Grade.NOT_APPLICABLE,
    }
    assert set(reports.GRADE_OF_STATUS) == set(Status)
    assert {r.basis for r in reports.build(order, order.signed_on).rows} == {"claimed"}


def test_partially_complete_is_partially_and_not_applicable_shows_its_reason(order, directive, cisa_editor):
    with at(dt.date(2026, 7, 1)):
        actions.change_status(directive("2(c)(i)"), Status.PARTIALLY_COMPLETE, actor=cisa_editor)
        actions.change_status(
            directive("2(c)(ii)"), Status.NOT_APPLICABLE, actor=cisa_editor, note="No HVA systems remain."
        )
    report = reports.build(order, dt.date(2026, 7, 1))
    part, na = row(report, "2(c)(i)"), row(report, "2(c)(ii)")
    assert (part.grade, part.status_label, part.reason) == (reports.Grade.PARTIALLY, "Partially complete", "")
    assert (na.grade, na.status_label, na.reason) == (
        reports.Grade.NOT_APPLICABLE,
        "Not applicable",
        "No HVA systems remain.",
    )
    assert row(reports.build(order, dt.date(2026, 6, 30)), "2(c)(ii)").reason == ""


# --- The review axis, replayed as of the date ---------------------------------------------------------


@pytest.fixture
def reviewed(directive, cisa_editor, reviewer):
    """2(c)(i): completed Jul 1, verified Jul 10, reopened Aug 3, completed again Aug 5 (unreviewed).
    2(c)(ii): completed Jul 1, disputed Jul 10. 2(d) is untouched: not started, claimed."""
    with at(dt.date(2026, 7, 1)):
        actions.change_status(directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor)
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
    with at(dt.date(2026, 7, 10)):
        actions.review(directive("2(c)(i)"), Review.VERIFIED, actor=reviewer, note="BOD 26-01 is out.")
        actions.review(directive("2(c)(ii)"), Review.DISPUTED, actor=reviewer, note="Two agencies missing.")
    with at(dt.date(2026, 8, 3)):
        actions.change_status(directive("2(c)(i)"), Status.IN_PROGRESS, actor=cisa_editor, note="Reopened.")
    with at(dt.date(2026, 8, 5)):
        actions.change_status(directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor)


def test_a_claim_is_claimed_before_its_review_and_verified_from_that_day(order, reviewed):
    before = reports.build(order, dt.date(2026, 7, 9))
    assert (row(before, "2(c)(i)").grade, row(before, "2(c)(i)").basis) == (reports.Grade.FULLY, "claimed")
    assert row(before, "2(c)(ii)").basis == "claimed"
    assert before.verified_totals()[reports.Grade.FULLY] == 0

    after = reports.build(order, dt.date(2026, 7, 10))
    assert (row(after, "2(c)(i)").grade, row(after, "2(c)(i)").basis) == (reports.Grade.FULLY, "verified")
    assert (row(after, "2(c)(ii)").grade, row(after, "2(c)(ii)").basis) == (reports.Grade.FULLY, "disputed")
    assert row(after, "2(d)").basis == "claimed"
    assert after.totals()[reports.Grade.FULLY] == 2
    assert after.verified_totals() == {**dict.fromkeys(reports.Grade, 0), reports.Grade.FULLY: 1}
    assert after.summary().startswith("fully complete 2 (verified 1), partially complete 0 (verified 0), ")


def test_a_later_status_change_resets_the_review_from_its_day(order, directive, reviewed):
    # Today 2(c)(i) is completed again and unreviewed; as of Jul 10 the report still says verified.
    assert directive("2(c)(i)").review == Review.UNREVIEWED
    assert row(reports.build(order, dt.date(2026, 7, 31)), "2(c)(i)").basis == "verified"
    reopened = row(reports.build(order, dt.date(2026, 8, 3)), "2(c)(i)")
    assert (reopened.grade, reopened.basis) == (reports.Grade.NOT_COMPLETE, "claimed")
    again = reports.build(order, dt.date(2026, 8, 5))
    assert (row(again, "2(c)(i)").grade, row(again, "2(c)(i)").basis) == (reports.Grade.FULLY, "claimed")
    assert again.verified_totals()[reports.Grade.FULLY] == 0
    assert row(again, "2(c)(ii)").basis == "disputed"  # its claim did not change


def test_no_evidence_found_is_said_in_words(order, directive, cisa_editor, reviewer):
    with at(dt.date(2026, 7, 1)):
        actions.change_status(
            directive("2(c)(ii)"), Status.NOT_APPLICABLE, actor=cisa_editor, note="Handled by OMB."
        )
    with at(dt.date(2026, 7, 2)):
        actions.review(directive("2(c)(ii)"), Review.NO_EVIDENCE_FOUND, actor=reviewer, note="No memo.")
    found = row(reports.build(order, dt.date(2026, 7, 2)), "2(c)(ii)")
    assert (found.grade, found.reason, found.basis) == (
        reports.Grade.NOT_APPLICABLE,
        "Handled by OMB.",
        "no evidence found",
    )


# --- Page, CSV and PDF ---------------------------------------------------------------------------------


def test_the_page_shows_the_table_as_of_the_chosen_date(client, reviewer, order, timeline):
    client.force_login(reviewer)
    html = client.get(_url("order_report", "2026-07-02")).content.decode()
    assert "Status of its requirements as of Thu 2026-07-02" in html
    assert (
        '<th scope="col">Fully complete</th>' in html and '<th scope="col">Verified or claimed</th>' in html
    )
    assert html.count('<td data-basis="unreviewed">claimed</td>') == len(
        reports.build(order, dt.date(2026, 7, 2)).rows
    )
    assert 'href="/orders/14409/report.pdf?as_of=2026-07-02"' in html
    # 2(c)(i): completed, due and due originally in the pages' one format, ISO in the machine attribute.
    assert '<td><time datetime="2026-07-01">Wed 2026-07-01</time></td>' in html
    assert '<td data-due="effective"><time datetime="2026-07-02">Thu 2026-07-02</time></td>' in html
    total = len(reports.build(order, dt.date(2026, 7, 2)).rows)
    assert (
        f'<tr><th scope="row">All</th><td>1 (verified 0)</td><td>0 (verified 0)</td>'
        f"<td>{total - 1} (verified 0)</td><td>0 (verified 0)</td><td>{total}</td></tr>" in html
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
        "original_due_on": "2026-07-02",
        "due_on": "2026-07-02",
        "days_late": "0",
        "grade": "Fully complete",
        "verified_or_claimed": "claimed",
        "reason": "",
        "completion_flag": "",
        "extensions": "",
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
    assert "2(c)(i)" in flat and "Wed 2026-07-01" in flat and "claimed" in flat
    assert "Signed Tue 2026-06-02." in flat


def test_the_page_csv_and_pdf_say_verified_disputed_and_the_verified_totals(
    client, reviewer, order, reviewed
):
    client.force_login(reviewer)
    html = client.get(_url("order_report", "2026-07-10")).content.decode()
    assert '<td data-basis="verified">verified</td>' in html
    assert '<td data-basis="disputed">disputed</td>' in html
    assert "In all: fully complete 2 (verified 1), partially complete 0 (verified 0)," in html
    assert '<tr><th scope="row">All</th><td>2 (verified 1)</td>' in html

    lines = list(
        csv.DictReader(io.StringIO(client.get(_url("order_report_csv", "2026-07-10")).content.decode()))
    )
    basis = {line["ref"]: line["verified_or_claimed"] for line in lines}
    assert (basis["2(c)(i)"], basis["2(c)(ii)"], basis["2(d)"]) == ("verified", "disputed", "claimed")
    later = client.get(_url("order_report_csv", "2026-08-05")).content.decode()
    assert {line["ref"]: line for line in csv.DictReader(io.StringIO(later))}["2(c)(i)"][
        "verified_or_claimed"
    ] == "claimed"

    pdf = client.get(_url("order_report_pdf", "2026-07-10")).content
    flat = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "In all: fully complete 2 (verified 1), partially complete 0 (verified 0)," in flat
    assert "verified" in flat.split("2(c)(i)", 1)[1].split("2(c)(ii)", 1)[0]
    assert "disputed" in flat.split("2(c)(ii)", 1)[1]


def test_the_csv_and_pdf_show_why_not_applicable(client, reviewer, order, directive, cisa_editor):
    with at(dt.date(2026, 7, 1)):
        actions.change_status(
            directive("2(c)(ii)"), Status.NOT_APPLICABLE, actor=cisa_editor, note="=No HVA systems remain."
        )
    client.force_login(reviewer)
    body = client.get(_url("order_report_csv", "2026-07-01")).content.decode()
    line = {r["ref"]: r for r in csv.DictReader(io.StringIO(body))}["2(c)(ii)"]
    assert (line["status"], line["grade"], line["reason"]) == (
        "not_applicable",
        "Not applicable",
        "'=No HVA systems remain.",  # a spreadsheet must not run it
    )
    html = client.get(_url("order_report", "2026-07-01")).content.decode()
    assert "<td>Not applicable: =No HVA systems remain.</td>" in html
    pdf = client.get(_url("order_report_pdf", "2026-07-01")).content
    flat = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Not applicable: =No HVA systems remain." in flat


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("yesterday", "Enter a date as YYYY-MM-DD, not 'yesterday'."),
        ("2026-02-30", "Enter a date as YYYY-MM-DD, not '2026-02-30'."),
        ("2026-06-01", "Executive Order 14409 was signed on Tue 2026-06-02: choose that date or later."),
        ("2026-12-01", "The record holds nothing after today (Mon 2026-11-30, Eastern time)."),
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


@pytest.fixture
def loaded_in_november(db):
    """EO 14409 (signed Jun 2, 2026) loaded only on Nov 30, 2026; 2(c)(i) completed Dec 1."""
    from directives.orderfile import parse_order_file
    from tests.conftest import ORDER_FILE

    with at(dt.date(2026, 11, 30)):
        order, _ = actions.load_order(parse_order_file(ORDER_FILE.read_text()))
    with at(dt.date(2026, 12, 1)):
        actions.change_status(Directive.objects.get(order=order, ref="2(c)(i)"), Status.COMPLETED, actor=None)
    return order


def test_a_report_from_the_signing_date_shows_every_requirement_though_loaded_later(loaded_in_november):
    order = loaded_in_november
    trackable = Directive.objects.filter(order=order).trackable().count()
    june = reports.build(order, dt.date(2026, 6, 10))
    assert (len(june.rows), june.not_yet_tracked) == (trackable, 0)
    assert {r.status for r in june.rows} == {Status.NOT_STARTED}
    assert (row(june, "2(c)(i)").due_on, row(june, "2(c)(i)").basis) == ("2026-07-02", "claimed")
    # From its first event on, the replayed state: completed Dec 1.
    assert row(reports.build(order, dt.date(2026, 12, 1)), "2(c)(i)").grade == reports.Grade.FULLY
    assert row(reports.build(order, dt.date(2026, 11, 30)), "2(c)(i)").grade == reports.Grade.NOT_COMPLETE


def test_a_report_before_the_signing_date_says_so(loaded_in_november):
    with pytest.raises(ValidationError) as exc:
        reports.parse_as_of("2026-06-01", loaded_in_november, dt.date(2026, 12, 5))
    assert exc.value.message_dict["as_of"] == [
        "Executive Order 14409 was signed on Tue 2026-06-02: choose that date or later."
    ]


def test_the_report_shows_original_and_effective_due_dates_and_days_late(
    client, reviewer, directive, admin_user
):
    with at(dt.date(2026, 6, 20)):
        actions.extend_deadline(
            directive("2(d)"), dt.date(2026, 7, 20), actor=admin_user, justification="Treasury asked."
        )
    order = directive("2(d)").order
    june = reports.build(order, dt.date(2026, 6, 30))
    assert (row(june, "2(d)").original_due_on, row(june, "2(d)").due_on) == ("2026-07-02", "2026-07-20")
    july = reports.build(order, dt.date(2026, 7, 25))
    assert (row(july, "2(d)").days_late, row(july, "2(b)").days_late) == (5, 23)
    client.force_login(reviewer)
    lines = list(
        csv.DictReader(io.StringIO(client.get(_url("order_report_csv", "2026-07-25")).content.decode()))
    )
    [line] = [x for x in lines if x["ref"] == "2(d)"]
    assert (line["original_due_on"], line["due_on"], line["days_late"]) == ("2026-07-02", "2026-07-20", "5")
    page = client.get(_url("order_report", "2026-06-30")).content.decode()
    assert "Original due date" in page and "Mon 2026-07-20</time> (extended)" in page


def test_the_pdf_says_when_it_was_generated_in_us_eastern_time_the_zone_named(client, reviewer, order):
    with time_machine.travel(dt.datetime(2026, 12, 7, 14, 5, tzinfo=dt.UTC), tick=False):
        client.force_login(reviewer)  # a session of that day
        response = client.get(_url("order_report_pdf", "2026-07-02"))
    assert response.status_code == 200
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert "Generated Mon 2026-12-07 09:05 EST (America/New_York)." in text
    assert "UTC" not in text


def test_the_readme_example_shows_every_requirement_of_an_order_loaded_months_after_its_signing(
    client, loaded_in_november
):
    # As a new user runs it: the order loaded long after it was signed (here Nov 30), the README's address.
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    [path] = set(re.findall(r"`(/orders/14409/report/\?as_of=\d{4}-\d\d-\d\d)`", readme))
    reviewer = get_user_model().objects.create_user("new-reviewer", "new@example.com", "pw")
    roles.grant_reviewer(reviewer, actor=None)
    with at(dt.date(2026, 12, 5)):
        client.force_login(reviewer)
        html = client.get(path).content.decode()
    trackable = Directive.objects.filter(order=loaded_in_november).trackable().count()
    assert "No requirement was tracked on that date." not in html
    rows = html.split("<h2>Requirements</h2>", 1)[1].split("</table>", 1)[0]
    assert rows.count('<th scope="row">') == trackable == 11


def test_a_completion_flagged_for_review_never_reads_completed_until_verified(
    client, reviewer, order, directive, cisa_editor
):
    # Recorded Nov 30 for Jul 1 (due Jul 2): 152 days after the date it claims, so flagged for review.
    with at(dt.date(2026, 11, 30)):
        actions.change_status(
            directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1)
        )
    flagged = row(reports.build(order, dt.date(2026, 11, 30)), "2(c)(i)")
    assert (flagged.status_label, flagged.grade, flagged.basis) == (
        "Completed, flagged for review",
        reports.Grade.FULLY,
        "claimed",
    )
    assert flagged.completion_flag.startswith("Completed Wed 2026-07-01, recorded Mon 2026-11-30: flagged")
    assert row(reports.build(order, dt.date(2026, 11, 29)), "2(c)(i)").completion_flag == ""

    with time_machine.travel(dt.datetime(2026, 11, 30, 15, tzinfo=deadlines.EASTERN), tick=False):
        client.force_login(reviewer)
        html = client.get(_url("order_report", "2026-11-30")).content.decode()
        body = client.get(_url("order_report_csv", "2026-11-30")).content.decode()
        pdf = client.get(_url("order_report_pdf", "2026-11-30")).content
    assert "<td>Completed, flagged for review <span" in html
    assert "Completed Wed 2026-07-01, recorded Mon 2026-11-30: flagged for review" in html
    line = {r["ref"]: r for r in csv.DictReader(io.StringIO(body))}["2(c)(i)"]
    assert line["completion_flag"] == flagged.completion_flag
    flat = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Completed, flagged for review (Completed Wed 2026-07-01, recorded Mon 2026-11-30" in flat

    # Once a reviewer verified it, it reads completed (the flag still said), counted as verified.
    with time_machine.travel(dt.datetime(2026, 11, 30, 16, tzinfo=deadlines.EASTERN), tick=False):
        actions.review(directive("2(c)(i)"), Review.VERIFIED, actor=reviewer, note="Charter dated Jul 1.")
    verified = row(reports.build(order, dt.date(2026, 11, 30)), "2(c)(i)")
    assert (verified.status_label, verified.basis) == ("Completed", "verified")
    assert verified.completion_flag == flagged.completion_flag
