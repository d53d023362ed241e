"""The oversight loop in a real browser, as issue 14 tries it: cisa-editor completes 2(c)(i); the reviewer
verifies it; treasury-editor asks for an extension of 2(d); the reviewer approves it; the dashboard shows
each step. A screenshot and an axe check per page (tests/browser/conftest.py)."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from directives.models import Directive, ExtensionRequest, Review, Status

pytestmark = pytest.mark.browser


def dashboard_line(page: Page, live_server) -> str:
    page.goto(f"{live_server.url}/dashboard/")
    return " ".join(page.locator("[data-oversight=completions]").inner_text().split())


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_complete_verify_request_and_approve_as_the_issue_tries_it(
    page, live_server, sign_in, check_page, cisa_editor, treasury_editor, reviewer
):
    part = Directive.objects.get(ref="2(c)(i)")
    clearinghouse = Directive.objects.get(ref="2(d)")
    new_date = (clearinghouse.due_on + dt.timedelta(days=120)).isoformat()

    # 1. cisa-editor marks 2(c)(i) completed.
    sign_in(page, "cisa-editor")
    page.goto(f"{live_server.url}/directives/{part.pk}/")
    page.get_by_label("Status", exact=True).select_option("completed")
    page.get_by_label("Note", exact=True).fill("BOD 26-01 issued to every civilian agency.")
    page.get_by_label("Evidence link", exact=True).fill("https://www.cisa.gov/bod-26-01")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded for 2(c)(i)")
    expect(page.locator("[data-review]")).to_have_attribute("data-review", "unreviewed")
    check_page(page, "1-completed")
    assert "Claimed complete 1, verified 0, disputed 0, no evidence found 0, not reviewed yet 1" in (
        dashboard_line(page, live_server)
    )
    check_page(page, "1-dashboard")
    sign_out(page)

    # 2. The reviewer verifies it.
    sign_in(page, "reviewer")
    page.goto(f"{live_server.url}/directives/{part.pk}/")
    expect(page.get_by_role("heading", name="Review the agency's claim")).to_be_visible()
    check_page(page, "2-review-form")
    # USWDS draws its own radio: the input itself sits off-screen, its label takes the click.
    page.locator("label[for=id_review-review_0]", has_text="Verified").click()
    expect(page.get_by_label("Verified", exact=True)).to_be_checked()
    page.get_by_label("What you found", exact=True).fill("BOD 26-01 is published on cisa.gov.")
    page.get_by_label("Evidence", exact=True).fill("https://www.cisa.gov/bod-26-01")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("status")).to_contain_text("Reviewed 2(c)(i): verified.")
    expect(page.locator(".orderctl-timeline__item").first).to_contain_text("Reviewed: verified")
    check_page(page, "2-verified")
    assert "Claimed complete 1, verified 1, disputed 0" in dashboard_line(page, live_server)
    check_page(page, "2-dashboard")
    sign_out(page)

    # 3. treasury-editor asks for an extension of 2(d).
    sign_in(page, "treasury-editor")
    page.goto(f"{live_server.url}/directives/{clearinghouse.pk}/")
    page.get_by_label("New date asked for", exact=True).fill(new_date)
    page.get_by_label("Justification", exact=True).fill("The clearinghouse's contract is still in award.")
    page.get_by_role("button", name="Request an extension").click()
    expect(page.get_by_role("status")).to_contain_text("Extension of 2(d) requested")
    expect(page.locator("[data-extension=pending]")).to_contain_text("treasury-editor for TREASURY")
    check_page(page, "3-requested")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("[data-summary=pending_extensions]")).to_have_text("1")
    expect(page.locator("[data-rows=extensions]")).to_contain_text("2(d)")
    check_page(page, "3-dashboard")
    sign_out(page)

    # 4. The reviewer approves it.
    sign_in(page, "reviewer")
    page.goto(f"{live_server.url}/dashboard/")
    page.locator("[data-rows=extensions]").get_by_role("link", name="2(d)").click()
    expect(page.get_by_role("button", name="Approve the extension")).to_be_visible()
    check_page(page, "4-decision-form")
    page.get_by_role("button", name="Approve the extension").click()
    expect(page.get_by_role("status")).to_contain_text("Extension of 2(d) approved")
    expect(page.locator("[data-extension=approved]")).to_be_visible()
    expect(page.locator(".orderctl-timeline__item").first).to_contain_text("Deadline extended from")
    check_page(page, "4-approved")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("[data-summary=pending_extensions]")).to_have_text("0")
    expect(page.locator("[data-summary=verified]")).to_have_text("1")
    check_page(page, "4-dashboard")

    part.refresh_from_db()
    clearinghouse.refresh_from_db()
    assert (part.status, part.review) == (Status.COMPLETED, Review.VERIFIED)
    assert clearinghouse.due_on == dt.date.fromisoformat(new_date)
    assert clearinghouse.original_due_on == dt.date(2026, 7, 2)
    assert ExtensionRequest.objects.get().state == "approved"
