"""The deadline engine, pure: no database, no Django."""

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

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

EO_14409 = dt.date(2026, 6, 2)
EO_14110 = dt.date(2023, 10, 30)
UTC = dt.UTC


@pytest.mark.parametrize(
    ("signed_on", "days", "expected"),
    [
        (EO_14409, 30, dt.date(2026, 7, 2)),
        (EO_14409, 60, dt.date(2026, 8, 1)),
        (EO_14110, 90, dt.date(2024, 1, 28)),
        (EO_14110, 180, dt.date(2024, 4, 27)),
        (EO_14110, 270, dt.date(2024, 7, 26)),
        (EO_14110, 365, dt.date(2024, 10, 29)),
    ],
)
def test_it_counts_calendar_days_after_the_signing_day(signed_on, days, expected):
    assert deadlines.due_date(DaysAfterOrder(days), signed_on=signed_on) == expected


def test_it_keeps_a_saturday_deadline_literal_by_default():
    due = deadlines.due_date(DaysAfterOrder(60), signed_on=EO_14409)
    assert due == dt.date(2026, 8, 1)
    assert due.strftime("%A") == "Saturday"


def test_the_business_day_policy_rolls_a_saturday_to_monday():
    due = deadlines.due_date(DaysAfterOrder(60), signed_on=EO_14409, policy=Policy.NEXT_BUSINESS_DAY)
    assert due == dt.date(2026, 8, 3)


def test_the_business_day_policy_rolls_past_a_federal_holiday():
    # 2026-07-03 is the observed Independence Day (July 4 is a Saturday): Thu 07-02 + 1 day -> Mon 07-06.
    due = deadlines.due_date(DaysAfterOrder(31), signed_on=EO_14409, policy=Policy.NEXT_BUSINESS_DAY)
    assert due == dt.date(2026, 7, 6)


def test_the_business_day_policy_keeps_a_business_day():
    due = deadlines.due_date(DaysAfterOrder(30), signed_on=EO_14409, policy=Policy.NEXT_BUSINESS_DAY)
    assert due == dt.date(2026, 7, 2)


def test_federal_holidays_of_2026_are_observed_correctly():
    holidays = deadlines.federal_holidays(2026)
    assert dt.date(2026, 7, 3) in holidays  # July 4 on a Saturday -> Friday
    assert dt.date(2026, 11, 26) in holidays  # Thanksgiving, fourth Thursday
    assert dt.date(2026, 1, 19) in holidays  # MLK Day, third Monday
    assert dt.date(2026, 5, 25) in holidays  # Memorial Day, last Monday
    assert dt.date(2026, 6, 19) in holidays
    assert len(holidays) == 11


def test_new_years_day_on_a_saturday_is_observed_the_friday_before():
    # 2028-01-01 is a Saturday: observed Friday 2027-12-31.
    assert dt.date(2027, 12, 31) in deadlines.federal_holidays(2027)
    assert dt.date(2027, 12, 31) not in deadlines.federal_holidays(2028)


def test_it_crosses_a_leap_day():
    assert deadlines.due_date(DaysAfterOrder(30), signed_on=dt.date(2024, 2, 15)) == dt.date(2024, 3, 16)
    assert deadlines.due_date(DaysAfterOrder(30), signed_on=dt.date(2023, 2, 15)) == dt.date(2023, 3, 17)
    assert deadlines.due_date(DaysAfterOrder(1), signed_on=dt.date(2028, 2, 28)) == dt.date(2028, 2, 29)


def test_an_event_relative_rule_counts_back_from_the_event():
    rule = DaysFromEvent(days=-30, event="the model's planned release to trusted partners")
    assert deadlines.due_date(rule, signed_on=EO_14409, event_on=dt.date(2026, 12, 1)) == dt.date(2026, 11, 1)
    assert rule.describe() == "30 days before the model's planned release to trusted partners"


def test_an_event_relative_rule_has_no_date_before_the_event_is_known():
    rule = DaysFromEvent(days=-30, event="release")
    assert deadlines.due_date(rule, signed_on=EO_14409) is None


def test_no_deadline_has_no_date():
    assert deadlines.due_date(NoDeadline(), signed_on=EO_14409) is None


