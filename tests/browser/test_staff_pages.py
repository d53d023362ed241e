"""The staff pages in a real browser: the issue's scenarios, a screenshot and an axe check per page."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from directives.models import Directive, DirectiveEvent, Status

pytestmark = pytest.mark.browser


def test_a_cisa_editor_completes_2cii_and_sees_it_in_the_history(
    page, live_server, sign_in_with_the_form, check_page, cisa_editor
):
    page.goto(f"{live_server.url}/")
    check_page(page, "1-sign-in")
    sign_in_with_the_form(page, "cisa-editor")
    expect(page.get_by_role("heading", level=1)).to_contain_text("your agency's directives")
    check_page(page, "2-my-agency")

    page.get_by_role(
        "link", name="Establish or expand federal programs for AI-enabled defensive tools"
    ).click()
    expect(page.get_by_role("heading", name="Update this directive")).to_be_visible()
    check_page(page, "3-directive")

    page.get_by_label("Status", exact=True).select_option("completed")
    page.get_by_label("Completion date", exact=True).fill("2026-06-20")
    page.get_by_label("Note", exact=True).fill("AI-enabled defensive tools programme launched.")
    page.get_by_label("Evidence link", exact=True).fill("https://www.cisa.gov/news/ai-defensive-tools")
    page.get_by_role("button", name="Save update").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Recorded for 2(c)(ii): Status changed from Not started to Completed"
    )
    # Recorded months after the day it claims: flagged for review, newest in the history
    # (docs/oversight.md); the status change is the item before it.
    expect(page.locator(".orderctl-timeline__item").first).to_contain_text("Completion flagged for review")
    expect(page.locator("[data-flag=completion]")).to_contain_text("Completed Sat 2026-06-20, recorded")
    history = page.locator(".orderctl-timeline__item").nth(1)
    expect(history).to_contain_text(
        "Status changed from Not started to Completed, completed on Sat 2026-06-20."
    )
    expect(history).to_contain_text("cisa-editor for CISA")
    expect(history).to_contain_text("AI-enabled defensive tools programme launched.")
    expect(history.get_by_role("link", name="https://www.cisa.gov/news/ai-defensive-tools")).to_be_visible()
    check_page(page, "4-recorded")

    d = Directive.objects.get(ref="2(c)(ii)")
    assert (d.status, d.completed_on) == (Status.COMPLETED, dt.date(2026, 6, 20))


def test_a_future_completion_date_is_shown_next_to_the_field_with_the_input_kept(
    page, live_server, sign_in, check_page, cisa_editor, today
):
    future = (today + dt.timedelta(days=10)).isoformat()
    events = DirectiveEvent.objects.count()
    sign_in(page, "cisa-editor")
    page.goto(f"{live_server.url}/directives/{Directive.objects.get(ref='2(c)(ii)').pk}/")
    page.get_by_label("Status", exact=True).select_option("completed")
    page.get_by_label("Completion date", exact=True).fill(future)
    page.get_by_label("Note", exact=True).fill("Finished, we hope.")
    page.get_by_role("button", name="Save update").click()

    error = page.locator("#id_completed_on_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("The completion date cannot be in the future")
    field = page.get_by_label("Completion date", exact=True)
    expect(field).to_have_value(future)
    expect(field).to_have_attribute("aria-describedby", "id_completed_on_helptext id_completed_on_error")
    expect(page.get_by_label("Note", exact=True)).to_have_value("Finished, we hope.")
    expect(page.get_by_label("Status", exact=True)).to_have_value("completed")
    expect(page.get_by_role("alert").first).to_contain_text("Your update was not saved")
    check_page(page, "error")
    assert DirectiveEvent.objects.count() == events


def test_a_treasury_editor_finds_no_form_on_a_cisa_directive(
    page, live_server, sign_in, check_page, treasury_editor
):
    sign_in(page, "treasury-editor")
    check_page(page, "1-my-agency")
    page.goto(f"{live_server.url}/directives/{Directive.objects.get(ref='2(c)(ii)').pk}/")
    expect(page.get_by_role("heading", name="You can read this directive")).to_be_visible()
    expect(page.locator("input[name=version]")).to_have_count(0)
    expect(page.get_by_role("button", name="Save update")).to_have_count(0)
    expect(page.get_by_role("button", name="Add note")).to_have_count(0)
    check_page(page, "2-cisa-directive")


def test_a_consulted_editor_gets_the_note_form_only(page, live_server, sign_in, check_page, oncd_editor):
    sign_in(page, "oncd-editor")
    page.goto(f"{live_server.url}/directives/{Directive.objects.get(ref='2(c)(ii)').pk}/")
    expect(page.get_by_role("heading", name="Add a note")).to_be_visible()
    expect(page.get_by_label("Status", exact=True)).to_have_count(0)
    page.get_by_label("Note", exact=True).fill("ONCD reviewed the draft guidance.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".orderctl-timeline__item").first).to_contain_text("oncd-editor for ONCD")
    check_page(page, "noted")


def test_a_reviewer_reads_every_directive_and_can_edit_none(page, live_server, sign_in, check_page, reviewer):
    sign_in(page, "reviewer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversight dashboard")
    page.get_by_role("link", name="All directives").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("All directives")
    check_page(page, "1-all-directives")
    links = page.locator("a.orderctl-ref")
    expect(links).to_have_count(13)
    targets = [(links.nth(i).inner_text(), links.nth(i).get_attribute("href")) for i in range(13)]
    for ref, href in targets:
        page.goto(live_server.url + href)
        expect(page.locator(".orderctl-citation")).to_contain_text(f"Sec. {ref}")
        expect(page.get_by_role("heading", name="You can read this directive")).to_be_visible()
        expect(page.locator("input[name=version]")).to_have_count(0)
        check_page(page, f"directive-{ref}")

    page.get_by_role("link", name="Orders", exact=True).click()
    expect(page.get_by_role("heading", name="Limitations and provisions")).to_be_visible()
    check_page(page, "order")

    page.goto(f"{live_server.url}/directives/?agency=DHS&overdue=true")
    expect(page.get_by_label("Lead agency", exact=True)).to_have_value("DHS")
    expect(page.get_by_label("Deadline", exact=True)).to_have_value("true")
    # DHS leads through CISA: the lead-agency filter takes in the department's components.
    expect(page.locator("a.orderctl-ref")).to_have_text(
        ["2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "3", "3(a)", "3(b)"]
    )
    check_page(page, "filtered")

    page.goto(f"{live_server.url}/agency/")
    check_page(page, "my-agency")
    page.goto(f"{live_server.url}/accounts/password/")
    check_page(page, "password")


def test_the_pages_work_without_javascript(no_js_page, live_server, sign_in, cisa_editor):
    page = no_js_page
    sign_in(page, "cisa-editor")
    page.goto(f"{live_server.url}/directives/{Directive.objects.get(ref='2(c)(iii)').pk}/")
    page.get_by_label("Status", exact=True).select_option("in_progress")
    page.get_by_label("Note", exact=True).fill("Started without JavaScript.")
    page.get_by_role("button", name="Save update").click()
    expect(page.locator(".orderctl-timeline__item").first).to_contain_text("Started without JavaScript.")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert Directive.objects.get(ref="2(c)(iii)").status == Status.IN_PROGRESS


def test_on_a_phone_the_menu_folds_behind_the_uswds_menu_button(
    browser, live_server, sign_in, check_page, cisa_editor
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, "cisa-editor")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="All directives")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="All directives").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("All directives")
    context.close()


def test_the_official_banner_says_how_you_know(page, live_server, sign_in, check_page, cisa_editor):
    page.goto(f"{live_server.url}/accounts/login/")
    how = page.get_by_role("button", name="Here\N{RIGHT SINGLE QUOTATION MARK}s how you know")
    expect(page.get_by_text("Official websites use .gov")).to_be_hidden()
    how.click()
    expect(how).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_text("Official websites use .gov")).to_be_visible()
    check_page(page, "banner-open")
    # On a wide screen there is no menu button: the menu is always shown.
    sign_in(page, "cisa-editor")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="All directives")).to_be_visible()
