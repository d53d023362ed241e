"""Sentences with a deadline-like phrase that no drafted directive carries: listed with why, never dropped.

A sentence is placed when it lies in a drafted directive's paragraphs and every deadline phrase found
in it is one a drafted directive took (or it has none the drafter recognizes). Anything else with a
deadline-like phrase ("within", "not later than", "by <date>", "days", "months", "annually", "every ...")
is unplaced, so a reviewer reads it rather than trusting the draft to have it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import phrases as ph
from .document import DATE, HEADING
from .phrase_refs import unclassified
from .wording import PASSIVE, SHALL, sentences

# Deadline-like (issue 20's list): "within"/"not later than" an amount of time, "by <date>", N days or
# months, "annually", "every N ...". Every repetition is bounded and over disjoint classes.
_AMOUNT = r"(?:\d{1,4}|[a-z]+(?:[\s-][a-z]+){0,2})[\s-]+(?:\(\d+\)\s+)?(?:calendar\s+|business\s+)?"
DEADLINE_LIKE = re.compile(
    rf"\b(?:within|not later than|no later than|not more than)\s+{_AMOUNT}"
    r"(?:days?|weeks?|hours?|months?|years?)\b"
    rf"|\b(?:by|not later than|no later than|on or before)\s+{DATE}"
    r"|\b\d{1,4}[\s-]+(?:calendar\s+|business\s+)?(?:days?|months?)\b"
    r"|\b(?:annually|quarterly|biennially|semiannually)\b|\bevery\s+(?:\d+|[a-z]+)\s+(?:days|weeks|months|years)\b",
    re.IGNORECASE,
)
_GENERAL_PROVISIONS = re.compile(r"General Provisions|Definitions", re.IGNORECASE)


@dataclass(frozen=True)
class Unplaced:
    """A sentence no directive carries: its text, why, and its offsets in ``Draft.text``."""

    sentence: str
    reason: str
    start: int
    end: int


def _reason(sentence: str, found: list[ph.Phrase], in_directive: bool) -> str:
    shall = SHALL.search(sentence)
    if shall is not None and PASSIVE.match(sentence[shall.end() :]):
        return "a duty in the passive voice ('shall be ...'): its owner is not named in the sentence"
    if in_directive:
        what = found[0].text if found else ""
        return (
            f"its deadline '{what}' is not any drafted directive's: a date inside what is done, or a second "
            "duty the drafter did not separate"
        )
    if shall is None:
        return "no one 'shall' act in it (a policy, a definition or a duty phrased otherwise)"
    if not found and unclassified(sentence, []):
        return "a deadline phrase the drafter could not classify"
    return "its subject is not an office the drafter recognizes (or not an office at all)"


def find_unplaced(
    paragraphs: list[str],
    starts: list[int],
    placed: dict[int, set[str]],
) -> list[Unplaced]:
    """Return the unplaced sentences of ``paragraphs``.

    ``placed`` maps the index of each paragraph a drafted directive covers to the texts of the deadline
    phrases the directives took from it.
    """
    out: list[Unplaced] = []
    section = ""
    for index, paragraph in enumerate(paragraphs):
        if HEADING.match(paragraph.lstrip("\u201c")):
            section = paragraph
            continue
        if _GENERAL_PROVISIONS.search(section) and index not in placed:
            continue  # "shall be implemented consistent with applicable law" and the like: no duty
        for offset, sentence in sentences(paragraph):
            if not DEADLINE_LIKE.search(sentence):
                continue
            found = [p for p in ph.find(sentence) if p.rule.as_dict().get("kind") != "none"]
            taken = placed.get(index)
            if taken is not None and all(p.text in taken for p in found):
                continue
            missing = [p for p in found if taken is None or p.text not in taken]
            text = sentence.strip()
            start = starts[index] + offset + (len(sentence) - len(sentence.lstrip()))
            out.append(
                Unplaced(text, _reason(sentence, missing, taken is not None), start, start + len(text))
            )
    return out
