"""What one append writes of each value it has seen before (``history.appending.Texts``): the same text
as for a value it has not, in the canonical text the chain hashes and in the rows it stores.

``append`` escapes each repeated kind, status, ref, note, date and id once (the overdue sweep's tens
of thousands of events share a few hundred notes and due days), and keeps up to ``MEMO_ROOM`` of them:
past that, a restore's unique notes are written each time rather than all kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directives import actions, history
from directives.history.appending import Texts
from directives.history.canonical import MEMO_ROOM, Memo
from directives.models import Directive, DirectiveEvent
from directives.orderfile import parse_order_file
from tests.conftest import ORDER_FILE

NOON_NOV_26 = dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)
# PostgreSQL stores no NUL character: the other controls stand for it.
AWKWARD = 'Quotes " and \\ backslashes,\ttabs,\nnewlines\r, \x1f controls, Ünïcödé \u2028 and \\N'

# Values met again, met once, and each kind of empty: in one append, in this order.
CONTENTS: list[dict[str, Any]] = [
    {"note": AWKWARD},
    {"note": AWKWARD, "actor_id": 12, "agency_id": 3},
    {"note": "", "old_due_on": dt.date(2026, 7, 2)},
    {"kind": "deadline_extended", "old_due_on": dt.date(2026, 7, 2), "new_due_on": dt.date(2027, 1, 31)},
    {"kind": "status_changed", "old_status": "not_started", "new_status": "completed"},
    {"kind": "status_changed", "old_status": "completed", "new_status": "not_started", "actor_id": 12},
    {"completed_on": dt.date(2026, 7, 2), "new_forecast_on": dt.date(2026, 7, 2), "evidence_url": AWKWARD},
    {"note": AWKWARD, "directive_ref": "3(a)", "evidence_url": AWKWARD},
]


def _event(**content: Any) -> history.NewEvent:
    values: dict[str, Any] = {"directive_id": 1, "order_id": 1, "directive_ref": "2(c)(ii)", "kind": "note"}
    return history.NewEvent(created=NOON_NOV_26, **(values | content))


def test_an_appends_texts_are_the_json_encoders_for_values_seen_before_and_new():
    texts = Texts()
    for seq, content in enumerate(CONTENTS * 2, start=1):
        event = _event(**content)
        place: dict[str, Any] = {
            "order": 14409,
            "seq": seq,
            "prev_hash": "ab" * 32,
            "created": history.instant(NOON_NOV_26),
        }
        expected = history.canonical(event.content(**place)).decode()
        assert event.canonical_text(**place, texts=texts) == expected, content
        assert event.canonical_text(**place) == expected, content


def test_a_memo_keeps_a_bounded_number_of_values_and_writes_the_rest_each_time():
    written: list[int] = []

    def write(value: int) -> str:
        written.append(value)
        return f"<{value}>"

    memo = Memo(write)
    values = range(MEMO_ROOM + 10)
    assert [memo[v] for v in values] == [f"<{v}>" for v in values]
    assert len(memo) == MEMO_ROOM
    assert [memo[v] for v in values] == [f"<{v}>" for v in values]
    # The first MEMO_ROOM values were written once; those past it, each time they were asked for.
    assert written == [*values, *range(MEMO_ROOM, MEMO_ROOM + 10)]


@pytest.mark.django_db
def test_an_append_of_more_distinct_notes_than_a_memo_keeps_stores_and_chains_each_as_written(directive):
    part = directive("2(c)(ii)")
    notes = [f"{AWKWARD} {i}" if i % 2 else AWKWARD for i in range(MEMO_ROOM + 20)]
    events = [
        history.NewEvent.of(
            part,
            kind=DirectiveEvent.Kind.NOTE,
            created=NOON_NOV_26,
            note=note,
            old_due_on=dt.date(2026, 1, 1) + dt.timedelta(days=i),
        )
        for i, note in enumerate(notes)
    ]
    ids = history.append(events)
    stored = dict(DirectiveEvent.objects.filter(pk__in=ids).values_list("pk", "note"))
    assert [stored[pk] for pk in ids] == notes
    assert list(
        DirectiveEvent.objects.filter(pk__in=ids).order_by("seq").values_list("old_due_on", flat=True)
    ) == [e.old_due_on for e in events]
    assert history.verify().ok


@pytest.mark.django_db
def test_an_append_to_two_orders_in_turn_signs_each_orders_newest_event_over_all_of_its_own(directive):
    """The rows go to the database as they are chained, each order's newest held back to be signed."""
    first = directive("2(c)(ii)")
    text = ORDER_FILE.read_text().replace("number = 14409", "number = 99999", 1)
    other_order, _ = actions.load_order(parse_order_file(text))
    second = Directive.objects.get(order=other_order, ref="2(c)(ii)")
    before = {o: DirectiveEvent.objects.filter(order_id=o).count() for o in (first.order_id, other_order.pk)}
    turns = [first, second, first, first, second, first, second] * 700  # past one chunk of COPY's text
    events = [
        history.NewEvent.of(d, kind=DirectiveEvent.Kind.NOTE, created=NOON_NOV_26, note=f"{AWKWARD} {i}")
        for i, d in enumerate(turns)
    ]
    ids = history.append(events)
    stored = dict(DirectiveEvent.objects.filter(pk__in=ids).values_list("pk", "note"))
    assert [stored[pk] for pk in ids] == [e.note for e in events]
    for order_id in (first.order_id, other_order.pk):
        signed = DirectiveEvent.objects.filter(pk__in=ids, order_id=order_id).exclude(signature="")
        [newest] = signed.values_list("seq", "signed_from")
        added = sum(1 for d in turns if d.order_id == order_id)
        assert newest == (before[order_id] + added, before[order_id] + 1)
    assert history.verify().ok


@pytest.mark.django_db
def test_an_append_while_the_queries_are_logged_stores_its_events(directive):
    """With the query log on (DEBUG, or a test's capture), Django's debug cursor sends the rows."""
    part = directive("2(c)(ii)")
    event = history.NewEvent.of(part, kind=DirectiveEvent.Kind.NOTE, created=NOON_NOV_26, note=AWKWARD)
    with CaptureQueriesContext(connection):
        [pk] = history.append([event])
    assert DirectiveEvent.objects.get(pk=pk).note == AWKWARD
