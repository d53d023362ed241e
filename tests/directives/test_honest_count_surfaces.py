"""One honest count (issue 21, item 4) where the other tests do not look: the dashboard's scorecard row
and ``summary/``'s agency entry, and the status export (``export_status``, the dashboard's download),
for a back-dated completion flagged for review: never counted on time on the agency's word, carried
with its flag, its verified outcome null until a reviewer verifies it.

2(c)(i) (CISA, due Jul 2) is recorded complete on Nov 30 (the suite's ``today``) for Jul 1: 152 days
after the date it claims, so flagged. Nothing else CISA leads is complete.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command

from directives import actions
from directives.models import Review, Status

FLAG_START = "Completed Wed 2026-07-01, recorded Mon 2026-11-30: flagged for review"


@pytest.fixture
def backdated(today, directive, cisa_editor):
    actions.change_status(
        directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1)
    )


def _scorecard_row(html: str, abbreviation: str) -> dict[str, str]:
    table = html.split('data-rows="scorecard"')[1].split("</tbody>")[0]
    [row] = [r for r in table.split("<tr") if f">{abbreviation}</abbr>" in r]
    return dict(re.findall(r'<td data-label="([^"]+)" class="[^"]*">(\d+)</td>', row))


def test_the_scorecard_and_summary_never_count_a_flagged_completion_on_time(
    client, reviewer, backdated, directive
):
    client.force_login(reviewer)
    cisa = _scorecard_row(client.get("/dashboard/").content.decode(), "CISA")
    assert (cisa["Completed on time"], cisa["Completed late"]) == ("0", "0")
    [api] = [a for a in client.get("/api/v1/summary/").json()["agencies"] if a["abbreviation"] == "CISA"]
    assert (api["completed_on_time"], api["completed_late"]) == (0, 0)

    actions.review(directive("2(c)(i)"), Review.VERIFIED, actor=reviewer, note="Charter dated Jul 1.")
    summary = client.get("/api/v1/summary/").json()
    # Verified, it counts on time as oversight's figure; the claimed on-time count still leaves it out.
    assert (summary["verified_on_time"], summary["completed_on_time"]) == (1, 0)


def _export_row(fmt: str) -> dict:
    out = io.StringIO()
    call_command("export_status", "--format", fmt, "--order", "14409", stdout=out)
    rows = json.loads(out.getvalue()) if fmt == "json" else list(csv.DictReader(io.StringIO(out.getvalue())))
    [row] = [r for r in rows if r["ref"] == "2(c)(i)"]
    return row


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_status_export_carries_the_flag_and_no_verified_outcome_until_verified(
    backdated, directive, reviewer, fmt
):
    row = _export_row(fmt)
    assert row["completion_flag"].startswith(FLAG_START)
    assert row["verified_outcome"] in (None, "")
    assert row["completion_recorded_on"] == "2026-11-30"
    actions.review(directive("2(c)(i)"), Review.VERIFIED, actor=reviewer, note="Charter dated Jul 1.")
    assert _export_row(fmt)["verified_outcome"] == "on_time"


def test_the_dashboard_download_carries_the_flag(client, reviewer, backdated):
    client.force_login(reviewer)
    rows = json.loads(client.get("/dashboard/export.json", {"order": "14409"}).content)
    [row] = [r for r in rows if r["ref"] == "2(c)(i)"]
    assert row["completion_flag"].startswith(FLAG_START) and row["verified_outcome"] is None
