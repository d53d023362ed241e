"""The dashboard's charts, refresh, cost and markup: the series agree with the tiles, a refresh swaps
the content alone, the queries do not grow with the rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
import time_machine
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directives import actions
from directives.models import Directive, Order, Status
from directives.pages.dashboard import FRAGMENT_HEADER
from directives.publishing.charts import (
    Standing,
    completion_history,
    deadline_timeline,
    history_anchor,
    standing_counts,
)
from directives.queries import summarize
from tests.api.test_directives import add_directives
from tests.pages.conftest import AUG_5

from .test_dashboard import DASHBOARD, EXPECTED_TILES, MID_JULY, get, overdue_refs, tiles

# --- Chart series -------------------------------------------------------------------------------------


def _series(timeline: dict) -> dict[str, list[int]]:
    return {s["key"]: s["values"] for s in timeline["series"]}


def embedded_charts(response) -> dict:
    html = response.content.decode()
    marker = '<script id="dashboard-charts" type="application/json">'
    return json.loads(html.split(marker)[1].split("</script>")[0])


def test_the_deadline_chart_counts_directives_by_due_date_and_standing(client, reviewer, reported):
    client.force_login(reviewer)
    timeline = embedded_charts(get(client, DASHBOARD))["timeline"]
    assert timeline["labels"] == ["Thu 2026-07-02", "Sat 2026-08-01", "No deadline"]
    # The trackable items: seven due on 07-02, 2(f), 3(a) and 3(b) on 08-01, and Sec. 4.
    assert timeline["totals"] == [7, 3, 1]
    assert _series(timeline) == {
        # 2(c)(i) claims 06-10, recorded 08-05: flagged, so not on time on the agency's word (the tiles too)
        "completed_on_time": [0, 0, 0],
        "completed_late": [0, 1, 0],  # 3(b)
        "completed_flagged": [1, 0, 0],
        "completed_disputed": [0, 0, 0],
        "rescinded": [0, 0, 0],
        "not_started": [0, 0, 1],  # Sec. 4 has no deadline, so it is never overdue
        "in_progress": [0, 0, 0],
        "blocked": [0, 0, 0],  # 2(d) is blocked, and overdue first
        "overdue": [6, 2, 0],
    }
    assert [s["label"] for s in timeline["series"]] == Standing.labels


def test_before_the_deadlines_open_directives_stand_by_their_status(directive, cisa_editor, treasury_editor):
    with time_machine.travel(MID_JULY - dt.timedelta(days=20), tick=False):
        actions.change_status(directive("2(c)(ii)"), Status.IN_PROGRESS, actor=cisa_editor)
        actions.change_status(directive("2(d)"), Status.BLOCKED, actor=treasury_editor)
        timeline = deadline_timeline(Directive.objects.all(), timezone.now())
    # 2026-06-20: nothing is due yet; the parent 2(c), in progress by its roll-up, is not counted.
    assert _series(timeline) == {
        "completed_on_time": [0, 0, 0],
        "completed_late": [0, 0, 0],
        "completed_flagged": [0, 0, 0],
        "completed_disputed": [0, 0, 0],
        "rescinded": [0, 0, 0],
        "not_started": [5, 3, 1],
        "in_progress": [1, 0, 0],
        "blocked": [1, 0, 0],
        "overdue": [0, 0, 0],
    }


def _directives_due(order, prefix: str, days: list[dt.date]) -> None:
    Directive.objects.bulk_create(
        Directive(order=order, ref=f"{prefix}{i}", position=100 + i, title=f"Extra {i}", due_on=day)
        for i, day in enumerate(days)
    )


def test_many_due_dates_are_grouped_by_week_then_by_month(order):
    _directives_due(order, "W", [dt.date(2026, 9, 1) + dt.timedelta(days=i) for i in range(30)])
    weekly = deadline_timeline(Directive.objects.all(), AUG_5)
    assert weekly["granularity"] == "week"
    assert weekly["labels"][:3] == [
        "Week of Mon 2026-06-29",
        "Week of Mon 2026-07-27",
        "Week of Mon 2026-08-31",
    ]
    assert weekly["labels"][-1] == "No deadline"
    assert sum(weekly["totals"]) == 11 + 30
    _directives_due(order, "M", [dt.date(2027, 1, 1) + dt.timedelta(weeks=i) for i in range(30)])
    monthly = deadline_timeline(Directive.objects.all(), AUG_5)
    assert monthly["granularity"] == "month"
    assert monthly["labels"][:3] == ["July 2026", "August 2026", "September 2026"]
    assert sum(monthly["totals"]) == 11 + 60


def test_the_history_chart_replays_completions_from_the_day_the_work_was_done(directive, cisa_editor):
    with time_machine.travel(MID_JULY, tick=False):
        actions.change_status(
            directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 6, 10)
        )
        history = completion_history(Directive.objects.all(), timezone.now())
    # Day by day from the signing, Tue 2026-06-02, to today; recorded on 2026-07-10, the completion
    # counts from 2026-06-10, the day the agency gave.
    assert history["granularity"] == "day"
    assert history["labels"][0] == "Tue 2026-06-02"
    assert history["labels"][-1] == "Fri 2026-07-10"
    assert len(history["labels"]) == 39
    completed = dict(zip(history["labels"], history["completed"], strict=True))
    assert completed["Tue 2026-06-09"] == 0
    assert completed["Wed 2026-06-10"] == 1
    assert completed["Fri 2026-07-10"] == 1
    assert [o + c for o, c in zip(history["open"], history["completed"], strict=True)] == [11] * 39


def test_the_history_chart_read_with_the_tiles_is_the_chart_read_on_its_own(directive, cisa_editor):
    with time_machine.travel(MID_JULY, tick=False):
        actions.change_status(
            directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 6, 10)
        )
        now = timezone.now()
        summary = summarize(Directive.objects.all(), now, extra=history_anchor())
    assert summary["extra"] == {
        "history_total": 11,
        "history_completed": 1,
        "history_start": dt.date(2026, 6, 2),
    }
    alone = completion_history(Directive.objects.all(), now)
    assert completion_history(Directive.objects.all(), now, summary["extra"]) == alone


def test_the_tiles_and_the_deadline_chart_read_together_are_those_read_apart(directive, cisa_editor):
    with time_machine.travel(MID_JULY, tick=False):
        actions.change_status(
            directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 6, 10)
        )
        now = timezone.now()
        apart = summarize(Directive.objects.all(), now)
        together = summarize(Directive.objects.all(), now, extra=standing_counts(now), by_due_on=True)
        timeline = deadline_timeline(Directive.objects.all(), now)
    rows = together.pop("by_due_on")
    # 2(a), 2(b), 2(c)(ii), 2(c)(iii), 2(d) and 2(e): their 30 days ran out on 2026-07-02.
    assert together.pop("extra")["overdue"] == apart["overdue"] == 6
    apart.pop("extra"), apart.pop("by_due_on")
    assert together == apart
    assert deadline_timeline(Directive.objects.all(), now, rows) == timeline
    with pytest.raises(ValueError, match="extra 'overdue' differs"):
        summarize(Directive.objects.all(), now, extra={"overdue": Count("pk")})


def test_the_history_chart_ends_at_the_tiles_numbers_and_counts_a_reopening(
    client, reviewer, reported, directive, cisa_editor
):
    with time_machine.travel(AUG_5 + dt.timedelta(days=1), tick=False):
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
    with time_machine.travel(AUG_5 + dt.timedelta(days=8), tick=False):
        actions.change_status(directive("2(c)(ii)"), Status.IN_PROGRESS, actor=cisa_editor)
        history = completion_history(Directive.objects.all(), timezone.now())
        client.force_login(reviewer)
        summary = client.get("/api/v1/summary/").json()
    # 72 days since the signing: one point a week, and today.
    assert history["granularity"] == "week"
    assert history["labels"][:2] == ["Tue 2026-06-02", "Tue 2026-06-09"]
    assert history["labels"][-2:] == ["Tue 2026-08-11", "Thu 2026-08-13"]
    assert history["completed"][-1] == summary["by_status"]["completed"] == 2
    assert history["open"][-1] == summary["total"] - 2
    completed = dict(zip(history["labels"], history["completed"], strict=True))
    # 2(c)(i) on 06-10, 3(b) on 08-04, and 2(c)(ii) from 08-06 until it was reopened on 08-13.
    assert [completed[f"Tue 2026-{day}"] for day in ("06-09", "06-16", "08-04", "08-11")] == [0, 1, 2, 3]


def test_the_history_chart_counts_trackable_directives_in_force_and_in_scope(
    directive, cisa_editor, treasury_editor
):
    with time_machine.travel(MID_JULY, tick=False):
        for ref, day in (("2(c)(i)", 10), ("2(c)(ii)", 11), ("2(c)(iii)", 12)):
            actions.change_status(
                directive(ref), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 6, day)
            )
        actions.change_status(
            directive("2(d)"), Status.COMPLETED, actor=treasury_editor, completed_on=dt.date(2026, 6, 15)
        )
        actions.change_status(directive("2(d)"), Status.IN_PROGRESS, actor=treasury_editor)
        # As a later order's revocation leaves it (directives/actions/changes.py): the chart reads the
        # directive's status, not how it got there.
        Directive.objects.filter(pk=directive("2(d)").pk).update(status=Status.RESCINDED)
        now = timezone.now()
        everything = completion_history(Directive.objects.all(), now)
        scoped = completion_history(Directive.objects.filter(ref__startswith="2(c)"), now)
    # Its three parts completed 2(c), which rolled up with an event of its own.
    parent = directive("2(c)")
    assert parent.status == Status.COMPLETED
    assert parent.events.filter(kind="status_changed", new_status=Status.COMPLETED).exists()
    completed = dict(zip(everything["labels"], everything["completed"], strict=True))
    days = ("Tue 2026-06-09", "Wed 2026-06-10", "Fri 2026-06-12", "Mon 2026-06-15", "Thu 2026-07-09")
    # The three parts, each from the day the agency gave; neither the parent's roll-up nor 2(d),
    # completed on 06-15 and reopened on 07-10 before a later order rescinded it.
    assert [completed[day] for day in days] == [0, 1, 3, 3, 3]
    # 11 trackable directives, 2(d) no longer in force.
    assert everything["open"][-1] + everything["completed"][-1] == 10
    assert everything["completed"][-1] == 3
    # Chosen by ref, the scope holds 2(c)'s three parts (2(c) itself has parts): all completed.
    assert (scoped["open"][-1], scoped["completed"][-1]) == (0, 3)
    assert dict(zip(scoped["labels"], scoped["completed"], strict=True))["Thu 2026-06-11"] == 2


def test_the_history_chart_of_an_empty_view_is_empty(db):
    history = completion_history(Directive.objects.none(), AUG_5)
    assert (history["labels"], history["open"], history["completed"]) == ([], [], [])


def test_the_page_renders_both_charts_numbers_as_tables(client, reviewer, reported):
    client.force_login(reviewer)
    response = get(client, DASHBOARD)
    html = response.content.decode()
    timeline = html.split('data-table="timeline"')[1].split("</tbody>")[0]
    assert re.sub(r"\s+", "", timeline).startswith(
        '><tr><thscope="row">Thu2026-07-02</th>'
        + "".join(f'<tdclass="dashboard-num">{n}</td>' for n in (0, 0, 1, 0, 0, 0, 0, 0, 6, 7))
    )
    history = html.split('data-table="history"')[1].split("</tbody>")[0]
    assert history.count("<tr>") == 11  # weekly from 2026-06-02, and today
    charts = embedded_charts(response)
    assert charts["timeline"]["totals"] == [7, 3, 1]
    assert charts["history"]["labels"][0] == "Tue 2026-06-02"
    assert charts["history"]["completed"][-1] == 2


def test_a_refresh_gets_the_content_alone_with_the_same_filters(client, reviewer, reported):
    client.force_login(reviewer)
    query = {"agency": "CISA", "order": "14409"}
    with time_machine.travel(AUG_5, tick=False):
        fragment = client.get(DASHBOARD, query, headers={FRAGMENT_HEADER: "content"})
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in html and "<form" not in html  # the content alone, no page around it
    assert '<div class="dashboard-content" id="dashboard-content"' in html
    assert 'data-updated="Updated 12:00 Eastern time, Wed 2026-08-05"' in html
    assert tiles(fragment) == EXPECTED_TILES[(("agency", "CISA"),)]
    assert overdue_refs(fragment) == ["2(c)(ii)", "2(c)(iii)", "3(a)"]
    assert embedded_charts(fragment)["timeline"]["totals"] == [3, 2]


def test_the_status_filter_takes_several_statuses(client, reviewer, reported):
    client.force_login(reviewer)
    page = get(client, DASHBOARD, status=["blocked", "not_started"])
    assert overdue_refs(page) == ["2(a)", "2(b)", "2(c)(ii)", "2(c)(iii)", "2(d)", "2(e)", "2(f)", "3(a)"]
    assert "(blocked or not started)" in page.content.decode()
    download = get(client, "/dashboard/export.csv", status=["blocked", "completed"]).content.decode()
    assert [r["ref"] for r in csv.DictReader(io.StringIO(download))] == ["2(c)(i)", "2(d)", "3(b)"]


# --- Cost and markup ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        DASHBOARD,
        f"{DASHBOARD}?order=14409&agency=DHS&status=not_started",
        "/dashboard/export.csv",
        "/dashboard/export.json?status=not_started",
    ],
)
def test_the_number_of_queries_is_the_same_for_13_and_1000_directives(client, reviewer, order, path):
    client.force_login(reviewer)
    client.get(DASHBOARD)  # warm the session and the content types

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
            assert client.get(path, headers={FRAGMENT_HEADER: "content"}).status_code == 200
        return len(captured)

    with time_machine.travel(AUG_5, tick=False):
        few = count()
        add_directives(order, 1000, prefix="B")
        many = count()
    assert Directive.objects.count() > 1000
    assert many == few


def test_its_only_scripts_are_files_and_its_data_is_json(client, reviewer, order):
    client.force_login(reviewer)
    html = client.get(DASHBOARD).content.decode()
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=|javascript:", html, re.IGNORECASE)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == [
        '<script id="dashboard-charts" type="application/json">',
        '<script src="/static/chartjs/chart.umd.min.js" defer>',
        '<script src="/static/js/dashboard.js" defer>',
        '<script src="/static/js/site.js" defer>',
    ]
    assert Order.objects.count() == 1
