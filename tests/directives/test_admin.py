"""The admin: status edits go through the actions, the history is read-only."""

import datetime as dt

import pytest
import time_machine

from directives.models import DirectiveEvent, Status


def change_form_data(d, **fields) -> dict:
    data = {
        "status": d.status,
        "completed_on": "",
        "forecast_on": "",
        "note": "",
        "evidence_url": "",
    }
    for prefix, count in (("involvements", d.involvements.count()), ("events", d.events.count())):
        data |= {f"{prefix}-TOTAL_FORMS": str(count), f"{prefix}-INITIAL_FORMS": str(count)}
        data |= {f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, inv in enumerate(d.involvements.all()):
        data |= {f"involvements-{i}-id": str(inv.id), f"involvements-{i}-directive": str(d.id)}
    for i, e in enumerate(d.events.all()):
        data |= {f"events-{i}-id": str(e.id), f"events-{i}-directive": str(d.id)}
    return data | fields


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_an_admin_status_change_goes_through_the_actions(admin_client, directive, admin_user):
    d = directive("2(c)(ii)")
    with time_machine.travel(dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC), tick=False):
        admin_client.force_login(admin_user)  # a session from the real clock has idled out by then
        response = admin_client.post(
            f"/admin/directives/directive/{d.id}/change/",
            change_form_data(d, status=Status.COMPLETED, completed_on="2026-07-01", note="Closed by admin."),
        )
    assert response.status_code == 302, response.content[:2000]
    d = directive("2(c)(ii)")
    assert (d.status, str(d.completed_on)) == (Status.COMPLETED, "2026-07-01")
    event = d.events.filter(kind=DirectiveEvent.Kind.STATUS_CHANGED).first()
    assert (event.kind, event.actor, event.note) == (
        DirectiveEvent.Kind.STATUS_CHANGED,
        admin_user,
        "Closed by admin.",
    )
    assert directive("2(c)").status == Status.IN_PROGRESS  # rolled up, as through any other path
    # Recorded on Nov 26 for Jul 1: flagged for review, as through any other path (docs/oversight.md).
    assert d.completion_flag.startswith("Completed Wed 2026-07-01, recorded Thu 2026-11-26")


def test_an_invalid_admin_change_writes_nothing_and_says_why_at_the_field(
    admin_client, directive, admin_user
):
    d = directive("2(c)(ii)")
    before = DirectiveEvent.objects.count()
    with time_machine.travel(dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC), tick=False):
        admin_client.force_login(admin_user)  # a session from the real clock has idled out by then
        response = admin_client.post(
            f"/admin/directives/directive/{d.id}/change/",
            change_form_data(
                d, status=Status.COMPLETED, completed_on="2027-01-01", note="Typed by the admin."
            ),
        )
    assert response.status_code == 200  # the form again, not a redirect
    form = response.context["adminform"].form
    assert form.errors["completed_on"] == [
        "The completion date cannot be in the future (today is Thu 2026-11-26, Eastern time)."
    ]
    html = response.content.decode()
    assert "completed_on:" not in html  # the message is at the field, in words
    assert 'value="2027-01-01"' in html and "Typed by the admin." in html  # what was typed is kept
    assert DirectiveEvent.objects.count() == before
    assert directive("2(c)(ii)").status == Status.NOT_STARTED


def test_a_parent_has_no_status_field_in_the_admin(admin_client, directive):
    response = admin_client.get(f"/admin/directives/directive/{directive('2(c)').id}/change/")
    form = response.context["adminform"].form
    assert "status" not in form.fields and "completed_on" not in form.fields
    assert "forecast_on" in form.fields
    part = admin_client.get(f"/admin/directives/directive/{directive('2(c)(i)').id}/change/")
    assert "status" in part.context["adminform"].form.fields


def test_an_admin_extends_a_deadline_with_a_justification(admin_client, directive, admin_user):
    d = directive("2(d)")
    with time_machine.travel(dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.UTC), tick=False):
        admin_client.force_login(admin_user)
        response = admin_client.post(
            f"/admin/directives/directive/{d.id}/change/",
            change_form_data(d, new_due_on="2026-09-30", justification="Clearinghouse charter under review."),
        )
    assert response.status_code == 302, response.content[:2000]
    d = directive("2(d)")
    assert (d.original_due_on, d.due_on) == (dt.date(2026, 7, 2), dt.date(2026, 9, 30))
    event = d.events.first()
    assert (event.kind, event.actor, event.note, event.new_due_on) == (
        DirectiveEvent.Kind.DEADLINE_EXTENDED,
        admin_user,
        "Clearinghouse charter under review.",
        dt.date(2026, 9, 30),
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"new_due_on": "2026-06-30", "justification": "x"}, "new_due_on", "later than Thu 2026-07-02"),
        ({"new_due_on": "2026-09-30"}, "justification", "Say why the deadline is extended."),
        ({"justification": "Because."}, "new_due_on", "Give the new due date of the extension."),
        ({"new_due_on": "30/09/2026", "justification": "x"}, "new_due_on", "Enter a valid date."),
    ],
)
def test_a_refused_extension_in_the_admin_writes_nothing(admin_client, directive, fields, field, message):
    d = directive("2(d)")
    before = DirectiveEvent.objects.count()
    response = admin_client.post(f"/admin/directives/directive/{d.id}/change/", change_form_data(d, **fields))
    assert response.status_code == 200
    assert any(message in error for error in response.context["adminform"].form.errors[field])
    assert DirectiveEvent.objects.count() == before
    assert directive("2(d)").due_on == dt.date(2026, 7, 2)


