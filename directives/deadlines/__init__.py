"""The deadline engine: pure date arithmetic over python-dateutil, no Django.

An executive order says "within N days of the date of this order". That is the signing date plus N
calendar days: the signing day is not counted, and a date that falls on a weekend or a federal holiday
is kept as it is unless a policy asks to roll it to the next business day. A deadline is met if the work
is done by the end of that day in US Eastern time, so the instant that matters is midnight at the end
of the due day in America/New_York.
The package: ``calendar`` (business days, federal holidays, the Eastern day), ``rules`` (what a
deadline is), ``reading`` (a rule read from an order file), ``dates`` (the date a rule gives) and
``jsonform`` (a rule as a JSON column, the API and a backup hold it); callers use the names
re-exported here.
"""

from .calendar import (
    EASTERN,
    Policy,
    apply_policy,
    days_overdue,
    days_remaining,
    end_of_day,
    federal_holidays,
    is_business_day,
    local_date,
    next_business_day,
    wall_clock_days_later,
    weekday_date,
)
from .dates import due_date, first_rule, next_occurrence, next_occurrence_due, occurrence_due
from .jsonform import rule_from_json, rule_to_json
from .reading import rule_from_dict
from .rules import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_DAYS,
    MAX_MONTHS,
    MAX_ORDER_NUMBER,
    MAX_YEARS,
    ORDER_DATED_KINDS,
    AfterDirective,
    DaysAfterOrder,
    DaysFromEvent,
    FirstRule,
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
    is_dated_by_order,
)

__all__ = [
    "EARLIEST_DATE",
    "EASTERN",
    "LATEST_DATE",
    "MAX_DAYS",
    "MAX_MONTHS",
    "MAX_ORDER_NUMBER",
    "MAX_YEARS",
    "ORDER_DATED_KINDS",
    "AfterDirective",
    "DaysAfterOrder",
    "DaysFromEvent",
    "FirstRule",
    "MonthsAfterOrder",
    "NoDeadline",
    "OnDate",
    "Policy",
    "Recurring",
    "Rule",
    "RuleError",
    "RuleKind",
    "Trigger",
    "YearsAfterOrder",
    "apply_policy",
    "date_out_of_range",
    "days_overdue",
    "days_remaining",
    "due_date",
    "end_of_day",
    "federal_holidays",
    "first_rule",
    "is_business_day",
    "is_dated_by_order",
    "local_date",
    "next_business_day",
    "next_occurrence",
    "next_occurrence_due",
    "occurrence_due",
    "rule_from_dict",
    "rule_from_json",
    "rule_to_json",
    "wall_clock_days_later",
    "weekday_date",
]
