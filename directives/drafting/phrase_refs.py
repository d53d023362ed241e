"""Around the deadline phrases: "within ..." phrases no family read, and the subsection a phrase names."""

from __future__ import annotations

import re

from .phrases import Phrase

SUBSECTION_REF = re.compile(
    r"\b(?:sub)?sections?\s+(?P<ref>\d+[A-Za-z]?(?:\.\d+)?(?:\([a-zA-Z0-9]+\))*|(?:\([a-zA-Z0-9]+\))+)"
    r"(?:\s+of\s+this\s+(?P<scope>section|order|subsection))?",
    re.IGNORECASE,
)


_WITHIN_ANY = re.compile(
    r"\bwithin\s+(?:\d+|[a-z]+)[\s-]+(?:calendar |business )?(?:days?|weeks?|hours?|months?|years?)\b",
    re.IGNORECASE,
)


def unclassified(sentence: str, phrases: list[Phrase]) -> list[str]:
    """Return "within ..." phrases of ``sentence`` that look like deadlines but no family matched."""
    covered = bytearray(len(sentence))
    for p in phrases:
        covered[p.start : p.end] = b"\x01" * (p.end - p.start)
    misses = []
    for m in _WITHIN_ANY.finditer(sentence):
        if not covered[m.start()]:
            misses.append(sentence[m.start() : m.start() + 80])
    return misses


def resolve_ref(text: str, *, current: str) -> str:
    """Return the directive ref that "described in subsection (b) of this section" names, or ""."""
    m = SUBSECTION_REF.search(text)
    if not m:
        return ""
    ref = m.group("ref")
    section = re.match(r"\d+[A-Za-z]?(?:\.\d+)?", current)
    if ref.startswith("(") and section:
        if (m.group("scope") or "section").lower() == "subsection":
            # "(ii) of this subsection": under the current lettered paragraph.
            lettered = re.match(r"\d+[A-Za-z]?(?:\.\d+)?\([a-z]+\)", current)
            return (lettered.group(0) if lettered else section.group(0)) + ref
        return section.group(0) + ref
    return ref
