"""The deadline engine, pure: recurring duties, rules stored as JSON, occurrences and amended intervals."""

import datetime as dt
import json
import re

import pytest

from directives import deadlines
from directives.deadlines import (
    AfterDirective,
    DaysAfterOrder,
    DaysFromEvent,
    MonthsAfterOrder,
    NoDeadline,
    OnDate,
    Policy,
    Recurring,
    Trigger,
    YearsAfterOrder,
)

from .test_deadlines import EO_14409

# --- Recurring duties ----------------------------------------------------------------------------------


def test_a_recurring_duty_is_first_due_by_its_first_rule():
    rule = Recurring(first=DaysAfterOrder(90), every_months=12)
    assert deadlines.due_date(rule, signed_on=EO_14409) == dt.date(2026, 8, 31)
    assert rule.describe() == "90 days after the Order, then every 12 months"


def test_the_next_occurrence_of_an_annual_duty_is_a_year_later():
    rule = Recurring(first=DaysAfterOrder(90), every_months=12)
    first = dt.date(2026, 8, 31)
    assert deadlines.next_occurrence(rule, after=first, first_on=first) == dt.date(2027, 8, 31)
    assert deadlines.next_occurrence(rule, after=dt.date(2027, 8, 31), first_on=first) == dt.date(2028, 8, 31)


def test_monthly_occurrences_count_from_the_first_so_a_month_end_does_not_drift():
    rule = Recurring(first=OnDate(dt.date(2026, 1, 31)), every_months=1)
    first = dt.date(2026, 1, 31)
    assert deadlines.next_occurrence(rule, after=first, first_on=first) == dt.date(2026, 2, 28)
    assert deadlines.next_occurrence(rule, after=dt.date(2026, 2, 28), first_on=first) == dt.date(2026, 3, 31)


def test_every_n_days_counts_calendar_days():
    rule = Recurring(first=DaysAfterOrder(60), every_days=60)
    first = dt.date(2021, 7, 11)  # EO 14028 (2021-05-12) + 60 days
    assert deadlines.due_date(rule, signed_on=dt.date(2021, 5, 12)) == first
    assert deadlines.next_occurrence(rule, after=first, first_on=first) == dt.date(2021, 9, 9)


def test_a_recurring_duty_stops_after_its_until_date_which_is_inclusive():
    first = dt.date(2026, 1, 31)
    ends_mid_march = Recurring(first=OnDate(first), every_months=1, until=dt.date(2026, 3, 15))
    assert deadlines.next_occurrence(ends_mid_march, after=dt.date(2026, 2, 28), first_on=first) is None
    ends_on_the_day = Recurring(first=OnDate(first), every_months=1, until=dt.date(2026, 3, 31))
    assert deadlines.next_occurrence(ends_on_the_day, after=dt.date(2026, 2, 28), first_on=first) == dt.date(
        2026, 3, 31
    )
    assert ends_on_the_day.describe() == "by Sat 2026-01-31, then every 1 month until Tue 2026-03-31"


def test_the_business_day_policy_rolls_each_occurrence_without_shifting_the_next():
    # The first falls on Sat 2026-07-04 (observed Fri 07-03): rolled to Mon 07-06. The next is counted
    # from July 4, not from the rolled Monday: Sun 2027-07-04, observed Mon 07-05 -> Tue 2027-07-06.
    rule = Recurring(first=OnDate(dt.date(2026, 7, 4)), every_months=12)
    policy = Policy.NEXT_BUSINESS_DAY
    first_due = deadlines.due_date(rule, signed_on=EO_14409, policy=policy)
    assert first_due == dt.date(2026, 7, 6)
    after = deadlines.next_occurrence(rule, after=first_due, first_on=dt.date(2026, 7, 4), policy=policy)
    assert after == dt.date(2027, 7, 6)


def test_the_next_occurrence_before_the_first_is_the_first():
    rule = Recurring(first=DaysAfterOrder(90), every_days=30)
    first = dt.date(2026, 8, 31)
    assert deadlines.next_occurrence(rule, after=dt.date(2026, 8, 1), first_on=first) == first


def test_a_recurring_rule_after_a_chained_first_is_undated_until_the_trigger():
    rule = Recurring(first=AfterDirective("6(b)", months=12), every_months=12)
    assert deadlines.due_date(rule, signed_on=EO_14409) is None
    assert deadlines.due_date(rule, signed_on=EO_14409, trigger_on=dt.date(2026, 9, 1)) == dt.date(2027, 9, 1)


