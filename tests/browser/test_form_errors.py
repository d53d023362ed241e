"""A refused form in a real browser, at a phone's width: the same address, every error at once, the
error summary focused with a link to each field, nothing wider than the screen, and axe finds nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from directives.models import ExtensionRequest

from .conftest import OVERFLOW

pytestmark = pytest.mark.browser


def summary_is_focused(page: Page) -> bool:
    page.wait_for_load_state("load")  # site.js, deferred, focuses it
    return page.evaluate("() => document.activeElement.hasAttribute('data-error-summary')")


def test_a_refused_form_keeps_its_address_and_focuses_its_error_summary(
    phone, live_server, sign_in, check_page, today, directive, treasury_editor
):
    # The sign-in form: a wrong password is said at the top, focused, at the sign-in page's address.
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_label("Username", exact=True).fill("treasury-editor")
    phone.get_by_label("Password", exact=True).fill("not the password")
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.locator("[data-error-summary]")).to_contain_text("correct username and password")
    assert phone.url == f"{live_server.url}/accounts/login/"
    assert summary_is_focused(phone)
    check_page(phone, "sign-in-refused")

    # The extension request of issue 24: a date before the deadline and no justification, both at once.
    sign_in(phone, "treasury-editor")
    d = directive("2(d)")
    address = f"{live_server.url}/directives/{d.pk}/"
    phone.goto(address)
    phone.get_by_label("New date asked for").fill("2026-07-01")
    phone.get_by_role("button", name="Request an extension").click()
    summary = phone.locator("[data-error-summary]")
    expect(summary).to_contain_text("Your request was not sent")
    assert phone.url == address
    assert summary_is_focused(phone)
    expect(summary.get_by_role("link", name="New date asked for")).to_have_attribute(
        "href", "#id_extension-requested_due_on"
    )
    expect(summary.get_by_role("link", name="Justification")).to_have_attribute(
        "href", "#id_extension-justification"
    )
    # Each error at its field too, and the field says so to a screen reader.
    expect(phone.get_by_label("Justification")).to_have_attribute(
        "aria-describedby", "id_extension-justification_helptext id_extension-justification_error"
    )
    expect(phone.locator("#id_extension-requested_due_on_error")).to_contain_text(
        "Ask for a date after the current deadline"
    )
    assert phone.get_by_label("New date asked for").input_value() == "2026-07-01"  # what was typed is kept
    found = phone.evaluate(OVERFLOW)
    assert found["scroll"] <= 0, found
    check_page(phone, "extension-refused")
    assert not ExtensionRequest.objects.exists()

    # Corrected, it is sent: the page says so and no summary is left.
    phone.get_by_label("New date asked for").fill("2027-01-15")
    phone.get_by_label("Justification").fill("The contract award slipped a quarter.")
    phone.get_by_role("button", name="Request an extension").click()
    expect(phone.get_by_text("Extension of 2(d) requested")).to_be_visible()
    assert phone.url == address
    expect(phone.locator("[data-error-summary]")).to_have_count(0)
    assert ExtensionRequest.objects.get().requested_due_on.isoformat() == "2027-01-15"
