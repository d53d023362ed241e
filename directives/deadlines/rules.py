"""Deadline rules (pure): what an order's deadline is, each kind of rule and its bounds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta

from .calendar import weekday_date


class RuleKind(StrEnum):
    DAYS_AFTER_ORDER = "days_after_order"
    MONTHS_AFTER_ORDER = "months_after_order"
    YEARS_AFTER_ORDER = "years_after_order"
    ON_DATE = "on_date"
    AFTER_DIRECTIVE = "after_directive"
    DAYS_FROM_EVENT = "days_from_event"
    RECURRING = "recurring"
    NONE = "none"


class Trigger(StrEnum):
    """How the text words the moment another directive is done; each means: it reaches completed."""

    COMPLETED = "completed"
    PUBLISHED = "published"
    ISSUED = "issued"


class RuleError(ValueError):
    """A deadline rule that cannot be understood; the message names the offending key."""


# The bounds of every number and date a deadline is made of. A century covers any deadline an order
# sets; the dates span the Republic's orders to well past any deadline they could set. Within them,
# no date arithmetic here can leave the calendar (year 9999): a signing date of 2199 plus 100 years,
# 1,200 months or 36,525 days, then recurring up to the same bounds, stays below year 2500.
MAX_DAYS = 36_525
MAX_MONTHS = 1_200
MAX_YEARS = 100
MAX_ORDER_NUMBER = 999_999
EARLIEST_DATE = dt.date(1789, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)


def date_out_of_range(value: dt.date) -> str | None:
    """Return why ``value`` is outside the dates orderctl handles, or None if it is within them."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        return (
            f"must be from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}, not {value.isoformat()}"
        )
    return None


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _ongoing(text: str, ongoing: bool) -> str:
    return f"{text}, then ongoing" if ongoing else text


def _with_ongoing(data: dict[str, Any], ongoing: bool) -> dict[str, Any]:
    if ongoing:
        data["ongoing"] = True
    return data


@dataclass(frozen=True)
class DaysAfterOrder:
    """N calendar days after the signing date; ``ongoing`` when the duty continues past it."""

    days: int
    ongoing: bool = False
    kind: RuleKind = RuleKind.DAYS_AFTER_ORDER

    def due_on(
        self, *, signed_on: dt.date, event_on: dt.date | None = None, trigger_on: dt.date | None = None
    ) -> dt.date:
        return signed_on + dt.timedelta(days=self.days)

    def as_dict(self) -> dict[str, Any]:
        return _with_ongoing({"kind": self.kind.value, "days": self.days}, self.ongoing)

    def describe(self) -> str:
        return _ongoing(f"{_plural(self.days, 'day')} after the Order", self.ongoing)


@dataclass(frozen=True)
class MonthsAfterOrder:
    """N calendar months after the signing date ("within 6 months of the date of this order").

    The same day of the month N months on; a day the month lacks is clamped to its last day
    (signed Aug 31 + 6 months -> Feb 28, or Feb 29 in a leap year), as dateutil's relativedelta does.
    """

    months: int
    ongoing: bool = False
    kind: RuleKind = RuleKind.MONTHS_AFTER_ORDER

    def due_on(
        self, *, signed_on: dt.date, event_on: dt.date | None = None, trigger_on: dt.date | None = None
    ) -> dt.date:
        return signed_on + relativedelta(months=self.months)

    def as_dict(self) -> dict[str, Any]:
        return _with_ongoing({"kind": self.kind.value, "months": self.months}, self.ongoing)

    def describe(self) -> str:
        return _ongoing(f"{_plural(self.months, 'month')} after the Order", self.ongoing)


@dataclass(frozen=True)
class YearsAfterOrder:
    """N calendar years after the signing date ("within 1 year"): the same date, Feb 29 -> Feb 28."""

    years: int
    ongoing: bool = False
    kind: RuleKind = RuleKind.YEARS_AFTER_ORDER

    def due_on(
        self, *, signed_on: dt.date, event_on: dt.date | None = None, trigger_on: dt.date | None = None
    ) -> dt.date:
        return signed_on + relativedelta(years=self.years)

    def as_dict(self) -> dict[str, Any]:
        return _with_ongoing({"kind": self.kind.value, "years": self.years}, self.ongoing)

    def describe(self) -> str:
        return _ongoing(f"{_plural(self.years, 'year')} after the Order", self.ongoing)


@dataclass(frozen=True)
class OnDate:
    """A fixed calendar date ("by December 31, 2025"): the work is due by the end of that day."""

    date: dt.date
    ongoing: bool = False
    kind: RuleKind = RuleKind.ON_DATE

    def due_on(
        self, *, signed_on: dt.date, event_on: dt.date | None = None, trigger_on: dt.date | None = None
    ) -> dt.date:
        return self.date

    def as_dict(self) -> dict[str, Any]:
        return _with_ongoing({"kind": self.kind.value, "date": self.date}, self.ongoing)

    def describe(self) -> str:
        return _ongoing(f"by {weekday_date(self.date)}", self.ongoing)


