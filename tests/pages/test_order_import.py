"""The import page: order managers give an order's text, review the draft beside it, correct it, load it.

Every bad input is refused at its field with nothing written; only order managers (the permission, or
a superuser) may use the page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client

from agencies.models import Agency
from directives import deadlines
from directives.drafting import draft
from directives.models import Directive, DirectiveEvent, Order, OrderChange
from directives.orderfile import parse_order_file
from directives.pages import import_forms, import_review
from tests.drafting.texts import AMENDING

URL = "/orders/import/"
# Noon Eastern, a week after the text's signing date: no test depends on the day it runs.
NOW = dt.datetime(2026, 3, 10, 12, tzinfo=deadlines.EASTERN)

# A short order written for these tests, in the Federal Register's plain shape.
TEXT = """Executive Order 99100 of March 3, 2026

Keeping Count of Orders

By the authority vested in me as President by the Constitution and the laws of the United States of \
America, it is hereby ordered:

Section 1. Purpose. Orders should be tracked.

Sec. 2. Tracking. (a) Within 30 days of the date of this order, the Secretary of Homeland Security, \
through the Director of the Cybersecurity and Infrastructure Security Agency, in consultation with the \
Director of the Office of Management and Budget, shall publish guidance on tracking orders.

(b) Within 6 months of the date of this order, the Secretary of the Treasury shall report on the cost \
of tracking.

(c) Within 60 days of the date of this order, the Chief Tracking Officer shall count the orders.

Sec. 3. General Provisions. (a) This order shall be implemented consistent with applicable law.
"""


def written() -> tuple[int, ...]:
    return (
        Order.objects.count(),
        Directive.objects.count(),
        DirectiveEvent.objects.count(),
        Agency.objects.count(),
        OrderChange.objects.count(),
    )


def post(client: Client, data: dict, **extra):
    with time_machine.travel(NOW, tick=False):
        return client.post(URL, data, **extra)


def drafted(client: Client, text: str = TEXT, **fields):
    response = post(client, {"text": text, "action": "draft", **fields})
    assert response.status_code == 200, _errors(response)
    return response


def review_data(response) -> dict[str, str]:
    """Return what the review form would send back unchanged (every field, box ticked and option chosen)."""
    html = response.content.decode()
    form = html[html.index('<form class="orderctl-form orderctl-import"') :]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or ('type="checkbox"' in tag and "checked" not in tag):
            continue
        value = re.search(r'value="([^"]*)"', tag, re.S)
        data[name[1]] = _unescape(value[1]) if value else ("on" if 'type="checkbox"' in tag else "")
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = _unescape(chosen[1]) if chosen else ""
    return data


def _unescape(value: str) -> str:
    return (
        value.replace("&quot;", '"').replace("&#x27;", "'").replace("&lt;", "<").replace("&gt;", ">")
    ).replace("&amp;", "&")


def _errors(response) -> list[tuple[str, str]]:
    return re.findall(r'class="usa-error-message" id="([^"]+)">([^<]*)<', response.content.decode())


def field_of(data: dict[str, str], ref: str, name: str) -> str:
    index = next(k.split("-")[1] for k, v in data.items() if k.endswith("-ref") and v == ref)
    return f"d-{index}-{name}"


# --- Who may ----------------------------------------------------------------------------------------


def test_only_order_managers_and_superusers_may_use_it(client, cisa_editor, reviewer, admin_user, manager):
    for user in (cisa_editor, reviewer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert post(client, {"text": TEXT, "action": "load"}).status_code == 403
    assert manager.get(URL).status_code == 200
    client.force_login(admin_user)
    assert client.get(URL).status_code == 200
    assert written()[0] == 1  # EO 14409 alone: the refused posts wrote nothing


@pytest.mark.parametrize("action", ["draft", "add", "check", "load", "download"])
def test_no_action_is_open_to_anyone_but_order_managers(
    client, cisa_editor, reviewer, outsider, manager, action
):
    data = {**review_data(drafted(manager)), "action": action}
    before = written()
    response = post(Client(), data)  # anonymous: to the sign-in page
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for user in (cisa_editor, reviewer, outsider):
        client.force_login(user)
        assert post(client, data).status_code == 403
    assert written() == before


def test_the_menu_offers_the_page_to_order_managers_only(client, cisa_editor, manager):
    client.force_login(cisa_editor)
    assert URL not in client.get("/orders/14409/").content.decode()
    assert f'href="{URL}"' in manager.get("/orders/14409/").content.decode()


# --- The draft beside the text --------------------------------------------------------------------------


def test_the_draft_highlights_each_directive_in_the_text_and_marks_the_unsure(manager):
    html = drafted(manager).content.decode()
    text = html[
        html.index('<div class="orderctl-import-text"') : html.index(
            "</div>", html.index("orderctl-import-text")
        )
    ]
    assert (
        '<mark class="orderctl-mark" id="text-0"><a class="orderctl-mark__ref" href="#directive-0">2(a)</a>'
        in text
    )
    assert "shall publish guidance on tracking orders.</mark>" in text
    unsure = re.search(
        r'<mark class="orderctl-mark orderctl-mark--review" id="text-(\d)">.*?</mark>', text, re.S
    )
    assert unsure and "Chief Tracking Officer" in unsure[0] and "2(c) · review" in unsure[0]
    assert "Section 1. Purpose." in text  # the text between directives is shown as it is
    assert "Unknown actor &#x27;Chief Tracking Officer&#x27;" in html  # its form says why


@dataclass(frozen=True)
class UnplacedSentence:
    """An item of ``Draft.unplaced`` as the drafter gives it: the sentence, why no directive holds it,
    and its offsets in the draft's text."""

    sentence: str
    reason: str
    start: int = 0
    end: int = 0


