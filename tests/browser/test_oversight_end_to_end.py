"""Issue 14's "Done when", tried in a real browser as a new user would, both halves of the loop joined.

cisa-editor completes 2(c)(i) (150 days late) attaching a PDF; the reviewer verifies it, citing that
file; treasury-editor asks for an extension of 2(d); the reviewer approves it; the dashboard and the
as-of report show each step. Then the back-dating attack: cisa-editor reopens 2(c)(i) and completes it
again dated before its deadline. It is flagged with both dates, its review starts again, and the
verified on-time count does not move. Each page is screenshotted and checked with axe.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from playwright.sync_api import Page, expect

from directives.models import Directive, EvidenceFile, ExtensionRequest, Review, Status
from tests.evidence import samples

pytestmark = pytest.mark.browser

DUE = dt.date(2026, 7, 2)  # 2(c)(i) and 2(d), as EO 14409 dates them
LATE = DUE + dt.timedelta(days=150)  # Sun 2026-11-29, the day before the fixtures' today


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {**settings.STORAGES["evidence"], "OPTIONS": {"location": str(tmp_path / "evidence")}},
    }


def figures(page: Page, live_server) -> dict[str, str]:
    """Open the dashboard and return its oversight figures by their data-summary names."""
    page.goto(f"{live_server.url}/dashboard/")
    names = (
        "verified_on_time", "completed_on_time", "verified_late", "completed_late", "claimed_complete",
        "verified", "unreviewed", "pending_extensions",
    )  # fmt: skip
    found = {name: page.locator(f"[data-summary={name}]").inner_text() for name in names}
    flagged = page.locator("[data-summary=flagged]")
    found["flagged"] = flagged.inner_text() if flagged.count() else "0"
    return found


def report_cell(page: Page, ref: str) -> str:
    """Return the "verified or claimed" cell of ``ref``'s row on the report page open."""
    return (
        page.locator("tr", has=page.locator(f"th[scope=row]:text-is('{ref}')"))
        .locator("td[data-basis]")
        .inner_text()
    )


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_issue_14_done_when(
    page, live_server, sign_in, check_page, cisa_editor, treasury_editor, reviewer, today, tmp_path
):
    part = Directive.objects.get(ref="2(c)(i)")
    clearinghouse = Directive.objects.get(ref="2(d)")
    new_date = (clearinghouse.due_on + dt.timedelta(days=120)).isoformat()
    pdf = tmp_path / "BOD 26-01.pdf"
    pdf.write_bytes(samples.pdf())
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    report_url = f"{live_server.url}/orders/14409/report/?as_of={today.isoformat()}"

    # 1. cisa-editor attaches the PDF to 2(c)(i) and completes it, 150 days late.
    sign_in(page, "cisa-editor")
    page.goto(f"{live_server.url}/directives/{part.pk}/")
    page.get_by_label("Evidence file", exact=True).set_input_files(str(pdf))
    page.get_by_role("button", name="Attach the file").click()
    expect(page.get_by_role("status")).to_contain_text("Attached BOD 26-01.pdf to 2(c)(i)")
    page.get_by_label("Status", exact=True).select_option("completed")
    page.get_by_label("Completion date", exact=True).fill(LATE.isoformat())
    page.get_by_label("Note", exact=True).fill("BOD 26-01 issued to every civilian agency.")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded for 2(c)(i)")
    expect(page.locator("[data-review]")).to_have_attribute("data-review", "unreviewed")
    expect(page.locator(".orderctl-evidence")).to_contain_text(digest)
    expect(page.locator("[data-flag=completion]")).to_have_count(0)  # recorded the next day
    check_page(page, "1-completed-with-pdf")
    step1 = figures(page, live_server)
    assert (step1["claimed_complete"], step1["verified"], step1["unreviewed"]) == ("1", "0", "1")
    assert (step1["completed_late"], step1["verified_late"], step1["verified_on_time"]) == ("1", "0", "0")
    check_page(page, "1-dashboard")
    page.goto(report_url)
    assert report_cell(page, "2(c)(i)") == "claimed"
    expect(page.locator("[data-report=totals]")).to_contain_text("fully complete 1 (verified 0)")
    check_page(page, "1-report")
    sign_out(page)

    # 2. The reviewer verifies it, citing the attached file as the page offers it.
    sign_in(page, "reviewer")
    page.goto(f"{live_server.url}/directives/{part.pk}/")
    offered = page.locator("#review-evidence-files option").get_attribute("value")
    assert offered == f"BOD 26-01.pdf, SHA-256 {digest}"
    assert page.get_by_label("Evidence", exact=True).get_attribute("list") == "review-evidence-files"
    page.locator("label[for=id_review-review_0]", has_text="Verified").click()
    page.get_by_label("What you found", exact=True).fill("The BOD in the attached PDF is the one published.")
    page.get_by_label("Evidence", exact=True).fill(offered)
    check_page(page, "2-review-form")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("status")).to_contain_text("Reviewed 2(c)(i): verified.")
    expect(page.locator(".orderctl-timeline__item").first).to_contain_text(f"SHA-256 {digest}")
    check_page(page, "2-verified")
    step2 = figures(page, live_server)
    assert (step2["verified"], step2["verified_late"], step2["verified_on_time"]) == ("1", "1", "0")
    check_page(page, "2-dashboard")
    page.goto(report_url)
    assert report_cell(page, "2(c)(i)") == "verified"
    expect(page.locator("[data-report=totals]")).to_contain_text("fully complete 1 (verified 1)")
    check_page(page, "2-report")
    sign_out(page)

    # 3. treasury-editor asks for an extension of 2(d): the dashboard lists it as pending.
    sign_in(page, "treasury-editor")
    page.goto(f"{live_server.url}/directives/{clearinghouse.pk}/")
    page.get_by_label("New date asked for", exact=True).fill(new_date)
    page.get_by_label("Justification", exact=True).fill("The clearinghouse's contract is still in award.")
    page.get_by_role("button", name="Request an extension").click()
    expect(page.get_by_role("status")).to_contain_text("Extension of 2(d) requested")
    check_page(page, "3-requested")
    assert figures(page, live_server)["pending_extensions"] == "1"
    expect(page.locator("[data-rows=extensions]")).to_contain_text("2(d)")
    check_page(page, "3-dashboard")
    sign_out(page)

    # 4. The reviewer approves it from the dashboard's list: no request is pending any more.
    sign_in(page, "reviewer")
    page.goto(f"{live_server.url}/dashboard/")
    page.locator("[data-rows=extensions]").get_by_role("link", name="2(d)").click()
    page.get_by_role("button", name="Approve the extension").click()
    expect(page.get_by_role("status")).to_contain_text("Extension of 2(d) approved")
    expect(page.locator("[data-extension=approved]")).to_be_visible()
    check_page(page, "4-approved")
    step4 = figures(page, live_server)
    assert (step4["pending_extensions"], step4["verified"]) == ("0", "1")
    check_page(page, "4-dashboard")
    sign_out(page)

    # 5. The back-dating attack: cisa-editor reopens 2(c)(i), completes it again dated before the deadline.
    sign_in(page, "cisa-editor")
    page.goto(f"{live_server.url}/directives/{part.pk}/")
    page.get_by_label("Status", exact=True).select_option("in_progress")
    page.get_by_label("Note", exact=True).fill("Reopened to correct the date.")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded for 2(c)(i)")
    page.get_by_label("Status", exact=True).select_option("completed")
    page.get_by_label("Completion date", exact=True).fill((DUE - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded for 2(c)(i)")
    flag = page.locator("[data-flag=completion]")
    expect(flag).to_contain_text("Completed Wed 2026-07-01, recorded Mon 2026-11-30")
    expect(flag).to_contain_text("dated before an earlier completion of Sun 2026-11-29")
    expect(page.locator("[data-review]")).to_have_attribute("data-review", "unreviewed")
    check_page(page, "5-flagged")
    step5 = figures(page, live_server)
    assert step5["verified_on_time"] == step2["verified_on_time"] == "0"
    # Flagged: never counted on time on the agency's word alone (issue 21).
    assert (step5["completed_on_time"], step5["flagged"], step5["verified"]) == ("0", "1", "0")
    check_page(page, "5-dashboard")
    page.goto(report_url)
    assert report_cell(page, "2(c)(i)") == "claimed"  # the new claim is not verified
    expect(page.locator("[data-report=totals]")).to_contain_text("fully complete 1 (verified 0)")
    check_page(page, "5-report")

    part.refresh_from_db()
    clearinghouse.refresh_from_db()
    assert (part.status, part.review, part.completed_on) == (
        Status.COMPLETED,
        Review.UNREVIEWED,
        DUE - dt.timedelta(days=1),
    )
    assert EvidenceFile.objects.get(directive=part).sha256 == digest
    assert (clearinghouse.due_on, clearinghouse.original_due_on) == (dt.date.fromisoformat(new_date), DUE)
    assert ExtensionRequest.objects.get().state == "approved"
