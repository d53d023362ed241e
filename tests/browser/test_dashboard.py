"""The oversight dashboard in a real browser, as a reviewer uses it: the issue's scenarios, screenshots
and axe on every view, the refresh from the API, the charts under a strict CSP, no JavaScript, print."""

from __future__ import annotations

import csv
import datetime as dt
import re
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Page, expect

from directives import actions
from directives.models import Directive, Status
from directives.pages.dashboard import REFRESH_SECONDS
from directives.publishing.export import EXPORT_COLUMNS

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

TILES = ("total", "completed_on_time", "completed_late", "overdue", "due_within_30_days")
# What the content security policy of issue 7 allows: our own origin, nothing inline.
STRICT_CSP = "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"


@pytest.fixture
def reported(directive, cisa_editor, treasury_editor):
    """Two completions, one on time and one late, and a blocked directive (all dates before today)."""
    actions.change_status(
        directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 6, 10)
    )
    actions.change_status(
        directive("3(b)"), Status.COMPLETED, actor=treasury_editor, completed_on=dt.date(2026, 8, 4)
    )
    actions.change_status(directive("2(d)"), Status.BLOCKED, actor=treasury_editor)


def shown_tiles(page: Page) -> dict[str, int]:
    return {name: int(page.locator(f'[data-summary="{name}"]').inner_text()) for name in TILES}


def api(page: Page, path: str) -> dict:
    """GET an API path with the page's own session, as the dashboard's script does."""
    response = page.request.get(urljoin(page.url, path))
    assert response.ok, response.text()
    return response.json()


def overdue_refs(page: Page) -> list[str]:
    return page.locator('[data-rows="overdue"] .orderctl-ref').all_inner_texts()


def test_a_reviewer_lands_on_the_dashboard_and_the_tiles_are_the_apis_numbers(
    page, live_server, sign_in, check_page, reviewer, reported
):
    sign_in(page, "reviewer")
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversight dashboard")
    expect(page.locator('[data-chart="timeline"] canvas')).to_be_visible()
    check_page(page, "1-dashboard")
    summary = api(page, "/api/v1/summary/")
    assert shown_tiles(page) == {name: summary[name] for name in TILES}
    assert shown_tiles(page)["total"] == 11  # the trackable items: 2(c) and Sec. 3 count through their parts
    expect(
        page.get_by_role("heading", name=re.compile(r"^Who is late: \d+ overdue directives$"))
    ).to_be_visible()


def test_changing_the_agency_filter_changes_the_address_and_the_numbers(
    page, live_server, sign_in, check_page, reviewer, reported
):
    sign_in(page, "reviewer")
    before = shown_tiles(page)
    page.get_by_label("Lead agency", exact=True).select_option("CISA")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/?agency=CISA")
    expect(page.locator(".dashboard-scope")).to_contain_text("directives led by CISA")
    after = shown_tiles(page)
    assert after != before
    assert after == {name: api(page, "/api/v1/summary/?agency=CISA")[name] for name in TILES}
    assert after["total"] == 5
    # Only CISA's directives are overdue in this view, and the scorecard tallies their leads only.
    for lead in page.locator('[data-rows="overdue"] .dashboard-lead').all_inner_texts():
        assert "CISA" in lead
    check_page(page, "cisa")

    # The view is bookmarkable: opening its address afresh gives the same numbers.
    page.goto(f"{live_server.url}/dashboard/?agency=CISA")
    assert shown_tiles(page) == after
    expect(page.get_by_label("Lead agency", exact=True)).to_have_value("CISA")


def test_the_overdue_list_is_sorted_by_days_overdue_and_links_each_directive(
    page, live_server, sign_in, check_page, reviewer, reported
):
    sign_in(page, "reviewer")
    days = [
        int(text) for text in page.locator('[data-rows="overdue"] .dashboard-days__value').all_inner_texts()
    ]
    assert len(days) == 8
    assert days == sorted(days, reverse=True)
    assert days[0] > days[-1]  # the 30-day deadlines passed two months before the 60-day ones
    listed = api(page, "/api/v1/directives/?overdue=true&ordering=-days_overdue")
    parts = [d for d in listed["results"] if not d["children"]]  # a parent counts through its parts
    assert overdue_refs(page) == [d["ref"] for d in parts]
    assert days == [d["days_overdue"] for d in parts]

    page.locator('[data-rows="overdue"]').get_by_role("link", name="2(f)", exact=True).click()
    expect(page.locator(".orderctl-citation")).to_contain_text("Sec. 2(f)")
    check_page(page, "directive-2f")


