"""The integration pages in a real browser, with axe and the CSP: calendar addresses, notification
settings, the public open-data page (signed out), and the sign-in page with single sign-on."""

import re

import pytest
from playwright.sync_api import expect

from directives import actions

pytestmark = pytest.mark.browser


def test_an_editor_makes_calendar_addresses_and_chooses_a_digest(
    page, live_server, sign_in, check_page, cisa_editor
):
    sign_in(page, "cisa-editor")
    page.get_by_role("link", name="Calendar").click()
    expect(page.get_by_text("You have no calendar addresses yet.")).to_be_visible()
    check_page(page, "1-calendar-empty")
    page.get_by_role("button", name="Make my calendar addresses").click()
    expect(page.get_by_role("heading", name="Your calendar addresses")).to_be_visible()
    address = page.get_by_label("Address of Executive Order 14409").input_value()
    assert address.startswith(live_server.url + "/calendar/") and address.endswith("/orders/14409.ics")
    check_page(page, "2-calendar-addresses")

    page.get_by_role("link", name="Notifications").click()
    # Each channel has its own group of kinds: email, one's own webhook, one's notices feed.
    emails = page.get_by_role("group", name="Which notices", exact=True)
    feed = page.get_by_role("group", name="Which notices to list in your notices feed")
    page.get_by_text("One daily digest", exact=True).click()
    emails.get_by_text("Reminder before the deadline", exact=True).click()  # turn reminders off
    feed.get_by_text("Completed", exact=True).click()
    page.get_by_label("Your time zone").fill("Mars/Olympus_Mons")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("'Mars/Olympus_Mons' is not a time zone; give its IANA name").first
    ).to_be_visible()
    check_page(page, "3-notifications-bad-time-zone")
    page.get_by_label("Your time zone").fill("America/Chicago")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    expect(page.get_by_label("One daily digest")).to_be_checked()
    expect(emails.get_by_label("Reminder before the deadline")).not_to_be_checked()
    expect(feed.get_by_label("Completed", exact=True)).to_be_checked()
    expect(page.get_by_label("Your time zone")).to_have_value("America/Chicago")
    check_page(page, "4-notifications-saved")
    page.get_by_role("link", name="your notices feed").click()
    expect(page.get_by_role("heading", name="Your notices")).to_be_visible()
    expect(page.get_by_text("times in America/Chicago")).to_be_visible()
    check_page(page, "5-notices-feed")
    # The same notices as an Atom feed for a reader: the address is made here and shown once.
    page.get_by_role("button", name="Make my feed address").click()
    expect(page.get_by_text("New feed address made")).to_be_visible()
    expect(page.get_by_role("textbox", name="Feed address")).to_have_value(
        re.compile(r"/notices/[\w-]+/feed\.atom$")
    )
    check_page(page, "6-notices-feed-address")


def test_the_public_sees_a_published_order_without_signing_in(
    page, live_server, check_page, order, admin_user
):
    actions.publish_order(order, actor=admin_user)
    page.goto(f"{live_server.url}/open-data/orders/14409/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Executive Order 14409")
    expect(page.get_by_text("Last updated")).to_contain_text("(US Eastern)")
    expect(page.get_by_role("heading", name="License")).to_be_visible()
    check_page(page, "open-data")
