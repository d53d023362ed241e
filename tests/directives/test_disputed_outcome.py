"""One honest count (issue 21, item 4) for a completion a reviewer disputed that was never flagged: its
outcome is ``disputed`` (API, schema, exports, pages, chart), and no count takes it as completed on
time or late: not ``summary/``, its agency entry, the dashboard's tiles and scorecard, nor the chart.

2(c)(i) (CISA, due Thu Jul 2) is completed on Jul 1 and recorded that day: on time and not flagged.
A reviewer disputes it on the suite's ``today`` (Nov 30). Nothing else CISA leads is complete.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import time_machine

from directives import actions
from directives.models import Review, Status

from .test_honest_count_surfaces import _enum, _scorecard_row

JULY_1 = dt.datetime(2026, 7, 1, 16, 0, tzinfo=dt.UTC)
JULY_20 = dt.datetime(2026, 7, 20, 16, 0, tzinfo=dt.UTC)


def _complete(directive, editor, when: dt.datetime) -> None:
    """Complete 2(c)(i) on the day ``when`` falls on, recorded that same day: never flagged."""
    with time_machine.travel(when, tick=False):
        actions.change_status(directive("2(c)(i)"), Status.COMPLETED, actor=editor, completed_on=when.date())
    assert directive("2(c)(i)").completion_flag == ""


@pytest.fixture
def on_time(today, directive, cisa_editor):
    _complete(directive, cisa_editor, JULY_1)


@pytest.fixture
def disputed(on_time, directive, reviewer):
    actions.review(directive("2(c)(i)"), Review.DISPUTED, actor=reviewer, note="No charter on file.")


def _tile(html: str, name: str) -> int:
    return int(html.split(f'data-summary="{name}">')[1].split("<", 1)[0])


def _stacks(html: str) -> dict[str, int]:
    marker = '<script id="dashboard-charts" type="application/json">'
    series = json.loads(html.split(marker)[1].split("</script>")[0])["timeline"]["series"]
    return {s["key"]: sum(s["values"]) for s in series}


def _cisa(summary: dict) -> dict:
    [cisa] = [a for a in summary["agencies"] if a["abbreviation"] == "CISA"]
    return cisa


def test_an_unflagged_on_time_completion_counts_on_time_until_a_reviewer_disputes_it(
    client, reviewer, on_time, directive
):
    client.force_login(reviewer)
    summary = client.get("/api/v1/summary/").json()
    assert (summary["completed_on_time"], _cisa(summary)["completed_on_time"]) == (1, 1)

    actions.review(directive("2(c)(i)"), Review.DISPUTED, actor=reviewer, note="No charter on file.")
    summary = client.get("/api/v1/summary/").json()
    assert (summary["completed_on_time"], summary["completed_late"], summary["disputed"]) == (0, 0, 1)
    assert (_cisa(summary)["completed_on_time"], _cisa(summary)["completed_late"]) == (0, 0)


def test_the_dashboard_tiles_scorecard_and_chart_never_count_a_disputed_completion_on_time(
    client, reviewer, disputed
):
    client.force_login(reviewer)
    html = client.get("/dashboard/").content.decode()
    assert (_tile(html, "completed_on_time"), _tile(html, "completed_late"), _tile(html, "disputed")) == (
        0,
        0,
        1,
    )
    cisa = _scorecard_row(html, "CISA")
    assert (cisa["Completed on time"], cisa["Completed late"]) == ("0", "0")
    stacks = _stacks(html)
    assert (stacks["completed_on_time"], stacks["completed_late"], stacks["completed_flagged"]) == (0, 0, 0)
    assert stacks["completed_disputed"] == 1


def test_a_disputed_late_completion_is_not_counted_late_either(
    client, today, reviewer, cisa_editor, directive
):
    _complete(directive, cisa_editor, JULY_20)  # 18 days after Jul 2, recorded the same day
    client.force_login(reviewer)
    assert client.get("/api/v1/summary/").json()["completed_late"] == 1
    actions.review(directive("2(c)(i)"), Review.DISPUTED, actor=reviewer, note="Nothing was sent.")
    summary = client.get("/api/v1/summary/").json()
    assert (summary["completed_on_time"], summary["completed_late"], summary["disputed"]) == (0, 0, 1)
    stacks = _stacks(client.get("/dashboard/").content.decode())
    assert (stacks["completed_late"], stacks["completed_disputed"]) == (0, 1)
    body = client.get(f"/api/v1/directives/{directive('2(c)(i)').pk}/").json()
    assert (body["outcome"], body["days_late"], body["verified_outcome"]) == ("disputed", None, None)


def test_the_api_gives_a_disputed_completion_the_outcome_disputed(client, reviewer, disputed, directive):
    client.force_login(reviewer)
    body = client.get(f"/api/v1/directives/{directive('2(c)(i)').pk}/").json()
    assert (body["status"], body["review"]) == ("completed", "disputed")
    assert (body["outcome"], body["verified_outcome"], body["completion_flag"]) == ("disputed", None, "")


def test_the_api_schema_lists_disputed_as_an_outcome_but_not_as_a_verified_one(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["Directive"]["properties"]
    assert "disputed" in _enum(schema, fields["outcome"])
    assert "disputed" not in _enum(schema, fields["verified_outcome"])


@pytest.mark.parametrize("path", ["/dashboard/export.json", "/dashboard/export.csv"])
def test_the_dashboard_downloads_give_the_outcome_disputed(client, reviewer, disputed, path):
    client.force_login(reviewer)
    body = client.get(path, {"order": "14409"}).content.decode().lstrip("\ufeff")
    rows = json.loads(body) if path.endswith(".json") else list(csv.DictReader(io.StringIO(body)))
    [row] = [r for r in rows if r["ref"] == "2(c)(i)"]
    assert (row["outcome"], row["status"]) == ("disputed", "completion_disputed")


def test_the_directive_page_says_the_outcome_is_disputed(client, reviewer, disputed, directive):
    client.force_login(reviewer)
    page = client.get(f"/directives/{directive('2(c)(i)').pk}/").content.decode()
    assert "Completion disputed by a reviewer" in page
    assert "Completed on time" not in page
