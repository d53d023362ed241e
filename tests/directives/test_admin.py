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
    event = d.events.first()
    assert (event.kind, event.actor, event.note) == (
        DirectiveEvent.Kind.STATUS_CHANGED,
        admin_user,
        "Closed by admin.",
    )
    assert directive("2(c)").status == Status.IN_PROGRESS  # rolled up, as through any other path


def test_an_invalid_admin_change_writes_nothing_and_says_why(admin_client, directive, admin_user):
    d = directive("2(c)(ii)")
    before = DirectiveEvent.objects.count()
    with time_machine.travel(dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC), tick=False):
        admin_client.force_login(admin_user)  # a session from the real clock has idled out by then
        response = admin_client.post(
            f"/admin/directives/directive/{d.id}/change/",
            change_form_data(d, status=Status.COMPLETED, completed_on="2027-01-01"),
            follow=True,
        )
    assert "Nothing was saved" in response.content.decode()
    assert "in the future" in response.content.decode()
    assert DirectiveEvent.objects.count() == before
    assert directive("2(c)(ii)").status == Status.NOT_STARTED


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
