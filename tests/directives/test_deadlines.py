"""The deadline engine, pure: no database, no Django."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from directives import deadlines
from directives.deadlines import DaysAfterOrder, DaysFromEvent, NoDeadline, Policy

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
    [DaysAfterOrder(30), DaysAfterOrder(60, ongoing=True), DaysFromEvent(-30, "release"), NoDeadline()],
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
