"""Every form of the directive page: sent to the page's own address, every error shown at once.

A refused submission answers 400 at the directive's address (no redirect to, and no page at, a form's
own endpoint), with an error summary at the top of the form (``role="alert"``, a link to each field
with an error) and each error at its field (the field's ``aria-describedby`` names it); nothing is
written. Who may send each form is checked here too, since they all share the page's route.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.test import Client

from directives import actions
from directives.models import Directive, DirectiveEvent, EvidenceFile, ExtensionRequest, Status
from directives.orderfile import parse_order_file
from tests.directives.test_schedule import RELEASE_ORDER

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """What a page holds that these tests read: its forms, its ids, links to ids, aria-describedby."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: dict[str, str] = {}  # the form's name (its hidden ``form`` field) -> its action
        self._action = ""
        self.ids: set[str] = set()
        self.links: list[str] = []  # href="#..." inside an error summary
        self.describedby: dict[str, str] = {}
        self.summaries = 0
        self._in_summary = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if "aria-describedby" in a:  # by id, or by tag for a fieldset (it has none)
            self.describedby[a.get("id", tag)] = a["aria-describedby"]
        if tag == "form":
            self._action = a.get("action", "")
        elif tag == "input" and a.get("name") == "form":
            self.forms[a["value"]] = self._action
        elif tag == "input" and a.get("name") == "seen_event":  # the update form's, which names no form
            self.forms["update"] = self._action
        if "data-error-summary" in a:
            assert a.get("role") == "alert" and a.get("tabindex") == "-1"
            self.summaries += 1
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a" and a.get("href", "").startswith("#"):
            self.links.append(a["href"][1:])

    def handle_endtag(self, tag: str) -> None:
        if self._in_summary and tag == "div":
            self._in_summary -= 1


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def written() -> tuple[int, int, int, list]:
    return (
        DirectiveEvent.objects.count(),
        ExtensionRequest.objects.filter(state=ExtensionRequest.State.PENDING).count(),
        EvidenceFile.objects.count(),
        list(Directive.objects.order_by("pk").values_list("status", "review", "due_on", "event_on")),
    )


def refused(client: Client, directive: Directive, name: str, data: dict) -> tuple[Any, _Page]:
    """Send the form ``name`` to where the page's form is sent; return the answer and its page."""
    page_url = f"/directives/{directive.pk}/"
    form_url = _Page(client.get(page_url).content.decode()).forms[name]
    assert form_url == page_url, f"the {name} form is sent to {form_url}, not to the page's own address"
    before = written()
    response = client.post(form_url, data if name == "update" else {"form": name, **data})
    assert written() == before
    assert response.status_code == 400, response.content.decode()[:500]
    assert response.request["PATH_INFO"] == page_url  # the address the browser shows: the page's
    return response, _Page(response.content.decode())


def assert_shown(page: _Page, fields: dict[str, str]) -> None:
    """Each of ``fields`` (error id -> the id its summary link goes to) has its error, linked and named."""
    assert page.summaries == 1
    for field, target in fields.items():
        assert f"{field}_error" in page.ids, f"no error at {field}"
        assert target in page.links and target in page.ids, f"the summary links no field {target}"
        # A field is described by its error; a group of radios by its fieldset.
        described = page.describedby.get(target if target == field else "fieldset", "")
        assert f"{field}_error" in described.split(), f"{target} is not described by its error"


@pytest.fixture
def completed(today, directive, cisa_editor) -> Directive:
    d = directive("2(c)(i)")
    actions.change_status(d, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 6, 10))
    return Directive.objects.with_agencies().get(pk=d.pk)


@pytest.fixture
def release(order) -> Directive:
    """A directive due 30 days before a release (tests/directives/test_schedule.py), CISA among its leads."""
    with time_machine.travel(dt.datetime(2026, 6, 2, 16, 0, tzinfo=dt.UTC), tick=False):
        actions.load_order(
            parse_order_file(RELEASE_ORDER, known_agencies=frozenset({"TREASURY", "NSA", "CISA", "ONCD"}))
        )
    return Directive.objects.with_agencies().get(order__number=99001, ref="1(a)")


def test_the_update_form_shows_a_date_that_did_not_parse_and_a_bad_link_at_once(
    today, directive, cisa_editor
):
    d = directive("2(c)(ii)")
    version = actions.version_of(d)
    response, page = refused(
        client_of(cisa_editor),
        d,
        "update",
        {"version": version, "status": "completed", "completed_on": "2026-13-01", "evidence_url": "ftp://x"},
    )
    assert set(response.context["form"].errors) == {"completed_on", "evidence_url"}
    assert_shown(page, {"id_completed_on": "id_completed_on", "id_evidence_url": "id_evidence_url"})
    assert "Your update was not saved" in response.content.decode()


