"""A directive's long history: its page shows one page of events, newest first, at a constant cost,
with links to older pages, to the whole history as CSV and to the API's events."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directives import history
from directives.models import DirectiveEvent
from directives.pages.views import HISTORY_PAGE_SIZE
from tests.conftest import LOADED_AT


def add_notes(d, user, n: int) -> None:
    """Append ``n`` notes to ``d``'s history in one signed append (the write path's bulk form)."""
    with transaction.atomic():
        history.append(
            [
                history.NewEvent.of(
                    d,
                    kind=DirectiveEvent.Kind.NOTE,
                    created=LOADED_AT + dt.timedelta(days=1, seconds=i),
                    actor=user,
                    note=f"note {i}",
                )
                for i in range(n)
            ]
        )


def notes_on(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="orderctl-timeline__note">note (\d+)<', html)]


def page(client, d, **params):
    return client.get(reverse("directive_detail", args=[d.pk]), params)


def queries_for(client, d, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = page(client, d, **params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_page_costs_the_same_queries_for_2000_events_as_for_20(client, cisa_editor, directive):
    d = directive("2(c)(ii)")
    add_notes(d, cisa_editor, 20 - d.events.count())
    client.force_login(cisa_editor)
    page(client, d)  # the session and the caches warm
    assert d.events.count() == 20
    few, _ = queries_for(client, d)
    add_notes(d, cisa_editor, 1980)
    assert d.events.count() == 2000
    many, html = queries_for(client, d)
    assert many == few
    assert len(notes_on(html)) == HISTORY_PAGE_SIZE
    # An older page of the long history costs the same, plus the newest event's id for the form.
    older, html = queries_for(client, d, before=1000)
    assert older == few + 1
    assert len(notes_on(html)) == HISTORY_PAGE_SIZE


def test_pages_go_newest_first_and_link_to_the_older_ones_until_the_first_event(client, reviewer, directive):
    d = directive("2(c)(ii)")
    add_notes(d, reviewer, 60)
    client.force_login(reviewer)
    seen: list[int] = []
    params: dict = {}
    for _ in range(10):
        html = page(client, d, **params).content.decode()
        seen += notes_on(html)
        older = re.search(r'href="[^"]*\?before=(\d+)#history" rel="next">Older events', html)
        if not older:
            break
        assert "Newest events" in html or not params
        params = {"before": older.group(1)}
    assert seen == list(reversed(range(60)))
    # The last page also holds the directive's first events (created, deadline set).
    assert "Newest events" in html
    assert "Older events" not in html


def test_the_page_links_the_whole_history_as_csv_and_from_the_api(client, reviewer, directive):
    d = directive("2(c)(ii)")
    client.force_login(reviewer)
    html = page(client, d).content.decode()
    assert f'href="/directives/{d.pk}/history.csv"' in html
    assert f'href="/api/v1/directives/{d.pk}/events/"' in html


def test_the_csv_holds_every_event_oldest_first_and_neutralises_formulas(
    client, reviewer, directive, cisa_editor
):
    d = directive("2(c)(ii)")
    add_notes(d, cisa_editor, 120)
    with transaction.atomic():
        history.append(
            [
                history.NewEvent.of(
                    d,
                    kind=DirectiveEvent.Kind.NOTE,
                    created=LOADED_AT + dt.timedelta(days=2),
                    actor=cisa_editor,
                    note="=HYPERLINK(1)",
                )
            ]
        )
    client.force_login(reviewer)
    response = client.get(reverse("directive_history_csv", args=[d.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    stored = list(d.events.order_by("seq").values_list("seq", "hash"))
    assert [(int(r["seq"]), r["hash"]) for r in rows] == stored
    assert rows[-1]["note"] == "'=HYPERLINK(1)"
    assert rows[-1]["by"] == cisa_editor.username


@pytest.mark.parametrize("before", ["abc", "-1", "0", "1.5", "99999999999", "١٢"])
def test_a_bad_page_is_refused_naming_the_parameter(client, reviewer, directive, before):
    client.force_login(reviewer)
    response = page(client, directive("2(c)(ii)"), before=before)
    assert response.status_code == 400
    assert response.content.decode().startswith("before:")


def test_the_update_form_knows_the_newest_event_on_an_older_page_too(client, cisa_editor, directive):
    d = directive("2(c)(ii)")
    add_notes(d, cisa_editor, 40)
    client.force_login(cisa_editor)
    newest = d.events.order_by("-seq").first().id
    for params in ({}, {"before": 10}):
        html = page(client, d, **params).content.decode()
        assert f'name="seen_event" value="{newest}"' in html
