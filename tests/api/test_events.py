"""GET and POST /api/v1/directives/{id}/events/: the history, and updates through the actions layer,
by each persona, with bad input refused whole and stale writes refused with 412."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from directives import actions
from directives.models import Directive, DirectiveEvent, Status

pytestmark = pytest.mark.django_db

JULY_10_NOON = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _july_10():
    with time_machine.travel(JULY_10_NOON, tick=False):
        yield


def events_path(directive) -> str:
    return f"/api/v1/directives/{directive.pk}/events/"


def snapshot() -> tuple:
    """Return everything an update could write, to prove a refused one wrote nothing."""
    return (
        DirectiveEvent.objects.count(),
        list(
            Directive.objects.order_by("pk").values_list(
                "status", "completed_on", "forecast_on", "updated_at"
            )
        ),
    )


# --- Reading the history ------------------------------------------------------------------------------


def test_it_lists_the_history_newest_first(as_reviewer, directive, cisa_editor, oncd_editor):
    with time_machine.travel(JULY_10_NOON + dt.timedelta(hours=1), tick=False):
        actions.change_status(directive("2(c)(i)"), Status.IN_PROGRESS, actor=cisa_editor, note="Drafting.")
    with time_machine.travel(JULY_10_NOON + dt.timedelta(hours=2), tick=False):
        actions.add_note(directive("2(c)(i)"), "ONCD reviewed the draft.", actor=oncd_editor)
    body = as_reviewer.get(events_path(directive("2(c)(i)"))).json()
    assert body["count"] == 3
    newest, changed, created = body["results"]
    assert newest == {
        "id": newest["id"],
        "kind": "note",
        "old_status": "in_progress",
        "new_status": "in_progress",
        "note": "ONCD reviewed the draft.",
        "evidence_url": "",
        "actor": "oncd-editor",
        "agency": "ONCD",
        "created": "2026-07-10T18:00:00Z",
    }
    assert (changed["kind"], changed["old_status"], changed["new_status"]) == (
        "status_changed",
        "not_started",
        "in_progress",
    )
    assert (changed["actor"], changed["agency"]) == ("cisa-editor", "CISA")
    # The load is the system's: no actor, no agency, no old status.
    assert (created["kind"], created["actor"], created["agency"], created["old_status"]) == (
        "created",
        None,
        None,
        None,
    )


def test_the_history_of_an_unknown_directive_is_404(as_reviewer, order):
    assert as_reviewer.get("/api/v1/directives/999999/events/").status_code == 404
    assert (
        as_reviewer.post("/api/v1/directives/999999/events/", {"note": "x"}, format="json").status_code == 404
    )


# --- Updates by persona -------------------------------------------------------------------------------


def test_a_lead_agency_editor_changes_the_status(as_cisa, directive):
    response = as_cisa.post(
        events_path(directive("2(c)(i)")),
        {
            "status": "completed",
            "completed_on": "2026-07-01",
            "note": "BOD issued.",
            "evidence_url": "https://cisa.gov/bod",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert list(body) == ["event", "directive"]
    assert (
        body["event"]["kind"],
        body["event"]["new_status"],
        body["event"]["actor"],
        body["event"]["agency"],
    ) == (
        "status_changed",
        "completed",
        "cisa-editor",
        "CISA",
    )
    assert body["event"]["evidence_url"] == "https://cisa.gov/bod"
    d = directive("2(c)(i)")
    assert (d.status, d.completed_on) == (Status.COMPLETED, dt.date(2026, 7, 1))
    # Recorded Jul 10 for Jul 1, more than 7 days after: flagged for review, so not on time yet.
    assert (body["directive"]["status"], body["directive"]["outcome"], body["directive"]["is_overdue"]) == (
        "completed",
        "flagged",
        False,
    )
    assert response.headers["ETag"] == f'"{actions.version_of(d)}"'
    assert DirectiveEvent.objects.get(pk=body["event"]["id"]).note == "BOD issued."


def test_an_editor_of_the_parent_department_writes_for_its_component(as_dhs, directive):
    response = as_dhs.post(events_path(directive("2(c)(ii)")), {"status": "in_progress"}, format="json")
    assert response.status_code == 201
    assert response.json()["event"]["agency"] == "CISA"


def test_a_joint_lead_writes(as_treasury, directive):
    assert (
        as_treasury.post(events_path(directive("3(b)")), {"status": "blocked"}, format="json").status_code
        == 201
    )


def test_another_agencys_editor_gets_403_saying_why(as_treasury, directive):
    before = snapshot()
    response = as_treasury.post(events_path(directive("2(c)(i)")), {"status": "in_progress"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == [
        "Only editors of the lead (CISA) or consulted (OMB, NSC, ONCD) agencies can add a note to 2(c)(i)."
    ]
    assert snapshot() == before


def test_a_consulted_agencys_editor_adds_a_note(as_oncd, directive):
    response = as_oncd.post(
        events_path(directive("2(d)")),
        {"note": "ONCD concurs.", "evidence_url": "http://oncd.example/memo"},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["event"]["kind"], response.json()["event"]["agency"]) == ("note", "ONCD")
    assert directive("2(d)").status == Status.NOT_STARTED


def test_a_consulted_agencys_editor_cannot_change_the_status(as_oncd, directive):
    before = snapshot()
    response = as_oncd.post(
        events_path(directive("2(d)")), {"status": "completed", "note": "Done?"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": ["Only editors of the lead agency (TREASURY) can change the status of 2(d)."]
    }
    assert snapshot() == before


def test_a_consulted_agencys_editor_cannot_set_the_forecast(as_oncd, directive):
    response = as_oncd.post(events_path(directive("2(d)")), {"forecast_on": "2026-08-01"}, format="json")
    assert response.status_code == 403


def test_a_reviewer_reads_but_cannot_write(as_reviewer, directive):
    before = snapshot()
    response = as_reviewer.post(events_path(directive("2(d)")), {"note": "Looks late."}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": ["Oversight reviewers can read every directive but change none."]}
    assert snapshot() == before


def test_an_outsider_cannot_write(as_outsider, directive):
    assert (
        as_outsider.post(events_path(directive("2(d)")), {"note": "Hello."}, format="json").status_code == 403
    )


def test_a_read_only_token_cannot_write(as_read_only, directive):
    before = snapshot()
    response = as_read_only.post(events_path(directive("2(c)(i)")), {"note": "Hi."}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"][0].startswith("This API token is read-only")
    assert snapshot() == before


def test_an_admin_writes_anywhere(as_admin, directive):
    response = as_admin.post(events_path(directive("4")), {"status": "in_progress"}, format="json")
    assert response.status_code == 201
    assert (response.json()["event"]["actor"], response.json()["event"]["agency"]) == ("admin", None)


def test_anonymous_cannot_write(anonymous, directive):
    before = snapshot()
    assert anonymous.post(events_path(directive("4")), {"note": "Hi."}, format="json").status_code == 401
    assert snapshot() == before


def test_the_forecast_is_set_and_cleared(as_treasury, directive):
    path = events_path(directive("2(d)"))
    assert as_treasury.post(path, {"forecast_on": "2026-08-15"}, format="json").json()["directive"][
        "forecast_on"
    ] == ("2026-08-15")
    cleared = as_treasury.post(path, {"forecast_on": None}, format="json")
    assert cleared.status_code == 201
    assert cleared.json()["event"]["kind"] == "forecast_changed"
    assert directive("2(d)").forecast_on is None


# --- Bad input: 400, naming the field, nothing written ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"status": "done"}, "status", '"done" is not a valid choice.'),
        ({"status": "completed", "completed_on": "07/01/2026"}, "completed_on", "Date has wrong format."),
        ({"forecast_on": "2026-13-01"}, "forecast_on", "Date has wrong format."),
        (
            {"status": "completed", "completed_on": "2026-07-11"},
            "completed_on",
            "The completion date cannot be in the future",
        ),
        (
            {"status": "completed", "completed_on": "2026-06-01"},
            "completed_on",
            "The completion date cannot be before Executive Order 14409 was signed (Tue 2026-06-02).",
        ),
        (
            {"completed_on": "2026-07-01"},
            "completed_on",
            "A completion date goes only with the status completed.",
        ),
        (
            {"note": "See", "evidence_url": "ftp://files.example/x"},
            "evidence_url",
            "Enter a valid http:// or https:// link.",
        ),
        (
            {"note": "See", "evidence_url": "javascript:alert(1)"},
            "evidence_url",
            "Enter a valid http:// or https:// link.",
        ),
        (
            {"note": "See", "evidence_url": "https://" + "a" * 500},
            "evidence_url",
            "Ensure this field has no more than 500",
        ),
        ({"note": "x" * 4001}, "note", "Ensure this field has no more than 4000 characters."),
        ({"note": "Hi.", "assignee": "bob"}, "assignee", "Unknown field."),
        ({"status": "in_progress", "Status": "x"}, "Status", "Unknown field."),
        ({}, "non_field_errors", "Nothing to record"),
        ({"note": "   "}, "non_field_errors", "Nothing to record"),
        ({"status": "not_started"}, "status", "2(c)(i) is already not started."),
        (
            {"forecast_on": "2026-05-01"},
            "forecast_on",
            "The forecast cannot be before Executive Order 14409 was signed (Tue 2026-06-02).",
        ),
        ({"status": None}, "status", "This field may not be null."),
        ({"note": ["x"]}, "note", "Not a valid string."),
        (["note"], "non_field_errors", "Invalid data. Expected a dictionary, but got list."),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(as_cisa, directive, body, field, message):
    before = snapshot()
    response = as_cisa.post(events_path(directive("2(c)(i)")), body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert response.json()[field][0].startswith(message), response.json()
    assert snapshot() == before


def test_a_parent_rolls_up_and_cannot_be_set_directly(as_cisa, directive):
    before = snapshot()
    response = as_cisa.post(events_path(directive("2(c)")), {"status": "completed"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "status": ["2(c) rolls up from its parts; update 2(c)(i), 2(c)(ii), 2(c)(iii) instead."]
    }
    assert snapshot() == before


def test_malformed_json_is_a_400(as_cisa, directive):
    response = as_cisa.generic(
        "POST", events_path(directive("2(c)(i)")), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"][0].startswith("JSON parse error")


def test_only_json_is_accepted(as_cisa, directive):
    response = as_cisa.post(events_path(directive("2(c)(i)")), {"note": "form"}, format="multipart")
    assert response.status_code == 415
    assert list(response.json()) == ["detail"]


def test_all_errors_of_a_body_are_reported_together(as_cisa, directive):
    response = as_cisa.post(
        events_path(directive("2(c)(i)")), {"status": "done", "completed_on": "soon", "x": 1}, format="json"
    )
    assert response.status_code == 400
    assert sorted(response.json()) == ["completed_on", "status", "x"]


# --- Concurrency: ETag and If-Match -------------------------------------------------------------------


def test_a_stale_if_match_is_412_and_writes_nothing(as_cisa, as_dhs, directive):
    d = directive("2(c)(i)")
    etag = as_cisa.get(f"/api/v1/directives/{d.pk}/").headers["ETag"]
    # Someone else updates in between.
    assert as_dhs.post(events_path(d), {"status": "in_progress"}, format="json").status_code == 201
    before = snapshot()
    response = as_cisa.post(events_path(d), {"status": "blocked"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert "changed by someone else" in response.json()["detail"][0]
    assert response.headers["ETag"] == f'"{actions.version_of(directive("2(c)(i)"))}"' != etag
    assert snapshot() == before


def test_a_current_if_match_writes(as_cisa, directive):
    d = directive("2(c)(i)")
    etag = as_cisa.get(f"/api/v1/directives/{d.pk}/").headers["ETag"]
    first = as_cisa.post(events_path(d), {"status": "in_progress"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 201
    # The response's ETag is the one to send next time.
    second = as_cisa.post(
        events_path(d), {"status": "blocked"}, format="json", HTTP_IF_MATCH=first.headers["ETag"]
    )
    assert second.status_code == 201
    assert second.headers["ETag"] == as_cisa.get(f"/api/v1/directives/{d.pk}/").headers["ETag"]


@pytest.mark.parametrize(
    ("if_match", "status"),
    # W/: the same tag after a compressing proxy weakened it (etags.expected_version says why it matches).
    [
        ("*", 201),
        ('"nope", {current}', 201),
        ("W/{current}", 201),
        ('W/"nope"', 412),
        ('"nope"', 412),
        ("", 412),
    ],
)
def test_if_match_forms(as_cisa, directive, if_match, status):
    d = directive("2(c)(i)")
    current = as_cisa.get(f"/api/v1/directives/{d.pk}/").headers["ETag"]
    response = as_cisa.post(
        events_path(d), {"note": "Checked."}, format="json", HTTP_IF_MATCH=if_match.format(current=current)
    )
    assert response.status_code == status


@pytest.mark.parametrize("form", ["{current}", "W/{current}", '"other", {current}', "*"])
def test_if_none_match_with_the_current_tag_is_a_304_without_a_body(as_cisa, directive, form):
    d = directive("2(c)(i)")
    current = as_cisa.get(f"/api/v1/directives/{d.pk}/").headers["ETag"]
    response = as_cisa.get(f"/api/v1/directives/{d.pk}/", HTTP_IF_NONE_MATCH=form.format(current=current))
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == current


def test_if_none_match_with_an_old_tag_gets_the_directive_and_its_new_tag(as_cisa, directive):
    d = directive("2(c)(i)")
    old = as_cisa.get(f"/api/v1/directives/{d.pk}/").headers["ETag"]
    assert as_cisa.post(events_path(d), {"status": "in_progress"}, format="json").status_code == 201
    response = as_cisa.get(f"/api/v1/directives/{d.pk}/", HTTP_IF_NONE_MATCH=old)
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert response.headers["ETag"] != old


def test_a_note_is_not_lost_when_the_directive_changed_and_no_if_match_was_sent(as_cisa, as_oncd, directive):
    d = directive("2(c)(i)")
    as_cisa.post(events_path(d), {"status": "in_progress"}, format="json")
    assert as_oncd.post(events_path(d), {"note": "Late comment."}, format="json").status_code == 201
    assert json.loads(as_oncd.get(events_path(d)).content)["count"] == 3