@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [
        # Summer (EDT, UTC-4): 2026-07-02 ends at 2026-07-03 04:00 UTC.
        (dt.date(2026, 7, 2), dt.datetime(2026, 7, 3, 4, 0, tzinfo=UTC)),
        # Winter (EST, UTC-5): 2026-12-01 ends at 2026-12-02 05:00 UTC.
        (dt.date(2026, 12, 1), dt.datetime(2026, 12, 2, 5, 0, tzinfo=UTC)),
        # The day daylight saving time starts (2026-03-08): it ends on EDT time.
        (dt.date(2026, 3, 8), dt.datetime(2026, 3, 9, 4, 0, tzinfo=UTC)),
        # The day before it ends (2026-10-31 ends at midnight EDT).
        (dt.date(2026, 10, 31), dt.datetime(2026, 11, 1, 4, 0, tzinfo=UTC)),
    ],
)
def test_the_due_day_ends_at_midnight_eastern(day, expected_utc):
    assert deadlines.end_of_day(day) == expected_utc


@pytest.mark.parametrize(
    ("day", "end_utc"),
    [
        (dt.date(2026, 7, 2), dt.datetime(2026, 7, 3, 4, 0, tzinfo=UTC)),
        (dt.date(2026, 12, 1), dt.datetime(2026, 12, 2, 5, 0, tzinfo=UTC)),
    ],
)
def test_days_overdue_one_minute_before_at_and_after_the_end_of_the_due_day(day, end_utc):
    minute = dt.timedelta(minutes=1)
    assert deadlines.days_overdue(day, end_utc - minute) == 0
    assert deadlines.days_overdue(day, end_utc) == 1
    assert deadlines.days_overdue(day, end_utc + minute) == 1
    assert deadlines.days_remaining(day, end_utc - minute) == 0


def test_days_remaining_counts_eastern_days():
    # 2026-06-30 23:30 Eastern is already 07-01 in UTC; two Eastern days remain to 07-02.
    now = dt.datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert deadlines.days_remaining(dt.date(2026, 7, 2), now) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "weeks_after_order", "days": 3}, "deadline.kind"),
        ({"kind": "days_after_order"}, "deadline.days"),
        ({"kind": "days_after_order", "days": "30"}, "deadline.days"),
        ({"kind": "days_after_order", "days": 0}, "deadline.days"),
        ({"kind": "days_after_order", "days": 30, "weekday": True}, "deadline.weekday"),
        ({"kind": "days_from_event", "days": -30}, "deadline.event"),
        ({"kind": "none", "days": 3}, "deadline.days"),
        ("30 days", "deadline"),
    ],
)
def test_it_rejects_a_bad_rule_naming_the_key(data, message):
    with pytest.raises(deadlines.RuleError, match=rf"^{message.replace('.', '[.]')}"):
        deadlines.rule_from_dict(data)


@pytest.mark.parametrize(
    "rule",
    [
        DaysAfterOrder(30),
        DaysAfterOrder(60, ongoing=True),
        MonthsAfterOrder(6),
        MonthsAfterOrder(18, ongoing=True),
        YearsAfterOrder(1),
        OnDate(dt.date(2025, 12, 31)),
        OnDate(dt.date(2025, 12, 31), ongoing=True),
        AfterDirective("4.1(a)", days=60, trigger=Trigger.PUBLISHED),
        AfterDirective("4(a)", months=3, order=14144),
        AfterDirective("7(f)(i)", days=0),
        DaysFromEvent(-30, "release"),
        Recurring(first=DaysAfterOrder(90), every_months=12),
        Recurring(first=OnDate(dt.date(2026, 1, 31)), every_days=60, until=dt.date(2027, 1, 31)),
        Recurring(first=AfterDirective("6(b)", months=12), every_months=12),
        NoDeadline(),
    ],
)
def test_a_rule_round_trips_through_its_dict(rule):
    assert deadlines.rule_from_dict(rule.as_dict()) == rule


def test_local_date_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="aware"):
        deadlines.local_date(dt.datetime(2026, 7, 2, 12, 0))  # noqa: DTZ001 - the point of the test


def test_the_engine_imports_no_django():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(deadlines))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])
    }
    assert "django" not in imported


def test_a_day_is_shown_with_its_weekday():
    assert deadlines.weekday_date(dt.date(2026, 8, 1)) == "Sat 2026-08-01"


# --- Months and years: calendar arithmetic, the end of the month clamped ------------------------------


