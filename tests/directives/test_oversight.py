"""The oversight loop by action: two axes, honest outcomes and extension requests (docs/oversight.md).

EO 14409's 2(c)(i) (CISA leads) and 2(d) (Treasury leads) are both due Thursday 2026-07-02; "today" is
the fixtures' 2026-11-30, after every deadline.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from directives import actions
from directives.history import proof
from directives.models import (
    CLOSED_STATUSES,
    Directive,
    DirectiveEvent,
    ExtensionRequest,
    Notification,
    Review,
    Status,
)
from directives.queries import summarize

DUE = dt.date(2026, 7, 2)


def fresh(d: Directive) -> Directive:
    return Directive.objects.with_agencies().get(pk=d.pk)


def events_of(d: Directive) -> int:
    return DirectiveEvent.objects.filter(directive=d).count()


def numbers(now: dt.datetime | None = None) -> dict:
    from django.utils import timezone

    return summarize(Directive.objects.all(), now or timezone.now())


# --- The completion axis -----------------------------------------------------------------------------


def test_partially_complete_stays_open_and_counts_overdue(today, directive, cisa_editor):
    d = directive("2(c)(i)")
    actions.change_status(d, Status.PARTIALLY_COMPLETE, actor=cisa_editor, note="Half the agencies done.")
    d = fresh(d)
    assert Status.PARTIALLY_COMPLETE not in CLOSED_STATUSES
    assert d.is_open and d.is_own_overdue(d.due_at + dt.timedelta(seconds=1))
    assert Directive.objects.overdue(d.due_at + dt.timedelta(seconds=1)).filter(pk=d.pk).exists()


def test_not_applicable_needs_a_reason_and_nothing_is_written_without_one(today, directive, cisa_editor):
    d = directive("2(c)(i)")
    before = events_of(d)
    with pytest.raises(ValidationError) as exc:
        actions.change_status(d, Status.NOT_APPLICABLE, actor=cisa_editor, note="  ")
    assert "note" in exc.value.message_dict
    assert (fresh(d).status, events_of(d)) == (Status.NOT_STARTED, before)


def test_not_applicable_leaves_the_overdue_counts_and_keeps_why(today, directive, cisa_editor):
    d = directive("2(c)(i)")
    overdue_before = numbers()["overdue"]
    actions.change_status(d, Status.NOT_APPLICABLE, actor=cisa_editor, note="CISA runs no such systems.")
    d = fresh(d)
    assert (d.status, d.status_reason, d.is_open) == (
        Status.NOT_APPLICABLE,
        "CISA runs no such systems.",
        False,
    )
    assert numbers()["overdue"] == overdue_before - 1
    assert numbers()["by_status"][Status.NOT_APPLICABLE] == 1
    assert d.events.filter(new_status=Status.NOT_APPLICABLE).exists()  # the history is kept
    assert proof.verify().ok


def test_a_parent_whose_parts_are_all_not_applicable_is_not_applicable(today, directive, cisa_editor):
    parts = list(Directive.objects.filter(parent=directive("2(c)")).order_by("pk"))
    assert len(parts) > 1
    for part in parts:
        actions.change_status(part, Status.NOT_APPLICABLE, actor=cisa_editor, note=f"{part.ref}: not ours.")
    parent = fresh(directive("2(c)"))
    assert parent.status == Status.NOT_APPLICABLE
    assert parent.status_reason.startswith("Rolled up from its parts")
    assert proof.verify().ok


# --- The review axis ----------------------------------------------------------------------------------


def test_a_reviewer_verifies_a_completion_with_a_note_and_evidence(today, directive, cisa_editor, reviewer):
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 11, 25))
    event = actions.review(
        d, Review.VERIFIED, actor=reviewer, note="Checked the BOD.", evidence="https://www.cisa.gov/bod"
    )
    d = fresh(d)
    assert (d.review, event.kind, event.note, event.evidence_url) == (
        Review.VERIFIED,
        "verified",
        "Checked the BOD.",
        "https://www.cisa.gov/bod",
    )
    assert d.reviewed_at is not None
    assert proof.verify().ok


def test_a_reviewer_may_cite_a_reference_that_is_not_a_link(today, directive, cisa_editor, reviewer):
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor)
    event = actions.review(d, Review.DISPUTED, actor=reviewer, note="Not on file.", evidence="GAO-26-1234")
    assert (fresh(d).review, event.evidence_url) == (Review.DISPUTED, "GAO-26-1234")


@pytest.mark.parametrize("who", ["cisa_editor", "treasury_editor", "admin_user", "outsider"])
def test_only_reviewers_review(request, who, today, directive, cisa_editor):
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor)
    before = events_of(d)
    with pytest.raises(PermissionDenied, match="Only oversight reviewers"):
        actions.review(d, Review.VERIFIED, actor=request.getfixturevalue(who), note="Looks done.")
    assert (fresh(d).review, events_of(d)) == (Review.UNREVIEWED, before)


@pytest.mark.parametrize(
    ("verdict", "note", "evidence", "field"),
    [
        ("approved", "x", "", "review"),
        ("unreviewed", "x", "", "review"),
        ("verified", "   ", "", "note"),
        ("verified", "x" * 4001, "", "note"),
        ("verified", "x", "ftp://example.gov/file", "evidence"),
        ("verified", "x", "https://" + "a" * 500, "evidence"),
    ],
)
def test_bad_review_input_names_the_field_and_writes_nothing(
    today, directive, cisa_editor, reviewer, verdict, note, evidence, field
):
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor)
    before = events_of(d)
    with pytest.raises(ValidationError) as exc:
        actions.review(d, verdict, actor=reviewer, note=note, evidence=evidence)
    assert field in exc.value.message_dict
    assert (fresh(d).review, events_of(d)) == (Review.UNREVIEWED, before)


def test_there_is_nothing_to_review_before_a_claim_or_on_a_parent(today, directive, reviewer):
    with pytest.raises(ValidationError, match="no claim of completion"):
        actions.review(directive("2(c)(i)"), Review.VERIFIED, actor=reviewer, note="x")
    with pytest.raises(ValidationError, match="rolls up from its parts"):
        actions.review(directive("2(c)"), Review.VERIFIED, actor=reviewer, note="x")


def test_a_new_claim_resets_the_review(today, directive, cisa_editor, reviewer):
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor)
    actions.review(d, Review.VERIFIED, actor=reviewer, note="Seen.")
    actions.change_status(d, Status.IN_PROGRESS, actor=cisa_editor, note="Reopened: one agency left.")
    assert fresh(d).review == Review.UNREVIEWED
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor)
    assert fresh(d).review == Review.UNREVIEWED
    assert proof.verify().ok


def test_the_replay_notices_a_review_written_around_the_history(today, directive, cisa_editor, reviewer):
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor)
    Directive.objects.filter(pk=d.pk).update(review=Review.VERIFIED)  # no event: not what the actions do
    report = proof.verify()
    assert any("review is 'verified' but its events say 'unreviewed'" in p for p in report.problems)


def test_the_summary_shows_both_axes(today, directive, cisa_editor, reviewer):
    for ref, verdict in (("2(c)(i)", Review.VERIFIED), ("2(c)(ii)", Review.DISPUTED), ("2(b)", None)):
        d = directive(ref)
        actions.change_status(d, Status.COMPLETED, actor=cisa_editor if ref != "2(b)" else None)
        if verdict:
            actions.review(d, verdict, actor=reviewer, note="Looked.")
    s = numbers()
    assert (s["claimed_complete"], s["verified"], s["disputed"], s["no_evidence_found"]) == (3, 1, 1, 0)
    assert s["verified_on_time"] + s["verified_late"] == 1


# --- Honest outcomes ----------------------------------------------------------------------------------


def test_a_completion_recorded_long_after_its_date_is_flagged_with_both_dates(today, directive, cisa_editor):
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 6, 10))
    d = fresh(d)
    assert d.completion_recorded_on == today
    assert d.completion_flag.startswith(
        "Completed Wed 2026-06-10, recorded Mon 2026-11-30: flagged for review"
    )
    flagged = d.events.get(kind=DirectiveEvent.Kind.COMPLETION_FLAGGED)
    assert flagged.note == d.completion_flag
    assert proof.verify().ok


def test_a_completion_recorded_within_the_threshold_is_not_flagged(today, directive, cisa_editor, settings):
    settings.COMPLETION_RECORDED_LATE_DAYS = 7
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=today - dt.timedelta(days=7))
    assert fresh(d).completion_flag == ""
    actions.change_status(d, Status.IN_PROGRESS, actor=cisa_editor)
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=today - dt.timedelta(days=8))
    assert "recorded 8 days after" in fresh(d).completion_flag


def test_the_backdating_attack_is_flagged_and_does_not_improve_the_verified_on_time_count(
    today, directive, cisa_editor, reviewer
):
    """Reopen a directive completed 150 days late and complete it again, dated before the deadline."""
    d = directive("2(c)(i)")
    late = DUE + dt.timedelta(days=150)  # Sunday 2026-11-29: recorded the next day, not flagged
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=late)
    actions.review(d, Review.VERIFIED, actor=reviewer, note="Completed on Nov 29, as the BOD shows.")
    before = numbers()
    assert (before["verified_on_time"], before["verified_late"]) == (0, 1)
    assert fresh(d).completion_flag == ""

    actions.change_status(d, Status.IN_PROGRESS, actor=cisa_editor, note="Reopened to fix the date.")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1))

    d = fresh(d)
    assert d.outcome == "flagged"  # what the agency now claims is on time, but flagged: never on time yet
    assert (d.review, d.verified_outcome) == (Review.UNREVIEWED, None)
    assert "Completed Wed 2026-07-01, recorded Mon 2026-11-30" in d.completion_flag
    assert "dated before an earlier completion of Sun 2026-11-29" in d.completion_flag
    after = numbers()
    assert after["verified_on_time"] == before["verified_on_time"] == 0
    assert after["flagged"] == 1
    # Flagged: never on time on the agency's word alone, in the totals or the agency's scorecard.
    assert after["completed_on_time"] == before["completed_on_time"] == 0
    assert proof.verify().ok


def test_the_scorecard_counts_a_flagged_completion_on_time_only_once_verified(
    today, directive, cisa_editor, reviewer
):
    d = directive("2(c)(i)")
    # Recorded Nov 30 for Jul 1: 152 days after the date it claims, flagged.
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1))
    assert fresh(d).completion_flag != ""
    claimed = numbers()
    [cisa] = [a for a in claimed["agencies"] if a["abbreviation"] == "CISA"]
    assert (cisa["completed_on_time"], cisa["completed_late"]) == (0, 0)
    assert (claimed["completed_on_time"], claimed["flagged"], claimed["verified_on_time"]) == (0, 1, 0)
    actions.review(d, Review.VERIFIED, actor=reviewer, note="The charter is dated Jul 1.")
    assert numbers()["verified_on_time"] == 1


# --- Extension requests -------------------------------------------------------------------------------

NEW_DATE = dt.date(2027, 1, 15)


def test_a_lead_editor_requests_an_extension_and_the_reviewers_are_told(
    today, directive, treasury_editor, reviewer, django_capture_on_commit_callbacks
):
    d = directive("2(d)")
    with django_capture_on_commit_callbacks() as callbacks:
        request = actions.request_extension(d, NEW_DATE, actor=treasury_editor, justification="Procurement.")
    assert len(callbacks) == 1  # the dispatch nudge
    assert (request.state, request.current_due_on, request.requested_due_on) == ("pending", DUE, NEW_DATE)
    event = d.events.get(kind=DirectiveEvent.Kind.EXTENSION_REQUESTED)
    assert (event.old_due_on, event.new_due_on, event.note, event.actor) == (
        DUE,
        NEW_DATE,
        "Procurement.",
        treasury_editor,
    )
    notice = Notification.objects.get(directive=d, kind=Notification.Kind.EXTENSION_REQUESTED)
    assert (notice.due_on, notice.event_id) == (NEW_DATE, event.pk)
    assert fresh(d).due_on == DUE  # nothing moves until a reviewer decides
    assert proof.verify().ok


@pytest.mark.parametrize(
    ("requested", "justification", "field"),
    [
        (DUE, "Why", "requested_due_on"),
        (DUE - dt.timedelta(days=1), "Why", "requested_due_on"),
        (NEW_DATE, "  ", "justification"),
        (NEW_DATE, "x" * 4001, "justification"),
    ],
)
def test_bad_extension_requests_name_the_field_and_write_nothing(
    today, directive, treasury_editor, requested, justification, field
):
    d = directive("2(d)")
    before = events_of(d)
    with pytest.raises(ValidationError) as exc:
        actions.request_extension(d, requested, actor=treasury_editor, justification=justification)
    assert field in exc.value.message_dict
    assert (ExtensionRequest.objects.count(), events_of(d), Notification.objects.count()) == (0, before, 0)


@pytest.mark.parametrize("who", ["cisa_editor", "oncd_editor", "reviewer", "outsider"])
def test_only_a_lead_editor_requests_an_extension(request, who, today, directive):
    d = directive("2(d)")
    with pytest.raises(PermissionDenied):
        actions.request_extension(d, NEW_DATE, actor=request.getfixturevalue(who), justification="Why")
    assert not ExtensionRequest.objects.exists()


def test_one_pending_request_per_directive(today, directive, treasury_editor):
    d = directive("2(d)")
    actions.request_extension(d, NEW_DATE, actor=treasury_editor, justification="Procurement.")
    with pytest.raises(ValidationError, match="already pending"):
        actions.request_extension(
            d, NEW_DATE + dt.timedelta(days=1), actor=treasury_editor, justification="x"
        )
    assert ExtensionRequest.objects.count() == 1


def test_a_reviewer_approves_and_the_deadline_moves_keeping_the_original(
    today, directive, treasury_editor, reviewer
):
    d = directive("2(d)")
    request = actions.request_extension(d, NEW_DATE, actor=treasury_editor, justification="Procurement.")
    actions.approve_extension(request, actor=reviewer, note="Reasonable.")
    d = fresh(d)
    assert (d.original_due_on, d.due_on, d.overdue_flagged_at) == (DUE, NEW_DATE, None)
    request.refresh_from_db()
    assert (request.state, request.decided_by, request.decision_reason) == (
        "approved",
        reviewer,
        "Reasonable.",
    )
    moved = d.events.get(kind=DirectiveEvent.Kind.DEADLINE_EXTENDED)
    assert (moved.actor, moved.old_due_on, moved.new_due_on) == (reviewer, DUE, NEW_DATE)
    assert "Procurement." in moved.note
    assert Notification.objects.filter(directive=d, kind=Notification.Kind.EXTENSION_DECIDED).exists()
    assert not d.is_overdue(dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert proof.verify().ok
    with pytest.raises(ValidationError, match="already approved"):
        actions.deny_extension(request, actor=reviewer, reason="Changed my mind.")


def test_a_reviewer_denies_with_a_reason_and_the_deadline_stays(today, directive, treasury_editor, reviewer):
    d = directive("2(d)")
    request = actions.request_extension(d, NEW_DATE, actor=treasury_editor, justification="Procurement.")
    with pytest.raises(ValidationError) as exc:
        actions.deny_extension(request, actor=reviewer, reason=" ")
    assert "reason" in exc.value.message_dict
    assert ExtensionRequest.objects.get().state == "pending"
    actions.deny_extension(request, actor=reviewer, reason="Not justified.")
    assert (fresh(d).due_on, ExtensionRequest.objects.get().state) == (DUE, "denied")
    assert d.events.filter(kind=DirectiveEvent.Kind.EXTENSION_DENIED, note="Not justified.").exists()
    # decided: a new request may be made
    actions.request_extension(d, NEW_DATE, actor=treasury_editor, justification="Procurement, again.")
    assert proof.verify().ok


@pytest.mark.parametrize("who", ["treasury_editor", "admin_user", "cisa_editor"])
def test_only_reviewers_decide_extension_requests(request, who, today, directive, treasury_editor):
    d = directive("2(d)")
    ext = actions.request_extension(d, NEW_DATE, actor=treasury_editor, justification="Procurement.")
    before = events_of(d)
    with pytest.raises(PermissionDenied):
        actions.approve_extension(ext, actor=request.getfixturevalue(who))
    with pytest.raises(PermissionDenied):
        actions.deny_extension(ext, actor=request.getfixturevalue(who), reason="No.")
    assert (fresh(d).due_on, events_of(d), ExtensionRequest.objects.get().state) == (DUE, before, "pending")


def test_the_notices_go_to_the_reviewers_then_to_the_requester(today, directive, treasury_editor, reviewer):
    from directives.notices import notify

    d = directive("2(d)")
    ext = actions.request_extension(d, NEW_DATE, actor=treasury_editor, justification="Procurement.")
    asked = Notification.objects.get(kind=Notification.Kind.EXTENSION_REQUESTED)
    assert notify.recipients_for(asked, d) == ["reviewer@example.com"]
    assert notify.obsolete_reason(asked, d) is None
    subject, body = notify.render([asked])
    assert "Extension requested: EO 14409 sec. 2(d)" in subject and "Procurement." in body
    actions.deny_extension(ext, actor=reviewer, reason="Not justified.")
    decided = Notification.objects.get(kind=Notification.Kind.EXTENSION_DECIDED)
    assert notify.recipients_for(decided, d) == ["treasury-editor@example.com"]
    subject, body = notify.render([decided])
    assert "Extension denied" in subject and "Not justified." in body
    subject, body = notify.render([asked, decided])
    assert "extension requested" in subject or "extension requested" in body


def test_pending_requests_are_not_overdue_notices(today, directive, treasury_editor):
    d = directive("2(d)")
    actions.request_extension(d, NEW_DATE, actor=treasury_editor, justification="Procurement.")
    assert not Notification.objects.filter(~Q(kind__startswith="extension")).exists()


# --- Separation of duties -----------------------------------------------------------------------------


@pytest.fixture
def cisa_editor_and_reviewer(cisa_editor):
    """The CISA editor, made an oversight reviewer too: one person holding both roles."""
    from agencies.models import OversightReviewer

    OversightReviewer.objects.create(user=cisa_editor)
    return cisa_editor


def test_nobody_reviews_a_claim_they_recorded_whatever_roles_they_hold(
    today, directive, cisa_editor_and_reviewer
):
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor_and_reviewer, completed_on=DUE)
    before = events_of(d)
    with pytest.raises(
        PermissionDenied, match="Separation of duties: you recorded 2\\(c\\)\\(i\\)'s current"
    ):
        actions.review(d, Review.VERIFIED, actor=cisa_editor_and_reviewer, note="Looks done to me.")
    assert (fresh(d).review, events_of(d)) == (Review.UNREVIEWED, before)


def test_another_reviewer_reviews_the_claim_and_the_claimant_may_review_another_s(
    today, directive, cisa_editor_and_reviewer, dhs_editor, reviewer
):
    mine, theirs = directive("2(c)(i)"), directive("2(c)(ii)")
    actions.change_status(mine, Status.COMPLETED, actor=cisa_editor_and_reviewer, completed_on=DUE)
    actions.change_status(theirs, Status.COMPLETED, actor=dhs_editor, completed_on=DUE)
    actions.review(mine, Review.VERIFIED, actor=reviewer, note="Checked.")
    actions.review(theirs, Review.DISPUTED, actor=cisa_editor_and_reviewer, note="No charter attached.")
    assert (fresh(mine).review, fresh(theirs).review) == (Review.VERIFIED, Review.DISPUTED)


def test_nobody_decides_an_extension_they_asked_for(today, directive, cisa_editor_and_reviewer, reviewer):
    d = directive("2(c)(i)")
    ext = actions.request_extension(d, NEW_DATE, actor=cisa_editor_and_reviewer, justification="Funding.")
    before = events_of(d)
    for decide in (
        lambda: actions.approve_extension(ext, actor=cisa_editor_and_reviewer),
        lambda: actions.deny_extension(ext, actor=cisa_editor_and_reviewer, reason="No."),
    ):
        with pytest.raises(PermissionDenied, match="you asked for this extension"):
            decide()
    assert (fresh(d).due_on, events_of(d)) == (DUE, before)
    actions.approve_extension(ext, actor=reviewer)
    assert fresh(d).due_on == NEW_DATE


def test_separation_of_duties_is_off_only_by_a_setting_the_deploy_check_warns_about(
    today, directive, cisa_editor_and_reviewer, settings
):
    from directives.operations.checks import check_separation_of_duties

    assert check_separation_of_duties(None) == []
    settings.SEPARATION_OF_DUTIES = False
    assert [w.id for w in check_separation_of_duties(None)] == ["orderctl.W003"]
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor_and_reviewer, completed_on=DUE)
    actions.review(d, Review.VERIFIED, actor=cisa_editor_and_reviewer, note="Trial install.")
    assert fresh(d).review == Review.VERIFIED