@dataclass(frozen=True)
class AfterDirective:
    """N days (or months) after another directive is completed, published or issued.

    "Within 60 days of the publication of the guidance described in subsection (b)": undated until
    that directive reaches completed; then the day it did (``trigger_on``) plus N, that day not counted.
    ``order`` names another order when the directive is not in this one.
    """

    directive: str
    days: int | None = None
    months: int | None = None
    trigger: Trigger = Trigger.COMPLETED
    order: int | None = None
    kind: RuleKind = RuleKind.AFTER_DIRECTIVE

    def due_on(
        self, *, signed_on: dt.date, event_on: dt.date | None = None, trigger_on: dt.date | None = None
    ) -> dt.date | None:
        if trigger_on is None:
            return None  # the other directive is not done yet, so there is no date to meet
        if self.months is not None:
            return trigger_on + relativedelta(months=self.months)
        return trigger_on + dt.timedelta(days=self.days or 0)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value, "directive": self.directive}
        if self.months is not None:
            data["months"] = self.months
        else:
            data["days"] = self.days
        data["trigger"] = self.trigger.value
        if self.order is not None:
            data["order"] = self.order
        return data

    def describe(self) -> str:
        target = self.directive if self.order is None else f"{self.directive} of EO {self.order}"
        if self.months is not None:
            return f"{_plural(self.months, 'month')} after {target} is {self.trigger.value}"
        if not self.days:
            return f"when {target} is {self.trigger.value}"
        return f"{_plural(self.days, 'day')} after {target} is {self.trigger.value}"


@dataclass(frozen=True)
class DaysFromEvent:
    """N calendar days before (negative) or after (positive) a named event's date.

    Sec. 3(b)(ii) of EO 14409 is one: government access "up to 30 days before" a model's planned
    release to trusted partners, a window that moves with that release date, not with the Order.
    """

    days: int
    event: str
    kind: RuleKind = RuleKind.DAYS_FROM_EVENT

    def due_on(
        self, *, signed_on: dt.date, event_on: dt.date | None = None, trigger_on: dt.date | None = None
    ) -> dt.date | None:
        if event_on is None:
            return None  # the event has not been scheduled yet, so there is no date to meet
        return event_on + dt.timedelta(days=self.days)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "days": self.days, "event": self.event}

    def describe(self) -> str:
        if self.days == 0:
            return f"on {self.event}"
        direction = "before" if self.days < 0 else "after"
        return f"{_plural(abs(self.days), 'day')} {direction} {self.event}"


@dataclass(frozen=True)
class NoDeadline:
    """An ongoing duty with no date to meet (e.g. Sec. 4's enforcement priority)."""

    kind: RuleKind = RuleKind.NONE

    def due_on(
        self, *, signed_on: dt.date, event_on: dt.date | None = None, trigger_on: dt.date | None = None
    ) -> None:
        return None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value}

    def describe(self) -> str:
        return "no deadline (ongoing)"


FirstRule = DaysAfterOrder | MonthsAfterOrder | YearsAfterOrder | OnDate | AfterDirective | DaysFromEvent


@dataclass(frozen=True)
class Recurring:
    """A duty due first by ``first``, then every N days or N months ("and annually thereafter").

    ``until`` (inclusive) is the last day an occurrence may fall on. Occurrences count from the first
    due date, not from each other, so a month-end date does not drift (Jan 31, Feb 28, Mar 31 ...).
    """

    first: FirstRule
    every_days: int | None = None
    every_months: int | None = None
    until: dt.date | None = None
    kind: RuleKind = RuleKind.RECURRING

    def due_on(
        self, *, signed_on: dt.date, event_on: dt.date | None = None, trigger_on: dt.date | None = None
    ) -> dt.date | None:
        return self.first.due_on(signed_on=signed_on, event_on=event_on, trigger_on=trigger_on)

    def step(self, n: int) -> relativedelta:
        """Return the distance from the first occurrence to the ``n``-th after it."""
        if self.every_months is not None:
            return relativedelta(months=self.every_months * n)
        return relativedelta(days=(self.every_days or 0) * n)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value, "first": self.first.as_dict()}
        if self.every_months is not None:
            data["every_months"] = self.every_months
        else:
            data["every_days"] = self.every_days
        if self.until is not None:
            data["until"] = self.until
        return data

    def describe(self) -> str:
        if self.every_months is not None:
            every = _plural(self.every_months, "month")
        else:
            every = _plural(self.every_days or 0, "day")
        text = f"{self.first.describe()}, then every {every}"
        if self.until is not None:
            text += f" until {weekday_date(self.until)}"
        return text


Rule = (
    DaysAfterOrder
    | MonthsAfterOrder
    | YearsAfterOrder
    | OnDate
    | AfterDirective
    | DaysFromEvent
    | Recurring
    | NoDeadline
)

# Kinds whose due date follows from the signing date alone (a recurring rule when its first does).
ORDER_DATED_KINDS = frozenset(
    {RuleKind.DAYS_AFTER_ORDER, RuleKind.MONTHS_AFTER_ORDER, RuleKind.YEARS_AFTER_ORDER, RuleKind.ON_DATE}
)


def is_dated_by_order(rule: Rule) -> bool:
    """Return whether ``rule`` has a due date as soon as the order is signed (no trigger or event)."""
    if isinstance(rule, Recurring):
        return rule.first.kind in ORDER_DATED_KINDS
    return rule.kind in ORDER_DATED_KINDS
