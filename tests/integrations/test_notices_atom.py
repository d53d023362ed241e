"""Issue 21, item 10: one's notices feed as an Atom feed a reader subscribes to, at a secret address.

The address is made and rotated on the notices page, as the calendar's are; a reader sends no session.
The feed lists the kinds the person chooses for their feed, of the directives they follow.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import defusedxml.ElementTree as ET
import pytest
import time_machine

from agencies.models import Membership
from agencies.roles import revoke_membership
from directives import actions
from directives.actions import calendars
from directives.models.outreach import NoticeFeedKey
from ledger.models import AccessEvent

ATOM = "{http://www.w3.org/2005/Atom}"
NOON = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.UTC)  # 12:00 EDT, after the deadlines


def choose_feed(user, kinds: list[str]) -> None:
    actions.set_notice_settings(
        user, actor=user, mode="immediate", kinds=[], webhook_kinds=[], feed_kinds=kinds,
        time_zone="America/Chicago", webhook_url="",
    )  # fmt: skip


def make_address(client, user) -> str:
    """Make ``user``'s feed address on their notices page, as a person would; return its path."""
    client.force_login(user)
    made = client.post("/account/notices/", {"rotate": "yes"}, follow=True)
    assert made.status_code == 200
    found = re.search(r'id="atom-address" type="text" value="([^"]+)"', made.content.decode())
    assert found is not None, "the page shows the new address once"
    client.logout()  # feed readers send no session: the address is enough
    return html.unescape(found[1]).replace("http://testserver", "")


def entries(client, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        {
            "title": e.findtext(f"{ATOM}title"),
            "summary": e.findtext(f"{ATOM}summary"),
            "link": e.find(f"{ATOM}link").get("href"),
        }
        for e in feed.findall(f"{ATOM}entry")
    ]


@pytest.fixture
def decided(directive, cisa_editor, reviewer):
    """The CISA editor chose extension decisions for their feed; one of theirs was approved."""
    choose_feed(cisa_editor, ["extension_decided"])
    d = directive("2(c)(iii)")
    with time_machine.travel(NOON, tick=False):
        request = actions.request_extension(
            d, dt.date(2026, 9, 1), actor=cisa_editor, justification="Funding came late."
        )
        actions.approve_extension(request, actor=reviewer)
        actions.dispatch_notifications()
    return d


def test_a_reader_with_the_address_gets_the_chosen_notices_as_atom_entries(client, decided, cisa_editor):
    path = make_address(client, cisa_editor)
    response = client.get(path)
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["Referrer-Policy"] == "no-referrer"
    found = entries(client, path)
    assert [(e["title"], e["link"]) for e in found] == [
        (
            "Extension request decided: EO 14409 sec. 2(c)(iii), Facilitate access to cybersecurity tools "
            "and services",
            f"http://testserver/directives/{decided.pk}/",
        )
    ]
    # The time in the person's own zone (Chicago), named.
    assert "Fri 2026-07-10 11:00 CDT (America/Chicago)" in found[0]["summary"]


def test_a_kind_no_longer_chosen_leaves_the_feed(client, decided, cisa_editor):
    path = make_address(client, cisa_editor)
    assert len(entries(client, path)) == 1
    choose_feed(cisa_editor, ["status_changed"])
    assert entries(client, path) == []


def test_a_person_who_left_the_agency_no_longer_reads_its_notices(client, decided, cisa_editor):
    path = make_address(client, cisa_editor)
    assert len(entries(client, path)) == 1
    revoke_membership(Membership.objects.get(user=cisa_editor), actor=None)
    assert entries(client, path) == []


def test_rotating_the_address_retires_the_old_one_and_is_in_the_access_log(client, decided, cisa_editor):
    old = make_address(client, cisa_editor)
    new = make_address(client, cisa_editor)
    assert old != new
    assert client.get(old).status_code == 404
    assert len(entries(client, new)) == 1
    key = new.split("/")[2]
    assert NoticeFeedKey.objects.get(user=cisa_editor).digest == calendars.digest_of(key) != key
    rotations = AccessEvent.objects.filter(kind="notice_feed_key_rotated", subject_id=cisa_editor.pk)
    assert rotations.count() == 2


def test_an_unknown_address_or_an_inactive_persons_is_not_found(client, decided, cisa_editor):
    path = make_address(client, cisa_editor)
    assert client.get("/notices/not-a-key/feed.atom").status_code == 404
    cisa_editor.is_active = False
    cisa_editor.save()
    assert client.get(path).status_code == 404


def test_a_post_without_the_button_changes_no_address(client, cisa_editor):
    client.force_login(cisa_editor)
    response = client.post("/account/notices/", {})
    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()
    assert not NoticeFeedKey.objects.exists()
