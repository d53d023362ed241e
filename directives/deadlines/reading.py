"""Reading a deadline rule from its table (an order file's, a JSON column's), every problem named."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .rules import (
    MAX_DAYS,
    MAX_MONTHS,
    MAX_ORDER_NUMBER,
    MAX_YEARS,
    AfterDirective,
    DaysAfterOrder,
    DaysFromEvent,
    MonthsAfterOrder,
    NoDeadline,
    OnDate,
    Recurring,
    Rule,
    RuleError,
    RuleKind,
    Trigger,
    YearsAfterOrder,
    date_out_of_range,
)

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