def test_the_event_date_form_shows_its_date_and_its_note_at_once(release, cisa_editor):
    response, page = refused(
        client_of(cisa_editor),
        release,
        "event",
        {"event-version": actions.version_of(release), "event-event_on": "soon", "event-note": "x" * 4001},
    )
    errors = response.context["event_form"].errors
    assert errors["event_on"] == ["Enter a valid date."]
    assert "at most 4000 characters" in errors["note"][0]
    assert_shown(page, {"id_event-event_on": "id_event-event_on", "id_event-note": "id_event-note"})


def test_the_review_form_shows_a_missing_verdict_note_and_a_bad_link_at_once(completed, reviewer):
    response, page = refused(
        client_of(reviewer),
        completed,
        "review",
        {"review-version": actions.version_of(completed), "review-evidence": "ftp://x.gov/a"},
    )
    assert set(response.context["review_form"].errors) == {"review", "note", "evidence"}
    assert_shown(
        page,
        {
            "id_review-review": "id_review-review_0",  # a radio group: the link goes to its first choice
            "id_review-note": "id_review-note",
            "id_review-evidence": "id_review-evidence",
        },
    )


def test_the_extension_form_shows_an_early_date_and_a_missing_justification_at_once(
    today, directive, treasury_editor
):
    """The case of issue 24: it showed the justification's error, and the date's only once that was fixed."""
    d = directive("2(d)")
    response, page = refused(
        client_of(treasury_editor),
        d,
        "extension",
        {"extension-requested_due_on": "2026-07-01", "extension-justification": ""},
    )
    errors = response.context["extension_form"].errors
    assert errors["requested_due_on"] == ["Ask for a date after the current deadline, Thu 2026-07-02."]
    assert errors["justification"] == ["This field is required."]
    assert_shown(
        page,
        {
            "id_extension-requested_due_on": "id_extension-requested_due_on",
            "id_extension-justification": "id_extension-justification",
        },
    )
    assert "Your request was not sent" in response.content.decode()


def test_the_decision_form_wants_a_reason_to_deny(today, directive, treasury_editor, reviewer):
    d = directive("2(d)")
    request = actions.request_extension(d, dt.date(2027, 1, 15), actor=treasury_editor, justification="Late.")
    response, page = refused(
        client_of(reviewer), d, "decision", {"decision-request": request.pk, "decision-decision": "deny"}
    )
    assert "Say why the extension is denied" in response.context["decision_form"].errors["reason"][0]
    assert_shown(page, {"id_decision-reason": "id_decision-reason"})


def test_a_decision_names_a_request_of_this_directive(today, directive, treasury_editor, reviewer):
    actions.request_extension(
        directive("2(d)"), dt.date(2027, 1, 15), actor=treasury_editor, justification="x"
    )
    other = directive("3(b)")
    other_request = actions.request_extension(
        other, other.due_on + dt.timedelta(days=30), actor=treasury_editor, justification="y"
    )
    before = written()
    response = client_of(reviewer).post(
        f"/directives/{directive('2(d)').pk}/",
        {"form": "decision", "decision-request": other_request.pk, "decision-decision": "approve"},
    )
    assert response.status_code == 400
    assert "named no extension request of this directive" in response.content.decode()
    assert written() == before


def test_the_evidence_form_says_a_file_is_needed(today, directive, cisa_editor):
    response, page = refused(client_of(cisa_editor), directive("2(c)(ii)"), "evidence", {})
    assert response.context["evidence_form"].errors["file"] == ["This field is required."]
    assert_shown(page, {"id_file": "id_file"})


def test_an_unknown_form_is_a_400_naming_it(directive, cisa_editor):
    before = written()
    response = client_of(cisa_editor).post(f"/directives/{directive('2(c)(ii)').pk}/", {"form": "delete"})
    assert response.status_code == 400
    assert "form: 'delete' is no form of this page" in response.content.decode()
    assert written() == before


@pytest.mark.parametrize(
    ("persona", "name"),
    [
        ("cisa_editor", "review"),  # only reviewers review
        ("treasury_editor", "extension"),  # not a lead of 2(c)(ii)
        ("oncd_editor", "extension"),  # consulted only
        ("cisa_editor", "decision"),  # only reviewers decide
        ("treasury_editor", "evidence"),
        ("oncd_editor", "evidence"),
        ("reviewer", "event"),
    ],
)
def test_each_form_refuses_who_may_not_send_it(request, today, directive, persona, name):
    d = directive("2(c)(ii)")
    before = written()
    response = client_of(request.getfixturevalue(persona)).post(f"/directives/{d.pk}/", {"form": name})
    assert response.status_code == 403
    assert written() == before
