"""The deadline engine: pure date arithmetic over python-dateutil, no Django.

An executive order says "within N days of the date of this order". That is the signing date plus N
calendar days: the signing day is not counted, and a date that falls on a weekend or a federal holiday
is kept as it is unless a policy asks to roll it to the next business day. A deadline is met if the work
is done by the end of that day in US Eastern time, so the instant that matters is midnight at the end
of the due day in America/New_York.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import MO, TH, relativedelta

EASTERN = ZoneInfo("America/New_York")


class Policy(StrEnum):
    """How a computed due date that is not a business day is treated."""

    LITERAL = "literal"
    NEXT_BUSINESS_DAY = "next_business_day"


class RuleKind(StrEnum):
    DAYS_AFTER_ORDER = "days_after_order"
    DAYS_FROM_EVENT = "days_from_event"
    NONE = "none"


class RuleError(ValueError):
    """A deadline rule that cannot be understood; the message names the offending key."""


@dataclass(frozen=True)
class DaysAfterOrder:
    """N calendar days after the signing date; ``ongoing`` when the duty continues past it."""

    days: int
    ongoing: bool = False
    kind: RuleKind = RuleKind.DAYS_AFTER_ORDER

    def due_on(self, *, signed_on: dt.date, event_on: dt.date | None = None) -> dt.date:
        return signed_on + dt.timedelta(days=self.days)

    def as_dict(self) -> dict:
        data: dict = {"kind": self.kind.value, "days": self.days}
        if self.ongoing:
            data["ongoing"] = True
        return data

    def describe(self) -> str:
        text = f"{self.days} days after the Order"
        return f"{text}, then ongoing" if self.ongoing else text


@dataclass(frozen=True)
class DaysFromEvent:
    """N calendar days before (negative) or after (positive) a named event's date.

    Sec. 3(b)(ii) of EO 14409 is one: government access "up to 30 days before" a model's planned
    release to trusted partners, a window that moves with that release date, not with the Order.
    """

    days: int
    event: str
    kind: RuleKind = RuleKind.DAYS_FROM_EVENT

    def due_on(self, *, signed_on: dt.date, event_on: dt.date | None = None) -> dt.date | None:
        if event_on is None:
            return None  # the event has not been scheduled yet, so there is no date to meet
        return event_on + dt.timedelta(days=self.days)

    def as_dict(self) -> dict:
        return {"kind": self.kind.value, "days": self.days, "event": self.event}

    def describe(self) -> str:
        direction = "before" if self.days < 0 else "after"
        return f"{abs(self.days)} days {direction} {self.event}"


@dataclass(frozen=True)
class NoDeadline:
    """An ongoing duty with no date to meet (e.g. Sec. 4's enforcement priority)."""

    kind: RuleKind = RuleKind.NONE

    def due_on(self, *, signed_on: dt.date, event_on: dt.date | None = None) -> None:
        return None

    def as_dict(self) -> dict:
        return {"kind": self.kind.value}

    def describe(self) -> str:
        return "no deadline (ongoing)"


Rule = DaysAfterOrder | DaysFromEvent | NoDeadline

_ALLOWED_KEYS = {
    RuleKind.DAYS_AFTER_ORDER: {"kind", "days", "ongoing"},
    RuleKind.DAYS_FROM_EVENT: {"kind", "days", "event"},
    RuleKind.NONE: {"kind"},
}


def rule_from_dict(data: dict) -> Rule:
    """Return the rule that ``data`` describes, e.g. ``{"kind": "days_after_order", "days": 30}``."""
    if not isinstance(data, dict):
        raise RuleError('deadline: must be a table such as { kind = "days_after_order", days = 30 }')
    raw_kind = data.get("kind")
    try:
        kind = RuleKind(raw_kind)
    except ValueError:
        choices = ", ".join(k.value for k in RuleKind)
        raise RuleError(f"deadline.kind: {raw_kind!r} is not one of {choices}") from None
    unknown = sorted(set(data) - _ALLOWED_KEYS[kind])
    if unknown:
        raise RuleError(f"deadline.{unknown[0]}: unknown key for a {kind.value} deadline")
    if kind is RuleKind.NONE:
        return NoDeadline()
    days = data.get("days")
    if isinstance(days, bool) or not isinstance(days, int):
        raise RuleError("deadline.days: must be a whole number of days")
    if kind is RuleKind.DAYS_AFTER_ORDER:
        if days <= 0:
            raise RuleError("deadline.days: must be at least 1 for a deadline after the Order")
        ongoing = data.get("ongoing", False)
        if not isinstance(ongoing, bool):
            raise RuleError("deadline.ongoing: must be true or false")
        return DaysAfterOrder(days=days, ongoing=ongoing)
    event = data.get("event")
    if not isinstance(event, str) or not event.strip():
        raise RuleError("deadline.event: must name the event the days count from")
    return DaysFromEvent(days=days, event=event.strip())


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


def due_date(
    rule: Rule,
    *,
    signed_on: dt.date,
    event_on: dt.date | None = None,
    policy: Policy | str = Policy.LITERAL,
) -> dt.date | None:
    """Return the date ``rule`` falls due for an order signed on ``signed_on``, or None if none."""
    day = rule.due_on(signed_on=signed_on, event_on=event_on)
    if day is not None and Policy(policy) is Policy.NEXT_BUSINESS_DAY:
        day = next_business_day(day)
    return day


def end_of_day(day: dt.date, tz: ZoneInfo = EASTERN) -> dt.datetime:
    """Return the instant ``day`` ends in ``tz`` (midnight starting the next day), as an aware datetime.

    Working from the next day's midnight rather than 23:59:59 leaves no gap at the last second, and
    zoneinfo gives the right UTC offset on either side of a daylight-saving change.
    """
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


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
