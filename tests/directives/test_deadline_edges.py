"""The legal reading at the edges, for every kind of dated deadline: met by the end of the due day, US
Eastern time. One minute before midnight Eastern it is not overdue; at midnight and a minute after it is,
and the sweep flags it then, once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from directives import actions, deadlines
from directives.models import Directive, Status
from tests.directives.rule_orders import AT_B, ORDER_A, ORDER_B, get, load

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def _months(_):
    return get("1")  # Jan 30 + 1 month, clamped: Sat 2026-02-28 (EST)


def _on_date(_):
    return get("3")  # Tue 2026-03-31 (EDT)


def _amended(_):
    load(ORDER_B, AT_B)
    return get("3")  # amended to Wed 2026-04-15 (EDT)


def _chained(admin_user):
    with time_machine.travel(dt.datetime(2026, 3, 3, 12, tzinfo=deadlines.EASTERN), tick=False):
        actions.change_status(get("1"), Status.COMPLETED, actor=admin_user, completed_on=dt.date(2026, 3, 2))
    return get("2")  # Mar 2 + 10 days, Mar 2 not counted: Thu 2026-03-12 (EDT)


def _first_occurrence(_):
    return get("4")  # signed Jan 30, 1 day after: Sat 2026-01-31 (EST)


CASES = {
    "months_after_order": (_months, dt.datetime(2026, 3, 1, 5, 0, tzinfo=dt.UTC)),
    "on_date": (_on_date, dt.datetime(2026, 4, 1, 4, 0, tzinfo=dt.UTC)),
    "amended": (_amended, dt.datetime(2026, 4, 16, 4, 0, tzinfo=dt.UTC)),
    "after_directive": (_chained, dt.datetime(2026, 3, 13, 4, 0, tzinfo=dt.UTC)),
    "recurring": (_first_occurrence, dt.datetime(2026, 2, 1, 5, 0, tzinfo=dt.UTC)),
}


@pytest.mark.parametrize("case", CASES)
def test_the_deadline_passes_at_midnight_ending_the_due_day_eastern(case, admin_user):
    load(ORDER_A)
    make, midnight = CASES[case]
    d = make(admin_user)
    assert d.due_at == midnight
    assert deadlines.local_date(midnight - MINUTE) == d.due_on  # 23:59 Eastern on the due day
    assert [d.is_overdue(midnight + offset) for offset in (-MINUTE, dt.timedelta(0), MINUTE)] == [
        False,
        True,
        True,
    ]
    assert [d.days_overdue(midnight + offset) for offset in (-MINUTE, dt.timedelta(0), MINUTE)] == [0, 1, 1]


@pytest.mark.parametrize("case", CASES)
def test_the_sweep_flags_it_at_that_minute_and_not_before(case, admin_user):
    load(ORDER_A)
    make, midnight = CASES[case]
    d = make(admin_user)
    flagged = []
    for at in (midnight - MINUTE, midnight, midnight + MINUTE):
        with time_machine.travel(at, tick=False):
            flagged.append(d.pk in actions.flag_overdue())
    assert flagged == [False, True, False]
    assert Directive.objects.get(pk=d.pk).overdue_flagged_at == midnight
