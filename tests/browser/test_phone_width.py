"""Every page at a phone's width (375 px): nothing wider than the screen, so the page never scrolls
sideways (wide tables and long hashes wrap or scroll inside their own region), and axe finds nothing.

"Every page" is every route of the site's pages (tests/access_table.py walks the same list) that an
administrator gets as an HTML page, with the access table's sample objects; feeds, downloads and the
API are not pages. Beside them, the pages a form leads to (the import's draft, a refused load) and
what an editor and a reviewer see that the administrator does not."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.access_samples import area_of, create_samples, sample_path
from tests.access_table import all_routes
from tests.pages.test_order_import import TEXT as IMPORT_TEXT

from .conftest import OVERFLOW

pytestmark = pytest.mark.browser


def test_every_page_fits_a_phone_and_passes_axe(
    phone,
    live_server,
    sign_in,
    check_page,
    settings,
    tmp_path,
    order,
    cisa_editor,
    treasury_editor,
    oncd_editor,
    reviewer,
    admin_user,
):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {**settings.STORAGES["evidence"], "OPTIONS": {"location": str(tmp_path / "evidence")}},
    }
    users = {
        "cisa": cisa_editor,
        "treasury": treasury_editor,
        "oncd": oncd_editor,
        "reviewer": reviewer,
        "admin": admin_user,
    }
    samples = create_samples(users)
    visited, too_wide, skipped = [], [], []

    def measure(path: str, step: str) -> None:
        visited.append(path)
        found = phone.evaluate(OVERFLOW)
        if found["scroll"] > 0:
            too_wide.append(f"{path}: {found['scroll']} px too wide; {found['wide']}")
        check_page(phone, step)

    phone.goto(f"{live_server.url}/")  # the sign-in page, signed out
    measure("/", "sign-in")
    sign_in(phone, "admin")
    for route in all_routes():
        if area_of(route) != "pages" or route.key in {"logout"}:
            continue
        path = sample_path(route, samples)
        # Asked first with the page's cookies: a download (CSV, PDF) is no page to look at.
        probe = phone.context.request.get(f"{live_server.url}{path}", max_redirects=0)
        if probe.status != 200 or not probe.headers.get("content-type", "").startswith("text/html"):
            skipped.append((path, probe.status, probe.headers.get("content-type")))
            continue
        phone.goto(f"{live_server.url}{path}")
        measure(path, route.key)
    # The pages a form leads to: the import's review of a draft, and the same with an error at a field.
    phone.goto(f"{live_server.url}/orders/import/")
    phone.get_by_label("Or paste the order's text").fill(IMPORT_TEXT)
    phone.get_by_role("button", name="Draft the directives").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Review the draft")
    measure("/orders/import/ (the draft)", "import-draft")
    phone.locator("#directive-1").get_by_label("Lead agencies").fill("NOPE")
    phone.get_by_role("button", name="Load the order", exact=True).click()
    expect(phone.locator("#id_d-1-leads_error")).to_be_visible()
    measure("/orders/import/ (refused)", "import-refused")
    # What the others see that an administrator does not: an editor's agency and the forms of a lead,
    # a reviewer's queue and review form.
    sample = samples.directive_pk
    for persona, paths in (
        ("cisa-editor", ["/agency/", f"/directives/{sample}/"]),
        ("reviewer", ["/queue/", f"/directives/{sample}/", "/dashboard/"]),
    ):
        phone.context.clear_cookies()
        sign_in(phone, persona)
        for path in paths:
            phone.goto(f"{live_server.url}{path}")
            measure(f"{path} ({persona})", f"{persona} {path}")
    # The pages the issue measured too wide (the evidence table, the report) are among them.
    for expected in ("/", f"/directives/{sample}/", "/orders/14409/report/", "/dashboard/", "/directives/"):
        assert expected in visited, (visited, skipped)
    assert too_wide == [], "Pages wider than a 375 px phone:\n" + "\n".join(too_wide)
