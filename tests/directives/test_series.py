"""A recurring directive: each occurrence a directive of its own, made when the one before is due or done.

Sec. 4 of Order A is due 1 day after the Order (Sat 2026-01-31), then every month until 2026-04-30:
occurrences on Jan 31, Feb 28, Mar 31 and Apr 30, counted from the first so month ends do not drift.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from directives import actions, deadlines
from directives.history import proof
from directives.models import Directive, DirectiveEvent, Notification, Status
from directives.publishing.export import status_rows
from directives.queries import summarize
from tests.api.conftest import token_client
from tests.directives.rule_orders import ORDER_A, ORDER_B, get, load

pytestmark = pytest.mark.django_db

# The first occurrence's due day ends at midnight Eastern (standard time): 05:00 UTC on Feb 1.
FIRST_ENDS = dt.datetime(2026, 2, 1, 5, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def sweep(at: dt.datetime) -> list[str]:
    with time_machine.travel(at, tick=False):
        return list(Directive.objects.filter(pk__in=actions.advance_series()).values_list("ref", flat=True))


def occurrences() -> list[tuple[str, int, dt.date, str]]:
    rows = Directive.objects.filter(order__number=90001, deadline_kind="recurring").order_by("occurrence")
    return list(rows.values_list("ref", "occurrence", "due_on", "status"))


def test_the_next_occurrence_is_made_when_the_due_day_of_the_current_one_ends():
    load(ORDER_A)
    assert sweep(FIRST_ENDS - MINUTE) == []
    assert sweep(FIRST_ENDS) == ["4#2"]
    assert sweep(FIRST_ENDS + MINUTE) == []
    assert occurrences() == [
        ("4", 1, dt.date(2026, 1, 31), Status.NOT_STARTED),
        ("4#2", 2, dt.date(2026, 2, 28), Status.NOT_STARTED),
    ]


def test_completing_the_current_occurrence_makes_the_next_in_the_same_transaction(admin_user):
    load(ORDER_A)
    with time_machine.travel(dt.datetime(2026, 1, 31, 9, tzinfo=deadlines.EASTERN), tick=False):
        actions.change_status(get("4"), Status.COMPLETED, actor=admin_user)
    completion, made = DirectiveEvent.objects.filter(order__number=90001).order_by("-seq")[:2][::-1]
    assert (completion.directive.ref, made.directive.ref, made.kind) == (
        "4",
        "4#2",
        DirectiveEvent.Kind.CREATED,
    )
    assert made.signed_from == completion.seq  # one append: the completion and the next occurrence
    assert made.note == (
        "Occurrence 2 of Sec. 4 (1 day after the Order, then every 1 month until Thu 2026-04-30), "
        "due Sat 2026-02-28. Starts as: title 'Every month'; led by ABC; consulted: none; part of none."
    )


def test_each_occurrence_has_its_own_status_outcome_and_agencies(admin_user):
    load(ORDER_A)
    sweep(FIRST_ENDS)
    with time_machine.travel(dt.datetime(2026, 2, 10, 12, tzinfo=deadlines.EASTERN), tick=False):
        actions.change_status(get("4#2"), Status.COMPLETED, actor=admin_user)
    first, second = get("4"), get("4#2")
    assert (first.status, first.outcome) == (Status.NOT_STARTED, None)
    assert (second.status, second.outcome, second.series_id) == (Status.COMPLETED, "on_time", first.pk)
    assert [a.abbreviation for a in second.lead_agencies] == ["ABC"]
    assert second.rule == first.rule


def test_after_an_outage_the_sweep_catches_up_to_the_present_and_stops_at_until():
    load(ORDER_A)
    assert sweep(dt.datetime(2026, 3, 15, tzinfo=dt.UTC)) == ["4#2", "4#3"]
    assert sweep(dt.datetime(2027, 1, 1, tzinfo=dt.UTC)) == ["4#4"]  # Apr 30 is the last: until is inclusive
    assert [due for _, _, due, _ in occurrences()] == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]
    assert sweep(dt.datetime(2027, 6, 1, tzinfo=dt.UTC)) == []


def test_an_occurrence_cannot_be_made_twice():
    load(ORDER_A)
    sweep(FIRST_ENDS)
    head = get("4")
    with pytest.raises(IntegrityError), transaction.atomic():
        Directive.objects.create(order=head.order, ref="4#2b", title="again", series=head, occurrence=2)


def test_a_rescinded_series_makes_no_more_occurrences():
    load(ORDER_A)
    load(
        ORDER_B.replace('directives = ["5(a)", "6"]', 'directives = ["4"]'),
        at=dt.datetime(2026, 1, 31, tzinfo=dt.UTC),
    )
    assert get("4").status == Status.RESCINDED
    assert sweep(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)) == []


def test_a_revocation_rescinds_every_occurrence_made_so_far():
    load(ORDER_A)
    sweep(dt.datetime(2026, 3, 15, tzinfo=dt.UTC))
    load(
        ORDER_B.replace('directives = ["5(a)", "6"]', 'directives = ["4"]'),
        at=dt.datetime(2026, 3, 16, tzinfo=dt.UTC),
    )
    assert [status for *_, status in occurrences()] == [Status.RESCINDED] * 3


def test_occurrences_are_flagged_reminded_and_counted_like_any_directive():
    load(ORDER_A)
    sweep(FIRST_ENDS)
    with time_machine.travel(dt.datetime(2026, 3, 1, 5, 0, tzinfo=dt.UTC), tick=False):  # Feb 28 ended
        flagged = actions.flag_overdue()
    assert set(Directive.objects.filter(pk__in=flagged).values_list("ref", flat=True)) == {"4", "4#2", "1"}
    assert Notification.objects.filter(directive__ref="4#2", kind=Notification.Kind.OVERDUE).count() == 1
    summary = summarize(
        Directive.objects.filter(order__number=90001), dt.datetime(2026, 3, 1, 6, tzinfo=dt.UTC)
    )
    assert summary["overdue"] == 3  # 1, 4 and 4#2
    row = next(
        r for r in status_rows(Directive.objects.filter(ref="4#2"), dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    )
    assert (row["ref"], row["due_on"], row["is_overdue"], row["days_overdue"]) == (
        "4#2",
        "2026-02-28",
        True,
        1,
    )


def test_the_api_lists_an_occurrence_with_its_series(admin_user):
    load(ORDER_A)
    sweep(FIRST_ENDS)
    body = token_client(admin_user).get(f"/api/v1/directives/{get('4#2').pk}/").json()
    assert (body["ref"], body["series"], body["occurrence"], body["due_on"]) == ("4#2", "4", 2, "2026-02-28")
    assert body["deadline"] == {
        "kind": "recurring",
        "first": {"kind": "days_after_order", "days": 1},
        "every_months": 1,
        "until": "2026-04-30",
    }


def test_the_directive_page_shows_the_series(admin_user):
    load(ORDER_A)
    sweep(dt.datetime(2026, 3, 15, tzinfo=dt.UTC))
    client = Client()
    client.force_login(admin_user)
    html = client.get(f"/directives/{get('4#2').pk}/").content.decode()
    assert "Occurrence 2 of" in html and f'href="/directives/{get("4").pk}/">Sec. 4</a>' in html
    assert f'href="/directives/{get("4#3").pk}/">3: Sec. 4#3</a>' in html
    assert "2 (this one)" in html


def test_the_command_makes_what_is_owed_and_says_what(tmp_path):
    load(ORDER_A)
    out = StringIO()
    with time_machine.travel(FIRST_ENDS, tick=False):
        call_command("advance_series", stdout=out)
    assert out.getvalue() == "made: EO 90001 sec. 4#2 (due 2026-02-28)\n1 occurrence made.\n"


def test_the_history_of_a_series_replays():
    load(ORDER_A)
    sweep(dt.datetime(2026, 3, 15, tzinfo=dt.UTC))
    report = proof.verify()
    assert report.ok, report.problems


def test_a_series_counted_from_an_event_starts_when_the_event_is_dated():
    text = ORDER_A.replace(
        'first = { kind = "days_after_order", days = 1 }',
        'first = { kind = "days_from_event", days = 10, event = "the first audit" }',
    )
    load(text)
    assert (get("4").due_on, sweep(dt.datetime(2026, 6, 1, tzinfo=dt.UTC))) == (None, [])
    with time_machine.travel(dt.datetime(2026, 2, 2, 12, tzinfo=deadlines.EASTERN), tick=False):
        actions.set_event_date(get("4"), dt.date(2026, 2, 5), actor=None)
    assert get("4").due_on == dt.date(2026, 2, 15)
    assert sweep(dt.datetime(2026, 3, 1, tzinfo=dt.UTC)) == [
        "4#2"
    ]  # Feb 15 ended: the next is due a month on
    assert get("4#2").due_on == dt.date(2026, 3, 15)
    report = proof.verify()
    assert report.ok, report.problems
