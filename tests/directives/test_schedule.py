"""Moving a deadline: the date of the event a deadline counts from, and extensions, by action, page and API.

EO 14409 Sec. 3(b)(ii) gives the government access "for up to 30 days before" a model's release: a
deadline counted from an event the lead agency records. The Order as shipped tracks 3(b) whole, so these
tests load a small order of their own with such a directive.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from directives import actions
from directives.models import Directive, DirectiveEvent, Notification
from directives.orderfile import parse_order_file

JULY_10_NOON = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.UTC)

RELEASE_ORDER = """
[order]
number = 99001
title = "An order with a deadline counted from an event"
signed_on = 2026-06-02

[[directives]]
ref = "1(a)"
title = "Give access before a covered model's release"
leads = ["TREASURY", "NSA", "CISA"]
consulted = ["ONCD"]
deadline = { kind = "days_from_event", days = -30, event = "the model's planned release" }
"""


@pytest.fixture
def release(order) -> Directive:
    """A directive due 30 days before a release, led by TREASURY, NSA and CISA; ONCD consulted."""
    with time_machine.travel(dt.datetime(2026, 6, 2, 16, 0, tzinfo=dt.UTC), tick=False):
        actions.load_order(
            parse_order_file(RELEASE_ORDER, known_agencies=frozenset({"TREASURY", "NSA", "CISA", "ONCD"}))
        )
    return Directive.objects.with_agencies().get(order__number=99001, ref="1(a)")


def test_an_event_relative_deadline_has_no_date_until_its_event_has_one(release):
    assert (release.original_due_on, release.due_on, release.due_at, release.event_on) == (
        None,
        None,
        None,
        None,
    )
    assert (
        not Directive.objects.overdue(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)).filter(pk=release.pk).exists()
    )


def test_the_lead_records_the_event_date_and_the_deadline_is_dated_from_it(release, cisa_editor):
    with time_machine.travel(JULY_10_NOON, tick=False):
        event = actions.set_event_date(
            release, dt.date(2026, 10, 15), actor=cisa_editor, note="Per the developer."
        )
    d = Directive.objects.get(pk=release.pk)
    # 30 days before Thu 2026-10-15 is Tue 2026-09-15; the first date is also the original.
    assert (d.event_on, d.original_due_on, d.due_on) == (
        dt.date(2026, 10, 15),
        dt.date(2026, 9, 15),
        dt.date(2026, 9, 15),
    )
    assert d.due_at == dt.datetime(2026, 9, 16, 4, 0, tzinfo=dt.UTC)  # midnight EDT ending the due day
    assert (event.kind, event.actor, event.agency.abbreviation) == (
        DirectiveEvent.Kind.EVENT_DATED,
        cisa_editor,
        "CISA",
    )
    assert (event.old_due_on, event.new_due_on) == (None, dt.date(2026, 9, 15))
    assert event.note == "The model's planned release: Thu 2026-10-15. Per the developer."


def test_a_moved_event_moves_the_effective_deadline_and_keeps_the_original(release, cisa_editor):
    with time_machine.travel(JULY_10_NOON, tick=False):
        actions.set_event_date(release, dt.date(2026, 8, 1), actor=cisa_editor)
    with time_machine.travel(
        dt.datetime(2026, 7, 3, 4, 1, tzinfo=dt.UTC) + dt.timedelta(days=10), tick=False
    ):
        # 2026-07-02 (30 days before 08-01) has passed: flagged, with an overdue notice owed.
        assert release.pk in actions.flag_overdue()
        event = actions.set_event_date(
            Directive.objects.get(pk=release.pk), dt.date(2026, 12, 1), actor=cisa_editor
        )
    d = Directive.objects.get(pk=release.pk)
    assert (d.original_due_on, d.due_on, d.overdue_flagged_at) == (
        dt.date(2026, 7, 2),
        dt.date(2026, 11, 1),
        None,
    )
    assert (event.old_due_on, event.new_due_on) == (dt.date(2026, 7, 2), dt.date(2026, 11, 1))
    # The old deadline's notice stops being true; the new one will owe its own.
    assert Notification.objects.filter(directive=d, due_on=dt.date(2026, 7, 2)).count() == 1


@pytest.mark.parametrize(
    ("event_on", "message"),
    [
        (dt.date(2026, 5, 1), "cannot be before Executive Order 99001 was signed (Tue 2026-06-02)."),
    ],
)
def test_a_bad_event_date_is_refused_and_writes_nothing(release, cisa_editor, event_on, message):
    before = DirectiveEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        actions.set_event_date(release, event_on, actor=cisa_editor)
    assert message in refused.value.message_dict["event_on"][0]
    assert DirectiveEvent.objects.count() == before
    assert Directive.objects.get(pk=release.pk).event_on is None


def test_the_same_event_date_again_is_refused(release, cisa_editor):
    actions.set_event_date(release, dt.date(2026, 10, 15), actor=cisa_editor)
    with pytest.raises(ValidationError, match="already Thu 2026-10-15"):
        actions.set_event_date(Directive.objects.get(pk=release.pk), dt.date(2026, 10, 15), actor=cisa_editor)


def test_a_deadline_not_counted_from_an_event_has_no_event_date(directive, cisa_editor):
    with pytest.raises(ValidationError, match="does not count from an event: it is 30 days after the Order"):
        actions.set_event_date(directive("2(c)(ii)"), dt.date(2026, 10, 15), actor=cisa_editor)


@pytest.mark.parametrize("persona", ["oncd_editor", "reviewer", "outsider"])
def test_only_a_leads_editor_dates_the_event(release, request, persona):
    with pytest.raises(PermissionDenied):
        actions.set_event_date(release, dt.date(2026, 10, 15), actor=request.getfixturevalue(persona))
    assert Directive.objects.get(pk=release.pk).event_on is None


# --- The directive page ---------------------------------------------------------------------------------


def test_the_page_offers_the_event_date_to_the_leads_editors_only(client, release, cisa_editor, oncd_editor):
    client.force_login(cisa_editor)
    assert (
        "When is the model&#x27;s planned release?"
        in client.get(f"/directives/{release.pk}/").content.decode()
    )
    client.force_login(oncd_editor)
    assert "When is the model" not in client.get(f"/directives/{release.pk}/").content.decode()


def test_the_page_records_the_event_date(client, release, cisa_editor):
    client.force_login(cisa_editor)
    version = actions.version_of(release)
    with time_machine.travel(JULY_10_NOON, tick=False):
        client.force_login(cisa_editor)
        response = client.post(
            f"/directives/{release.pk}/",
            {"form": "event", "event-version": version, "event-event_on": "2026-10-15", "event-note": ""},
        )
        page = client.get(response["Location"]).content.decode()
    assert response.status_code == 302
    assert Directive.objects.get(pk=release.pk).due_on == dt.date(2026, 9, 15)
    assert "Recorded for 1(a)" in page
    assert "the model&#x27;s planned release: Thu 2026-10-15" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"event_on": ""}, "This field is required."),
        ({"event_on": "15/10/2026"}, "Enter a valid date."),
        ({"event_on": "2026-01-01"}, "cannot be before Executive Order 99001 was signed (Tue 2026-06-02)"),
    ],
)
def test_the_page_shows_a_bad_event_date_at_the_field_and_writes_nothing(
    client, release, cisa_editor, data, message
):
    client.force_login(cisa_editor)
    before = DirectiveEvent.objects.count()
    response = client.post(
        f"/directives/{release.pk}/",
        {
            "form": "event",
            "event-version": actions.version_of(release),
            **{f"event-{k}": v for k, v in data.items()},
        },
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["event_form"].errors["event_on"])
    assert DirectiveEvent.objects.count() == before


def test_a_stale_event_date_form_writes_nothing(client, release, cisa_editor):
    client.force_login(cisa_editor)
    version = actions.version_of(release)
    actions.add_note(release, "Meanwhile.", actor=cisa_editor)
    response = client.post(
        f"/directives/{release.pk}/",
        {"form": "event", "event-version": version, "event-event_on": "2026-10-15"},
    )
    assert response.status_code == 409
    assert Directive.objects.get(pk=release.pk).event_on is None


# --- The API --------------------------------------------------------------------------------------------


def test_the_api_records_the_event_date(client, release, cisa_editor):
    client.force_login(cisa_editor)
    with time_machine.travel(JULY_10_NOON, tick=False):
        client.force_login(cisa_editor)
        response = client.post(
            f"/api/v1/directives/{release.pk}/event-date/",
            {"event_on": "2026-10-15"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["event"]["kind"], body["directive"]["due_on"]) == ("event_dated", "2026-09-15")
    assert body["directive"]["original_due_on"] == "2026-09-15"
    assert response["ETag"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "event_on"), ({"event_on": "soon"}, "event_on"), ({"event_on": "2026-10-15", "extra": 1}, "extra")],
)
def test_the_api_refuses_a_bad_event_date_naming_the_field(client, release, cisa_editor, body, field):
    client.force_login(cisa_editor)
    before = DirectiveEvent.objects.count()
    response = client.post(
        f"/api/v1/directives/{release.pk}/event-date/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert DirectiveEvent.objects.count() == before


def test_an_admin_extends_a_deadline_through_the_api(client, directive, admin_user):
    d = directive("2(d)")
    client.force_login(admin_user)
    response = client.post(
        f"/api/v1/directives/{d.pk}/extensions/",
        {"new_due_on": "2026-09-30", "justification": "Charter under review."},
        content_type="application/json",
        headers={"If-Match": client.get(f"/api/v1/directives/{d.pk}/")["ETag"]},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["directive"]["original_due_on"], body["directive"]["due_on"]) == ("2026-07-02", "2026-09-30")
    assert (body["event"]["kind"], body["event"]["note"]) == ("deadline_extended", "Charter under review.")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"new_due_on": "2026-06-01", "justification": "x"}, "new_due_on"),
        ({"new_due_on": "2026-09-30", "justification": "   "}, "justification"),
        ({"new_due_on": "2026-09-30"}, "justification"),
        ({"justification": "x"}, "new_due_on"),
    ],
)
def test_the_api_refuses_a_bad_extension_and_writes_nothing(client, directive, admin_user, body, field):
    d = directive("2(d)")
    client.force_login(admin_user)
    before = DirectiveEvent.objects.count()
    response = client.post(f"/api/v1/directives/{d.pk}/extensions/", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert DirectiveEvent.objects.count() == before
    assert directive("2(d)").due_on == dt.date(2026, 7, 2)


def test_a_stale_etag_refuses_an_extension(client, directive, admin_user, treasury_editor):
    d = directive("2(d)")
    client.force_login(admin_user)
    etag = client.get(f"/api/v1/directives/{d.pk}/")["ETag"]
    actions.add_note(d, "Meanwhile.", actor=treasury_editor)
    response = client.post(
        f"/api/v1/directives/{d.pk}/extensions/",
        {"new_due_on": "2026-09-30", "justification": "x"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert response.status_code == 412
    assert directive("2(d)").due_on == dt.date(2026, 7, 2)
