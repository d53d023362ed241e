"""The deadline phrases' vocabulary: number words, units, leads and the regular expression of each family.

What each family means is ``phrases``' concern; this module only says where a phrase is.
"""

from __future__ import annotations

import re

from directives import deadlines

from .document import DATE

WORDS = {
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
    "twenty-four": 24,
    "thirty": 30,
    "forty-five": 45,
    "forty-eight": 48,
    "sixty": 60,
    "seventy-two": 72,
    "ninety": 90,
    "one hundred twenty": 120,
    "one hundred eighty": 180,
    "two hundred seventy": 270,
    "three hundred sixty-five": 365,
}
NUMBER = r"(?P<n>\d{1,4}|" + "|".join(sorted((re.escape(w) for w in WORDS), key=len, reverse=True)) + ")"
# Weeks are 7 days; hours (a deadline counted from an event's hour) are drafted in whole days, since a
# deadline is a date: "within 72 hours" is 3 days (``phrases`` flags what was rounded).
UNIT = r"(?P<unit>calendar days?|business days?|days?|weeks?|hours?|months?|years?)"
AMOUNT = rf"{NUMBER}[\s-]+(?:\(\d+\)\s+)?{UNIT}"
# The amount of a recurrence or of how long one lasts: hours are no period a dated deadline repeats at.
PERIOD_AMOUNT = AMOUNT.replace("|hours?", "")
# "This order" in an executive order, "this memorandum" or "this proclamation" in the others: signed on.
THIS = r"this\s+(?:order|memorandum|proclamation)"
ORDER = rf"(?:the\s+)?(?:effective\s+)?(?:(?:date|issuance|signing)\s+of\s+)?(?:{THIS}|the\s+order)"
LEAD = r"(?:within|not later than|no later than|not more than|no more than)"

