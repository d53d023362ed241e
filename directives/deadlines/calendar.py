"""The calendar of deadlines (pure): business days, federal holidays, and the day's end in US Eastern time."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import MO, TH, relativedelta

EASTERN = ZoneInfo("America/New_York")


class Policy(StrEnum):
    """How a computed due date that is not a business day is treated."""

    LITERAL = "literal"
    NEXT_BUSINESS_DAY = "next_business_day"


def _observed(day: dt.date) -> dt.date:
    """Return the day a fixed-date federal holiday is observed (5 U.S.C. 6103 and E.O. 11582)."""
    if day.weekday() == 5:  # Saturday -> the Friday before
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:  # Sunday -> the Monday after
        return day + dt.timedelta(days=1)
    return day


def federal_holidays(year: int) -> frozenset[dt.date]:
    """Return the observed federal holidays of ``year`` under 5 U.S.C. 6103(a).

    Inauguration Day and holidays declared by a single executive order are not included.
    """
    jan1 = dt.date(year, 1, 1)
    fixed = [
        jan1,
        dt.date(year, 6, 19),  # Juneteenth
        dt.date(year, 7, 4),
        dt.date(year, 11, 11),
        dt.date(year, 12, 25),
    ]
    floating = [
        jan1 + relativedelta(weekday=MO(3)),  # Birthday of Martin Luther King, Jr.
        dt.date(year, 2, 1) + relativedelta(weekday=MO(3)),  # Washington's Birthday
        dt.date(year, 5, 31) + relativedelta(weekday=MO(-1)),  # Memorial Day
        dt.date(year, 9, 1) + relativedelta(weekday=MO(1)),  # Labor Day
        dt.date(year, 10, 1) + relativedelta(weekday=MO(2)),  # Columbus Day
        dt.date(year, 11, 1) + relativedelta(weekday=TH(4)),  # Thanksgiving Day
    ]
    holidays = {_observed(day) for day in fixed} | set(floating)
    # New Year's Day of the following year, when on a Saturday, is observed on Dec 31 of this one.
    next_jan1 = dt.date(year + 1, 1, 1)
    if next_jan1.weekday() == 5:
        holidays.add(next_jan1 - dt.timedelta(days=1))
    return frozenset(day for day in holidays if day.year == year)


def is_business_day(day: dt.date) -> bool:
    """Return whether ``day`` is a weekday that is not a federal holiday."""
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def next_business_day(day: dt.date) -> dt.date:
    """Return ``day`` itself when it is a business day, else the next one."""
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def apply_policy(day: dt.date, policy: Policy | str = Policy.LITERAL) -> dt.date:
    """Return ``day`` as the order's policy reads it: itself, or rolled to the next business day."""
    if Policy(policy) is Policy.NEXT_BUSINESS_DAY:
        return next_business_day(day)
    return day


def end_of_day(day: dt.date, tz: ZoneInfo = EASTERN) -> dt.datetime:
    """Return the instant ``day`` ends in ``tz`` (midnight starting the next day), as an aware datetime.

    Working from the next day's midnight rather than 23:59:59 leaves no gap at the last second, and
    zoneinfo gives the right UTC offset on either side of a daylight-saving change.
    """
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def wall_clock_days_later(instant: dt.datetime, days: int, tz: ZoneInfo = EASTERN) -> dt.datetime:
    """Return the instant ``days`` calendar days after the aware ``instant`` (before, if negative), at the
    same wall-clock time in ``tz``.

    Across a daylight-saving change that is 23 or 25 hours a day, not 24: a reminder "7 days before"
    a deadline comes at the deadline's Eastern time of day, not an hour early or late. (Aware
    arithmetic on a zoneinfo datetime is wall-clock arithmetic; the offset is found afresh.)
    """
    if instant.tzinfo is None:
        raise ValueError("wall_clock_days_later needs an aware datetime")
    return (instant.astimezone(tz) + dt.timedelta(days=days)).astimezone(dt.UTC)


def local_date(instant: dt.datetime, tz: ZoneInfo = EASTERN) -> dt.date:
    """Return the calendar date of the aware ``instant`` in ``tz``."""
    if instant.tzinfo is None:
        raise ValueError("local_date needs an aware datetime")
    return instant.astimezone(tz).date()


def days_overdue(due_on: dt.date, now: dt.datetime) -> int:
    """Return how many whole Eastern days have passed since the due day ended (0 while not overdue)."""
    if now < end_of_day(due_on):
        return 0
    return (local_date(now) - due_on).days


def days_remaining(due_on: dt.date, now: dt.datetime) -> int:
    """Return how many Eastern days are left before the due day (0 on the due day itself)."""
    return max(0, (due_on - local_date(now)).days)


def weekday_date(day: dt.date) -> str:
    """Return ``day`` as shown everywhere a deadline is: with its weekday, e.g. "Sat 2026-08-01"."""
    return f"{day:%a %Y-%m-%d}"
