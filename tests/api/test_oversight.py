"""The oversight loop through the API: reviews, extension requests and their decisions, the summary's
two axes, each with the happy path, the other persona's 403, anonymous 401 and bad input 400."""

from __future__ import annotations

import datetime as dt

import pytest

from directives import actions
from directives.models import Directive, DirectiveEvent, ExtensionRequest, Review, Status

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 7, 2)


def review_path(d: Directive) -> str:
    return f"/api/v1/directives/{d.pk}/reviews/"


def written() -> tuple[int, int, list]:
    return (
        DirectiveEvent.objects.count(),
        ExtensionRequest.objects.count(),
        list(Directive.objects.order_by("pk").values_list("review", "due_on", "status")),
    )


@pytest.fixture
def completed(today, directive, cisa_editor) -> Directive:
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 11, 27))
    return d


# --- Reviews ------------------------------------------------------------------------------------------


def test_a_reviewer_posts_a_review(completed, as_reviewer):
    response = as_reviewer.post(
        review_path(completed),
        {"review": "verified", "note": "BOD published.", "evidence": "https://www.cisa.gov/bod"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["event"]["kind"] == "verified"
    assert (body["directive"]["review"], body["directive"]["verified_outcome"]) == ("verified", "late")
    assert "ETag" in response.headers


@pytest.mark.parametrize("who", ["as_cisa", "as_treasury", "as_admin", "as_read_only"])
def test_a_non_reviewer_gets_a_403_and_nothing_is_written(request, who, completed):
    before = written()
    response = request.getfixturevalue(who).post(
        review_path(completed), {"review": "verified", "note": "Fine."}, format="json"
    )
    assert response.status_code == 403
    assert written() == before


def test_anonymous_gets_a_401(completed, anonymous):
    assert anonymous.post(review_path(completed), {}, format="json").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"note": "x"}, "review"),
        ({"review": "great", "note": "x"}, "review"),
        ({"review": "unreviewed", "note": "x"}, "review"),
        ({"review": "verified"}, "note"),
        ({"review": "verified", "note": "   "}, "note"),
        ({"review": "verified", "note": "x", "evidence": "javascript:alert(1)://"}, "evidence"),
        ({"review": "verified", "note": "x", "evidence": "x" * 501}, "evidence"),
        ({"review": "verified", "note": "x", "verdict": "y"}, "verdict"),
    ],
)
def test_bad_review_input_is_a_400_at_the_field(completed, as_reviewer, body, field):
    before = written()
    response = as_reviewer.post(review_path(completed), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert written() == before


def test_a_directive_shows_both_axes(completed, as_reviewer):
    body = as_reviewer.get(f"/api/v1/directives/{completed.pk}/").json()
    assert (body["status"], body["review"], body["completion_flag"], body["status_reason"]) == (
        "completed",
        "unreviewed",
        "",
        "",
    )
    assert body["completion_recorded_on"] == "2026-11-30"


def test_the_list_filters_by_review(completed, as_reviewer, reviewer):
    actions.review(completed, Review.DISPUTED, actor=reviewer, note="No BOD found.")
    body = as_reviewer.get("/api/v1/directives/?review=disputed").json()
    assert [d["ref"] for d in body["results"]] == ["2(c)(i)"]
    assert as_reviewer.get("/api/v1/directives/?review=nope").status_code == 400


def test_the_summary_says_claimed_and_verified(completed, as_reviewer, reviewer):
    actions.review(completed, Review.VERIFIED, actor=reviewer, note="Seen.")
    body = as_reviewer.get("/api/v1/summary/").json()
    assert (body["claimed_complete"], body["verified"], body["disputed"], body["unreviewed"]) == (1, 1, 0, 0)
    assert (body["completed_late"], body["verified_late"], body["verified_on_time"]) == (1, 1, 0)
    assert body["by_review"]["verified"] == 1


# --- Extension requests -------------------------------------------------------------------------------

NEW = "2027-01-15"


def ask(client, d: Directive, **overrides):
    body = {"directive": d.pk, "requested_due_on": NEW, "justification": "Procurement.", **overrides}
    return client.post("/api/v1/extension-requests/", body, format="json")


def test_the_lead_asks_lists_and_a_reviewer_approves(today, directive, as_treasury, as_reviewer):
    d = directive("2(d)")
    response = ask(as_treasury, d)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["state"], created["ref"], created["current_due_on"], created["requested_by"]) == (
        "pending",
        "2(d)",
        "2026-07-02",
        "treasury-editor",
    )
    pending = as_reviewer.get("/api/v1/extension-requests/?state=pending").json()
    assert [r["id"] for r in pending["results"]] == [created["id"]]
    decided = as_reviewer.post(
        f"/api/v1/extension-requests/{created['id']}/decision/", {"decision": "approve"}, format="json"
    )
    assert decided.status_code == 200, decided.json()
    assert (decided.json()["state"], decided.json()["decided_by"]) == ("approved", "reviewer")
    d.refresh_from_db()
    assert (d.original_due_on, d.due_on) == (DUE, dt.date(2027, 1, 15))


