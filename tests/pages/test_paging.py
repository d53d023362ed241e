"""Every list pages on the server: page boundaries, filters kept across pages, bad pages refused, and
the same queries for a page of 13 directives as for one of 78."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directives import actions
from directives.models import Directive, Order
from directives.orderfile import parse_order_file
from tests.conftest import ORDER_FILE

# 2026-06-10, noon Eastern: the Order (signed 2026-06-02) has no deadline passed yet.
BEFORE_ANY_DEADLINE = dt.datetime(2026, 6, 10, 16, 0, tzinfo=dt.UTC)
# The Order's 13 directives in its own sequence (order, position, ref), as the list shows them.
SEQUENCE = [
    "2(a)",
    "2(b)",
    "2(c)",
    "2(c)(i)",
    "2(c)(ii)",
    "2(c)(iii)",
    "2(d)",
    "2(e)",
    "2(f)",
    "3",
    "3(a)",
    "3(b)",
    "4",
]


def _refs(content: bytes) -> list[str]:
    """Return the directive refs of a page's table rows, in order."""
    return re.findall(
        r'<th scope="row" data-label="Sec\."><a class="orderctl-ref" href="[^"]+">([^<]+)</a>',
        content.decode(),
    )


def _tree_refs(content: bytes) -> list[str]:
    return re.findall(r'<span class="orderctl-ref">Sec\. ([^<]+)</span>', content.decode())


def _link(content: bytes, rel: str) -> str | None:
    """Return the address of the pagination's previous or next link, or None without one."""
    found = re.search(rf'<a href="([^"]+)"[^>]*rel="{rel}"', content.decode())
    return html.unescape(found.group(1)) if found else None


def _load_copies(numbers):
    for number in numbers:
        text = ORDER_FILE.read_text().replace("number = 14409", f"number = {number}", 1)
        actions.load_order(parse_order_file(text))


def test_the_list_shows_one_page_at_a_time_with_the_total(client, reviewer):
    client.force_login(reviewer)
    url = reverse("directive_list")
    first = client.get(url, {"page_size": 5})
    second = client.get(url, {"page_size": 5, "page": 2})
    last = client.get(url, {"page_size": 5, "page": 3})
    assert _refs(first.content) == SEQUENCE[0:5]
    assert _refs(second.content) == SEQUENCE[5:10]
    assert _refs(last.content) == SEQUENCE[10:13]
    for page in (first, second, last):
        assert b"13 directives" in page.content  # the total, not the page's rows
    assert b"Showing 11 to 13 of 13, page 3 of 3." in last.content
    assert _link(first.content, "prev") is None
    assert _link(last.content, "next") is None
    assert b'aria-label="Page 3" aria-current="page"' in last.content


def test_a_page_that_holds_everything_has_no_pagination(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("directive_list"))
    assert _refs(page.content) == SEQUENCE
    assert b"usa-pagination" not in page.content


def test_the_filters_stay_in_the_address_from_page_to_page(client, reviewer):
    client.force_login(reviewer)
    url = reverse("directive_list")
    first = client.get(url, {"agency": "DHS", "status": ["not_started", "in_progress"], "page_size": 3})
    # DHS leads 2(c) with its parts and 3 with its parts: 7 rows, 3 a page.
    assert b"7 directives match your filters" in first.content
    assert _refs(first.content) == ["2(c)", "2(c)(i)", "2(c)(ii)"]
    following = _link(first.content, "next")
    assert following is not None
    assert "agency=DHS" in following
    assert "status=not_started" in following and "status=in_progress" in following
    assert "page_size=3" in following and "page=2" in following
    second = client.get(url + following)
    assert _refs(second.content) == ["2(c)(iii)", "3", "3(a)"]
    third = client.get(url + _link(second.content, "next"))
    assert _refs(third.content) == ["3(b)"]
    back = _link(third.content, "prev")
    assert back is not None and "agency=DHS" in back and "page=2" in back


def test_the_pages_follow_the_apis_ordering(client, reviewer):
    client.force_login(reviewer)
    query = {"ordering": "-ref", "page_size": 4}
    pages = [client.get(reverse("directive_list"), {**query, "page": n}) for n in (1, 2, 3, 4)]
    api = client.get("/api/v1/directives/", {"ordering": "-ref", "page_size": 100}).json()
    assert [ref for page in pages for ref in _refs(page.content)] == [d["ref"] for d in api["results"]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"page": "0"}, "page: must be a whole number of 1 or more, not '0'"),
        ({"page": "-1"}, "page: must be a whole number of 1 or more, not '-1'"),
        ({"page": "two"}, "page: must be a whole number of 1 or more, not 'two'"),
        ({"page": "1.5"}, "page: must be a whole number of 1 or more, not '1.5'"),
        ({"page": "99999999999999999999"}, "page: must be a whole number of 1 or more"),
        ({"page": "4", "page_size": "5"}, "page: there is no page 4: 13 rows make 3 page(s) of 5"),
        ({"page_size": "0"}, "page_size: must be a whole number of 1 or more, not '0'"),
        ({"page_size": "201"}, "page_size: must be at most 200, not 201"),
    ],
)
def test_a_bad_page_or_size_is_a_400_naming_it(client, reviewer, query, message):
    client.force_login(reviewer)
    response = client.get(reverse("directive_list"), query)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.content.decode()


def test_the_largest_page_size_is_accepted(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("directive_list"), {"page_size": "200"})
    assert response.status_code == 200
    assert _refs(response.content) == SEQUENCE


