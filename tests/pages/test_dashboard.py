"""The oversight dashboard without a browser: who may see it, its numbers against the API's, its filters,
its chart series, its exports, and a constant number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from directives import actions
from directives.models import Directive
from directives.orderfile import parse_order_file
from directives.pages.dashboard import OVERDUE_LIST_SIZE
from directives.publishing.export import EXPORT_COLUMNS
from tests.api.test_directives import add_directives
from tests.conftest import ORDER_FILE
from tests.pages.conftest import AUG_5

# Noon Eastern on Wed 2026-08-05: the 30-day deadlines (Thu 2026-07-02) passed 34 days ago, the 60-day
# ones (Sat 2026-08-01) 4 days ago.
MID_JULY = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.UTC)
DASHBOARD = "/dashboard/"
ROUTES = [DASHBOARD, "/dashboard/export.csv", "/dashboard/export.json"]


def get(client, path: str, **params):
    with time_machine.travel(AUG_5, tick=False):
        return client.get(path, params)


def tiles(response) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-summary="(\w+)">(\d+)<', response.content.decode())}


def overdue_refs(response) -> list[str]:
    table = response.content.decode().split('data-rows="overdue"')[1].split("</tbody>")[0]
    return re.findall(r'<a class="orderctl-ref" href="[^"]+">([^<]+)</a>', table)


def overdue_days(response) -> list[int]:
    table = response.content.decode().split('data-rows="overdue"')[1].split("</tbody>")[0]
    return [int(days) for days in re.findall(r'class="dashboard-days__value">(\d+)<', table)]


def scorecard(response) -> list[str]:
    table = response.content.decode().split('data-rows="scorecard"')[1].split("</tbody>")[0]
    return re.findall(r'<abbr title="[^"]+">([A-Z]+)</abbr></a>', table)


# --- Who may see it -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ROUTES)
def test_it_asks_anonymous_visitors_to_sign_in(client, order, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={path}"


@pytest.mark.parametrize(
    "persona",
    ["cisa_editor", "treasury_editor", "oncd_editor", "dhs_editor", "reviewer", "outsider", "admin_user"],
)
def test_every_signed_in_user_may_view_it_and_download_from_it(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for path in ROUTES:
        assert client.get(path).status_code == 200, path
    assert b'<h1 class="dashboard-title">Oversight dashboard</h1>' in client.get(DASHBOARD).content


def test_a_reviewer_starts_on_the_dashboard_and_the_menu_links_it(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/")["Location"] == DASHBOARD
    page = client.get(DASHBOARD).content.decode()
    assert f'<a class="orderctl-nav__link" href="{DASHBOARD}" aria-current="page">Dashboard</a>' in page


def test_it_changes_nothing_and_takes_no_post(client, reviewer):
    client.force_login(reviewer)
    for path in ROUTES:
        assert client.post(path).status_code == 405, path


# --- Its numbers are the API's ------------------------------------------------------------------------


# The trackable items on 2026-08-05 (2(c) and Sec. 3 count through their parts), counted by hand:
# 11 in all; 2(c)(i) on time by its date but flagged (so not counted on time), 3(b) late; overdue
# 2(a), 2(b), 2(c)(ii), 2(c)(iii), 2(d), 2(e), 2(f), 3(a).
# CISA leads 2(c)(i)-(iii) and, jointly, 3(a) and 3(b); TREASURY leads 2(d), 3(a) and 3(b).
def oversight(claimed: int, flagged: int) -> dict[str, int]:
    """Return the oversight loop's numbers when nothing is reviewed yet (docs/oversight.md).

    2(c)(i)'s completion (Jun 10) was recorded on Aug 5: flagged. The flag count shows only when there
    is one; the pending extension requests are the page's own (the API lists them elsewhere).
    """
    numbers = {
        "verified_on_time": 0, "verified_late": 0, "claimed_complete": claimed, "verified": 0, "disputed": 0,
        "no_evidence_found": 0, "unreviewed": claimed, "pending_extensions": 0,
    }  # fmt: skip
    return numbers | ({"flagged": flagged} if flagged else {})


EXPECTED_TILES = {
    (): {
        "total": 11,
        "completed_on_time": 0,  # 2(c)(i)'s is flagged: never on time on the agency's word alone
        "completed_late": 1,
        "overdue": 8,
        "due_within_30_days": 0,
        **oversight(claimed=2, flagged=1),
    },
    (("agency", "CISA"),): {
        "total": 5,
        "completed_on_time": 0,
        "completed_late": 1,
        "overdue": 3,
        "due_within_30_days": 0,
        **oversight(claimed=2, flagged=1),
    },
    (("agency", "TREASURY"), ("order", "14409")): {
        "total": 3,
        "completed_on_time": 0,
        "completed_late": 1,
        "overdue": 2,
        "due_within_30_days": 0,
        **oversight(claimed=1, flagged=0),
    },
}


@pytest.mark.parametrize("query", list(EXPECTED_TILES))
def test_the_tiles_are_the_summary_apis_numbers(client, reviewer, reported, query):
    client.force_login(reviewer)
    expected = EXPECTED_TILES[query]
    api = get(client, "/api/v1/summary/", **dict(query)).json()
    assert tiles(get(client, DASHBOARD, **dict(query))) == expected
    in_api = {key: value for key, value in expected.items() if key != "pending_extensions"}
    assert {key: api[key] for key in in_api} == in_api


def test_the_agency_filter_changes_the_numbers(client, reviewer, reported):
    client.force_login(reviewer)
    everything, cisa = tiles(get(client, DASHBOARD)), tiles(get(client, DASHBOARD, agency="CISA"))
    assert everything == EXPECTED_TILES[()]
    assert cisa == EXPECTED_TILES[(("agency", "CISA"),)]
    assert cisa != everything


def test_the_overdue_list_is_the_apis_most_overdue_first(client, reviewer, reported):
    client.force_login(reviewer)
    page = get(client, DASHBOARD)
    api = get(client, "/api/v1/directives/", overdue="true", ordering="-days_overdue").json()
    assert overdue_refs(page) == [d["ref"] for d in api["results"] if not d["children"]]
    # The trackable items only: a parent (2(c), Sec. 3) is not one more late item, its parts are.
    assert overdue_refs(page) == ["2(a)", "2(b)", "2(c)(ii)", "2(c)(iii)", "2(d)", "2(e)", "2(f)", "3(a)"]
    assert overdue_days(page) == [34] * 6 + [4] * 2
    html = page.content.decode()
    assert "Who is late: 8 overdue directives" in html
    assert '2(c)(ii)</a> <span class="text-base">of 2(c)</span>' in html
    pk = Directive.objects.get(ref="2(f)").pk
    assert f'<a class="orderctl-ref" href="/directives/{pk}/">2(f)</a>' in html
    assert '<abbr title="Office of Personnel Management">OPM</abbr>' in html


def test_the_overdue_list_stops_at_its_size_and_says_so(client, reviewer, order):
    # 27 parents of two parts each, due 2026-07-02 and led by CISA: 54 more trackable items overdue.
    add_directives(order, 3 * 27, prefix="X")
    client.force_login(reviewer)
    page = get(client, DASHBOARD)
    assert len(overdue_refs(page)) == OVERDUE_LIST_SIZE
    # Nothing of EO 14409 is completed here: its ten dated trackable items are overdue too.
    assert "Who is late: 64 overdue directives" in page.content.decode()
    assert re.search(r'<p class="dashboard-note">Only the 50 most overdue', page.content.decode())
    # The whole list is on All directives, page by page, most overdue first.
    link = re.search(r'<a href="([^"]+)" data-link="overdue-all">', page.content.decode())
    assert link is not None
    assert html.unescape(link.group(1)) == "/directives/?overdue=true&ordering=-days_overdue"


def test_the_overdue_list_is_sorted_by_due_date_then_in_the_orders_sequence(client, reviewer, order):
    add_directives(order, 3 * 27, prefix="X")
    client.force_login(reviewer)
    refs = overdue_refs(get(client, DASHBOARD))
    # All due on 2026-07-02, EO 14409's own first (its 30-day items), then the added ones in sequence.
    api = get(client, "/api/v1/directives/", overdue="true", ordering="-days_overdue", page_size=500).json()
    trackable = [d["ref"] for d in api["results"] if not d["children"]]
    assert refs == trackable[:OVERDUE_LIST_SIZE]


def test_with_nothing_overdue_it_says_so(client, reviewer, order):
    client.force_login(reviewer)
    with time_machine.travel(MID_JULY - dt.timedelta(days=20), tick=False):
        html = client.get(DASHBOARD).content.decode()
    assert '<p class="dashboard-empty">Nothing is overdue in this view.</p>' in html
    assert re.search(r'<table class="[^"]*dashboard-overdue" hidden>', html)


def test_the_scorecard_puts_the_worst_agency_first(client, reviewer, reported):
    client.force_login(reviewer)
    page = get(client, DASHBOARD)
    # CISA: 3 overdue; TREASURY: 2 (2(d), 3(a)); NSA 1 and one completed late (3(b)), then CNSS, DOW,
    # OMB and OPM with one each; DOJ leads only Sec. 4, which has no deadline.
    assert scorecard(page) == ["CISA", "TREASURY", "NSA", "CNSS", "DOW", "OMB", "OPM", "DOJ"]
    api = {a["abbreviation"]: a for a in get(client, "/api/v1/summary/").json()["agencies"]}
    assert (api["CISA"]["overdue"], api["TREASURY"]["overdue"], api["NSA"]["overdue"]) == (3, 2, 1)
    assert '<a href="/dashboard/?agency=CISA">' in page.content.decode()
    assert (
        '<a href="/dashboard/?order=14409&amp;agency=NSA">'
        in get(client, DASHBOARD, order="14409").content.decode()
    )


# --- Filters ------------------------------------------------------------------------------------------


def test_the_status_filter_narrows_the_lists_and_downloads_not_the_tiles(client, reviewer, reported):
    client.force_login(reviewer)
    page = get(client, DASHBOARD, status="blocked")
    assert tiles(page)["total"] == 11
    assert overdue_refs(page) == ["2(d)"]
    assert "Downloads list the 1 directive of this view (blocked)" in page.content.decode()
    rows = list(
        csv.DictReader(io.StringIO(get(client, "/dashboard/export.csv", status="blocked").content.decode()))
    )
    assert [r["ref"] for r in rows] == ["2(d)"]


def test_empty_filters_leave_the_address_so_a_bookmark_names_only_those_set(client, reviewer, order):
    client.force_login(reviewer)
    response = client.get(DASHBOARD, {"order": "", "agency": "CISA", "status": "", "utm": "x"})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/?agency=CISA"
    assert client.get(DASHBOARD, {"order": "", "agency": "", "status": ""})["Location"] == DASHBOARD
    page = client.get("/dashboard/?agency=CISA")
    assert page.status_code == 200
    assert '<option value="CISA" selected>' in page.content.decode()


def test_a_filter_it_does_not_understand_is_named_and_ignored(client, reviewer, reported):
    client.force_login(reviewer)
    page = get(client, DASHBOARD, agency="XYZ", status="blocked")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Some filters were not understood and are ignored" in html
    assert '<a href="#id_agency">Lead agency</a>: Unknown agency &#x27;XYZ&#x27;.' in html
    assert tiles(page)["total"] == 11
    assert overdue_refs(page) == ["2(d)"]  # the status it did understand still applies


@pytest.mark.parametrize("path", ROUTES[1:])
def test_a_download_with_a_filter_it_does_not_understand_is_refused_naming_it(client, reviewer, order, path):
    client.force_login(reviewer)
    response = client.get(path, {"agency": "XYZ", "status": "done"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "agency: Unknown agency 'XYZ'." in body
    assert "status" in body and "done is not one of the available choices" in body
    assert "Content-Disposition" not in response


# --- Exports ------------------------------------------------------------------------------------------


def test_the_csv_download_has_a_row_per_directive_with_export_statuss_columns(client, reviewer, reported):
    client.force_login(reviewer)
    response = get(client, "/dashboard/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="orderctl-status-2026-08-05.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert [r["ref"] for r in rows] == list(
        Directive.objects.order_by("position", "ref").values_list("ref", flat=True)
    )
    assert next(r for r in rows if r["ref"] == "3(b)") | {"title": ""} == {
        "ref": "3(b)",
        "title": "",
        "lead_agencies": "TREASURY;NSA;CISA",
        "original_due_on": "2026-08-01",
        "due_on": "2026-08-01",
        "status": "completed",
        "is_overdue": "false",
        "days_overdue": "0",
        "completed_on": "2026-08-04",
        "outcome": "late",
        "days_late": "3",
        "forecast_on": "",
        "status_reason": "",
        "review": "unreviewed",
        "verified_outcome": "",
        "completion_recorded_on": "2026-08-05",
        "completion_flag": "",
    }


def test_the_downloads_follow_the_filters(client, reviewer, reported):
    client.force_login(reviewer)
    response = get(client, "/dashboard/export.csv", agency="CISA", order="14409")
    assert (
        response["Content-Disposition"] == 'attachment; filename="orderctl-status-14409-cisa-2026-08-05.csv"'
    )
    refs = [r["ref"] for r in csv.DictReader(io.StringIO(response.content.decode()))]
    assert refs == ["2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "3", "3(a)", "3(b)"]
    page = get(client, DASHBOARD, agency="CISA", order="14409").content.decode()
    assert 'href="/dashboard/export.csv?order=14409&amp;agency=CISA" download>Download CSV</a>' in page


def test_the_json_download_lists_every_directive_with_export_statuss_columns(client, reviewer, reported):
    client.force_login(reviewer)
    response = get(client, "/dashboard/export.json")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="orderctl-status-2026-08-05.json"'
    downloaded = json.loads(response.content)
    assert len(downloaded) == 13  # every directive of the record, parents too
    assert all(list(row) == list(EXPORT_COLUMNS) for row in downloaded)
    by_ref = {row["ref"]: row for row in downloaded}
    assert by_ref["3(b)"] | {"title": ""} == {
        "ref": "3(b)",
        "title": "",
        "lead_agencies": ["TREASURY", "NSA", "CISA"],
        "original_due_on": "2026-08-01",
        "due_on": "2026-08-01",
        "status": "completed",
        "is_overdue": False,
        "days_overdue": 0,
        "completed_on": "2026-08-04",
        "outcome": "late",
        "days_late": 3,
        "forecast_on": None,
        "status_reason": "",
        "review": "unreviewed",
        "verified_outcome": None,
        "completion_recorded_on": "2026-08-05",
        "completion_flag": "",
    }
    d2d = by_ref["2(d)"]
    assert (d2d["status"], d2d["days_overdue"], d2d["is_overdue"]) == ("blocked", 34, True)
    sec4 = by_ref["4"]
    assert (sec4["due_on"], sec4["days_overdue"], sec4["is_overdue"]) == (None, None, False)
    out = io.StringIO()
    with time_machine.travel(AUG_5, tick=False):
        call_command("export_status", "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == downloaded  # the command writes the same file


def test_the_csv_download_neutralises_cells_a_spreadsheet_would_run(client, reviewer, order):
    text = ORDER_FILE.read_text().replace("number = 14409", "number = 99999", 1)
    text = text.replace(
        'title = "Prioritize the cyber defense of National Security Systems"',
        'title = "=HYPERLINK(\\"http://evil.example\\")"',
    )
    actions.load_order(parse_order_file(text))
    client.force_login(reviewer)
    rows = list(
        csv.DictReader(io.StringIO(get(client, "/dashboard/export.csv", order="99999").content.decode()))
    )
    assert len(rows) == 13
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil.example")'
