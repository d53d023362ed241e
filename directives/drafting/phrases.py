"""Deadline phrases: where a sentence says by when, and the rule it means.

Families, each with its legal reading (directives/orders/README.md):

- "within 30 days of the date of this order", "of this order", "not later than 90 days after the date of
  this order", months and years -> ``days_after_order`` / ``months_after_order`` / ``years_after_order``;
- "by December 31, 2025", "not later than", "on or before" a date -> ``on_date``; a list of dates ("by June 1,
  2007, and June 1, 2008") -> ``recurring`` from the first until the last when they fall evenly;
- "within 60 days of the publication of the guidance described in subsection (b)" -> ``after_directive``
  when the text names the directive, else ``days_from_event``;
- "..., and annually thereafter", "every 60 days after the date of this order" -> ``recurring`` (ending,
  once the signing date dates its first, "for a period of 3 years" after it); a duty
  that recurs with no start in the text ("quarterly", "annually") -> ``recurring`` whose first occurrence
  someone dates (``days_from_event`` 0 days);
- "on an ongoing basis" -> no date (``none``).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from directives import deadlines

from .document import DATE, MONTHS, parse_date
from .phrase_patterns import (
    AFTER_DATE,
    BARE_WITHIN,
    BY_COMPLETION,
    CHAINED,
    CONDITION,
    EVERY_AFTER_ORDER,
    FIXED_DATE,
    IN_YEAR,
    MONTH_YEAR,
    NEXT_DATE,
    ONGOING,
    PER_MONTHS,
    PERIOD_MONTHS,
    PERIOD_WORD,
    PERIODIC,
    RELATIVE_TO_ORDER,
    RESPECTIVELY,
    STARTING,
    THEREAFTER,
    TRIGGER_WORD,
    TRIGGERS,
    number,
)

# The event a recurrence counts from when the text names no start ("report annually").
NO_START = "the first occurrence (the text sets no start)"


@dataclass(frozen=True)
class Chain:
    """What a chained deadline waits for: N units after ``what`` is completed, published or issued."""

    amount: int
    unit: str
    trigger: deadlines.Trigger
    what: str

    def rule(self, ref: str, *, order: int | None = None) -> deadlines.AfterDirective:
        """Return the after_directive rule once the directive ``ref`` that ``what`` names is known."""
        if self.unit.startswith(("month", "year")):
            months = self.amount * (12 if self.unit.startswith("year") else 1)
            return deadlines.AfterDirective(ref, months=months, trigger=self.trigger, order=order)
        days = in_days(self.amount, self.unit)
        return deadlines.AfterDirective(ref, days=days, trigger=self.trigger, order=order)


@dataclass(frozen=True)
class Phrase:
    """A deadline phrase found in a sentence: where it is, the rule it means, what a person should check.

    A chained phrase's ``rule`` counts from an event until ``chain`` is resolved to a directive.
    """

    start: int
    end: int
    rule: deadlines.Rule
    text: str
    review: str = ""
    fixed_date: bool = False
    chain: Chain | None = None
    # "and annually thereafter for a period of 3 years": (36, "months") the recurrence lasts after its first
    # occurrence; its end is a date once the signing date dates the first.
    lasts: tuple[int, str] | None = None


def in_days(n: int, unit: str) -> int:
    """Return the days of N days, weeks or hours: a week is 7 days; hours are whole days, rounded down (a
    deadline is a date, and a day early is never late)."""
    unit = unit.lower()
    if unit.startswith("week"):
        return 7 * n
    if unit.startswith("hour"):
        return n // 24
    return n


def _unit_review(text: str, n: int, unit: str) -> str:
    """Return what a person should check about the unit of ``text`` ("N business days", "N hours"), or ""."""
    unit = unit.lower()
    if unit.startswith("business"):
        return f"'{text}' counts business days; drafted as {n} calendar days."
    if unit.startswith("hour"):
        days = in_days(n, unit)
        rounded = "" if n % 24 == 0 else ", rounded down"
        return f"'{text}' counts hours; drafted as {days} days{rounded} (a deadline is a date)."
    return ""


def _after_order(n: int, unit: str) -> deadlines.FirstRule:
    unit = unit.lower()
    if unit.startswith("month"):
        return deadlines.MonthsAfterOrder(months=n)
    if unit.startswith("year"):
        return deadlines.YearsAfterOrder(years=n)
    return deadlines.DaysAfterOrder(days=in_days(n, unit))


def _period(text: str, n: str | None = None, unit: str | None = None) -> tuple[str, int]:
    """Return ("every_months"|"every_days", N) for "annually", "quarterly", "every 2 years"."""
    text = text.lower()
    if n and unit:
        amount = number(n)
        unit = unit.lower()
        if unit.startswith("year"):
            return "every_months", 12 * amount
        if unit.startswith("month"):
            return "every_months", amount
        return "every_days", in_days(amount, unit)
    for word, months in PERIOD_MONTHS.items():
        if word in text:
            return "every_months", months
    return "every_months", 12


def _recurring(
    first: deadlines.FirstRule, period: tuple[str, int], until: dt.date | None = None
) -> deadlines.Rule:
    key, every = period
    if key == "every_days":
        return deadlines.Recurring(first=first, every_days=every, until=until)
    return deadlines.Recurring(first=first, every_months=every, until=until)


def _thereafter(first: deadlines.FirstRule, after: re.Match[str]) -> deadlines.Rule:
    """Return the rule of a first deadline and what follows it: "and annually thereafter" recurs; "and on a
    regular basis thereafter" keeps the duty going past its first date."""
    if after.group("ongoing"):
        if isinstance(
            first,
            deadlines.DaysAfterOrder
            | deadlines.MonthsAfterOrder
            | deadlines.YearsAfterOrder
            | deadlines.OnDate,
        ):
            return dataclasses.replace(first, ongoing=True)
        return first
    return _recurring(first, _period(after.group("period"), after.group("n2"), after.group("unit2")))


