"""`export_status`: every directive with exactly the documented keys, as JSON or CSV."""

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command

from directives.publishing.export import EXPORT_COLUMNS, to_csv

TODAY = dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)


def export(*args: str) -> str:
    out = io.StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("export_status", *args, stdout=out)
    return out.getvalue()


def test_json_lists_the_thirteen_directives_with_exactly_the_keys(order):
    rows = json.loads(export("--format", "json"))
    assert len(rows) == 13
    assert all(list(row) == list(EXPORT_COLUMNS) for row in rows)
    by_ref = {row["ref"]: row for row in rows}
    assert by_ref["3"]["lead_agencies"] == ["TREASURY", "NSA", "CISA"]
    assert by_ref["2(f)"] | {"title": None} == {
        "ref": "2(f)",
        "title": None,
        "lead_agencies": ["OPM"],
        "original_due_on": "2026-08-01",
        "due_on": "2026-08-01",
        "status": "not_started",
        "is_overdue": True,
        "days_overdue": 117,
        "completed_on": None,
        "outcome": None,
        "days_late": None,
        "forecast_on": None,
        "status_reason": "",
        "review": "unreviewed",
        "verified_outcome": None,
        "completion_recorded_on": None,
        "completion_flag": "",
    }
    assert (by_ref["4"]["due_on"], by_ref["4"]["is_overdue"], by_ref["4"]["days_overdue"]) == (
        None,
        False,
        None,
    )


def test_csv_has_a_header_and_a_row_per_directive(order):
    rows = list(csv.DictReader(io.StringIO(export("--format", "csv", "--order", "14409"))))
    assert len(rows) == 13
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert next(r for r in rows if r["ref"] == "3")["lead_agencies"] == "TREASURY;NSA;CISA"


def test_csv_neutralises_cells_a_spreadsheet_would_run():
    row = dict.fromkeys(EXPORT_COLUMNS, "") | {
        "title": '=HYPERLINK("http://evil")',
        "ref": "-1+2",
        "status": "@x",
    }
    parsed = next(csv.DictReader(io.StringIO(to_csv([row]))))
    assert parsed["title"].startswith("'=")
    assert parsed["ref"] == "'-1+2"
    assert parsed["status"] == "'@x"


@pytest.mark.django_db
def test_an_unknown_order_is_a_clear_error(order):
    with pytest.raises(CommandError, match="--order: no executive order 1 is loaded"):
        export("--order", "1")