def test_page_one_of_an_empty_list_is_an_empty_page(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("directive_list"), {"search": "no-such-words", "page": "1"})
    assert response.status_code == 200
    assert b"0 directives match your filters" in response.content
    assert client.get(reverse("directive_list"), {"search": "no-such-words", "page": "2"}).status_code == 400


def test_the_agency_page_pages_each_list_on_its_own(client, cisa_editor):
    client.force_login(cisa_editor)
    url = reverse("my_agency")
    with time_machine.travel(BEFORE_ANY_DEADLINE, tick=False):
        page = client.get(url, {"led_page_size": 3, "led_page": 2, "consulted_page_size": 1})
    assert page.status_code == 200
    led, consulted = page.content.decode().split('id="consulted-heading"')
    # CISA leads 7 (2(c), 3 and their parts) and is consulted on 2(d) and 2(e); nothing is overdue
    # before the first deadline, so each list is in the Order's sequence.
    assert "(7)</h2>" in led
    assert _refs(led.encode()) == ["2(c)(iii)", "3", "3(a)"]
    assert _refs(consulted.encode()) == ["2(d)"]
    # Paging the consulted list keeps the led list's page.
    following = _link(consulted.encode(), "next")
    assert following is not None and "led_page=2" in following and "consulted_page=2" in following
    with time_machine.travel(BEFORE_ANY_DEADLINE, tick=False):
        second = client.get(url + following).content.decode().split('id="consulted-heading"')[1]
    assert _refs(second.encode()) == ["2(e)"]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"led_page": "x"}, "led_page"), ({"consulted_page_size": "9999"}, "consulted_page_size")],
)
def test_the_agency_page_refuses_a_bad_page_naming_its_list(client, cisa_editor, query, field):
    client.force_login(cisa_editor)
    response = client.get(reverse("my_agency"), query)
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{field}: ")


def test_the_order_page_pages_its_sections_with_their_parts(client, reviewer, order):
    client.force_login(reviewer)
    url = reverse("order_detail", args=[14409])
    # 8 top-level sections: 2(a), 2(b), 2(c) (3 parts), 2(d), 2(e), 2(f), 3 (2 parts), 4.
    first = client.get(url, {"page_size": 3})
    assert _tree_refs(first.content) == ["2(a)", "2(b)", "2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)"]
    assert b"Sections 1 to 3 of 8, page 1 of 3." in first.content
    last = client.get(url + _link(client.get(url + _link(first.content, "next")).content, "next"))
    assert _tree_refs(last.content) == ["3", "3(a)", "3(b)", "4"]
    assert client.get(url).content.count(b'class="orderctl-ref"') == 13  # 20 sections a page by default
    bad = client.get(url, {"page": "5", "page_size": "3"})
    assert bad.status_code == 400
    assert bad.content.decode().startswith("page: ")


def test_the_order_list_pages_the_orders(client, reviewer, order):
    _load_copies([99998, 99999])
    client.force_login(reviewer)
    url = reverse("order_list")
    pages = [client.get(url, {"page_size": 1, "page": n}) for n in (1, 2, 3)]
    numbers = [re.findall(rb"Executive Order (\d+):", page.content) for page in pages]
    assert sorted(n for found in numbers for n in found) == [b"14409", b"99998", b"99999"]
    assert all(len(found) == 1 for found in numbers)
    assert b"3 orders" in pages[0].content
    assert client.get(url, {"page": "z"}).status_code == 400


def test_a_page_costs_the_same_queries_for_13_directives_as_for_78(client, cisa_editor):
    """The rows shown are the page's only: 50 of 78, with the same queries as 13 of 13."""
    client.force_login(cisa_editor)
    paths = [
        reverse("directive_list"),
        reverse("directive_list") + "?page=2",
        reverse("directive_list") + "?agency=DHS&overdue=false",
        reverse("my_agency"),
        reverse("order_list"),
        reverse("order_detail", args=[14409]),
    ]
    client.get(paths[0])  # warm the session and the content types

    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, path
        return len(ctx.captured_queries), response

    _load_copies([99999])  # two orders, so the order list lists rather than redirects
    before = {path: count(path)[0] for path in paths if "page=2" not in path}
    _load_copies([99990, 99991, 99992, 99993])
    assert Directive.objects.count() == 78
    queries, first = count(paths[0])
    assert queries == before[paths[0]]
    assert len(_refs(first.content)) == 50
    assert b"78 directives" in first.content
    _, second = count(paths[1])
    assert len(_refs(second.content)) == 28
    after = {path: count(path)[0] for path in before}
    assert after == before
    assert count(paths[1])[0] == before[paths[0]]
    # CISA leads 7 directives of each of the 6 orders.
    led = client.get(reverse("my_agency"), {"led_page_size": 10}).content.decode()
    led = led.split('id="consulted-heading"')[0]
    assert "(42)</h2>" in led
    assert len(_refs(led.encode())) == 10


def test_with_many_orders_the_order_filter_is_a_box_for_the_number(client, reviewer, order):
    client.force_login(reviewer)
    assert b'<select name="order"' in client.get(reverse("directive_list")).content
    # Orders without directives, made directly: only their number matters to the filter.
    Order.objects.bulk_create(
        Order(number=20_000 + n, title=f"Order {n}", signed_on=dt.date(2026, 1, 1)) for n in range(100)
    )
    page = client.get(reverse("directive_list"), {"order": "14409", "page_size": 5})
    assert b'<select name="order"' not in page.content
    assert re.search(
        rb'<input type="number" name="order" value="14409"[^>]*inputmode="numeric"', page.content
    )
    assert _refs(page.content) == SEQUENCE[:5]
    assert "order=14409" in (_link(page.content, "next") or "")
