"""The API tokens page in a real browser: create, see the key once, revoke; axe on each state."""

import pytest
from playwright.sync_api import expect

from agencies.models import APIToken

pytestmark = pytest.mark.browser


def test_an_editor_creates_and_revokes_a_token(page, live_server, sign_in, check_page, cisa_editor):
    sign_in(page, "cisa-editor")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_text("You have no API token.")).to_be_visible()
    check_page(page, "1-empty")

    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#id_name_error")).to_contain_text("Give the token a name")
    check_page(page, "2-error")

    page.get_by_label("Name", exact=True).fill("nightly status export")
    # USWDS hides the radio input itself and styles its label, which is what a person clicks.
    page.get_by_text("Read and write: may also record updates, as you can").click()
    expect(page.get_by_label("Read and write: may also record updates, as you can")).to_be_checked()
    page.get_by_label("Expires", exact=True).select_option("30")
    page.get_by_role("button", name="Create token").click()
    key = page.locator("#new-token-key").input_value()
    token = APIToken.objects.get(user=cisa_editor)
    assert key.startswith(token.token_key)
    assert not token.read_only
    check_page(page, "3-created")

    page.get_by_role("button", name="Revoke the token nightly status export").click()
    expect(page.get_by_role("status")).to_contain_text("Revoked the token")
    expect(page.get_by_text("You have no API token.")).to_be_visible()
    assert not APIToken.objects.exists()
    check_page(page, "4-revoked")
