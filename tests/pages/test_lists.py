"""The agency page and the directive list: rows, order, filters, and a constant number of queries."""

import datetime as dt
import re

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directives import actions
from directives.models import Directive
from directives.orderfile import parse_order_file
from tests.conftest import ORDER_FILE

# 2026-07-10, noon Eastern: the 30-day deadlines (Thu 2026-07-02) have passed, the 60-day ones
# (Sat 2026-08-01) have not.
MID_JULY = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.UTC)


def _refs(content: bytes) -> list[str]:
    """Return the directive refs of a page's table rows, in order."""
    return re.findall(
        r'<th scope="row" data-label="Sec\."><a class="orderctl-ref" href="[^"]+">([^<]+)</a>',
        content.decode(),
    )


def test_the_agency_page_lists_led_then_consulted_directives_overdue_first(client, cisa_editor):
    client.force_login(cisa_editor)
    with time_machine.travel(MID_JULY, tick=False):
        page = client.get(reverse("my_agency"))
    html = page.content.decode()
    led, consulted = html.split('id="consulted-heading"')
    # CISA leads 2(c) and its parts (30 days, overdue) and Sec. 3 with its parts (60 days, not yet).
    assert _refs(led.encode()) == ["2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "3", "3(a)", "3(b)"]
    assert _refs(consulted.encode()) == ["2(d)", "2(e)"]
    assert "Thu 2026-07-02" in led
    assert "Sat 2026-08-01" in led
    assert "8 days overdue" in led
    assert "22 days left" in led


def test_the_agency_page_puts_overdue_directives_first(client, cisa_editor, directive):
    # Recorded the day it claims (not long after, which would flag it for review: never "on time").
    with time_machine.travel(dt.datetime(2026, 6, 10, 16, 0, tzinfo=dt.UTC), tick=False):
        actions.change_status(
            directive("2(c)(i)"), "completed", actor=cisa_editor, completed_on=dt.date(2026, 6, 10)
        )
    client.force_login(cisa_editor)
    with time_machine.travel(dt.datetime(2026, 8, 5, 16, 0, tzinfo=dt.UTC), tick=False):
        page = client.get(reverse("my_agency"))
    led = page.content.decode().split('id="consulted-heading"')[0]
    # Everything open is overdue now; the completed 2(c)(i) moves behind them.
    assert _refs(led.encode())[-1] == "2(c)(i)"
    assert "Completed on time" in led


def test_a_department_editor_sees_the_directives_of_its_components(client, dhs_editor):
    client.force_login(dhs_editor)
    led = client.get(reverse("my_agency")).content.decode().split('id="consulted-heading"')[0]
    assert "2(c)(ii)" in led


def test_a_reviewer_without_an_agency_is_pointed_to_the_full_list(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("my_agency"))
    assert b"You are an oversight reviewer" in page.content
    assert reverse("directive_list").encode() in page.content


def test_the_list_shows_every_directive_to_everyone_signed_in(client, outsider):
    client.force_login(outsider)
    page = client.get(reverse("directive_list"))
    assert page.status_code == 200
    assert len(_refs(page.content)) == 13
    assert b"13 directives" in page.content


def test_the_list_filters_by_agency_status_order_and_overdue(client, reviewer, directive, treasury_editor):
    actions.change_status(directive("2(d)"), "in_progress", actor=treasury_editor)
    client.force_login(reviewer)
    with time_machine.travel(MID_JULY, tick=False):
        by_agency = client.get(reverse("directive_list"), {"agency": "OPM"})
        by_status = client.get(reverse("directive_list"), {"status": "in_progress"})
        overdue = client.get(reverse("directive_list"), {"order": "14409", "overdue": "true"})
        not_overdue = client.get(reverse("directive_list"), {"overdue": "false"})
    assert _refs(by_agency.content) == ["2(f)"]
    assert _refs(by_status.content) == ["2(d)"]
    assert _refs(overdue.content) == [
        "2(a)",
        "2(b)",
        "2(c)",
        "2(c)(i)",
        "2(c)(ii)",
        "2(c)(iii)",
        "2(d)",
        "2(e)",
    ]
    assert _refs(not_overdue.content) == ["2(f)", "3", "3(a)", "3(b)", "4"]
    # The chosen filter stays selected, so the URL and the form agree.
    assert b'<option value="OPM" selected>' in by_agency.content
    assert b"1 directive matches your filters" in by_agency.content


def test_the_list_speaks_the_apis_filter_vocabulary(client, reviewer, order):
    """agency = the lead agency with its components, involving = any role, status repeats."""
    client.force_login(reviewer)
    queries: list[tuple[dict[str, object], list[str]]] = [
        ({"agency": "DHS"}, ["2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "3", "3(a)", "3(b)"]),
        ({"agency": "ONCD"}, []),  # ONCD leads nothing
        (
            {"involving": "ONCD"},
            ["2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "2(d)", "2(e)", "3", "3(a)", "3(b)"],
        ),
        ({"involving": "DOW", "status": ["not_started", "blocked"]}, ["2(b)", "2(d)", "3", "3(a)", "3(b)"]),
    ]
    for query, refs in queries:
        page = client.get(reverse("directive_list"), query)
        api = client.get("/api/v1/directives/", {**query, "page_size": 100}).json()
        assert _refs(page.content) == refs, query
        assert [d["ref"] for d in api["results"]] == refs, query


def test_the_list_names_a_filter_it_does_not_understand(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("directive_list"), {"status": "finished", "agency": "CISAA"})
    assert page.status_code == 200
    assert b"usa-alert--error" in page.content
    assert b"Select a valid choice. finished is not one of the available choices." in page.content
    assert b"Unknown agency &#x27;CISAA&#x27;." in page.content
    assert len(_refs(page.content)) == 13


def _second_order():
    text = ORDER_FILE.read_text().replace("number = 14409", "number = 99999", 1)
    actions.load_order(parse_order_file(text))


def test_the_lists_cost_the_same_queries_for_twice_the_rows(client, cisa_editor):
    client.force_login(cisa_editor)
    client.get(reverse("directive_list"))  # warm the session and the content types

    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    before = {path: count(path) for path in (reverse("directive_list"), reverse("my_agency"))}
    _second_order()
    assert Directive.objects.count() == 26
    after = {path: count(path) for path in before}
    assert after == before


def test_the_directives_page_filters_by_review_and_names_an_unknown_one(client, reviewer, cisa_editor):
    d = Directive.objects.get(ref="2(c)(i)")
    actions.change_status(d, "completed", actor=cisa_editor, completed_on=dt.date(2026, 7, 1))
    actions.review(d, "disputed", actor=reviewer, note="No charter.")
    client.force_login(reviewer)
    assert _refs(client.get("/directives/?review=disputed").content) == ["2(c)(i)"]
    page = client.get("/directives/?review=bogus").content.decode()
    assert "Some filters were not understood and are ignored" in page
    assert "Select a valid choice. bogus is not one of the available choices." in page
    assert 'id="id_review' in page  # the error stands at the review filter, on the page


def test_each_row_links_its_ref_and_title_to_its_directive_page(client, cisa_editor, order):
    client.force_login(cisa_editor)
    html = client.get(reverse("directive_list")).content.decode()
    rows = re.findall(r'<tr[^>]*>\s*<th scope="row".*?</tr>', html, re.DOTALL)
    assert len(rows) == Directive.objects.count() == 13
    for row in rows:
        ref = re.search(r'class="orderctl-ref" href="[^"]+">([^<]+)</a>', row).group(1)
        page = reverse("directive_detail", args=[Directive.objects.get(order=order, ref=ref).pk])
        assert re.findall(r'<a (?:class="orderctl-ref" )?href="([^"]+)">', row) == [page, page]