def test_the_csv_download_has_one_row_per_directive(page, live_server, sign_in, reviewer, reported, tmp_path):
    sign_in(page, "reviewer")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert re.fullmatch(r"orderctl-status-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.DictReader(path.open(newline="")))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert sorted(r["ref"] for r in rows) == sorted(Directive.objects.values_list("ref", flat=True))
    assert len(rows) == 13
    assert next(r for r in rows if r["ref"] == "3(b)")["outcome"] == "late"


def test_it_refreshes_without_reloading_and_says_when(
    page, live_server, sign_in, check_page, reviewer, reported, directive, cisa_editor
):
    page.clock.install()
    sign_in(page, "reviewer")
    before = shown_tiles(page)
    expect(page.locator("#dashboard-updated")).to_have_text(
        re.compile(r"^Updated \d\d:\d\d Eastern time, \w{3} ")
    )
    page.evaluate("window.notReloaded = true")

    actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
    page.clock.run_for(REFRESH_SECONDS * 1000)

    expect(page.locator('[data-summary="overdue"]')).to_have_text(str(before["overdue"] - 1))
    expect(page.locator('[data-summary="completed_late"]')).to_have_text(str(before["completed_late"] + 1))
    expect(page.locator("#overdue-heading")).to_have_text(
        f"Who is late: {before['overdue'] - 1} overdue directives"
    )
    assert "2(c)(ii)" not in overdue_refs(page)
    listed = api(page, "/api/v1/directives/?overdue=true&ordering=-days_overdue")["results"]
    assert overdue_refs(page) == [d["ref"] for d in listed if not d["children"]]
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("#dashboard-updated")).to_have_attribute("aria-live", "polite")
    # The scorecard came with it, still worst first: CISA and TREASURY have two overdue each, CISA
    # two completed late (3(b) and now 2(c)(ii)).
    expect(page.locator('[data-rows="scorecard"] th a').first).to_have_text("CISA")
    expect(page.locator('[data-rows="scorecard"] tr').first.locator("td").first).to_have_text("2")
    # The timeline's table was redrawn: 2(c)(ii) moved from overdue to completed late on 2026-07-02.
    page.get_by_text("The numbers behind this chart").first.click()
    first_due = page.locator('[data-table="timeline"] tr').first
    expect(first_due.locator("td")).to_have_text(["0", "1", "1", "0", "0", "0", "0", "0", "5", "7"])
    check_page(page, "refreshed")

    actions.change_status(directive("2(e)"), Status.IN_PROGRESS, actor=None)
    page.get_by_role("button", name="Refresh now").click()
    row = page.locator('[data-rows="overdue"] tr', has_text="2(e)")
    expect(row.locator(".orderctl-status")).to_have_text("In progress")


def test_a_failed_refresh_says_so_and_keeps_the_numbers(page, live_server, sign_in, reviewer, reported):
    sign_in(page, "reviewer")
    before = shown_tiles(page)

    def refresh_fails(route):
        if route.request.headers.get("x-orderctl-fragment"):
            route.fulfill(status=503, body="down")
        else:
            route.continue_()

    page.route("**/dashboard/**", refresh_fails)
    page.get_by_role("button", name="Refresh now").click()
    expect(page.locator("#dashboard-updated")).to_have_text(
        re.compile(
            r"^Could not refresh at \d\d:\d\d Eastern time \(the server answered 503\); "
            r"the numbers are from \d\d:\d\d\.$"
        )
    )
    assert shown_tiles(page) == before