def _lasts(after: re.Match[str] | None) -> tuple[int, str] | None:
    """Return how long the recurrence ``after`` reads lasts ("for a period of 3 years": (36, "months"))."""
    if after is None or not after.group("n3") or after.group("ongoing"):
        return None
    n, unit = number(after.group("n3")), after.group("unit3").lower()
    if unit.startswith("year"):
        return 12 * n, "months"
    if unit.startswith("month"):
        return n, "months"
    return in_days(n, unit), "days"


def _chained(what: str, match: re.Match[str]) -> Phrase:
    n, unit = number(match.group("n")), match.group("unit").lower()
    m = TRIGGER_WORD.match(what.strip())
    trigger = TRIGGERS.get(m.group("trig").lower(), deadlines.Trigger.COMPLETED) if m else None
    event = what.strip().rstrip(",")
    review = _unit_review(match.group(0), n, unit)
    if m is None:
        review = (
            f"{review} The deadline counts from '{event[:100]}', which the drafter cannot tie to a "
            "directive: drafted as days from an event whose date someone records."
        ).strip()
    days = n * 365 if unit.startswith("year") else n * 30 if unit.startswith("month") else in_days(n, unit)
    return Phrase(
        start=match.start(),
        end=match.start() + len(match.group(0)),
        rule=deadlines.DaysFromEvent(days=days, event=event),
        text=match.group(0),
        review=review,
        chain=Chain(
            amount=n,
            unit=unit,
            trigger=trigger or deadlines.Trigger.COMPLETED,
            what=m.group("rest").strip(),
        )
        if m
        else None,
    )


def _starting(sentence: str, m: re.Match[str], take: Callable[[int, int], None]) -> Phrase | None:
    """Return the phrase of "Starting in January 2022, ... an annual update": recurring from that month's
    (year's) end, when the sentence names a period, whose word ``take`` marks as used; else None ("Beginning
    in 2027, agencies shall not purchase ..." says when a policy starts, not by when a duty is done)."""
    period = PERIOD_WORD.search(sentence, m.end())
    if period is None:
        return None
    year = int(m.group("year"))
    month = MONTHS[m.group("month").lower()] if m.group("month") else 12
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    take(period.start(), period.end())
    what = "month" if m.group("month") else "year"
    return Phrase(
        m.start(),
        m.end(),
        _recurring(deadlines.OnDate(date=last), _period(period.group(0))),
        m.group(0),
        review=f"'{m.group(0)}' names a {what}: the first drafted as its last day, then '{period.group(0)}'.",
        fixed_date=True,
    )


