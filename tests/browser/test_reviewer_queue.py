"""Issue 21's "Done when", tried in a real browser as an oversight reviewer would.

cisa-editor has completed 2(c)(i) and 2(c)(ii) and asked for 2(c)(iii), the last open part of 2(c), to
move to Jan 15, 2027. The reviewer opens "My queue", verifies one claim, disputes the other, approves
the extension (someone else's), sees the parent 2(c) stop being overdue, and prints the as-of report for
a date in June with its original and effective due dates. axe finds nothing at each step.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from directives import actions
from directives.models import Directive, Review, Status

pytestmark = pytest.mark.browser

NEW_DATE = dt.date(2027, 1, 15)


@pytest.fixture
def waiting(today, directive, cisa_editor):
    """Two claims of CISA's and its request for 2(c)(iii), made by cisa-editor the day before today."""
    for ref in ("2(c)(i)", "2(c)(ii)"):
        actions.change_status(directive(ref), Status.COMPLETED, actor=cisa_editor, completed_on=today)
    actions.request_extension(
        directive("2(c)(iii)"), NEW_DATE, actor=cisa_editor, justification="The pilot's funding came late."
    )


def queue_link(page: Page, queue: str, ref: str):
    return page.locator(f"[data-queue={queue}] tr[data-ref='{ref}']").get_by_role("link")


def review(page: Page, verdict: str, note: str) -> None:
    # The directive page a queue link opened must have loaded (its script run) before the form is
    # filled: a verdict clicked while it was still loading was seen lost ("This field is required").
    page.wait_for_load_state("load")
    page.locator("label[for^=id_review-review_]", has_text=verdict).click()
    expect(page.get_by_role("radio", name=verdict)).to_be_checked()
    page.get_by_label("What you found", exact=True).fill(note)
    page.get_by_role("button", name="Save review").click()


def test_issue_21_a_reviewers_round(page, live_server, sign_in, check_page, reviewer, waiting):
    parent = Directive.objects.get(ref="2(c)")

    # 1. My queue: both claims, oldest first, and the pending request.
    sign_in(page, "reviewer")
    page.get_by_role("link", name="My queue").click()
    expect(page.get_by_role("heading", name="Claims not reviewed yet (2)")).to_be_visible()
    expect(page.locator("[data-queue=extensions]")).to_contain_text("2(c)(iii)")
    check_page(page, "1-my-queue")

    # 2. Verify 2(c)(i).
    queue_link(page, "claims", "2(c)(i)").click()
    review(page, "Verified", "The program charter is signed and dated.")
    expect(page.get_by_role("status")).to_contain_text("Reviewed 2(c)(i): verified.")
    check_page(page, "2-verified")

    # 3. Dispute 2(c)(ii), from the queue again: 2(c)(i) has left it.
    page.get_by_role("link", name="My queue").click()
    expect(page.locator("[data-queue=claims] tr[data-ref='2(c)(i)']")).to_have_count(0)
    queue_link(page, "claims", "2(c)(ii)").click()
    review(page, "Disputed", "No charter was attached; the pilot has not started.")
    expect(page.get_by_role("status")).to_contain_text("Reviewed 2(c)(ii): disputed.")
    check_page(page, "3-disputed")

    # 4. The parent is overdue through its last open part, 151 days past Jul 2.
    page.goto(f"{live_server.url}/directives/{parent.pk}/")
    expect(page.locator(".orderctl-overdue-days").first).to_contain_text("151 days overdue")
    check_page(page, "4-parent-overdue")

    # 5. Approve the extension of 2(c)(iii), which cisa-editor asked for.
    page.get_by_role("link", name="My queue").click()
    queue_link(page, "extensions", "2(c)(iii)").click()
    page.get_by_role("button", name="Approve the extension").click()
    expect(page.get_by_role("status")).to_contain_text("Extension of 2(c)(iii) approved")
    check_page(page, "5-approved")

    # 6. The parent is no longer overdue: its only open part is due Jan 15, 2027.
    page.goto(f"{live_server.url}/directives/{parent.pk}/")
    expect(page.locator(".orderctl-overdue-days")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("46 days left")
    check_page(page, "6-parent-not-overdue")

    # 7. The as-of report for Jun 30, printed: original and effective due dates side by side.
    page.goto(f"{live_server.url}/orders/14409/report/?as_of=2026-06-30")
    page.emulate_media(media="print")
    expect(page.get_by_role("columnheader", name="Original due date")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Effective due date")).to_be_visible()
    row = page.locator("tr", has=page.locator("th[scope=row]:text-is('2(c)(iii)')"))
    expect(row.locator("[data-due=original]")).to_have_text("Thu 2026-07-02")
    expect(row.locator("[data-due=effective]")).to_have_text("Thu 2026-07-02")  # extended only in November
    check_page(page, "7-report-june-printed")
    page.emulate_media(media="screen")

    assert Directive.objects.get(ref="2(c)(i)").review == Review.VERIFIED
    assert Directive.objects.get(ref="2(c)(ii)").review == Review.DISPUTED
    assert Directive.objects.get(ref="2(c)(iii)").due_on == NEW_DATE
