"""Every kind of deadline, loaded, stored and dated: the legal reading from the signing date to the due day.

Months and years are calendar arithmetic clamped to the month's end; a fixed date is itself; the
order's business-day policy applies to each; a deadline waiting for another directive is undated
until that directive is done; a deadline counted from an event waits for its date; none stays ongoing.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from directives import actions, deadlines
from directives.history import proof
from directives.models import Directive, DirectiveEvent
from tests.directives.rule_orders import ORDER_A, get, load

pytestmark = pytest.mark.django_db


def test_each_rule_is_stored_whole_and_read_back_as_the_file_wrote_it():
    load(ORDER_A)
    stored = {
        d.ref: (d.deadline_kind, d.rule.describe()) for d in Directive.objects.filter(order__number=90001)
    }
    assert stored == {
        "1": ("months_after_order", "1 month after the Order"),
        "2": ("after_directive", "10 days after 1 is published"),
        "3": ("on_date", "by Tue 2026-03-31"),
        "4": ("recurring", "1 day after the Order, then every 1 month until Thu 2026-04-30"),
        "5": ("years_after_order", "1 year after the Order"),
        "5(a)": ("years_after_order", "1 year after the Order"),
        "5(b)": ("years_after_order", "1 year after the Order"),
        "6": ("none", "no deadline (ongoing)"),
        "7": ("days_from_event", "30 days before the planned release"),
    }


def test_the_dated_rules_get_their_dates_at_load_and_the_others_wait():
    load(ORDER_A)
    due = {d.ref: d.due_on for d in Directive.objects.filter(order__number=90001)}
    assert due == {
        "1": dt.date(2026, 2, 28),  # Jan 30 + 1 month: February has no 30th, so its last day
        "2": None,  # until Sec. 1 is published
        "3": dt.date(2026, 3, 31),
        "4": dt.date(2026, 1, 31),  # the first occurrence: the signing day is not counted
        "5": dt.date(2027, 1, 30),
        "5(a)": dt.date(2027, 1, 30),
        "5(b)": dt.date(2027, 1, 30),
        "6": None,
        "7": None,  # until the release is dated
    }
    one = get("1")
    assert (one.original_due_on, one.due_at) == (
        dt.date(2026, 2, 28),
        dt.datetime(2026, 3, 1, 5, 0, tzinfo=dt.UTC),  # midnight ending Feb 28, Eastern standard time
    )
    assert get("4").occurrence == 1


def test_a_leap_day_order_is_due_a_year_later_on_february_28():
    text = ORDER_A.replace("signed_on = 2026-01-30", "signed_on = 2028-02-29").replace(
        "until = 2026-04-30", "until = 2028-04-30"
    )
    load(text, at=dt.datetime(2028, 2, 29, 12, tzinfo=deadlines.EASTERN))
    assert get("5").due_on == dt.date(2029, 2, 28)


def test_the_business_day_policy_rolls_months_years_and_fixed_dates():
    text = ORDER_A.replace('title = "Order A"', 'title = "Order A"\ndeadline_policy = "next_business_day"')
    load(text)
    # Feb 28 2026 is a Saturday, Jan 30 2027 a Saturday, Mar 31 2026 a Tuesday (kept).
    assert (get("1").due_on, get("5").due_on, get("3").due_on) == (
        dt.date(2026, 3, 2),
        dt.date(2027, 2, 1),
        dt.date(2026, 3, 31),
    )


def test_recording_the_event_dates_a_deadline_counted_from_it():
    load(ORDER_A)
    with time_machine.travel(dt.datetime(2026, 2, 2, 12, tzinfo=deadlines.EASTERN), tick=False):
        actions.set_event_date(get("7"), dt.date(2026, 6, 1), actor=None)
    seven = get("7")
    assert (seven.event_on, seven.original_due_on, seven.due_on) == (
        dt.date(2026, 6, 1),
        dt.date(2026, 5, 2),
        dt.date(2026, 5, 2),
    )
    assert proof.verify().ok, proof.verify().problems


def test_an_event_date_for_a_rule_that_counts_from_none_is_refused_at_the_field():
    load(ORDER_A)
    events = DirectiveEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        actions.set_event_date(get("1"), dt.date(2026, 6, 1), actor=None)
    assert raised.value.message_dict["event_on"] == [
        "The deadline of 1 does not count from an event: it is 1 month after the Order."
    ]
    assert DirectiveEvent.objects.count() == events


def test_no_deadline_stays_ongoing_and_is_never_overdue():
    load(ORDER_A)
    six = get("6")
    far = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert (six.due_on, six.due_at, six.is_overdue(far), six.days_overdue(far)) == (None, None, False, None)


def test_every_load_replays_from_its_history():
    load(ORDER_A)
    report = proof.verify()
    assert report.ok, report.problems
    assert report.directives == 9


def test_a_second_load_writes_nothing():
    load(ORDER_A)
    before = (Directive.objects.count(), DirectiveEvent.objects.count())
    report = load(ORDER_A, at=dt.datetime(2026, 2, 3, tzinfo=dt.UTC))
    assert (len(report.created), len(report.updated), len(report.unchanged)) == (0, 0, 9)
    assert (Directive.objects.count(), DirectiveEvent.objects.count()) == before


def test_a_reload_that_would_move_a_months_deadline_is_refused_and_writes_nothing():
    load(ORDER_A)
    events = DirectiveEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        load(ORDER_A.replace("months = 1 }", "months = 2 }"))
    assert raised.value.message_dict["directives[1].deadline"] == [
        "would move the original due date from 2026-02-28 to 2026-03-30; original due dates never change "
        "after load."
    ]
    assert (DirectiveEvent.objects.count(), get("1").rule.describe()) == (events, "1 month after the Order")


def test_a_reload_that_would_change_a_rule_dated_by_its_event_is_refused():
    load(ORDER_A)
    actions.set_event_date(get("7"), dt.date(2026, 6, 1), actor=None)
    with pytest.raises(ValidationError) as raised:
        load(ORDER_A.replace("days = -30", "days = -20"))
    assert list(raised.value.message_dict) == ["directives[7].deadline"]
    assert "would change the rule of a deadline already dated (2026-05-02)" in str(raised.value)


def test_the_load_command_loads_every_kind_and_says_so(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text(ORDER_A)
    out = StringIO()
    with time_machine.travel(dt.datetime(2026, 1, 30, 17, tzinfo=dt.UTC), tick=False):
        call_command("load_order", str(path), stdout=out)
    assert (
        out.getvalue()
        == "a.toml: Executive Order 90001: 9 created, 0 updated, 0 unchanged; 2 agencies added\n"
    )