UNPLACED = (
    UnplacedSentence("Orders should be tracked.", "No one 'shall' act in it."),
    UnplacedSentence("Orders take days to count.", "A deadline-like phrase ('days') with no duty."),
)


@pytest.fixture
def with_unplaced(monkeypatch):
    """Make the import page's drafter list ``UNPLACED`` as its unplaced sentences, whatever it found,
    with their offsets where the text has them (the second is in no text)."""

    def drafting(*args, **kwargs):
        result = draft(*args, **kwargs)
        found = [(u, result.text.find(u.sentence)) for u in UNPLACED]
        unplaced = tuple(
            dataclasses.replace(u, start=at, end=at + len(u.sentence)) if at >= 0 else u for u, at in found
        )
        object.__setattr__(result, "unplaced", unplaced)  # a frozen dataclass: set as it would be made
        return result

    monkeypatch.setattr(import_forms, "draft", drafting)


def test_the_unplaced_sentences_and_the_unsure_directives_come_first_each_with_why(manager, with_unplaced):
    html = drafted(manager).content.decode()
    first = html.index('<h2 id="first-heading">Check these first</h2>')
    assert first < html.index('id="text-heading"') < html.index('id="directives-heading"')
    section = html[first : html.index("</section>", first)]
    unplaced = re.findall(r"<li><q>(.*?)</q> <span[^>]*>Unplaced</span> (.*?)</li>", section)
    assert unplaced == [
        (
            "Orders should be tracked.",
            'No one &#x27;shall&#x27; act in it. <a href="#unplaced-0">Where it is in the text</a>',
        ),
        ("Orders take days to count.", "A deadline-like phrase (&#x27;days&#x27;) with no duty."),
    ]
    assert section.index("Orders take days") < section.index('<h3 id="unsure-heading">')
    unsure = re.findall(r'<li><a href="#(directive-\d)">Sec. (.*?)</a>: (.*?)</li>', section)
    assert unsure == [
        (
            "directive-2",
            "2(c)",
            "Unknown actor &#x27;Chief Tracking Officer&#x27;: not in the agency catalog; "
            "defined here as CTO, check its name and kind.",
        )
    ]
    assert "3 directives drafted, 1 marked for review: the drafter was unsure of them; 2 sentences" in html


def test_an_unplaced_sentence_is_highlighted_in_the_text(manager, with_unplaced):
    html = drafted(manager).content.decode()
    assert (
        '<mark class="orderctl-mark orderctl-mark--unplaced" id="unplaced-0">'
        '<span class="orderctl-mark__ref orderctl-mark__ref--review">unplaced</span> '
        "Orders should be tracked.</mark>"
    ) in html
    assert 'id="unplaced-1"' not in html  # not in the text: listed, not highlighted


def test_the_drafters_notes_on_the_whole_order_are_among_what_to_check_first(manager):
    html = drafted(manager, AMENDING).content.decode()
    first = html.index('<h2 id="first-heading">')
    section = html[first : html.index("</section>", first)]
    assert re.findall(r"<li>(.*?)</li>", section[section.index('id="notes-heading"') :]) == [
        "Sec. 2(d) edits the wording of EO 99001: nothing to track."
    ]


def test_a_directive_s_note_is_listed_once_with_its_directive_not_again_as_a_note(manager):
    html = drafted(manager).content.decode()
    assert "Notes on the whole draft" not in html


def test_an_unplaced_sentence_inside_a_directive_is_marked_within_it():
    result = draft(TEXT)
    at = result.text.index("shall publish guidance")
    sentence = import_review.Unplaced("shall publish guidance", "A test span.", at, at + 22)
    runs = [run for run in import_review.segments(result, [sentence]) if run.index == 0]
    assert [(r.starts, r.unplaced, r.unplaced_starts) for r in runs] == [
        (True, None, False),
        (False, 0, True),
        (False, None, False),
    ]
    assert runs[0].text.startswith("(a) Within 30 days") and runs[0].text.endswith("and Budget, ")
    assert runs[1].text == "shall publish guidance"
    assert runs[2].text.startswith(" on tracking orders.")


