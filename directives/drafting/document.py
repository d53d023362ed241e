"""The shape every reader ends in: a document's paragraphs and metadata, and the patterns they share.

Dates ("June 2, 2026"), section headings ("Sec. 2.") and paragraph markers ("(a)") are read the same
way by the readers, the paragraph tree, the deadline phrases and the unplaced sentences.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
DATE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d{1,2},\s+\d{4}"
)
MARKER_START = re.compile(r"^\((?:[a-z]{1,2}|[ivxlc]{1,6}|[A-Z]{1,2}|\d{1,3})\)\s")
HEADING = re.compile(r"^(?:Sec\.|Section)\s*(\d+[A-Za-z]?)\.(?:\s|$)")


class ReadError(ValueError):
    """The input cannot be read as an order; the message says why and what to do."""


@dataclass
class Meta:
    kind: str = ""
    number: int | None = None
    title: str = ""
    signed_on: dt.date | None = None
    citation: str = ""
    document: str = ""
    published_on: dt.date | None = None
    source_url: str = ""


@dataclass
class Document:
    paragraphs: list[str]
    meta: Meta
    format: str
    other_orders: dict[int, dt.date] = field(default_factory=dict)


def parse_date(text: str) -> dt.date | None:
    """Return the date "June 2, 2026" (or ISO "2026-06-02") in ``text``, or None."""
    m = re.search(r"(?P<month>[A-Z][a-z]+)\s+(?P<day>\d{1,2}),\s+(?P<year>\d{4})", text)
    if m and m.group("month").lower() in MONTHS:
        try:
            return dt.date(int(m.group("year")), MONTHS[m.group("month").lower()], int(m.group("day")))
        except ValueError:
            return None
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def clean(text: str) -> str:
    """Return ``text`` on one line with single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
