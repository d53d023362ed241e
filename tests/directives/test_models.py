"""Derived state: overdue, days overdue/remaining and outcome, on the model and in the database alike."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directives import actions
from directives.models import Directive, Status
from tests.api.test_directives import add_directives

END_OF_JULY_2 = dt.datetime(2026, 7, 3, 4, 0, tzinfo=dt.UTC)  # midnight EDT ending 2026-07-02
END_OF_AUG_1 = dt.datetime(2026, 8, 2, 4, 0, tzinfo=dt.UTC)  # midnight EDT ending Saturday 2026-08-01
MINUTE = dt.timedelta(minutes=1)


def overdue_refs(now: dt.datetime) -> set[str]:
    return set(Directive.objects.overdue(now).values_list("ref", flat=True))


@pytest.mark.parametrize(
    ("now", "overdue", "days_overdue", "days_remaining"),
    [
        (END_OF_JULY_2 - MINUTE, False, 0, 0),
        (END_OF_JULY_2, True, 1, None),
        (END_OF_JULY_2 + MINUTE, True, 1, None),
    ],
)
def test_a_30_day_directive_around_the_end_of_its_due_day(
    directive, now, overdue, days_overdue, days_remaining
):
    d = directive("2(a)")
    assert d.is_overdue(now) is overdue
    assert d.days_overdue(now) == days_overdue
    assert d.days_remaining(now) == days_remaining
    assert ("2(a)" in overdue_refs(now)) is overdue


@pytest.mark.parametrize(
    ("now", "overdue"), [(END_OF_AUG_1 - MINUTE, False), (END_OF_AUG_1, True), (END_OF_AUG_1 + MINUTE, True)]
)
def test_the_saturday_deadline_is_not_moved(directive, now, overdue):
    assert directive("2(f)").is_overdue(now) is overdue
    assert ("2(f)" in overdue_refs(now)) is overdue


def test_today_every_dated_open_directive_is_overdue(order):
    now = dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)
    assert overdue_refs(now) == {r for r in Directive.objects.values_list("ref", flat=True) if r != "4"}
    assert Directive.objects.get(ref="2(a)").days_overdue(now) == 147
    assert Directive.objects.get(ref="2(f)").days_overdue(now) == 117


def test_a_directive_without_a_deadline_is_never_overdue(directive):
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    d = directive("4")
    assert (d.is_overdue(now), d.days_overdue(now), d.days_remaining(now), d.outcome) == (
        False,
        None,
        None,
        None,
    )


def test_days_remaining_counts_down_to_the_due_day(directive):
    assert directive("2(a)").days_remaining(dt.datetime(2026, 6, 22, 16, 0, tzinfo=dt.UTC)) == 10


def test_a_completed_directive_is_not_overdue_and_keeps_its_outcome(directive, cisa_editor):
    with time_machine.travel(dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.UTC), tick=False):
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
    d, now = directive("2(c)(ii)"), dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    assert (d.is_overdue(now), d.days_overdue(now), d.outcome) == (False, 0, "late")
    assert "2(c)(ii)" not in overdue_refs(now)


def test_the_deadline_rule_is_rebuilt_from_its_columns(directive):
    assert directive("3(a)").rule.as_dict() == {"kind": "days_after_order", "days": 60, "ongoing": True}
    assert directive("4").rule.as_dict() == {"kind": "none"}


def test_a_list_costs_the_same_queries_for_any_number_of_rows(order):
    now = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)

    def queries_for_a_list() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = [
                (d.lead_agencies, d.consulted_agencies, d.is_overdue(now), d.parent, d.order.number)
                for d in Directive.objects.with_agencies()
            ]
        return len(captured), len(rows)

    few, thirteen = queries_for_a_list()
    add_directives(order, 999, prefix="Q")  # 333 parents with two parts each, every one with agencies
    many, more = queries_for_a_list()
    assert (thirteen, more) == (13, 13 + 999)
    assert many == few


def test_the_lists_a_list_loads_are_what_each_directive_reads_on_its_own(order):
    add_directives(order, 30, prefix="Q")

    def lists(d: Directive) -> tuple:
        return (
            [a.abbreviation for a in d.lead_agencies],
            d.consulted_agencies,
            [p.ref for p in d.parts],
            d.evidence,
        )

    loaded = [lists(d) for d in Directive.objects.with_agencies().order_by("pk")]
    assert loaded == [lists(d) for d in Directive.objects.order_by("pk")]
    assert any(len(leads) > 1 for leads, *_ in loaded), "an owner and another lead, in order"
    assert any(consulted for _, consulted, *_ in loaded)
    assert any(parts for *_, parts, _ in loaded)
    # A queryset of values from it is plain rows, and its rows without evidence read it when asked.
    first = Directive.objects.order_by("pk").first()
    assert first is not None
    assert list(Directive.objects.with_agencies().order_by("pk").values_list("pk", flat=True)[:1]) == [
        first.pk
    ]
    without = Directive.objects.with_agencies(evidence=False).order_by("pk")
    assert [lists(d) for d in without] == loaded
