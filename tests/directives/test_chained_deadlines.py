"""A deadline chained to another directive: undated until that directive is done, then dated in the
same transaction, with an event naming it; dated once, whatever happens to the directive it waits for."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from directives import actions, deadlines
from directives.history import proof
from directives.models import Directive, DirectiveEvent, Order, Status
from tests.directives.rule_orders import AT_B, ORDER_A, ORDER_B, get, load

pytestmark = pytest.mark.django_db

MARCH_5 = dt.datetime(2026, 3, 5, 12, tzinfo=deadlines.EASTERN)


def complete(ref: str, on: dt.date, *, number: int = 90001, at: dt.datetime = MARCH_5, actor=None):
    with time_machine.travel(at, tick=False):
        return actions.change_status(get(ref, number), Status.COMPLETED, actor=actor, completed_on=on)


def test_a_chained_deadline_has_no_date_until_the_directive_it_waits_for_is_done():
    load(ORDER_A)
    two = get("2")
    assert (two.original_due_on, two.due_on, two.due_at, two.is_overdue(MARCH_5)) == (None, None, None, False)


def test_completing_the_directive_dates_it_from_that_day_not_counted():
    load(ORDER_A)
    complete("1", dt.date(2026, 3, 2))
    two = get("2")
    assert (two.event_on, two.original_due_on, two.due_on, two.due_at) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 12),
        dt.date(2026, 3, 12),
        dt.datetime(2026, 3, 13, 4, 0, tzinfo=dt.UTC),  # midnight ending Mar 12, Eastern daylight time
    )


def test_the_dating_is_an_event_naming_the_directive_that_set_it():
    load(ORDER_A)
    complete("1", dt.date(2026, 3, 2))
    event = get("2").events.first()
    assert (event.kind, event.old_due_on, event.new_due_on, event.actor) == (
        DirectiveEvent.Kind.DEADLINE_SET,
        None,
        dt.date(2026, 3, 12),
        None,
    )
    assert event.note == (
        "Sec. 1 of Executive Order 90001 was published on Mon 2026-03-02: this deadline, 10 days after 1 is "
        "published, falls on Thu 2026-03-12."
    )


def test_the_completion_and_the_dating_are_one_append(admin_user):
    load(ORDER_A)
    complete("1", dt.date(2026, 3, 2), actor=admin_user)
    completion, dating = DirectiveEvent.objects.filter(order__number=90001).order_by("-seq")[:2][::-1]
    assert (completion.kind, completion.directive.ref) == (DirectiveEvent.Kind.STATUS_CHANGED, "1")
    assert (dating.kind, dating.directive.ref) == (DirectiveEvent.Kind.DEADLINE_SET, "2")
    # One signature covers both: they were appended by the one call in the completion's transaction.
    assert (completion.signature, dating.signed_from) == ("", completion.seq)


def test_a_completion_refused_for_bad_input_dates_nothing():
    load(ORDER_A)
    with pytest.raises(ValidationError):
        complete("1", dt.date(2025, 12, 1))  # before the Order was signed
    assert get("2").due_on is None


def test_a_directive_of_another_order_dates_the_deadline_waiting_for_it():
    load(ORDER_A)
    load(ORDER_B, at=AT_B)
    complete("1", dt.date(2026, 3, 2))
    waiting = get("1", 90002)
    assert waiting.due_on == dt.date(2026, 4, 2)  # 1 month after Mar 2
    assert "Sec. 1 of Executive Order 90001 was completed on Mon 2026-03-02" in waiting.events.first().note


def test_a_directive_already_done_when_the_waiting_order_is_loaded_dates_it_at_load():
    load(ORDER_A)
    complete("1", dt.date(2026, 3, 2))
    load(ORDER_B, at=MARCH_5 + dt.timedelta(days=1))
    waiting = get("1", 90002)
    created = waiting.events.get()
    assert (waiting.original_due_on, created.kind, created.new_due_on) == (
        dt.date(2026, 4, 2),
        DirectiveEvent.Kind.CREATED,
        dt.date(2026, 4, 2),
    )
    assert created.note == (
        "Loaded from Executive Order 90002. Sec. 1 of Executive Order 90001, which the deadline counts from, "
        "was completed on Mon 2026-03-02. Starts as: title 'Waits for Sec. 1 of Order A'; led by XYZ; "
        "consulted: none; part of none."
    )


def test_a_parent_completed_by_its_parts_dates_what_waits_for_it():
    load(ORDER_A.replace('directive = "1", days = 10', 'directive = "5", days = 10'))
    complete("5(a)", dt.date(2026, 3, 2))
    assert get("2").due_on is None  # 5 is not done while 5(b) is open
    complete("5(b)", dt.date(2026, 3, 3))
    assert (get("5").status, get("2").due_on) == (Status.COMPLETED, dt.date(2026, 3, 13))


def test_a_reopened_trigger_leaves_the_date_and_says_so_in_the_history(admin_user):
    load(ORDER_A)
    complete("1", dt.date(2026, 3, 2))
    with time_machine.travel(MARCH_5 + dt.timedelta(days=1), tick=False):
        actions.change_status(get("1"), Status.IN_PROGRESS, actor=admin_user, note="Published too early.")
    two = get("2")
    note = two.events.first()
    assert (two.due_on, note.kind) == (dt.date(2026, 3, 12), DirectiveEvent.Kind.NOTE)
    assert note.note == (
        "Sec. 1 of Executive Order 90001, which this deadline counts from, was reopened; the deadline stays "
        "Thu 2026-03-12 (dated once, by its completion). An administrator can extend it."
    )
    complete("1", dt.date(2026, 3, 9), at=MARCH_5 + dt.timedelta(days=5))
    assert get("2").due_on == dt.date(2026, 3, 12)  # a second completion does not move it again
    report = proof.verify()
    assert report.ok, report.problems


def test_a_waiting_deadline_of_a_loaded_order_that_has_no_such_directive_is_refused():
    load(ORDER_A)
    text = ORDER_B.replace('directive = "1", order = 90001', 'directive = "9", order = 90001')
    with pytest.raises(ValidationError) as raised:
        load(text, at=AT_B)
    assert raised.value.message_dict == {
        "directives[1].deadline.directive": ["Executive Order 90001 is loaded and has no directive '9'."]
    }
    assert not Order.objects.filter(number=90002).exists()


def test_a_waiting_deadline_of_an_order_not_loaded_yet_is_kept_undated():
    load(ORDER_B, at=AT_B)
    assert get("1", 90002).due_on is None
    load(ORDER_A)
    complete("1", dt.date(2026, 3, 2))
    assert get("1", 90002).due_on == dt.date(2026, 4, 2)
    assert Directive.objects.filter(due_on__isnull=True, deadline_kind="after_directive").count() == 0


def test_verify_history_replays_the_dated_deadline_and_catches_an_edited_one():
    load(ORDER_A)
    complete("1", dt.date(2026, 3, 2))
    assert proof.verify().ok
    Directive.objects.filter(order__number=90001, ref="2").update(due_on=dt.date(2026, 4, 1))
    report = proof.verify()
    assert len(report.problems) == 1
    assert "EO 90001, directive 2, seq" in report.problems[0]
    assert "due date is '2026-04-01' but its events say '2026-03-12'" in report.problems[0]