@pytest.mark.parametrize(
    ("signed_on", "months", "expected"),
    [
        (EO_14409, 6, dt.date(2026, 12, 2)),
        (dt.date(2025, 8, 31), 6, dt.date(2026, 2, 28)),  # no Feb 31: the month's last day
        (dt.date(2023, 8, 31), 6, dt.date(2024, 2, 29)),  # a leap year's February
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 4, 30)),
        (dt.date(2025, 11, 15), 3, dt.date(2026, 2, 15)),  # across a year end
    ],
)
def test_months_after_the_order_are_calendar_months_clamped_to_the_month_end(signed_on, months, expected):
    assert deadlines.due_date(MonthsAfterOrder(months), signed_on=signed_on) == expected


@pytest.mark.parametrize(
    ("signed_on", "years", "expected"),
    [
        (dt.date(2025, 1, 14), 1, dt.date(2026, 1, 14)),
        (dt.date(2024, 2, 29), 1, dt.date(2025, 2, 28)),  # Feb 29 + 1 year -> Feb 28
        (dt.date(2024, 2, 29), 4, dt.date(2028, 2, 29)),  # ... but Feb 29 again four years on
        (dt.date(2025, 1, 16), 3, dt.date(2028, 1, 16)),
    ],
)
def test_years_after_the_order_keep_the_date_and_clamp_a_leap_day(signed_on, years, expected):
    assert deadlines.due_date(YearsAfterOrder(years), signed_on=signed_on) == expected


def test_a_month_deadline_on_a_saturday_rolls_to_monday_under_the_business_day_policy():
    # 2025-08-31 + 6 months = Sat 2026-02-28 -> Mon 2026-03-02.
    rule = MonthsAfterOrder(6)
    signed = dt.date(2025, 8, 31)
    assert deadlines.due_date(rule, signed_on=signed) == dt.date(2026, 2, 28)
    assert deadlines.due_date(rule, signed_on=signed, policy=Policy.NEXT_BUSINESS_DAY) == dt.date(2026, 3, 2)


def test_months_and_years_are_described_in_plain_words():
    assert MonthsAfterOrder(6).describe() == "6 months after the Order"
    assert MonthsAfterOrder(1).describe() == "1 month after the Order"
    assert YearsAfterOrder(1, ongoing=True).describe() == "1 year after the Order, then ongoing"


# --- A fixed date ----------------------------------------------------------------------------------------


def test_a_fixed_date_is_due_that_day_whatever_the_signing_date():
    rule = OnDate(dt.date(2025, 12, 31))
    assert deadlines.due_date(rule, signed_on=dt.date(2025, 6, 6)) == dt.date(2025, 12, 31)
    assert rule.describe() == "by Wed 2025-12-31"


def test_a_fixed_date_on_christmas_rolls_past_the_holiday_under_the_business_day_policy():
    # Thu 2025-12-25 is Christmas Day -> Fri 2025-12-26.
    rule = OnDate(dt.date(2025, 12, 25))
    policy = Policy.NEXT_BUSINESS_DAY
    assert deadlines.due_date(rule, signed_on=dt.date(2025, 6, 6), policy=policy) == dt.date(2025, 12, 26)


# --- After another directive --------------------------------------------------------------------------


def test_a_chained_deadline_is_undated_until_the_other_directive_is_done():
    rule = AfterDirective("4.1(a)", days=60, trigger=Trigger.PUBLISHED)
    assert deadlines.due_date(rule, signed_on=EO_14409) is None
    # Published on Fri 2026-07-10: that day is not counted, so due Tue 2026-09-08.
    assert deadlines.due_date(rule, signed_on=EO_14409, trigger_on=dt.date(2026, 7, 10)) == dt.date(
        2026, 9, 8
    )


def test_a_chained_deadline_in_months_is_clamped_to_the_month_end():
    rule = AfterDirective("2(b)", months=2)
    assert deadlines.due_date(rule, signed_on=EO_14409, trigger_on=dt.date(2026, 12, 31)) == dt.date(
        2027, 2, 28
    )


def test_a_chained_deadline_is_described_as_the_text_words_it():
    assert AfterDirective("4.1(a)", days=60, trigger=Trigger.PUBLISHED).describe() == (
        "60 days after 4.1(a) is published"
    )
    assert (
        AfterDirective("4(a)", months=3, order=14144).describe()
        == "3 months after 4(a) of EO 14144 is completed"
    )
    assert AfterDirective("7(f)(i)", days=0).describe() == "when 7(f)(i) is completed"


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