def test_the_charts_draw_under_a_strict_content_security_policy(
    browser, live_server, sign_in, reviewer, reported
):
    # A context of its own: the shared one may bypass the policy so that axe can be injected.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def with_policy(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})

    page.route(f"{live_server.url}/**", with_policy)
    sign_in(page, "reviewer")
    for name in ("timeline", "history"):
        canvas = page.locator(f'[data-chart="{name}"] canvas')
        expect(canvas).to_be_visible()
        box = canvas.bounding_box()
        assert box["width"] > 300 and box["height"] > 200
        # Something was drawn: the canvas is not blank.
        assert page.evaluate(
            "(c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v) => v !== 0)",
            canvas.element_handle(),
        )
    expect(page.locator("details[data-chart-table]").first).not_to_have_attribute("open", "")
    expect(page.get_by_role("button", name="Print brief")).to_be_visible()
    assert errors == []
    context.close()


def test_the_chart_tables_hold_the_charts_numbers(page, live_server, sign_in, check_page, reviewer, reported):
    sign_in(page, "reviewer")
    for summary in page.get_by_text("The numbers behind this chart").all():
        summary.click()
    timeline = page.locator('[data-table="timeline"] tr')
    expect(timeline).to_have_count(3)
    expect(timeline.nth(0).locator("th")).to_have_text("Thu 2026-07-02")
    # On time, late, flagged (2(c)(i), recorded 56 days after the date it claims), disputed, rescinded,
    # not started, in progress, blocked, overdue, total.
    expect(timeline.nth(0).locator("td")).to_have_text(["0", "0", "1", "0", "0", "0", "0", "0", "6", "7"])
    expect(timeline.nth(1).locator("td")).to_have_text(["0", "1", "0", "0", "0", "0", "0", "0", "2", "3"])
    expect(timeline.nth(2).locator("td")).to_have_text(["0", "0", "0", "0", "0", "1", "0", "0", "0", "1"])
    chart = page.evaluate("() => Chart.getChart(document.querySelector('[data-chart=timeline] canvas')).data")
    assert [d["data"][0] for d in chart["datasets"]] == [0, 0, 1, 0, 0, 0, 0, 0, 6]
    history = page.locator('[data-table="history"] tr')
    expect(history.first.locator("td")).to_have_text(["11", "0"])
    expect(history.last.locator("td")).to_have_text(["9", "2"])
    check_page(page, "chart-tables")


def test_the_dashboard_works_without_javascript(no_js_page, live_server, sign_in, reviewer, reported):
    page = no_js_page
    sign_in(page, "reviewer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversight dashboard")
    assert shown_tiles(page)["overdue"] == 8
    expect(page.locator('[data-rows="overdue"] tr')).to_have_count(8)
    # No charts without the script, but their numbers are there as tables, open.
    expect(page.locator('[data-chart="timeline"]')).to_be_hidden()
    expect(page.locator('[data-table="timeline"] tr').first.locator("th")).to_have_text("Thu 2026-07-02")
    expect(page.locator('[data-table="history"] tr').last.locator("td")).to_have_text(["9", "2"])
    expect(page.get_by_role("button", name="Refresh now")).to_be_hidden()
    page.locator("fieldset", has_text="Status").get_by_text("Blocked", exact=True).click()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/?status=blocked")
    expect(page.locator('[data-rows="overdue"] .orderctl-ref')).to_have_text(["2(d)"])
    page.screenshot(
        path=ARTIFACTS / "test_the_dashboard_works_without_javascript__blocked.png", full_page=True
    )


def test_it_prints_as_a_one_page_brief(page, live_server, sign_in, reviewer, reported):
    sign_in(page, "reviewer")
    page.emulate_media(media="print")
    for hidden in (".orderctl-nav", ".dashboard-filters", ".dashboard-actions", ".orderctl-footer"):
        expect(page.locator(hidden)).to_be_hidden()
    for shown in (".dashboard-tiles", ".dashboard-overdue", ".dashboard-scorecard", '[data-chart="history"]'):
        expect(page.locator(shown)).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "test_it_prints_as_a_one_page_brief__print.png", full_page=True)
    pdf = page.pdf(format="Letter", print_background=True)
    (ARTIFACTS / "dashboard-brief.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1


def test_it_fits_a_phone(browser, live_server, sign_in, check_page, reviewer, reported):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, "reviewer")
    expect(page.locator('[data-chart="history"] canvas')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    check_page(page, "phone")
    context.close()