def test_events_cannot_be_changed_or_deleted_in_the_admin(admin_client, directive):
    event = directive("2(a)").events.first()
    assert admin_client.get(f"/admin/directives/directiveevent/{event.id}/delete/").status_code == 403
    response = admin_client.post(
        f"/admin/directives/directiveevent/{event.id}/change/", {"note": "rewritten"}
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.note != "rewritten"
    assert admin_client.get("/admin/directives/directiveevent/add/").status_code == 403


def test_directives_cannot_be_added_or_deleted_in_the_admin(admin_client, directive):
    assert admin_client.get("/admin/directives/directive/add/").status_code == 403
    assert admin_client.get(f"/admin/directives/directive/{directive('2(a)').id}/delete/").status_code == 403


# --- Separation of duties in the admin (issue 21, item 3) ---------------------------------------------


@pytest.fixture
def admin_and_reviewer(admin_user):
    """The administrator made an oversight reviewer too: staff, superuser and reviewer in one person."""
    from agencies import roles

    roles.grant_reviewer(admin_user, actor=None)
    return admin_user


def test_the_admin_offers_no_way_to_review_a_claim_or_decide_an_extension_request(
    today, admin_client, admin_and_reviewer, directive
):
    from django.contrib import admin

    from directives.models import ExtensionRequest, Review

    d = directive("2(c)(ii)")
    response = admin_client.post(
        f"/admin/directives/directive/{d.id}/change/",
        change_form_data(d, status=Status.COMPLETED, completed_on="2026-07-01", review=Review.VERIFIED),
    )
    assert response.status_code == 302, response.content[:2000]
    d = directive("2(c)(ii)")
    # The claim is recorded (through the actions); the review field in the post is no field of the form.
    assert (d.status, d.review) == (Status.COMPLETED, Review.UNREVIEWED)
    assert not d.events.filter(kind=DirectiveEvent.Kind.VERIFIED).exists()
    page = admin_client.get(f"/admin/directives/directive/{d.id}/change/").content.decode()
    assert 'name="review"' not in page
    # Extension requests are decided on the pages and in the API (where separation of duties refuses
    # one's own), never in the admin: no page for them, and the directives' list has no bulk actions.
    assert not admin.site.is_registered(ExtensionRequest)
    assert admin_client.get("/admin/directives/extensionrequest/").status_code == 404
    assert 'name="action"' not in admin_client.get("/admin/directives/directive/").content.decode()


def test_an_administrator_may_not_extend_directly_a_deadline_whose_extension_they_asked_for(
    today, admin_client, admin_and_reviewer, directive, django_user_model
):
    from directives import actions
    from directives.models import ExtensionRequest

    d = directive("2(d)")
    request = actions.request_extension(
        d, dt.date(2026, 12, 31), actor=admin_and_reviewer, justification="Procurement."
    )
    before = DirectiveEvent.objects.count()
    response = admin_client.post(
        f"/admin/directives/directive/{d.id}/change/",
        change_form_data(d, new_due_on="2026-12-31", justification="Approving my own request."),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Separation of duties: you asked for an extension of 2(d) that is pending, so an oversight "
        "reviewer decides it, not you."
    ]
    assert DirectiveEvent.objects.count() == before
    assert directive("2(d)").due_on == dt.date(2026, 7, 2)
    request.refresh_from_db()
    assert request.state == ExtensionRequest.State.PENDING
    # Another administrator may extend it, as any administrator may any deadline.
    other = django_user_model.objects.create_user("admin-2", "a2@example.com", "pw", is_staff=True)
    other.is_superuser = True
    other.save()
    admin_client.force_login(other)
    response = admin_client.post(
        f"/admin/directives/directive/{d.id}/change/",
        change_form_data(d, new_due_on="2026-12-31", justification="Approved by the Secretary."),
    )
    assert response.status_code == 302, response.content[:2000]
    assert directive("2(d)").due_on == dt.date(2026, 12, 31)


def test_with_separation_of_duties_off_an_administrator_may_extend_what_they_asked_for(
    today, admin_client, admin_and_reviewer, directive, settings
):
    from directives import actions

    settings.SEPARATION_OF_DUTIES = False
    d = directive("2(d)")
    actions.request_extension(d, dt.date(2026, 12, 31), actor=admin_and_reviewer, justification="Why.")
    response = admin_client.post(
        f"/admin/directives/directive/{d.id}/change/",
        change_form_data(d, new_due_on="2026-12-31", justification="Trial install."),
    )
    assert response.status_code == 302, response.content[:2000]
    assert directive("2(d)").due_on == dt.date(2026, 12, 31)
