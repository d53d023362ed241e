"""Nothing dropped silently (issue 20, item 4), over every text of the repository's corpus.

Every sentence with a deadline-like phrase ("within 90 days", "not later than", "by <date>", "annually",
"every 2 years" ...) lies inside a drafted directive's (or amendment's) text, or is listed in the draft's
``unplaced`` with a reason. The general provisions and definitions are the exception: no duty lives there.
"""

import re
from pathlib import Path

import pytest

from directives.drafting import draft
from directives.drafting.unplaced import DEADLINE_LIKE
from directives.drafting.wording import sentences

CORPUS = Path(__file__).resolve().parents[2] / "eval" / "corpus"
TEXTS = sorted(p.name for p in CORPUS.glob("*.md"))
_NO_DUTY_SECTION = re.compile(
    r"^\u201c?(?:Sec\.|Section)\s*\d+[A-Za-z]?\.\s*(?:General Provisions|Definitions)", re.I
)
_ANY_SECTION = re.compile(r"^\u201c?(?:Sec\.|Section)\s*\d+[A-Za-z]?\.")


def test_the_corpus_is_there():
    assert len(TEXTS) >= 40


@pytest.mark.parametrize("name", TEXTS)
def test_every_deadline_like_sentence_is_drafted_or_listed_with_a_reason(name):
    # A whitehouse.gov text needs the number the Federal Register gave; any number does for this.
    d = draft(
        (CORPUS / name).read_text(encoding="utf-8"), filename=name, number=None if ".fr." in name else 1
    )
    covered = [(x.start, x.end) for x in d.directives] + [(a.start, a.end) for a in d.amends]
    listed = [(u.start, u.end) for u in d.unplaced]
    assert all(u.reason for u in d.unplaced)
    dropped = []
    position, in_no_duty_section = 0, False
    for paragraph in d.text.split("\n\n"):
        if _ANY_SECTION.match(paragraph):
            in_no_duty_section = bool(_NO_DUTY_SECTION.match(paragraph))
        for offset, sentence in sentences(paragraph):
            start = position + offset
            end = start + len(sentence)
            if in_no_duty_section or not DEADLINE_LIKE.search(sentence):
                continue
            inside = any(a <= start and end <= b + 1 for a, b in covered)
            overlaps = any(a < end and start < b for a, b in listed)
            if not (inside or overlaps):
                dropped.append(sentence.strip()[:160])
        position += len(paragraph) + 2
    assert dropped == []
