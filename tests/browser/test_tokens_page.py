"""The API tokens page in a real browser: create (the key shown once, copied with the button), revoke
after confirming; axe on each state; and the same without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from agencies.models import APIToken

pytestmark = pytest.mark.browser

READ_WRITE_LABEL = "Read and write: may also record updates, as you can"
EASTERN_TIME = re.compile(r"It expires [A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d E[SD]T\.")


def test_an_editor_creates_copies_and_revokes_a_token(page, live_server, sign_in, check_page, cisa_editor):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, "cisa-editor")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_text("You have no API token.")).to_be_visible()
    check_page(page, "1-empty")

    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#id_name_error")).to_contain_text("Give the token a name")
    check_page(page, "2-error")

    page.get_by_label("Name", exact=True).fill("nightly status export")
    # USWDS hides the radio input itself and styles its label, which is what a person clicks.
    page.get_by_text(READ_WRITE_LABEL).click()
    expect(page.get_by_label(READ_WRITE_LABEL)).to_be_checked()
    page.get_by_label("Expires", exact=True).select_option("30")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#id_current_password_error")).to_contain_text("Enter your password")
    assert not APIToken.objects.exists()
    check_page(page, "3-password-needed")

    page.get_by_label("Your password (for a read-and-write token)").fill("pw")
    page.get_by_role("button", name="Create token").click()
    key = page.locator("#new-token-key").input_value()
    token = APIToken.objects.get(user=cisa_editor)
    assert key.startswith(token.token_key)
    assert not token.read_only
    expect(page.get_by_text("It expires")).to_contain_text(EASTERN_TIME)
    page.get_by_role("button", name="Copy the key").click()
    expect(page.locator("#new-token-copied")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == key
    check_page(page, "4-created")

    # A reload shows the list, not the key, and creates nothing.
    page.reload()
    expect(page.locator("#new-token-key")).to_have_count(0)
    assert APIToken.objects.count() == 1

    page.get_by_role("link", name="Revoke the token nightly status export").click()
    expect(page.get_by_role("heading", name="Revoke the token “nightly status export”?")).to_be_visible()
    assert APIToken.objects.count() == 1
    check_page(page, "5-confirm")
    page.get_by_role("button", name="Revoke the token").click()
    expect(page.get_by_role("status")).to_contain_text("Revoked the token")
    expect(page.get_by_text("You have no API token.")).to_be_visible()
    assert not APIToken.objects.exists()
    check_page(page, "6-revoked")


def test_the_page_works_without_javascript(no_js_page, live_server, sign_in, cisa_editor):
    page = no_js_page
    sign_in(page, "cisa-editor")
    page.goto(f"{live_server.url}/account/tokens/")
    page.get_by_label("Name", exact=True).fill("dashboard")
    page.get_by_role("button", name="Create token").click()
    key = page.locator("#new-token-key").input_value()
    assert key.startswith(APIToken.objects.get(user=cisa_editor).token_key)
    # Nothing to click without JavaScript: the key is selected and copied by hand.
    expect(page.get_by_role("button", name="Copy the key")).to_be_hidden()

    page.get_by_role("link", name="Revoke the token dashboard").click()
    page.get_by_role("button", name="Revoke the token").click()
    expect(page.get_by_text("Revoked the token “dashboard”. It no longer works.")).to_be_visible()
    assert not APIToken.objects.exists()
