"""Issue 20's review page in a real browser, as a new user tries it: paste a memorandum, see the unsure
and unplaced items first, add the directive the drafter missed, fix a deadline with the structured
fields, leave out the directive of an office the drafter made up, load it and find it on the dashboard;
no agency is created that no directive uses. Keyboard where a person would type; axe at every step."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import Page, expect

from agencies.models import Agency
from directives import deadlines
from directives.models import Directive

from .conftest import PERSONA_PASSWORD

pytestmark = pytest.mark.browser

# A memorandum written for this test (no real document): no number, one dated duty the drafter gets
# right, one that counts from another duty's outcome in words it cannot tie to that duty, one that counts
# from "the date of this memorandum" by an office no catalog knows, and a passive duty it does not draft
# but lists as unplaced.
MEMO = """MEMORANDUM FOR THE HEADS OF EXECUTIVE DEPARTMENTS AND AGENCIES

SUBJECT: Keeping Public Records Findable

By the authority vested in me as President by the Constitution and the laws of the United States of \
America, it is hereby ordered:

Section 1. Policy. Records of the executive branch should be easy to find.

Sec. 2. Findable Records. (a) By December 31, 2026, the Archivist of the United States shall publish an \
index of public records.

(b) Within 90 days of the Archivist's publication of that index, the Secretary of Commerce shall report \
on the cost of indexing.

(c) Within 60 days of the date of this memorandum, the Chief Findability Officer shall publish a \
findability plan.

(d) Reports on progress in indexing shall be submitted to the President within 120 days of the date \
of this memorandum.

Sec. 3. General Provisions. (a) This memorandum shall be implemented consistent with applicable law.