@pytest.mark.parametrize(
    ("rule", "dated"),
    [
        (DaysAfterOrder(30), True),
        (MonthsAfterOrder(6), True),
        (YearsAfterOrder(1), True),
        (OnDate(dt.date(2025, 12, 31)), True),
        (Recurring(first=DaysAfterOrder(90), every_months=12), True),
        (AfterDirective("2(b)", days=30), False),
        (DaysFromEvent(-30, "release"), False),
        (Recurring(first=AfterDirective("6(b)", months=12), every_months=12), False),
        (NoDeadline(), False),
    ],
)
def test_a_rule_is_dated_by_the_order_only_when_the_signing_date_gives_its_date(rule, dated):
    assert deadlines.is_dated_by_order(rule) is dated


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "months_after_order", "months": 0}, "deadline.months"),
        ({"kind": "months_after_order", "days": 30}, "deadline.days"),
        ({"kind": "years_after_order", "years": "1"}, "deadline.years"),
        ({"kind": "on_date", "date": "2025-12-31"}, "deadline.date"),
        ({"kind": "on_date", "date": dt.datetime(2025, 12, 31, 9, 0)}, "deadline.date"),  # noqa: DTZ001
        ({"kind": "on_date", "date": dt.date(2025, 12, 31), "ongoing": "yes"}, "deadline.ongoing"),
        ({"kind": "after_directive", "days": 60}, "deadline.directive"),
        ({"kind": "after_directive", "directive": "4(a)"}, "deadline.days"),
        ({"kind": "after_directive", "directive": "4(a)", "days": 6, "months": 2}, "deadline.days"),
        ({"kind": "after_directive", "directive": "4(a)", "days": -1}, "deadline.days"),
        (
            {"kind": "after_directive", "directive": "4(a)", "days": 6, "trigger": "signed"},
            "deadline.trigger",
        ),
        ({"kind": "after_directive", "directive": "4(a)", "days": 6, "order": 0}, "deadline.order"),
        ({"kind": "recurring", "every_months": 12}, "deadline.first"),
        (
            {"kind": "recurring", "first": {"kind": "days_after_order"}, "every_days": 9},
            "deadline.first.days",
        ),
        ({"kind": "recurring", "first": {"kind": "none"}, "every_days": 9}, "deadline.first.kind"),
        (
            {"kind": "recurring", "first": {"kind": "days_after_order", "days": 9}, "every_days": 0},
            "deadline.every_days",
        ),
        (
            {"kind": "recurring", "first": {"kind": "days_after_order", "days": 9}},
            "deadline.every_days",
        ),
        (
            {
                "kind": "recurring",
                "first": {"kind": "days_after_order", "days": 9},
                "every_days": 9,
                "every_months": 1,
            },
            "deadline.every_days",
        ),
        (
            {
                "kind": "recurring",
                "first": {"kind": "days_after_order", "days": 9},
                "every_days": 9,
                "until": 2027,
            },
            "deadline.until",
        ),
        (
            {
                "kind": "recurring",
                "first": {"kind": "on_date", "date": dt.date(2026, 1, 1)},
                "every_days": 9,
                "until": dt.date(2025, 1, 1),
            },
            "deadline.until",
        ),
    ],
)
def test_it_rejects_a_bad_new_rule_naming_the_key(data, message):
    with pytest.raises(deadlines.RuleError, match=rf"^{message.replace('.', '[.]')}:"):
        deadlines.rule_from_dict(data)


# --- Stored as JSON (a database column, the API) -------------------------------------------------------

EVERY_KIND = [
    DaysAfterOrder(30),
    DaysAfterOrder(60, ongoing=True),
    MonthsAfterOrder(6),
    YearsAfterOrder(1, ongoing=True),
    OnDate(dt.date(2025, 12, 31)),
    AfterDirective("4.1(a)", days=60, trigger=Trigger.PUBLISHED),
    AfterDirective("4(a)", months=3, order=14144),
    DaysFromEvent(-30, "the model's planned release"),
    Recurring(DaysAfterOrder(90), every_months=12),
    Recurring(OnDate(dt.date(2025, 12, 1)), every_days=60, until=dt.date(2027, 12, 31)),
    NoDeadline(),
]


@pytest.mark.parametrize("rule", EVERY_KIND, ids=lambda r: r.describe())
def test_every_rule_survives_json_unchanged(rule):
    stored = json.loads(json.dumps(deadlines.rule_to_json(rule)))
    assert deadlines.rule_from_json(stored) == rule


def test_json_writes_dates_as_iso_text_at_every_depth():
    rule = Recurring(OnDate(dt.date(2025, 12, 1)), every_days=60, until=dt.date(2027, 12, 31))
    assert deadlines.rule_to_json(rule) == {
        "kind": "recurring",
        "first": {"kind": "on_date", "date": "2025-12-01"},
        "every_days": 60,
        "until": "2027-12-31",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "on_date", "date": "2025-02-30"}, "deadline.date: '2025-02-30' is not a date"),
        ({"kind": "recurring", "first": {"kind": "on_date", "date": "soon"}, "every_days": 1}, "first.date"),
        ({"kind": "weekly"}, "deadline.kind: 'weekly' is not one of"),
        ([], "deadline: must be a table"),
    ],
)
def test_json_that_is_no_rule_is_refused_naming_the_key(data, message):
    with pytest.raises(deadlines.RuleError, match=re.escape(message)):
        deadlines.rule_from_json(data)


