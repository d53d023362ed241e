"""The oversight loop on the pages: the review and extension forms on the directive page, the decision,
the dashboard's claimed/verified line and pending requests, and the export's columns."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from directives import actions
from directives.models import Directive, DirectiveEvent, ExtensionRequest, Review, Status

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def written() -> tuple[int, int, list]:
    return (
        DirectiveEvent.objects.count(),
        ExtensionRequest.objects.count(),
        list(Directive.objects.order_by("pk").values_list("review", "due_on", "status")),
    )


@pytest.fixture
def completed(today, directive, cisa_editor) -> Directive:
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 6, 10))
    return d


def test_the_page_shows_both_dates_of_a_flagged_completion(completed, reviewer):
    page = client_of(reviewer).get(f"/directives/{completed.pk}/").content.decode()
    assert "Flagged for review." in page
    assert "Completed Wed 2026-06-10, recorded Mon 2026-11-30" in page
    assert 'data-review="unreviewed"' in page
    assert "Review the agency's claim" in page  # the reviewer's form


def test_a_reviewer_verifies_through_the_page(completed, reviewer):
    client = client_of(reviewer)
    version = actions.version_of(Directive.objects.get(pk=completed.pk))
    response = client.post(
        f"/directives/{completed.pk}/",
        {
            "form": "review",
            "review-version": version,
            "review-review": "verified",
            "review-note": "Seen the BOD.",
        },
    )
    assert response.status_code == 302
    completed.refresh_from_db()
    assert completed.review == Review.VERIFIED
    page = client.get(f"/directives/{completed.pk}/").content.decode()
    assert 'data-review="verified"' in page and "Reviewed: verified" in page
    listed = client.get("/directives/").content.decode()
    assert listed.count("orderctl-review--verified") == 1  # the list shows both axes too
    assert "orderctl-review--verified" in client.get("/orders/14409/").content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"review-review": "verified", "review-note": ""}, "review-note"),
        ({"review-review": "approved", "review-note": "x"}, "review-review"),
        (
            {"review-review": "verified", "review-note": "x", "review-evidence": "ftp://x.gov/a"},
            "review-evidence",
        ),
    ],
)
def test_a_bad_review_is_shown_at_its_field_and_writes_nothing(completed, reviewer, data, field):
    before = written()
    response = client_of(reviewer).post(
        f"/directives/{completed.pk}/",
        {
            "form": "review",
            "review-version": actions.version_of(Directive.objects.get(pk=completed.pk)),
            **data,
        },
    )
    assert response.status_code == 400
    assert list(response.context["review_form"].errors) == [field.removeprefix("review-")]
    assert "Your review was not saved" in response.content.decode()
    assert written() == before


def test_an_editor_cannot_review_through_the_page(completed, cisa_editor):
    before = written()
    response = client_of(cisa_editor).post(
        f"/directives/{completed.pk}/",
        {"form": "review", "review-review": "verified", "review-note": "Mine."},
    )
    assert response.status_code == 403
    assert written() == before


def test_the_lead_asks_and_a_reviewer_decides_through_the_pages(today, directive, treasury_editor, reviewer):
    d = directive("2(d)")
    asked = client_of(treasury_editor).post(
        f"/directives/{d.pk}/",
        {
            "form": "extension",
            "extension-requested_due_on": "2027-01-15",
            "extension-justification": "Procurement.",
        },
    )
    assert asked.status_code == 302
    request = ExtensionRequest.objects.get()
    page = client_of(reviewer).get(f"/directives/{d.pk}/").content.decode()
    assert "Approve the extension" in page and "Procurement." in page
    dashboard = client_of(reviewer).get("/dashboard/").content.decode()
    assert 'data-summary="pending_extensions">1<' in dashboard
    decided = client_of(reviewer).post(
        f"/directives/{d.pk}/",
        {"form": "decision", "decision-request": request.pk, "decision-decision": "approve"},
    )
    assert decided.status_code == 302
    d.refresh_from_db()
    assert d.due_on == dt.date(2027, 1, 15)
    dashboard = client_of(reviewer).get("/dashboard/").content.decode()
    assert 'data-summary="pending_extensions">0<' in dashboard


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"extension-requested_due_on": "2026-07-01", "extension-justification": "x"}, "requested_due_on"),
        ({"extension-requested_due_on": "soon", "extension-justification": "x"}, "requested_due_on"),
        ({"extension-requested_due_on": "2027-01-15", "extension-justification": "  "}, "justification"),
    ],
)
def test_a_bad_extension_request_is_shown_at_its_field(today, directive, treasury_editor, data, field):
    d = directive("2(d)")
    before = written()
    response = client_of(treasury_editor).post(f"/directives/{d.pk}/", {"form": "extension", **data})
    assert response.status_code == 400
    assert field in response.context["extension_form"].errors
    assert written() == before


def test_a_denial_needs_a_reason_on_the_page(today, directive, treasury_editor, reviewer):
    d = directive("2(d)")
    request = actions.request_extension(
        d, dt.date(2027, 1, 15), actor=treasury_editor, justification="Procurement."
    )
    before = written()
    response = client_of(reviewer).post(
        f"/directives/{d.pk}/",
        {"form": "decision", "decision-request": request.pk, "decision-decision": "deny"},
    )
    assert response.status_code == 400
    assert "reason" in response.context["decision_form"].errors
    assert written() == before


def test_the_dashboard_says_claimed_complete_verified_disputed(today, directive, cisa_editor, reviewer):
    for ref, verdict in (("2(c)(i)", Review.VERIFIED), ("2(c)(ii)", Review.DISPUTED), ("2(c)(iii)", None)):
        d = directive(ref)
        actions.change_status(d, Status.COMPLETED, actor=cisa_editor)
        if verdict:
            actions.review(d, verdict, actor=reviewer, note="Looked.")
    page = client_of(reviewer).get("/dashboard/").content.decode()
    text = " ".join(page.split())
    expected = (
        'Claimed complete <span data-summary="claimed_complete">3</span>, '
        'verified <span data-summary="verified">1</span>, disputed <span data-summary="disputed">1</span>'
    )
    assert expected in text
    assert 'data-summary="verified_late">1<' in text


def test_the_export_has_both_axes(completed, reviewer):
    body = client_of(reviewer).get("/dashboard/export.csv").content.decode()
    rows = {row["ref"]: row for row in csv.DictReader(io.StringIO(body))}
    row = rows["2(c)(i)"]
    assert (row["status"], row["review"], row["verified_outcome"], row["completion_recorded_on"]) == (
        "completed",
        "unreviewed",
        "",
        "2026-11-30",
    )
    assert row["completion_flag"].startswith("Completed Wed 2026-06-10, recorded Mon 2026-11-30")


def test_the_backdating_attack_moves_no_verified_figure_on_the_dashboard_export_or_api(
    today, directive, cisa_editor, reviewer
):
    """Reopen a directive completed 150 days late and complete it again dated before the deadline."""
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 11, 29))
    actions.review(d, Review.VERIFIED, actor=reviewer, note="Done on Nov 29.")
    client = client_of(reviewer)

    def figures() -> tuple[str, int, dict]:
        page = " ".join(client.get("/dashboard/").content.decode().split())
        on_time = page.split('data-summary="verified_on_time">')[1].split("<")[0]
        api = client.get("/api/v1/summary/").json()
        return on_time, api["verified_on_time"], api

    before_tile, before_api, _ = figures()
    assert (before_tile, before_api) == ("0", 0)

    actions.change_status(d, Status.IN_PROGRESS, actor=cisa_editor, note="Reopened.")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1))

    after_tile, after_api, summary = figures()
    assert (after_tile, after_api) == ("0", 0)
    # Flagged: never counted on time on the agency's word alone.
    assert (summary["completed_on_time"], summary["flagged"], summary["verified_late"]) == (0, 1, 0)
    page = client.get(f"/directives/{d.pk}/").content.decode()
    assert "Completed Wed 2026-07-01, recorded Mon 2026-11-30" in page
    assert "Claimed on time, flagged for review" in page
    body = client.get("/dashboard/export.csv").content.decode()
    row = {r["ref"]: r for r in csv.DictReader(io.StringIO(body))}["2(c)(i)"]
    assert (row["outcome"], row["review"], row["verified_outcome"]) == ("flagged", "unreviewed", "")
    assert "dated before an earlier completion of Sun 2026-11-29" in row["completion_flag"]


def test_the_page_says_why_a_reviewer_may_not_review_their_own_claim_and_refuses_it(
    today, directive, cisa_editor
):
    from agencies.models import OversightReviewer

    OversightReviewer.objects.create(user=cisa_editor)
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1))
    client = client_of(cisa_editor)
    page = client.get(f"/directives/{d.pk}/").content.decode()
    assert "Separation of duties: you recorded 2(c)(i)&#x27;s current claim" in page
    assert "Save review" not in page
    before = written()
    response = client.post(
        f"/directives/{d.pk}/",
        {
            "form": "review",
            "review-version": actions.version_of(Directive.objects.get(pk=d.pk)),
            "review-review": "verified",
            "review-note": "Mine.",
        },
    )
    assert response.status_code == 403
    assert written() == before


# --- My queue -----------------------------------------------------------------------------------------


def test_my_queue_lists_unreviewed_claims_and_pending_requests_oldest_first(
    directive, cisa_editor, treasury_editor, reviewer
):
    import time_machine

    from directives import deadlines

    def at(day: int):
        moment = dt.datetime(2026, 11, day, 12, tzinfo=deadlines.EASTERN)
        return time_machine.travel(moment, tick=False)

    with at(20):
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
    with at(21):
        actions.change_status(directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor)
        actions.review(directive("2(c)(i)"), Review.VERIFIED, actor=reviewer, note="Seen.")
    with at(22):
        actions.change_status(directive("2(c)(iii)"), Status.PARTIALLY_COMPLETE, actor=cisa_editor)
        actions.request_extension(
            directive("2(d)"), dt.date(2027, 1, 15), actor=treasury_editor, justification="Procurement."
        )
    with at(23):
        page = client_of(reviewer).get("/queue/").content.decode()
    claims = page[page.index('data-queue="claims"') : page.index('data-queue="extensions"')]
    assert claims.index('data-ref="2(c)(ii)"') < claims.index('data-ref="2(c)(iii)"')
    assert 'data-ref="2(c)(i)"' not in claims  # reviewed already
    assert 'data-ref="2(d)"' in page[page.index('data-queue="extensions"') :]
    assert "Claims not reviewed yet (2)" in page and "Pending extension requests (1)" in page


def test_my_queue_is_for_reviewers(directive, cisa_editor):
    assert client_of(cisa_editor).get("/queue/").status_code == 403
