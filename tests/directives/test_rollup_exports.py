"""Roll-ups in what leaves the tracker (issue 21, item 1): a parent whose last open part was extended is
not overdue on its own, long-passed deadline in the status export (``export_status``, the dashboard's
CSV and JSON downloads), in the public open data, nor in the as-of report (page and CSV).

EO 14409's 2(c) (its own 30 days: due Jul 2) has three parts; 2(c)(i) and (ii) are completed on Jul 1
and 2(c)(iii), the last open one, is extended to Dec 15. Today is Nov 30 (the suite's ``today``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from directives import actions
from directives.models import Status

EXTENDED_TO = dt.date(2026, 12, 15)


def _complete_the_first_two_parts(directive, cisa_editor) -> None:
    for ref in ("2(c)(i)", "2(c)(ii)"):
        actions.change_status(
            directive(ref), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1)
        )


@pytest.fixture
def extended(today, directive, cisa_editor, admin_user):
    _complete_the_first_two_parts(directive, cisa_editor)
    actions.extend_deadline(directive("2(c)(iii)"), EXTENDED_TO, actor=admin_user, justification="Funding.")


def _export_status(fmt: str) -> dict[str, dict]:
    out = io.StringIO()
    call_command("export_status", "--format", fmt, "--order", "14409", stdout=out)
    if fmt == "json":
        return {row["ref"]: row for row in json.loads(out.getvalue())}
    return {row["ref"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}


def test_before_the_extension_the_export_has_the_parent_overdue_through_its_part(
    today, directive, cisa_editor
):
    # The control: the same parent, its last open part not extended, is overdue since Jul 2 (151 days).
    _complete_the_first_two_parts(directive, cisa_editor)
    rows = _export_status("json")
    assert (rows["2(c)"]["is_overdue"], rows["2(c)"]["days_overdue"]) == (True, 151)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_status_has_the_parent_not_overdue_once_its_last_open_part_is_extended(extended, fmt):
    rows = _export_status(fmt)
    parent, part = rows["2(c)"], rows["2(c)(iii)"]
    if fmt == "json":
        assert (parent["due_on"], parent["is_overdue"], parent["days_overdue"]) == ("2026-07-02", False, 0)
        assert (part["due_on"], part["is_overdue"], part["days_overdue"]) == ("2026-12-15", False, 0)
    else:
        assert (parent["is_overdue"], parent["days_overdue"]) == ("false", "0")
        assert (part["due_on"], part["is_overdue"]) == ("2026-12-15", "false")


@pytest.mark.parametrize("path", ["/dashboard/export.json", "/dashboard/export.csv"])
def test_the_dashboard_downloads_have_the_parent_not_overdue(client, reviewer, extended, path):
    client.force_login(reviewer)
    response = client.get(path, {"order": "14409"})
    assert response.status_code == 200
    text = response.content.decode()
    rows = json.loads(text) if path.endswith("json") else list(csv.DictReader(io.StringIO(text)))
    parent = next(row for row in rows if row["ref"] == "2(c)")
    assert (str(parent["is_overdue"]).lower(), str(parent["days_overdue"])) == ("false", "0")


def test_open_data_counts_the_parent_through_its_extended_part_which_is_not_overdue(
    client, extended, order, admin_user
):
    actions.publish_order(order, actor=admin_user)
    body = json.loads(client.get("/open-data/orders/14409.json").content)
    rows = {row["ref"]: row for row in body["directives"]}
    assert "2(c)" not in rows  # a parent is not a row of its own: its parts are
    assert (rows["2(c)(iii)"]["due_on"], rows["2(c)(iii)"]["is_overdue"]) == ("2026-12-15", False)
    assert rows["2(c)(iii)"]["original_due_on"] == "2026-07-02"
    text = client.get("/open-data/orders/14409.csv").content.decode("utf-8-sig")
    csv_rows = {row["ref"]: row for row in csv.DictReader(io.StringIO(text))}
    assert "2(c)" not in csv_rows
    assert (csv_rows["2(c)(iii)"]["due_on"], csv_rows["2(c)(iii)"]["is_overdue"]) == ("2026-12-15", "false")


def test_the_as_of_report_has_no_late_row_for_the_parent_and_the_part_is_not_late(
    client, reviewer, extended, today
):
    client.force_login(reviewer)
    url = f"/orders/14409/report.csv?as_of={today.isoformat()}"
    rows = {row["ref"]: row for row in csv.DictReader(io.StringIO(client.get(url).content.decode()))}
    assert "2(c)" not in rows  # graded through its parts
    part = rows["2(c)(iii)"]
    assert (part["original_due_on"], part["due_on"], part["days_late"]) == ("2026-07-02", "2026-12-15", "0")
    assert {rows[ref]["days_late"] for ref in ("2(c)(i)", "2(c)(ii)")} == {"0"}
    page = client.get(f"/orders/14409/report/?as_of={today.isoformat()}").content.decode()
    assert '<th scope="row">2(c)</th>' not in page
    assert '<th scope="row">2(c)(iii)</th>' in page