# --- Occurrences -------------------------------------------------------------------------------------


def test_monthly_occurrences_count_from_the_first_so_month_ends_do_not_drift():
    rule = Recurring(OnDate(dt.date(2026, 1, 31)), every_months=1)
    dates = [deadlines.occurrence_due(rule, n, first_on=dt.date(2026, 1, 31)) for n in range(1, 5)]
    assert dates == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30)]


def test_no_occurrence_falls_after_until_which_is_inclusive():
    rule = Recurring(OnDate(dt.date(2026, 1, 1)), every_days=30, until=dt.date(2026, 1, 31))
    assert deadlines.occurrence_due(rule, 2, first_on=dt.date(2026, 1, 1)) == dt.date(2026, 1, 31)
    assert deadlines.occurrence_due(rule, 3, first_on=dt.date(2026, 1, 1)) is None


def test_a_rolled_occurrence_does_not_shift_the_next():
    # 2026-08-01 is a Saturday: rolled to Monday 08-03; the next is still 08-01 + 1 month = Tue 09-01.
    rule = Recurring(OnDate(dt.date(2026, 8, 1)), every_months=1)
    policy = Policy.NEXT_BUSINESS_DAY
    assert deadlines.occurrence_due(rule, 1, first_on=dt.date(2026, 8, 1), policy=policy) == dt.date(
        2026, 8, 3
    )
    assert deadlines.occurrence_due(rule, 2, first_on=dt.date(2026, 8, 1), policy=policy) == dt.date(
        2026, 9, 1
    )


# --- Amended intervals: the next occurrence follows the newest (issue 21) ------------------------------

JAN_1 = dt.date(2026, 1, 1)


def test_quarterly_amended_to_six_monthly_does_not_skip_a_year():
    # Quarterly from Jan 1, 2026: Jan 1, Apr 1, Jul 1, Oct 1 made; then amended to every six months.
    amended = Recurring(OnDate(JAN_1), every_months=6)
    after = dt.date(2026, 10, 1)
    assert deadlines.next_occurrence_due(amended, after=after, first_on=JAN_1) == dt.date(2027, 1, 1)
    # Counting occurrence 5 on the new interval from the first would give Jan 1, 2028: a year skipped.
    assert deadlines.occurrence_due(amended, 5, first_on=JAN_1) == dt.date(2028, 1, 1)


def test_six_monthly_amended_to_monthly_is_never_dated_before_the_newest():
    # Six-monthly from Jan 1, 2026: Jan 1, Jul 1, Jan 1 2027, Jul 1 2027 made; then amended to monthly.
    amended = Recurring(OnDate(JAN_1), every_months=1)
    after = dt.date(2027, 7, 1)
    assert deadlines.next_occurrence_due(amended, after=after, first_on=JAN_1) == dt.date(2027, 8, 1)
    # Occurrence 5 counted on the new interval from the first: May 1, 2026, fourteen months before.
    assert deadlines.occurrence_due(amended, 5, first_on=JAN_1) == dt.date(2026, 5, 1)


def test_an_amended_interval_in_days_continues_after_the_newest():
    amended = Recurring(OnDate(JAN_1), every_days=10)  # was every 30 days: Jan 1, Jan 31, Mar 2
    assert deadlines.next_occurrence_due(amended, after=dt.date(2026, 3, 2), first_on=JAN_1) == dt.date(
        2026, 3, 12
    )


def test_an_amended_interval_on_business_days_skips_the_period_of_a_rolled_newest():
    # Monthly from Sat Aug 1, 2026 rolled to Mon Aug 3; amended to every two months. The new schedule's
    # Aug 1 is the newest occurrence's own period (rolled to Aug 3, not after it): the next is Oct 1.
    aug_1 = dt.date(2026, 8, 1)
    amended = Recurring(OnDate(aug_1), every_months=2)
    policy = Policy.NEXT_BUSINESS_DAY
    assert deadlines.next_occurrence_due(
        amended, after=dt.date(2026, 8, 3), first_on=aug_1, policy=policy
    ) == dt.date(2026, 10, 1)
    # After Thu Oct 1, the next on the new schedule is Tue Dec 1.
    assert deadlines.next_occurrence_due(
        amended, after=dt.date(2026, 10, 1), first_on=aug_1, policy=policy
    ) == dt.date(2026, 12, 1)


def test_an_unchanged_interval_gives_what_occurrence_due_gives():
    rule = Recurring(OnDate(dt.date(2026, 1, 31)), every_months=1, until=dt.date(2026, 4, 30))
    first = dt.date(2026, 1, 31)
    made = [first]
    while (following := deadlines.next_occurrence_due(rule, after=made[-1], first_on=first)) is not None:
        made.append(following)
    assert made == [deadlines.occurrence_due(rule, n, first_on=first) for n in range(1, 5)]
