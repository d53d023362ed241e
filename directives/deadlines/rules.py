"""Deadline rules (pure): what an order's deadline is, read from an order file, and the date it gives."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta

from .calendar import Policy, apply_policy, weekday_date


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


_ALLOWED_KEYS = {
    RuleKind.DAYS_AFTER_ORDER: {"kind", "days", "ongoing"},
    RuleKind.MONTHS_AFTER_ORDER: {"kind", "months", "ongoing"},
    RuleKind.YEARS_AFTER_ORDER: {"kind", "years", "ongoing"},
    RuleKind.ON_DATE: {"kind", "date", "ongoing"},
    RuleKind.AFTER_DIRECTIVE: {"kind", "directive", "days", "months", "trigger", "order"},
    RuleKind.DAYS_FROM_EVENT: {"kind", "days", "event"},
    RuleKind.RECURRING: {"kind", "first", "every_days", "every_months", "until"},
    RuleKind.NONE: {"kind"},
}


def _whole(where: str, data: dict[str, Any], key: str, *, minimum: int, maximum: int, what: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(f"{where}.{key}: must be a whole number of {what}")
    if value < minimum:
        raise RuleError(f"{where}.{key}: must be at least {minimum}")
    if value > maximum:
        raise RuleError(f"{where}.{key}: must be at most {maximum:,}, not {value:,}")
    return value


def _flag(where: str, data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise RuleError(f"{where}.{key}: must be true or false")
    return value


def _date(where: str, data: dict[str, Any], key: str) -> dt.date:
    value = data.get(key)
    # TOML has a date type: 2025-12-31 unquoted. A quoted string or a date-time is a mistake.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise RuleError(f"{where}.{key}: must be a date written as YYYY-MM-DD without quotes, not {value!r}")
    problem = date_out_of_range(value)
    if problem:
        raise RuleError(f"{where}.{key}: {problem}")
    return value


def _one_of(where: str, data: dict[str, Any], first: str, second: str) -> str:
    present = [key for key in (first, second) if key in data]
    if len(present) != 1:
        raise RuleError(f"{where}.{first}: give exactly one of {first} or {second}")
    return present[0]


def rule_from_dict(data: dict[str, Any], *, where: str = "deadline") -> Rule:
    """Return the rule that ``data`` describes, e.g. ``{"kind": "days_after_order", "days": 30}``.

    Raise ``RuleError`` whose message starts with the offending key, e.g. ``deadline.every_days: ...``.
    """
    if not isinstance(data, dict):
        raise RuleError(f'{where}: must be a table such as {{ kind = "days_after_order", days = 30 }}')
    raw_kind: Any = data.get("kind")  # a TOML value: the enum below checks it
    try:
        kind = RuleKind(raw_kind)
    except ValueError:
        choices = ", ".join(k.value for k in RuleKind)
        raise RuleError(f"{where}.kind: {raw_kind!r} is not one of {choices}") from None
    unknown = sorted(set(data) - _ALLOWED_KEYS[kind])
    if unknown:
        raise RuleError(f"{where}.{unknown[0]}: unknown key for a {kind.value} deadline")
    if kind is RuleKind.NONE:
        return NoDeadline()
    if kind is RuleKind.DAYS_AFTER_ORDER:
        days = _whole(where, data, "days", minimum=-MAX_DAYS, maximum=MAX_DAYS, what="days")
        if days <= 0:
            raise RuleError(f"{where}.days: must be at least 1 for a deadline after the Order")
        return DaysAfterOrder(days=days, ongoing=_flag(where, data, "ongoing"))
    if kind is RuleKind.MONTHS_AFTER_ORDER:
        months = _whole(where, data, "months", minimum=1, maximum=MAX_MONTHS, what="months")
        return MonthsAfterOrder(months=months, ongoing=_flag(where, data, "ongoing"))
    if kind is RuleKind.YEARS_AFTER_ORDER:
        years = _whole(where, data, "years", minimum=1, maximum=MAX_YEARS, what="years")
        return YearsAfterOrder(years=years, ongoing=_flag(where, data, "ongoing"))
    if kind is RuleKind.ON_DATE:
        return OnDate(date=_date(where, data, "date"), ongoing=_flag(where, data, "ongoing"))
    if kind is RuleKind.AFTER_DIRECTIVE:
        return _after_directive(where, data)
    if kind is RuleKind.RECURRING:
        return _recurring(where, data)
    days = _whole(where, data, "days", minimum=-MAX_DAYS, maximum=MAX_DAYS, what="days")
    event = data.get("event")
    if not isinstance(event, str) or not event.strip():
        raise RuleError(f"{where}.event: must name the event the days count from")
    return DaysFromEvent(days=days, event=event.strip())


def _after_directive(where: str, data: dict[str, Any]) -> AfterDirective:
    directive = data.get("directive")
    if not isinstance(directive, str) or not directive.strip():
        raise RuleError(f"{where}.directive: must be the ref of the directive the days count from")
    unit = _one_of(where, data, "days", "months")
    amount = _whole(
        where,
        data,
        unit,
        minimum=0 if unit == "days" else 1,
        maximum=MAX_DAYS if unit == "days" else MAX_MONTHS,
        what=unit,
    )
    raw_trigger = data.get("trigger", Trigger.COMPLETED.value)
    try:
        trigger = Trigger(raw_trigger)
    except ValueError:
        choices = ", ".join(t.value for t in Trigger)
        raise RuleError(f"{where}.trigger: {raw_trigger!r} is not one of {choices}") from None
    order = None
    if "order" in data:
        order = _whole(
            where, data, "order", minimum=1, maximum=MAX_ORDER_NUMBER, what="an executive order's number"
        )
    return AfterDirective(
        directive=directive.strip(),
        days=amount if unit == "days" else None,
        months=amount if unit == "months" else None,
        trigger=trigger,
        order=order,
    )


def _recurring(where: str, data: dict[str, Any]) -> Recurring:
    if "first" not in data:
        raise RuleError(f"{where}.first: give the rule of the first occurrence, e.g. {{ kind = ... }}")
    first = rule_from_dict(data["first"], where=f"{where}.first")
    if isinstance(first, Recurring | NoDeadline):
        raise RuleError(
            f"{where}.first.kind: the first occurrence needs a dated rule, not {first.kind.value}"
        )
    unit = _one_of(where, data, "every_days", "every_months")
    every = _whole(
        where,
        data,
        unit,
        minimum=1,
        maximum=MAX_DAYS if unit == "every_days" else MAX_MONTHS,
        what="days" if unit == "every_days" else "months",
    )
    until = _date(where, data, "until") if "until" in data else None
    if until is not None and isinstance(first, OnDate) and until < first.date:
        raise RuleError(f"{where}.until: must not be before the first occurrence ({first.date})")
    return Recurring(
        first=first,
        every_days=every if unit == "every_days" else None,
        every_months=every if unit == "every_months" else None,
        until=until,
    )


def due_date(
    rule: Rule,
    *,
    signed_on: dt.date,
    event_on: dt.date | None = None,
    trigger_on: dt.date | None = None,
    policy: Policy | str = Policy.LITERAL,
) -> dt.date | None:
    """Return the date ``rule`` falls due for an order signed on ``signed_on``, or None if none yet.

    ``event_on`` dates a days_from_event rule, ``trigger_on`` (the day the other directive was done)
    an after_directive one; a recurring rule gives its first occurrence.
    """
    day = rule.due_on(signed_on=signed_on, event_on=event_on, trigger_on=trigger_on)
    return None if day is None else apply_policy(day, policy)


def next_occurrence(
    rule: Recurring,
    *,
    after: dt.date,
    first_on: dt.date | None = None,
    policy: Policy | str = Policy.LITERAL,
) -> dt.date | None:
    """Return the due date of the occurrence that follows the one due on ``after``, or None past ``until``.

    Occurrences count from ``first_on``, the first occurrence's date before any policy rolled it (from
    ``after`` when not given), so month arithmetic does not drift and a rolled date does not shift the
    ones after it. The policy applies to the result; ``until`` bounds the unrolled date.
    """
    if not isinstance(rule, Recurring):
        raise TypeError("next_occurrence needs a recurring rule")
    anchor = first_on or after
    n = 0 if first_on is not None else 1
    while True:
        raw = anchor + rule.step(n)
        if rule.until is not None and raw > rule.until:
            return None
        day = apply_policy(raw, policy)
        if day > after:
            return day
        n += 1


def first_rule(rule: Rule) -> Rule:
    """Return the rule that dates ``rule``'s first due date: a recurring rule's ``first``, else itself."""
    return rule.first if isinstance(rule, Recurring) else rule


def occurrence_due(
    rule: Recurring, n: int, *, first_on: dt.date, policy: Policy | str = Policy.LITERAL
) -> dt.date | None:
    """Return the due date of occurrence ``n`` (1 is the first) of ``rule``, or None past ``until``.

    ``first_on`` is the first occurrence's date before any policy rolled it: occurrences count from it
    (Jan 31, Feb 28, Mar 31 ... monthly), so neither month ends nor a rolled date make them drift.
    """
    if n < 1:
        raise ValueError("occurrences are numbered from 1")
    raw = first_on + rule.step(n - 1)
    if rule.until is not None and raw > rule.until:
        return None
    return apply_policy(raw, policy)


def next_occurrence_due(
    rule: Recurring, *, after: dt.date, first_on: dt.date, policy: Policy | str = Policy.LITERAL
) -> dt.date | None:
    """Return the first date of ``rule``'s schedule due after ``after``, or None past ``until``.

    ``after`` is the newest occurrence's (original) due date. The schedule counts from ``first_on`` as
    ``occurrence_due`` does, so an unchanged rule gives the very date ``occurrence_due`` gives the next
    occurrence; once an amendment changes the interval, the next occurrence is the new schedule's first
    date after the newest one: never earlier than it, and no period skipped.
    """
    if after < first_on:
        k = 1
    else:
        # Start just below the answer (the step is at least a day or a month), then walk up to it.
        span = relativedelta(after, first_on)
        if rule.every_months is not None:
            k = max(1, (span.years * 12 + span.months) // max(rule.every_months, 1) - 2)
        else:
            k = max(1, (after - first_on).days // max(rule.every_days or 1, 1) - 2)
    while True:
        raw = first_on + rule.step(k)
        if rule.until is not None and raw > rule.until:
            return None
        due_on = apply_policy(raw, policy)
        if due_on > after:
            return due_on
        k += 1