def _date_list(sentence: str, lead_start: int, start: int, first: dt.date) -> Phrase | None:
    """Return the phrase of "by June 1, 2007, and June 1, 2008" (the fixed date's lead at ``lead_start``,
    its first date ending at ``start``): the listed dates as a series from the first to the last, when they
    fall evenly (any two do), else the first with the rest left to a person; None for one date or for "...,
    respectively" (a date to each of several duties)."""
    dates = [first]
    end = start
    while m := NEXT_DATE.match(sentence, end):
        date = parse_date(m.group("date"))
        if date is None or date <= dates[-1]:
            break
        dates.append(date)
        end = m.end()
    if len(dates) < 2 or RESPECTIVELY.match(sentence[end:]):
        return None
    months = (dates[1].year - dates[0].year) * 12 + dates[1].month - dates[0].month
    if dates[1].day == first.day:
        rule = deadlines.Recurring(first=deadlines.OnDate(first), every_months=months, until=dates[-1])
        every = f"{months} months"
    else:
        days = (dates[1] - first).days
        rule = deadlines.Recurring(first=deadlines.OnDate(first), every_days=days, until=dates[-1])
        every = f"{days} days"
    text = sentence[lead_start:end]
    if any(first + rule.step(i) != date for i, date in enumerate(dates)):
        review = f"'{text}' lists dates at uneven intervals: drafted as the first; add the others by hand."
        return Phrase(lead_start, end, deadlines.OnDate(first), text, review, fixed_date=True)
    review = f"'{text}' lists {len(dates)} dates: drafted as every {every} from the first until the last."
    return Phrase(lead_start, end, rule, text, review, fixed_date=True)


def find(sentence: str) -> list[Phrase]:
    """Return the deadline phrases of ``sentence``, in the order they appear."""
    return list(_find(sentence))


