"""The import page in a real browser, as an order manager uses it: paste a short order, correct one lead,
load it, and find its directives on the order page and the dashboard. Screenshots and axe at each step."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import Page, expect

from directives.models import Directive
from tests.pages.test_order_import import TEXT

from .conftest import PERSONA_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def order_manager(order):
    group = Group.objects.create(name="Order managers")
    group.permissions.add(Permission.objects.get(codename="manage_orders"))
    user = get_user_model().objects.create_user("order-manager", "om@example.com", PERSONA_PASSWORD)
    user.groups.add(group)
    return user


def draft_and_correct(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/orders/import/")
    page.get_by_label("Or paste the order's text").fill(TEXT)
    page.get_by_role("button", name="Draft the directives").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review the draft of Executive Order 99100")


def test_an_order_manager_pastes_an_order_corrects_a_lead_and_loads_it(
    page, live_server, sign_in, check_page, order_manager, today
):
    sign_in(page, "order-manager")
    page.get_by_role("link", name="Import an order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import an order")
    check_page(page, "1-import")

    draft_and_correct(page, live_server)
    text = page.locator(".orderctl-import-text")
    expect(text.locator("mark#text-0")).to_contain_text("shall publish guidance on tracking orders")
    expect(text.locator("mark.orderctl-mark--review")).to_contain_text("Chief Tracking Officer")
    first = page.locator("#directive-0")
    expect(first.get_by_label("Lead agencies")).to_have_value("CISA")
    check_page(page, "2-draft")

    first.get_by_label("Lead agencies").fill("DHS, CISA")
    page.get_by_role("button", name="Load the order", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Keeping Count of Orders")
    expect(page.get_by_role("status")).to_contain_text("Loaded Executive Order 99100: 3 created")
    tree = page.locator(".orderctl-tree")
    expect(tree).to_contain_text("Sec. 2(a)")
    expect(tree.locator(".orderctl-tree__item").first).to_contain_text("DHS, CISA")
    expect(tree.locator(".orderctl-tree__item").first).to_contain_text("due Thu 2026-04-02")
    check_page(page, "3-order")

    page.goto(f"{live_server.url}/dashboard/?order=99100")
    overdue = page.locator('[data-rows="overdue"]')
    expect(overdue).to_contain_text("Publish guidance on tracking orders")
    expect(overdue.locator("tr", has_text="2(a)")).to_contain_text("DHS, CISA")
    expect(overdue.locator("tr", has_text="2(a)")).to_contain_text("Thu 2026-04-02")
    check_page(page, "4-dashboard")

    d = Directive.objects.with_agencies().get(order__number=99100, ref="2(a)")
    assert [a.abbreviation for a in d.lead_agencies] == ["DHS", "CISA"]


def test_a_wrong_lead_is_shown_at_its_field_and_nothing_is_loaded(
    page, live_server, sign_in, check_page, order_manager, today
):
    sign_in(page, "order-manager")
    draft_and_correct(page, live_server)
    page.locator("#directive-1").get_by_label("Lead agencies").fill("NOPE")
    page.get_by_role("button", name="Load the order", exact=True).click()
    error = page.locator("#id_d-1-leads_error")
    expect(error).to_have_text("Unknown agency 'NOPE'")
    expect(page.locator("#directive-1").get_by_label("Lead agencies")).to_have_value("NOPE")
    check_page(page, "error")
    assert not Directive.objects.filter(order__number=99100).exists()


def test_it_works_without_javascript(no_js_page, live_server, sign_in, order_manager, today):
    page = no_js_page
    sign_in(page, "order-manager")
    draft_and_correct(page, live_server)
    page.get_by_role("button", name="Load the order", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Keeping Count of Orders")
    assert Directive.objects.filter(order__number=99100).count() == 3
