"""A directive's deadline said in the passive voice: "The first annual report shall be issued no later than 1
year from the date of this order", "The assessment shall be provided to the President ... within 90 days".

When the paragraph of a duty with no deadline of its own (or an item of it that is not a duty: "(1) be
completed within 90 days") says by when its product is due in the passive voice, the deadline is that
duty's, owned by the paragraph's office; a second such deadline gives ``ref-2``. Both are noted for review.
"""

from __future__ import annotations

import re

from directives import deadlines

from . import phrases as ph
from .drafted import Drafted
from .wording import PASSIVE, SHALL, duty_title, sentences, strip_marker

# What is done to a product by its due date: "shall be submitted (issued, completed ...)".
_DELIVERED = re.compile(
    r"^[\s,]*(?:(?:also|further|then)\s+)?be\s+(?:submitted|issued|completed|provided|published|transmitted|"
    r"delivered|released|finalized|sent|presented|prepared|developed|made available)\b",
    re.IGNORECASE,
)
_FIRST = (
    deadlines.DaysAfterOrder,
    deadlines.MonthsAfterOrder,
    deadlines.YearsAfterOrder,
    deadlines.OnDate,
)
_DATED = (
    deadlines.DaysAfterOrder,
    deadlines.MonthsAfterOrder,
    deadlines.YearsAfterOrder,
    deadlines.OnDate,
    deadlines.Recurring,
)
# "The first annual report shall be issued ...": the product recurs with that period.
_FIRST_PERIODIC = re.compile(
    r"\bfirst\s+(?P<period>annual|quarterly|semiannual|biennial|monthly)\b", re.IGNORECASE
)
_PERIOD_MONTHS = {"annual": 12, "quarterly": 3, "semiannual": 6, "biennial": 24, "monthly": 1}


def _passive_phrases(sentence: str) -> list[ph.Phrase]:
    """Return the dated phrases of ``sentence`` when it says by when something shall be delivered."""
    body = strip_marker(sentence.strip())
    shall = SHALL.search(body)
    if shall is not None:
        if not (PASSIVE.match(body[shall.end() :]) and _DELIVERED.match(body[shall.end() :])):
            return []
    elif not _DELIVERED.match(body):  # an item that continues its lead-in: "(1) be completed within ..."
        return []
    return [
        p
        for p in ph.find(sentence)
        if isinstance(p.rule, _DATED)
        and p.chain is None
        and not (
            isinstance(p.rule, deadlines.Recurring) and isinstance(p.rule.first, deadlines.DaysFromEvent)
        )
    ]


def passive_deadlines(current: Drafted, ref: str) -> list[Drafted]:
    """Give ``current`` (a duty with no deadline) the first passive deadline of its text; return a
    directive for each further one."""
    more: list[Drafted] = []
    for _, sentence in sentences(current.source):
        for phrase in _passive_phrases(sentence):
            rule: deadlines.Rule = phrase.rule
            recurs = _FIRST_PERIODIC.search(sentence[: phrase.start])
            if recurs and isinstance(rule, _FIRST):
                months = _PERIOD_MONTHS[recurs.group("period").lower()]
                rule = deadlines.Recurring(first=rule, every_months=months)
            note = (
                f"The deadline is from a sentence in the passive voice: '{sentence.strip()[:160]}'; "
                "check that it is this duty's."
            )
            if isinstance(current.rule, deadlines.NoDeadline):
                current.rule, current.phrase = rule, phrase
                current.sentence = sentence
                current.review.append(note)
                continue
            more.append(
                Drafted(
                    ref=f"{ref}-{len(more) + 2}",
                    title=duty_title(sentence) or current.title,
                    leads=current.leads,
                    consulted=current.consulted,
                    rule=rule,
                    parent=current.parent,
                    source=sentence.strip(),
                    review=[note],
                    paragraphs=list(current.paragraphs),
                    sentence=sentence,
                    phrase=phrase,
                )
            )
    return more