@functools.lru_cache(maxsize=4096)
def _find(sentence: str) -> tuple[Phrase, ...]:
    found: list[Phrase] = []
    # The characters a phrase already covers: checking a span costs its length, not the number of
    # phrases found so far (a pasted sentence with thousands of phrases made the loops quadratic).
    covered = bytearray(len(sentence))

    def free(start: int, end: int) -> bool:
        return covered.find(1, start, end) < 0

    def take(start: int, end: int) -> None:
        covered[start:end] = b"\x01" * (end - start)

    for m in RELATIVE_TO_ORDER.finditer(sentence):
        n, unit = number(m.group("n")), m.group("unit")
        first = _after_order(n, unit)
        rule: deadlines.Rule = first
        review = _unit_review(m.group(0), n, unit)
        end = m.end()
        after = THEREAFTER.match(sentence[end:])
        if after:
            rule = _thereafter(first, after)
            end += after.end()
        found.append(Phrase(m.start(), end, rule, sentence[m.start() : end], review, lasts=_lasts(after)))
        take(m.start(), end)
    for m in EVERY_AFTER_ORDER.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        n, unit = number(m.group("n")), m.group("unit")
        first = _after_order(n, unit)
        until_text = m.group("untilwhat") or ""
        until = parse_date(until_text) if re.match(rf"\s*{DATE}", until_text) else None
        review = ""
        if until_text and until is None:
            review = f"Recurs until {until_text.strip()}: a condition, not a date; end it by hand."
        rule = _recurring(first, _period("", m.group("n"), unit), until)
        found.append(Phrase(m.start(), m.end(), rule, m.group(0), review))
        take(m.start(), m.end())
    for m in BY_COMPLETION.finditer(sentence):
        what = m.group("what")
        trigger = deadlines.Trigger.PUBLISHED if m.group("trig").lower() == "published" else None
        phrase = Phrase(
            m.start(),
            m.end(),
            deadlines.DaysFromEvent(days=0, event=f"the day {what} is {m.group('trig')}"),
            m.group(0),
            chain=Chain(0, "days", trigger or deadlines.Trigger.COMPLETED, what),
        )
        found.append(phrase)
        take(m.start(), m.end())
    for m in AFTER_DATE.finditer(sentence):
        start_date = parse_date(m.group("date"))
        if start_date is None or not free(m.start(), m.end()):
            continue
        # Counted as from a signing date on that day: the same calendar arithmetic as the order's own.
        date = _after_order(number(m.group("n")), m.group("unit")).due_on(signed_on=start_date)
        if date is None:
            continue
        review = f"'{m.group(0)}' counts from a date: drafted as {date.isoformat()}."
        found.append(Phrase(m.start(), m.end(), deadlines.OnDate(date=date), m.group(0), review, True))
        take(m.start(), m.end())
    for m in IN_YEAR.finditer(sentence):
        year = int(m.group("year"))
        if 1789 <= year <= 2199:
            start = m.start("lead")
            end = m.end("year")
            review = f"'{sentence[start:end]}' names a year: drafted as its last day."
            found.append(
                Phrase(start, end, deadlines.OnDate(dt.date(year, 12, 31)), sentence[start:end], review, True)
            )
            take(start, end)
    for m in STARTING.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        starting = _starting(sentence, m, take)
        if starting is not None:
            found.append(starting)
            take(m.start(), m.end())
    for m in CHAINED.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        what = m.group("what")
        found.append(_chained(what, m))
        take(m.start(), m.end())
    for m in FIXED_DATE.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        date = parse_date(m.group("date"))
        if date is None:
            continue
        listed = _date_list(sentence, m.start(), m.end(), date)
        if listed is not None:
            found.append(listed)
            take(listed.start, listed.end)
            continue
        end = m.end()
        rule = deadlines.OnDate(date=date)
        after = THEREAFTER.match(sentence[end:])
        if after:
            rule = _thereafter(rule, after)
            end += after.end()
        found.append(
            Phrase(m.start(), end, rule, sentence[m.start() : end], fixed_date=True, lasts=_lasts(after))
        )
        take(m.start(), end)
    for m in MONTH_YEAR.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        month = MONTHS[m.group("month").lower()]
        year = int(m.group("year"))
        if not 1789 <= year <= 2199:
            continue
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        end = m.end()
        after = THEREAFTER.match(sentence[end:])
        if m.group("lead").lower() == "in" and not after:
            continue
        rule = _thereafter(deadlines.OnDate(date=last), after) if after else deadlines.OnDate(date=last)
        end += after.end() if after else 0
        found.append(
            Phrase(
                m.start(),
                end,
                rule,
                sentence[m.start() : end],
                review=f"'{m.group(0)}' names a month: drafted as its last day.",
                fixed_date=True,
                lasts=_lasts(after),
            )
        )
        take(m.start(), end)
    for m in BARE_WITHIN.finditer(sentence):
        if not free(m.start(), m.end()) or CONDITION.match(sentence):
            continue
        if m.group("unit").lower().startswith("hour"):
            continue  # "within 24 hours" counts from an event the text implies, never from the signing
        found.append(
            Phrase(
                m.start(),
                m.end(),
                _after_order(number(m.group("n")), m.group("unit")),
                m.group(0),
                review=f"'{m.group(0)}' names no start: drafted as counted from the signing date.",
            )
        )
        take(m.start(), m.end())
    for m in PERIODIC.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        if m.group("per"):
            period = ("every_months", PER_MONTHS[m.group("per").lower()])
        elif m.group("twice"):
            period = ("every_months", 6)
        else:
            period = _period(m.group("period"), m.group("n"), m.group("unit"))
        first = deadlines.DaysFromEvent(days=0, event=NO_START)
        found.append(
            Phrase(
                m.start(),
                m.end(),
                _recurring(first, period),
                m.group(0),
                review=f"Recurs ({m.group(0)}) with no start in the text: record the first due date.",
            )
        )
        take(m.start(), m.end())
    for m in ONGOING.finditer(sentence):
        if free(m.start(), m.end()):
            found.append(Phrase(m.start(), m.end(), deadlines.NoDeadline(), m.group(0)))
            take(m.start(), m.end())
    return tuple(sorted(found, key=lambda p: p.start))
