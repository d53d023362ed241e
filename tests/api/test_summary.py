"""GET /api/v1/summary/: the dashboards' numbers, for everything or one order or agency.

The numbers count the trackable items: EO 14409's 13 directives less the two parents (2(c) and Sec. 3),
whose status rolls up from their parts and which are counted through them.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directives import actions
from directives.models import Status

pytestmark = pytest.mark.django_db

JUNE_28_NOON = dt.datetime(2026, 6, 28, 16, 0, tzinfo=dt.UTC)  # four days before the 30-day deadline
JULY_10_NOON = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.UTC)  # 30-day deadlines passed, 60-day ahead


def summary(client, query: str = "") -> dict:
    response = client.get(f"/api/v1/summary/{query}")
    assert response.status_code == 200, response.json()
    return response.json()


def test_before_the_first_deadline_everything_is_due_soon(as_reviewer, order):
    with time_machine.travel(JUNE_28_NOON, tick=False):
        body = summary(as_reviewer)
    assert (body["as_of"], body["today"], body["total"]) == ("2026-06-28T16:00:00Z", "2026-06-28", 11)
    assert body["by_status"] == {
        "not_started": 11,
        "in_progress": 0,
        "blocked": 0,
        "partially_complete": 0,
        "completed": 0,
        "not_applicable": 0,
        "rescinded": 0,
    }
    # Due 2026-07-02: 2(a), 2(b), 2(c)(i), 2(c)(ii), 2(c)(iii), 2(d), 2(e); 2026-08-01 is 34 days away.
    assert (body["overdue"], body["due_within_7_days"], body["due_within_30_days"]) == (0, 7, 7)
    assert [d["ref"] for d in body["next_deadlines"]] == ["2(a)", "2(b)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)"]
    first = body["next_deadlines"][0]
    assert first == {
        "id": first["id"],
        "url": f"http://testserver/api/v1/directives/{first['id']}/",
        "order": 14409,
        "ref": "2(a)",
        "title": first["title"],
        "lead_agencies": [{"abbreviation": "CNSS", "name": "Committee on National Security Systems"}],
        "due_on": "2026-07-02",
        "due_weekday": "Thursday",
        "days_remaining": 4,
    }


def test_after_the_first_deadline(as_reviewer, directive, cisa_editor, treasury_editor):
    with time_machine.travel(JUNE_28_NOON, tick=False):
        actions.change_status(directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor)  # on time
    with time_machine.travel(JULY_10_NOON, tick=False):
        actions.change_status(directive("2(d)"), Status.COMPLETED, actor=treasury_editor)  # 8 days late
        actions.change_status(directive("3(a)"), Status.BLOCKED, actor=treasury_editor)
        body = summary(as_reviewer)
    # The parents 2(c) and 3 rolled up to in progress, and are not counted: their parts are.
    assert body["by_status"] == {
        "not_started": 8,
        "in_progress": 0,
        "blocked": 1,
        "partially_complete": 0,
        "completed": 2,
        "not_applicable": 0,
        "rescinded": 0,
    }
    # 2(a), 2(b), 2(c)(ii), 2(c)(iii), 2(e): 2(c)(i) and 2(d) are done.
    assert body["overdue"] == 5
    # Due 2026-08-01, 22 days on: 2(f), 3(a) (blocked, still open) and 3(b).
    assert (body["due_within_7_days"], body["due_within_30_days"]) == (0, 3)
    assert (body["completed_on_time"], body["completed_late"]) == (1, 1)
    assert [d["ref"] for d in body["next_deadlines"]] == ["2(f)", "3(a)", "3(b)"]
    assert body["next_deadlines"][0]["days_remaining"] == 22
    agencies = {a["abbreviation"]: a for a in body["agencies"]}
    assert agencies["CISA"] == {
        "abbreviation": "CISA",
        "name": "Cybersecurity and Infrastructure Security Agency",
        "led": 5,  # 2(c)(i), 2(c)(ii), 2(c)(iii); 3(a) and 3(b) jointly
        "open": 4,
        "overdue": 2,
        "completed_on_time": 1,
        "completed_late": 0,
    }
    assert {k: agencies["TREASURY"][k] for k in ("led", "open", "overdue", "completed_late")} == {
        "led": 3,  # 2(d); 3(a) and 3(b) jointly
        "open": 2,
        "overdue": 0,
        "completed_late": 1,
    }
    # Only lead agencies are tallied: ONCD is consulted on nine directives and leads none.
    assert "ONCD" not in agencies
    assert sorted(agencies) == ["CISA", "CNSS", "DOJ", "DOW", "NSA", "OMB", "OPM", "TREASURY"]


def test_the_next_deadlines_cost_no_query_each(as_reviewer, order):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            shown = len(summary(as_reviewer)["next_deadlines"])
        return shown, len(captured)

    summary(as_reviewer)  # the token's first use is recorded once
    with time_machine.travel(JUNE_28_NOON, tick=False):
        five = queries()
    with time_machine.travel(JULY_10_NOON, tick=False):
        three = queries()
    assert (five[0], three[0]) == (5, 3)
    assert five[1] == three[1]


def test_it_summarises_one_agency_with_its_components(as_reviewer, order):
    with time_machine.travel(JULY_10_NOON, tick=False):
        body = summary(as_reviewer, "?agency=dhs")
    assert body["total"] == 5  # CISA's: 2(c)(i), 2(c)(ii), 2(c)(iii), 3(a), 3(b)
    assert body["overdue"] == 3  # the three parts of 2(c)
    # A co-lead of the selected directives is tallied too, for those directives only.
    assert {a["abbreviation"]: a["led"] for a in body["agencies"]} == {"CISA": 5, "NSA": 2, "TREASURY": 2}


def test_it_summarises_one_order(as_reviewer, order):
    assert summary(as_reviewer, "?order=14409")["total"] == 11


@pytest.mark.parametrize(
    ("query", "field"),
    [("?agency=XYZ", "agency"), ("?order=1", "order"), ("?status=completed", "status"), ("?page=2", "page")],
)
def test_a_bad_parameter_is_a_400_that_names_it(as_reviewer, order, query, field):
    response = as_reviewer.get(f"/api/v1/summary/{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_every_persona_reads_the_summary(as_cisa, as_treasury, as_oncd, as_reviewer, as_read_only, as_admin):
    for client in (as_cisa, as_treasury, as_oncd, as_reviewer, as_read_only, as_admin):
        assert summary(client)["total"] == 11
