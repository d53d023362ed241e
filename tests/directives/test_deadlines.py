"""The deadline engine, pure: no database, no Django."""

import datetime as dt
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
