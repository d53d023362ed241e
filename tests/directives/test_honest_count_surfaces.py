"""One honest count (issue 21, item 4) where the other tests do not look: the dashboard's scorecard row
and ``summary/``'s agency entry, and the status export (``export_status``, the dashboard's download),
for a back-dated completion flagged for review: never counted on time on the agency's word, carried
with its flag, its outcome ``flagged`` (never ``on_time``) and its verified outcome null until a
reviewer verifies it; then ``on_time`` in the rows and in the counts alike.

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
    assert client.get("/api/v1/summary/").json()["verified_on_time"] == 1


def test_once_verified_a_flagged_completion_counts_on_time_in_the_summary_and_scorecard_as_its_outcome_says(
    client, reviewer, backdated, directive
):
    client.force_login(reviewer)
    actions.review(directive("2(c)(i)"), Review.VERIFIED, actor=reviewer, note="Charter dated Jul 1.")
    summary = client.get("/api/v1/summary/").json()
    assert (summary["verified_on_time"], summary["completed_on_time"]) == (1, 1)
    cisa = _scorecard_row(client.get("/dashboard/").content.decode(), "CISA")
    assert (cisa["Completed on time"], cisa["Completed late"]) == ("1", "0")


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


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_status_export_gives_a_flagged_unverified_completion_the_outcome_flagged_not_on_time(
    backdated, directive, reviewer, fmt
):
    assert _export_row(fmt)["outcome"] == "flagged"
    actions.review(directive("2(c)(i)"), Review.VERIFIED, actor=reviewer, note="Charter dated Jul 1.")
    row = _export_row(fmt)
    # Verified, its dates decide; the flag stays, the record of why it was doubted.
    assert (row["outcome"], row["verified_outcome"]) == ("on_time", "on_time")
    assert row["completion_flag"].startswith(FLAG_START)


def test_a_disputed_flagged_completion_is_disputed_and_never_reads_completed(backdated, directive, reviewer):
    actions.review(directive("2(c)(i)"), Review.DISPUTED, actor=reviewer, note="No charter on file.")
    row = _export_row("json")
    # The reviewer's word settles the flag's doubt: disputed, neither on time nor flagged any more.
    assert (row["outcome"], row["status"], row["verified_outcome"]) == (
        "disputed",
        "completion_disputed",
        None,
    )
    assert row["completion_flag"].startswith(FLAG_START)


@pytest.mark.parametrize("verdict", [Review.VERIFIED, Review.DISPUTED])
def test_summary_counts_as_flagged_only_the_flagged_completions_still_awaiting_review(
    client, reviewer, backdated, directive, verdict
):
    client.force_login(reviewer)
    assert client.get("/api/v1/summary/").json()["flagged"] == 1
    actions.review(directive("2(c)(i)"), verdict, actor=reviewer, note="Reviewed.")
    summary = client.get("/api/v1/summary/").json()
    assert summary["flagged"] == 0
    html = client.get("/dashboard/").content.decode()
    assert 'data-summary="flagged"' not in html  # the dashboard's line shows only a count above zero
    marker = '<script id="dashboard-charts" type="application/json">'
    series = json.loads(html.split(marker)[1].split("</script>")[0])["timeline"]["series"]
    assert sum(next(s for s in series if s["key"] == "completed_flagged")["values"]) == 0


def test_a_late_completion_is_late_flagged_or_not(today, directive, cisa_editor):
    # 2(c)(i) is due Jul 2: completed Jul 20, recorded Nov 30, flagged, and late all the same.
    actions.change_status(
        directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 20)
    )
    row = _export_row("json")
    assert row["completion_flag"] != ""
    assert (row["outcome"], row["days_late"]) == ("late", 18)


@pytest.mark.parametrize("path", ["/dashboard/export.json", "/dashboard/export.csv"])
def test_the_dashboard_downloads_give_the_outcome_flagged(client, reviewer, backdated, path):
    client.force_login(reviewer)
    body = client.get(path, {"order": "14409"}).content.decode().lstrip("\ufeff")
    rows = json.loads(body) if path.endswith(".json") else list(csv.DictReader(io.StringIO(body)))
    [row] = [r for r in rows if r["ref"] == "2(c)(i)"]
    assert row["outcome"] == "flagged"


def test_the_api_gives_the_outcome_flagged_until_a_reviewer_verifies(client, reviewer, backdated, directive):
    client.force_login(reviewer)
    url = f"/api/v1/directives/{directive('2(c)(i)').pk}/"
    body = client.get(url).json()
    assert (body["outcome"], body["verified_outcome"]) == ("flagged", None)
    assert body["completion_flag"].startswith(FLAG_START)
    actions.review(directive("2(c)(i)"), Review.VERIFIED, actor=reviewer, note="Charter dated Jul 1.")
    body = client.get(url).json()
    assert (body["outcome"], body["verified_outcome"]) == ("on_time", "on_time")


def test_the_api_schema_lists_flagged_as_an_outcome_but_not_as_a_verified_one(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["Directive"]["properties"]
    assert set(_enum(schema, fields["outcome"])) == {"on_time", "late", "flagged", "disputed"}
    assert set(_enum(schema, fields["verified_outcome"])) == {"on_time", "late"}


def _enum(schema: dict, field: dict) -> list[str]:
    """Return a field's enum values, following the $refs drf-spectacular writes for choice fields."""
    values: list[str] = []
    for part in [field, *field.get("oneOf", []), *field.get("allOf", []), *field.get("anyOf", [])]:
        if "$ref" in part:
            part = schema["components"]["schemas"][part["$ref"].rsplit("/", 1)[1]]
        values += [v for v in part.get("enum", []) if v is not None]
    return values


def test_the_rows_outcomes_agree_with_the_summary_tiles_and_the_chart(client, reviewer, backdated, directive):
    client.force_login(reviewer)
    rows = json.loads(client.get("/dashboard/export.json").content)
    outcomes = [r["outcome"] for r in rows]
    summary = client.get("/api/v1/summary/").json()
    assert (outcomes.count("on_time"), outcomes.count("flagged")) == (0, 1)
    assert (summary["completed_on_time"], summary["completed_late"]) == (0, 0)
    html = client.get("/dashboard/").content.decode()
    marker = '<script id="dashboard-charts" type="application/json">'
    series = json.loads(html.split(marker)[1].split("</script>")[0])["timeline"]["series"]
    stacks = {s["key"]: sum(s["values"]) for s in series}
    assert (stacks["completed_on_time"], stacks["completed_flagged"]) == (0, 1)
    page = client.get(f"/directives/{directive('2(c)(i)').pk}/").content.decode()
    assert "Claimed on time, flagged for review" in page


def test_the_dashboard_download_carries_the_flag(client, reviewer, backdated):
    client.force_login(reviewer)
    rows = json.loads(client.get("/dashboard/export.json", {"order": "14409"}).content)
    [row] = [r for r in rows if r["ref"] == "2(c)(i)"]
    assert row["completion_flag"].startswith(FLAG_START) and row["verified_outcome"] is None