# "In the first 60 days from the date of this order" counts from the signing date as "within" does.
RELATIVE_TO_ORDER = re.compile(
    rf"\b(?:{LEAD}|(?:in|during) the first)\s+{AMOUNT}\s+(?:of|from|after|following)\s+{ORDER}",
    re.IGNORECASE,
)
# "terminate all existing exclusions as of March 12, 2025": the duty takes effect by that date.
FIXED_DATE = re.compile(
    rf"\b(?P<lead>by|not later than|no later than|on or before|before|as of)\s+(?P<date>{DATE})",
    re.IGNORECASE,
)
# "within ten days of March 12, 2025": a fixed date, N days (months) after the date named.
AFTER_DATE = re.compile(
    rf"\b{LEAD}\s+{AMOUNT}\s+(?:of|after|following|from)\s+(?P<date>{DATE})",
    re.IGNORECASE,
)
# "by June 1, 2007, and June 1, 2008": each further date of a list after a fixed date's lead.
NEXT_DATE = re.compile(rf"(?:,\s*(?:and\s+)?|\s+and\s+)(?P<date>{DATE})", re.IGNORECASE)
# "by June 1, 2027, and June 1, 2028, respectively": one date to each of several duties, not a series.
RESPECTIVELY = re.compile(r"^,?\s*respectively\b", re.IGNORECASE)
# "By February 2022": the month's last day. "In September 2023, and on an annual basis thereafter": the
# same, only when a recurrence follows ("In May 2023, the Secretary issued ..." is a past event).
MONTH_NAME = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)"
)
MONTH_YEAR = re.compile(
    rf"\b(?P<lead>by|not later than|no later than|by the end of|in)\s+{MONTH_NAME}\s+(?P<year>\d{{4}})\b"
    r"(?!,?\s*\d)",
    re.IGNORECASE,
)
# "Starting in January 2022, the Secretary shall provide an annual update", "Beginning in 2010, the
# Committee shall publish an annual Action Plan": the first due at the end of that month (year), then
# every period the sentence names ("annual", "quarterly"); with none named, that one date.
STARTING = re.compile(
    rf"\b(?:starting|beginning|commencing)\s+(?:in\s+)?(?:{MONTH_NAME}\s+)?(?P<year>\d{{4}})\b(?!,?\s*\d)",
    re.IGNORECASE,
)
# "In 2026, the ITWG shall initiate a review": a duty set in a year, due by its last day; only opening a
# sentence whose duty is still to come ("In 2023, the Secretary issued ..." tells the past).
IN_YEAR = re.compile(
    r"^\W{0,3}(?:\([a-zA-Z0-9]{1,6}\)\s+)?(?P<lead>In|During)\s+(?P<year>\d{4}),(?=.*\bshall\b)"
)
PERIOD_WORD = re.compile(
    r"\b(?:semiannual(?:ly)?|biennial(?:ly)?|annual(?:ly)?|quarterly|monthly)\b", re.IGNORECASE
)
TRIGGERS = {
    "publication": deadlines.Trigger.PUBLISHED,
    "publishing": deadlines.Trigger.PUBLISHED,
    "release": deadlines.Trigger.PUBLISHED,
    "releasing": deadlines.Trigger.PUBLISHED,
    "issuance": deadlines.Trigger.ISSUED,
    "issuing": deadlines.Trigger.ISSUED,
}
CHAINED = re.compile(
    rf"\b{LEAD}\s+{AMOUNT}\s+(?:of|after|following|from)\s+(?:the\s+)?"
    rf"(?P<what>(?!(?:the\s+)?(?:effective\s+)?(?:date|issuance|signing)\s+of\s+{THIS})(?!{THIS})[^.;]{{3,300}}?)"
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
    r"|every\s+"
    + PERIOD_AMOUNT.replace("?P<n>", "?P<n2>").replace("?P<unit>", "?P<unit2>")
    + r")\s+thereafter)"
    # "..., and annually thereafter for a period of 3 years": when the recurrence ends, after its first.
    r"(?:,?\s+for\s+a\s+(?:total\s+)?period\s+of\s+"
    + PERIOD_AMOUNT.replace("?P<n>", "?P<n3>").replace("?P<unit>", "?P<unit3>")
    + r"\b)?",
    re.IGNORECASE,
)
# "Within 90 days, the Secretary shall report": a time with no start named counts from the signing date,
# as the rest of the order's deadlines do; not in a condition ("If ..., NTIA shall within 90 days submit").
BARE_WITHIN = re.compile(
    rf"\b{LEAD}\s+{AMOUNT}\b(?!\s+(?:of|after|from|following|before|prior|subsequent|thereafter|in|for|"
    r"since|upon|once|when|until)\b)",
    re.IGNORECASE,
)
CONDITION = re.compile(
    r"^\W{0,3}(?:\([a-zA-Z0-9]{1,6}\)\s+)?(?:If|When|Whenever|Once|Upon|After|Where|In the event)\b"
)
EVERY_AFTER_ORDER = re.compile(
    rf"\bevery\s+{PERIOD_AMOUNT}\s+(?:after|from|following)\s+{ORDER}(?P<until>\s+until\s+(?P<untilwhat>[^.;]+))?",
    re.IGNORECASE,
)
PERIODIC = re.compile(
    r"\b(?:(?:at least|no less than|not less than)\s+)?(?P<period>annually|quarterly|biennially|semiannually|"
    r"on (?:at least )?an? (?:annual|quarterly|biennial|semiannual|monthly) basis|quarterly"
    # "an assessment within 90 days ..., followed by annual assessments"
    r"|followed by (?:annual|quarterly|biennial|semiannual|monthly) \w+"
    r"|every\s+(?P<n>\d+|two|three)\s+"
    r"(?P<unit>years|months)"
    # How many times in a period: "at least one public meeting per year", "once a quarter", "twice each
    # year"; a number of anything else per year ("one percent per year", "$490 billion per year") is none.
    r"|(?:once|one\s+(?!percent\b)(?:[a-z-]+\s+){0,3}?[a-z-]+)\s+(?:a|per|each|every)\s+"
    r"(?:calendar\s+|fiscal\s+)?(?P<per>year|quarter|month)"
    r"|(?P<twice>twice)\s+(?:a|per|each|every)\s+(?:calendar\s+|fiscal\s+)?year)\b",
    re.IGNORECASE,
)
# The months of the period a count is made in ("once a quarter": 3).
PER_MONTHS = {"year": 12, "quarter": 3, "month": 1}
ONGOING = re.compile(r"\bon an ongoing basis\b", re.IGNORECASE)
# Longest first: "semiannual" before the "annual" inside it.
PERIOD_MONTHS = {
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
TRIGGER_WORD = re.compile(
    r"^(?:the\s+)?(?P<trig>completion|issuance|publication|publishing|release|releasing|receipt|receiving|"
    r"submission|submitting|selection|establishment|initiation|conclusion|adoption|approval|delivery|issuing|"
    r"completing|finalization)\b(?:\s+of)?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)


def number(text: str) -> int:
    """Return the number written in digits or words ("30", "thirty")."""
    text = text.lower().strip()
    return int(text) if text.isdigit() else WORDS[text]
