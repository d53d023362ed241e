"""Which kind of presidential document a text is, and its number where the text states it."""

from __future__ import annotations

import re

from .document import Meta

EXECUTIVE_ORDER = "executive_order"
NATIONAL_SECURITY_MEMORANDUM = "national_security_memorandum"
PRESIDENTIAL_MEMORANDUM = "presidential_memorandum"
PROCLAMATION = "proclamation"
# Kind and number as the document states them, each on a line of its own or as the title says.
_NSM_NUMBER = re.compile(
    r"\bNational[ \t]+Security[ \t]+(?:Presidential[ \t]+)?Memorandum"
    r"(?:[ \t]*/[ \t]*NSP?M)?[- \t]+(\d{1,3})\b"
    r"|^[^\w\n]{0,8}NSP?M[- \t]?(\d{1,3})[^\w\n]{0,8}$",
    re.IGNORECASE | re.MULTILINE,
)
_NSM = re.compile(r"\bNational\s+Security\s+(?:Presidential\s+)?Memorandum\b", re.IGNORECASE)
_MEMORANDUM = re.compile(
    r"^[^\w\n]{0,8}MEMORANDUM\s+FOR\b|^[^\w\n]{0,8}Memorandum\s+(?:on|for)\b", re.MULTILINE
)
_PROCLAMATION = re.compile(
    r"^[^\w\n]{0,8}A\s+PROCLAMATION[^\w\n]{0,8}$|\bdo\s+hereby\s+proclaim\b", re.MULTILINE
)
_OWN_LINE_NUMBER = re.compile(
    # As printed, in capitals on a page's title ("EXECUTIVE ORDER 14999", "PROCLAMATION 10999"), or "E.O.".
    r"^[^\w\n]{0,8}(Executive[ \t]+Order|E\.[ \t]?O\.|Proclamation)[ \t]+(?:No\.[ \t]*)?(\d{4,5})"
    r"[^\w\n]{0,8}$",
    re.MULTILINE | re.IGNORECASE,
)
# Where a document's own identification ends: its first section, or the words that begin its body.
_OPENING_END = re.compile(
    r"By the authority vested|it is hereby ordered|^[^\w\n]{0,8}Sec(?:tion|\.)[ \t]*1\b"
    r"|^[^\w\n]{0,8}SUBJECT:",
    re.IGNORECASE | re.MULTILINE,
)


def identify(text: str, meta: Meta) -> None:
    """Fill in the document's kind and, where the text states it, its number.

    "National Security Memorandum/NSM-10" (or "NSPM-5") is a national security memorandum; "MEMORANDUM
    FOR ..." or a title "Memorandum on ..." a presidential memorandum; "A PROCLAMATION" or "do hereby
    proclaim" a proclamation; anything else an executive order. "Executive Order 14999" or
    "Proclamation 10999" on a line of its own gives the number.
    """
    end = _OPENING_END.search(text, 0, 20_000)
    head = text[: end.end() if end else 3000]
    title_and_head = f"{meta.title}\n{head}"
    own_line = _OWN_LINE_NUMBER.search(head)
    if (_PROCLAMATION.search(text[:20_000]) and not re.search(r"hereby ordered", text[:20_000])) or (
        meta.title.lower().startswith("proclamation")
    ):
        meta.kind = PROCLAMATION
        # Recitals cite other orders ("Executive Order 14161 of January 20, 2025"): not this one's number.
        meta.number = None
        if own_line and own_line.group(1).lower() == "proclamation":
            meta.number = int(own_line.group(2))
        return
    if meta.number is not None and re.search(r"Executive Order", head):
        meta.kind = EXECUTIVE_ORDER  # the Federal Register's header: "Executive Order 14028 of May 12, 2021"
        return
    nsm = _NSM_NUMBER.search(title_and_head)
    if nsm or _NSM.search(title_and_head):
        meta.kind = NATIONAL_SECURITY_MEMORANDUM
        if nsm and meta.number is None:
            meta.number = int(nsm.group(1) or nsm.group(2))
        return
    if _MEMORANDUM.search(title_and_head):
        meta.kind = PRESIDENTIAL_MEMORANDUM
        return
    meta.kind = EXECUTIVE_ORDER
    if own_line and own_line.group(1).lower() != "proclamation" and meta.number is None:
        meta.number = int(own_line.group(2))
