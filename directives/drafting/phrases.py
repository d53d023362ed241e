"""Deadline phrases: where a sentence says by when, and the rule it means.

Families, each with its legal reading (directives/orders/README.md):

- "within 30 days of the date of this order", "of this order", "not later than 90 days after the date of
  this order", months and years -> ``days_after_order`` / ``months_after_order`` / ``years_after_order``;
- "by December 31, 2025", "not later than", "on or before" a date -> ``on_date``;
- "within 60 days of the publication of the guidance described in subsection (b)" -> ``after_directive``
  when the text names the directive, else ``days_from_event``;
- "..., and annually thereafter", "every 60 days after the date of this order" -> ``recurring``; a duty
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

# The event a recurrence counts from when the text names no start ("report annually").
NO_START = "the first occurrence (the text sets no start)"

_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "forty-five": 45,
    "sixty": 60,
    "ninety": 90,
    "one hundred twenty": 120,
    "one hundred eighty": 180,
    "two hundred seventy": 270,
    "three hundred sixty-five": 365,
}
NUMBER = r"(?P<n>\d{1,4}|" + "|".join(sorted((re.escape(w) for w in _WORDS), key=len, reverse=True)) + ")"
UNIT = r"(?P<unit>calendar days?|business days?|days?|months?|years?)"
AMOUNT = rf"{NUMBER}[\s-]+(?:\(\d+\)\s+)?{UNIT}"
# "This order" in an executive order, "this memorandum" or "this proclamation" in the others: signed on.
_THIS = r"this\s+(?:order|memorandum|proclamation)"
_ORDER = rf"(?:the\s+)?(?:effective\s+)?(?:(?:date|issuance|signing)\s+of\s+)?(?:{_THIS}|the\s+order)"
_LEAD = r"(?:within|not later than|no later than|not more than|no more than)"

# "In the first 60 days from the date of this order" counts from the signing date as "within" does.
RELATIVE_TO_ORDER = re.compile(
    rf"\b(?:{_LEAD}|(?:in|during) the first)\s+{AMOUNT}\s+(?:of|from|after|following)\s+{_ORDER}",
    re.IGNORECASE,
)
# "terminate all existing exclusions as of March 12, 2025": the duty takes effect by that date.
FIXED_DATE = re.compile(
    rf"\b(?P<lead>by|not later than|no later than|on or before|before|as of)\s+(?P<date>{DATE})",
    re.IGNORECASE,
)
# "within ten days of March 12, 2025": a fixed date, N days (months) after the date named.
AFTER_DATE = re.compile(
    rf"\b{_LEAD}\s+{AMOUNT}\s+(?:of|after|following|from)\s+(?P<date>{DATE})",
    re.IGNORECASE,
)
# "By February 2022": the month's last day. "In September 2023, and on an annual basis thereafter": the
# same, only when a recurrence follows ("In May 2023, the Secretary issued ..." is a past event).
_MONTH_NAME = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)"
)
MONTH_YEAR = re.compile(
    rf"\b(?P<lead>by|not later than|no later than|by the end of|in)\s+{_MONTH_NAME}\s+(?P<year>\d{{4}})\b"
    r"(?!,?\s*\d)",
    re.IGNORECASE,
)
# "Starting in January 2022, the Secretary shall provide an annual update", "Beginning in 2010, the
# Committee shall publish an annual Action Plan": the first due at the end of that month (year), then
# every period the sentence names ("annual", "quarterly"); with none named, that one date.
STARTING = re.compile(
    rf"\b(?:starting|beginning|commencing)\s+(?:in\s+)?(?:{_MONTH_NAME}\s+)?(?P<year>\d{{4}})\b(?!,?\s*\d)",
    re.IGNORECASE,
)
# "In 2026, the ITWG shall initiate a review": a duty set in a year, due by its last day; only opening a
# sentence whose duty is still to come ("In 2023, the Secretary issued ..." tells the past).
IN_YEAR = re.compile(
    r"^\W{0,3}(?:\([a-zA-Z0-9]{1,6}\)\s+)?(?P<lead>In|During)\s+(?P<year>\d{4}),(?=.*\bshall\b)"
)
_PERIOD_WORD = re.compile(
    r"\b(?:semiannual(?:ly)?|biennial(?:ly)?|annual(?:ly)?|quarterly|monthly)\b", re.IGNORECASE
)
_TRIGGERS = {
    "publication": deadlines.Trigger.PUBLISHED,
    "publishing": deadlines.Trigger.PUBLISHED,
    "release": deadlines.Trigger.PUBLISHED,
    "releasing": deadlines.Trigger.PUBLISHED,
    "issuance": deadlines.Trigger.ISSUED,
    "issuing": deadlines.Trigger.ISSUED,
}
CHAINED = re.compile(
    rf"\b{_LEAD}\s+{AMOUNT}\s+(?:of|after|following|from)\s+(?:the\s+)?"
    rf"(?P<what>(?!(?:the\s+)?(?:effective\s+)?(?:date|issuance|signing)\s+of\s+{_THIS})(?!{_THIS})[^.;]{{3,300}}?)"
    r"(?=[,.;:]|\s+(?:shall|the\s+(?:Secretary|Director|Administrator|head|Attorney))\b|$)",
    re.IGNORECASE,
)
BY_COMPLETION = re.compile(
    r"\bby the date on which (?P<what>[^.;,]{3,200}?) is (?P<trig>completed|published|issued|submitted)",
    re.IGNORECASE,
)
# What follows a first deadline: "and annually thereafter" (a recurrence), "and on a regular basis
# thereafter" or "and on an ongoing basis," (the duty goes on past its first date).
THEREAFTER = re.compile(
    r"^\s*,?\s*and\s+(?:at least\s+|no less than\s+)?(?:(?P<ongoing>on an? (?:regular|periodic|continuing|"
    r"ongoing) basis|regularly|periodically)(?:\s+thereafter|(?<=basis)(?=\s*,))"
    r"|(?P<period>annually|quarterly|biennially|semiannually|monthly"
    r"|on (?:at least )?an? (?:annual|quarterly|biennial|semiannual|monthly) basis"
    r"|once (?:every|a|each) (?:year|quarter|month)"
    r"|every\s+" + AMOUNT.replace("?P<n>", "?P<n2>").replace("?P<unit>", "?P<unit2>") + r")\s+thereafter)",
    re.IGNORECASE,
)
# "Within 90 days, the Secretary shall report": a time with no start named counts from the signing date,
# as the rest of the order's deadlines do; not in a condition ("If ..., NTIA shall within 90 days submit").
BARE_WITHIN = re.compile(
    rf"\b{_LEAD}\s+{AMOUNT}\b(?!\s+(?:of|after|from|following|before|prior|subsequent|thereafter|in|for|"
    r"since|upon|once|when|until)\b)",
    re.IGNORECASE,
)
_CONDITION = re.compile(
    r"^\W{0,3}(?:\([a-zA-Z0-9]{1,6}\)\s+)?(?:If|When|Whenever|Once|Upon|After|Where|In the event)\b"
)
EVERY_AFTER_ORDER = re.compile(
    rf"\bevery\s+{AMOUNT}\s+(?:after|from|following)\s+{_ORDER}(?P<until>\s+until\s+(?P<untilwhat>[^.;]+))?",
    re.IGNORECASE,
)
PERIODIC = re.compile(
    r"\b(?:(?:at least|no less than|not less than)\s+)?(?P<period>annually|quarterly|biennially|semiannually|"
    r"on (?:at least )?an? (?:annual|quarterly|biennial|semiannual|monthly) basis|quarterly"
    # "an assessment within 90 days ..., followed by annual assessments"
    r"|followed by (?:annual|quarterly|biennial|semiannual|monthly) \w+"
    r"|every\s+(?P<n>\d+|two|three)\s+"
    r"(?P<unit>years|months))\b",
    re.IGNORECASE,
)
ONGOING = re.compile(r"\bon an ongoing basis\b", re.IGNORECASE)
# Longest first: "semiannual" before the "annual" inside it.
_PERIOD_MONTHS = {
    "semiannually": 6,
    "biennially": 24,
    "quarterly": 3,
    "annually": 12,
    "semiannual": 6,
    "biennial": 24,
    "monthly": 1,
    "annual": 12,
    "quarter": 3,
    "month": 1,
    "year": 12,
}


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
        return deadlines.AfterDirective(ref, days=self.amount, trigger=self.trigger, order=order)


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


def number(text: str) -> int:
    """Return the number written in digits or words ("30", "thirty")."""
    text = text.lower().strip()
    return int(text) if text.isdigit() else _WORDS[text]


def _after_order(n: int, unit: str) -> deadlines.FirstRule:
    unit = unit.lower()
    if unit.startswith("month"):
        return deadlines.MonthsAfterOrder(months=n)
    if unit.startswith("year"):
        return deadlines.YearsAfterOrder(years=n)
    return deadlines.DaysAfterOrder(days=n)


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
        return "every_days", amount
    for word, months in _PERIOD_MONTHS.items():
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


_TRIGGER_WORD = re.compile(
    r"^(?:the\s+)?(?P<trig>completion|issuance|publication|publishing|release|releasing|receipt|receiving|"
    r"submission|submitting|selection|establishment|initiation|conclusion|adoption|approval|delivery|issuing|"
    r"completing|finalization)\b(?:\s+of)?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)


def _chained(what: str, match: re.Match[str]) -> Phrase:
    n, unit = number(match.group("n")), match.group("unit").lower()
    m = _TRIGGER_WORD.match(what.strip())
    trigger = _TRIGGERS.get(m.group("trig").lower(), deadlines.Trigger.COMPLETED) if m else None
    event = what.strip().rstrip(",")
    review = ""
    if unit.startswith("business"):
        review = f"'{match.group(0)}' counts business days; drafted as {n} calendar days."
    if m is None:
        review = (
            f"{review} The deadline counts from '{event[:100]}', which the drafter cannot tie to a "
            "directive: drafted as days from an event whose date someone records."
        ).strip()
    days = n * 365 if unit.startswith("year") else n * 30 if unit.startswith("month") else n
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
    period = _PERIOD_WORD.search(sentence, m.end())
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
        review = ""
        if unit.lower().startswith("business"):
            review = f"'{m.group(0)}' counts business days; drafted as {n} calendar days."
        end = m.end()
        after = THEREAFTER.match(sentence[end:])
        if after:
            rule = _thereafter(first, after)
            end += after.end()
        found.append(Phrase(m.start(), end, rule, sentence[m.start() : end], review))
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
        end = m.end()
        rule = deadlines.OnDate(date=date)
        after = THEREAFTER.match(sentence[end:])
        if after:
            rule = _thereafter(rule, after)
            end += after.end()
        found.append(Phrase(m.start(), end, rule, sentence[m.start() : end], fixed_date=True))
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
            )
        )
        take(m.start(), end)
    for m in BARE_WITHIN.finditer(sentence):
        if not free(m.start(), m.end()) or _CONDITION.match(sentence):
            continue
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
