"""The order page: identity, citation, the directive tree with statuses, and the 3(c) limitation."""

import datetime as dt
import re

from django.urls import reverse

from directives import actions
from directives.orderfile import parse_order_file
from tests.conftest import ORDER_FILE


def test_it_shows_the_orders_identity_and_citation(client, reviewer):
    client.force_login(reviewer)
    html = client.get(reverse("order_detail", args=[14409])).content.decode()
    assert "<h1" in html and "Promoting Advanced Artificial Intelligence Innovation and Security" in html
    assert "Executive Order 14409" in html
    assert "Tue 2026-06-02" in html
    link = '<a href="https://www.federalregister.gov/documents/2026/06/05/2026-11415" rel="noopener">'
    assert link + "91 FR 34565</a>" in html
    assert "document 2026-11415" in html


def test_it_shows_the_3c_limitation(client, reviewer):
    client.force_login(reviewer)
    html = client.get(reverse("order_detail", args=[14409])).content.decode()
    box = html[html.index('id="limitations-heading"') : html.index('id="directives-heading"')]
    assert "Sec. 3(c) limitation" in box
    assert "mandatory licensing, preclearance or permitting" in box


def test_it_nests_the_parts_under_their_section_with_statuses(client, reviewer, cisa_editor, directive):
    actions.change_status(
        directive("2(c)(i)"), "completed", actor=cisa_editor, completed_on=dt.date(2026, 6, 10)
    )
    client.force_login(reviewer)
    html = client.get(reverse("order_detail", args=[14409])).content.decode()
    section = html[html.index("Sec. 2(c)</span>") : html.index("Sec. 2(d)</span>")]
    # The parts sit in a nested list inside 2(c)'s item, each with its status tag.
    assert section.count('<ul class="orderctl-tree">') == 1
    assert re.search(r"Sec\. 2\(c\)\(i\)</span>.*?orderctl-status--completed", section, re.S)
    assert re.search(r"Sec\. 2\(c\)\(ii\)</span>.*?orderctl-status--not_started", section, re.S)
    assert "orderctl-status--in_progress" in section[: section.index("Sec. 2(c)(i)")]  # rolled up


def test_the_orders_link_goes_to_the_only_order_or_lists_several(client, reviewer, order):
    client.force_login(reviewer)
    response = client.get(reverse("order_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("order_detail", args=[14409])
    actions.load_order(
        parse_order_file(ORDER_FILE.read_text().replace("number = 14409", "number = 99999", 1))
    )
    page = client.get(reverse("order_list"))
    assert page.status_code == 200
    assert b"Executive Order 99999" in page.content


def test_an_unknown_order_is_not_found(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("order_detail", args=[1])).status_code == 404
