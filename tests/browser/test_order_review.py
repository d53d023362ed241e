"""Issue 20's review page in a real browser, as a new user tries it: paste a memorandum, see the unsure
and unplaced items first, add the directive the drafter missed, fix a deadline with the structured
fields, leave out the directive of an office the drafter made up, load it and find it on the dashboard;
no agency is created that no directive uses. Keyboard where a person would type; axe at every step."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import Page, expect

from agencies.models import Agency
from directives import import_forms
from directives.drafting import draft
from directives.models import Directive

from .conftest import PERSONA_PASSWORD

pytestmark = pytest.mark.browser

# A memorandum written for this test (no real document): no number and no signing date the drafter
# reads, one dated duty it gets right, two that count from "the date of this memorandum" (one by an
# office no catalog knows), and a passive duty it does not draft.
MEMO = """MEMORANDUM FOR THE HEADS OF EXECUTIVE DEPARTMENTS AND AGENCIES

SUBJECT: Keeping Public Records Findable

By the authority vested in me as President by the Constitution and the laws of the United States of \
America, it is hereby ordered:

Section 1. Policy. Records of the executive branch should be easy to find.

Sec. 2. Findable Records. (a) By December 31, 2026, the Archivist of the United States shall publish an \
index of public records.

(b) Within 90 days of the date of this memorandum, the Secretary of Commerce shall report on the cost \
of indexing.

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


@dataclass(frozen=True)
class UnplacedSentence:
    sentence: str
    reason: str
    start: int
    end: int


@pytest.fixture
def unplaced_2d(monkeypatch):
    """The drafter lists 2(d)'s passive sentence as unplaced (``Draft.unplaced``, which issue 20's
    drafter work adds): set here on the real draft, so the page shows it as it will."""

    def drafting(*args, **kwargs):
        result = draft(*args, **kwargs)
        reason = "Passive duty: no office is named for 'within 120 days'."
        at = result.text.index(PASSIVE)
        unplaced = (UnplacedSentence(PASSIVE, reason, at, at + len(PASSIVE)),)
        object.__setattr__(result, "unplaced", unplaced)
        return result

    monkeypatch.setattr(import_forms, "draft", drafting)


def test_a_reviewer_finishes_a_memorandum_by_keyboard_and_loads_only_the_agencies_it_uses(
    page: Page, live_server, sign_in, check_page, order_manager, today, unplaced_2d
):
    agencies_before = set(Agency.objects.values_list("abbreviation", flat=True))
    sign_in(page, "order-manager")
    page.goto(f"{live_server.url}/orders/import/")
    page.get_by_label("Or paste the order's text").fill(MEMO)
    page.get_by_label("Order number").fill("99200")  # a memorandum has none
    page.get_by_label("Signing date").fill("2026-03-03")
    page.get_by_label("Title", exact=True).fill("Keeping Public Records Findable")
    page.get_by_role("button", name="Draft the directives").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review the draft of Executive Order 99200")

    # What to check comes first: the unplaced sentence, then the unsure directives with why.
    first = page.locator(".orderctl-import__first")
    expect(first.locator(".orderctl-import__unplaced li")).to_have_text(
        f"{PASSIVE} Unplaced Passive duty: no office is named for 'within 120 days'. Where it is in the text"
    )
    unsure = first.get_by_role("list").nth(1).locator("li")
    expect(unsure).to_have_count(2)
    expect(unsure.nth(0)).to_contain_text("Sec. 2(b): The deadline counts from 'date of this memorandum'")
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
    expect(page.locator("mark#unplaced-0")).to_have_text(f"unplaced {PASSIVE}")
    check_page(page, "1-draft")

    # From the list to 2(b)'s form by keyboard; its deadline as drafted counts from an event.
    unsure.nth(0).get_by_role("link").focus()
    page.keyboard.press("Enter")
    b = page.locator("#directive-1")
    kind = b.get_by_label("Kind of deadline")
    expect(kind).to_have_value("drafted")
    # A deadline after the signing date needs its number: said at the field, nothing loaded.
    kind.select_option("after_order")
    b.get_by_label("Number").fill("")
    b.get_by_label("Number").press("Enter")  # the form's first button: check
    expect(page.locator("#id_d-1-number_error")).to_have_text("Give the number of days.")
    expect(page.get_by_role("alert")).to_contain_text("Sec. 2(b), number")
    check_page(page, "2-error-at-the-field")
    assert not Directive.objects.filter(order__number=99200).exists()
    page.locator("#id_d-1-number").fill("90")
    page.locator("#id_d-1-number").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The corrections make a valid order file.")
    expect(page.locator("#directive-1")).to_contain_text(
        "Deadline now: 90 days after the Order: Mon 2026-06-01."
    )

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
    expect(page.get_by_role("status")).to_contain_text("Loaded Executive Order 99200: 3 created")
    check_page(page, "4-order")

    page.goto(f"{live_server.url}/dashboard/?order=99200")
    overdue = page.locator('[data-rows="overdue"]')
    expect(overdue.locator("tr", has_text="2(b)")).to_contain_text("Mon 2026-06-01")
    expect(overdue.locator("tr", has_text="2(d)")).to_contain_text("Report on progress in indexing")
    expect(overdue.locator("tr", has_text="2(d)")).to_contain_text("Wed 2026-07-01")
    check_page(page, "5-dashboard")

    loaded = Directive.objects.with_agencies().filter(order__number=99200)
    assert sorted(d.ref for d in loaded) == ["2(a)", "2(b)", "2(d)"]
    used = {a.abbreviation for d in loaded for a in (*d.lead_agencies, *d.consulted_agencies)}
    created = set(Agency.objects.values_list("abbreviation", flat=True)) - agencies_before
    assert created == {"NARA"}  # the Archivist's: 2(a) and 2(d) use it; DOC was there already
    assert created <= used
    assert not Agency.objects.filter(name="Chief Findability Officer").exists()
