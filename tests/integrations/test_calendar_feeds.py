"""Calendar feeds: made and rotated on the account page, parsed back with icalendar; every due date is
one all-day event whose UID stays when the deadline moves (SEQUENCE and LAST-MODIFIED follow), and a
completed or rescinded duty's event is cancelled. The key is stored only as a digest."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re

import pytest
import time_machine
import vobject
from django.test import override_settings
from icalendar import Calendar, Component

from directives import actions
from directives.models import Directive, Status
from directives.models.outreach import CalendarToken
from directives.publishing import calendar
from ledger.models import AccessEvent

MADE_AT = dt.datetime(2026, 6, 10, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def feeds(client, cisa_editor) -> dict[str, str]:
    """Make the CISA editor's calendar addresses on the page, as a person would; return them by name."""
    client.force_login(cisa_editor)
    with time_machine.travel(MADE_AT, tick=False):
        made = client.post("/account/calendar/", {"rotate": "yes"}, follow=True)
    assert made.status_code == 200
    page = made.content.decode()
    rows = re.findall(r'<th scope="row" data-label="Calendar">(.*?)</th>.*?value="([^"]+)"', page, re.S)
    return {html.unescape(name): url.replace("http://testserver", "") for name, url in rows}


def parse(client, url: str) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> dict[str, Component]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_the_order_feed_has_every_due_date_as_an_all_day_event(feeds, order, client):
    client.logout()  # calendar programs send no session: the address is enough
    cal = parse(client, feeds["Executive Order 14409"])
    dated = Directive.objects.filter(order=order, due_on__isnull=False).trackable()
    found = events(cal)
    assert len(found) == dated.count() > 5
    for directive in dated:
        event = found[calendar.uid(directive)]
        assert event.decoded("DTSTART") == directive.due_on  # a date: all day
        assert event.decoded("DTEND") == directive.due_on + dt.timedelta(days=1)
        assert f"sec. {directive.ref}" in str(event["SUMMARY"])
        assert str(event["STATUS"]) == "CONFIRMED"
        assert event.decoded("SEQUENCE") == 0


def test_the_users_feed_has_their_agencies_and_the_agency_feed_its_own(feeds, order, client):
    mine = events(parse(client, feeds["Your agencies' directives"]))
    cisa = events(parse(client, feeds["Cybersecurity and Infrastructure Security Agency"]))
    led = (
        Directive.objects.filter(order=order, due_on__isnull=False)
        .trackable()
        .led_by([Directive.objects.get(order=order, ref="2(c)(ii)").owner.pk])
    )
    assert set(cisa) == {calendar.uid(d) for d in led}
    assert set(cisa) <= set(mine)
    treasury_only = (
        Directive.objects.filter(involvements__agency__abbreviation="TREASURY", due_on__isnull=False)
        .exclude(involvements__agency__abbreviation__in=["CISA", "DHS"])
        .trackable()
    )
    assert not {calendar.uid(d) for d in treasury_only} & set(mine)


def test_a_moved_deadline_updates_the_same_event(feeds, directive, admin_user, client):
    d = directive("2(c)(ii)")
    url = feeds["Executive Order 14409"]
    before = events(parse(client, url))[calendar.uid(d)]
    with time_machine.travel(dt.datetime(2026, 6, 20, 15, 0, tzinfo=dt.UTC), tick=False):
        actions.extend_deadline(
            d, dt.date(2026, 8, 14), actor=admin_user, justification="OMB agreed a month more."
        )
    after = events(parse(client, url))[calendar.uid(d)]
    assert after.decoded("DTSTART") == dt.date(2026, 8, 14)
    assert after.decoded("SEQUENCE") == before.decoded("SEQUENCE") + 1
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")