THE WHITE HOUSE,
March 3, 2026.
"""
PASSIVE = (
    "Reports on progress in indexing shall be submitted to the President within 120 days of the date "
    "of this memorandum."
)


@pytest.fixture
def order_manager(order):
    """An order manager: the permission through a group, as an administrator grants it."""
    group = Group.objects.create(name="Order managers")
    group.permissions.add(Permission.objects.get(codename="manage_orders"))
    user = get_user_model().objects.create_user("order-manager", "om@example.com", PERSONA_PASSWORD)
    user.groups.add(group)
    return user


def test_a_reviewer_finishes_a_memorandum_by_keyboard_and_loads_only_the_agencies_it_uses(
    page: Page, live_server, sign_in, check_page, order_manager, today
):
    agencies_before = set(Agency.objects.values_list("abbreviation", flat=True))
    sign_in(page, "order-manager")
    page.goto(f"{live_server.url}/orders/import/")
    page.get_by_label("Or paste the order's text").fill(MEMO)
    page.get_by_label("Order number").fill("99200")  # a memorandum has none; the signing date it has
    page.get_by_label("Title", exact=True).fill("Keeping Public Records Findable")
    page.get_by_role("button", name="Draft the directives").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Review the draft of Presidential Memorandum 99200"
    )

    # What to check comes first: the unplaced sentence, then the unsure directives with why.
    first = page.locator(".orderctl-import__first")
    unplaced = first.locator(".orderctl-import__unplaced li")
    expect(unplaced).to_have_count(1)
    expect(unplaced).to_contain_text(PASSIVE)
    expect(unplaced).to_contain_text("a duty in the passive voice ('shall be ...'): its owner is not named")
    unsure = first.get_by_role("list").nth(1).locator("li")
    expect(unsure).to_have_count(2)
    expect(unsure.nth(0)).to_contain_text(
        "Sec. 2(b): The deadline counts from 'Archivist\u2019s publication of that"
    )
    expect(unsure.nth(1)).to_contain_text("Unknown actor 'Chief Findability Officer'")
    forms = page.locator("fieldset.orderctl-import__directive > legend")
    expect(forms).to_have_text(
        [
            "Sec. 2(b): Report on the cost of indexing",
            "Sec. 2(c): Publish a findability plan",
            "Sec. 2(a): Publish an index of public records",
        ]
    )
    # The source excerpt is highlighted in the text beside the forms, the unplaced sentence too.
    expect(page.locator("mark#text-0")).to_contain_text("shall publish an index of public records")
    expect(page.locator("mark#unplaced-0")).to_contain_text(PASSIVE)
    check_page(page, "1-draft")

    # From the list to 2(b)'s form by keyboard; its deadline as drafted counts from an event, which
    # the reviewer ties to 2(a), the publication it names.
    unsure.nth(0).get_by_role("link").focus()
    page.keyboard.press("Enter")
    b = page.locator("#directive-1")
    kind = b.get_by_label("Kind of deadline")
    expect(kind).to_have_value("drafted")
    kind.select_option("after_directive")
    b.get_by_label("Number").fill("90")
    # A deadline after another directive needs that directive: said at the field, nothing loaded.
    b.get_by_label("Number").press("Enter")  # the form's first button: check
    expect(page.locator("#id_d-1-anchor_error")).to_have_text(
        "Give the section of the directive the time counts from."
    )
    expect(page.get_by_role("alert")).to_contain_text("Sec. 2(b)")
    check_page(page, "2-error-at-the-field")
    assert not Directive.objects.filter(order__number=99200).exists()
    page.locator("#id_d-1-anchor").fill("2(a)")
    page.locator("#id_d-1-anchor").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The corrections make a valid order file.")
    expect(page.locator("#directive-1")).to_contain_text("Deadline now: 90 days after 2(a) is completed.")

    # 2(c)'s office is made up: leave 2(c) out (Space on its box).
    page.locator("#directive-2").get_by_label("Leave this directive out").press("Space")
    expect(page.locator("#directive-2").get_by_label("Leave this directive out")).to_be_checked()

    # Add the missed 2(d) by keyboard: its section field has the focus, Tab goes on through the form.
    page.get_by_role("button", name="Add a directive").press("Enter")
    ref = page.locator("#id_d-3-ref")
    expect(ref).to_be_focused()
    page.keyboard.type("2(d)")
    page.keyboard.press("Tab")
    page.keyboard.type("Report on progress in indexing")
    page.keyboard.press("Tab")  # part of
    page.keyboard.press("Tab")
    page.keyboard.type("NARA")
    page.keyboard.press("Tab")  # consulted
    page.keyboard.press("Tab")  # kind: within a number of days, months or years, as it starts
    expect(page.locator("#id_d-3-kind")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type("120")
    check_page(page, "3-added")
    page.get_by_role("button", name="Load the order", exact=True).press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Keeping Public Records Findable")
    expect(page.get_by_role("status")).to_contain_text("Loaded Presidential Memorandum 99200: 3 created")
    check_page(page, "4-order")

    page.goto(f"{live_server.url}/dashboard/?order=99200")
    overdue = page.locator('[data-rows="overdue"]')
    expect(overdue.locator("tr", has_text="2(b)")).to_have_count(0)  # due 90 days after 2(a) is done
    expect(overdue.locator("tr", has_text="2(d)")).to_contain_text("Report on progress in indexing")
    expect(overdue.locator("tr", has_text="2(d)")).to_contain_text("Wed 2026-07-01")
    check_page(page, "5-dashboard")

    loaded = Directive.objects.with_agencies().filter(order__number=99200)
    assert sorted(d.ref for d in loaded) == ["2(a)", "2(b)", "2(d)"]
    fixed = next(d for d in loaded if d.ref == "2(b)").rule
    assert isinstance(fixed, deadlines.AfterDirective)
    assert (fixed.directive, fixed.days) == ("2(a)", 90)
    used = {a.abbreviation for d in loaded for a in (*d.lead_agencies, *d.consulted_agencies)}
    created = set(Agency.objects.values_list("abbreviation", flat=True)) - agencies_before
    assert created == {"NARA"}  # the Archivist's: 2(a) and 2(d) use it; DOC was there already
    assert created <= used
    assert not Agency.objects.filter(name="Chief Findability Officer").exists()
