"""The date a rule gives: the first due date, and each next occurrence of a recurring one."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from .calendar import Policy, apply_policy
from .rules import Recurring, Rule


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