def test_a_completed_directive_is_cancelled_not_dropped(feeds, directive, cisa_editor, client, today):
    d = directive("2(c)(ii)")
    actions.change_status(d, "completed", actor=cisa_editor, completed_on=today)
    event = events(parse(client, feeds["Executive Order 14409"]))[calendar.uid(d)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 1


def test_a_reopened_directive_goes_up_in_sequence_in_icalendar_and_vobject(
    feeds, directive, cisa_editor, client, today
):
    d = directive("2(c)(ii)")
    url = feeds["Executive Order 14409"]
    actions.change_status(d, "completed", actor=cisa_editor, completed_on=today)
    actions.change_status(d, "in_progress", actor=cisa_editor, note="The scan found more systems.")
    body = client.get(url).content
    event = events(Calendar.from_ical(body))[calendar.uid(d)]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("SEQUENCE") == 2  # 0 as loaded, 1 completed, 2 reopened: never back down
    # A second, independent parser reads the same feed the same way.
    by_uid = {e.uid.value: e for e in vobject.readOne(body.decode()).vevent_list}
    again = by_uid[calendar.uid(d)]
    assert again.sequence.value == "2"
    assert again.status.value == "CONFIRMED"
    assert again.dtstart.value == d.due_on
    assert len(by_uid) == len(events(Calendar.from_ical(body)))


def test_an_events_uid_does_not_depend_on_the_sites_host(directive):
    d = directive("2(c)(ii)")
    with override_settings(SITE_URL="https://orderctl.agency.gov"):
        there = calendar.uid(d)
    with override_settings(SITE_URL="http://127.0.0.1:8000"):
        here = calendar.uid(d)
    assert there == here
    assert "127.0.0.1" not in here
    assert calendar.uid(directive("2(a)")) != here


def test_the_page_offers_a_webcal_link_and_a_copy_button_for_each_address(client, cisa_editor):
    client.force_login(cisa_editor)
    page = client.post("/account/calendar/", {"rotate": "yes"}, follow=True).content.decode()
    addresses = re.findall(r'value="(http://testserver/calendar/[^"]+)"', page)
    assert addresses
    for n, address in enumerate(addresses, start=1):
        assert f'href="webcal://{address.removeprefix("http://")}"' in page
        assert f'data-copy-from="feed-{n}"' in page
    assert "js/copy-key" in page


def test_a_rescinded_directive_is_cancelled(directive):
    d = Directive.objects.with_agencies().get(pk=directive("2(c)(ii)").pk)
    d.status = Status.RESCINDED  # as a later order leaves it (tests/integrations/test_rescinded.py)
    event = calendar.event_of(d, dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    assert str(event["STATUS"]) == "CANCELLED"
    assert "rescinded" in str(event["DESCRIPTION"])


def test_rotating_the_address_retires_the_old_one(feeds, client, cisa_editor):
    old = feeds["Executive Order 14409"]
    client.force_login(cisa_editor)
    assert client.post("/account/calendar/", {"rotate": "yes"}).status_code == 302
    client.logout()
    assert client.get(old).status_code == 404
    assert (
        AccessEvent.objects.filter(
            kind=AccessEvent.Kind.CALENDAR_KEY_ROTATED, subject_id=cisa_editor.pk
        ).count()
        == 2
    )


def test_the_key_is_stored_as_a_digest_and_shown_once(feeds, client, cisa_editor):
    key = feeds["Executive Order 14409"].split("/")[2]
    token = CalendarToken.objects.get(user=cisa_editor)
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in token.digest
    client.force_login(cisa_editor)
    again = client.get("/account/calendar/").content.decode()
    assert key not in again
    assert "They are not shown again" in again


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/no-such-key/mine.ics",
        "/calendar/{key}/agency/NOPE.ics",
        "/calendar/{key}/orders/99999.ics",
        "/calendar/" + "k" * 200 + "/mine.ics",
    ],
)
def test_an_unknown_key_agency_or_order_is_a_404(feeds, client, path):
    key = feeds["Executive Order 14409"].split("/")[2]
    assert client.get(path.format(key=key)).status_code == 404


def test_an_inactive_users_addresses_stop_working(feeds, client, cisa_editor):
    cisa_editor.is_active = False
    cisa_editor.save()
    assert client.get(feeds["Executive Order 14409"]).status_code == 404


def test_a_stray_post_changes_nothing(client, cisa_editor):
    client.force_login(cisa_editor)
    refused = client.post("/account/calendar/", {})
    assert refused.status_code == 400
    assert "Nothing was changed" in refused.content.decode()
    assert not CalendarToken.objects.exists()