def test_a_reviewer_denies_with_a_reason(today, directive, as_treasury, as_reviewer):
    created = ask(as_treasury, directive("2(d)")).json()
    path = f"/api/v1/extension-requests/{created['id']}/decision/"
    before = written()
    refused = as_reviewer.post(path, {"decision": "deny"}, format="json")
    assert (refused.status_code, list(refused.json())) == (400, ["reason"])
    assert written() == before
    denied = as_reviewer.post(path, {"decision": "deny", "reason": "Not justified."}, format="json")
    assert (denied.status_code, denied.json()["decision_reason"]) == (200, "Not justified.")
    again = as_reviewer.post(path, {"decision": "approve"}, format="json")
    assert again.status_code == 400 and "already denied" in str(again.json())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"requested_due_on": "2026-07-02"}, "requested_due_on"),
        ({"requested_due_on": "2026-06-30"}, "requested_due_on"),
        ({"requested_due_on": "15/01/2027"}, "requested_due_on"),
        ({"justification": ""}, "justification"),
        ({"justification": "   "}, "justification"),
        ({"directive": 999999}, "directive"),
        ({"directive": "two"}, "directive"),
        ({"directive": 2**63}, "directive"),
        ({"deadline": NEW}, "deadline"),
    ],
)
def test_bad_extension_requests_are_a_400_at_the_field(today, directive, as_treasury, overrides, field):
    before = written()
    response = ask(as_treasury, directive("2(d)"), **overrides)
    assert response.status_code == 400
    assert field in response.json()
    assert written() == before


@pytest.mark.parametrize("who", ["as_cisa", "as_oncd", "as_reviewer", "as_outsider", "as_read_only"])
def test_only_the_lead_asks(request, who, today, directive):
    before = written()
    assert ask(request.getfixturevalue(who), directive("2(d)")).status_code == 403
    assert written() == before


@pytest.mark.parametrize("who", ["as_treasury", "as_cisa", "as_admin", "as_read_only"])
def test_only_reviewers_decide(request, who, today, directive, as_treasury):
    created = ask(as_treasury, directive("2(d)")).json()
    before = written()
    response = request.getfixturevalue(who).post(
        f"/api/v1/extension-requests/{created['id']}/decision/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 403
    assert written() == before


def test_a_second_pending_request_is_refused(today, directive, as_treasury):
    assert ask(as_treasury, directive("2(d)")).status_code == 201
    second = ask(as_treasury, directive("2(d)"), requested_due_on="2027-02-01")
    assert second.status_code == 400 and "already pending" in str(second.json())


def test_anonymous_is_told_to_sign_in(anonymous, order):
    assert anonymous.get("/api/v1/extension-requests/").status_code == 401
    assert anonymous.post("/api/v1/extension-requests/", {}, format="json").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [("state=maybe", "state"), ("directive=x", "directive"), ("directive=99999999999999999999", "directive")],
)
def test_a_bad_filter_is_a_400(as_reviewer, order, query, field):
    response = as_reviewer.get(f"/api/v1/extension-requests/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_the_schema_describes_the_new_endpoints(as_reviewer, order):
    schema = as_reviewer.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/directives/{id}/reviews/" in schema["paths"]
    assert "/api/v1/extension-requests/{id}/decision/" in schema["paths"]
    assert "verified_on_time" in schema["components"]["schemas"]["Summary"]["properties"]


def test_a_reviewer_token_cannot_verify_the_claim_it_recorded(today, directive, cisa_editor):
    from agencies.models import OversightReviewer

    from .conftest import token_client

    OversightReviewer.objects.create(user=cisa_editor)
    client = token_client(cisa_editor)
    d = directive("2(c)(i)")
    response = client.post(
        f"/api/v1/directives/{d.pk}/events/",
        {"status": "completed", "completed_on": "2026-07-01"},
        format="json",
    )
    assert response.status_code in (200, 201), response.json()
    before = written()
    response = client.post(review_path(d), {"review": "verified", "note": "Mine."}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == [
        "Separation of duties: you recorded 2(c)(i)'s current claim, so another reviewer reviews it."
    ]
    assert written() == before