def test_the_directives_marked_for_review_come_first_then_the_others_in_order(manager):
    html = drafted(manager).content.decode()
    forms = re.findall(r'<fieldset class="usa-fieldset orderctl-import__directive[^"]*" id="([^"]+)"', html)
    assert forms == ["directive-2", "directive-0", "directive-1"]
    data = added(manager)
    html = post(manager, {**data, "action": "check"}).content.decode()
    forms = re.findall(r'<fieldset class="usa-fieldset orderctl-import__directive[^"]*" id="([^"]+)"', html)
    assert forms == ["directive-2", "directive-0", "directive-1", "directive-added-3"]


def test_a_draft_with_nothing_unsure_or_unplaced_has_no_first_section(manager):
    text = TEXT.replace("Chief Tracking Officer", "Director of the Office of Management and Budget")
    html = drafted(manager, text).content.decode()
    assert "Check these first" not in html
    assert "3 directives drafted. Each directive" in html


def test_each_directive_has_a_form_with_what_the_drafter_found(manager):
    data = review_data(drafted(manager))
    assert data[field_of(data, "2(a)", "leads")] == "CISA"
    assert data[field_of(data, "2(a)", "consulted")] == "OMB"
    rule = ("kind", "number", "unit", "anchor", "date")
    assert [data[field_of(data, "2(b)", name)] for name in rule] == ["after_order", "6", "months", "", ""]
    assert field_of(data, "2(b)", "ongoing") not in data  # not ticked
    assert data["number"] == "" and data["text"].startswith("Executive Order 99100")


def test_a_corrected_lead_is_loaded_and_the_directives_are_tracked(manager):
    data = review_data(drafted(manager))
    data[field_of(data, "2(a)", "leads")] = "DHS, CISA"
    data["action"] = "load"
    response = post(manager, data)
    assert response.status_code == 302 and response["Location"] == "/orders/99100/"
    d = Directive.objects.with_agencies().get(order__number=99100, ref="2(a)")
    assert [a.abbreviation for a in d.lead_agencies] == ["DHS", "CISA"]
    assert d.due_on == dt.date(2026, 4, 2)
    assert Directive.objects.get(order__number=99100, ref="2(b)").due_on == dt.date(2026, 9, 3)
    with time_machine.travel(NOW, tick=False):  # the session was made at NOW
        page = manager.get("/orders/99100/").content.decode()
    assert "Loaded Executive Order 99100: 3 created, 0 updated, 0 unchanged" in page


def test_a_directive_left_out_is_not_loaded(manager):
    data = review_data(drafted(manager))
    data[field_of(data, "2(c)", "DELETE")] = "on"
    data["action"] = "load"
    assert post(manager, data).status_code == 302
    assert sorted(Directive.objects.filter(order__number=99100).values_list("ref", flat=True)) == [
        "2(a)",
        "2(b)",
    ]


def test_an_agency_the_drafter_made_up_is_not_created_once_no_directive_uses_it(manager):
    data = review_data(drafted(manager))
    as_drafted = post(manager, {**data, "action": "download"}).content.decode()
    assert 'name = "Chief Tracking Officer"' in as_drafted  # made up for 2(c)'s unknown actor
    data[field_of(data, "2(c)", "DELETE")] = "on"
    data["action"] = "load"
    assert post(manager, data).status_code == 302
    assert not Agency.objects.filter(name="Chief Tracking Officer").exists()
    # 2(a)'s and 2(b)'s agencies, with CISA's and OMB's parents; no other was loaded before.
    assert set(Agency.objects.values_list("abbreviation", flat=True)) == {
        "DHS",
        "CISA",
        "EOP",
        "OMB",
        "TREASURY",
    }


def test_an_agency_the_drafter_made_up_is_created_when_the_order_is_loaded_and_not_before(manager):
    data = review_data(drafted(manager))
    data["action"] = "check"
    assert post(manager, data).status_code == 200
    assert not Agency.objects.filter(name="Chief Tracking Officer").exists()
    data["action"] = "load"
    assert post(manager, data).status_code == 302
    officer = Agency.objects.get(name="Chief Tracking Officer")
    assert Directive.objects.with_agencies().get(order__number=99100, ref="2(c)").lead_agencies == [officer]


def test_the_order_file_lists_only_the_agencies_its_directives_name(manager):
    data = review_data(drafted(manager))
    data[field_of(data, "2(a)", "DELETE")] = "on"
    data["action"] = "download"
    spec = parse_order_file(post(manager, data).content.decode())
    assert [a.abbreviation for a in spec.agencies] == ["TREASURY", "CTO"]


# --- Adding a directive the drafter missed ---------------------------------------------------------------


def added(manager) -> dict[str, str]:
    """Return the review form after "Add a directive" as the browser sends it (each select's first option)."""
    data = review_data(drafted(manager))
    response = post(manager, {**data, "action": "add"})
    assert response.status_code == 200, _errors(response)
    data = review_data(response)
    assert data["d-TOTAL_FORMS"] == "4" and data["d-INITIAL_FORMS"] == "3"
    assert re.search(r'<input type="text" name="d-3-ref"[^>]*autofocus', response.content.decode())
    assert "d-3-index" in data and data["d-3-index"] == ""
    return {**data, "d-3-kind": "after_order", "d-3-unit": "days"}
