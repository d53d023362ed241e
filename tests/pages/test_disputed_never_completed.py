"""Issue 21, item 4: a completion oversight disputed is never shown as "Completed": not on the pages'
status tags, not in the status export, not in the as-of report (open data: tests/integrations)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine

from directives import actions
from directives.models import Directive, Review, Status
from directives.publishing import reports

JULY_10 = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def disputed(order, cisa_editor, reviewer) -> Directive:
    d = Directive.objects.get(ref="2(c)(ii)")
    with time_machine.travel(JULY_10 - dt.timedelta(days=9), tick=False):
        actions.change_status(d, Status.COMPLETED, actor=cisa_editor)
    with time_machine.travel(JULY_10, tick=False):
        actions.review(d, Review.DISPUTED, actor=reviewer, note="No charter was attached.")
    return d


def status_tags(html: str) -> list[str]:
    return [
        part.split(">", 1)[1].split("<", 1)[0] for part in html.split('class="usa-tag orderctl-status ')[1:]
    ]


def test_the_pages_tag_a_disputed_completion_as_disputed(client, reviewer, disputed):
    client.force_login(reviewer)
    detail = client.get(f"/directives/{disputed.pk}/").content.decode()
    assert status_tags(detail)[0] == "Completion disputed"
    listed = client.get("/directives/?review=disputed").content.decode()
    assert status_tags(listed) == ["Completion disputed"]
    assert "orderctl-status--completed" not in listed


def test_the_status_export_says_completion_disputed_beside_the_review(client, reviewer, disputed):
    client.force_login(reviewer)
    with time_machine.travel(JULY_10, tick=False):
        body = client.get("/dashboard/export.csv").content.decode("utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["ref"] == "2(c)(ii)")
    assert (row["status"], row["review"]) == ("completion_disputed", "disputed")


def test_the_as_of_report_labels_a_disputed_completion_as_disputed(order, disputed):
    row = next(r for r in reports.build(order, dt.date(2026, 7, 10)).rows if r.ref == "2(c)(ii)")
    assert (row.status_label, row.basis) == ("Completion disputed by oversight", "disputed")
    before = next(r for r in reports.build(order, dt.date(2026, 7, 9)).rows if r.ref == "2(c)(ii)")
    assert before.status_label == "Completed"  # claimed, not reviewed yet on that day


def _report_csv_status(client, as_of: str) -> str:
    body = client.get("/orders/14409/report.csv", {"as_of": as_of}).content.decode("utf-8-sig")
    return next(r for r in csv.DictReader(io.StringIO(body)) if r["ref"] == "2(c)(ii)")["status"]


def test_the_as_of_report_csv_says_completion_disputed_as_its_page_does(client, reviewer, disputed, today):
    client.force_login(reviewer)
    assert _report_csv_status(client, "2026-07-10") == "completion_disputed"
    page = client.get("/orders/14409/report/", {"as_of": "2026-07-10"}).content.decode()
    assert "Completion disputed by oversight" in page
    # The day before the review, the claim stood unreviewed: completed, on the page and in the CSV.
    assert _report_csv_status(client, "2026-07-09") == "completed"
