"""The Content Security Policy in a real browser: the pages that are not ours (the Django admin,
Swagger UI) work under it without a violation, the lockout page passes axe, and the violation
detector that every browser test relies on does catch one, as the axe check does."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def test_the_violation_detector_catches_inline_style(page, live_server, csp_violations):
    page.goto(f"{live_server.url}/accounts/login/")
    assert csp_violations == []
    page.evaluate("() => document.head.insertAdjacentHTML('beforeend', '<style>body { color: red }</style>')")
    for _ in range(50):  # the report arrives as Playwright handles the page's messages
        if csp_violations:
            break
        page.wait_for_timeout(100)
    assert any(v.startswith("style-src-elem refused inline") for v in csp_violations), csp_violations


def test_the_axe_check_names_every_node_of_a_violation(page, check_page):
    """The check asks axe for violations only (``AXE_VIOLATIONS``): each violating node is still named."""
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
        '<img id="first" src="data:,"><img id="second" src="data:,"></main></body></html>'
    )
    with pytest.raises(AssertionError) as refused:
        check_page(page, "two images without alt text")
    assert "image-alt (critical)" in str(refused.value)
    assert "['#first'], ['#second']" in str(refused.value)


def test_the_admin_works_under_the_policy(page, live_server, csp_violations, admin_user, directive):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    pk = directive("2(c)(ii)").pk
    page.goto(f"{live_server.url}/admin/directives/directive/{pk}/change/")
    expect(page.get_by_label("Status")).to_be_visible()
    # The admin's own scripts run: the collapsible inlines and the date shortcuts are drawn.
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "admin_directive_change.png", full_page=True)

    page.goto(f"{live_server.url}/admin/directives/directiveevent/")
    expect(page.get_by_role("heading", name="Select directive event to view")).to_be_visible()
    assert csp_violations == []


def test_swagger_ui_renders_the_api_under_the_policy(page, live_server, csp_violations):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("orderctl API")
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/directives/{id}/").first
    expect(operation).to_be_visible()
    operation.click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "swagger_ui.png", full_page=True)
    assert csp_violations == [], "\n".join(csp_violations)


def test_the_lockout_page_is_accessible(page, live_server, check_page, cisa_editor):
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(5):
        page.get_by_label("Username", exact=True).fill("cisa-editor")
        page.get_by_label("Password", exact=True).fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign-in paused", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("failed 5 times from your network address")
    check_page(page, "locked-out")
